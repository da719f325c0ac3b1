import { pollSteps, stateKey } from '../../nodes/EPages/trigger/poll';
import {
	DEFAULT_LIMITS,
	type PollOutcome,
	type StatusState,
	type Step,
	type StepResult,
	type TriggerLimits,
	type TriggerState,
} from '../../nodes/EPages/trigger/types';
import { commit, config, DAY, drive, fixedShop, iso, limits, MIN, sec, SEC, T0, type SimOrder, type SimShop } from './epages-trigger-sim';

/**
 * Issue 7: an idle poll of a status event costs one request. Between full passes a poll reads page 1
 * of the status list and compares the shop's total with the orders it knows; each test here fails if
 * one part of that shortcut goes wrong (a lost or doubled event, or a delay the design does not allow).
 */

const HOUR = 60 * MIN;
const cfg = config({ event: 'orderPaid' });

interface Poll {
	ids: string[];
	steps: Step[];
	outcome: PollOutcome;
}

interface Fixture {
	shop: SimShop;
	/** Paid before activation, newest first. */
	paid: SimOrder[];
	poll: (now: number, perform?: (step: Step, index: number) => StepResult) => Poll;
	state: () => StatusState;
	setState: (state: TriggerState) => void;
}

/**
 * `count` orders paid before activation, newest first from one hour before T0, spread over ten days
 * (inside the 14-day lookback); the trigger is activated at T0 (unless `activate` is false) and polled
 * once more, so that its last pass is quiet.
 */
function paidShop(count: number, lim: TriggerLimits = DEFAULT_LIMITS, activate = true): Fixture {
	const shop = fixedShop();
	const spacing = sec((10 * DAY) / count);
	const paid = Array.from({ length: count }, (_, i) => shop.add(T0 - HOUR - i * spacing));
	shop.t = T0 - MIN;
	for (const order of paid) shop.flag(order, 'paidOn');
	let state: TriggerState | undefined;
	const poll = (now: number, perform?: (step: Step, index: number) => StepResult): Poll => {
		shop.t = now;
		const steps: Step[] = [];
		const outcome = drive(pollSteps(state, cfg, now, lim), (step) => {
			steps.push(step);
			return perform ? perform(step, steps.length - 1) : shop.perform(step);
		});
		state = commit(state, outcome).state;
		return { ids: outcome.items.map((i) => String(i.orderId)), steps, outcome };
	};
	if (activate) {
		expect(poll(T0).ids).toEqual([]);
		expect(poll(T0 + MIN).ids).toEqual([]);
		expect(state).toMatchObject({ quiet: true, sweptAt: T0 + MIN, unlisted: [] });
	}
	return {
		shop,
		paid,
		poll,
		state: () => state as StatusState,
		setState: (s) => {
			state = s;
		},
	};
}

/** An order created at `created`, not paid. */
function unpaid(shop: SimShop, created: number): SimOrder {
	return shop.add(sec(created), T0 - MIN);
}

function pay(shop: SimShop, order: SimOrder, at: number): void {
	shop.t = at;
	shop.flag(order, 'paidOn');
}

