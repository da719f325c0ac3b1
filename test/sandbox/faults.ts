/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code; never shipped */
/**
 * Fault injection shared by both API sandboxes. Decisions come from a seeded PRNG so that a failing
 * run can be replayed with the same seed.
 */
export type Fault =
	| 'none'
	| 'status429'
	| 'status500'
	| 'status502'
	| 'status503'
	/** Socket destroyed before the request is processed: nothing happened on the server. */
	| 'reset'
	/** Answer held back longer than the client's timeout; the request IS processed. */
	| 'slow'
	/** Request processed (a document may be created), then the socket destroyed: the response is lost. */
	| 'lostResponse';

export interface FaultConfig {
	/** Probability (0..1) of each fault per request. */
	rates?: Partial<Record<Exclude<Fault, 'none'>, number>>;
	/** Latency added to every answer, in ms. */
	latencyMs?: number;
	/** How long a 'slow' answer is held back, in ms. */
	slowMs?: number;
	/** Seed of the PRNG (default 1). */
	seed?: number;
	/** Only requests for which this returns true get faults (default: all). */
	applies?: (req: { method: string; path: string }) => boolean;
	/** For a 429 fault: the Retry-After header to send (seconds), if any. */
	retryAfterSeconds?: number;
}

/** mulberry32: small, fast, good enough for test decisions. */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export class FaultInjector {
	private random: () => number;
	private config: FaultConfig;
	readonly counts: Record<Fault, number> = {
		none: 0,
		status429: 0,
		status500: 0,
		status502: 0,
		status503: 0,
		reset: 0,
		slow: 0,
		lostResponse: 0,
	};

	constructor(config: FaultConfig = {}) {
		this.config = config;
		this.random = prng(config.seed ?? 1);
	}

	configure(config: FaultConfig): void {
		this.config = config;
		this.random = prng(config.seed ?? 1);
	}

	get latencyMs(): number {
		return this.config.latencyMs ?? 0;
	}

	get slowMs(): number {
		return this.config.slowMs ?? 5000;
	}

	get retryAfterSeconds(): number | undefined {
		return this.config.retryAfterSeconds;
	}

	decide(req: { method: string; path: string }): Fault {
		const rates = this.config.rates;
		if (!rates || (this.config.applies && !this.config.applies(req))) {
			this.counts.none++;
			return 'none';
		}
		const roll = this.random();
		let acc = 0;
		for (const [fault, rate] of Object.entries(rates) as Array<[Fault, number]>) {
			acc += rate ?? 0;
			if (roll < acc) {
				this.counts[fault]++;
				return fault;
			}
		}
		this.counts.none++;
		return 'none';
	}
}

export function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
