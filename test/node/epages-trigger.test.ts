/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code; never shipped */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { DEFAULT_LIMITS, type TriggerLimits } from '../../nodes/EPages/trigger/types';
import { Poller } from '../harness/n8n';
import { useSettings, withSettings } from '../harness/settings';
import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';

const DAY = 24 * 3600 * 1000;

let sandbox: EPagesSandbox;

beforeAll(async () => {
	sandbox = await startEPagesSandbox();
});

afterAll(async () => {
	await sandbox.close();
});

beforeEach(() => {
	sandbox.reset();
	sandbox.requests.splice(0);
	sandbox.faults.configure({});
	sandbox.falseFilter = 'honoured';
});

useSettings({ ePages: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 } });

/**
 * A trigger (with the file's short back-off); `trigger` sets its page sizes and budgets for this
 * poller's polls. A settings section replaces the defaults as a whole: the limits not given are the
 * defaults, stated here.
 */
function poller(parameters: INodeParameters, staticData: IDataObject = {}, accessToken?: string, trigger?: Partial<TriggerLimits>): Pick<Poller, 'poll' | 'staticData'> {
	const polling = new Poller({
		type: 'ePagesTrigger',
		parameters,
		credentials: { ePagesApi: { apiUrl: sandbox.apiUrl, accessToken: accessToken ?? sandbox.token } },
		staticData,
	});
	if (!trigger) return polling;
	const limits = { ...DEFAULT_LIMITS, ...trigger };
	return {
		poll: async (mode) => await withSettings({ trigger: limits }, async () => await polling.poll(mode)),
		get staticData() {
			return polling.staticData;
		},
	};
}

const ids = (items: Array<{ json: IDataObject }>) => items.map((i) => String(i.json.orderId));
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** A new order, returned once the clock has passed its creation time (windows end at "now", exclusive). */
async function placeOrder(): Promise<ReturnType<EPagesSandbox['addOrder']>> {
	const order = sandbox.addOrder();
	while (Date.now() <= Date.parse(order.creationDate)) await new Promise((resolve) => setTimeout(resolve, 1));
	return order;
}

