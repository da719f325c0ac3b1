import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { htmlSummary, type HttpOutcome } from './http';
import { backoffDelay, isTransientNetworkCode, isTransientStatus, type BackoffPolicy } from './retry';

/** An HTTP answer of any status. */
export interface HttpResponse {
	status: number;
	body: unknown;
	headers: IDataObject;
}

export interface Attempt {
	/** Counts from 1. */
	attempt: number;
	/** When the first attempt started. */
	startedAt: number;
	/** The policy's attempts are used up. */
	last: boolean;
}

/** What to do after one attempt. */
export type Verdict =
	| { retry: true; delayMs: number; /** Runs once the delay is served. */ afterDelay?: () => void }
	| { retry: false; response: HttpResponse }
	| { retry: false; error: Error };

/**
 * The service's rate limit as the loop sees it: wait before sending, and learn from the answer (a
 * 429, the remaining-calls headers). Both services share their budget with everything else the
 * merchant runs, so the gate is per execution and per service.
 */
export interface RateGate {
	enter(): Promise<(outcome: HttpOutcome) => void>;
}

export const OPEN_GATE: RateGate = { enter: async () => () => {} };

/**
 * The rules of one service (and one kind of request of it) that decide an attempt: everything that
 * differs between ePages and InvoicExpress, or between a GET and a POST that creates a document.
 */
export interface ServicePolicy {
	backoff: BackoffPolicy;
	gate: RateGate;
	/**
	 * Whether a request whose outcome is unknown (lost answer, 5xx) may be sent again. False for a
	 * POST that creates a document: a repeat could create a second one, so only a 429 (the server did
	 * nothing) is retried and the caller resolves the rest.
	 */
	repeatable: boolean;
	/** Statuses handed back to the caller instead of failing (404 for "find"). */
	accept?: number[];
	/** A 2xx HTML page (a login or parking page where the API should be) is an error, not data. */
	refuseHtml: boolean;
	/** Statuses the service treats in its own way (ePages: 429 with its reset time, 409 on a patch). */
	special?: (response: HttpResponse, at: Attempt) => Verdict | undefined;
	/** Wait before repeating after a transient status; 0 when the gate already holds the request. */
	retryDelay: (response: HttpResponse, at: Attempt) => number;
	/** Whether a 429 is still retried once the attempts are used up (InvoicExpress: for two minutes). */
	keepRetrying?: (response: HttpResponse, at: Attempt) => boolean;
	networkError: (outcome: Extract<HttpOutcome, { kind: 'network' }>, at: Attempt) => Error;
	htmlError: (status: number, page: string) => Error;
	statusError: (response: HttpResponse, at: Attempt) => Error;
}

/** The decision shared by both services; `special` comes first for the statuses a service owns. */
export function judge(policy: ServicePolicy, outcome: HttpOutcome, at: Attempt): Verdict {
	if (outcome.kind === 'network') {
		if (policy.repeatable && isTransientNetworkCode(outcome.code) && !at.last) {
			return { retry: true, delayMs: backoffDelay(at.attempt, policy.backoff) };
		}
		return { retry: false, error: policy.networkError(outcome, at) };
	}
	const response: HttpResponse = { status: outcome.status, body: outcome.body, headers: outcome.headers };
	if (response.status >= 200 && response.status < 300) {
		const page = policy.refuseHtml && typeof response.body === 'string' ? htmlSummary(response.body) : undefined;
		if (page !== undefined) return { retry: false, error: policy.htmlError(response.status, page) };
		return { retry: false, response };
	}
	if (policy.accept?.includes(response.status)) return { retry: false, response };
	const special = policy.special?.(response, at);
	if (special) return special;
	const retriable = isTransientStatus(response.status) && (response.status === 429 || policy.repeatable);
	if (retriable && (!at.last || policy.keepRetrying?.(response, at) === true)) {
		return { retry: true, delayMs: policy.retryDelay(response, at) };
	}
	return { retry: false, error: policy.statusError(response, at) };
}

/**
 * The one request loop of the package: through the service's gate, one attempt, the service's
 * verdict, and again after the verdict's delay. `send` never throws (failures are outcomes).
 */
export async function requestWithRetries(send: () => Promise<HttpOutcome>, policy: ServicePolicy): Promise<HttpResponse> {
	const startedAt = Date.now();
	for (let attempt = 1; ; attempt++) {
		const done = await policy.gate.enter();
		let outcome: HttpOutcome = { kind: 'network', code: 'UNKNOWN', message: 'no answer' };
		try {
			outcome = await send();
		} finally {
			// Before anything else: a throttled answer must hold the other requests of the execution.
			done(outcome);
		}
		const verdict = judge(policy, outcome, { attempt, startedAt, last: attempt >= policy.backoff.maxAttempts });
		if (!verdict.retry) {
			if ('error' in verdict) throw verdict.error;
			return verdict.response;
		}
		if (verdict.delayMs > 0) await sleep(verdict.delayMs);
		verdict.afterDelay?.();
	}
}

/** One value per execution context and key (limiters, rate windows): an execution's state dies with it. */
export function perContext<T>(ctx: object, key: string, create: () => T): T {
	let byKey = contextState.get(ctx);
	if (!byKey) {
		byKey = new Map();
		contextState.set(ctx, byKey);
	}
	if (!byKey.has(key)) byKey.set(key, create());
	return byKey.get(key) as T;
}

const contextState = new WeakMap<object, Map<string, unknown>>();

/**
 * A value read once per execution context (a credential, the account's taxes, a client list): every
 * caller of the execution awaits the same read, and a failed read is forgotten so that the next caller
 * tries again instead of inheriting the failure.
 */
export function oncePerContext<T>(ctx: object, key: string, load: () => Promise<T>): Promise<T> {
	const byKey = perContext(ctx, '', () => new Map<string, Promise<unknown>>());
	let pending = byKey.get(key) as Promise<T> | undefined;
	if (!pending) {
		const loading = load();
		pending = loading;
		byKey.set(key, loading);
		loading.catch(() => {
			if (byKey.get(key) === loading) byKey.delete(key);
		});
	}
	return pending;
}
