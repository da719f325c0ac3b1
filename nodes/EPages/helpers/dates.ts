/**
 * Date parameters reach a node as ISO strings from the date picker (usually without a zone: the
 * workflow's wall-clock time), as Date objects or Luxon DateTimes from expressions, or as text. The
 * shop wants instants; a zone-less value is read in the workflow's time zone, as the user saw it.
 */

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;

/** Milliseconds to add to UTC to get the wall-clock time in `timeZone` at instant `ms`. */
function offsetAt(ms: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(ms));
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
	const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
	return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant of a wall-clock time in a zone (the earlier one in an autumn DST overlap). */
function zonedToUtc(wall: number, timeZone: string): number {
	const first = wall - offsetAt(wall, timeZone);
	const second = wall - offsetAt(first, timeZone);
	return Math.min(first, second);
}

function isValidZone(timeZone: string | undefined): timeZone is string {
	if (!timeZone) return false;
	try {
		new Intl.DateTimeFormat('en-US', { timeZone });
		return true;
	} catch {
		return false;
	}
}

/**
 * An instant in ms, undefined for an empty value, NaN for something that is not a date.
 * `timeZone` is used for values without a zone (default UTC).
 */
export function toInstant(value: unknown, timeZone?: string): number | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
	if (value instanceof Date) return value.getTime();
	if (typeof value === 'object' && typeof (value as { toMillis?: unknown }).toMillis === 'function') {
		return (value as { toMillis: () => number }).toMillis();
	}
	const text = String(value).trim();
	if (text === '') return undefined;
	const local = ISO_LOCAL.exec(text);
	if (local) {
		const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0'] = local;
		const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number(frac.padEnd(3, '0')));
		const check = new Date(wall);
		if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d) return NaN;
		return isValidZone(timeZone) ? zonedToUtc(wall, timeZone) : wall;
	}
	// With a zone (Z, +01:00) or in another format Date understands (RFC 2822).
	if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(text) && !/[a-z]{3},? /i.test(text)) return NaN;
	const ms = Date.parse(text);
	return Number.isNaN(ms) ? NaN : ms;
}
