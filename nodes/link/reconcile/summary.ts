import { FINDING_KINDS, group, isFinal, isInvoice, type Finding, type FindingKind, type Judge } from './findings';
import { addDays, type Period } from './period';
import type { DocKind, DocRecord, OrderRecord } from './records';

/**
 * The period in numbers. Pure. Two views, each said in its name:
 * - "per order" (totals, byDay, byVatRate): the period's orders (created in it) against their own
 *   documents, wherever they are dated in the documents window. This is the matching view: when every
 *   order is right, the shop's and the documents' columns agree. Shop side: the orders paid and neither
 *   cancelled nor returned. Documents side: every order of the period, final invoices and debit notes
 *   minus final credit notes (drafts and canceled ones count nothing).
 * - "per document" (series, withoutReference): the documents dated in the period, as the accountant's
 *   books hold them.
 * Amounts are summed per currency, never converted: the lists carry no exchange rate to trust.
 */

export interface CurrencyTotals {
	currency: string;
	/** Orders of the period, paid and neither cancelled nor returned, and their total. */
	shopOrders: number;
	shopPaidCents: number;
	/** Their VAT; null when the list does not carry it for every one of them. */
	shopTaxCents: number | null;
	invoicedCents: number;
	creditedCents: number;
	/** invoiced − credited. */
	netCents: number;
	/** net − shop paid. */
	differenceCents: number;
	documentsTaxCents: number;
}

export interface DayTotals {
	day: string;
	shopCents: number;
	documentsCents: number;
}

export interface VatRow {
	/** Percent; null for documents whose items do not split by rate (records.ts vatOf). */
	rate: number | null;
	/** The shop's VAT at this rate; null when the shop's list does not split it (ePages Now). */
	shopTaxCents: number | null;
	documentsBaseCents: number;
	documentsTaxCents: number;
}

export interface SeriesRow {
	series: string;
	type: DocKind;
	apiType: string;
	currency: string;
	documents: number;
	drafts: number;
	final: number;
	canceled: number;
	/** Final and settled documents only. */
	totalCents: number;
}

export interface Summary {
	counts: Record<FindingKind, number>;
	findings: number;
	repairable: number;
	orders: { read: number; inPeriod: number; paid: number; tooRecent: string[]; afterWindow: string[] };
	documents: { read: number; inPeriod: number; withoutReference: Array<{ currency: string; count: number; totalCents: number }> };
	totals: CurrencyTotals[];
	byDay: Array<{ currency: string; days: DayTotals[] }>;
	byVatRate: Array<{ currency: string; rows: VatRow[] }>;
	/** Where the lists do not carry the VAT per rate, said plainly. */
	vatNote: string;
	series: SeriesRow[];
}

export interface SummaryInput {
	period: Period;
	/** Orders created in the period. */
	orders: OrderRecord[];
	/** Every matchable document by the order number its reference names. */
	docsByOrder: Map<string, DocRecord[]>;
	/** Documents dated in the period. */
	periodDocs: DocRecord[];
	ordersRead: number;
	documentsRead: number;
	findings: Finding[];
	judge: Judge;
}

const isShopPaid = (o: OrderRecord) => o.paidAt !== null && o.canceledAt === null && o.returnedAt === null;
/** How a document counts in "invoiced − credited": +1, −1, or 0 (drafts, canceled, receipts). */
export function sign(d: DocRecord): number {
	if (!isFinal(d)) return 0;
	if (isInvoice(d) || d.type === 'debitNote') return 1;
	return d.type === 'creditNote' ? -1 : 0;
}


function currencyTotals(currency: string, orders: OrderRecord[], docsByOrder: Map<string, DocRecord[]>): CurrencyTotals {
	const paid = orders.filter(isShopPaid);
	const docs = orders.flatMap((o) => docsByOrder.get(o.number) ?? []).filter((d) => d.currency === currency);
	const sum = (list: DocRecord[], pick: (d: DocRecord) => number) => list.reduce((s, d) => s + pick(d), 0);
	const invoicedCents = sum(docs.filter((d) => sign(d) > 0), (d) => d.totalCents);
	const creditedCents = sum(docs.filter((d) => sign(d) < 0), (d) => d.totalCents);
	const shopPaidCents = paid.reduce((s, o) => s + o.totalCents, 0);
	return {
		currency,
		shopOrders: paid.length,
		shopPaidCents,
		shopTaxCents: paid.every((o) => o.taxCents !== undefined) ? paid.reduce((s, o) => s + (o.taxCents ?? 0), 0) : null,
		invoicedCents,
		creditedCents,
		netCents: invoicedCents - creditedCents,
		differenceCents: invoicedCents - creditedCents - shopPaidCents,
		documentsTaxCents: sum(docs, (d) => sign(d) * d.taxCents),
	};
}

function daysOf(period: Period): string[] {
	const days: string[] = [];
	for (let d = period.from; d <= period.to; d = addDays(d, 1)) days.push(d);
	return days;
}

