import type { IDataObject } from 'n8n-workflow';

import { initialState, loadState, manualSteps, pollSteps, stateKey } from '../../nodes/EPages/trigger/poll';
import { DEFAULT_LIMITS, type Step, type TriggerState, type UninvoicedState } from '../../nodes/EPages/trigger/types';
import { reofferPause } from '../../nodes/EPages/trigger/uninvoiced';
import { commit, config, DAY, drive, fixedShop, MIN, SEC, T0, type ShopKnobs, type SimShop } from './epages-trigger-sim';

/**
 * Order Paid, Not Yet Invoiced: every paid order without an invoiced date is offered until it has
 * one. The invoicing step is simulated: it invoices an order (sets its invoiced date) unless the
 * test says the order is refused.
 */

const cfg = (over: Parameters<typeof config>[0] = {}) => config({ event: 'orderPaidNotInvoiced', lookbackMs: 90 * DAY, ...over });

class Merchant {
	state: TriggerState | undefined;
	offers: string[] = [];
	refused = new Set<string>();
	steps: Step[][] = [];
	constructor(
		readonly shop: SimShop,
		readonly config = cfg(),
		readonly lim = DEFAULT_LIMITS,
	) {}

	/** One poll at `now`, then the workflow invoices what it was offered (write-back sets invoicedOn). */
	poll(now: number): string[] {
		this.shop.t = now;
		const steps: Step[] = [];
		const outcome = drive(pollSteps(this.state, this.config, now, this.lim), (s) => (steps.push(s), this.shop.perform(s)));
		this.steps.push(steps);
		this.state = commit(this.state, outcome).state;
		const ids = outcome.items.map((i: IDataObject) => String(i.orderId));
		this.offers.push(...ids);
		for (const id of ids) {
			if (this.refused.has(id)) continue;
			this.shop.flag(this.shop.orders.find((o) => o.id === id)!, 'invoicedOn');
		}
		return ids;
	}
}

function paid(shop: SimShop, created: number, at = shop.t) {
	const order = shop.add(created);
	const t = shop.t;
	shop.t = at;
	shop.flag(order, 'paidOn');
	shop.t = t;
	return order;
}