describe('New Order', () => {
	it('starts at activation without history, emits each new order once, and an idle poll costs one request', async () => {
		const trigger = poller({ event: 'newOrder', options: { emit: 'listItems' } });
		expect(await trigger.poll()).toEqual([]);
		expect(sandbox.requests).toHaveLength(0);

		const first = await placeOrder();
		const second = await placeOrder();
		const items = await trigger.poll();
		expect(ids(items).sort()).toEqual([first.orderId, second.orderId].sort());
		expect(items[0].json.lineItemContainer).toBeUndefined();

		sandbox.requests.splice(0);
		expect(await trigger.poll()).toEqual([]);
		expect(sandbox.requests).toHaveLength(1);
		const [idle] = sandbox.requests;
		expect(Object.keys(idle.query).sort()).toEqual(['createdAfter', 'createdBefore', 'page', 'resultsPerPage']);
		expect(idle.query.resultsPerPage).toBe('100');

		const third = await placeOrder();
		expect(ids(await trigger.poll())).toEqual([third.orderId]);
		expect(await trigger.poll()).toEqual([]);
	});

	it('emits full orders by default, in the locale asked for', async () => {
		const trigger = poller({ event: 'newOrder', options: { locale: 'en_GB' } });
		await trigger.poll();
		const order = await placeOrder();
		const items = await trigger.poll();
		expect(ids(items)).toEqual([order.orderId]);
		expect(items[0].json.lineItemContainer).toBeDefined();
		expect(sandbox.requests.every((r) => r.query.locale === 'en_GB')).toBe(true);
		expect(sandbox.requests.map((r) => r.path)).toEqual([
			'/rs/shops/DemoShop/orders',
			`/rs/shops/DemoShop/orders/${order.orderId}`,
		]);
	});

	it('a restart with the same static data goes on where it was: nothing twice, nothing lost', async () => {
		const staticData: IDataObject = {};
		const before = poller({ event: 'newOrder', options: { emit: 'listItems' } }, staticData);
		await before.poll();
		const a = await placeOrder();
		expect(ids(await before.poll())).toEqual([a.orderId]);
		// n8n restarts: the workflow is loaded again with its saved static data.
		const b = await placeOrder();
		const saved = JSON.parse(JSON.stringify(staticData)) as IDataObject;
		const after = poller({ event: 'newOrder', options: { emit: 'listItems' } }, saved);
		expect(ids(await after.poll())).toEqual([b.orderId]);
		expect(await after.poll()).toEqual([]);
	});

	it('orders in the same second, and orders arriving between polls, are each emitted once', async () => {
		// Start From an hour ago: orders dated a second back are wanted even right after activation.
		const trigger = poller({ event: 'newOrder', options: { emit: 'listItems', startFrom: ago(3600 * 1000) } });
		expect(await trigger.poll()).toEqual([]);
		const emitted: string[] = [];
		const created: string[] = [];
		for (let round = 0; round < 6; round++) {
			const second = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000).toISOString();
			for (let i = 0; i < 3; i++) created.push(sandbox.addOrder({}, { creationDate: second }).orderId);
			emitted.push(...ids(await trigger.poll()));
		}
		emitted.push(...ids(await trigger.poll()));
		expect(emitted.sort()).toEqual(created.sort());
	});

	it('Start From back-fills oldest first, in bounded portions per poll', async () => {
		sandbox.reset('empty');
		const base = Date.now() - 20 * DAY;
		const created = Array.from({ length: 120 }, (_, i) =>
			sandbox.addOrder({}, { creationDate: new Date(base + i * 3600 * 1000).toISOString() }).orderId,
		);
		const trigger = poller({ event: 'newOrder', options: { emit: 'listItems', startFrom: ago(21 * DAY) } }, {}, undefined, { pageSize: 10, maxPages: 4 });
		const emitted: string[] = [];
		let polls = 0;
		while (emitted.length < created.length && polls < 50) {
			sandbox.requests.splice(0);
			const items = await trigger.poll();
			polls++;
			expect(items.length).toBeLessThanOrEqual(40);
			expect(sandbox.requests.length).toBeLessThanOrEqual(4 + 10);
			emitted.push(...ids(items));
		}
		expect(emitted).toEqual(created);
		expect(polls).toBeGreaterThanOrEqual(3);
		expect(await trigger.poll()).toEqual([]);
	});

	it('a detail that fails is not lost: the others are emitted now, it comes on the next poll', async () => {
		const trigger = poller({ event: 'newOrder' });
		await trigger.poll();
		const a = await placeOrder();
		const b = await placeOrder();
		sandbox.faults.configure({ rates: { status500: 1 }, applies: (req) => req.path.endsWith(`/orders/${b.orderId}`) });
		expect(ids(await trigger.poll())).toEqual([a.orderId]);
		sandbox.faults.configure({});
		expect(ids(await trigger.poll())).toEqual([b.orderId]);
		expect(await trigger.poll()).toEqual([]);
	});

	it('a poll that cannot read the shop fails with a clear message and keeps its state', async () => {
		const staticData: IDataObject = {};
		const trigger = poller({ event: 'newOrder' }, staticData);
		await trigger.poll();
		const saved = JSON.stringify(staticData);
		await placeOrder();
		sandbox.faults.configure({ rates: { status503: 1 } });
		await expect(trigger.poll()).rejects.toThrow(/^ePages could not list orders \(HTTP 503\)/);
		expect(JSON.stringify(staticData)).toBe(saved);
		sandbox.faults.configure({});
		expect(await trigger.poll()).toHaveLength(1);
	});

	it('a wrong token is named, and the token is not', async () => {
		const unknown = ['unknown', 'trigger', 'token', '42'].join('-');
		const trigger = poller({ event: 'newOrder', options: { startFrom: ago(DAY) } }, {}, unknown);
		const error = await trigger.poll().then(
			() => undefined,
			(e: Error & { description?: string }) => e,
		);
		expect(error?.message).toBe('ePages could not list orders (HTTP 401): the access token was refused');
		expect(JSON.stringify({ message: error?.message, description: error?.description })).not.toContain(unknown);
	});

	it('a bad Start From is an error before any request', async () => {
		const trigger = poller({ event: 'newOrder', options: { startFrom: 'the beginning' } });
		await expect(trigger.poll()).rejects.toThrow('Start From "the beginning" is not a date');
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('manual mode ("Fetch Test Event")', () => {
	it('returns the latest order in one list request and leaves the static data alone', async () => {
		const staticData: IDataObject = {};
		const trigger = poller({ event: 'newOrder', options: { emit: 'listItems' } }, staticData);
		await trigger.poll();
		const before = JSON.stringify(staticData);
		const latest = await placeOrder();
		sandbox.requests.splice(0);
		const items = await trigger.poll('manual');
		expect(ids(items)).toEqual([latest.orderId]);
		expect(sandbox.requests).toHaveLength(1);
		expect(Number(sandbox.requests[0].query.resultsPerPage)).toBeLessThanOrEqual(10);
		expect(JSON.stringify(staticData)).toBe(before);
		// The cursor did not move: the real poll still emits the order.
		expect(ids(await trigger.poll())).toEqual([latest.orderId]);
	});

	it('says so when no order matches yet', async () => {
		const trigger = poller({ event: 'orderReturned' });
		await expect(trigger.poll('manual')).rejects.toThrow('No order in the shop matches this event yet');
		expect(trigger.staticData).toEqual({});
	});
});

describe('Order Updated', () => {
	it('emits an order when its content changes, once per change; status changes do not count', async () => {
		const trigger = poller({ event: 'orderUpdated', options: { emit: 'listItems' } });
		expect(await trigger.poll()).toEqual([]);
		// The first poll only marks the start; let the clock move past it, as it does between real polls.
		await new Promise((resolve) => setTimeout(resolve, 2));
		const target = sandbox.orders[0];
		sandbox.updateOrder(target.orderId, { shippingAddress: { ...target.billingAddress, street: 'Rua Nova 1' } });
		const items = await trigger.poll();
		expect(ids(items)).toEqual([target.orderId]);
		sandbox.requests.splice(0);
		expect(await trigger.poll()).toEqual([]);
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].query).toHaveProperty('updatedFrom');
		sandbox.setStatus(target.orderId, 'paidOn', new Date().toISOString());
		expect(await trigger.poll()).toEqual([]);
		// Content changes again a little later: a newer lastUpdatedOnDate, emitted again.
		await new Promise((resolve) => setTimeout(resolve, 5));
		sandbox.updateOrder(target.orderId, { shippingAddress: { ...target.billingAddress, street: 'Rua Velha 2' } });
		expect(ids(await trigger.poll())).toEqual([target.orderId]);
		// New orders are not updates.
		await placeOrder();
		expect(await trigger.poll()).toEqual([]);
	});
});

/** Paid orders created within `ms`, newest first (the sandbox's order). */
function paidWithin(ms: number) {
	return sandbox.orders
		.filter((o) => o.paidOn !== null && Date.parse(o.creationDate) >= Date.now() - ms)
		.sort((a, b) => Date.parse(b.creationDate) - Date.parse(a.creationDate));
}

function unpaidWithin(ms: number) {
	return sandbox.orders
		.filter((o) => o.paidOn === null && Date.parse(o.creationDate) >= Date.now() - ms)
		.sort((a, b) => Date.parse(b.creationDate) - Date.parse(a.creationDate));
}

const newestUnpaid = (ms: number) => unpaidWithin(ms)[0];
const oldestUnpaid = (ms: number) => unpaidWithin(ms)[unpaidWithin(ms).length - 1];

describe('status events', () => {
	it('Order Paid: orders paid before activation are history; each order paid later is emitted once', async () => {
		const staticData: IDataObject = {};
		const trigger = poller({ event: 'orderPaid', options: { emit: 'listItems', statusLookbackDays: 60 } }, staticData);
		expect(await trigger.poll()).toEqual([]);
		const unpaid = sandbox.orders.filter((o) => o.paidOn === null);
		expect(unpaid.length).toBeGreaterThan(0);
		const [first, ...rest] = unpaid;
		sandbox.setStatus(first.orderId, 'paidOn', new Date().toISOString());
		sandbox.requests.splice(0);
		expect(ids(await trigger.poll())).toEqual([first.orderId]);
		expect(sandbox.requests.every((r) => r.query.paidOn === 'true')).toBe(true);
		expect(await trigger.poll()).toEqual([]);
		// Cleared and set again: still one event per order.
		sandbox.setStatus(first.orderId, 'paidOn', null);
		await trigger.poll();
		sandbox.setStatus(first.orderId, 'paidOn', new Date().toISOString());
		expect(await trigger.poll()).toEqual([]);
		// A restart changes nothing.
		const again = poller({ event: 'orderPaid', options: { emit: 'listItems', statusLookbackDays: 60 } }, JSON.parse(JSON.stringify(staticData)) as IDataObject);
		expect(await again.poll()).toEqual([]);
		if (rest.length > 0) {
			sandbox.setStatus(rest[0].orderId, 'paidOn', new Date().toISOString());
			expect(ids(await again.poll())).toEqual([rest[0].orderId]);
		}
	});

	it('Order Invoiced with Start From emits the invoiced orders created since then', async () => {
		const since = ago(30 * DAY);
		const expected = sandbox.orders
			.filter((o) => o.invoicedOn !== null && o.creationDate >= since)
			.map((o) => o.orderId);
		const trigger = poller({ event: 'orderInvoiced', options: { emit: 'listItems', startFrom: since, statusLookbackDays: 60 } });
		expect(ids(await trigger.poll()).sort()).toEqual(expected.sort());
		expect(await trigger.poll()).toEqual([]);
	});

	it('Order Paid: once a full read found nothing new, an idle poll costs one request; a payment comes on the next poll', async () => {
		const trigger = poller({ event: 'orderPaid', options: { emit: 'listItems', statusLookbackDays: 60 } });
		// Activation records the paid orders as history; the next poll reads them all once more.
		expect(await trigger.poll()).toEqual([]);
		expect(await trigger.poll()).toEqual([]);
		sandbox.requests.splice(0);
		expect(await trigger.poll()).toEqual([]);
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].query).toMatchObject({ paidOn: 'true', page: '1', resultsPerPage: '100' });
		expect(Object.keys(sandbox.requests[0].query).sort()).toEqual(['createdAfter', 'createdBefore', 'page', 'paidOn', 'resultsPerPage']);
		const order = newestUnpaid(60 * DAY);
		sandbox.setStatus(order.orderId, 'paidOn', new Date().toISOString());
		expect(ids(await trigger.poll())).toEqual([order.orderId]);
	});

	it('Order Paid: a status cleared on one order as it is set on another is emitted by the next full read, once', async () => {
		// Two orders a page, so that the newly paid order is not on page 1; a full read every 300 ms.
		const trigger = poller({ event: 'orderPaid', options: { emit: 'listItems', statusLookbackDays: 60 } }, {}, undefined, { pageSize: 2, statusSweepMs: 300 });
		await trigger.poll();
		await trigger.poll();
		const paid = paidWithin(60 * DAY);
		const swapped = oldestUnpaid(60 * DAY);
		expect(Date.parse(swapped.creationDate)).toBeLessThan(Date.parse(paid[1].creationDate));
		sandbox.setStatus(paid[paid.length - 1].orderId, 'paidOn', null);
		sandbox.setStatus(swapped.orderId, 'paidOn', new Date().toISOString());
		sandbox.requests.splice(0);
		expect(await trigger.poll()).toEqual([]);
		expect(sandbox.requests).toHaveLength(1);
		await new Promise((resolve) => setTimeout(resolve, 350));
		expect(ids(await trigger.poll())).toEqual([swapped.orderId]);
		expect(await trigger.poll()).toEqual([]);
		await new Promise((resolve) => setTimeout(resolve, 350));
		expect(await trigger.poll()).toEqual([]);
	});

	it('Order Paid: static data stored by the first release keeps working', async () => {
		// The harness's workflow keeps a node's static data under "node:<name>", as n8n does.
		const stored = {
			v: 1,
			key: `orderPaid||${60 * DAY}`,
			since: Date.now() - DAY,
			kind: 'status',
			baseline: false,
			emitted: Object.fromEntries(paidWithin(60 * DAY).map((o) => [o.orderId, Date.parse(o.creationDate)])),
			pass: null,
			failures: {},
		};
		const staticData: IDataObject = { 'node:Trigger': { ePagesTrigger: stored } };
		const trigger = poller({ event: 'orderPaid', options: { emit: 'listItems', statusLookbackDays: 60 } }, staticData);
		const order = newestUnpaid(60 * DAY);
		sandbox.setStatus(order.orderId, 'paidOn', new Date().toISOString());
		sandbox.requests.splice(0);
		expect(ids(await trigger.poll())).toEqual([order.orderId]);
		// The stored state was used (a fresh one would have recorded this payment as history), and it
		// now has what the one-request polls need.
		expect((staticData['node:Trigger'] as IDataObject).ePagesTrigger).toMatchObject({ since: stored.since, unlisted: [] });
		expect(await trigger.poll()).toEqual([]);
		sandbox.requests.splice(0);
		expect(await trigger.poll()).toEqual([]);
		expect(sandbox.requests).toHaveLength(1);
	});

	it('Order Rejected watches the rejectedOn filter', async () => {
		const trigger = poller({ event: 'orderRejected', options: { emit: 'listItems' } });
		await trigger.poll();
		const order = await placeOrder();
		sandbox.setStatus(order.orderId, 'rejectedOn', new Date().toISOString());
		expect(ids(await trigger.poll())).toEqual([order.orderId]);
		expect(sandbox.requests.every((r) => r.query.rejectedOn === 'true')).toBe(true);
	});
});

