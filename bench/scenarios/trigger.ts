/* eslint-disable @n8n/community-nodes/no-restricted-globals -- benchmark script; never shipped */
/**
 * Scenario 5: what the ePages Trigger costs. Requests per idle poll and per 1,000 new orders through
 * the in-process harness's Poller (n8n-core's PollContext, real clock, real HTTP to the sandbox); the
 * lag from an event to its emission at a given poll interval on a SIMULATED clock: the trigger's own
 * poll logic (`pollSteps`, which the node runs) is driven with a chosen "now", its requests answered by
 * the sandbox over HTTP, so an hour of one-minute polls takes seconds.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { pollSteps, runSteps } from '../../nodes/EPages/trigger/poll';
import { DEFAULT_LIMITS, type StepResult, type TriggerConfig, type TriggerEvent, type TriggerState } from '../../nodes/EPages/trigger/types';
import { Poller } from '../../test/harness/n8n';
import { prng } from '../../test/sandbox/faults';
import { startEPagesSandbox, type EPagesSandbox } from '../../test/sandbox/epages';
import { seedOrders } from '../lib/orders';
import { round } from '../lib/requests';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

function poller(shop: EPagesSandbox, event: TriggerEvent, options: IDataObject = {}): Poller {
	const parameters: INodeParameters = { event, options: options as INodeParameters };
	return new Poller({ type: 'ePagesTrigger', parameters, credentials: { ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token } } });
}

async function counted<T>(shop: EPagesSandbox, fn: () => Promise<T>): Promise<{ value: T; requests: number }> {
	const before = shop.requests.length;
	const value = await fn();
	return { value, requests: shop.requests.length - before };
}

export interface IdlePoll {
	event: TriggerEvent;
	orders_in_shop: number;
	paid_in_lookback: number;
	activation_requests: number;
	/** Requests of each idle poll after activation. */
	per_poll: number[];
	/** Median of per_poll: the steady state (the first polls may still finish the activation's pass). */
	requests_per_idle_poll: number;
}

async function idlePolls(shop: EPagesSandbox, event: TriggerEvent, polls: number): Promise<IdlePoll> {
	const trigger = poller(shop, event);
	const activation = await counted(shop, async () => await trigger.poll());
	const perPoll: number[] = [];
	for (let i = 0; i < polls; i++) {
		// A poll interval passes (shortened): a poll in the same millisecond as the last one has nothing to read.
		await new Promise((resolve) => setTimeout(resolve, 50));
		const { value, requests: n } = await counted(shop, async () => await trigger.poll());
		if (value.length > 0) throw new Error(`an idle ${event} poll emitted ${value.length} orders`);
		perPoll.push(n);
	}
	const lookbackStart = Date.now() - 14 * DAY;
	return {
		event,
		orders_in_shop: shop.orders.length,
		paid_in_lookback: shop.orders.filter((o) => o.paidOn && Date.parse(o.creationDate) >= lookbackStart).length,
		activation_requests: activation.requests,
		per_poll: perPoll,
		requests_per_idle_poll: [...perPoll].sort((a, b) => a - b)[Math.floor(polls / 2)],
	};
}

export interface SimResult {
	case: string;
	poll_interval_s: number;
	events: number;
	emitted: number;
	polls: number;
	list_requests: number;
	detail_requests: number;
	requests_per_1000_orders: number;
	mean_lag_s: number;
	p95_lag_s: number;
	max_lag_s: number;
}

/** The sandbox answering the trigger's steps, as the node's runner does over HTTP. */
function performer(shop: EPagesSandbox) {
	const headers = { Authorization: `Bearer ${shop.token}`, Accept: 'application/vnd.epages.v1+json' };
	return async (step: { kind: 'list'; qs: Record<string, string | number> } | { kind: 'detail'; orderId: string }): Promise<StepResult> => {
		if (step.kind === 'list') {
			const url = new URL(`${shop.apiUrl}/orders`);
			for (const [k, v] of Object.entries(step.qs)) url.searchParams.set(k, String(v));
			const res = await fetch(url, { headers });
			if (!res.ok) return { ok: false, error: new Error(`HTTP ${res.status}`), status: res.status };
			const body = (await res.json()) as { items: IDataObject[]; results: number };
			return { ok: true, kind: 'list', items: body.items, results: body.results };
		}
		const res = await fetch(`${shop.apiUrl}/orders/${encodeURIComponent(step.orderId)}`, { headers });
		if (!res.ok) return { ok: false, error: new Error(`HTTP ${res.status}`), status: res.status };
		return { ok: true, kind: 'detail', order: (await res.json()) as IDataObject };
	};
}

/**
 * Simulated clock: events at random moments over `spanMs` (or all at one moment), a poll every
 * `intervalMs`; lag = time of the poll that emitted the order − time of the event. Requests are
 * counted from the activation poll on (the activation poll excluded).
 */
