import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { HttpOutcome } from './http';
import type { RateGate } from './request';

export interface LimiterOptions {
	initial: number;
	min: number;
	max: number;
	/** Keep requests under this many per minute, from the start. */
	perMinute?: number;
	/**
	 * Keep requests under this many per minute once the service has answered 429: an execution that
	 * never reaches the limit pays nothing, one that does stops bursting into it.
	 */
	perMinuteAfterThrottle?: number;
	/** First pause of the whole limiter after a 429 without a server-given wait (default 500). */
	pauseBaseMs?: number;
	/** Longest such pause; the pause doubles while the service keeps answering 429 (default 30000). */
	pauseMaxMs?: number;
	/** Cap on a server-given wait, so that a bogus header cannot stall a workflow (default 120000). */
	serverPauseMaxMs?: number;
}

/** Releases the slot; `epoch` tells the limiter which pause the request was sent after. */
export type Release = (() => void) & { readonly epoch: number };

/**
 * Bounded, self-adjusting concurrency for the requests of one node execution, the InvoicExpress gate:
 * its 780 requests per minute per account are shared with everything else the merchant runs and it
 * announces nothing before a 429, so the limiter starts modest, grows by one after a run of successes
 * and halves on a 429 (additive increase, multiplicative decrease). ePages announces its hourly budget
 * in every answer, so its gate (ResetWindow, below) only has to read it.
 *
 * A 429 also pauses the whole limiter: the limit is per account, so every request of the execution
 * would get the same answer, and letting each one back off on its own leaves the window idle after it
 * has reset. After the pause a single request probes; when it passes, all resume. Without a
 * server-given wait the pause starts short and doubles while probes keep failing.
 */
export class AdaptiveLimiter {
	private limit: number;
	private inFlight = 0;
	private successes = 0;
	private readonly waiting: Array<() => void> = [];
	private nextSlotAt = 0;
	/** Incremented by every pause; requests sent before it carry an older epoch. */
	private epoch = 0;
	private resumeAt = 0;
	/** Consecutive pauses without a success in between. */
	private streak = 0;
	private probing = false;
	private probeOut = false;
	private paced = false;
	/** Observed 429 answers, for reporting. */
	throttled = 0;
	/** Pauses of the whole limiter, for reporting and tests. */
	pauses = 0;

	constructor(private readonly opts: LimiterOptions) {
		this.limit = opts.initial;
		this.paced = opts.perMinute !== undefined;
	}

	get currentLimit(): number {
		return this.limit;
	}

	/** Requests per minute being kept to, or undefined when none. */
	get pace(): number | undefined {
		if (!this.paced) return undefined;
		return this.opts.perMinute ?? this.opts.perMinuteAfterThrottle;
	}

	/** Milliseconds until the current pause ends (0 when not paused). */
	pausedForMs(now = Date.now()): number {
		return Math.max(0, this.resumeAt - now);
	}

	async acquire(): Promise<Release> {
		for (;;) {
			const now = Date.now();
			if (now < this.resumeAt) {
				await sleep(this.resumeAt - now);
				continue;
			}
			if (this.inFlight >= this.limit || (this.probing && this.probeOut)) {
				await new Promise<void>((resolve) => this.waiting.push(resolve));
				continue;
			}
			const epoch = this.epoch;
			const probe = this.probing;
			if (probe) this.probeOut = true;
			this.inFlight++;
			const pace = this.pace;
			if (pace) {
				const interval = 60000 / pace;
				const at = Math.max(now, this.nextSlotAt);
				this.nextSlotAt = at + interval;
				if (at > now) await sleep(at - now);
				if (this.epoch !== epoch) {
					// A 429 paused everything while this request waited for its slot.
					this.inFlight--;
					if (probe) this.probeOut = false;
					continue;
				}
			}
			return this.release(epoch, probe);
		}
	}

