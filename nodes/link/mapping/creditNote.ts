import type { IDataObject } from 'n8n-workflow';

import { InputError } from '../../services/invoicexpress/helpers/client';
import { roundHalfUp } from '../../services/invoicexpress/helpers/document';
import { LINE_LABELS } from './components';

/**
 * The lines of a credit note, taken from the invoice it corrects (never from the order again): the
 * invoice is the legal record, so each credited line keeps the invoice's unit price, discount and
 * VAT, and a full credit equals the invoice to the cent whatever options or taxes changed since.
 * Pure: the invoice as InvoicExpress answers it in, the credit note's items and total out.
 */

/** What is credited. Quantities are in the invoice's units; an amount is gross, in the invoice's currency. */
export type CreditScope =
	| { kind: 'full' }
	| {
			kind: 'lines';
			/** `item`: the line's name on the invoice (its SKU or product name); no quantity: the whole line. */
			lines: Array<{ item: string; quantity?: number }>;
			/** The shipping line(s), or the pickup-fee line(s) of an order collected at a pickup point. */
			shipping: boolean;
			paymentFee: boolean;
	  }
	| { kind: 'amount'; amount: number; vatRate: number; description: string };

export interface CreditLine {
	name: string;
	description: string;
	unit_price: number;
	quantity: number;
	unit?: string;
	discount?: number;
	tax: { name: string };
}

export interface CreditItems {
	items: CreditLine[];
	/** The credit note's total as InvoicExpress will compute it (4-decimal prices, rounded once). */
	total: number;
	/** The invoice's discount off its total, carried over as it reads (none when it has none). */
	globalDiscount?: { value_type: 'percentage' | 'absolute'; value: number };
}

interface InvoiceLine {
	index: number;
	name: string;
	description: string;
	unitPrice: number;
	quantity: number;
	unit?: string;
	discount: number;
	tax: { name: string; value: number };
}

/** Names the package gives shipping, pickup-fee and payment-fee lines, in every language, plus the merchant's own. */
function labelSet(kinds: Array<'shipping' | 'pickup' | 'paymentFee'>, extra: string[]): Set<string> {
	const names = Object.values(LINE_LABELS).flatMap((l) => kinds.map((k) => l[k]));
	return new Set([...names, ...extra.filter((e) => e.trim() !== '')].map((n) => n.trim().toLowerCase()));
}

function num(value: unknown): number {
	return typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
}

/** The invoice's lines, read strictly: a line whose price, quantity or VAT cannot be read is an error, never a guess. */
function invoiceLines(invoice: IDataObject, label: string): InvoiceLine[] {
	const items = Array.isArray(invoice.items) ? (invoice.items as IDataObject[]) : undefined;
	if (!items || items.length === 0) {
		throw new InputError(`${label}: the invoice ${String(invoice.id)} as InvoicExpress answered it has no lines to credit`);
	}
	return items.map((item, index) => {
		const tax = (item.tax ?? {}) as IDataObject;
		const line: InvoiceLine = {
			index,
			name: String(item.name ?? ''),
			description: String(item.description ?? item.name ?? ''),
			unitPrice: num(item.unit_price),
			quantity: num(item.quantity),
			unit: typeof item.unit === 'string' && item.unit !== '' ? item.unit : undefined,
			discount: item.discount === undefined || item.discount === null || item.discount === '' ? 0 : num(item.discount),
			tax: { name: String(tax.name ?? ''), value: num(tax.value) },
		};
		if (![line.unitPrice, line.quantity, line.discount, line.tax.value].every(Number.isFinite) || line.tax.name === '') {
			throw new InputError(
				`${label}: line ${index + 1} (${line.name}) of invoice ${String(invoice.id)} has no readable price, quantity, discount or VAT`,
				'Nothing was created. Credit this invoice in InvoicExpress by hand, and tell the package maintainers how the line reads.',
			);
		}
		return line;
	});
}

