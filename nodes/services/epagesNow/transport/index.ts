import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { z } from 'zod';

import { bodyJson, networkWords, sendAuthenticated, type ApiContext } from '../../../shared/http';
import { apiError, credentialReader, errorStatus } from '../../../shared/errors';
import { ResetWindow } from '../../../shared/limiter';
import { redactSecrets } from '../../../shared/redact';
import { perContext, requestWithRetries, type HttpResponse, type ServicePolicy } from '../../../shared/request';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, type BackoffPolicy } from '../../../shared/retry';
import { tuningOf } from '../../../shared/tuning';
import { epStatusHint, epStatusSummary, isBareReason, parseEpErrorBody, scopeFor } from './errors';

export const EP_CREDENTIAL = 'ePagesApi';
export const EP_ACCEPT = 'application/vnd.epages.v1+json';
export const EP_MAX_PAGE_SIZE = 100;
export const DEFAULT_TIMEOUT_MS = 30000;

const credentialSchema = z.object({
	apiUrl: z.string().optional().default(''),
	accessToken: z.string().optional().default(''),
});
export type EpCredential = z.infer<typeof credentialSchema>;

export interface EpBackoffPolicy extends BackoffPolicy {
	/** Attempts in all for a PATCH answered 409 (order in edit mode). */
	conflictAttempts?: number;
	/**
	 * Longest wait for a rate-limit reset announced by the shop. The window is an hour; waiting longer
	 * than this inside one execution helps nobody, so the node fails and says when the limit resets.
	 */
	maxRateLimitWaitMs?: number;
}

const DEFAULT_EP_BACKOFF: Required<EpBackoffPolicy> = {
	...DEFAULT_BACKOFF,
	conflictAttempts: 4,
	maxRateLimitWaitMs: 60000,
};

/**
 * The back-off of this node: the default, or the node's hidden `tuning.ePages` (tests shorten it). A
 * policy given without the ePages-only limits gets them scaled from its own delays.
 */
export function epBackoffPolicy(ctx: ApiContext): Required<EpBackoffPolicy> {
	const given = tuningOf(ctx, 'ePages') as EpBackoffPolicy | undefined;
	if (!given) return DEFAULT_EP_BACKOFF;
	return {
		...given,
		conflictAttempts: given.conflictAttempts ?? Math.min(DEFAULT_EP_BACKOFF.conflictAttempts, given.maxAttempts),
		maxRateLimitWaitMs: given.maxRateLimitWaitMs ?? given.maxDelayMs * 50,
	};
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
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
	if (scheme.toLowerCase() === 'http' && !LOOPBACK_HOST.test(host)) {
		throw new Error(
			`The API URL "${url}" uses http://, which would send the access token unencrypted: use https:// (http:// is only accepted for localhost, 127.0.0.1 and [::1])`,
		);
	}
	return `${scheme.toLowerCase()}://${url.slice(scheme.length + 3)}`;
}

export const getEpCredential = credentialReader(EP_CREDENTIAL, (raw) => credentialSchema.parse(raw));

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

function header(headers: IDataObject, name: string): unknown {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
	}
	return undefined;
}

/** How long the shop asks us to wait: X-RateLimit-Reset (an ISO date; one doc page spells it X-Rate-Limit-Reset) or Retry-After. */
function serverWaitMs(headers: IDataObject, nowMs: number): number | undefined {
	const retryAfter = parseRetryAfter(header(headers, 'retry-after'), nowMs);
	if (retryAfter !== undefined) return retryAfter;
	const reset = header(headers, 'x-ratelimit-reset') ?? header(headers, 'x-rate-limit-reset');
	return parseRetryAfter(reset, nowMs);
}

