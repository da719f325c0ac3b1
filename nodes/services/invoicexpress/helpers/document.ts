import { z } from 'zod';

import { InputError } from './client';
import { ixDateKey, toIxDate } from './dates';
import { TAX_EXEMPTION_SET } from './documentTypes';

export const taxSchema = z
	.object({
		id: z.union([z.number(), z.string()]).optional(),
		name: z.string(),
		value: z.coerce.number(),
		region: z.string().optional().nullable(),
		code: z.string().optional().nullable(),
		default_tax: z.union([z.number(), z.string(), z.boolean()]).optional().nullable(),
	})
	.passthrough();
export type IxTax = z.infer<typeof taxSchema>;

/** One line as users give it: n8n fields (camelCase) or pasted API JSON (snake_case). */
export const itemInputSchema = z.preprocess(
	(raw) => {
		if (!raw || typeof raw !== 'object') return raw;
		const r = raw as Record<string, unknown>;
		const tax = r.tax;
		return {
			...r,
			unitPrice: r.unitPrice ?? r.unit_price,
			tax: tax && typeof tax === 'object' ? (tax as { name?: unknown }).name : tax,
		};
	},
	z.object({
		name: z.string({ required_error: 'name is missing' }).min(1, 'name is empty'),
		description: z.string().optional(),
		unitPrice: z.coerce.number({ invalid_type_error: 'unit price is not a number' }),
		quantity: z.coerce.number({ invalid_type_error: 'quantity is not a number' }),
		unit: z.string().optional(),
		discount: z.coerce.number().optional(),
		tax: z.string().optional(),
	}),
);
export type ItemInput = z.infer<typeof itemInputSchema>;

export interface DocumentInput {
	date: unknown;
	dueDate: unknown;
	client: Record<string, string>;
	items: unknown[];
	reference?: string;
	observations?: string;
	sequenceId?: string;
	taxExemption?: string;
	retention?: number;
	currencyCode?: string;
	exchangeRate?: number;
	ownerInvoiceId?: string | number;
	/** Percentage off the whole document (InvoicExpress refuses negative lines). */
	globalDiscountPercent?: number;
}

/** Round half-up to `decimals`, immune to binary artefacts such as 1.005 → 1.00. */
export function roundHalfUp(value: number, decimals: number): number {
	const factor = 10 ** decimals;
	const scaled = Math.abs(value) * factor;
	// Cutting to 15 significant digits moves `scaled` by at most 5e-15 of itself, so it can only
	// change the result when `scaled` lies that close to a .5; elsewhere the string round trip
	// (the mapping's costliest arithmetic) is skipped.
	const fromHalf = scaled - Math.floor(scaled) - 0.5;
	const shifted = scaled < 1e15 && Math.abs(fromHalf) > scaled * 1e-13 ? scaled : Number(scaled.toPrecision(15));
	return (Math.sign(value) * Math.round(shifted)) / factor;
}

/**
 * Validates a document and builds the body for POST /{type}.json. Taxes are the account's own list:
 * an unknown tax name would make InvoicExpress silently apply its default tax, so it is an error here.
 */
