import type { IDataObject } from 'n8n-workflow';

import { initialState, loadState, manualSteps, pollSteps, stateKey } from '../../nodes/EPages/trigger/poll';
import {
	DEFAULT_LIMITS,
	STATUS_EVENTS,
	type CreatedState,
	type StatusEvent,
	type StatusState,
	type Step,
	type StepResult,
	type TriggerState,
	type UpdatedState,
} from '../../nodes/EPages/trigger/types';
import { fitChunk, readChunk, type Budget } from '../../nodes/EPages/trigger/window';
import {
	commit,
	config,
	DAY,
	drive,
	fixedShop,
		iso,
	limits,
	MIN,
	runScenario,
	scenario,
	SEC,
	T0,
	type Run,
} from './epages-trigger-sim';

// ---------------------------------------------------------------------------------------------
// Unit tests
// ---------------------------------------------------------------------------------------------

describe('state', () => {
	it('starts at activation without history and without a request', () => {
		const shop = fixedShop();
		shop.add(T0 - 10 * SEC);
		const steps: Step[] = [];
		const outcome = drive(pollSteps(undefined, config(), T0, DEFAULT_LIMITS), (s) => (steps.push(s), shop.perform(s)));
		expect(steps).toEqual([]);
		expect(outcome.items).toEqual([]);
		expect(outcome.state).toMatchObject({ kind: 'created', cursor: T0, since: T0, seen: {} });
	});

	it('starts afresh when the settings that shape the state change, or the state is damaged', () => {
		const state = initialState(config({ startFrom: T0 - DAY }), T0);
		expect(loadState(state, config({ startFrom: T0 - DAY }))).toEqual(state);
		expect(loadState(state, config())).toBeUndefined();
		expect(loadState(state, config({ event: 'orderPaid', startFrom: T0 - DAY }))).toBeUndefined();
		expect(loadState({ ...state, seen: 'x' }, config({ startFrom: T0 - DAY }))).toBeUndefined();
		expect(loadState(null, config())).toBeUndefined();
		expect(stateKey(config({ event: 'orderPaid', lookbackMs: DAY }))).not.toBe(stateKey(config({ event: 'orderPaid' })));
	});
});