describe('status events: an idle poll costs one request', () => {
	it('reads page 1 of the status list and trusts it when the total is what the trigger knows', () => {
		const f = paidShop(500);
		const now = T0 + 2 * MIN;
		const { ids, steps } = f.poll(now);
		expect(ids).toEqual([]);
		expect(steps).toEqual([
			{
				kind: 'list',
				qs: {
					paidOn: 'true',
					resultsPerPage: 100,
					createdAfter: iso(now - 14 * DAY - 5 * MIN),
					createdBefore: iso(now),
					page: 1,
				},
			},
		]);
	});

	it('three hours of one-minute idle polls: one request each, plus a full read (5 pages) once an hour', () => {
		const f = paidShop(500);
		const perPoll: number[] = [];
		for (let now = T0 + 2 * MIN; now <= T0 + 181 * MIN; now += MIN) {
			const { ids, steps } = f.poll(now);
			expect(ids).toEqual([]);
			perPoll.push(steps.length);
		}
		const full = perPoll.map((n, i) => [n, i]).filter(([n]) => n > 1);
		// The pass at T0 + 1 min was the last full read: the next ones are due an hour after it.
		expect(full).toEqual([
			[5, 59],
			[5, 119],
			[5, 179],
		]);
		expect(perPoll.reduce((a, b) => a + b, 0)).toBe(180 + 3 * 4);
	});

	it('a new paid order is emitted on the next poll, which reuses the page it already read', () => {
		const f = paidShop(500);
		// Three days old: not on page 1 (newest first), so only the total gives it away.
		const order = unpaid(f.shop, T0 - 3 * DAY - 7 * SEC);
		pay(f.shop, order, T0 + 90 * SEC);
		const first = f.poll(T0 + 2 * MIN);
		expect(first.ids).toEqual([order.id]);
		// 501 orders: six pages, page 1 asked once.
		expect(first.steps).toHaveLength(6);
		expect(new Set(first.steps.map((s) => JSON.stringify(s))).size).toBe(6);
		// A pass that found something is followed by one more: it may have missed a change made while it paged.
		expect(f.poll(T0 + 3 * MIN)).toMatchObject({ ids: [], steps: { length: 6 } });
		expect(f.poll(T0 + 4 * MIN)).toMatchObject({ ids: [], steps: { length: 1 } });
	});

	it('a status cleared on one order as it is set on another: emitted by the next hourly full read, once', () => {
		const f = paidShop(500);
		const swapped = unpaid(f.shop, T0 - 5 * DAY - 3 * SEC);
		f.shop.t = T0 + 90 * SEC;
		f.shop.unflag(f.paid[300], 'paidOn');
		pay(f.shop, swapped, T0 + 90 * SEC);
		const emitted: Array<[string, number]> = [];
		for (let now = T0 + 2 * MIN; now <= T0 + 100 * MIN; now += MIN) {
			const { ids, steps } = f.poll(now);
			for (const id of ids) emitted.push([id, now]);
			if (now < T0 + 61 * MIN) expect(steps).toHaveLength(1);
		}
		// At worst an hour late (the pass at T0 + 1 min was the last full read), never lost, never twice.
		expect(emitted).toEqual([[swapped.id, T0 + 61 * MIN]]);
		// The order that left the status is known as such: the idle polls cost one request again.
		expect(f.state().unlisted).toEqual([f.paid[300].id]);
		expect(f.poll(T0 + 101 * MIN).steps).toHaveLength(1);
		// Paid again: one event per order, none now.
		pay(f.shop, f.paid[300], T0 + 101 * MIN + SEC);
		expect(f.poll(T0 + 102 * MIN)).toMatchObject({ ids: [], steps: { length: 6 } });
		expect(f.state().unlisted).toEqual([]);
	});

	it('a swap that shows on page 1 is emitted on the next poll', () => {
		const f = paidShop(500);
		const swapped = unpaid(f.shop, T0 - 10 * MIN);
		f.shop.t = T0 + 90 * SEC;
		f.shop.unflag(f.paid[300], 'paidOn');
		pay(f.shop, swapped, T0 + 90 * SEC);
		expect(f.poll(T0 + 2 * MIN).ids).toEqual([swapped.id]);
	});

	it('a status cleared: one read notes it, one more confirms it, then one request per poll', () => {
		const f = paidShop(500);
		f.shop.t = T0 + 90 * SEC;
		f.shop.unflag(f.paid[10], 'paidOn');
		expect(f.poll(T0 + 2 * MIN)).toMatchObject({ ids: [], steps: { length: 5 } });
		expect(f.state()).toMatchObject({ unlisted: [f.paid[10].id], quiet: false });
		// The order stays in `emitted`, so that the status set again is not a second event.
		expect(f.state().emitted[f.paid[10].id]).toBe(f.paid[10].created);
		expect(f.poll(T0 + 3 * MIN)).toMatchObject({ ids: [], steps: { length: 5 } });
		expect(f.poll(T0 + 4 * MIN)).toMatchObject({ ids: [], steps: { length: 1 } });
	});

	it('an order paid while a pass pages, where the pass already read, is found by the pass that follows it', () => {
		const f = paidShop(30, limits({ pageSize: 5 }));
		const news = unpaid(f.shop, T0 - 30 * MIN);
		pay(f.shop, news, T0 + 90 * SEC);
		// Between f.paid[7] and f.paid[8]: page 2, which the pass has read when it is paid.
		const late = unpaid(f.shop, f.paid[7].created - SEC);
		const { ids, steps } = f.poll(T0 + 2 * MIN, (step, index) => {
			if (index === 3) {
				// The same moment: the newest order (read on page 1) leaves the status, the total stays.
				f.shop.unflag(f.paid[0], 'paidOn');
				f.shop.flag(late, 'paidOn');
			}
			return f.shop.perform(step);
		});
		expect(ids).toEqual([news.id]);
		expect(steps.length).toBeGreaterThan(1);
		expect(f.poll(T0 + 3 * MIN).ids).toEqual([late.id]);
	});

	it('an order paid while the hourly full read pages, where it already read, is emitted by it or the next poll', () => {
		const f = paidShop(30, limits({ pageSize: 5 }));
		const late = unpaid(f.shop, f.paid[7].created - SEC);
		// The hourly full read; while it pages an order already read on page 2 is paid, and two pages
		// later one read on page 1 leaves the status: the same orders as before, but not the same total.
		const { ids } = f.poll(T0 + 61 * MIN, (step, index) => {
			if (index === 2) f.shop.flag(late, 'paidOn');
			if (index === 4) f.shop.unflag(f.paid[2], 'paidOn');
			return f.shop.perform(step);
		});
		const next = f.poll(T0 + 62 * MIN);
		expect([...ids, ...next.ids]).toEqual([late.id]);
	});

	it('an order on the bound of the window (either side of an inclusive or exclusive filter) forces a full read', () => {
		const f = paidShop(500, DEFAULT_LIMITS, false);
		const edge = f.shop.add(sec(T0 - 14 * DAY + 30 * MIN), T0 - MIN);
		f.shop.t = T0 - MIN;
		f.shop.flag(edge, 'paidOn');
		f.poll(T0);
		f.poll(T0 + MIN);
		// At `now` the window starts exactly at its creation date.
		const now = edge.created + 14 * DAY + 5 * MIN;
		expect(f.poll(now - 2 * SEC).steps).toHaveLength(1);
		expect(f.poll(now).steps).toHaveLength(6);
	});

	it('a pending retry (a detail that failed) is not left to the count: the next poll reads everything', () => {
		const shop = fixedShop();
		const paid = Array.from({ length: 5 }, (_, i) => shop.add(T0 - (i + 1) * HOUR));
		const full = config({ event: 'orderPaid', fullOrders: true });
		let state: TriggerState | undefined;
		const poll = (now: number, perform: (s: Step) => StepResult = (s) => shop.perform(s)) => {
			shop.t = now;
			const steps: Step[] = [];
			const outcome = drive(pollSteps(state, full, now, DEFAULT_LIMITS), (s) => (steps.push(s), perform(s)));
			state = commit(state, outcome).state;
			return { ids: outcome.items.map((i) => String(i.orderId)), steps };
		};
		poll(T0);
		poll(T0 + MIN);
		pay(shop, paid[0], T0 + 90 * SEC);
		pay(shop, paid[1], T0 + 90 * SEC);
		const failing = (s: Step): StepResult =>
			s.kind === 'detail' && s.orderId === paid[1].id ? { ok: false, error: new Error('HTTP 500') } : shop.perform(s);
		expect(poll(T0 + 2 * MIN, failing).ids).toEqual([paid[0].id]);
		expect((state as StatusState).failures).toEqual({ [paid[1].id]: 1 });
		const retry = poll(T0 + 3 * MIN);
		expect(retry.ids).toEqual([paid[1].id]);
		expect(retry.steps.map((s) => s.kind)).toEqual(['list', 'detail']);
	});

	it('a poll whose one request fails fails without progress (n8n keeps the state)', () => {
		const f = paidShop(500);
		const before = JSON.stringify(f.state());
		const { outcome } = f.poll(T0 + 2 * MIN, () => ({ ok: false, error: new Error('HTTP 503'), status: 503 }));
		expect(outcome).toMatchObject({ items: [], progressed: false });
		expect(outcome.error).toBeDefined();
		expect(JSON.stringify(f.state())).toBe(before);
	});

	it('activation against a shop that cannot be read fails the poll (a wrong token shows at once)', () => {
		const f = paidShop(5, DEFAULT_LIMITS, false);
		const { outcome } = f.poll(T0, () => ({ ok: false, error: new Error('HTTP 401'), status: 401 }));
		expect(outcome).toMatchObject({ items: [], progressed: false });
	});
});

