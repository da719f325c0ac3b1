/**
 * The period of a reconciliation and the windows its executor reads. Pure: calendar days in, days out.
 *
 * Every day here is a Lisbon calendar day written YYYY-MM-DD: the invoice dates InvoicExpress keeps
 * are Portuguese calendar days (the package dates invoices in Europe/Lisbon, documentRules.ts), so an
 * order placed at 00:30 in Lisbon on the 1st (23:30 UTC on the 31st) belongs to the 1st, as its invoice.
 *
 * The windows (why they are wider than the period):
 * - Documents of an order come on or after the order: an order of the 31st is invoiced on the 1st, a
 *   return is credited weeks later. So documents are read from the period's first day until
 *   `documentsAfterDays` after its last day (never past today): the documents of the period's orders
 *   are then all seen, and a document dated after the period is only used to answer for an order of
 *   the period, never reported itself (it belongs to the next period's reconciliation).
 * - A document of the period may belong to an order of the month before (paid on the 30th, invoiced on
 *   the 2nd). So orders are read from `ordersBeforeDays` before the period: such orders answer for
 *   their documents and are not judged themselves (the reconciliation of their own period did that).
 *   A document of the period whose order is older still is looked up by its order number (see plan.ts:
 *   the `lookup` step), never reported as "without an order" merely for being outside the window.
 * - Checks that rest on a document being absent (not invoiced, not credited) hold only while the
 *   documents window reaches the moment the document would have been made; plan.ts skips an order whose
 *   event (paid, returned, cancelled) falls after the window's end, and counts it as not checked.
 */

export interface Period {
	/** First day, YYYY-MM-DD (Lisbon). */
	from: string;
	/** Last day, inclusive. */
	to: string;
}

export interface DayRange {
	from: string;
	to: string;
}

export interface ReadWindows {
	/** Orders created on these days: the period and `ordersBeforeDays` before it (never after today). */
	orders: DayRange;
	/** Documents dated on these days: the period and `documentsAfterDays` after it (never after today). */
	documents: DayRange;
}

export interface Margins {
	ordersBeforeDays: number;
	documentsAfterDays: number;
}

/**
 * A week before covers the usual lag between an order and its invoice (a bank transfer paid days
 * later); a month after covers the invoices of late payments and most returns. Wider margins cost
 * reading, never correctness: what falls outside is looked up or counted as not checked.
 */
export const DEFAULT_MARGINS: Margins = { ordersBeforeDays: 7, documentsAfterDays: 31 };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day as a UTC midnight in ms, or undefined when it is not a real YYYY-MM-DD day. */
function dayMs(day: string): number | undefined {
	const m = DAY.exec(day);
	if (!m) return undefined;
	const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
	return new Date(ms).toISOString().slice(0, 10) === day ? ms : undefined;
}

export const isDay = (day: unknown): day is string => typeof day === 'string' && dayMs(day) !== undefined;

export function addDays(day: string, days: number): string {
	const ms = dayMs(day);
	if (ms === undefined) throw new Error(`"${day}" is not a YYYY-MM-DD day`);
	return new Date(ms + days * 86400000).toISOString().slice(0, 10);
}

const minDay = (a: string, b: string) => (a < b ? a : b);

/** A calendar month ("2026-11") as a period. */
export function monthPeriod(month: string): Period {
	const m = /^(\d{4})-(\d{2})$/.exec(month);
	if (!m || +m[2] < 1 || +m[2] > 12) throw new Error(`"${month}" is not a month (YYYY-MM)`);
	const next = +m[2] === 12 ? `${+m[1] + 1}-01-01` : `${m[1]}-${String(+m[2] + 1).padStart(2, '0')}-01`;
	return { from: `${month}-01`, to: addDays(next, -1) };
}

/** The month before the one `today` falls in: what the schedule on the 1st reconciles. */
export function previousMonth(today: string): Period {
	return monthPeriod(addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7));
}

/** The longest period: ePages Now lists orders over at most one year (epages.md §2a). */
export const MAX_PERIOD_DAYS = 366;

/** A period from two days, checked: a wrong one is an error naming the field, never a guess. */
export function periodOf(from: string, to: string): Period {
	if (!isDay(from)) throw new Error(`the period's start "${from}" is not a day (YYYY-MM-DD)`);
	if (!isDay(to)) throw new Error(`the period's end "${to}" is not a day (YYYY-MM-DD)`);
	if (to < from) throw new Error(`the period ends (${to}) before it starts (${from})`);
	const days = ((dayMs(to) as number) - (dayMs(from) as number)) / 86400000 + 1;
	if (days > MAX_PERIOD_DAYS) throw new Error(`the period has ${days} days; at most ${MAX_PERIOD_DAYS} (ePages lists orders over at most a year)`);
	return { from, to };
}

/** Whether the period is exactly one calendar month. */
export function isMonth(period: Period): boolean {
	return period.from.endsWith('-01') && monthPeriod(period.from.slice(0, 7)).to === period.to;
}

/** "2026-11" for a month, "2026-11-03_2026-11-20" otherwise: for titles and file names. */
export function periodLabel(period: Period): string {
	return isMonth(period) ? period.from.slice(0, 7) : `${period.from}_${period.to}`;
}

/** The windows the executor reads for this period, as of `today` (Lisbon). */
export function readWindows(period: Period, today: string, margins: Margins = DEFAULT_MARGINS): ReadWindows {
	return {
		orders: { from: addDays(period.from, -margins.ordersBeforeDays), to: minDay(period.to, today) },
		documents: { from: period.from, to: minDay(addDays(period.to, margins.documentsAfterDays), today) },
	};
}

export const inRange = (day: string | null | undefined, range: DayRange): boolean => !!day && day >= range.from && day <= range.to;

/**
 * The instants to ask the shop for, as `Shop.listOrders` takes them (services/shop.ts: created in
 * [from, to), ISO 8601): the window's days with a day of slack each side, as Lisbon is UTC+0 or UTC+1.
 * The planner sorts orders by their Lisbon day itself, so the slack only costs the few orders of two
 * extra days, never a wrong judgement.
 */
export function shopCreatedRange(window: DayRange): { from: string; to: string } {
	return { from: `${addDays(window.from, -1)}T00:00:00.000Z`, to: `${addDays(window.to, 2)}T00:00:00.000Z` };
}

/** The documents window as InvoicExpress's list filter wants it (`date[from]`, `date[to]`, dd/mm/yyyy). */
export function documentDateFilter(window: DayRange): { 'date[from]': string; 'date[to]': string } {
	const ix = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
	return { 'date[from]': ix(window.from), 'date[to]': ix(window.to) };
}

/** An InvoicExpress date (dd/mm/yyyy) as a day, or undefined. */
export function dayOfIxDate(value: unknown): string | undefined {
	const m = typeof value === 'string' ? /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value.trim()) : null;
	if (!m) return undefined;
	const day = `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
	return isDay(day) ? day : undefined;
}

let lisbon: Intl.DateTimeFormat | undefined;

/** The Lisbon calendar day of an instant (ISO 8601 with its zone), or undefined when unreadable. */
export function lisbonDay(value: unknown): string | undefined {
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const ms = Date.parse(value);
	if (!Number.isFinite(ms)) return undefined;
	lisbon ??= new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Lisbon', year: 'numeric', month: '2-digit', day: '2-digit' });
	const parts: Record<string, string> = {};
	for (const p of lisbon.formatToParts(new Date(ms))) parts[p.type] = p.value;
	return `${parts.year}-${parts.month}-${parts.day}`;
}