describe('new orders', () => {
	it('an idle poll costs one request: the window from one overlap before the cursor to now', () => {
		const shop = fixedShop();
		const state: CreatedState = { v: 1, key: stateKey(config()), since: T0, kind: 'created', cursor: T0, seen: {}, failures: {} };
		const steps: Step[] = [];
		const now = T0 + MIN;
		const outcome = drive(pollSteps(state, config(), now, DEFAULT_LIMITS), (s) => (steps.push(s), shop.perform(s)));
		expect(steps).toEqual([
			{
				kind: 'list',
				qs: { createdAfter: iso(T0 - 5 * MIN), createdBefore: iso(now), resultsPerPage: 100, page: 1 },
			},
		]);
		expect(outcome.items).toEqual([]);
		expect((outcome.state as CreatedState).cursor).toBe(now);
	});

	it('emits each order once, oldest first, also orders in the same second as the cursor', () => {
		const shop = fixedShop();
		let state = initialState(config(), T0);
		const a = shop.add(T0 + 10 * SEC);
		const b = shop.add(T0 + 5 * SEC);
		const run = (now: number) => {
			shop.t = now;
			const outcome = drive(pollSteps(state, config(), now, DEFAULT_LIMITS), (s) => shop.perform(s));
			state = outcome.state;
			return outcome.items.map((i) => i.orderId);
		};
		expect(run(T0 + 10 * SEC)).toEqual([b.id]);
		// a was created exactly at the previous cursor: createdBefore excluded it, the overlap includes it.
		const c = shop.add(T0 + 10 * SEC);
		expect(run(T0 + 20 * SEC).sort()).toEqual([a.id, c.id].sort());
		expect(run(T0 + 30 * SEC)).toEqual([]);
		expect(Object.keys((state as CreatedState).seen).sort()).toEqual([a.id, b.id, c.id].sort());
		expect(run(T0 + 20 * MIN)).toEqual([]);
		// Out of the overlap band: forgotten, the set stays small.
		expect((state as CreatedState).seen).toEqual({});
	});

	it('narrows a window that holds more than a poll may take, and back-fills oldest first in portions', () => {
		const shop = fixedShop();
		for (let i = 0; i < 250; i++) shop.add(T0 - 30 * DAY + i * 2 * 3600 * SEC);
		const lim = limits({ pageSize: 10, maxPages: 6 });
		const cfg = config({ startFrom: T0 - 31 * DAY });
		let state: TriggerState | undefined;
		const seen: string[] = [];
		let polls = 0;
		for (; polls < 200; polls++) {
			const steps: Step[] = [];
			const outcome = drive(pollSteps(state, cfg, T0, lim), (s) => (steps.push(s), shop.perform(s)));
			state = outcome.state;
			// Bounded work per poll: never the whole back-log.
			expect(outcome.items.length).toBeLessThanOrEqual(60);
			expect(steps.length).toBeLessThanOrEqual(6 + 12);
			const ids = outcome.items.map((i) => String(i.orderId));
			if (seen.length > 0 && ids.length > 0) expect(ids[0] > seen[seen.length - 1]).toBe(true);
			seen.push(...ids);
			if ((state as CreatedState).cursor >= T0) break;
		}
		expect(seen).toEqual(shop.orders.map((o) => o.id));
		expect(polls).toBeGreaterThan(4);
	});

	it('splits a back-fill of more than a year into windows the shop accepts', () => {
		const shop = fixedShop();
		for (let i = 0; i < 40; i++) shop.add(T0 - 800 * DAY + i * 20 * DAY);
		let state: TriggerState | undefined;
		const emitted: string[] = [];
		for (let poll = 0; poll < 10; poll++) {
			const outcome = drive(pollSteps(state, config({ startFrom: T0 - 900 * DAY }), T0, DEFAULT_LIMITS), (s) => shop.perform(s));
			state = outcome.state;
			emitted.push(...outcome.items.map((i) => String(i.orderId)));
		}
		expect(shop.oneYearViolations).toBe(0);
		expect(emitted).toEqual(shop.orders.map((o) => o.id));
	});

	it('a failure half-way through a window keeps what was complete, and the next poll emits the rest once', () => {
		const shop = fixedShop();
		// Two years of orders: at least two windows, as the shop lists at most a year per request.
		for (let i = 0; i < 10; i++) shop.add(T0 - 700 * DAY + i * 30 * DAY);
		for (let i = 0; i < 10; i++) shop.add(T0 - 300 * DAY + i * 30 * DAY);
		const lim = limits({ pageSize: 5, maxPages: 10 });
		const cfg = config({ startFrom: T0 - 701 * DAY });
		let calls = 0;
		const failing = (s: Step): StepResult => (++calls === 4 ? { ok: false, error: new Error('boom') } : shop.perform(s));
		const first = drive(pollSteps(undefined, cfg, T0, lim), failing);
		expect((first.error as Error).message).toBe('boom');
		expect(first.items.map((i) => i.orderId)).toEqual(shop.orders.slice(0, 10).map((o) => o.id));
		let state: TriggerState = first.state;
		const emitted = first.items.map((i) => String(i.orderId));
		for (let poll = 0; poll < 5; poll++) {
			const outcome = drive(pollSteps(state, cfg, T0, lim), (s) => shop.perform(s));
			state = outcome.state;
			emitted.push(...outcome.items.map((i) => String(i.orderId)));
		}
		expect(emitted).toEqual(shop.orders.map((o) => o.id));
	});

	it('a failure in the first window fails the poll and keeps the state', () => {
		const shop = fixedShop();
		shop.add(T0 + SEC);
		const state = initialState(config(), T0);
		const outcome = drive(pollSteps(state, config(), T0 + MIN, DEFAULT_LIMITS), () => ({ ok: false, error: new Error('down') }));
		expect(outcome.items).toEqual([]);
		expect((outcome.error as Error).message).toBe('down');
		expect(commit(state, outcome)).toEqual({ state, failed: true });
	});

	it('full orders: a failed detail is not seen, the others are emitted, the next poll fetches only it', () => {
		const shop = fixedShop();
		const orders = [1, 2, 3].map((i) => shop.add(T0 + i * SEC));
		const cfg = config({ fullOrders: true });
		const state = initialState(cfg, T0);
		const first = drive(pollSteps(state, cfg, T0 + MIN, DEFAULT_LIMITS), (s) =>
			s.kind === 'detail' && s.orderId === orders[1].id ? { ok: false, error: new Error('timeout') } : shop.perform(s),
		);
		expect(first.items.map((i) => i.orderId)).toEqual([orders[0].id, orders[2].id]);
		expect(first.items.every((i) => i.lineItemContainer !== undefined)).toBe(true);
		const after = first.state as CreatedState;
		expect(after.seen[orders[1].id]).toBeUndefined();
		expect(after.cursor).toBe(orders[1].created);
		const steps: Step[] = [];
		const second = drive(pollSteps(after, cfg, T0 + 2 * MIN, DEFAULT_LIMITS), (s) => (steps.push(s), shop.perform(s)));
		expect(second.items.map((i) => i.orderId)).toEqual([orders[1].id]);
		expect(steps.filter((s) => s.kind === 'detail')).toEqual([{ kind: 'detail', orderId: orders[1].id }]);
	});

	it('an order whose detail keeps failing is emitted as listed, with the reason, and no longer holds the cursor', () => {
		const shop = fixedShop();
		const broken = shop.add(T0 + SEC);
		const cfg = config({ fullOrders: true });
		let state: TriggerState = initialState(cfg, T0);
		const outcomes = [];
		for (let poll = 1; poll <= 5; poll++) {
			const later = shop.add(T0 + poll * MIN);
			const outcome = drive(pollSteps(state, cfg, T0 + poll * MIN + SEC, DEFAULT_LIMITS), (s) =>
				s.kind === 'detail' && s.orderId === broken.id ? { ok: false, error: new Error('HTTP 500') } : shop.perform(s),
			);
			state = outcome.state;
			outcomes.push(outcome);
			// The others are not held back.
			expect(outcome.items.map((i) => i.orderId)).toContain(later.id);
		}
		expect(outcomes.slice(0, 4).every((o) => (o.state as CreatedState).cursor === broken.created)).toBe(true);
		const last = outcomes[4];
		const given = last.items.find((i) => i.orderId === broken.id);
		expect(given?.fullOrderError).toBe('The full order could not be fetched (5 attempts): HTTP 500');
		expect(given?.lineItemContainer).toBeUndefined();
		expect((state as CreatedState).failures).toEqual({});
		expect((state as CreatedState).cursor).toBe(T0 + 5 * MIN + SEC);
	});

	it('an order deleted between list and detail is skipped, not retried', () => {
		const shop = fixedShop();
		const gone = shop.add(T0 + SEC);
		const cfg = config({ fullOrders: true });
		const outcome = drive(pollSteps(initialState(cfg, T0), cfg, T0 + MIN, DEFAULT_LIMITS), (s) =>
			s.kind === 'detail' ? { ok: false, error: new Error('404'), status: 404 } : shop.perform(s),
		);
		expect(outcome.items).toEqual([]);
		expect(outcome.error).toBeUndefined();
		expect((outcome.state as CreatedState).seen[gone.id]).toBe(gone.created);
	});
});

