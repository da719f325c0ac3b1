import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import { z } from 'zod';

import { bodyJson, htmlSummary, networkWords, sendAuthenticated, type ApiContext, type HttpOutcome } from '../../shared/http';
import { apiError, credentialReader, errorStatus } from '../../shared/errors';
import { redactSecrets } from '../../shared/redact';
import {
	backoffDelay,
	DEFAULT_BACKOFF,
	isTransientNetworkCode,
	isTransientStatus,
	parseRetryAfter,
	type BackoffPolicy,
} from '../../shared/retry';
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

let backoffPolicy: Required<EpBackoffPolicy> = DEFAULT_EP_BACKOFF;
/** Tests shorten the back-off; workflows always use the default. */
export function setEpBackoffPolicy(policy: EpBackoffPolicy): void {
	backoffPolicy = {
		...policy,
		conflictAttempts: policy.conflictAttempts ?? Math.min(DEFAULT_EP_BACKOFF.conflictAttempts, policy.maxAttempts),
		maxRateLimitWaitMs: policy.maxRateLimitWaitMs ?? policy.maxDelayMs * 50,
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

export interface EpResponse {
	status: number;
	body: unknown;
	headers: IDataObject;
}

interface RateWindow {
	remaining: number;
	resetAt: number;
}

/** Last rate-limit headers seen per execution context, so a context does not run into a known wall. */
const rateWindows = new WeakMap<object, RateWindow>();

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

function rememberRate(ctx: ApiContext, headers: IDataObject, nowMs: number): void {
	const remaining = Number(header(headers, 'x-ratelimit-remaining') ?? header(headers, 'x-rate-limit-remaining'));
	const wait = parseRetryAfter(header(headers, 'x-ratelimit-reset') ?? header(headers, 'x-rate-limit-reset'), nowMs);
	if (Number.isFinite(remaining) && wait !== undefined) {
		rateWindows.set(ctx, { remaining, resetAt: nowMs + wait });
	}
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
	const policy = backoffPolicy;

	for (let attempt = 1; ; attempt++) {
		await waitForKnownReset(ctx, policy);
		const outcome: HttpOutcome = await sendAuthenticated(ctx, EP_CREDENTIAL, options);
		const last = attempt >= policy.maxAttempts;
		if (outcome.kind === 'network') {
			if (isTransientNetworkCode(outcome.code) && !last) {
				await sleep(backoffDelay(attempt, policy));
				continue;
			}
			// The code goes in the description: n8n would replace a message containing it with generic text.
			throw epError(ctx, `ePages could not be reached to ${action} (${networkWords(outcome.code)})`, {
				description: `${outcome.message} [${outcome.code}]. Tried ${attempt} time(s). Check the API URL in the ePages credential and the network.`,
				itemIndex: req.itemIndex,
				secrets,
			});
		}
		const { status } = outcome;
		const nowMs = Date.now();
		rememberRate(ctx, outcome.headers, nowMs);
		if (status >= 200 && status < 300) {
			// A login or parking page answering 200 where the API should be: never hand it on as data.
			const page = typeof outcome.body === 'string' ? htmlSummary(outcome.body) : undefined;
			if (page !== undefined) {
				throw epError(ctx, `ePages could not ${action}: the API URL answered an HTML page ("${page}"), not the ePages API`, {
					status,
					description: 'Check the API URL in the ePages credential: copy it from the private app (like https://www.example.com/rs/shops/MyShop).',
					itemIndex: req.itemIndex,
					secrets,
				});
			}
			return { status, body: outcome.body, headers: outcome.headers };
		}
		if (req.accept?.includes(status)) return { status, body: outcome.body, headers: outcome.headers };

		if (status === 429) {
			const wait = serverWaitMs(outcome.headers, nowMs);
			if (wait !== undefined && wait > policy.maxRateLimitWaitMs) {
				throw rateLimitError(ctx, action, nowMs + wait, req.itemIndex, secrets);
			}
			if (!last) {
				await sleep(wait !== undefined ? wait + Math.round(Math.random() * policy.baseDelayMs) : backoffDelay(attempt, policy));
				// The wait the 429 asked for is served; its "0 remaining" must not cause a second one.
				rateWindows.delete(ctx);
				continue;
			}
			throw rateLimitError(ctx, action, wait !== undefined ? nowMs + wait : undefined, req.itemIndex, secrets);
		}
		if (status === 409 && req.patch) {
			if (attempt < policy.conflictAttempts) {
				await sleep(backoffDelay(attempt, policy));
				continue;
			}
			const ref = /\/orders\/([^/?]+)/.exec(url)?.[1];
			const subject = ref ? `order ${decodeURIComponent(ref)}` : 'the order';
			const parsed = parseEpErrorBody(outcome.body);
			throw epError(ctx, `ePages could not ${action} (HTTP 409): ${subject} is being edited in the shop administration; try again later`, {
				status,
				description: `${parsed.text ? `ePages said: ${parsed.text}. ` : ''}Tried ${attempt} time(s). ${epStatusHint(409, { html: false })}`,
				itemIndex: req.itemIndex,
				secrets,
			});
		}
		if (isTransientStatus(status) && !last) {
			await sleep(backoffDelay(attempt, policy, serverWaitMs(outcome.headers, nowMs)));
			continue;
		}
		const parsed = parseEpErrorBody(outcome.body);
		const summary = epStatusSummary(status, parsed.html);
		const words = isBareReason(parsed.text) ? summary ?? parsed.text : parsed.text;
		throw epError(ctx, `ePages could not ${action} (HTTP ${status})${words ? `: ${words}` : ''}`, {
			status,
			description: epStatusHint(status, { html: parsed.html, scope: scopeFor(method, url) }),
			itemIndex: req.itemIndex,
			secrets,
		});
	}
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

/** When the previous answer said no calls are left, wait for the reset (if it is near) instead of collecting a 429. */
async function waitForKnownReset(ctx: ApiContext, policy: Required<EpBackoffPolicy>): Promise<void> {
	const window = rateWindows.get(ctx);
	if (!window || window.remaining > 0) return;
	const wait = window.resetAt - Date.now();
	rateWindows.delete(ctx);
	if (wait > 0 && wait <= policy.maxRateLimitWaitMs) await sleep(wait);
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
