import { bodyJson, bodyText, htmlSummary } from '../../../shared/http';

/** What an error body said, and whether it was a gateway page (Jetty HTML) or a JSON answer. */
export interface EpErrorBody {
	text?: string;
	html: boolean;
}

const REASON_PHRASES = new Set([
	'bad request',
	'unauthorized',
	'forbidden',
	'not found',
	'method not allowed',
	'not acceptable',
	'conflict',
	'unsupported media type',
	'too many requests',
	'server error',
	'internal server error',
	'bad gateway',
	'service unavailable',
	'gateway timeout',
]);

/**
 * ePages answers errors either as a Jetty HTML page (gateway level: token, route, rate limit) or as
 * JSON (`{"message", "status"}`, `{"error", "message"}`). Returns the one sentence worth showing.
 */
export function parseEpErrorBody(body: unknown): EpErrorBody {
	const json = bodyJson(body);
	if (json === undefined) return { html: false };
	if (typeof json === 'string') {
		// Jetty puts the reason in <pre> after "Reason:"; its <h2> only says "HTTP ERROR 401".
		const reason = /Reason:\s*<pre>([\s\S]*?)<\/pre>/i.exec(json)?.[1]?.replace(/\s+/g, ' ').trim();
		const html = reason || htmlSummary(json);
		if (html) return { text: truncate(html), html: true };
		const text = json.trim();
		return { text: text === '' ? undefined : truncate(text), html: false };
	}
	if (json && typeof json === 'object' && !Array.isArray(json)) {
		const obj = json as Record<string, unknown>;
		const parts = [obj.message, obj.error_description, obj.details]
			.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
		if (parts.length === 0 && typeof obj.error === 'string') parts.push(obj.error);
		if (Array.isArray(obj.errors)) {
			for (const e of obj.errors) {
				if (typeof e === 'string') parts.push(e);
				else if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') {
					parts.push((e as { message: string }).message);
				}
			}
		}
		if (parts.length > 0) return { text: truncate([...new Set(parts)].join('; ')), html: false };
	}
	const text = bodyText(json);
	return { text: text === '{}' || text === '[]' ? undefined : truncate(text), html: false };
}

/** True when the text is only the status's reason phrase ("Unauthorized"), which tells a user nothing. */
export function isBareReason(text: string | undefined): boolean {
	if (!text) return true;
	const t = text.trim().toLowerCase();
	return REASON_PHRASES.has(t) || /^http error \d{3}$/.test(t) || /^error \d{3}\b/.test(t);
}

/** The scope ePages asks for on a path (reference §1a), to name it when a 403 comes back. */
export function scopeFor(method: string, path: string): string | undefined {
	const resource = path.replace(/^\/+/, '').split(/[/?]/)[0] ?? '';
	if (resource === 'orders') return method === 'GET' ? 'orders_read' : 'orders_write';
	if (resource === 'customers') return method === 'GET' ? 'customers_read' : 'customers_write';
	if (resource === 'products' || resource === '') return method === 'GET' ? 'products_read' : 'products_write';
	return undefined;
}

/** Short explanation used in place of a bare reason phrase. */
export function epStatusSummary(status: number, html: boolean): string | undefined {
	switch (status) {
		case 401:
			return 'the access token was refused';
		case 403:
			return 'the access token may not do this';
		case 404:
			return html ? 'no ePages shop answers at this API URL' : 'not found';
		case 406:
			return 'the shop does not offer API version 1 (application/vnd.epages.v1+json)';
		case 409:
			return 'the order is being edited in the shop administration';
		case 429:
			return 'too many requests';
		default:
			return undefined;
	}
}

/** A hint, per status, of what the user can do about it. */
export function epStatusHint(status: number, opts: { html: boolean; scope?: string }): string {
	switch (status) {
		case 400:
			return 'ePages rejected a parameter; the message above names it.';
		case 401:
			return 'Copy the access token of the private app (ePages administration → Apps → Private apps) into the ePages credential again.';
		case 403:
			return opts.scope
				? `The private app needs the scope ${opts.scope}. Add it to the app in the ePages administration and copy the new access token into the credential.`
				: 'The private app lacks a scope needed here. Check its scopes in the ePages administration.';
		case 404:
			return opts.html
				? 'Check the API URL in the ePages credential: copy it from the private app; it ends in /rs/shops/<shop ID>.'
				: 'The shop has no record with this ID. Check the ID, or whether it was deleted.';
		case 406:
			return 'This node speaks the ePages Base/Now REST API v1. An ePages Beyond shop (…beyondshop.cloud) has a different API.';
		case 409:
			return 'Someone has the order open for editing in the shop administration. Try again when the edit is finished.';
		case 429:
			return 'ePages allows 6000 requests per hour per access token; retries were exhausted. Poll less often or lower the load.';
		default:
			return status >= 500
				? 'ePages had a server problem; retries were exhausted. Try again later.'
				: 'ePages did not accept the request.';
	}
}

function truncate(text: string, max = 500): string {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}