describe('reading a window', () => {
	it('reads the pages again when orders arrive while paging, until the union is complete', () => {
		const shop = fixedShop();
		for (let i = 0; i < 9; i++) shop.add(T0 + i * SEC);
		const budget: Budget = { pages: 0, details: 0 };
		let calls = 0;
		const result = drive(readChunk({}, T0, T0 + MIN, 1000, false, limits({ pageSize: 3 }), budget), (s) => {
			// After page 1, two newer orders appear at the front (newest first): everything shifts by two.
			if (++calls === 2) {
				shop.add(T0 + 30 * SEC);
				shop.add(T0 + 31 * SEC);
			}
			return shop.perform(s);
		});
		expect(result.kind).toBe('complete');
		if (result.kind === 'complete') expect(result.refs.length).toBe(11);
		expect(budget.pages).toBeGreaterThan(4);
	});

	it('an order leaving the window between pages does not hide the one that slides onto a page already read', () => {
		// Newest first, 2 per page: [o4 o3] [o2 o1]. After page 1, o4's status is cleared: the list becomes
		// [o3 o2] [o1], so page 2 no longer holds o2. The union {o4, o3, o1} has as many orders as the new
		// total (3): counting alone would call the window complete without o2.
		const shop = fixedShop();
		const orders = [1, 2, 3, 4].map((s) => shop.add(T0 + s * SEC));
		for (const o of orders) shop.flag(o, 'paidOn');
		let calls = 0;
		const result = drive(readChunk({ paidOn: 'true' }, T0, T0 + MIN, 1000, false, limits({ pageSize: 2 }), { pages: 0, details: 0 }), (s) => {
			if (++calls === 2) shop.unflag(orders[3], 'paidOn');
			return shop.perform(s);
		});
		expect(result.kind).toBe('complete');
		if (result.kind === 'complete') expect(result.refs.map((r) => r.id).sort()).toEqual([orders[0].id, orders[1].id, orders[2].id].sort());
	});

	it('says "too big" after one request when the window holds more than the capacity', () => {
		const shop = fixedShop();
		for (let i = 0; i < 30; i++) shop.add(T0 + i * SEC);
		const budget: Budget = { pages: 0, details: 0 };
		const result = drive(readChunk({}, T0, T0 + MIN, 20, false, limits({ pageSize: 10 }), budget), (s) => shop.perform(s));
		expect(result).toEqual({ kind: 'tooBig', total: 30 });
		expect(budget.pages).toBe(1);
	});

	it('halves the end of the window until it fits', () => {
		const shop = fixedShop();
		for (let i = 0; i < 64; i++) shop.add(T0 + i * MIN);
		const steps: Step[] = [];
		const fit = drive(fitChunk({}, T0, T0 + 64 * MIN, limits({ pageSize: 10, maxPages: 2 }), { pages: 0, details: 0 }, false), (s) => (steps.push(s), shop.perform(s)));
		expect(fit.kind).toBe('complete');
		const ends = steps.map((s) => (s.kind === 'list' ? s.qs.createdBefore : ''));
		expect(ends[0]).toBe(iso(T0 + 64 * MIN));
		expect(ends[1]).toBe(iso(T0 + 32 * MIN));
		if (fit.kind === 'complete') expect(fit.refs.length).toBeLessThanOrEqual(20);
	});
});