describe('status events: static data stored by earlier versions', () => {
	/** What the first release stored for Order Paid: no sweptAt, quiet, unlisted, pass.listed or pass.fresh. */
	function oldState(f: Fixture, pass: StatusState['pass']): Record<string, unknown> {
		return {
			v: 1,
			key: stateKey(cfg),
			since: T0 - DAY,
			kind: 'status',
			baseline: false,
			emitted: Object.fromEntries(f.paid.map((o) => [o.id, o.created])),
			pass,
			failures: {},
		};
	}

	it('between passes: the first poll reads everything, emits what is new once, then one request per poll', () => {
		const f = paidShop(500, DEFAULT_LIMITS, false);
		f.setState(oldState(f, null) as unknown as TriggerState);
		const order = unpaid(f.shop, T0 - 2 * DAY - 5 * SEC);
		pay(f.shop, order, T0 - 30 * SEC);
		const first = f.poll(T0);
		expect(first.ids).toEqual([order.id]);
		expect(first.steps).toHaveLength(6);
		expect(f.poll(T0 + MIN)).toMatchObject({ ids: [], steps: { length: 6 } });
		expect(f.poll(T0 + 2 * MIN)).toMatchObject({ ids: [], steps: { length: 1 } });
	});

	it('in the middle of a pass: it finishes, reads once more (the first part is unknown), then one request per poll', () => {
		const f = paidShop(500, DEFAULT_LIMITS, false);
		f.setState(oldState(f, { done: T0 - 4 * DAY, hi: T0 - MIN }) as unknown as TriggerState);
		const order = unpaid(f.shop, T0 - 2 * DAY - 5 * SEC);
		pay(f.shop, order, T0 - 30 * SEC);
		expect(f.poll(T0).ids).toEqual([order.id]);
		expect(f.state()).toMatchObject({ pass: null, quiet: false });
		expect(f.poll(T0 + MIN)).toMatchObject({ ids: [], steps: { length: 6 } });
		expect(f.poll(T0 + 2 * MIN)).toMatchObject({ ids: [], steps: { length: 1 } });
	});

	it('damaged new fields are dropped, not trusted', () => {
		const f = paidShop(50);
		const damaged = { ...f.state(), unlisted: 'x', sweptAt: 'soon' } as unknown as TriggerState;
		f.setState(damaged);
		expect(f.poll(T0 + 2 * MIN)).toMatchObject({ ids: [], steps: { length: 1 } });
		expect(f.state()).toMatchObject({ quiet: true, sweptAt: T0 + 2 * MIN, unlisted: [] });
	});
});
