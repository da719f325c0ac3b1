/**
 * Back-off arithmetic shared by both transports. Pure so that it can be tested without clocks.
 */
export interface BackoffPolicy {
	/** Attempts in all, the first one included. */
	maxAttempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30000 };

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): exponential with "full jitter" so that
 * parallel items hitting the same limit spread out instead of retrying in lockstep. A server-given
 * delay wins when present, capped so that a bogus header cannot stall a workflow for hours.
 */
export function backoffDelay(
	attempt: number,
	policy: BackoffPolicy,
	serverDelayMs?: number,
	random: () => number = Math.random,
): number {
	if (serverDelayMs !== undefined && Number.isFinite(serverDelayMs) && serverDelayMs >= 0) {
		return Math.min(serverDelayMs, policy.maxDelayMs * 4);
	}
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `Retry-After` is either seconds or an HTTP date. Returns milliseconds, or undefined. */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	if (text === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(parseFloat(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - nowMs);
}

/** Network-level failures after which a repeat of an idempotent request is safe. */
const TRANSIENT_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
	'ERR_STREAM_PREMATURE_CLOSE',
]);

export function isTransientNetworkCode(code: unknown): boolean {
	return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

export function isTransientStatus(status: number): boolean {
	return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}
