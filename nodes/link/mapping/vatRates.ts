import { ixDateKey, toIxDate } from '../../services/invoicexpress/helpers/dates';

/**
 * The legal VAT rates of the three Portuguese tax regions, as a pure table (CIVA art. 18.º; OCC
 * technical opinion PT28609, May 2025; /work/shared/reference/vat-portugal.md):
 *
 * | region  | reduced                                   | intermediate | normal |
 * | PT      | 6 %                                       | 13 %         | 23 %   |
 * | PT-AC   | 4 %                                       | 9 %          | 16 %   |
 * | PT-MA   | 5 % until 30 Sep 2024, 4 % from 1 Oct 2024 | 12 %         | 22 %   |
 *
 * A rate never tells the region (4 % is a rate of the Azores and of Madeira; 22 % of Madeira and of
 * Slovenia): the region comes from where the goods leave from ("Ships From", taxPlace.ts), and this
 * table only says whether the rate the shop charged is one that region has at all.
 *
 * Which date: the document's date. The rate is the one in force when the tax becomes due (CIVA
 * art. 18.º), and for a supply that needs an invoice the tax becomes due when the invoice is issued
 * within its deadline (CIVA art. 7.º n.º 1 a) with art. 8.º n.º 1 a)): the invoice date. Inferred
 * reading, and it matters only around a change (Madeira's reduced rate on 1 Oct 2024). A wrong guess
 * fails loudly: an order placed at 5 % in September 2024 and invoiced in October is refused before
 * anything is sent, never invoiced at a rate the table does not hold for that date.
 *
 * The table is only known from {@link RATES_KNOWN_FROM} on (the rates above have held since then; the
 * Azores' since July 2021, Madeira's 12/22 % since 2012): an earlier document date is refused rather
 * than checked against rates that may not have applied.
 */

export type PtRegion = 'PT' | 'PT-AC' | 'PT-MA';
export const PT_REGIONS: readonly PtRegion[] = ['PT', 'PT-AC', 'PT-MA'];
export const PT_REGION_NAMES: Record<PtRegion, string> = { PT: 'mainland Portugal', 'PT-AC': 'the Azores', 'PT-MA': 'Madeira' };

/** yyyymmdd of the first date the table covers. */
export const RATES_KNOWN_FROM = 20240101;
/** Madeira's reduced rate went from 5 % to 4 % on this day (CIVA art. 18.º as applied in Madeira; OCC PT28609). */
export const MADEIRA_REDUCED_4_FROM = 20241001;

interface RateSpan {
	rate: number;
	/** First day (yyyymmdd) the rate applies; none: since before the table starts. */
	from?: number;
	/** First day it no longer applies; none: still in force. */
	until?: number;
}

const LEGAL_RATES: Record<PtRegion, RateSpan[]> = {
	PT: [{ rate: 6 }, { rate: 13 }, { rate: 23 }],
	'PT-AC': [{ rate: 4 }, { rate: 9 }, { rate: 16 }],
	'PT-MA': [{ rate: 5, until: MADEIRA_REDUCED_4_FROM }, { rate: 4, from: MADEIRA_REDUCED_4_FROM }, { rate: 12 }, { rate: 22 }],
};

export function isPtRegion(value: unknown): value is PtRegion {
	return typeof value === 'string' && (PT_REGIONS as readonly string[]).includes(value);
}

/** A date as yyyymmdd, from dd/mm/yyyy, ISO or anything toIxDate reads; undefined when it is not a date. */
export function dateKey(value: unknown): number | undefined {
	const ix = toIxDate(value);
	return ix === undefined ? undefined : ixDateKey(ix);
}

/** The legal non-zero rates of a region on a day; undefined before the table starts. */
export function legalRates(region: PtRegion, day: number): number[] | undefined {
	if (day < RATES_KNOWN_FROM) return undefined;
	return LEGAL_RATES[region].filter((s) => (s.from === undefined || day >= s.from) && (s.until === undefined || day < s.until)).map((s) => s.rate);
}

export function isLegalRate(region: PtRegion, rate: number, day: number): boolean {
	return (legalRates(region, day) ?? []).some((r) => Math.abs(r - rate) < 1e-9);
}

/** The Portuguese regions that have this rate on that day (for messages: "16 % is a rate of the Azores"). */
export function regionsWithRate(rate: number, day: number): PtRegion[] {
	return PT_REGIONS.filter((r) => isLegalRate(r, rate, day));
}

/** "6, 13 and 23 %" */
export function describeRates(rates: number[]): string {
	const list = [...rates].sort((a, b) => a - b).map(String);
	return `${list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}` : list[0] ?? 'none'} %`;
}
