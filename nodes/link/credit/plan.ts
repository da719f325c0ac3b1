import type { IDataObject } from 'n8n-workflow';

import { isFinalStatus } from '../../services/invoicexpress/api/documents';
import { cancelRefusal } from '../../services/invoicexpress/api/state';
import type { InputError } from '../../services/invoicexpress/helpers/client';
import type { DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import type { CreditScope } from '../mapping/creditNote';
import { invoiceOfOrder, type FoundInvoice } from './invoiceOfOrder';
import { creditNotesOf, planCreditNote, type CreditNoteView } from './note';
import { orderLabel, UNNUMBERED_ORDER } from '../../shared/execute';

/**
 * What a return, a refund or a cancellation does to an invoiced order, decided without I/O: the
 * counterpart of invoice/plan.ts for corrections. The executor (`execute.ts`) reads what the plan asks
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
 * Which invoice the order has is decided in `invoiceOfOrder.ts`, the credit note in `note.ts`.
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

export function planCredit(input: CreditInput): CreditPlan {
	const { params, order } = input;
	const label = orderLabel(order, UNNUMBERED_ORDER);
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

export type Refuse = Extract<CreditPlan, { kind: 'refuse' }>;

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

// The plan's callers find these here too.
export { legalNumberOf, NOT_INVOICED_AFTER_PAID_MS } from './invoiceOfOrder';
export { returnTag } from './note';