describe('order updated', () => {
	it('emits an order again only when its lastUpdatedOnDate is newer', () => {
		const shop = fixedShop();
		const order = shop.add(T0 - DAY);
		const untouched = shop.add(T0 - DAY);
		const cfg = config({ event: 'orderUpdated' });
		let state: TriggerState | undefined;
		const run = (now: number) => {
			shop.t = now;
			const outcome = drive(pollSteps(state, cfg, now, DEFAULT_LIMITS), (s) => shop.perform(s));
			state = outcome.state;
			return outcome.items.map((i) => `${String(i.orderId)}@${String(i.lastUpdatedOnDate)}`);
		};
		expect(run(T0)).toEqual([]);
		shop.t = T0 + 10 * SEC;
		shop.update(order);
		expect(run(T0 + MIN)).toEqual([`${order.id}@${iso(T0 + 10 * SEC)}`]);
		expect(run(T0 + 2 * MIN)).toEqual([]);
		shop.t = T0 + 3 * MIN;
		shop.update(order);
		expect(run(T0 + 4 * MIN)).toEqual([`${order.id}@${iso(T0 + 3 * MIN)}`]);
		// A new order is not an update unless asked for.
		shop.t = T0 + 5 * MIN;
		shop.add(T0 + 5 * MIN);
		expect(run(T0 + 6 * MIN)).toEqual([]);
		expect(untouched.updated).toBe(untouched.created);
	});

	it('an idle poll costs one request', () => {
		const shop = fixedShop();
		const cfg = config({ event: 'orderUpdated' });
		const state = initialState(cfg, T0);
		const steps: Step[] = [];
		const outcome = drive(pollSteps(state, cfg, T0 + MIN, DEFAULT_LIMITS), (s) => (steps.push(s), shop.perform(s)));
		expect(steps).toEqual([
			{ kind: 'list', qs: { updatedFrom: iso(T0 - 5 * MIN), createdBefore: iso(T0 + MIN), resultsPerPage: 100, page: 1 } },
		]);
		expect(outcome.state).toMatchObject({ cursor: T0 + MIN, pass: null });
	});

	it('an order whose detail fails does not hold back the other changes', () => {
		const shop = fixedShop();
		const broken = shop.add(T0 - DAY);
		const other = shop.add(T0 - DAY);
		const cfg = config({ event: 'orderUpdated', fullOrders: true });
		shop.t = T0 + SEC;
		shop.update(broken);
		const failing = (s: Step): StepResult =>
			s.kind === 'detail' && s.orderId === broken.id ? { ok: false, error: new Error('HTTP 500') } : shop.perform(s);
		const first = drive(pollSteps(initialState(cfg, T0), cfg, T0 + MIN, DEFAULT_LIMITS), failing);
		shop.t = T0 + 2 * MIN;
		shop.update(other);
		const second = drive(pollSteps(first.state, cfg, T0 + 3 * MIN, DEFAULT_LIMITS), failing);
		expect(second.items.map((i) => i.orderId)).toEqual([other.id]);
		expect((second.state as UpdatedState).retry[broken.id]).toBeDefined();
		expect((second.state as UpdatedState).failures[broken.id]).toBe(2);
	});

	it('retries a failed detail first in the next poll', () => {
		const shop = fixedShop();
		const order = shop.add(T0 - DAY);
		const cfg = config({ event: 'orderUpdated', fullOrders: true });
		shop.t = T0 + SEC;
		shop.update(order);
		const first = drive(pollSteps(initialState(cfg, T0), cfg, T0 + MIN, DEFAULT_LIMITS), (s) =>
			s.kind === 'detail' ? { ok: false, error: new Error('503') } : shop.perform(s),
		);
		expect(first.items).toEqual([]);
		// Nothing emitted: the poll fails and n8n keeps the old state, so the change is found again.
		expect(first.error).toBeDefined();
		expect((first.state as UpdatedState).retry[order.id]).toEqual([T0 + SEC, order.created]);
		const second = drive(pollSteps(first.state, cfg, T0 + 2 * MIN, DEFAULT_LIMITS), (s) => shop.perform(s));
		expect(second.items.map((i) => i.orderId)).toEqual([order.id]);
		expect((second.state as UpdatedState).retry).toEqual({});
		const third = drive(pollSteps(second.state, cfg, T0 + 3 * MIN, DEFAULT_LIMITS), (s) => shop.perform(s));
		expect(third.items).toEqual([]);
	});
});

