import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { z } from 'zod';

import { bodyJson, networkWords, sendAuthenticated, type ApiContext, type HttpOutcome } from '../../../shared/http';
import { apiError, credentialReader, errorStatus } from '../../../shared/errors';
import { AdaptiveLimiter, limiterGate } from '../../../shared/limiter';
import { OPEN_GATE, perContext, requestWithRetries, type HttpResponse, type ServicePolicy } from '../../../shared/request';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, type BackoffPolicy } from '../../../shared/retry';
import { tuningOf } from '../../../shared/tuning';
import { ixStatusHint, parseIxErrorBody } from './errors';

export const IX_CREDENTIAL = 'invoicExpressApi';

const credentialSchema = z.object({
	accountName: z.string().optional().default(''),
	apiKey: z.string().optional().default(''),
	baseUrl: z.string().optional().default(''),
});
export type IxCredential = z.infer<typeof credentialSchema>;

export function ixBaseUrl(credential: IxCredential): string {
	const override = credential.baseUrl.trim();
	if (override !== '') {
		// The API key travels in the query string: plain http only to this machine (tests, demo).
		const match = /^(https?):\/\/([^/:?#]+|\[[^\]]+\])/i.exec(override);
		if (!match) throw new Error(`The InvoicExpress base URL "${override}" is not an http(s) address`);
		const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(match[2]);
		if (match[1].toLowerCase() !== 'https' && !loopback) {
			throw new Error(`The InvoicExpress base URL must use https (http is allowed only for localhost): ${override}`);
		}
		return override.replace(/\/+$/, '');
	}
	const account = credential.accountName.trim();
	if (!/^[a-z0-9][a-z0-9-]*$/i.test(account)) {
		throw new Error(
			`The InvoicExpress account name "${account}" is not valid: use only the subdomain (for https://mycompany.app.invoicexpress.com enter "mycompany")`,
		);
	}
	return `https://${account}.app.invoicexpress.com`;
}

/**
 * How a request may be repeated after a failure:
 * - `idempotent`: GET, PUT and state changes; repeat on 429, 5xx and network faults.
 * - `rateLimitOnly`: a POST that creates something; repeat only on 429 (the server did nothing).
 *   Other failures are ambiguous ("was it created?") and the caller resolves them.
 */
export type RetryMode = 'idempotent' | 'rateLimitOnly';

export interface IxRequest {
	qs?: IDataObject;
	body?: IDataObject;
	/** Statuses handed back to the caller instead of thrown (404 for "find"). */
	accept?: number[];
	retry?: RetryMode;
	timeoutMs?: number;
	/** Download raw bytes (the PDF). */
	binary?: boolean;
	/** Request an absolute URL (the PDF file) instead of a path under the account. */
	absoluteUrl?: string;
	itemIndex?: number;
	/** What the request is doing, for error messages ("create the invoice"). */
	action?: string;
}

export type IxResponse = HttpResponse;

export const DEFAULT_TIMEOUT_MS = 30000;

/**
 * Requests in flight per execution: up to 8, halved on each 429. The account's 780 requests per
 * minute are shared with the merchant's other tools, so no pace is kept until InvoicExpress has
 * answered 429 once; from then on the execution keeps 3 % under the documented 780 per minute, which
 * leaves room for the timing jitter at the edge of a window instead of spending a 429 there.
 */
export const IX_LIMITS = { initial: 4, min: 1, max: 8 };

export interface IxRatePolicy extends BackoffPolicy {
	/** How long a request may keep meeting 429s, whatever the attempt count. */
	rateLimitWaitMs?: number;
	/** Pace kept after the first 429 of an execution (requests per minute). */
	perMinuteAfterThrottle?: number;
	/** Longest pause of the execution after a 429 without Retry-After before it probes again. */
	pauseMaxMs?: number;
}

/**
 * 429s are retried for up to two minutes whatever the attempt count: the limit is per minute and
 * shared, so giving up after a few seconds would fail documents that a short wait would have issued.
 * InvoicExpress documents no Retry-After (reference §8), so after a 429 the execution pauses 0.5 s,
 * probes with one request, and doubles the pause up to 8 s while probes fail: at most a few 429s per
 * minute, and resuming within 8 s of the window's reset whatever its length.
 */
const IX_BACKOFF: IxRatePolicy = {
	...DEFAULT_BACKOFF,
	rateLimitWaitMs: 120000,
	perMinuteAfterThrottle: 780 * 0.97,
	pauseMaxMs: 8000,
};

export interface IxTuning extends IxRatePolicy {
	/** Timeout of one request. */
	timeoutMs?: number;
	/** How long a create whose answer was lost is looked for before it is sent again. */
	createRecoveryWaitMs?: number;
}

/**
 * The retry policy of this node: the default, or the node's hidden `tuning.invoicExpress` (tests
 * shorten the back-off, and leave out the pace unless they give one). Given, it replaces the default
 * as a whole.
 */
export function ixPolicy(ctx: ApiContext): IxTuning {
	return (tuningOf(ctx, 'invoicExpress') as IxTuning | undefined) ?? IX_BACKOFF;
}

/**
 * The server's wait on a 429: Retry-After if InvoicExpress ever sends it, else the common reset
 * headers (seconds until the reset, or a Unix time). A wrong guess costs little: if the probe after
 * it is throttled as well, the limiter falls back to its doubling pause.
 */
export function ixServerWaitMs(headers: IDataObject, nowMs: number): number | undefined {
	const header = (name: string) => {
		const v = headers[name] ?? headers[name.toLowerCase()];
		return Array.isArray(v) ? v[0] : v;
	};
	const retryAfter = parseRetryAfter(header('retry-after'), nowMs);
	if (retryAfter !== undefined) return retryAfter;
	for (const name of ['ratelimit-reset', 'x-ratelimit-reset', 'x-rate-limit-reset']) {
		const raw = header(name);
		const value = typeof raw === 'string' || typeof raw === 'number' ? Number(raw) : NaN;
		if (!Number.isFinite(value) || value < 0) continue;
		// Large values are Unix times (seconds), small ones a number of seconds to wait.
		return value > 1e9 ? Math.max(0, value * 1000 - nowMs) : Math.round(value * 1000);
	}
	return undefined;
}

export const getIxCredential = credentialReader(IX_CREDENTIAL, (raw) => credentialSchema.parse(raw));

/** Error carrying only redacted, user-facing text; `ambiguous` marks "the server may have done it". */
export function ixError(
	ctx: ApiContext,
	message: string,
	opts: { status?: number; description?: string; itemIndex?: number; ambiguous?: boolean; secrets?: string[] },
): NodeApiError {
	const { ambiguous, ...rest } = opts;
	return apiError(ctx, message, { ...rest, flags: ambiguous ? { ambiguous: true } : undefined });
}

export function isAmbiguousFailure(error: unknown): boolean {
	const e = error as { errorResponse?: { ambiguous?: unknown }; cause?: { ambiguous?: unknown } } | undefined;
	return e?.errorResponse?.ambiguous === true || e?.cause?.ambiguous === true;
}

export { errorStatus };

/**
 * The one way this package talks to InvoicExpress: JSON in and out, the credential's base URL, retries
 * with back-off for what is safe to repeat, and errors whose text never contains the API key.
 */
export async function ixRequest(
	ctx: ApiContext,
	method: IHttpRequestMethods,
	path: string,
	req: IxRequest = {},
): Promise<IxResponse> {
	const credential = await getIxCredential(ctx);
	const secrets = [credential.apiKey];
	let baseURL: string;
	try {
		baseURL = ixBaseUrl(credential);
	} catch (error) {
		throw ixError(ctx, (error as Error).message, { itemIndex: req.itemIndex, secrets });
	}
	const options: IHttpRequestOptions = {
		method,
		url: req.absoluteUrl ?? (path.startsWith('/') ? path : `/${path}`),
		headers: req.binary
			? { Accept: 'application/pdf, application/octet-stream, */*' }
			: { Accept: 'application/json', 'Content-Type': 'application/json' },
		qs: req.qs ? { ...req.qs } : undefined,
		body: req.body,
		json: !req.binary,
		timeout: req.timeoutMs ?? ixPolicy(ctx).timeoutMs ?? DEFAULT_TIMEOUT_MS,
		// Filters such as `status[]` repeat the key for each value.
		arrayFormat: 'repeat',
	};
	if (!req.absoluteUrl) options.baseURL = baseURL;
	if (req.binary) options.encoding = 'arraybuffer';
	const retry = req.retry ?? (method === 'POST' ? 'rateLimitOnly' : 'idempotent');
	const action = req.action ?? `${method} ${path}`;
	const backoff = ixPolicy(ctx);
	const limiter = perContext(ctx, 'invoicexpress', () => new AdaptiveLimiter({
		...IX_LIMITS,
		perMinuteAfterThrottle: backoff.perMinuteAfterThrottle,
		pauseBaseMs: backoff.baseDelayMs,
		pauseMaxMs: Math.min(backoff.pauseMaxMs ?? backoff.maxDelayMs, backoff.maxDelayMs),
		serverPauseMaxMs: backoff.maxDelayMs * 4,
	}));
	const fail = (message: string, opts: { status?: number; description?: string; ambiguous?: boolean }) =>
		ixError(ctx, message, { ...opts, itemIndex: req.itemIndex, secrets });
	const policy: ServicePolicy = {
		backoff,
		gate: limiterGate(limiter, ixServerWaitMs),
		repeatable: retry === 'idempotent',
		accept: req.accept,
		refuseHtml: !req.binary,
		// After a 429 the limiter holds every request of the execution until the pause is over.
		retryDelay: ({ status, headers }, { attempt }) =>
			status === 429 ? 0 : backoffDelay(attempt, backoff, parseRetryAfter(headers['retry-after'], Date.now())),
		keepRetrying: ({ status }, { startedAt }) =>
			status === 429 && backoff.rateLimitWaitMs !== undefined && Date.now() - startedAt < backoff.rateLimitWaitMs,
		// n8n replaces messages that contain socket error codes with generic text, so the code and the
		// client's words go in the description.
		networkError: (outcome, { attempt }) =>
			fail(`InvoicExpress could not be reached to ${action} (${networkWords(outcome.code)})`, {
				description: `${outcome.message} [${outcome.code}]. ${
					retry === 'idempotent'
						? `Tried ${attempt} time(s). Check the account name or base URL in the credential, and the network.`
						: 'The request may or may not have reached InvoicExpress.'
				}`,
				ambiguous: retry !== 'idempotent',
			}),
		htmlError: (status, page) =>
			fail(`InvoicExpress could not ${action}: the address answered an HTML page ("${page}"), not the InvoicExpress API`, {
				status,
				description: 'Check the account name and the Base URL Override in the InvoicExpress credential.',
			}),
		statusError: ({ status, body }) => {
			const apiWords = parseIxErrorBody(body);
			return fail(`InvoicExpress could not ${action} (HTTP ${status})${apiWords ? `: ${apiWords}` : ''}`, {
				status,
				description: ixStatusHint(status),
				ambiguous: retry !== 'idempotent' && status >= 500,
			});
		},
	};
	return await requestWithRetries(async () => await sendAuthenticated(ctx, IX_CREDENTIAL, options), policy);
}

const paginationSchema = z
	.object({
		total_pages: z.coerce.number().optional(),
		current_page: z.coerce.number().optional(),
		total_entries: z.coerce.number().optional(),
		per_page: z.coerce.number().optional(),
	})
	.passthrough();

/**
 * Every "Get Many": follows `pagination.total_pages` whatever page size the server chose (accounts cap
 * it at 10, 20 or 30), and stops as soon as `limit` items are in hand.
 */
export async function ixGetAll(
	ctx: ApiContext,
	path: string,
	rootKey: string,
	qs: IDataObject = {},
	limit?: number,
	itemIndex?: number,
): Promise<IDataObject[]> {
	const out: IDataObject[] = [];
	const perPage = limit !== undefined ? Math.min(Math.max(limit, 1), 100) : 100;
	for (let page = 1; ; page++) {
		const { body } = await ixRequest(ctx, 'GET', path, {
			qs: { ...qs, page, per_page: perPage },
			itemIndex,
			action: `list ${rootKey}`,
		});
		const json = bodyJson(body) as IDataObject | undefined;
		const items = (json?.[rootKey] ?? []) as IDataObject[];
		if (!Array.isArray(items)) {
			throw ixError(ctx, `InvoicExpress answered an unexpected list shape for ${rootKey}`, { itemIndex });
		}
		out.push(...items);
		if (limit !== undefined && out.length >= limit) return out.slice(0, limit);
		const pagination = paginationSchema.safeParse(json?.pagination ?? {});
		const totalPages = pagination.success ? pagination.data.total_pages : undefined;
		if (items.length === 0 || totalPages === undefined || page >= totalPages) return out;
	}
}

/** Create and change-state answers are keyed by the singular type (`invoice_receipt`, ...), not always `invoice`. */
export function unwrapRoot(body: unknown): IDataObject | undefined {
	const json = bodyJson(body);
	if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
	const entries = Object.entries(json as IDataObject);
	if (entries.length === 1 && entries[0][1] && typeof entries[0][1] === 'object' && !Array.isArray(entries[0][1])) {
		return entries[0][1] as IDataObject;
	}
	return json as IDataObject;
}

/** GET of a public file (no credential) with the same retry rules as idempotent API calls. */
export async function downloadFile(
	ctx: ApiContext,
	url: string,
	opts: { itemIndex?: number; action: string; timeoutMs?: number },
): Promise<Buffer> {
	const credential = await getIxCredential(ctx);
	const secrets = [credential.apiKey];
	const backoff = ixPolicy(ctx);
	const fail = (detail: string, description?: string) =>
		ixError(ctx, `Could not ${opts.action} (${detail})`, { itemIndex: opts.itemIndex, description, secrets });
	// A public file: no credential, no account budget, and every failure may be repeated.
	const policy: ServicePolicy = {
		backoff,
		gate: OPEN_GATE,
		repeatable: true,
		refuseHtml: false,
		retryDelay: (_response, { attempt }) => backoffDelay(attempt, backoff),
		networkError: (outcome) => fail(networkWords(outcome.code), `${outcome.message} [${outcome.code}]`),
		htmlError: (status) => fail(`HTTP ${status}`),
		statusError: ({ status }) => fail(`HTTP ${status}`),
	};
	const send = async (): Promise<HttpOutcome> => {
		try {
			const res = (await ctx.helpers.httpRequest({
				method: 'GET',
				url,
				encoding: 'arraybuffer',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: opts.timeoutMs ?? backoff.timeoutMs ?? DEFAULT_TIMEOUT_MS,
			})) as { statusCode: number; headers?: IDataObject; body: unknown };
			return { kind: 'response', status: res.statusCode, headers: res.headers ?? {}, body: res.body };
		} catch (error) {
			return { kind: 'network', code: String((error as { code?: unknown }).code ?? 'UNKNOWN'), message: (error as Error).message };
		}
	};
	const { body } = await requestWithRetries(send, policy);
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	return Buffer.from(String(body ?? ''), 'binary');
}
