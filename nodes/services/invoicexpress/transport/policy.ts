import type { IDataObject, NodeApiError } from 'n8n-workflow';
import { z } from 'zod';

import { apiError } from '../../../shared/errors';
import { networkWords, type ApiContext } from '../../../shared/http';
import { AdaptiveLimiter, limiterGate } from '../../../shared/limiter';
import { perContext, type ServicePolicy } from '../../../shared/request';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, type BackoffPolicy } from '../../../shared/retry';
import { backoffFields, durationMs, settingsFor } from '../../../shared/settings';
import { ixStatusHint, parseIxErrorBody } from './errors';

/**
 * How ixRequest repeats and reports a request (the shared request loop's policy for InvoicExpress):
 * which requests may be repeated, the account's per-minute budget shared by the requests of an
 * execution, and errors that say whether InvoicExpress may have done what was asked.
 */

/**
 * How a request may be repeated after a failure:
 * - `idempotent`: GET, PUT and state changes; repeat on 429, 5xx and network faults.
 * - `rateLimitOnly`: a POST that creates something; repeat only on 429 (the server did nothing).
 *   Other failures are ambiguous ("was it created?") and the caller resolves them.
 */
export type RetryMode = 'idempotent' | 'rateLimitOnly';

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

export interface IxSettings extends IxRatePolicy {
	/** Timeout of one request (absent: DEFAULT_TIMEOUT_MS). */
	timeoutMs?: number;
	/** How long a create whose answer was lost is looked for before it is sent again (absent: documents.ts's default). */
	createRecoveryWaitMs?: number;
}

/**
 * A complete `invoicExpress` section: the back-off's three fields. An absent optional field is not
 * used: no wait on 429s beyond maxAttempts (rateLimitWaitMs), no pace after a throttle
 * (perMinuteAfterThrottle), the probe pause capped by maxDelayMs only (pauseMaxMs); the timeout and the
 * recovery wait take their defaults.
 */
const ixSettingsSchema = z
	.object({
		...backoffFields,
		rateLimitWaitMs: durationMs.optional(),
		perMinuteAfterThrottle: z.number().finite().positive().optional(),
		pauseMaxMs: durationMs.optional(),
		timeoutMs: durationMs.optional(),
		createRecoveryWaitMs: durationMs.optional(),
	})
	.strict();

/**
 * The retry settings of InvoicExpress requests: the defaults above (the package's tests shorten them
 * through nodes/shared/settings.ts; nothing in a workflow does).
 */
export const ixSettings: () => IxSettings = settingsFor('invoicExpress', IX_BACKOFF, ixSettingsSchema);

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

/** One request as its policy and its error messages see it. */
export interface IxCall {
	/** What the request is doing, for error messages ("create the invoice"). */
	action: string;
	retry: RetryMode;
	/** Raw bytes (the PDF): an HTML answer is then not refused as a login page. */
	binary?: boolean;
	/** Statuses handed back to the caller instead of thrown. */
	accept?: number[];
	itemIndex?: number;
	secrets: string[];
}

/**
 * The execution's limiter: every request of an execution shares the account's budget, so one
 * limiter per execution, made with this node's pace and pauses.
 */
function ixLimiter(ctx: ApiContext, backoff: IxSettings): AdaptiveLimiter {
	return perContext(ctx, 'invoicexpress', () => new AdaptiveLimiter({
		...IX_LIMITS,
		perMinuteAfterThrottle: backoff.perMinuteAfterThrottle,
		pauseBaseMs: backoff.baseDelayMs,
		pauseMaxMs: Math.min(backoff.pauseMaxMs ?? backoff.maxDelayMs, backoff.maxDelayMs),
		serverPauseMaxMs: backoff.maxDelayMs * 4,
	}));
}

/**
 * How the shared request loop treats an InvoicExpress request: repeated on 429, and also on 5xx and
 * network faults when it is idempotent; a 429 is waited out for `rateLimitWaitMs` whatever the
 * attempt count; a failure of a request that creates something is ambiguous ("was it created?").
 */
export function ixServicePolicy(ctx: ApiContext, call: IxCall): ServicePolicy {
	const { action, retry } = call;
	const backoff = ixSettings();
	const limiter = ixLimiter(ctx, backoff);
	const fail = (message: string, opts: { status?: number; description?: string; ambiguous?: boolean }) =>
		ixError(ctx, message, { ...opts, itemIndex: call.itemIndex, secrets: call.secrets });
	return {
		backoff,
		gate: limiterGate(limiter, ixServerWaitMs),
		repeatable: retry === 'idempotent',
		accept: call.accept,
		refuseHtml: !call.binary,
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
}