describe('status events', () => {
	it('records the orders already in the status at activation and emits each later one once', () => {
		const shop = fixedShop();
		const before = shop.add(T0 - 3 * DAY);
		shop.t = T0 - DAY;
		shop.flag(before, 'paidOn');
		const later = shop.add(T0 - 2 * DAY);
		const cfg = config({ event: 'orderPaid' });
		let state: TriggerState | undefined;
		const run = (now: number) => {
			shop.t = now;
			const outcome = drive(pollSteps(state, cfg, now, DEFAULT_LIMITS), (s) => shop.perform(s));
			state = outcome.state;
			return outcome.items.map((i) => i.orderId);
		};
		expect(run(T0)).toEqual([]);
		expect((state as StatusState).emitted).toEqual({ [before.id]: before.created });
		shop.t = T0 + 30 * SEC;
		shop.flag(later, 'paidOn');
		expect(run(T0 + MIN)).toEqual([later.id]);
		expect(run(T0 + 2 * MIN)).toEqual([]);
		// Outside the lookback: forgotten.
		expect(run(T0 + 20 * DAY)).toEqual([]);
		expect((state as StatusState).emitted).toEqual({});
	});

	it('with Start From, emits the orders in the status created since then', () => {
		const shop = fixedShop();
		const old = shop.add(T0 - 10 * DAY);
		const recent = shop.add(T0 - 2 * DAY);
		shop.t = T0 - DAY;
		shop.flag(old, 'dispatchedOn');
		shop.flag(recent, 'dispatchedOn');
		shop.t = T0;
		const cfg = config({ event: 'orderDispatched', startFrom: T0 - 5 * DAY });
		const outcome = drive(pollSteps(undefined, cfg, T0, DEFAULT_LIMITS), (s) => shop.perform(s));
		expect(outcome.items.map((i) => i.orderId)).toEqual([recent.id]);
		expect(Object.keys((outcome.state as StatusState).emitted).sort()).toEqual([old.id, recent.id].sort());
	});
});

