import type { IDataObject } from 'n8n-workflow';

import { orderFromBeyond } from '../../services/epagesBeyond/order';
import { listedPrefix, listedType } from '../../services/invoicexpress/api/documents';
import { roundHalfUp, summarizeDocument } from '../../services/invoicexpress/helpers/document';
import { type DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import { money } from '../../shared/order';
import { orderEmail } from '../mapping/orderClient';
import { readNoteMarks, type NoteMark } from './marks';
import { dayOfIxDate, lisbonDay } from './period';

/**
 * The compact records the planner reads, one per list item, and the readers that make them. Each
 * reader is a pure function of ONE list item, so the executor builds the records page by page and
 * keeps only them (a few hundred bytes an order), never the pages: memory stays bounded by the
 * number of orders, not by the size of their answers. Nothing here costs a request per order:
 * - ePages Now list items (`GET /orders`) carry the totals as strings, the status dates, the internal
 *   note and the addresses, but no line items (epages.md §2a): the order's VAT is one number
 *   (`totalTax`), never split by rate.
 * - ePages Beyond list items are full orders (epages.md §2b): `taxes[]` gives the VAT per rate.
 * - InvoicExpress list items (`GET /invoices.json`, docs "List All") carry the totals, the legal
 *   number, the date, the reference, and the items with `subtotal`, `discount_amount`, `tax_amount`
 *   and `tax.value`: the VAT per rate of each document. They carry the currency's name ("Euro"), not
 *   always its code, and no `owner_invoice_id` (a credit note's reference names its invoice instead).
 * Money is kept in cents (integers): sums of thousands of amounts never drift.
 */

/** A list item a reader cannot read: the planner reports it (kind `unreadable`), never skips it silently. */
export class RecordError extends Error {
	constructor(
		message: string,
		/** `shop` or `invoicexpress`: which list the item came from. */
		readonly source: 'shop' | 'invoicexpress',
		/** The order number or document id, when the item has one. */
		readonly key: string,
		/** The order number a document's reference names, when readable: that order is then not judged. */
		readonly orderNumber?: string,
	) {
		super(message);
		this.name = 'RecordError';
	}
}

export type Platform = 'now' | 'beyond';

export interface OrderRecord {
	number: string;
	id: string;
	platform: Platform;
	/** The Lisbon day the order was created: which period it belongs to. */
	createdDay: string;
	/** ISO 4217, upper case. */
	currency: string;
	totalCents: number;
	/** The order's VAT, when the list carries it. */
	taxCents?: number;
	/** VAT per rate (percent), when the list carries it (Beyond); undefined for Now list items. */
	vat?: Array<{ rate: number; taxCents: number }>;
	/** Status instants (ISO 8601), null when not set. Beyond's are its last change (statusDatesExact false). */
	paidAt: string | null;
	canceledAt: string | null;
	/** Returned, in full or (Beyond PARTIALLY_RETURNED) in part. */
	returnedAt: string | null;
	/** ePages Now's `invoicedOn` is set (the write-back's date). Undefined on Beyond: it has no such status. */
	invoicedOn?: boolean;
	/** The package's lines in the internal note (Beyond: `orderNote`). */
	marks: NoteMark[];
	/** The customer's e-mail address, as the invoicing e-mails it (billing first). */
	email?: string;
	/** The order's last change (Now `lastUpdatedOnDate`, Beyond `updatedAt`), ISO 8601. */
	updatedAt: string | null;
}

/** A document type as the reconciliation sorts it; `other` is a listed type the package does not know. */
/** A document's kind: the package's types, a receipt, a legacy cash sale (VD, a legal invoice the package never changes), or another. */
export type DocKind = DocumentTypeKey | 'receipt' | 'cashInvoice' | 'other';

export interface VatSplit {
	/** Percent (23, 13, 6, 0). */
	rate: number;
	baseCents: number;
	taxCents: number;
}

export interface DocRecord {
	id: string;
	type: DocKind;
	/** The listed `type`, as InvoicExpress names it. */
	apiType: string;
	/** draft, final, settled, canceled (a deleted document is not listed). */
	status: string;
	/** "FT A/12" once final; null for a draft. */
	legalNumber: string | null;
	/** The series ("A" of "A/12"); '' for a draft. */
	series: string;
	/** The document date (a Lisbon day). */
	day: string;
	reference: string;
	/** The order the reference names (an invoice's reference is the order number; see creditLink). */
	orderNumber: string | null;
	/** A credit note made by the package names the invoice it corrects in its reference. */
	creditOf?: string;
	currency: string;
	totalCents: number;
	taxCents: number;
	/** The document's VAT per rate; undefined when its items do not add up to its total (see vatOf). */
	vat?: VatSplit[];
}

/** An amount in cents, half-up. Undefined when absent; an error when present and not an amount. */
export function toCents(value: unknown): number | undefined {
	const n = typeof value === 'number' ? value : money(value);
	if (n === undefined) return undefined;
	if (!Number.isFinite(n)) throw new Error(`${JSON.stringify(value)} is not a number`);
	return Math.round(roundHalfUp(n, 2) * 100);
}

const text = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number') && String(v).trim() !== '' ? String(v).trim() : undefined;
const instant = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** An amount in cents, or the reason it is not one (read without throwing: the caller names the item). */
function readCents(value: unknown): { ok: true; cents: number | undefined } | { ok: false } {
	try {
		return { ok: true, cents: toCents(value) };
	} catch {
		return { ok: false };
	}
}

/** `error` names the item: the order or the document, and for a document the order it names. */
function amount(value: unknown, field: string, error: (message: string) => RecordError): number | undefined {
	const read = readCents(value);
	if (!read.ok) throw error(`${field} "${String(value)}" is not an amount`);
	return read.cents;
}

const orderError = (number: string) => (message: string) => new RecordError(`order ${number}: ${message}`, 'shop', number);

/**
 * An order in the package's order shape (an ePages Now list item, or a Beyond order through
 * orderFromBeyond) as a record. `platform` says which: Beyond has no invoiced status.
 */
export function orderRecord(order: IDataObject, platform: Platform): OrderRecord {
	const number = text(order.orderNumber);
	if (!number) throw new RecordError(`an order (id ${String(order.orderId ?? '?')}) has no orderNumber`, 'shop', String(order.orderId ?? ''));
	const id = text(order.orderId);
	if (!id) throw new RecordError(`order ${number}: orderId is missing`, 'shop', number);
	const createdDay = lisbonDay(order.creationDate);
	if (!createdDay) throw new RecordError(`order ${number}: creationDate "${String(order.creationDate)}" is not a date`, 'shop', number);
	const container = (order.lineItemContainer ?? {}) as IDataObject;
	const totalCents = amount(order.grandTotal ?? container.grandTotal, 'grandTotal', orderError(number));
	if (totalCents === undefined) throw new RecordError(`order ${number}: grandTotal is missing`, 'shop', number);
	const taxCents = amount(order.totalTax ?? container.totalTax, 'totalTax', orderError(number));
	const currency = (text(order.currencyId) ?? text((order.grandTotal as IDataObject | undefined)?.currency) ?? 'EUR').toUpperCase();
	const email = orderEmail(order);
	return {
		number,
		id,
		platform,
		createdDay,
		currency,
		totalCents,
		...(taxCents !== undefined ? { taxCents } : {}),
		paidAt: instant(order.paidOn),
		canceledAt: instant(order.rejectedOn),
		returnedAt: instant(order.returnedOn),
		...(platform === 'now' ? { invoicedOn: instant(order.invoicedOn) !== null } : {}),
		marks: readNoteMarks(order.internalNote),
		...(email ? { email } : {}),
		updatedAt: instant(order.lastUpdatedOnDate),
	};
}

/** An ePages Now order list item (`GET /orders`) as a record. */
export const nowOrderRecord = (item: IDataObject): OrderRecord => orderRecord(item, 'now');

/**
 * A Beyond order list item (raw, as `GET /api/orders` lists it) as a record: read through the
 * package's one Beyond reading (orderFromBeyond: statuses, note, e-mail), plus its `taxes[]` for the
 * VAT per rate. A part return (PARTIALLY_RETURNED) counts as returned: it expects a credit note too.
 */
export function beyondOrderRecord(raw: IDataObject): OrderRecord {
	const shaped = shapedBeyond(raw);
	if ('failure' in shaped) throw new RecordError(`Beyond ${shaped.failure}`, 'shop', text(raw.orderNumber) ?? text(raw._id) ?? '');
	const record = orderRecord(shaped.order, 'beyond');
	if (raw.shippingStatus === 'PARTIALLY_RETURNED' && record.returnedAt === null) record.returnedAt = instant(shaped.order.lastUpdatedOnDate);
	const taxes = Array.isArray(raw.taxes) ? (raw.taxes as IDataObject[]) : undefined;
	if (taxes) record.vat = beyondVat(taxes, record.number);
	return record;
}

/** The package's reading of a Beyond order, or why it failed (orderFromBeyond throws on what it cannot read). */
function shapedBeyond(raw: IDataObject): { order: IDataObject } | { failure: string } {
	try {
		return { order: orderFromBeyond(raw) };
	} catch (error) {
		return { failure: (error as Error).message };
	}
}

function beyondVat(taxes: IDataObject[], number: string): Array<{ rate: number; taxCents: number }> {
	const byRate = new Map<number, number>();
	for (const t of taxes) {
		const fraction = Number(t.taxRate);
		if (!Number.isFinite(fraction)) throw new RecordError(`order ${number}: taxes[].taxRate "${String(t.taxRate)}" is not a number`, 'shop', number);
		// A fraction (0.23) as the API documents it; a percentage is taken as it is (as beyond/order.ts does).
		const rate = roundHalfUp(fraction <= 1 ? fraction * 100 : fraction, 4);
		const cents = amount(t.amount ?? t, 'taxes[].amount', orderError(number)) ?? 0;
		byRate.set(rate, (byRate.get(rate) ?? 0) + cents);
	}
	return [...byRate.entries()].sort((a, b) => b[0] - a[0]).map(([rate, taxCents]) => ({ rate, taxCents }));
}

/**
 * The order a document's reference names: an invoice's reference is the order number; a credit note's
 * is `<orderNumber>:NC:<invoiceId>[:<tag>]` (orderLink.ts creditLink). A credit note made by hand with
 * the bare order number is the order's too, without a known invoice.
 */
export function referenceLink(reference: string): { orderNumber: string; creditOf?: string } | null {
	const ref = reference.trim();
	if (ref === '') return null;
	const credit = /^(.+?):NC:([^:]+)(?::.*)?$/.exec(ref);
	return credit ? { orderNumber: credit[1], creditOf: credit[2] } : { orderNumber: ref };
}

/** The currency of a listed document: its code when listed, else its name read as a code ("Euro"). */
function currencyOf(doc: IDataObject): string {
	const code = text(doc.currency_code);
	if (code) return code.toUpperCase();
	const name = text(doc.currency) ?? 'Euro';
	if (/^euros?$/i.test(name)) return 'EUR';
	return /^[A-Za-z]{3}$/.test(name) ? name.toUpperCase() : name;
}

/**
 * A document's VAT per rate from its listed items: net = subtotal − discount_amount, VAT = tax_amount,
 * summed per `tax.value`. The item fields' meaning is inferred from the docs' example; so the split is
 * kept only when it adds up to the document's total (within a cent per rate, the per-rate rounding):
 * otherwise undefined, and the summary shows the document under "rate unknown" rather than a wrong rate.
 */
export function vatOf(items: unknown, totalCents: number): VatSplit[] | undefined {
	if (!Array.isArray(items) || items.length === 0) return undefined;
	const sums = new Map<number, { base: number; tax: number }>();
	for (const item of items as IDataObject[]) {
		const rate = Number((item.tax as IDataObject | undefined)?.value);
		const base = Number(item.subtotal) - Number(item.discount_amount ?? 0);
		const tax = Number(item.tax_amount);
		if (![rate, base, tax].every(Number.isFinite)) return undefined;
		const s = sums.get(rate) ?? { base: 0, tax: 0 };
		s.base += base;
		s.tax += tax;
		sums.set(rate, s);
	}
	const split = [...sums.entries()]
		.sort((a, b) => b[0] - a[0])
		.map(([rate, s]) => ({ rate, baseCents: toCents(s.base) as number, taxCents: toCents(s.tax) as number }));
	const sum = split.reduce((acc, r) => acc + r.baseCents + r.taxCents, 0);
	return Math.abs(sum - totalCents) <= split.length ? split : undefined;
}

/**
 * An InvoicExpress document list item (`GET /invoices.json`) as a record. An error names the order
 * the reference names, when readable: that order is then not judged on its documents without this one.
 */
export function documentRecord(doc: IDataObject): DocRecord {
	const reference = text(doc.reference) ?? '';
	const link = referenceLink(reference);
	const id = text(doc.id) ?? '';
	const error = (message: string) => new RecordError(`document ${id || '(no id)'}: ${message}`, 'invoicexpress', id, link?.orderNumber);
	if (!id) throw error('the listed document has no id');
	const day = dayOfIxDate(doc.date);
	if (!day) throw error(`date "${String(doc.date)}" is not a date (dd/mm/yyyy)`);
	const totalCents = amount(doc.total, 'total', error);
	if (totalCents === undefined) throw error('total is missing');
	const listed = listedType(doc);
	const type: DocKind = listed ?? 'other';
	const status = String(doc.status ?? '');
	const prefix = listedPrefix(listed);
	const inverted = status === 'draft' ? undefined : text(doc.inverted_sequence_number);
	const legalNumber = inverted ? (summarizeDocument({ inverted_sequence_number: inverted }, prefix).legal_number as string) : null;
	const vat = vatOf(doc.items, totalCents);
	return {
		id,
		type,
		apiType: String(doc.type ?? ''),
		status,
		legalNumber,
		series: inverted && inverted.includes('/') ? inverted.slice(0, inverted.lastIndexOf('/')) : '',
		day,
		reference,
		orderNumber: link?.orderNumber ?? null,
		...(link?.creditOf !== undefined && type === 'creditNote' ? { creditOf: link.creditOf } : {}),
		currency: currencyOf(doc),
		totalCents,
		taxCents: amount(doc.taxes, 'taxes', error) ?? 0,
		...(vat ? { vat } : {}),
	};
}
