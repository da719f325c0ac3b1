import type { DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import { invoiceNoteLine } from '../orderLink';
import { invoiceMark, isEmailed } from './marks';
import { lisbonDay } from './period';
import type { DocRecord, OrderRecord } from './records';
import {
	docName,
	docRef,
	formatCents,
	isFinal,
	isInvoice,
	names,
	readOrderDocs,
	skip,
	timing,
	type Finding,
	type FindingKind,
	type Judge,
	type OrderDocs,
	type RepairAction,
} from './findings';

/**
 * The checks of one order of the period against its documents (every document whose reference names
 * it, in the documents window). Pure. The order's invoice is the protocol's (invoiceOrder.ts): a final
 * or settled document of an invoice type; canceled ones and ones credited in full are out of effect.
 */

function finding(kind: FindingKind, order: OrderRecord, docs: DocRecord[], message: string, extra: Partial<Finding> = {}): Finding {
	return { kind, orderNumber: order.number, orderId: order.id, documents: docs.map(docRef), currency: order.currency, message, repairable: false, repairs: [], ...extra };
}

const live = (o: OrderRecord) => o.paidAt !== null && o.canceledAt === null && o.returnedAt === null;
const day = (at: string | null) => lisbonDay(at) ?? 'date unknown';

export function orderFindings(order: OrderRecord, docs: DocRecord[], judge: Judge): Finding[] {
	const od = readOrderDocs(docs);
	if (od.effective.length > 1) {
		const message = `order ${order.number} has ${od.effective.length} legal invoices (${names(od.effective)}). Keep one and cancel the others (Document → Cancel, or a credit note): the package never does this itself.`;
		return [finding('duplicateInvoices', order, [...od.effective, ...od.drafts], message)];
	}
	const invoice = od.effective[0];
	const found = invoice ? invoicedChecks(order, od, invoice, judge) : uninvoicedChecks(order, od, judge);
	return [...found, ...draftChecks(order, od, judge)];
}

/** A paid order (neither cancelled nor returned) without an invoice in effect. */
function uninvoicedChecks(order: OrderRecord, od: OrderDocs, judge: Judge): Finding[] {
	if (!live(order) || skip(timing(order.paidAt, judge), order, judge)) return [];
	const out = [...od.canceled, ...od.retired];
	if (out.length > 0) {
		const message = `the invoice ${names(out)} of order ${order.number} was canceled or credited in full, but the order is still paid and has no other invoice. Invoice it again: Create From ePages Order with "Invoice Again After Cancellation or Full Credit".`;
		return [finding('canceledNotReinvoiced', order, [...out, ...od.drafts], message, { orderCents: order.totalCents })];
	}
	const drafts = od.drafts.filter(isInvoice);
	const notes = [
		drafts.length ? `; ${names(drafts)} was left by a run that stopped (invoicing resumes it)` : '',
		order.invoicedOn ? '; the shop marks it invoiced, but InvoicExpress lists no invoice with its number' : '',
	].join('');
	const repair: RepairAction = { kind: 'invoice', orderNumber: order.number, orderId: order.id, reason: `paid on ${day(order.paidAt)} and not invoiced` };
	const message = `order ${order.number} is paid (${day(order.paidAt)}) but has no invoice${notes}. Invoice it: run Create From ePages Order for it, or reconcile with Repair.`;
	return [finding('notInvoiced', order, drafts, message, { orderCents: order.totalCents, repairable: true, repairs: [repair] })];
}

/** The order's one invoice in effect: its amount, its corrections, its write-back and e-mail. */
function invoicedChecks(order: OrderRecord, od: OrderDocs, invoice: DocRecord, judge: Judge): Finding[] {
	return [...totalCheck(order, od, invoice), ...creditCheck(order, od, invoice, judge), ...markChecks(order, invoice, judge)];
}

function totalCheck(order: OrderRecord, od: OrderDocs, invoice: DocRecord): Finding[] {
	const debits = od.debits.filter((d) => d.currency === invoice.currency);
	const documentsCents = invoice.totalCents + debits.reduce((s, d) => s + d.totalCents, 0);
	const sameCurrency = invoice.currency === order.currency;
	// "Beyond a cent": a difference of one cent is rounding (the shop rounds VAT per rate).
	if (sameCurrency && Math.abs(documentsCents - order.totalCents) <= 1) return [];
	const changed = order.updatedAt && (lisbonDay(order.updatedAt) ?? '') > invoice.day ? `; the order was changed on ${day(order.updatedAt)}, after the invoice` : '';
	const message = sameCurrency
		? `${docName(invoice)} totals ${formatCents(documentsCents, invoice.currency)} but order ${order.number} totals ${formatCents(order.totalCents, order.currency)}${changed}. Check which is right; an invoice is corrected with a credit note and a new invoice.`
		: `${docName(invoice)} is in ${invoice.currency} but order ${order.number} is in ${order.currency}. Check the invoice.`;
	return [
		finding('totalMismatch', order, [invoice, ...debits], message, {
			orderCents: order.totalCents,
			documentsCents,
			...(sameCurrency ? { differenceCents: documentsCents - order.totalCents } : {}),
		}),
	];
}

/**
 * A cancelled order's invoice is credited in full (else it would be out of effect and not checked
 * here); a returned one has at least one credit note: the shop does not say what was returned
 * (inferred: a return, in full or in part, gets a credit note; the amount is the merchant's).
 */
function creditCheck(order: OrderRecord, od: OrderDocs, invoice: DocRecord, judge: Judge): Finding[] {
	const credited = od.creditedOf(invoice);
	const event = order.canceledAt ?? (order.returnedAt !== null && credited === 0 ? order.returnedAt : null);
	if (event === null || skip(timing(event, judge), order, judge)) return [];
	const credits = od.credits.filter((c) => c.currency === invoice.currency);
	const message = order.canceledAt
		? `order ${order.number} was cancelled (${day(order.canceledAt)}) but ${docName(invoice)} is not credited in full (credited ${formatCents(credited, invoice.currency)} of ${formatCents(invoice.totalCents, invoice.currency)}). Credit it (Credit From ePages Order) or cancel it.`
		: `order ${order.number} was returned (${day(order.returnedAt)}) but ${docName(invoice)} has no credit note. Credit what was returned (Credit From ePages Order).`;
	return [finding('notCredited', order, [invoice, ...credits], message, { orderCents: order.totalCents, documentsCents: invoice.totalCents - credited })];
}

/**
 * The write-back and the e-mail mark (both live in the order's note line; marks.ts). Judged only
 * for an invoice dated before today whose order has not changed within the settle time: a run still
 * at work writes them a moment later. Without write-back the e-mail cannot be known, so it is not judged.
 */
function markChecks(order: OrderRecord, invoice: DocRecord, judge: Judge): Finding[] {
	const { writeBack, emailInvoices } = judge.options;
	if (!writeBack) return [];
	const legal = invoice.legalNumber ?? invoice.id;
	const mark = invoiceMark(order.marks, invoice.id);
	const setInvoicedOn = order.platform === 'now' && order.invoicedOn === false;
	const unmailed = emailInvoices && order.email !== undefined && !isEmailed(order.marks, invoice.id);
	if (mark && !setInvoicedOn && !unmailed) return [];
	if (invoice.day >= judge.today || timing(order.updatedAt ?? order.paidAt, judge) === 'tooRecent') {
		skip('tooRecent', order, judge);
		return [];
	}
	const out: Finding[] = [];
	if (!mark || setInvoicedOn) {
		const missing = [!mark ? 'the line in its internal note' : '', setInvoicedOn ? 'its invoiced status' : ''].filter(Boolean).join(' and ');
		const repair: RepairAction = { kind: 'writeBack', orderNumber: order.number, orderId: order.id, documentId: invoice.id, noteLine: invoiceNoteLine(legal, invoice.id), setInvoicedOn, reason: `${missing} missing` };
		const message = `${docName(invoice)} of order ${order.number} is not recorded in the order (${missing} missing). Write it back, so the shop shows it: reconcile with Repair.`;
		out.push(finding('writeBackMissing', order, [invoice], message, { repairable: true, repairs: [repair] }));
	}
	if (unmailed) out.push(notEmailed(order, invoice, legal, setInvoicedOn));
	return out;
}

function notEmailed(order: OrderRecord, invoice: DocRecord, legal: string, setInvoicedOn: boolean): Finding {
	const to = order.email as string;
	const repair: RepairAction = {
		kind: 'email',
		orderNumber: order.number,
		orderId: order.id,
		documentId: invoice.id,
		documentType: invoice.type as DocumentTypeKey,
		legalNumber: legal,
		to,
		noteLine: invoiceNoteLine(legal, invoice.id, to),
		bareLine: invoiceNoteLine(legal, invoice.id),
		setInvoicedOn,
		reason: 'no e-mail mark in the order: the e-mail is marked first, then sent, so it goes at most once',
	};
	const message = `${docName(invoice)} of order ${order.number} is not known to have been e-mailed to ${to} (the order's note has no "e-mailed to" mark). Send it: Document → Send by Email, or reconcile with Repair.`;
	return finding('notEmailed', order, [invoice], message, { repairable: true, repairs: [repair] });
}

/**
 * Drafts left by runs that stopped, by the protocol's rule (invoiceOrder.ts planInvoice): beside a
 * final document of the same kind, a draft has lost and any run may remove it; a draft alone is the
 * next run's to resume, never removed here, except when the order is cancelled (as Credit From ePages
 * Order removes it). A paid order's drafts belong to its "not invoiced" finding: invoicing adopts them.
 */
function draftChecks(order: OrderRecord, od: OrderDocs, judge: Judge): Finding[] {
	if (od.effective.length === 0 && live(order)) return [];
	const out: Finding[] = [];
	for (const draft of od.drafts) {
		const disposition = draftDisposition(order, od, draft, judge);
		if (!disposition) continue;
		const repairs: RepairAction[] = disposition.requires
			? [{ kind: 'deleteDraft', orderNumber: order.number, orderId: order.id, documentId: draft.id, documentType: draft.type as DocumentTypeKey, reference: draft.reference, requires: disposition.requires, reason: disposition.why }]
			: [];
		out.push(finding('draftLeft', order, [draft], `${docName(draft)} of order ${order.number}: ${disposition.why}. ${disposition.todo}`, { repairable: repairs.length > 0, repairs }));
	}
	return out;
}

type Disposition = { why: string; todo: string; requires?: 'finalBeside' | 'orderCanceled' } | undefined;

function draftDisposition(order: OrderRecord, od: OrderDocs, draft: DocRecord, judge: Judge): Disposition {
	const remove = 'It has no fiscal value: delete it, or reconcile with Repair.';
	// The package knows no API path for a VD: reported, never deleted.
	if (draft.type === 'cashInvoice') return { why: 'a draft cash sale (VD) left in InvoicExpress', todo: 'Finalize or delete it in InvoicExpress.' };
	if (isInvoice(draft)) {
		if (od.effective.length === 1) return { why: `left by a run that stopped; the order's invoice is ${docName(od.effective[0])}`, todo: remove, requires: 'finalBeside' };
		if (order.canceledAt !== null) {
			// Just cancelled: an invoicing run offered the order before may still hold this draft.
			if (skip(timing(order.canceledAt, judge) === 'tooRecent' ? 'tooRecent' : 'ok', order, judge)) return undefined;
			return { why: 'left by a run that stopped, and the order is cancelled', todo: remove, requires: 'orderCanceled' };
		}
		return { why: 'left by a run that stopped, and the order is not paid', todo: 'The next run of the order resumes it; if the order will not be invoiced, delete it in InvoicExpress.' };
	}
	if (draft.type === 'creditNote') {
		const beside = od.credits.some((c) => c.reference === draft.reference && isFinal(c));
		if (beside) return { why: 'a credit note draft left beside the final credit note of the same return', todo: remove, requires: 'finalBeside' };
		return { why: 'a credit note draft left by a run that stopped', todo: 'The next Credit From ePages Order of this return resumes it; if there is none, delete it in InvoicExpress.' };
	}
	return { why: 'a draft left in InvoicExpress', todo: 'Finalize or delete it in InvoicExpress.' };
}