describe('manual mode', () => {
	it('asks once for a few orders and returns the latest', () => {
		const shop = fixedShop();
		shop.add(T0 - DAY);
		const latest = shop.add(T0 - SEC);
		const steps: Step[] = [];
		const order = drive(manualSteps(config()), (s) => (steps.push(s), shop.perform(s)));
		expect(order?.orderId).toBe(latest.id);
		expect(steps).toEqual([{ kind: 'list', qs: { page: 1, resultsPerPage: 10 } }]);
	});

	it('status and update events filter and pick by their own date; full orders add one detail', () => {
		const shop = fixedShop();
		const a = shop.add(T0 - DAY);
		const b = shop.add(T0 - 2 * DAY);
		shop.t = T0 - 10 * SEC;
		shop.flag(b, 'paidOn');
		shop.t = T0 - 20 * SEC;
		shop.flag(a, 'paidOn');
		shop.t = T0;
		const steps: Step[] = [];
		const order = drive(manualSteps(config({ event: 'orderPaid', fullOrders: true })), (s) => (steps.push(s), shop.perform(s)));
		expect(order?.orderId).toBe(b.id);
		expect(order?.lineItemContainer).toBeDefined();
		expect(steps).toEqual([
			{ kind: 'list', qs: { page: 1, resultsPerPage: 10, paidOn: 'true' } },
			{ kind: 'detail', orderId: b.id },
		]);
		expect(drive(manualSteps(config({ event: 'orderReturned' })), (s) => shop.perform(s))).toBeUndefined();
	});
});

// ---------------------------------------------------------------------------------------------
// Property tests: random shops, timings, page sizes and failures across many polls
// ---------------------------------------------------------------------------------------------

function expectHealthy(run: Run): void {
	expect(run.settled).toBe(true);
	expect(run.violations).toEqual([]);
}

function idsOf(items: IDataObject[]): string[] {
	return items.map((i) => String(i.orderId));
}

function expectNoDuplicates(ids: string[]): void {
	const counts = new Map<string, number>();
	for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
	expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
}

describe('property: new orders are emitted exactly once', () => {
	const seeds = Array.from({ length: 150 }, (_, i) => 1000 + i);
	it.each(seeds)('seed %i', (seed) => {
		const sc = scenario(seed, 'newOrder');
		const run = runScenario(sc);
		expectHealthy(run);
		const ids = idsOf(run.emitted);
		expectNoDuplicates(ids);
		const expected = sc.shop.orders.filter((o) => o.created >= run.since).map((o) => o.id);
		expect([...ids].sort()).toEqual([...expected].sort());
		expect(sc.shop.oneYearViolations).toBe(0);
		if (sc.cfg.fullOrders) {
			expect(run.emitted.every((i) => i.lineItemContainer !== undefined || typeof i.fullOrderError === 'string')).toBe(true);
		}
	});
});