	private release(epoch: number, probe: boolean): Release {
		let released = false;
		const release = () => {
			if (released) return;
			released = true;
			this.inFlight--;
			if (probe && this.probing && this.epoch === epoch) {
				// The probe was not throttled: the window is open again.
				this.probing = false;
				this.probeOut = false;
				this.streak = 0;
				this.wakeAll();
				return;
			}
			if (probe && this.probing) this.probeOut = false;
			this.waiting.shift()?.();
		};
		return Object.assign(release, { epoch });
	}

	private wakeAll(): void {
		for (const wake of this.waiting.splice(0)) wake();
	}

	onSuccess(): void {
		this.successes++;
		if (this.successes >= this.limit * 2 && this.limit < this.opts.max) {
			this.limit++;
			this.successes = 0;
			this.waiting.shift()?.();
		}
	}

	/**
	 * A 429. `epoch` is the one of the throttled request's Release: answers to requests sent before
	 * the current pause are the same event as the one that started it and change nothing more.
	 * `retryAfterMs` is the server's wait when it gave one.
	 */
	onThrottle(info: { epoch?: number; retryAfterMs?: number } = {}): void {
		this.throttled++;
		if (info.epoch !== undefined && info.epoch !== this.epoch) return;
		this.successes = 0;
		this.limit = Math.max(this.opts.min, Math.floor(this.limit / 2));
		if (this.opts.perMinuteAfterThrottle !== undefined) this.paced = true;
		this.streak++;
		this.pauses++;
		this.epoch++;
		const base = this.opts.pauseBaseMs ?? 500;
		const probeWait = Math.min(this.opts.pauseMaxMs ?? 30000, base * 2 ** (this.streak - 1));
		const server = info.retryAfterMs;
		let wait: number;
		if (server !== undefined && Number.isFinite(server) && server >= 0) {
			// Trusted the first time; if the probe after it fails too, the header is not to be relied
			// on and the doubling pause is the floor.
			wait = Math.min(server, this.opts.serverPauseMaxMs ?? 120000);
			if (this.streak > 1) wait = Math.max(wait, probeWait);
		} else {
			wait = probeWait;
		}
		this.resumeAt = Math.max(this.resumeAt, Date.now() + wait);
		this.probing = true;
		this.probeOut = false;
		// Queued requests wake up to sleep until the pause is over, and then compete for the probe.
		this.wakeAll();
	}
}

/**
 * The InvoicExpress gate: a request waits for a slot of the execution's limiter, and its answer
 * adjusts the limiter before the slot is released (a throttled probe must not reopen it for the others).
 */
export function limiterGate(limiter: AdaptiveLimiter, serverWaitMs: (headers: IDataObject, nowMs: number) => number | undefined): RateGate {
	return {
		async enter() {
			const release = await limiter.acquire();
			return (outcome: HttpOutcome) => {
				if (outcome.kind === 'response' && outcome.status === 429) {
					limiter.onThrottle({ epoch: release.epoch, retryAfterMs: serverWaitMs(outcome.headers, Date.now()) });
				} else if (outcome.kind === 'response' && outcome.status < 300) {
					limiter.onSuccess();
				}
				release();
			};
		},
	};
}

/**
 * The ePages gate: the shop announces its hourly budget in every answer (remaining calls and the
 * reset time). When the last answer said none are left, the next request waits for the reset, if it
 * is near, instead of collecting a 429.
 */
export class ResetWindow implements RateGate {
	private window: { remaining: number; resetAt: number } | undefined;

	constructor(
		private readonly maxWaitMs: () => number,
		private readonly read: (headers: IDataObject, nowMs: number) => { remaining: number; waitMs: number } | undefined,
	) {}

	async enter() {
		const window = this.window;
		if (window && window.remaining <= 0) {
			const wait = window.resetAt - Date.now();
			this.window = undefined;
			if (wait > 0 && wait <= this.maxWaitMs()) await sleep(wait);
		}
		return (outcome: HttpOutcome) => {
			if (outcome.kind !== 'response') return;
			const now = Date.now();
			const known = this.read(outcome.headers, now);
			if (known) this.window = { remaining: known.remaining, resetAt: now + known.waitMs };
		};
	}

	/** The wait a 429 asked for is served: its "0 remaining" must not cause a second one. */
	forget(): void {
		this.window = undefined;
	}
}