describe('Order Paid, Not Yet Invoiced', () => {
	it('pauses 1, 2, 4 … minutes between offers, at most an hour', () => {
		expect([1, 2, 3, 4, 7, 8, 20].map((n) => reofferPause(n) / MIN)).toEqual([1, 2, 4, 8, 60, 60, 60]);
	});

	it('at activation takes note of the paid orders not invoiced (history), then offers each order paid later, whatever its age', () => {
		const shop = fixedShop();
		const old = paid(shop, T0 - 3 * DAY, T0 - 2 * DAY);
		const m = new Merchant(shop);
		expect(m.poll(T0)).toEqual([]);
		expect((m.state as UninvoicedState).history).toEqual({ [old.id]: old.created });
		// A bank transfer paid 60 days after the order was placed.
		const late = paid(shop, T0 - 60 * DAY, T0 + 30 * SEC);
		const fresh = paid(shop, T0 + 10 * SEC, T0 + 40 * SEC);
		expect(m.poll(T0 + MIN).sort()).toEqual([late.id, fresh.id].sort());
		// Invoiced (write-back): never offered again; the old one stays history.
		expect(m.poll(T0 + 2 * MIN)).toEqual([]);
		expect(m.poll(T0 + 3 * 3600 * SEC)).toEqual([]);
		expect(m.offers.sort()).toEqual([late.id, fresh.id].sort());
		// The state is as small as the set: invoiced orders are forgotten.
		expect(Object.keys((m.state as UninvoicedState).offered)).toEqual([]);
	});

	it('Start From asks for the paid orders of that period that are not invoiced yet', () => {
		const shop = fixedShop();
		const before = paid(shop, T0 - 10 * DAY, T0 - 9 * DAY);
		const covered = paid(shop, T0 - 3 * DAY, T0 - 2 * DAY);
		const m = new Merchant(shop, cfg({ startFrom: T0 - 5 * DAY }));
		expect(m.poll(T0)).toEqual([covered.id]);
		expect(Object.keys((m.state as UninvoicedState).history)).toEqual([before.id]);
	});

	it('offers a refused order again after a growing pause, and at the next poll once it was corrected in the shop', () => {
		const shop = fixedShop();
		const m = new Merchant(shop);
		m.poll(T0);
		const bad = paid(shop, T0 + SEC, T0 + 2 * SEC);
		const good = paid(shop, T0 + SEC, T0 + 2 * SEC);
		m.refused.add(bad.id);
		const times: number[] = [];
		for (let minute = 1; minute <= 20; minute++) if (m.poll(T0 + minute * MIN).includes(bad.id)) times.push(minute);
		// Offered at 1, then after 1, 2, 4, 8 minutes.
		expect(times).toEqual([1, 2, 4, 8, 16]);
		expect(m.offers.filter((id) => id === good.id)).toHaveLength(1);
		// The merchant fixes the NIF: the order changes, and the next poll offers it.
		shop.t = T0 + 20 * MIN + 10 * SEC;
		shop.update(bad);
		m.refused.delete(bad.id);
		expect(m.poll(T0 + 21 * MIN)).toEqual([bad.id]);
		expect(m.poll(T0 + 22 * MIN)).toEqual([]);
		expect(m.poll(T0 + 200 * MIN)).toEqual([]);
	});

	it('an idle poll costs one request', () => {
		const shop = fixedShop();
		const m = new Merchant(shop);
		m.poll(T0);
		m.poll(T0 + MIN);
		expect(m.steps[1]).toEqual([
			{
				kind: 'list',
				qs: expect.objectContaining({ paidOn: 'true', invoicedOn: 'false', page: 1, resultsPerPage: 100 }) as unknown,
			},
		]);
	});

	it('full orders: one detail request per offer; a failed detail is offered at the next poll', () => {
		const shop = fixedShop();
		const m = new Merchant(shop, cfg({ fullOrders: true }));
		m.poll(T0);
		const order = paid(shop, T0 + SEC, T0 + 2 * SEC);
		const perform = shop.perform.bind(shop);
		let failDetail = true;
		shop.perform = (s: Step) => (s.kind === 'detail' && failDetail ? { ok: false, error: new Error('503'), status: 503 } : perform(s));
		expect(m.poll(T0 + MIN)).toEqual([]);
		failDetail = false;
		expect(m.poll(T0 + 2 * MIN)).toEqual([order.id]);
	});

	it.each<[ShopKnobs['falseFilter'], boolean]>([
		['honoured', false],
		['ignored', true],
		['inverted', true],
	])('the invoicedOn=false filter %s: every paid order is invoiced exactly once (untrusted: %s)', (falseFilter, untrusted) => {
		const shop = fixedShop({ falseFilter });
		const m = new Merchant(shop, cfg(), { ...DEFAULT_LIMITS, statusSweepMs: 10 * MIN });
		m.poll(T0);
		const orders = [];
		for (let minute = 1; minute <= 30; minute++) {
			// An order paid every minute, and one unpaid order now and then.
			orders.push(paid(shop, T0 + minute * MIN - 20 * SEC, T0 + minute * MIN - 10 * SEC));
			if (minute % 3 === 0) shop.add(T0 + minute * MIN - 5 * SEC);
			m.poll(T0 + minute * MIN);
		}
		m.poll(T0 + 31 * MIN);
		// Invoiced orders are never offered again; nothing is missed (the inverted filter at worst until the first check).
		expect(new Set(m.offers).size).toBe(m.offers.length);
		expect(m.offers.sort()).toEqual(orders.map((o) => o.id).sort());
		expect((m.state as UninvoicedState).filterUntrusted === true).toBe(untrusted);
	});

	it('state: a key of its own, restored when intact, afresh when damaged', () => {
		const c = cfg();
		const state = initialState(c, T0);
		expect(state.kind).toBe('uninvoiced');
		expect(loadState(state, c)).toEqual(state);
		expect(loadState({ ...state, offered: 'x' }, c)).toBeUndefined();
		expect(stateKey(cfg({ lookbackMs: DAY }))).not.toBe(stateKey(c));
		expect(stateKey(c)).not.toBe(stateKey(config({ event: 'orderPaid', lookbackMs: 90 * DAY })));
	});

	it('Fetch Test Event: the latest paid order without an invoiced date', () => {
		const shop = fixedShop();
		const a = paid(shop, T0 - DAY, T0 - 3 * MIN);
		const b = paid(shop, T0 - 2 * DAY, T0 - MIN);
		const invoiced = paid(shop, T0 - DAY, T0);
		shop.flag(invoiced, 'invoicedOn');
		expect(a.id).not.toBe(b.id);
		shop.t = T0 + MIN;
		const latest = drive(manualSteps(cfg()), (s) => shop.perform(s));
		expect(latest?.orderId).toBe(b.id);
	});
});