describe('property: order updates are emitted once per newer change, the last change always', () => {
	const seeds = Array.from({ length: 80 }, (_, i) => 5000 + i);
	it.each(seeds)('seed %i', (seed) => {
		const sc = scenario(seed, 'orderUpdated');
		const run = runScenario(sc);
		expectHealthy(run);
		const last = new Map<string, number>();
		for (const item of run.emitted) {
			const id = String(item.orderId);
			const updated = Date.parse(String(item.lastUpdatedOnDate));
			const created = Date.parse(String(item.creationDate));
			expect(updated).toBeGreaterThanOrEqual(run.since);
			if (!sc.cfg.includeNewOrders) expect(updated).toBeGreaterThan(created);
			const previous = last.get(id);
			if (previous !== undefined) expect(updated).toBeGreaterThan(previous);
			last.set(id, updated);
		}
		for (const order of sc.shop.orders) {
			const wanted = order.updated >= run.since && (sc.cfg.includeNewOrders || order.updated > order.created);
			if (wanted) expect([order.id, last.get(order.id)]).toEqual([order.id, order.updated]);
			else expect(last.has(order.id)).toBe(false);
		}
	});
});

describe('property: status events are emitted once per order', () => {
	const events = Object.keys(STATUS_EVENTS) as StatusEvent[];
	const seeds = Array.from({ length: 100 }, (_, i) => 9000 + i);
	it.each(seeds)('seed %i', (seed) => {
		const event = events[seed % events.length];
		const sc = scenario(seed, event);
		const flag = STATUS_EVENTS[event];
		// Statuses already set at activation are history.
		for (const order of sc.shop.orders) if (sc.random() < 0.3) {
			sc.shop.t = T0 - Math.floor(sc.random() * 10) * SEC - SEC;
			sc.shop.flag(order, flag);
		}
		sc.shop.t = T0;
		const run = runScenario(sc);
		expectHealthy(run);
		const ids = idsOf(run.emitted);
		expectNoDuplicates(ids);
		const emitted = new Set(ids);
		for (const order of sc.shop.orders) {
			const at = order.flags[flag];
			if (order.firstFlags[flag] === undefined) {
				expect(emitted.has(order.id)).toBe(false);
				continue;
			}
			if (order.clears[flag] !== undefined) {
				// Cleared at some point (at most once, as every order): an order whose status was first set
				// after activation and is set at the end was never history, so it must have been emitted.
				if (at !== undefined && (order.firstFlags[flag] ?? 0) >= run.activatedAt) {
					expect([order.id, emitted.has(order.id)]).toEqual([order.id, true]);
				}
				continue;
			}
			if (at === undefined) continue;
			const setAfterActivation = (order.flagSetAt[flag] ?? 0) >= run.activatedAt;
			const backFilled = sc.cfg.startFrom !== undefined && order.created >= sc.cfg.startFrom;
			if (at >= run.activatedAt || backFilled) expect([order.id, emitted.has(order.id)]).toEqual([order.id, true]);
			else if (!setAfterActivation) expect([order.id, emitted.has(order.id)]).toEqual([order.id, false]);
		}
	});
});

describe('property: a poll never changes its input state', () => {
	it('leaves the stored object untouched (n8n keeps it when a poll fails)', () => {
		const sc = scenario(42, 'newOrder');
		sc.shop.burst(5);
		const stored = initialState(sc.cfg, T0 - MIN) as CreatedState;
		const copy = JSON.parse(JSON.stringify(stored));
		drive(pollSteps(stored, sc.cfg, sc.shop.t, sc.lim), (s) => sc.shop.perform(s));
		expect(stored).toEqual(copy);
	});
});