async function simulate(event: 'newOrder' | 'orderPaid', opts: { events: number; spanMs: number; intervalMs: number; burst: boolean; label: string }): Promise<SimResult> {
	const t0 = Date.UTC(2026, 10, 28, 9, 0, 0);
	let now = t0;
	const shop = await startEPagesSandbox({ seed: 'empty', now: () => new Date(now) });
	try {
		const random = prng(11);
		const config: TriggerConfig = { event, fullOrders: true, lookbackMs: 14 * DAY, includeNewOrders: false };
		const perform = performer(shop);
		// Event times, in order.
		const times = Array.from({ length: opts.events }, () => (opts.burst ? t0 + MIN / 2 : t0 + Math.floor(random() * opts.spanMs))).sort((a, b) => a - b);
		const eventAt = new Map<string, number>();
		const pending: string[] = [];
		if (event === 'orderPaid') {
			for (const o of seedOrders(shop, { count: opts.events, returningShare: 0.4, paid: false, lastCreatedAt: t0 - 60 * MIN, spacingMs: 1000 })) pending.push(o.orderId);
		}
		let state: TriggerState | undefined;
		const poll = async (): Promise<IDataObject[]> => {
			const outcome = await runSteps(pollSteps(state, config, now, DEFAULT_LIMITS), perform);
			state = outcome.state;
			return outcome.items;
		};
		await poll(); // activation at t0
		const start = shop.requests.length;
		let polls = 0;
		const lags: number[] = [];
		let next = 0;
		const end = t0 + opts.spanMs + 30 * opts.intervalMs;
		for (let pollAt = t0 + opts.intervalMs; pollAt <= end && lags.length < opts.events; pollAt += opts.intervalMs) {
			while (next < times.length && times[next] < pollAt) {
				now = times[next];
				const at = new Date(now).toISOString();
				if (event === 'newOrder') eventAt.set(shop.addOrder({ customerId: null }, { creationDate: at }).orderId, now);
				else {
					shop.setStatus(pending[next], 'paidOn', at);
					eventAt.set(pending[next], now);
				}
				next++;
			}
			now = pollAt;
			polls++;
			for (const item of await poll()) {
				const at = eventAt.get(String(item.orderId));
				if (at !== undefined) lags.push(pollAt - at);
			}
		}
		lags.sort((a, b) => a - b);
		const s = (ms: number) => round(ms / 1000, 1);
		const requests = shop.requests.slice(start);
		const list = requests.filter((r) => /\/orders$/.test(r.path)).length;
		return {
			case: opts.label,
			poll_interval_s: opts.intervalMs / 1000,
			events: opts.events,
			emitted: lags.length,
			polls,
			list_requests: list,
			detail_requests: requests.length - list,
			requests_per_1000_orders: round((requests.length / opts.events) * 1000, 0),
			mean_lag_s: s(lags.reduce((a, b) => a + b, 0) / Math.max(1, lags.length)),
			p95_lag_s: s(lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.95))] ?? NaN),
			max_lag_s: s(lags[lags.length - 1] ?? NaN),
		};
	} finally {
		await shop.close();
	}
}

export interface TriggerResult {
	idle: IdlePoll[];
	idle_empty_shop: IdlePoll[];
	simulated: SimResult[];
	requests_per_idle_poll: number;
}

export async function runTrigger(opts: { shopOrders: number }): Promise<TriggerResult> {
	const shop = await startEPagesSandbox({ seed: 'empty' });
	shop.setRateLimit(1e9, 3600_000);
	try {
		const idleEmpty = [await idlePolls(shop, 'newOrder', 7), await idlePolls(shop, 'orderPaid', 7)];
		// A shop with a fortnight of business: `shopOrders` paid orders over the last days, all in the lookback.
		seedOrders(shop, { count: opts.shopOrders, returningShare: 0.4, lastCreatedAt: Date.now() - 10 * MIN, spacingMs: Math.floor((10 * DAY) / opts.shopOrders) });
		const idle = [await idlePolls(shop, 'newOrder', 7), await idlePolls(shop, 'orderPaid', 7)];
		const simulated = [
			await simulate('newOrder', { events: 1000, spanMs: 100 * MIN, intervalMs: MIN, burst: false, label: 'New Order, 1,000 orders over 100 min' }),
			await simulate('newOrder', { events: 1000, spanMs: MIN, intervalMs: MIN, burst: true, label: 'New Order, 1,000 orders in the same second' }),
			await simulate('orderPaid', { events: 1000, spanMs: 100 * MIN, intervalMs: MIN, burst: false, label: 'Order Paid, 1,000 payments over 100 min' }),
		];
		return {
			idle,
			idle_empty_shop: idleEmpty,
			simulated,
			requests_per_idle_poll: Math.max(...idle.map((i) => i.requests_per_idle_poll)),
		};
	} finally {
		await shop.close();
	}
}
