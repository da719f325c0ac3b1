import type { IDataObject } from 'n8n-workflow';

import { isFinalStatus, listedType } from '../../services/invoicexpress/api/documents';
import { INVOICE_TYPES, type DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import type { RepairAction } from './findings';
import type { OrderRecord } from './records';

/**
 * What a repair checks again just before it acts, decided without I/O. The planner decided on lists
 * read minutes earlier; an order or a document may have changed since (a person in the shop or in
 * InvoicExpress, an invoicing run). So each repair reads what it is about fresh, and these functions
 * say whether the reason still holds. The repairs are safe on their own (the exactly-once invoicing,
 * the e-mail mark, the state read before a delete); these checks keep them from acting on a reason
 * that is gone.
 */

const isInvoiceType = (type: string | undefined): boolean => type === 'cashInvoice' || (INVOICE_TYPES as readonly string[]).includes(String(type));

/** Why an order read fresh is no longer one to invoice, or undefined when it still is. */
export function invoiceNoLongerDue(fresh: OrderRecord): string | undefined {
	if (fresh.paidAt === null) return 'the order is no longer paid';
	if (fresh.canceledAt !== null) return 'the order was cancelled since it was listed';
	if (fresh.returnedAt !== null) return 'the order was returned since it was listed';
	return undefined;
}

export type DraftDecision = { kind: 'delete' } | { kind: 'gone' } | { kind: 'skip'; reason: string };

/**
 * Whether a draft may still be deleted, from the documents its reference lists now (alive ones, as
 * findDocumentsByReference gives them) and, for `orderCanceled`, the order read fresh:
 * - `finalBeside`: a final document of the draft's kind (an invoice of any invoice type beside an
 *   invoice draft; a credit note beside a credit note draft) is still listed beside it: the draft lost
 *   and no run will ever finalize it (invoiceOrder.ts planInvoice);
 * - `orderCanceled`: the order is still cancelled and no final invoice is listed for it.
 * The delete itself reads the draft's state first (state.ts transitionDraft), so a draft finalized
 * after this check is refused, never deleted.
 */
export function draftDecision(action: Extract<RepairAction, { kind: 'deleteDraft' }>, listed: IDataObject[], fresh?: OrderRecord): DraftDecision {
	const draft = listed.find((d) => String(d.id) === action.documentId);
	if (!draft) return { kind: 'gone' };
	if (draft.status !== 'draft') return { kind: 'skip', reason: `it is no longer a draft (${String(draft.status)})` };
	const type = listedType(draft);
	const others = listed.filter((d) => String(d.id) !== action.documentId && isFinalStatus(d.status));
	if (action.requires === 'finalBeside') {
		const sameKind = (d: IDataObject) => (isInvoiceType(type) ? isInvoiceType(listedType(d)) : listedType(d) === (type as DocumentTypeKey));
		return others.some(sameKind) ? { kind: 'delete' } : { kind: 'skip', reason: 'no final document of its kind is listed beside it any more' };
	}
	if (!fresh || fresh.canceledAt === null) return { kind: 'skip', reason: 'the order is no longer cancelled' };
	if (others.some((d) => isInvoiceType(listedType(d)))) return { kind: 'skip', reason: 'the order has a final invoice now' };
	return { kind: 'delete' };
}
