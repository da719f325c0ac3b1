import type { IDataObject, IHttpRequestMethods, NodeApiError } from 'n8n-workflow';
import { z } from 'zod';

import { apiError } from '../../../shared/errors';
import { networkWords, type ApiContext } from '../../../shared/http';
import { ResetWindow } from '../../../shared/limiter';
import { perContext, type ServicePolicy, type Verdict } from '../../../shared/request';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, type BackoffPolicy } from '../../../shared/retry';
import { atLeastOne, backoffFields, durationMs, settingsFor } from '../../../shared/settings';
import { epStatusHint, epStatusSummary, isBareReason, parseEpErrorBody, scopeFor } from './errors';

/**
 * How epRequest repeats and reports a request (the shared request loop's policy for ePages): the
 * back-off, the shop's hourly rate-limit window, the 429 and the 409 of an order in edit mode, and
 * errors that name what the request was doing and never contain the access token.
 */

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
 * A complete `ePages` section: the back-off's three fields. The ePages-only limits, when not given,
 * are scaled from the given delays (this service's rule): as many 409 attempts as the back-off allows
 * up to the default's, and a rate-limit wait of fifty times the longest delay.
 */
const epSettingsSchema = z
	.object({ ...backoffFields, conflictAttempts: atLeastOne.optional(), maxRateLimitWaitMs: durationMs.optional() })
	.strict()
	.transform(
		(given): Required<EpBackoffPolicy> => ({
			...given,
			conflictAttempts: given.conflictAttempts ?? Math.min(DEFAULT_EP_BACKOFF.conflictAttempts, given.maxAttempts),
			maxRateLimitWaitMs: given.maxRateLimitWaitMs ?? given.maxDelayMs * 50,
		}),
	);

/**
 * The back-off of ePages requests: the defaults above (the package's tests shorten them through
 * nodes/shared/settings.ts; nothing in a workflow does).
 */
export const epBackoffPolicy: () => Required<EpBackoffPolicy> = settingsFor('ePages', DEFAULT_EP_BACKOFF, epSettingsSchema);

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

/** One request as its policy and its error messages see it. */
export interface EpCall {
	method: IHttpRequestMethods;
	/** The path below the API URL ('' for the shop itself). */
	url: string;
	/** What the request is doing, for error messages ("get order 1234"). */
	action: string;
	itemIndex?: number;
	/** Statuses handed back to the caller instead of thrown. */
	accept?: number[];
	/** A JSON Patch: a 409 (order in edit mode) is retried. */
	patch?: boolean;
	secrets: string[];
}

type EpFail = (message: string, opts: { status?: number; description?: string }) => NodeApiError;

/**
 * How the shared request loop treats an ePages request: every request may be repeated, the shop's
 * hourly window (its remaining-calls headers) gates the execution, and a 429 or the 409 of an order
 * in edit mode are ePages's own (see rateLimited, editConflict).
 */
export function epPolicy(ctx: ApiContext, call: EpCall): ServicePolicy {
	const { method, url, action } = call;
	const backoff = epBackoffPolicy();
	const window = perContext(ctx, 'ePages', () => new ResetWindow(() => epBackoffPolicy().maxRateLimitWaitMs, announcedBudget));
	const fail: EpFail = (message, opts) => apiError(ctx, message, { ...opts, itemIndex: call.itemIndex, secrets: call.secrets });
	return {
		backoff,
		gate: window,
		repeatable: true,
		accept: call.accept,
		refuseHtml: true,
		special: ({ status, headers, body }, { attempt, last }) => {
			if (status === 429) return rateLimited(ctx, call, headers, { backoff, window, attempt, last });
			if (status === 409 && call.patch) return editConflict(call, body, backoff, attempt, fail);
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
}

/** A 429: waited out when the shop's reset comes within `maxRateLimitWaitMs`, else an error that says when the limit resets. */
function rateLimited(
	ctx: ApiContext,
	call: EpCall,
	headers: IDataObject,
	at: { backoff: Required<EpBackoffPolicy>; window: ResetWindow; attempt: number; last: boolean },
): Verdict {
	const { backoff, window, attempt, last } = at;
	const nowMs = Date.now();
	const wait = serverWaitMs(headers, nowMs);
	if ((wait !== undefined && wait > backoff.maxRateLimitWaitMs) || last) {
		return { retry: false, error: rateLimitError(ctx, call.action, wait !== undefined ? nowMs + wait : undefined, call.itemIndex, call.secrets) };
	}
	const delayMs = wait !== undefined ? wait + Math.round(Math.random() * backoff.baseDelayMs) : backoffDelay(attempt, backoff);
	return { retry: true, delayMs, afterDelay: () => window.forget() };
}

/** A 409 on a patch: the order is open in the shop administration; tried again a few times, then an error naming it. */
function editConflict(call: EpCall, body: unknown, backoff: Required<EpBackoffPolicy>, attempt: number, fail: EpFail): Verdict {
	if (attempt < backoff.conflictAttempts) return { retry: true, delayMs: backoffDelay(attempt, backoff) };
	const ref = /\/orders\/([^/?]+)/.exec(call.url)?.[1];
	const subject = ref ? `order ${decodeURIComponent(ref)}` : 'the order';
	const parsed = parseEpErrorBody(body);
	return {
		retry: false,
		error: fail(`ePages could not ${call.action} (HTTP 409): ${subject} is being edited in the shop administration; try again later`, {
			status: 409,
			description: `${parsed.text ? `ePages said: ${parsed.text}. ` : ''}Tried ${attempt} time(s). ${epStatusHint(409, { html: false })}`,
		}),
	};
}

function rateLimitError(
	ctx: ApiContext,
	action: string,
	resetAt: number | undefined,
	itemIndex: number | undefined,
	secrets: string[],
): NodeApiError {
	const when = resetAt !== undefined ? ` The limit resets at ${new Date(resetAt).toISOString()}.` : '';
	return apiError(ctx, `ePages could not ${action} (HTTP 429): the rate limit of the access token is used up`, {
		status: 429,
		description: `${epStatusHint(429, { html: true })}${when}`,
		itemIndex,
		secrets,
	});
}
