import { bodyJson, bodyText, htmlSummary } from '../../../shared/http';

/**
 * InvoicExpress answers errors in at least eight shapes (reference §8). This turns any of them into
 * one readable sentence in the API's own words (Portuguese or English), or undefined for an empty body.
 */
export function parseIxErrorBody(body: unknown): string | undefined {
	const json = bodyJson(body);
	if (json === undefined) return undefined;
	if (typeof json === 'string') {
		const html = htmlSummary(json);
		if (html) return html;
		const text = json.trim();
		return text === '' ? undefined : truncate(text);
	}
	const messages = collect(json).filter((m) => m.trim() !== '');
	if (messages.length > 0) return truncate(unique(messages).join('; '));
	const text = bodyText(json);
	return text === '{}' || text === '[]' ? undefined : truncate(text);
}

function collect(value: unknown, key?: string): string[] {
	if (value === null || value === undefined) return [];
	if (typeof value === 'string') return [key && !isMessageKey(key) ? `${key} ${value}` : value];
	if (typeof value === 'number' || typeof value === 'boolean') return [];
	if (Array.isArray(value)) return value.flatMap((v) => collect(v, key));
	const obj = value as Record<string, unknown>;
	// {"errors": ...}, {"error": ...}: the payload is inside.
	for (const wrapper of ['errors', 'error']) {
		if (wrapper in obj) {
			const inner = obj[wrapper];
			if (typeof inner === 'string') return [inner];
			return collect(inner);
		}
	}
	// {"code": "001", "message": "..."}: keep the message, the code adds nothing for a user.
	if (typeof obj.message === 'string') return [obj.message];
	if (typeof obj.reason === 'string') return [obj.reason];
	// {"accepted": {"code": "202", "message": "..."}} and other single wrappers.
	// Rails-style field maps: {"name": ["is not available."]} → "name is not available."
	return Object.entries(obj).flatMap(([k, v]) => {
		if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((x) => `${k} ${x}`);
		return collect(v, k);
	});
}

function isMessageKey(key: string): boolean {
	return ['error', 'errors', 'message', 'reason', 'messages'].includes(key);
}

function unique(values: string[]): string[] {
	return [...new Set(values)];
}

function truncate(text: string, max = 500): string {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A hint, per status, of what the user can do about it. */
export function ixStatusHint(status: number): string {
	switch (status) {
		case 401:
			return 'InvoicExpress refused the API key. Check the API key and account name in the InvoicExpress credential.';
		case 403:
			return 'The user of this API key may not do this in InvoicExpress (check its role and the account plan).';
		case 404:
			return 'InvoicExpress has no such record, or the account name in the credential is wrong.';
		case 409:
			return 'InvoicExpress is still creating a document with the same unique key; run again in a moment.';
		case 422:
			return 'InvoicExpress rejected the data sent; the message above says which field.';
		case 429:
			return 'InvoicExpress allows 780 requests per minute per account; retries were exhausted. Lower the load or add a Wait node.';
		default:
			return status >= 500
				? 'InvoicExpress had a server problem; retries were exhausted. Try again later.'
				: 'InvoicExpress did not accept the request.';
	}
}
