import type { IDataObject, INodeListSearchItems } from 'n8n-workflow';

/**
 * Shared by the list searches of both nodes: the editor asks for one batch at a time and passes back
 * the token of the previous answer.
 */

/** The page a list search starts at: the token is the next page number, as we gave it out. */
export function pageFromToken(token: unknown): number {
	const page = Number(token);
	return Number.isInteger(page) && page >= 1 ? page : 1;
}

/**
 * A client-side filter scans pages until this many matches are in hand: the editor loads more on
 * scroll only, so an answer with no match but a token would look like "no results".
 */
export const MIN_MATCHES = 20;

/**
 * The most pages one call reads while filtering, so a filter that matches nothing in a big account
 * does not read the whole history in one keystroke; the token lets the editor go on.
 */
export const MAX_PAGES_PER_CALL = 5;

/** Case- and accent-insensitive "contains", as people type names without accents. */
export function matchesFilter(filter: string, ...texts: unknown[]): boolean {
	const wanted = fold(filter);
	if (wanted === '') return true;
	return texts.some((t) => (typeof t === 'string' || typeof t === 'number') && fold(String(t)).includes(wanted));
}

function fold(text: string): string {
	return text
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.trim();
}

/** An amount as "55.60 €" (EUR is the usual case in these shops) or "55.60 USD". */
export function formatAmount(amount: unknown, currency: unknown): string | undefined {
	const n = typeof amount === 'number' ? amount : typeof amount === 'string' && amount.trim() !== '' ? Number(amount) : NaN;
	if (!Number.isFinite(n)) return undefined;
	const code = typeof currency === 'string' ? currency.trim() : '';
	const symbol = code === '' || /^(eur|euro|€)$/i.test(code) ? '€' : code;
	return `${n.toFixed(2)} ${symbol}`;
}

/** "a · b · c" without the parts that are empty. */
export function joinName(...parts: Array<string | undefined>): string {
	return parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join(' · ');
}

/** Results without repeats (an exact hit found first also turns up in the list pages). */
export function uniqueByValue(items: INodeListSearchItems[]): INodeListSearchItems[] {
	const seen = new Set<string>();
	return items.filter((item) => {
		const key = String(item.value);
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

export function str(obj: IDataObject | undefined, key: string): string | undefined {
	const v = obj?.[key];
	return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}
