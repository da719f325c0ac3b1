import type { IDataObject } from 'n8n-workflow';

import { pollCreated } from './created';
import { pollStatus } from './status';
import { initialUninvoiced, pollUninvoiced } from './uninvoiced';
import { pollUpdated } from './updated';
import {
	hasLookback,
	isStatusEvent,
	STATUS_EVENTS,
	UNINVOICED_EVENT,
	type PollOutcome,
	type Step,
	type StepResult,
	type TriggerConfig,
	type TriggerLimits,
	type TriggerState,
} from './types';
import { iso, toMs, toRef, type Budget } from './window';

/**
 * The trigger's polling logic, free of I/O: a poll is a generator that yields the requests it wants
 * made (`Step`) and receives their results, and returns the items to emit with the new state. The
 * node runs it against the shop; tests run it against a simulated shop with any timing and failures.
 *
 * Guarantees, given that the shop's filters hold up to the overlap band (boundary inclusivity, clock
 * skew and orders that show up late in the list, together less than the overlap):
 * - New Order: each order created at or after activation/Start From is emitted once.
 * - Order Updated: an order is emitted again only with a newer lastUpdatedOnDate; its latest change
 *   is always emitted.
 * - Status events: each order whose status gets set is emitted once while it is inside the lookback.
 * The state only moves over windows read completely. A poll that fails before any progress reports
 * `progressed: false`, and the node then fails the poll so that n8n keeps the previous state.
 *
 * This file holds the entry (pollSteps), the state's key, start and loading, and the "Fetch Test
 * Event" steps; each kind of event has its own poller: created.ts (New Order), updated.ts (Order
 * Updated), status.ts (status events), uninvoiced.ts (Paid, Not Yet Invoiced).
 */

/** Settings a state belongs to; changing them starts afresh (like a new activation). */
export function stateKey(config: TriggerConfig): string {
	const parts: string[] = [config.event, config.startFrom === undefined ? '' : iso(config.startFrom)];
	if (hasLookback(config.event)) parts.push(String(config.lookbackMs));
	return parts.join('|');
}

export function initialState(config: TriggerConfig, now: number): TriggerState {
	const key = stateKey(config);
	const since = config.startFrom ?? now;
	if (config.event === 'newOrder') return { v: 1, key, since, kind: 'created', cursor: since, seen: {}, failures: {} };
	if (config.event === UNINVOICED_EVENT) return initialUninvoiced(key, now);
	if (config.event === 'orderUpdated') {
		return { v: 1, key, since, kind: 'updated', cursor: since, seen: {}, pass: null, retry: {}, failures: {} };
	}
	// A status event watches by creation date; "since" is the activation time so that a status set
	// after activation on an order created before Start From is still an event.
	return { v: 1, key, since: now, kind: 'status', baseline: true, emitted: {}, pass: null, failures: {} };
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The stored state when it is intact and belongs to these settings, else undefined. */
export function loadState(stored: unknown, config: TriggerConfig): TriggerState | undefined {
	if (!isRecord(stored) || stored.v !== 1 || stored.key !== stateKey(config)) return undefined;
	if (typeof stored.since !== 'number') return undefined;
	const state = JSON.parse(JSON.stringify(stored)) as TriggerState;
	if (!isRecord(state.failures)) state.failures = {};
	if (state.kind === 'created' && typeof state.cursor === 'number' && isRecord(state.seen)) return state;
	if (state.kind === 'updated' && typeof state.cursor === 'number' && isRecord(state.seen) && isRecord(state.retry)) {
		return state;
	}
	if (state.kind === 'uninvoiced') {
		return isRecord(state.offered) && isRecord(state.history) && typeof state.baseline === 'boolean' ? state : undefined;
	}
	if (state.kind === 'status' && isRecord(state.emitted)) {
		// Fields added after the first release are optional: a state without them (or with damaged
		// ones) gets a full pass next, which writes them.
		if (typeof state.sweptAt !== 'number') delete state.sweptAt;
		if (!isIdList(state.unlisted)) delete state.unlisted;
		state.quiet = state.quiet === true && state.sweptAt !== undefined && state.unlisted !== undefined;
		if (state.pass && !isIdList(state.pass.listed)) delete state.pass.listed;
		return state;
	}
	return undefined;
}

function isIdList(value: unknown): value is string[] {
	return Array.isArray(value) && value.every((id) => typeof id === 'string');
}

/** One poll. `stored` is whatever the static data held; `now` is fixed for the whole poll. */
export function* pollSteps(
	stored: unknown,
	config: TriggerConfig,
	now: number,
	limits: TriggerLimits,
): Generator<Step, PollOutcome, StepResult> {
	let state = loadState(stored, config);
	if (!state) {
		state = initialState(config, now);
		// No history wanted: the first poll only sets the starting point.
		if (state.kind !== 'status' && state.kind !== 'uninvoiced' && config.startFrom === undefined) {
			return { items: [], state, progressed: true };
		}
	}
	// A fresh state is not progress: a first poll that fails at once fails (a wrong token shows at activation).
	const before = JSON.stringify(state);
	const budget: Budget = { pages: 0, details: 0 };
	let outcome: Omit<PollOutcome, 'progressed'>;
	if (state.kind === 'created') outcome = yield* pollCreated(state, config, now, limits, budget);
	else if (state.kind === 'updated') outcome = yield* pollUpdated(state, config, now, limits, budget);
	else if (state.kind === 'uninvoiced') outcome = yield* pollUninvoiced(state, config, now, limits, budget);
	else outcome = yield* pollStatus(state, config, now, limits, budget);
	return { ...outcome, progressed: JSON.stringify(outcome.state) !== before };
}

/** Drives a poll generator with a function that performs each step. */
export async function runSteps<T>(
	steps: Generator<Step, T, StepResult>,
	perform: (step: Step) => Promise<StepResult>,
): Promise<T> {
	let next = steps.next();
	while (!next.done) {
		const result = await perform(next.value);
		next = steps.next(result);
	}
	return next.value;
}

/**
 * "Fetch Test Event": the latest order matching the event, in one list request (plus its detail for
 * full orders). Touches no state.
 */
export function* manualSteps(config: TriggerConfig): Generator<Step, IDataObject | undefined, StepResult> {
	const qs: Record<string, string | number> = { page: 1, resultsPerPage: 10 };
	let time: (item: IDataObject) => number | null = (item) => toMs(item.creationDate);
	if (config.event === 'orderUpdated') {
		qs.lastUpdated = 'true';
		time = (item) => toMs(item.lastUpdatedOnDate);
	} else if (config.event === UNINVOICED_EVENT) {
		qs.paidOn = 'true';
		qs.invoicedOn = 'false';
		time = (item) => (item.invoicedOn ? null : toMs(item.paidOn));
	} else if (isStatusEvent(config.event)) {
		const field = STATUS_EVENTS[config.event];
		qs[field] = 'true';
		time = (item) => toMs(item[field]);
	}
	const list: StepResult = yield { kind: 'list', qs };
	if (!list.ok) throw list.error;
	if (list.kind !== 'list') throw new Error('Unexpected answer to a list request');
	let latest: IDataObject | undefined;
	let latestTime = -Infinity;
	for (const item of list.items) {
		const t = time(item) ?? -Infinity;
		if (toRef(item) && (latest === undefined || t > latestTime)) {
			latest = item;
			latestTime = t;
		}
	}
	if (!latest || !config.fullOrders) return latest;
	const detail: StepResult = yield { kind: 'detail', orderId: latest.orderId as string };
	if (!detail.ok) throw detail.error;
	return detail.kind === 'detail' ? detail.order : latest;
}
