/**
 * The limiter's answer to 429s: one pause for the whole execution, a single probe after it, a
 * doubling pause while probes fail, the server's wait when it gives one, and a pace once the limit
 * has been met. Real timers with short pauses; margins are wide for a busy 2-core machine.
 */
import { sleep } from 'n8n-workflow';

import { AdaptiveLimiter, type LimiterOptions } from '../../nodes/shared/limiter';
import { ixServerWaitMs } from '../../nodes/services/invoicexpress/transport';

const options = (extra: Partial<LimiterOptions> = {}): LimiterOptions => ({ initial: 4, min: 1, max: 8, pauseBaseMs: 100, pauseMaxMs: 400, ...extra });

/** One request through the limiter; `ok` says whether the server accepted it. */
async function request(limiter: AdaptiveLimiter, ok: boolean | (() => boolean), retryAfterMs?: number): Promise<boolean> {
	const release = await limiter.acquire();
	const accepted = typeof ok === 'function' ? ok() : ok;
	await Promise.resolve();
	if (accepted) limiter.onSuccess();
	else limiter.onThrottle({ epoch: release.epoch, retryAfterMs });
	release();
	return accepted;
}

describe('adaptive limiter after a 429', () => {
	it('pauses every request of the execution, not only the throttled one', async () => {
		const limiter = new AdaptiveLimiter(options());
		await request(limiter, false);
		expect(limiter.pausedForMs()).toBeGreaterThan(50);
		const resumeAt = Date.now() + limiter.pausedForMs();
		await request(limiter, true);
		// Timers may fire a millisecond early.
		expect(Date.now()).toBeGreaterThanOrEqual(resumeAt - 2);
		expect(limiter.pausedForMs()).toBe(0);
	});

	it('lets one request probe after the pause; the others follow once it has passed', async () => {
		const limiter = new AdaptiveLimiter(options());
		await request(limiter, false);
		const events: string[] = [];
		let probeAnswered = false;
		await Promise.all(
			[1, 2, 3].map(async () => {
				const release = await limiter.acquire();
				events.push(probeAnswered ? 'after the probe' : 'probe');
				await sleep(20);
				probeAnswered = true;
				limiter.onSuccess();
				release();
			}),
		);
		expect(events).toEqual(['probe', 'after the probe', 'after the probe']);
	});

	it('treats the 429s of requests sent before the pause as one event', async () => {
		const limiter = new AdaptiveLimiter(options());
		const releases = await Promise.all([1, 2, 3, 4].map(() => limiter.acquire()));
		for (const release of releases) {
			limiter.onThrottle({ epoch: release.epoch });
			release();
		}
		expect(limiter.throttled).toBe(4);
		expect(limiter.pauses).toBe(1);
		expect(limiter.currentLimit).toBe(2);
		expect(limiter.pausedForMs()).toBeLessThanOrEqual(100);
	});

	it('doubles the pause while probes are throttled, up to its cap, and starts over after a passed probe', async () => {
		const limiter = new AdaptiveLimiter(options({ pauseBaseMs: 40, pauseMaxMs: 100 }));
		const pauses: number[] = [];
		for (const ok of [false, false, false, false, true, false]) {
			await request(limiter, ok);
			if (!ok) pauses.push(limiter.pausedForMs());
		}
		// 40, 80, 100 (cap), 100, then after the passed probe 40 again; a few ms pass between.
		const expected = [40, 80, 100, 100, 40];
		pauses.forEach((p, i) => {
			expect(p).toBeLessThanOrEqual(expected[i]);
			expect(p).toBeGreaterThan(expected[i] - 25);
		});
	});

	it("waits the server's time when it gives one, and doubles past it when the probe is throttled again", async () => {
		const limiter = new AdaptiveLimiter(options({ pauseBaseMs: 60 }));
		await request(limiter, false, 250);
		expect(limiter.pausedForMs()).toBeGreaterThan(200);
		// A header that says "now" while the limit still holds must not turn into a busy loop.
		await request(limiter, false, 0);
		expect(limiter.pausedForMs()).toBeGreaterThan(90);
	});

	it('keeps no pace before the first 429 and the configured one after it', async () => {
		const limiter = new AdaptiveLimiter(options({ perMinuteAfterThrottle: 600, pauseBaseMs: 10 }));
		expect(limiter.pace).toBeUndefined();
		let started = Date.now();
		for (let i = 0; i < 5; i++) await request(limiter, true);
		expect(Date.now() - started).toBeLessThan(60);
		await request(limiter, false);
		expect(limiter.pace).toBe(600);
		await request(limiter, true);
		started = Date.now();
		for (let i = 0; i < 5; i++) await request(limiter, true);
		// 100 ms apart at 600 per minute.
		expect(Date.now() - started).toBeGreaterThanOrEqual(480);
	});

	it('uses a window-limited server well and meets few 429s (the benchmark in small)', async () => {
		const perWindow = 20;
		const windowMs = 500;
		let windowStart = -Infinity;
		let used = 0;
		const log: Array<{ at: number; ok: boolean }> = [];
		// Fixed windows that open with the first request after the last one expired, as the sandbox's.
		const server = () => {
			const now = Date.now();
			if (now - windowStart >= windowMs) {
				windowStart = now;
				used = 0;
			}
			const ok = used < perWindow;
			if (ok) used++;
			log.push({ at: now, ok });
			return ok;
		};
		const limiter = new AdaptiveLimiter(
			options({ pauseBaseMs: 25, pauseMaxMs: 100, perMinuteAfterThrottle: ((perWindow * 60000) / windowMs) * 0.97 }),
		);
		const total = 100;
		let done = 0;
		await Promise.all(
			[1, 2, 3, 4].map(async () => {
				while (done < total) {
					done++;
					while (!(await request(limiter, server))) {
						// retried until accepted, as the transport does
					}
				}
			}),
		);
		const accepted = log.filter((r) => r.ok).length;
		const throttled = log.length - accepted;
		const windows = Math.floor((log[log.length - 1].at - log[0].at) / windowMs) + 1;
		expect(accepted).toBe(total);
		expect(throttled).toBeLessThanOrEqual(15);
		expect(accepted / (perWindow * windows)).toBeGreaterThanOrEqual(0.7);
	}, 20000);
});

describe('server wait on an InvoicExpress 429', () => {
	it('reads Retry-After, then the usual reset headers, else nothing', () => {
		expect(ixServerWaitMs({ 'retry-after': '3' }, 0)).toBe(3000);
		expect(ixServerWaitMs({ 'x-ratelimit-reset': '12' }, 0)).toBe(12000);
		expect(ixServerWaitMs({ 'ratelimit-reset': '1700000030' }, 1700000000000)).toBe(30000);
		expect(ixServerWaitMs({ 'x-ratelimit-reset': 'soon' }, 0)).toBeUndefined();
		expect(ixServerWaitMs({}, 0)).toBeUndefined();
	});
});