/** The shop's announced budget: calls remaining and the wait until the hourly reset. */
function announcedBudget(headers: IDataObject, nowMs: number): { remaining: number; waitMs: number } | undefined {
	const remaining = Number(header(headers, 'x-ratelimit-remaining') ?? header(headers, 'x-rate-limit-remaining'));
	const waitMs = parseRetryAfter(header(headers, 'x-ratelimit-reset') ?? header(headers, 'x-rate-limit-reset'), nowMs);
	return Number.isFinite(remaining) && waitMs !== undefined ? { remaining, waitMs } : undefined;
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
	const credential = await getEpCredential(ctx);
	const secrets = [credential.accessToken];
	let baseURL: string;
	try {
		baseURL = epBaseUrl(credential.apiUrl);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), redactSecrets((error as Error).message, secrets), {
			itemIndex: req.itemIndex,
			description: 'Fix the API URL in the ePages credential.',
		});
	}
	const url = path === '' || path === '/' ? '' : path.startsWith('/') ? path : `/${path}`;
	const headers: IDataObject = { Accept: EP_ACCEPT, 'User-Agent': 'n8n-nodes-epages-invoicexpress' };
	if (req.body !== undefined) {
		headers['Content-Type'] = req.patch ? 'application/json-patch+json' : 'application/json';
	}
	const options: IHttpRequestOptions = {
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
	const action = req.action ?? `${method} ${url || 'the shop'}`;
	const backoff = epBackoffPolicy(ctx);
	const window = perContext(ctx, 'ePages', () => new ResetWindow(() => epBackoffPolicy(ctx).maxRateLimitWaitMs, announcedBudget));
	const fail = (message: string, opts: { status?: number; description?: string }) =>
		epError(ctx, message, { ...opts, itemIndex: req.itemIndex, secrets });
	const policy: ServicePolicy = {
		backoff,
		gate: window,
		repeatable: true,
		accept: req.accept,
		refuseHtml: true,
		special: ({ status, headers, body }, { attempt, last }) => {
			if (status === 429) {
				const nowMs = Date.now();
				const wait = serverWaitMs(headers, nowMs);
				if ((wait !== undefined && wait > backoff.maxRateLimitWaitMs) || last) {
					return { retry: false, error: rateLimitError(ctx, action, wait !== undefined ? nowMs + wait : undefined, req.itemIndex, secrets) };
				}
				const delayMs = wait !== undefined ? wait + Math.round(Math.random() * backoff.baseDelayMs) : backoffDelay(attempt, backoff);
				return { retry: true, delayMs, afterDelay: () => window.forget() };
			}
			if (status === 409 && req.patch) {
				if (attempt < backoff.conflictAttempts) return { retry: true, delayMs: backoffDelay(attempt, backoff) };
				const ref = /\/orders\/([^/?]+)/.exec(url)?.[1];
				const subject = ref ? `order ${decodeURIComponent(ref)}` : 'the order';
				const parsed = parseEpErrorBody(body);
				return {
					retry: false,
					error: fail(`ePages could not ${action} (HTTP 409): ${subject} is being edited in the shop administration; try again later`, {
						status,
						description: `${parsed.text ? `ePages said: ${parsed.text}. ` : ''}Tried ${attempt} time(s). ${epStatusHint(409, { html: false })}`,
					}),
				};
			}
			return undefined;
		},
		retryDelay: ({ headers }, { attempt }) => backoffDelay(attempt, backoff, serverWaitMs(headers, Date.now())),
		// The code goes in the description: n8n would replace a message containing it with generic text.
		networkError: (outcome, { attempt }) =>
			fail(`ePages could not be reached to ${action} (${networkWords(outcome.code)})`, {
				description: `${outcome.message} [${outcome.code}]. Tried ${attempt} time(s). Check the API URL in the ePages credential and the network.`,
			}),
		htmlError: (status, page) =>
			fail(`ePages could not ${action}: the API URL answered an HTML page ("${page}"), not the ePages API`, {
				status,
				description: 'Check the API URL in the ePages credential: copy it from the private app (like https://www.example.com/rs/shops/MyShop).',
			}),
		statusError: ({ status, body }) => {
			const parsed = parseEpErrorBody(body);
			const summary = epStatusSummary(status, parsed.html);
			const words = isBareReason(parsed.text) ? summary ?? parsed.text : parsed.text;
			return fail(`ePages could not ${action} (HTTP ${status})${words ? `: ${words}` : ''}`, {
				status,
				description: epStatusHint(status, { html: parsed.html, scope: scopeFor(method, url) }),
			});
		},
	};
	return await requestWithRetries(async () => await sendAuthenticated(ctx, EP_CREDENTIAL, options), policy);
}

function rateLimitError(
	ctx: ApiContext,
	action: string,
	resetAt: number | undefined,
	itemIndex: number | undefined,
	secrets: string[],
): NodeApiError {
	const when = resetAt !== undefined ? ` The limit resets at ${new Date(resetAt).toISOString()}.` : '';
	return epError(ctx, `ePages could not ${action} (HTTP 429): the rate limit of the access token is used up`, {
		status: 429,
		description: `${epStatusHint(429, { html: true })}${when}`,
		itemIndex,
		secrets,
	});
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
