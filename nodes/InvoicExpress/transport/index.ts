import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';
import { z } from 'zod';

import { bodyJson, htmlSummary, networkWords, sendAuthenticated, type ApiContext, type HttpOutcome } from '../../shared/http';
import { apiError, credentialReader, errorStatus } from '../../shared/errors';
import { limiterFor } from '../../shared/limiter';
import {
	backoffDelay,
	DEFAULT_BACKOFF,
	isTransientNetworkCode,
	isTransientStatus,
	parseRetryAfter,
	type BackoffPolicy,
} from '../../shared/retry';
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

export interface IxResponse {
	status: number;
	body: unknown;
	headers: IDataObject;
}

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
let backoffPolicy: IxRatePolicy = IX_BACKOFF;
let timeoutMs = DEFAULT_TIMEOUT_MS;
/** Tests shorten the request timeout to exercise slow answers quickly. */
export function setIxTimeout(ms: number): void {
	timeoutMs = ms;
}
/** Tests shorten the back-off (and leave out the pace unless they give one); workflows always use the default. */
export function setIxBackoffPolicy(policy: IxRatePolicy): void {
	backoffPolicy = policy;
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
		timeout: req.timeoutMs ?? timeoutMs,
		// Filters such as `status[]` repeat the key for each value.
		arrayFormat: 'repeat',
	};
	if (!req.absoluteUrl) options.baseURL = baseURL;
	if (req.binary) options.encoding = 'arraybuffer';
	const retry = req.retry ?? (method === 'POST' ? 'rateLimitOnly' : 'idempotent');
	const action = req.action ?? `${method} ${path}`;

	const limiter = limiterFor(ctx, 'invoicexpress', {
		...IX_LIMITS,
		perMinuteAfterThrottle: backoffPolicy.perMinuteAfterThrottle,
		pauseBaseMs: backoffPolicy.baseDelayMs,
		pauseMaxMs: Math.min(backoffPolicy.pauseMaxMs ?? backoffPolicy.maxDelayMs, backoffPolicy.maxDelayMs),
		serverPauseMaxMs: backoffPolicy.maxDelayMs * 4,
	});
	const startedAt = Date.now();
	for (let attempt = 1; ; attempt++) {
		const release = await limiter.acquire();
		let outcome: HttpOutcome;
		try {
			outcome = await sendAuthenticated(ctx, IX_CREDENTIAL, options);
			// Before the release: a throttled probe must not reopen the limiter for the others.
			if (outcome.kind === 'response' && outcome.status === 429) {
				limiter.onThrottle({ epoch: release.epoch, retryAfterMs: ixServerWaitMs(outcome.headers, Date.now()) });
			} else if (outcome.kind === 'response' && outcome.status < 300) {
				limiter.onSuccess();
			}
		} finally {
			release();
		}
		const last = attempt >= backoffPolicy.maxAttempts;
		if (outcome.kind === 'network') {
			const canRetry = retry === 'idempotent' && isTransientNetworkCode(outcome.code);
			if (canRetry && !last) {
				await sleep(backoffDelay(attempt, backoffPolicy));
				continue;
			}
			// n8n replaces messages that contain socket error codes with generic text, so the
			// code and the client's words go in the description.
			throw ixError(ctx, `InvoicExpress could not be reached to ${action} (${networkWords(outcome.code)})`, {
				description: `${outcome.message} [${outcome.code}]. ${
					retry === 'idempotent'
						? `Tried ${attempt} time(s). Check the account name or base URL in the credential, and the network.`
						: 'The request may or may not have reached InvoicExpress.'
				}`,
				itemIndex: req.itemIndex,
				ambiguous: retry !== 'idempotent',
				secrets,
			});
		}
		const { status } = outcome;
		if (status >= 200 && status < 300) {
			// A login or parking page answering 200 where the API should be: say so, not "unexpected shape".
			const page = !req.binary && typeof outcome.body === 'string' ? htmlSummary(outcome.body) : undefined;
			if (page !== undefined) {
				throw ixError(ctx, `InvoicExpress could not ${action}: the address answered an HTML page ("${page}"), not the InvoicExpress API`, {
					status,
					description: 'Check the account name and the Base URL Override in the InvoicExpress credential.',
					itemIndex: req.itemIndex,
					secrets,
				});
			}
			return { status, body: outcome.body, headers: outcome.headers };
		}
		if (req.accept?.includes(status)) return { status, body: outcome.body, headers: outcome.headers };
		const transient = isTransientStatus(status);
		const canRetry = transient && (status === 429 || retry === 'idempotent');
		const rateLimitTime = status === 429 && backoffPolicy.rateLimitWaitMs !== undefined && Date.now() - startedAt < backoffPolicy.rateLimitWaitMs;
		if (canRetry && (!last || rateLimitTime)) {
			// After a 429 the limiter holds every request of the execution until the pause is over.
			if (status !== 429) {
				const serverDelay = parseRetryAfter(outcome.headers['retry-after'], Date.now());
				await sleep(backoffDelay(attempt, backoffPolicy, serverDelay));
			}
			continue;
		}
		const apiWords = parseIxErrorBody(outcome.body);
		throw ixError(
			ctx,
			`InvoicExpress could not ${action} (HTTP ${status})${apiWords ? `: ${apiWords}` : ''}`,
			{
				status,
				description: ixStatusHint(status),
				itemIndex: req.itemIndex,
				ambiguous: retry !== 'idempotent' && status >= 500,
				secrets,
			},
		);
	}
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
	for (let attempt = 1; ; attempt++) {
		let outcome: HttpOutcome;
		try {
			const res = (await ctx.helpers.httpRequest({
				method: 'GET',
				url,
				encoding: 'arraybuffer',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: opts.timeoutMs ?? timeoutMs,
			})) as { statusCode: number; headers?: IDataObject; body: unknown };
			outcome = { kind: 'response', status: res.statusCode, headers: res.headers ?? {}, body: res.body };
		} catch (error) {
			outcome = { kind: 'network', code: String((error as { code?: unknown }).code ?? 'UNKNOWN'), message: (error as Error).message };
		}
		const last = attempt >= backoffPolicy.maxAttempts;
		if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
			const body = outcome.body;
			if (Buffer.isBuffer(body)) return body;
			if (body instanceof ArrayBuffer) return Buffer.from(body);
			if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
			return Buffer.from(String(body ?? ''), 'binary');
		}
		const transient =
			outcome.kind === 'network' ? isTransientNetworkCode(outcome.code) : isTransientStatus(outcome.status);
		if (transient && !last) {
			await sleep(backoffDelay(attempt, backoffPolicy));
			continue;
		}
		const detail = outcome.kind === 'network' ? networkWords(outcome.code) : `HTTP ${outcome.status}`;
		throw ixError(ctx, `Could not ${opts.action} (${detail})`, {
			itemIndex: opts.itemIndex,
			description: outcome.kind === 'network' ? `${outcome.message} [${outcome.code}]` : undefined,
			secrets,
		});
	}
}