/** The invoice's discount off its total; an absolute one cannot be shared out over some lines to the cent. */
function globalDiscountOf(invoice: IDataObject, label: string, partial: boolean): CreditItems['globalDiscount'] {
	const g = invoice.global_discount as IDataObject | null | undefined;
	const value = g ? num(g.value) : 0;
	if (!g || !(value > 0)) return undefined;
	if (g.value_type === 'percentage') return { value_type: 'percentage', value };
	if (g.value_type === 'absolute' && !partial) return { value_type: 'absolute', value };
	throw new InputError(
		`${label}: invoice ${String(invoice.id)} has a discount of ${value} ${g.value_type === 'absolute' ? 'off its total, which cannot be shared out over some of its lines to the cent' : `of an unknown kind (${String(g.value_type)})`}`,
		partial ? 'Credit the whole invoice, or refund an amount with its VAT rate.' : 'Nothing was created. Credit this invoice in InvoicExpress by hand.',
	);
}

const toCredit = (l: InvoiceLine, quantity: number): CreditLine => ({
	name: l.name,
	description: l.description,
	unit_price: l.unitPrice,
	quantity,
	...(l.unit ? { unit: l.unit } : {}),
	...(l.discount ? { discount: l.discount } : {}),
	tax: { name: l.tax.name },
});

/** The credit note total InvoicExpress computes: unrounded lines, one rounding for the document. */
export function creditTotal(lines: Array<{ unitPrice: number; quantity: number; discount: number; rate: number }>, globalDiscountPercent = 0): number {
	const factor = 1 - globalDiscountPercent / 100;
	const sum = lines.reduce((s, l) => s + l.unitPrice * l.quantity * (1 - l.discount / 100) * factor * (1 + l.rate / 100), 0);
	return roundHalfUp(sum, 2);
}

/**
 * The credit note's items for a scope, or an InputError naming the order and what to fix.
 * `labels`: the merchant's own shipping and payment-fee labels, when set on the invoicing node.
 */
export function creditItems(
	invoice: IDataObject,
	scope: CreditScope,
	label: string,
	labels: { shipping?: string; paymentFee?: string; pickup?: string } = {},
): CreditItems {
	const lines = invoiceLines(invoice, label);
	if (scope.kind === 'full') return fullCredit(invoice, lines, label);
	if (scope.kind === 'amount') return amountCredit(invoice, lines, scope, label);
	const g = globalDiscountOf(invoice, label, true);
	const credited = returnedLines(invoice, lines, scope, label, labels);
	return { items: credited.map(({ line, quantity }) => toCredit(line, quantity)), total: totalOf(credited, g?.value ?? 0), ...(g ? { globalDiscount: g } : {}) };
}

type Credited = Array<{ line: InvoiceLine; quantity: number }>;

const totalOf = (credited: Credited, g: number) =>
	creditTotal(credited.map(({ line, quantity }) => ({ unitPrice: line.unitPrice, quantity, discount: line.discount, rate: line.tax.value })), g);

/** Every line of the invoice, in full. */
function fullCredit(invoice: IDataObject, lines: InvoiceLine[], label: string): CreditItems {
	const g = globalDiscountOf(invoice, label, false);
	const items = lines.map((l) => toCredit(l, l.quantity));
	// An absolute discount is credited as it was given, so the total is the invoice's own.
	const total = g?.value_type === 'absolute' ? num(invoice.total) : totalOf(lines.map((line) => ({ line, quantity: line.quantity })), g?.value ?? 0);
	return { items, total, ...(g ? { globalDiscount: g } : {}) };
}

/** A refund of an amount: one line at a VAT rate the invoice charged. */
function amountCredit(invoice: IDataObject, lines: InvoiceLine[], scope: Extract<CreditScope, { kind: 'amount' }>, label: string): CreditItems {
	if (!(scope.amount > 0) || !Number.isFinite(scope.amount)) {
		throw new InputError(`${label}: the refund amount must be a positive number (it is ${String(scope.amount)})`);
	}
	if (!Number.isFinite(scope.vatRate)) {
		throw new InputError(
			`${label}: a refund of an amount needs the VAT rate it belongs to`,
			'A credit note carries VAT like the invoice it corrects: set "VAT Rate (%)" to the rate of the lines refunded (for example 23).',
		);
	}
	const taxed = lines.find((l) => l.tax.value === scope.vatRate);
	if (!taxed) {
		const rates = [...new Set(lines.map((l) => l.tax.value))].join(' %, ');
		throw new InputError(
			`${label}: invoice ${String(invoice.id)} has no line at ${scope.vatRate} % VAT (its rates: ${rates} %)`,
			'A refund can only credit VAT the invoice charged: choose one of its rates.',
		);
	}
	// Net with 4 decimals, as InvoicExpress stores it: 0.00005 × (1 + VAT) never moves the gross by a cent.
	const unitPrice = roundHalfUp(scope.amount / (1 + scope.vatRate / 100), 4);
	const total = creditTotal([{ unitPrice, quantity: 1, discount: 0, rate: scope.vatRate }]);
	const description = scope.description.trim() || 'Reembolso';
	return { items: [{ name: description, description, unit_price: unitPrice, quantity: 1, tax: { name: taxed.tax.name } }], total };
}

