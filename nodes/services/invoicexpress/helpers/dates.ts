/**
 * InvoicExpress wants dates as dd/mm/yyyy. n8n's date picker gives ISO strings (with or without time
 * and zone), expressions may give Date objects or Luxon DateTimes; users also type dd/mm/yyyy.
 * The calendar date the user picked is kept as is: no time zone shift can move an invoice to the day before.
 */
export function toIxDate(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) return undefined;
		return fmt(value.getUTCFullYear(), value.getUTCMonth() + 1, value.getUTCDate());
	}
	if (typeof value === 'object' && typeof (value as { toISODate?: unknown }).toISODate === 'function') {
		return toIxDate((value as { toISODate: () => string }).toISODate());
	}
	const text = String(value).trim();
	let m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])/.exec(text);
	if (m) return valid(+m[1], +m[2], +m[3]);
	m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
	if (m) return valid(+m[3], +m[2], +m[1]);
	return undefined;
}

function valid(y: number, mo: number, d: number): string | undefined {
	const date = new Date(Date.UTC(y, mo - 1, d));
	if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
	return fmt(y, mo, d);
}

function fmt(y: number, mo: number, d: number): string {
	return `${String(d).padStart(2, '0')}/${String(mo).padStart(2, '0')}/${y}`;
}

/** dd/mm/yyyy → comparable yyyymmdd number. */
export function ixDateKey(ixDate: string): number {
	const [d, m, y] = ixDate.split('/').map(Number);
	return y * 10000 + m * 100 + d;
}

/** Adds days to a dd/mm/yyyy date. */
export function addDays(ixDate: string, days: number): string {
	const [d, m, y] = ixDate.split('/').map(Number);
	const date = new Date(Date.UTC(y, m - 1, d + days));
	return fmt(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/** Today's calendar date in a given IANA zone (Portugal by default), as dd/mm/yyyy. */
export function todayIx(timeZone = 'Europe/Lisbon', now: Date = new Date()): string {
	const parts = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
		.formatToParts(now)
		.reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
	return `${parts.day}/${parts.month}/${parts.year}`;
}
