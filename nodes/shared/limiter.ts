import { sleep } from 'n8n-workflow';

/**
 * Bounded, self-adjusting concurrency for the requests of one node execution. Both services
 * rate-limit (InvoicExpress 780 requests per minute per account, ePages 6000 per hour per token) and
 * share that budget with everything else the merchant runs, so the limiter starts modest, grows by one
 * after a run of successes and halves on every 429 (additive increase, multiplicative decrease).
 * An optional pace keeps requests under a known per-minute limit without waiting for 429s.
 */
export class AdaptiveLimiter {
	private limit: number;
	private inFlight = 0;
	private successes = 0;
	private readonly waiting: Array<() => void> = [];
	private nextSlotAt = 0;
	/** Observed 429 answers, for reporting. */
	throttled = 0;

	constructor(
		private readonly opts: { initial: number; min: number; max: number; perMinute?: number },
	) {
		this.limit = opts.initial;
	}

	get currentLimit(): number {
		return this.limit;
	}

	async acquire(): Promise<() => void> {
		while (this.inFlight >= this.limit) {
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		}
		this.inFlight++;
		if (this.opts.perMinute) {
			const interval = 60000 / this.opts.perMinute;
			const now = Date.now();
			const at = Math.max(now, this.nextSlotAt);
			this.nextSlotAt = at + interval;
			if (at > now) await sleep(at - now);
		}
		let released = false;
		return () => {
			if (released) return;
			released = true;
			this.inFlight--;
			this.waiting.shift()?.();
		};
	}

	onSuccess(): void {
		this.successes++;
		if (this.successes >= this.limit * 2 && this.limit < this.opts.max) {
			this.limit++;
			this.successes = 0;
			this.waiting.shift()?.();
		}
	}

	onThrottle(): void {
		this.throttled++;
		this.successes = 0;
		this.limit = Math.max(this.opts.min, Math.floor(this.limit / 2));
	}
}

const limiters = new WeakMap<object, Map<string, AdaptiveLimiter>>();

/** One limiter per execution context and service. */
export function limiterFor(
	ctx: object,
	service: string,
	opts: { initial: number; min: number; max: number; perMinute?: number },
): AdaptiveLimiter {
	let byService = limiters.get(ctx);
	if (!byService) {
		byService = new Map();
		limiters.set(ctx, byService);
	}
	let limiter = byService.get(service);
	if (!limiter) {
		limiter = new AdaptiveLimiter(opts);
		byService.set(service, limiter);
	}
	return limiter;
}