function dayTotals(period: Period, orders: OrderRecord[], docsByOrder: Map<string, DocRecord[]>, currency: string): DayTotals[] {
	const byDay = new Map(daysOf(period).map((day) => [day, { day, shopCents: 0, documentsCents: 0 }]));
	for (const o of orders) {
		const row = byDay.get(o.createdDay);
		if (!row) continue;
		if (isShopPaid(o)) row.shopCents += o.totalCents;
		for (const d of docsByOrder.get(o.number) ?? []) if (d.currency === currency) row.documentsCents += sign(d) * d.totalCents;
	}
	return [...byDay.values()];
}

function vatRows(orders: OrderRecord[], docsByOrder: Map<string, DocRecord[]>, currency: string): VatRow[] {
	const rows = new Map<string, VatRow>();
	const row = (rate: number | null) => {
		const key = String(rate);
		if (!rows.has(key)) rows.set(key, { rate, shopTaxCents: null, documentsBaseCents: 0, documentsTaxCents: 0 });
		return rows.get(key) as VatRow;
	};
	const paid = orders.filter(isShopPaid);
	const shopSplit = paid.length > 0 && paid.every((o) => o.vat !== undefined);
	for (const o of shopSplit ? paid : []) for (const v of o.vat ?? []) row(v.rate).shopTaxCents = (row(v.rate).shopTaxCents ?? 0) + v.taxCents;
	for (const d of orders.flatMap((o) => docsByOrder.get(o.number) ?? [])) {
		const s = sign(d);
		if (s === 0 || d.currency !== currency) continue;
		for (const v of d.vat ?? [{ rate: null, baseCents: d.totalCents - d.taxCents, taxCents: d.taxCents }]) {
			row(v.rate).documentsBaseCents += s * v.baseCents;
			row(v.rate).documentsTaxCents += s * v.taxCents;
		}
	}
	if (shopSplit) for (const r of rows.values()) r.shopTaxCents ??= 0;
	return [...rows.values()].sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1));
}

function seriesRows(docs: DocRecord[]): SeriesRow[] {
	const rows = [...group(docs, (d) => `${d.series}|${d.type}|${d.apiType}|${d.currency}`).values()].map((list) => ({
		series: list[0].series,
		type: list[0].type,
		apiType: list[0].apiType,
		currency: list[0].currency,
		documents: list.length,
		drafts: list.filter((d) => d.status === 'draft').length,
		final: list.filter(isFinal).length,
		canceled: list.filter((d) => d.status === 'canceled').length,
		totalCents: list.filter(isFinal).reduce((s, d) => s + d.totalCents, 0),
	}));
	return rows.sort((a, b) => a.series.localeCompare(b.series) || a.apiType.localeCompare(b.apiType) || a.currency.localeCompare(b.currency));
}

function withoutReference(docs: DocRecord[]): Summary['documents']['withoutReference'] {
	return [...group(docs.filter((d) => d.reference === '' && sign(d) !== 0), (d) => d.currency).entries()].map(([currency, list]) => ({
		currency,
		count: list.length,
		totalCents: list.reduce((s, d) => s + sign(d) * d.totalCents, 0),
	}));
}

const VAT_NOTE_NOW =
	"ePages Now's order list gives each order's VAT as one amount, not per rate (the rates are on the line items, which only a request per order returns): the shop's VAT is compared in total, the documents' per rate.";

export function summarize(input: SummaryInput): Summary {
	const { period, orders, docsByOrder, periodDocs, findings, judge } = input;
	const counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, findings.filter((f) => f.kind === k).length])) as Record<FindingKind, number>;
	const currencies = [...new Set([...orders.map((o) => o.currency), ...orders.flatMap((o) => (docsByOrder.get(o.number) ?? []).map((d) => d.currency))])].sort();
	const shopVatSplit = orders.filter(isShopPaid).every((o) => o.vat !== undefined);
	return {
		counts,
		findings: findings.length,
		repairable: findings.filter((f) => f.repairable).length,
		orders: { read: input.ordersRead, inPeriod: orders.length, paid: orders.filter(isShopPaid).length, tooRecent: judge.skipped.tooRecent, afterWindow: judge.skipped.afterWindow },
		documents: { read: input.documentsRead, inPeriod: periodDocs.length, withoutReference: withoutReference(periodDocs) },
		totals: currencies.map((c) => currencyTotals(c, orders.filter((o) => o.currency === c), docsByOrder)),
		byDay: currencies.map((c) => ({ currency: c, days: dayTotals(period, orders.filter((o) => o.currency === c), docsByOrder, c) })),
		byVatRate: currencies.map((c) => ({ currency: c, rows: vatRows(orders.filter((o) => o.currency === c), docsByOrder, c) })),
		vatNote: shopVatSplit ? '' : VAT_NOTE_NOW,
		series: seriesRows(periodDocs),
	};
}