export function buildDocumentBody(
	input: DocumentInput,
	taxes: IxTax[],
	context = '',
): { document: Record<string, unknown>; zeroRateItems: number } {
	const date = toIxDate(input.date);
	if (!date) throw new InputError(`${context}date "${String(input.date ?? '')}" is not a date`, 'Use the date picker, YYYY-MM-DD or DD/MM/YYYY.');
	const dueDate = toIxDate(input.dueDate);
	if (!dueDate) throw new InputError(`${context}due date "${String(input.dueDate ?? '')}" is not a date`, 'Use the date picker, YYYY-MM-DD or DD/MM/YYYY.');
	if (ixDateKey(dueDate) < ixDateKey(date)) {
		throw new InputError(`${context}due date ${dueDate} is before the document date ${date}`, 'The due date must be on or after the date.');
	}
	if (!input.client.name) throw new InputError(`${context}client name is missing`);
	if (!Array.isArray(input.items) || input.items.length === 0) {
		throw new InputError(`${context}the document has no items`, 'Add at least one item.');
	}
	const taxByName = new Map(taxes.map((t) => [t.name, t]));
	let zeroRateItems = 0;
	const items = input.items.map((raw, index) => {
		const where = `${context}item ${index + 1}`;
		const parsed = itemInputSchema.safeParse(raw);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			const field = issue.path.join('.') || 'item';
			throw new InputError(`${where}: ${issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`}`);
		}
		const item = parsed.data;
		if (!Number.isFinite(item.unitPrice) || item.unitPrice < 0) {
			throw new InputError(
				`${where} (${item.name}): unit price ${item.unitPrice} is negative`,
				'InvoicExpress refuses negative lines: give discounts as a percentage, or issue a credit note.',
			);
		}
		if (!Number.isFinite(item.quantity) || item.quantity <= 0) {
			throw new InputError(`${where} (${item.name}): quantity must be greater than 0`);
		}
		if (item.discount !== undefined && (!(item.discount >= 0) || item.discount > 100)) {
			throw new InputError(`${where} (${item.name}): discount must be a percentage between 0 and 100`);
		}
		const out: Record<string, unknown> = {
			name: item.name,
			description: item.description?.trim() ? item.description : item.name,
			unit_price: roundHalfUp(item.unitPrice, 4),
			quantity: roundHalfUp(item.quantity, 2),
		};
		if (item.unit) out.unit = item.unit;
		if (item.discount) out.discount = item.discount;
		if (item.tax) {
			const tax = taxByName.get(item.tax);
			if (!tax) {
				throw new InputError(
					`${where} (${item.name}): tax "${item.tax}" does not exist in this InvoicExpress account`,
					`Available taxes: ${taxes.map((t) => `${t.name} (${t.value} %)`).join(', ') || 'none'}.`,
				);
			}
			if (tax.value === 0) zeroRateItems++;
			out.tax = { name: tax.name };
		} else {
			const def = taxes.find((t) => Number(t.default_tax) === 1 || t.default_tax === true);
			if (def && def.value === 0) zeroRateItems++;
		}
		return out;
	});
	const taxExemption = input.taxExemption?.trim();
	if (taxExemption && !TAX_EXEMPTION_SET.has(taxExemption)) {
		throw new InputError(`${context}tax exemption reason "${taxExemption}" is not a valid code (M01 … M99)`);
	}
	if (zeroRateItems > 0 && !taxExemption) {
		throw new InputError(
			`${context}${zeroRateItems} item(s) have 0 % VAT but no tax exemption reason is set`,
			'Portuguese law requires the exemption reason (M-code) on documents with VAT-exempt items: set "Tax Exemption Reason".',
		);
	}
	const document: Record<string, unknown> = { date, due_date: dueDate, client: input.client, items };
	if (input.reference?.trim()) document.reference = input.reference.trim();
	if (input.observations?.trim()) document.observations = input.observations.trim();
	if (input.sequenceId) document.sequence_id = String(input.sequenceId);
	if (taxExemption) document.tax_exemption = taxExemption;
	if (input.retention) {
		if (input.retention < 0 || input.retention > 100) throw new InputError(`${context}retention must be a percentage between 0 and 100`);
		document.retention = String(input.retention);
	}
	const currency = input.currencyCode?.trim().toUpperCase();
	if (currency && currency !== 'EUR') {
		if (!/^[A-Z]{3}$/.test(currency)) throw new InputError(`${context}currency "${currency}" is not an ISO 4217 code`);
		if (!input.exchangeRate || !(input.exchangeRate > 0)) {
			throw new InputError(
				`${context}currency ${currency} needs an exchange rate`,
				'Set "Exchange Rate" (units of the currency per 1 EUR) or issue the document in EUR.',
			);
		}
		document.currency_code = currency;
		document.rate = String(input.exchangeRate);
	}
	if (input.ownerInvoiceId !== undefined && input.ownerInvoiceId !== '') document.owner_invoice_id = Number(input.ownerInvoiceId);
	if (input.globalDiscountPercent) {
		if (input.globalDiscountPercent < 0 || input.globalDiscountPercent > 100) {
			throw new InputError(`${context}global discount must be a percentage between 0 and 100`);
		}
		document.global_discount = { value_type: 'percentage', value: input.globalDiscountPercent };
	}
	return { document, zeroRateItems };
}

/** Fields users look for first on a document, whatever the API's root key was. */
export function summarizeDocument(doc: Record<string, unknown>, prefix?: string): Record<string, unknown> {
	const inverted = doc.inverted_sequence_number as string | null | undefined;
	return {
		...doc,
		legal_number: inverted && prefix ? `${prefix} ${inverted}` : inverted ?? null,
	};
}

/** A file name for a document's PDF: `invoice-FT-A-12.pdf` from the legal number, else the id. */
export function pdfFileName(kind: 'invoice' | 'credit-note', doc: Record<string, unknown>): string {
	return `${kind}-${String(doc.inverted_sequence_number ?? doc.id).replace(/[^A-Za-z0-9._-]+/g, '-')}.pdf`;
}
