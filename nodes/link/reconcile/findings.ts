import { isFinalStatus } from '../../services/invoicexpress/api/documents';
import { DOCUMENT_TYPES, INVOICE_TYPES, type DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import type { Period, ReadWindows } from './period';
import { lisbonDay } from './period';
import type { DocKind, DocRecord, OrderRecord } from './records';

/**
 * What a reconciliation reports: the kinds of findings, their shape, the repair each may carry, and
 * the reading of an order's documents that every check shares. The checks are in orderChecks.ts and
 * documentChecks.ts; plan.ts runs them.
 */

/** The kinds, in the order the report lists them (what needs a person first). */
export const FINDING_KINDS = [
	'notInvoiced',
	'duplicateInvoices',
	'canceledNotReinvoiced',
	'totalMismatch',
	'notCredited',
	'creditWithoutReturn',
	'orphanDocument',
	'unreadable',
	'draftLeft',
	'writeBackMissing',
	'notEmailed',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface FindingDocument {
	id: string;
	type: DocKind;
	legalNumber: string | null;
	status: string;
	day: string;
	totalCents: number;
	currency: string;
}

/** A repair, only for the kinds the issue lets the package fix; each names its reason. */
export type RepairAction =
	/** Invoice the order through Create From ePages Order's exactly-once path (same options). */
	| { kind: 'invoice'; orderNumber: string; orderId: string; reason: string }
	/**
	 * E-mail the invoice, at most once: first write `noteLine` (the durable mark) to the order, read
	 * fresh, completing `bareLine` if it is there; only when this write added the mark, send the e-mail.
	 * `setInvoicedOn`: ePages Now's invoiced status is missing too (write it in the same change).
	 */
	| { kind: 'email'; orderNumber: string; orderId: string; documentId: string; documentType: DocumentTypeKey; legalNumber: string; to: string; noteLine: string; bareLine: string; setInvoicedOn: boolean; reason: string }
	/**
	 * Delete a draft (no fiscal value). The executor lists the reference again and deletes only when
	 * `requires` still holds: a final document of the same kind beside it (`finalBeside`), or the
	 * order cancelled and no final invoice (`orderCanceled`); the delete reads the state first
	 * (transitionDraft), so a draft finalized meanwhile is never touched.
	 */
	| { kind: 'deleteDraft'; orderNumber: string; orderId: string; documentId: string; documentType: DocumentTypeKey; reference: string; requires: 'finalBeside' | 'orderCanceled'; reason: string }
	/** Write the invoice back: the note line (and on ePages Now the invoiced status), as the invoicing does. */
	| { kind: 'writeBack'; orderNumber: string; orderId: string; documentId: string; noteLine: string; setInvoicedOn: boolean; reason: string };

export interface Finding {
	kind: FindingKind;
	/** The order concerned; for a document without an order, the order number its reference names. */
	orderNumber: string;
	orderId?: string;
	documents: FindingDocument[];
	currency: string;
	/** The order's total, the documents' (invoiced − credited) and their difference, where they apply. */
	orderCents?: number;
	documentsCents?: number;
	differenceCents?: number;
	/** What is wrong and what to do, in one or two sentences. */
	message: string;
	/** Whether repair can fix it: then `repairs` holds what it does. */
	repairable: boolean;
	repairs: RepairAction[];
}

export interface ReconcileOptions {
	/** The invoicing writes invoices back to the order (Write Back on): a missing mark is a finding. */
	writeBack: boolean;
	/** The invoicing e-mails invoices (Send Email on): an invoice without the e-mail mark is a finding. */
	emailInvoices: boolean;
	/** Minutes after a status change (paid, returned, cancelled) during which the order is too recent to judge. */
	settleMinutes: number;
}

export const DEFAULT_OPTIONS: ReconcileOptions = { writeBack: true, emailInvoices: true, settleMinutes: 60 };

/** What every check is judged against. */
export interface Judge {
	period: Period;
	windows: ReadWindows;
	nowMs: number;
	/** Today in Lisbon (YYYY-MM-DD). */
	today: string;
	options: ReconcileOptions;
	/** Orders not judged, and why (the summary lists them). */
	skipped: { tooRecent: string[]; afterWindow: string[] };
}

/** Items by key, each list in the items' order (appended in place: thousands of documents, one series). */
export function group<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
	const map = new Map<string, T[]>();
	for (const item of items) {
		const k = key(item);
		const list = map.get(k);
		if (list) list.push(item);
		else map.set(k, [item]);
	}
	return map;
}

/** A legal invoice of the order: FT, FR, FS, or a legacy cash sale (VD), which counts but is never changed. */
export const isInvoice = (d: DocRecord): boolean => d.type === 'cashInvoice' || INVOICE_TYPES.includes(d.type as DocumentTypeKey);
export const isFinal = (d: DocRecord): boolean => isFinalStatus(d.status);

export const docRef = (d: DocRecord): FindingDocument => ({ id: d.id, type: d.type, legalNumber: d.legalNumber, status: d.status, day: d.day, totalCents: d.totalCents, currency: d.currency });

/** "FT A/12", or "draft invoice 345" for a document without a legal number yet. */
export function docName(d: DocRecord): string {
	if (d.legalNumber) return d.legalNumber;
	const label = d.type === 'cashInvoice' ? 'cash sale (VD)' : d.type === 'other' || d.type === 'receipt' ? d.apiType || 'document' : DOCUMENT_TYPES[d.type].label.toLowerCase();
	return `${d.status === 'draft' ? 'draft ' : ''}${label} ${d.id}`;
}

export const names = (docs: DocRecord[]): string => docs.map(docName).join(', ');

/** "1,234.56 EUR". */
export function formatCents(cents: number, currency: string): string {
	const sign = cents < 0 ? '-' : '';
	const abs = Math.abs(cents);
	const units = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
	return `${sign}${units}.${String(abs % 100).padStart(2, '0')} ${currency}`;
}

export type Timing = 'ok' | 'tooRecent' | 'afterWindow';

/**
 * Whether an absence can be judged for an event (paid, returned, cancelled) at `at`: not while the
 * event is recent (the invoicing or crediting run may still be at work), nor when the documents
 * window ends before the event's day (its document would be dated outside what was read).
 */
export function timing(at: string | null | undefined, judge: Judge): Timing {
	const ms = at ? Date.parse(at) : NaN;
	if (Number.isFinite(ms) && judge.nowMs - ms < judge.options.settleMinutes * 60000) return 'tooRecent';
	const day = lisbonDay(at);
	if (day && day > judge.windows.documents.to) return 'afterWindow';
	return 'ok';
}

/** Records an order the checks could not judge; true when it was skipped. */
export function skip(t: Timing, order: OrderRecord, judge: Judge): boolean {
	if (t === 'ok') return false;
	const list = t === 'tooRecent' ? judge.skipped.tooRecent : judge.skipped.afterWindow;
	if (!list.includes(order.number)) list.push(order.number);
	return true;
}

/** An order's documents as every check reads them. */
export interface OrderDocs {
	/** Final (or settled) invoices of any invoice type, canceled ones excluded. */
	finals: DocRecord[];
	canceled: DocRecord[];
	/** Final invoices credited in full by final credit notes: out of effect, as canceled ones. */
	retired: DocRecord[];
	/** The order's invoice(s) in effect: final, not credited in full. More than one is a conflict. */
	effective: DocRecord[];
	/** Final credit notes, and the final debit notes that add to the invoice. */
	credits: DocRecord[];
	debits: DocRecord[];
	drafts: DocRecord[];
	/** Cents credited against an invoice (its credit notes by their reference; a bare one against the only invoice). */
	creditedOf(invoice: DocRecord): number;
}

export function readOrderDocs(docs: DocRecord[]): OrderDocs {
	const invoices = docs.filter(isInvoice);
	const finals = invoices.filter(isFinal);
	const credits = docs.filter((d) => d.type === 'creditNote' && isFinal(d));
	const only = finals.length === 1 ? finals[0].id : undefined;
	const creditedOf = (invoice: DocRecord) =>
		credits.filter((c) => (c.creditOf ?? only) === invoice.id && c.currency === invoice.currency).reduce((sum, c) => sum + c.totalCents, 0);
	// Credited in full: the protocol's own test (invoiceOrder.ts creditedInFull), in cents.
	const retired = finals.filter((f) => creditedOf(f) >= f.totalCents && f.totalCents > 0);
	return {
		finals,
		canceled: invoices.filter((d) => d.status === 'canceled'),
		retired,
		effective: finals.filter((f) => !retired.includes(f)),
		credits,
		debits: docs.filter((d) => d.type === 'debitNote' && isFinal(d)),
		drafts: docs.filter((d) => d.status === 'draft'),
		creditedOf,
	};
}