/** The invoice's lines a return names (each line once), then its shipping and payment fee, in the invoice's order. */
function returnedLines(
	invoice: IDataObject,
	lines: InvoiceLine[],
	scope: Extract<CreditScope, { kind: 'lines' }>,
	label: string,
	labels: { shipping?: string; paymentFee?: string; pickup?: string },
): Credited {
	const credited: Credited = [];
	const taken = new Set<number>();
	const available = lines.map((l) => `${l.name} × ${l.quantity}`).join(', ');
	for (const wanted of scope.lines) {
		const { line, key } = returnedLine(invoice, lines, taken, wanted, label, available);
		const quantity = wanted.quantity === undefined || wanted.quantity === null ? line.quantity : Number(wanted.quantity);
		if (!(quantity > 0) || quantity > line.quantity + 1e-9 || roundHalfUp(quantity, 2) !== quantity) {
			throw new InputError(`${label}: the returned quantity of "${key}" must be more than 0 and at most ${line.quantity} (it is ${String(wanted.quantity)})`);
		}
		taken.add(line.index);
		credited.push({ line, quantity });
	}
	// An order has shipping or, collected at a pickup point, a pickup fee: "shipping" credits either.
	const shippingNames = labelSet(['shipping', 'pickup'], [labels.shipping ?? '', labels.pickup ?? '']);
	const feeNames = labelSet(['paymentFee'], [labels.paymentFee ?? '']);
	for (const [wanted, names, what] of [
		[scope.shipping, shippingNames, 'shipping'],
		[scope.paymentFee, feeNames, 'payment fee'],
	] as const) {
		if (!wanted) continue;
		const found = lines.filter((l) => names.has(l.name.trim().toLowerCase()) && !taken.has(l.index));
		if (found.length === 0) {
			throw new InputError(`${label}: invoice ${String(invoice.id)} has no ${what} line to credit`, `Its lines: ${available}. If it was named otherwise, give it as a returned line.`);
		}
		// Shipping split over several VAT rates is several lines: all of them.
		for (const line of found) {
			taken.add(line.index);
			credited.push({ line, quantity: line.quantity });
		}
	}
	if (credited.length === 0) {
		throw new InputError(`${label}: nothing to credit: no returned lines, shipping or payment fee were given`, 'Add the returned lines, or credit the whole invoice.');
	}
	return credited.sort((a, b) => a.line.index - b.line.index);
}

/** The one invoice line a returned line names, not yet taken, and the name it was given by. */
function returnedLine(
	invoice: IDataObject,
	lines: InvoiceLine[],
	taken: Set<number>,
	wanted: { item?: unknown },
	label: string,
	available: string,
): { line: InvoiceLine; key: string } {
	const key = String(wanted.item ?? '').trim();
	if (key === '') throw new InputError(`${label}: a returned line has no item`, 'Give the line as it reads on the invoice: its SKU or product name.');
	const named = (l: InvoiceLine) => l.name.trim().toLowerCase() === key.toLowerCase();
	const matches = lines.filter((l) => named(l) && !taken.has(l.index));
	if (matches.length === 0) {
		throw new InputError(`${label}: invoice ${String(invoice.id)} has no line "${key}"${lines.some(named) ? ' left to credit (it is named twice in the return)' : ''}`, `Its lines: ${available}.`);
	}
	if (matches.length > 1) {
		throw new InputError(
			`${label}: invoice ${String(invoice.id)} has ${matches.length} lines "${key}" (at different prices)`,
			'Credit the whole invoice, or refund an amount with its VAT rate.',
		);
	}
	return { line: matches[0], key };
}
