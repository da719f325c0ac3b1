import type { IDataObject } from 'n8n-workflow';

import { isFinalStatus, listedType } from '../../services/invoicexpress/api/documents';
import { InputError } from '../../services/invoicexpress/helpers/client';
import { summarizeDocument } from '../../services/invoicexpress/helpers/document';
import { DOCUMENT_TYPES } from '../../services/invoicexpress/helpers/documentTypes';
import { creditItems, type CreditItems, type CreditScope } from '../mapping/creditNote';
import { shortHash } from '../../shared/text';
import { creditLink } from '../orderLink';
import type { FoundInvoice } from './invoiceOfOrder';
import type { CreditInput, CreditParams, CreditPlan, Refuse } from './plan';

/**
 * This return's credit note, decided without I/O: its name (the return event), the invoice's earlier
 * credit notes, the lines credited within what the invoice can still take, and its body.
 */

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The return event's name: the merchant's reference, or what is returned. */
export function returnTag(scope: CreditScope, returnReference: string): string {
	const given = returnReference.trim().replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 24);
	if (scope.kind === 'full') return given;
	if (given) return given;
	if (scope.kind === 'amount') return shortHash(`amount:${scope.amount}:${scope.vatRate}`);
	const lines = scope.lines.map((l) => `${String(l.item).trim().toLowerCase()}×${l.quantity ?? 'all'}`).sort();
	return shortHash(`lines:${lines.join('|')}:shipping=${scope.shipping}:fee=${scope.paymentFee}`);
}

/** A credit note among the invoice's related documents, as the plan reads it. */
export interface CreditNoteView {
	id: unknown;
	reference: string;
	status: string;
	total: number;
	legal_number: unknown;
}

/** A related document that is a live credit note, read strictly: an unreadable total is an error, never 0. */
export function creditNotesOf(related: IDataObject[], label: string): CreditNoteView[] {
	return related
		.filter((d) => listedType(d) === 'creditNote' || d.type === 'CreditNote')
		.filter((d) => d.status !== 'deleted' && d.status !== 'canceled')
		.map((d) => {
			const total = typeof d.total === 'number' ? d.total : Number(d.total);
			if (!Number.isFinite(total)) {
				throw new InputError(`${label}: the total of credit note ${String(d.id)} cannot be read`, 'Nothing was created: the credited amount so far is unknown.');
			}
			return { id: d.id, reference: String(d.reference ?? ''), status: String(d.status), total, legal_number: summarizeDocument(d, DOCUMENT_TYPES.creditNote.prefix).legal_number };
		});
}

/** The invoice as GET answered it, with what the plan knows of it. */
interface CreditTarget extends FoundInvoice {
	notes: CreditNoteView[];
	orderNumber: string;
	label: string;
}

/** This return's credit note: its lines, within what the invoice can still take, on the invoice's terms. */
export function planCreditNote(input: CreditInput, t: CreditTarget): CreditPlan {
	const { params, order } = input;
	const { invoice, legalNumber, notes } = t;
	const tag = returnTag(params.scope, params.returnReference);
	const link = creditLink(order, t.orderNumber, invoice.id, tag);
	const earlierNotes = notes.filter((n) => isFinalStatus(n.status) && n.reference !== link.reference);
	const amounts = creditAmounts(params, t, earlierNotes);
	if (amounts.kind === 'refuse') return amounts;
	const { credit, creditable } = amounts;
	const document = creditNoteDocument(input, t, credit, link.reference);
	const earlier = earlierNotes.map((n) => ({ id: n.id, legal_number: n.legal_number, total: n.total }));
	if (params.dryRun) {
		return {
			kind: 'dryRun',
			json: { order_number: t.orderNumber, outcome: 'dry run', correction: 'creditNote', invoice_id: invoice.id, invoice_legal_number: legalNumber, credit_total: credit.total, creditable, reference: link.reference, document },
		};
	}
	const mine = notes.find((n) => n.reference === link.reference && isFinalStatus(n.status));
	return {
		kind: 'credit',
		invoice,
		invoiceType: t.type,
		invoiceLegalNumber: legalNumber,
		reference: link.reference,
		uniqueKey: link.uniqueKey,
		document,
		total: credit.total,
		creditable,
		earlier,
		...(mine ? { existingId: mine.id as number } : {}),
	};
}

/** The lines credited and what the invoice can still take; the credited total never exceeds it. */
function creditAmounts(params: CreditParams, t: CreditTarget, earlierNotes: CreditNoteView[]): Refuse | { kind: 'amounts'; credit: CreditItems; creditable: number } {
	const { invoice, legalNumber, label } = t;
	let credit: CreditItems;
	try {
		if (params.scope.kind === 'full' && earlierNotes.length > 0) {
			throw new InputError(
				`${label}: ${legalNumber} already has credit notes (${earlierNotes.map((n) => `${String(n.legal_number ?? n.id)}: ${n.total}`).join(', ')}), so it cannot be credited in full again`,
				'Credit the lines that are left (Credit: Chosen Lines), or an amount with its VAT rate.',
			);
		}
		credit = creditItems(invoice, params.scope, label, { shipping: params.options.shippingLabel, paymentFee: params.options.paymentFeeLabel, pickup: params.options.pickupLabel });
	} catch (error) {
		const known = error instanceof InputError;
		return { kind: 'refuse', message: known ? error.message : `${label}: the credit note could not be built: ${String(error)}`, description: known ? error.description : 'Nothing was created.' };
	}
	const invoiceTotal = Number(invoice.total);
	if (!Number.isFinite(invoiceTotal)) return { kind: 'refuse', message: `${label}: the total of ${legalNumber} cannot be read`, description: 'Nothing was created.' };
	const creditedBefore = round2(earlierNotes.reduce((s, n) => s + n.total, 0));
	const creditable = round2(invoiceTotal - creditedBefore);
	if (credit.total > creditable + 0.0001) {
		return {
			kind: 'refuse',
			message: `${label}: crediting ${credit.total.toFixed(2)} would exceed what is left of ${legalNumber}: ${creditable.toFixed(2)} (total ${invoiceTotal.toFixed(2)}, credited before ${creditedBefore.toFixed(2)})`,
			description: 'Nothing was created. Credit fewer lines or a smaller amount.',
		};
	}
	return { kind: 'amounts', credit, creditable };
}

/** The credit note body (its client is filled in by the executor from the invoice's client record). */
function creditNoteDocument(input: CreditInput, t: CreditTarget, credit: CreditItems, reference: string): IDataObject {
	const { params } = input;
	const { invoice } = t;
	const document: IDataObject = {
		date: input.today,
		due_date: input.today,
		reference,
		owner_invoice_id: invoice.id,
		observations: `${params.reason.trim() || `Devolução da encomenda ${t.orderNumber}`} (${t.legalNumber})`,
		items: credit.items as unknown as IDataObject[],
	};
	// What the invoice carried, the credit note carries: exemption reason, currency and rate.
	const exemption = typeof invoice.tax_exemption === 'string' ? invoice.tax_exemption.trim() : '';
	if (exemption && exemption !== 'M00') document.tax_exemption = exemption;
	if (typeof invoice.currency_code === 'string' && invoice.currency_code !== '' && invoice.currency_code !== 'EUR') {
		document.currency_code = invoice.currency_code;
		document.rate = String(invoice.rate ?? '');
	}
	if (credit.globalDiscount) document.global_discount = credit.globalDiscount as unknown as IDataObject;
	if (params.options.sequenceId) document.sequence_id = String(params.options.sequenceId);
	return document;
}
