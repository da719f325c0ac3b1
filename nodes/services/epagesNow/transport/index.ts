import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { z } from 'zod';

import { isLoopbackHost, serviceCredential } from '../../../shared/credential';
import { apiError, errorStatus } from '../../../shared/errors';
import { bodyJson, sendAuthenticated, type ApiContext } from '../../../shared/http';
import { requestWithRetries, type HttpResponse } from '../../../shared/request';
import { epPolicy, type EpCall } from './policy';

export { epBackoffPolicy, type EpBackoffPolicy } from './policy';

export const EP_CREDENTIAL = 'ePagesApi';
export const EP_ACCEPT = 'application/vnd.epages.v1+json';
export const EP_MAX_PAGE_SIZE = 100;
export const DEFAULT_TIMEOUT_MS = 30000;

const credentialSchema = z.object({
	apiUrl: z.string().optional().default(''),
	accessToken: z.string().optional().default(''),
});

const API_URL = /^(https?):\/\/(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(:\d{1,5})?(\/rs\/shops\/[^/?#\s]+)$/i;

/**
 * The credential's API URL, checked and without a trailing slash. Plain http is refused for any host
 * but this machine: the bearer token travels in a header and would be readable on the way.
 */
export function epBaseUrl(apiUrl: string): string {
	const url = apiUrl.trim().replace(/\/+$/, '');
	const example = 'https://www.example.com/rs/shops/MyShop';
	if (url === '') {
		throw new Error(`The API URL in the ePages credential is empty: copy it from the private app (like ${example})`);
	}
	if (/beyondshop\.cloud/i.test(url) || /\/api(\/|$)/.test(url)) {
		throw new Error(
			`The API URL "${url}" belongs to an ePages Beyond shop; this node speaks the ePages Base/Now API (${example})`,
		);
	}
	const match = API_URL.exec(url);
	if (!match) {
		throw new Error(
			`The API URL "${url}" in the ePages credential is not an ePages shop API URL: it must look like ${example} (copy it from the private app)`,
		);
	}
	const [, scheme, host] = match;
	if (scheme.toLowerCase() === 'http' && !isLoopbackHost(host)) {
		throw new Error(
			`The API URL "${url}" uses http://, which would send the access token unencrypted: use https:// (http:// is only accepted for localhost, 127.0.0.1 and [::1])`,
		);
	}
	return `${scheme.toLowerCase()}://${url.slice(scheme.length + 3)}`;
}

const epCredential = serviceCredential(EP_CREDENTIAL, credentialSchema, {
	secrets: (c) => [c.accessToken],
	baseUrl: (c) => epBaseUrl(c.apiUrl),
});

/** Error carrying only redacted, user-facing text. */
export function epError(
	ctx: ApiContext,
	message: string,
	opts: { status?: number; description?: string; itemIndex?: number; secrets?: string[] },
): NodeApiError {
	return apiError(ctx, message, opts);
}

export const epErrorStatus = errorStatus;

export type EpResponse = HttpResponse;

export interface EpRequest {
	qs?: IDataObject;
	body?: IDataObject | IDataObject[];
	/** Statuses handed back to the caller instead of thrown. */
	accept?: number[];
	itemIndex?: number;
	/** What the request is doing, for error messages ("get order 1234"). */
	action?: string;
	/** Send the body as JSON Patch (`application/json-patch+json`); a 409 is then retried. */
	patch?: boolean;
	timeoutMs?: number;
}

/**
 * The one way this package talks to ePages: the credential's API URL, JSON in and out, retries with
 * back-off for what is safe to repeat (every GET and every PATCH of add/remove operations), and errors
 * whose text never contains the access token.
 */
export async function epRequest(
	ctx: ApiContext,
	method: IHttpRequestMethods,
	path: string,
	req: EpRequest = {},
): Promise<EpResponse> {
	const { secrets, baseUrl } = await epCredential.access(
		ctx,
		(message) => new NodeOperationError(ctx.getNode(), message, { itemIndex: req.itemIndex, description: 'Fix the API URL in the ePages credential.' }),
	);
	const url = path === '' || path === '/' ? '' : path.startsWith('/') ? path : `/${path}`;
	const action = req.action ?? `${method} ${url || 'the shop'}`;
	const call: EpCall = { method, url, action, itemIndex: req.itemIndex, accept: req.accept, patch: req.patch, secrets };
	const options = epOptions(method, baseUrl, url, req);
	return await requestWithRetries(async () => await sendAuthenticated(ctx, EP_CREDENTIAL, options), epPolicy(ctx, call));
}

/** JSON in and out (a JSON Patch body says so); list filters repeat the key for each value. */
function epOptions(method: IHttpRequestMethods, baseURL: string, url: string, req: EpRequest): IHttpRequestOptions {
	const headers: IDataObject = { Accept: EP_ACCEPT, 'User-Agent': 'n8n-nodes-epages-invoicexpress' };
	if (req.body !== undefined) {
		headers['Content-Type'] = req.patch ? 'application/json-patch+json' : 'application/json';
	}
	return {
		method,
		baseURL,
		url,
		headers,
		qs: req.qs ? { ...req.qs } : undefined,
		body: req.body,
		json: true,
		timeout: req.timeoutMs ?? DEFAULT_TIMEOUT_MS,
		arrayFormat: 'repeat',
	};
}

/** A page of a list answer: `{results, page, resultsPerPage, items}`. */
export interface EpPage {
	items: IDataObject[];
	/** Total number of matches, when the shop said. */
	results?: number;
	page: number;
}

export function parseEpPage(body: unknown, page: number): EpPage | undefined {
	const json = bodyJson(body);
	if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
	const obj = json as IDataObject;
	if (!Array.isArray(obj.items)) return undefined;
	const results = Number(obj.results);
	return {
		items: obj.items as IDataObject[],
		results: obj.results === undefined || obj.results === null || !Number.isFinite(results) ? undefined : results,
		page,
	};
}

/**
 * Page by page over a list (`page`, `resultsPerPage` ≤ 100, `results` = total). Stops at the last page
 * by the total, or at a short page when the shop gives no total.
 */
export async function* epPages(
	ctx: ApiContext,
	path: string,
	qs: IDataObject = {},
	opts: { pageSize?: number; itemIndex?: number; action?: string } = {},
): AsyncGenerator<EpPage> {
	const pageSize = Math.min(Math.max(Math.floor(opts.pageSize ?? EP_MAX_PAGE_SIZE), 1), EP_MAX_PAGE_SIZE);
	for (let page = 1; ; page++) {
		const res = await epRequest(ctx, 'GET', path, {
			qs: { ...qs, page, resultsPerPage: pageSize },
			itemIndex: opts.itemIndex,
			action: opts.action,
		});
		const parsed = parseEpPage(res.body, page);
		if (!parsed) {
			throw epError(ctx, `ePages answered an unexpected list shape to ${opts.action ?? `GET ${path}`}`, {
				itemIndex: opts.itemIndex,
			});
		}
		yield parsed;
		const done =
			parsed.items.length === 0 ||
			(parsed.results !== undefined ? page * pageSize >= parsed.results : parsed.items.length < pageSize);
		if (done) return;
	}
}

/** Every "Get Many": all pages, or up to `limit` items (asking for no more than needed). */
export async function epGetAll(
	ctx: ApiContext,
	path: string,
	qs: IDataObject = {},
	limit?: number,
	opts: { itemIndex?: number; action?: string } = {},
): Promise<IDataObject[]> {
	const out: IDataObject[] = [];
	const pageSize = limit !== undefined ? Math.min(Math.max(limit, 1), EP_MAX_PAGE_SIZE) : EP_MAX_PAGE_SIZE;
	for await (const page of epPages(ctx, path, qs, { pageSize, ...opts })) {
		out.push(...page.items);
		if (limit !== undefined && out.length >= limit) return out.slice(0, limit);
	}
	return out;
}
