import type { IDataObject } from 'n8n-workflow';

import { isFinalStatus, listedType } from '../../services/invoicexpress/api/documents';
import { summarizeDocument } from '../../services/invoicexpress/helpers/document';
import { DOCUMENT_TYPES, INVOICE_TYPES, type DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import type { CreditInput, CreditPlan } from './plan';

/**
 * Which invoice an order to correct has, decided from the documents the reference lookup lists (and
 * the order itself when it lists none): the one final invoice, or how the order ends without one.
 */

export const legalNumberOf = (doc: IDataObject, type: DocumentTypeKey): string =>
	String(summarizeDocument(doc, DOCUMENT_TYPES[type].prefix).legal_number ?? `id ${String(doc.id)}`);

/**
 * How long after its payment a paid order that the shop never marked invoiced, and for which
 * InvoicExpress lists no document of any invoice type in any state (draft, final, canceled), is
 * answered `not invoiced` instead of `pending`. Before that the answer waits: an invoice of the order
 * could exist and not be listed yet. Why these observations and 24 hours:
 * - The package's own invoices: the exactly-once protocol finalizes only a draft that the reference
 *   lookup has already listed (invoiceOrder.ts, planInvoice), so a legal invoice of the package was
 *   listed before it became legal; the lookup lags a new document by seconds (SQB saw a 2 s wait fix
 *   it; the strictest sandbox reading is 30 s). With write-back on, the order is marked invoiced right
 *   after its invoice is finalized (invoicedOn and the note line), and a marked order waits.
 * - The first invoicing of a paid order happens at the invoicing flow's next run: within a minute with
 *   example 01's trigger, after up to 8 s of protocol per order and up to 2 minutes of 429 waits; a
 *   merchant who invoices by hand or hourly takes longer. 24 hours covers a daily run too, and is four
 *   orders of magnitude over the lookup's lag.
 * Residual risk (inferred, said in docs/rules.md and the README): an invoice issued for the order at
 * the very moment of the check, more than 24 hours after payment (a refused order fixed and invoiced
 * just then, an invoice made by hand in InvoicExpress) and not yet listed nor marked. The next Check
 * Again lists it and credits it.
 */
export const NOT_INVOICED_AFTER_PAID_MS = 24 * 60 * 60 * 1000;

/**
 * Signs that the order was invoiced: the package's write-back (invoiced date, the note line). When
 * the lookup lists nothing for such an order, the invoice may just not be listed yet (the reference
 * lookup lags), or have another reference: the order waits instead of being reported "not invoiced".
 */
function looksInvoiced(order: IDataObject): boolean {
	const note = typeof order.internalNote === 'string' ? order.internalNote : '';
	return Boolean(order.invoicedOn) || /InvoicExpress (FT|FR|FS) /.test(note);
}

/**
 * A paid order the shop never marked invoiced, with nothing listed for it: `not invoiced` once it was
 * paid {@link NOT_INVOICED_AFTER_PAID_MS} ago, else pending until then (an unreadable paid date, or
 * no clock, waits: never a guess).
 */
function paidNotListed(order: IDataObject, now: number | undefined): CreditPlan {
	const paid = Date.parse(String(order.paidOn));
	const hours = NOT_INVOICED_AFTER_PAID_MS / 3600000;
	if (now !== undefined && Number.isFinite(paid) && now - paid >= NOT_INVOICED_AFTER_PAID_MS) {
		return {
			kind: 'settled',
			outcome: 'not invoiced',
			note: `the shop never marked the order invoiced and InvoicExpress lists no invoice with its number, ${hours} hours or more after its payment: nothing to correct`,
		};
	}
	if (!Number.isFinite(paid)) {
		return { kind: 'pending', reason: `InvoicExpress lists no invoice with the order's number, and its paid date "${String(order.paidOn)}" cannot be read: whether an invoice may still be unlisted is unknown` };
	}
	const when = ` (from ${new Date(paid + NOT_INVOICED_AFTER_PAID_MS).toISOString()} on, if nothing is listed then)`;
	return {
		kind: 'pending',
		reason: `the order was paid less than ${hours} hours ago and InvoicExpress lists no invoice with its number: its lookup can lag, or the invoicing flow has not run yet. It is answered "not invoiced" ${hours} hours after the payment${when}`,
	};
}

/** The order's one final invoice as the lookup lists it. */
export interface FoundInvoice {
	kind: 'found';
	invoice: IDataObject;
	type: DocumentTypeKey;
	legalNumber: string;
}

/** The order's one final invoice among the documents listed with its number, or how the order ends without one. */
export function invoiceOfOrder(input: CreditInput, listed: IDataObject[], orderNumber: string, label: string): CreditPlan | FoundInvoice {
	const ofOrder = listed.filter((d) => String(d.reference ?? '') === orderNumber);
	// A legacy cash sale (VD, listed CashInvoice) is a legal document of the order, but not an FS: the
	// API documents no path to read, credit or cancel it, and none is guessed.
	const vd = ofOrder.find((d) => listedType(d) === 'cashInvoice' && d.status !== 'deleted');
	if (vd && vd.status !== 'canceled') {
		const number = vd.inverted_sequence_number ? `VD ${String(vd.inverted_sequence_number)}` : `a draft VD (id ${String(vd.id)})`;
		return {
			kind: 'refuse',
			message: `${label}: the order's document ${number} is a cash sale (legacy type CashInvoice, id ${String(vd.id)}), which the package cannot ${input.params.correction === 'cancel' ? 'cancel' : 'credit'}`,
			description: 'Nothing was sent: the InvoicExpress API documents no path for VDs, so none is guessed. Correct it in InvoicExpress.',
		};
	}
	const invoices = ofOrder.filter((d) => INVOICE_TYPES.includes(listedType(d) as DocumentTypeKey));
	let finals = invoices.filter((d) => isFinalStatus(d.status));
	if (finals.length > 1) {
		// An invoice credited in full and issued again ("Invoice Again"): the new one is the order's invoice.
		if (!input.retired) return { kind: 'gather', step: 'findRetired' };
		const retired = new Set(input.retired.map(String));
		finals = finals.filter((d) => !retired.has(String(d.id)));
	}
	if (finals.length > 1) {
		return {
			kind: 'refuse',
			message: `${label}: ${finals.length} legal invoices exist for the order (ids ${finals.map((d) => d.id).join(', ')})`,
			description: 'Nothing was changed: which one to correct is for you to decide. Correct it with Document → Cancel or Create (credit note).',
		};
	}
	if (finals.length === 0) return withoutFinalInvoice(input, invoices, vd);
	const type = listedType(finals[0]) as DocumentTypeKey;
	return { kind: 'found', invoice: finals[0], type, legalNumber: legalNumberOf(finals[0], type) };
}

/**
 * An order with no final invoice: its drafts are deleted; a canceled invoice (or cash sale) leaves
 * nothing to correct; with nothing listed, an order that looks invoiced or was paid lately waits.
 */
function withoutFinalInvoice(input: CreditInput, invoices: IDataObject[], vd: IDataObject | undefined): CreditPlan {
	const { params, order } = input;
	if (input.retired && input.retired.length > 0) {
		return { kind: 'settled', outcome: 'nothing to credit', note: 'every invoice of the order is canceled or credited in full' };
	}
	const drafts = invoices.filter((d) => d.status === 'draft');
	if (drafts.length > 0) return { kind: 'deleteDrafts', drafts: drafts.map((d) => ({ id: d.id as number, type: listedType(d) as DocumentTypeKey })) };
	const canceled = invoices.find((d) => d.status === 'canceled');
	if (!canceled && vd) {
		const number = vd.inverted_sequence_number ? `VD ${String(vd.inverted_sequence_number)}` : `VD id ${String(vd.id)}`;
		return params.correction === 'cancel'
			? { kind: 'settled', outcome: 'already canceled', note: `the cash sale ${number} was canceled before`, invoice: vd }
			: { kind: 'settled', outcome: 'nothing to credit', note: `the cash sale ${number} was canceled: nothing is left to credit`, invoice: vd };
	}
	if (canceled) {
		const type = listedType(canceled) as DocumentTypeKey;
		return params.correction === 'cancel'
			? { kind: 'settled', outcome: 'already canceled', note: `${legalNumberOf(canceled, type)} was canceled before`, invoice: canceled }
			: { kind: 'settled', outcome: 'nothing to credit', note: `the invoice ${legalNumberOf(canceled, type)} was canceled: nothing is left to credit`, invoice: canceled };
	}
	if (looksInvoiced(order)) {
		return {
			kind: 'pending',
			reason: 'the order is marked invoiced in the shop, but InvoicExpress lists no invoice with its number yet (its lookup can lag; if the invoice was made elsewhere, under another reference, credit it by hand)',
		};
	}
	if (order.paidOn) return paidNotListed(order, input.now);
	return { kind: 'settled', outcome: 'not invoiced', note: 'the order has no invoice in InvoicExpress: nothing to correct' };
}
