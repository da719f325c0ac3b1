import type { IDataObject } from 'n8n-workflow';

import { isFinalStatus, listedType } from '../../services/invoicexpress/api/documents';
import { cancelRefusal } from '../../services/invoicexpress/api/state';
import { InputError } from '../../services/invoicexpress/helpers/client';
import { summarizeDocument } from '../../services/invoicexpress/helpers/document';
import { DOCUMENT_TYPES, INVOICE_TYPES, type DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import { creditItems, type CreditItems, type CreditScope } from '../mapping/creditNote';
import { shortHash } from '../../shared/text';
import { creditLink } from '../orderLink';
import { labelOf } from '../invoice/plan';

/**
 * What a return, a refund or a cancellation does to an invoiced order, decided without I/O: the
 * counterpart of plan.ts for corrections. The executor (`creditExecute.ts`) reads what the plan asks
 * for (the order's documents, the invoice, its related documents), then runs the one step it returns.
 *
 * The rules (Portuguese law and InvoicExpress):
 * - Only a finalized or settled invoice is corrected. A draft has no fiscal value: it is deleted.
 * - An order never invoiced gets nothing; one whose invoice was canceled has nothing left to credit.
 * - Cancel (an invoice issued in error) and credit note (a return or a refund) are chosen by the
 *   merchant, never one for the other. A canceled invoice cannot carry credit notes, so an invoice
 *   already credited is never canceled.
 * - The credited total never exceeds the invoice minus its earlier credit notes.
 * - One credit note per return event (see creditLink): the same event run twice is the same note.
 */

export type Correction = 'creditNote' | 'cancel';

export interface CreditParams {
	correction: Correction;
	/** Why: the cancel message InvoicExpress requires, or the credit note's observations. */
	reason: string;
	scope: CreditScope;
	/** The merchant's name for this return (an RMA number); empty: the return's content names it. */
	returnReference: string;
	sendEmail: boolean;
	attachPdf: boolean;
	dryRun: boolean;
	connectEPages: boolean;
	/** The shop platform (services/shops.ts) the order is written back to, when connected. */
	platform?: string;
	writeBack: boolean;
	options: CreditOptions;
}

export interface CreditOptions {
	sequenceId?: string;
	shippingLabel?: string;
	paymentFeeLabel?: string;
	pickupLabel?: string;
	emailSubject?: string;
	emailBody?: string;
	emailBcc?: string;
}

export interface CreditInput {
	params: CreditParams;
	order: IDataObject;
	/** The documents with the order's reference, canceled ones included (any type). */
	listed?: IDataObject[];
	/** The invoice to correct, as GET answers it (with its lines). */
	invoice?: IDataObject;
	/** The invoice's related documents (its credit notes among them). */
	related?: IDataObject[];
	/** Today in Lisbon (dd/mm/yyyy): the credit note's date. */
	today: string;
	/** Now (ms since the epoch): how long ago the order was paid (see {@link NOT_INVOICED_AFTER_PAID_MS}). */
	now?: number;
	/** When the order has several final invoices: those canceled or credited in full (replaced since). */
	retired?: Array<string | number>;
}

export type CreditGather = 'listDocuments' | 'readInvoice' | 'readRelated' | 'findRetired';

/** How the order ends when nothing is sent: not an error, said in the output. */
export interface CreditSettled {
	kind: 'settled';
	outcome: 'not invoiced' | 'nothing to credit' | 'already canceled';
	note: string;
	invoice?: IDataObject;
}

export type CreditPlan =
	| { kind: 'refuse'; message: string; description?: string }
	| { kind: 'gather'; step: CreditGather; invoice?: { id: number | string; type: DocumentTypeKey } }
	| { kind: 'pending'; reason: string }
	| CreditSettled
	| { kind: 'deleteDrafts'; drafts: Array<{ id: number | string; type: DocumentTypeKey }> }
	| { kind: 'cancel'; invoice: IDataObject; type: DocumentTypeKey; legalNumber: string; reason: string }
	| { kind: 'dryRun'; json: IDataObject }
	| CreditNotePlan;

export interface CreditNotePlan {
	kind: 'credit';
	invoice: IDataObject;
	invoiceType: DocumentTypeKey;
	invoiceLegalNumber: string;
	reference: string;
	uniqueKey: string;
	/** The credit note body (client filled in by the executor from the invoice's client record). */
	document: IDataObject;
	total: number;
	/** What the invoice can still take: its total minus its earlier credit notes. */
	creditable: number;
	earlier: Array<{ id: unknown; legal_number: unknown; total: number }>;
	/** This return's credit note, already final among the invoice's related documents: nothing to create. */
	existingId?: number | string;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

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
interface CreditNoteView {
	id: unknown;
	reference: string;
	status: string;
	total: number;
	legal_number: unknown;
}

/** A related document that is a live credit note, read strictly: an unreadable total is an error, never 0. */
function creditNotesOf(related: IDataObject[], label: string): CreditNoteView[] {
	return related
		.filter((d) => listedType(d) === 'creditNote' || d.type === 'CreditNote')
		.filter((d) => d.status !== 'deleted' && d.status !== 'canceled')
		.map((d) => {
			const total = typeof d.total === 'number' ? d.total : Number(d.total);
			if (!Number.isFinite(total)) {
				throw new InputError(`${label}: the total of credit note ${String(d.id)} cannot be read`, 'Nothing was created: the credited amount so far is unknown.');
			}
			return { id: d.id, reference: String(d.reference ?? ''), status: String(d.status), total, legal_number: summarizeDocument(d, 'NC').legal_number };
		});
}

export function planCredit(input: CreditInput): CreditPlan {
	const { params, order } = input;
	const label = labelOf(order);
	const orderNumber = String(order.orderNumber ?? '').trim();
	const refused = requestRefusal(params, orderNumber, label);
	if (refused) return refused;
	if (!input.listed) return { kind: 'gather', step: 'listDocuments' };
	const found = invoiceOfOrder(input, input.listed, orderNumber, label);
	if (found.kind !== 'found') return found;
	const target = { id: found.invoice.id as number, type: found.type };
	if (!input.related) return { kind: 'gather', step: 'readRelated', invoice: target };
	let notes: CreditNoteView[];
	try {
		notes = creditNotesOf(input.related, label);
	} catch (error) {
		return { kind: 'refuse', message: (error as InputError).message, description: (error as InputError).description };
	}
	if (params.correction === 'cancel') return planCancel(params, found, notes, orderNumber, label);
	if (!input.invoice) return { kind: 'gather', step: 'readInvoice', invoice: target };
	return planCreditNote(input, { ...found, invoice: input.invoice, notes, orderNumber, label });
}

type Refuse = Extract<CreditPlan, { kind: 'refuse' }>;

/** What is refused before anything is read: an order without its number, a cancellation without its reason. */
function requestRefusal(params: CreditParams, orderNumber: string, label: string): Refuse | undefined {
	if (!orderNumber) {
		return { kind: 'refuse', message: `${label}: the order has no order number`, description: 'Its invoice is found by the order number: pass the order as the ePages node or trigger outputs it.' };
	}
	if (params.correction === 'cancel' && params.reason.trim() === '') {
		return { kind: 'refuse', message: `${label}: a cancellation needs a reason`, description: 'InvoicExpress keeps the reason with the canceled invoice: set "Reason".' };
	}
	return undefined;
}

/** The order's one final invoice as the lookup lists it. */
interface FoundInvoice {
	kind: 'found';
	invoice: IDataObject;
	type: DocumentTypeKey;
	legalNumber: string;
}

/** The order's one final invoice among the documents listed with its number, or how the order ends without one. */
function invoiceOfOrder(input: CreditInput, listed: IDataObject[], orderNumber: string, label: string): CreditPlan | FoundInvoice {
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

/** Cancel the invoice: never one with credit notes, never a settled document InvoicExpress refuses to cancel. */
function planCancel(params: CreditParams, found: FoundInvoice, notes: CreditNoteView[], orderNumber: string, label: string): CreditPlan {
	const { invoice, type, legalNumber } = found;
	const live = notes.filter((n) => isFinalStatus(n.status));
	if (live.length > 0) {
		return {
			kind: 'refuse',
			message: `${label}: ${legalNumber} has credit notes (${live.map((n) => n.legal_number ?? n.id).join(', ')}), so it cannot be canceled`,
			description: 'Nothing was sent. Credit what is left of it with a credit note instead.',
		};
	}
	// InvoicExpress cancels a settled document only when it is an invoice-receipt: refused before any request.
	const settled = cancelRefusal(type, invoice.status, `${label}: ${legalNumber}`);
	if (settled) return { kind: 'refuse', ...settled };
	if (params.dryRun) return { kind: 'dryRun', json: { order_number: orderNumber, outcome: 'dry run', correction: 'cancel', invoice_id: invoice.id, invoice_legal_number: legalNumber, reason: params.reason } };
	return { kind: 'cancel', invoice, type, legalNumber, reason: params.reason.trim() };
}

/** The invoice as GET answered it, with what the plan knows of it. */
interface CreditTarget extends FoundInvoice {
	notes: CreditNoteView[];
	orderNumber: string;
	label: string;
}

/** This return's credit note: its lines, within what the invoice can still take, on the invoice's terms. */
function planCreditNote(input: CreditInput, t: CreditTarget): CreditPlan {
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