describe('Order Paid, Not Yet Invoiced (over HTTP)', () => {
	const pay = (orderId: string) => sandbox.setStatus(orderId, 'paidOn', new Date().toISOString());

	it.each(['honoured', 'ignored', 'inverted'] as const)(
		'offers each paid order until it is invoiced, an order paid 60 days after it was placed too (the shop reads flag=false: %s)',
		async (falseFilter) => {
			sandbox.falseFilter = falseFilter;
			const trigger = poller({ event: 'orderPaidNotInvoiced' });
			// Activation: the paid, not invoiced orders of the seed are history.
			const history = sandbox.orders.filter((o) => o.paidOn && !o.invoicedOn);
			expect(history.length).toBeGreaterThan(0);
			expect(await trigger.poll()).toEqual([]);

			const fresh = await placeOrder();
			const late = sandbox.addOrder({}, { creationDate: ago(60 * DAY) });
			pay(fresh.orderId);
			pay(late.orderId);
			const items = await trigger.poll();
			expect(ids(items).sort()).toEqual([fresh.orderId, late.orderId].sort());
			expect(items.every((i) => i.json.lineItemContainer !== undefined)).toBe(true);

			// The workflow invoiced one (write-back); the other was refused. Within its pause neither comes back.
			sandbox.setStatus(fresh.orderId, 'invoicedOn', new Date().toISOString());
			expect(await trigger.poll()).toEqual([]);
			// The merchant corrects the refused order in the shop: the next poll offers it again.
			sandbox.updateOrder(late.orderId, { billingAddress: { ...late.billingAddress, vatId: '' } } as never);
			expect(ids(await trigger.poll())).toEqual([late.orderId]);
			expect(await trigger.poll()).toEqual([]);
			// The history was never offered.
			expect(ids(items).some((id) => history.some((o) => o.orderId === id))).toBe(false);
		},
	);

	it('an idle poll costs one request once the first read has compared the filter', async () => {
		const trigger = poller({ event: 'orderPaidNotInvoiced', options: { emit: 'listItems' } });
		await trigger.poll();
		sandbox.requests.splice(0);
		expect(await trigger.poll()).toEqual([]);
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].query).toMatchObject({ paidOn: 'true', invoicedOn: 'false', page: '1', resultsPerPage: '100' });
	});
});
