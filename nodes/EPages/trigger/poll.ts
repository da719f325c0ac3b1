import type { IDataObject } from 'n8n-workflow';

import {
	isStatusEvent,
	STATUS_EVENTS,
	type CreatedState,
	type OrderRef,
	type PollOutcome,
	type StatusState,
	type Step,
	type StepResult,
	type TriggerConfig,
	type TriggerLimits,
	type TriggerState,
	type UpdatedState,
} from './types';
import { fetchOrders, fitChunk, iso, toMs, toRef, type Budget } from './window';

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
 */

/** Settings a state belongs to; changing them starts afresh (like a new activation). */
export function stateKey(config: TriggerConfig): string {
	const parts: string[] = [config.event, config.startFrom === undefined ? '' : iso(config.startFrom)];
	if (isStatusEvent(config.event)) parts.push(String(config.lookbackMs));
	return parts.join('|');
}

export function initialState(config: TriggerConfig, now: number): TriggerState {
	const key = stateKey(config);
	const since = config.startFrom ?? now;
	if (config.event === 'newOrder') return { v: 1, key, since, kind: 'created', cursor: since, seen: {}, failures: {} };
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
	if (state.kind === 'status' && isRecord(state.emitted)) return state;
	return undefined;
}

function byTime(time: (ref: OrderRef) => number) {
	return (a: OrderRef, b: OrderRef) => time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** How many of these creation dates fall in [lo, b). */
function countIn(created: number[], lo: number | null, b: number): number {
	let n = 0;
	for (const c of created) if ((lo === null || c >= lo) && c < b) n++;
	return n;
}

function inWindow(ref: OrderRef, lo: number | null, b: number): boolean {
	return (lo === null || ref.created >= lo) && ref.created < b;
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
		if (state.kind !== 'status' && config.startFrom === undefined) return { items: [], state, progressed: true };
	}
	// A fresh state is not progress: a first poll that fails at once fails (a wrong token shows at activation).
	const before = JSON.stringify(state);
	const budget: Budget = { pages: 0, details: 0 };
	let outcome: Omit<PollOutcome, 'progressed'>;
	if (state.kind === 'created') outcome = yield* pollCreated(state, config, now, limits, budget);
	else if (state.kind === 'updated') outcome = yield* pollUpdated(state, config, now, limits, budget);
	else outcome = yield* pollStatus(state, config, now, limits, budget);
	return { ...outcome, progressed: JSON.stringify(outcome.state) !== before };
}

type WorkDone = Omit<PollOutcome, 'progressed'>;

function* pollCreated(
	state: CreatedState,
	config: TriggerConfig,
	now: number,
	limits: TriggerLimits,
	budget: Budget,
): Generator<Step, WorkDone, StepResult> {
	const items: IDataObject[] = [];
	let error: unknown;
	while (state.cursor < now) {
		const fit = yield* fitChunk({}, state.cursor, now, limits, budget, config.fullOrders, (lo, b) =>
			countIn(Object.values(state.seen), lo, b),
		);
		if (fit.kind === 'stop') break;
		if (fit.kind === 'failed') {
			error = fit.error;
			break;
		}
		const { lo, b } = fit;
		const fresh = fit.refs
			.filter((r) => inWindow(r, lo, b) && r.created >= state.since && state.seen[r.id] === undefined)
			.sort(byTime((r) => r.created));
		const got = yield* fetchOrders(fresh, config.fullOrders, budget, state.failures);
		for (const { ref, json } of got.emitted) {
			state.seen[ref.id] = ref.created;
			items.push(json);
		}
		for (const ref of got.gone) state.seen[ref.id] = ref.created;
		// An order whose detail failed is not seen: keep the cursor at it so the next poll reads it again.
		const held = got.failed.length > 0 ? Math.min(...got.failed.map((r) => r.created)) : Infinity;
		state.cursor = Math.max(state.cursor, Math.min(b, held));
		const floor = state.cursor - limits.overlapMs;
		for (const [id, created] of Object.entries(state.seen)) if (created < floor) delete state.seen[id];
		if (got.failed.length > 0) {
			error = got.error;
			break;
		}
	}
	return { items, state, error };
}

function* pollUpdated(
	state: UpdatedState,
	config: TriggerConfig,
	now: number,
	limits: TriggerLimits,
	budget: Budget,
): Generator<Step, WorkDone, StepResult> {
	const items: IDataObject[] = [];
	let error: unknown;

	// Orders whose detail failed in an earlier poll come first: their change is already known.
	const retried = yield* fetchOrders(
		Object.entries(state.retry).map(([id, [updated, created]]) => ({
			id,
			created,
			updated,
			raw: { orderId: id, creationDate: iso(created), lastUpdatedOnDate: iso(updated) },
		})),
		true,
		budget,
		state.failures,
	);
	for (const { ref, json } of retried.emitted) {
		const updated = Math.max(ref.updated ?? 0, toMs(json.lastUpdatedOnDate) ?? 0);
		state.seen[ref.id] = [updated, ref.created];
		delete state.retry[ref.id];
		items.push(json);
	}
	for (const ref of retried.gone) delete state.retry[ref.id];
	pruneUpdated(state, limits);
	// Still failing: they stay queued; the other changes go on.
	if (retried.failed.length > 0) error = retried.error;

	if (!state.pass) {
		if (state.cursor >= now) return { items, state };
		state.pass = { from: state.cursor - limits.overlapMs, done: null, hi: now };
	}
	const pass = state.pass;
	while (state.pass) {
		const fit = yield* fitChunk({ updatedFrom: iso(pass.from) }, pass.done, pass.hi, limits, budget, config.fullOrders, (lo, b) =>
			countIn(
				Object.values(state.seen)
					.filter(([updated]) => updated >= pass.from)
					.map(([, created]) => created),
				lo,
				b,
			),
		);
		if (fit.kind === 'stop') break;
		if (fit.kind === 'failed') {
			error = fit.error;
			break;
		}
		const { lo, b } = fit;
		const changed = fit.refs
			.filter((r): r is OrderRef & { updated: number } => {
				if (r.updated === null || !inWindow(r, lo, b)) return false;
				if (r.updated < pass.from || r.updated < state.since) return false;
				if (!config.includeNewOrders && r.updated <= r.created) return false;
				const last = state.seen[r.id];
				if (last !== undefined && r.updated <= last[0]) return false;
				const pending = state.retry[r.id];
				return pending === undefined || r.updated > pending[0];
			})
			.sort(byTime((r) => r.updated ?? 0));
		const got = yield* fetchOrders(changed, config.fullOrders, budget, state.failures);
		for (const { ref, json } of got.emitted) {
			// The detail may already show a later change; record that one so it is not emitted twice.
			const updated = Math.max(ref.updated ?? 0, toMs(json.lastUpdatedOnDate) ?? 0);
			state.seen[ref.id] = [updated, ref.created];
			delete state.retry[ref.id];
			items.push(json);
		}
		for (const ref of got.gone) {
			state.seen[ref.id] = [ref.updated ?? 0, ref.created];
			delete state.retry[ref.id];
			delete state.failures[ref.id];
		}
		for (const ref of got.failed) state.retry[ref.id] = [ref.updated ?? 0, ref.created];
		pass.done = b;
		if (b >= pass.hi) {
			state.cursor = Math.max(state.cursor, pass.hi);
			state.pass = null;
		}
		pruneUpdated(state, limits);
		if (got.failed.length > 0) {
			error = got.error;
			break;
		}
	}
	return { items, state, error };
}

/**
 * Keeps what a read can still return: during a pass, entries inside this pass's unread windows, and
 * entries recent enough for the next pass (lastUpdatedOnDate ≥ its updatedFrom).
 */
function pruneUpdated(state: UpdatedState, limits: TriggerLimits): void {
	const pass = state.pass;
	const nextFrom = (pass ? pass.hi : state.cursor) - limits.overlapMs;
	const unreadFrom = pass && pass.done !== null ? pass.done - limits.overlapMs : -Infinity;
	for (const [id, [updated, created]] of Object.entries(state.seen)) {
		const neededNow = pass !== null && created >= unreadFrom && updated >= pass.from;
		if (!neededNow && updated < nextFrom) delete state.seen[id];
	}
	for (const id of Object.keys(state.failures)) if (state.retry[id] === undefined) delete state.failures[id];
}

function* pollStatus(
	state: StatusState,
	config: TriggerConfig,
	now: number,
	limits: TriggerLimits,
	budget: Budget,
): Generator<Step, WorkDone, StepResult> {
	if (!isStatusEvent(config.event)) throw new Error(`Not a status event: ${config.event}`);
	const field = STATUS_EVENTS[config.event];
	const items: IDataObject[] = [];
	let error: unknown;
	if (!state.pass) {
		const watchFrom = now - config.lookbackMs;
		const from = state.baseline && config.startFrom !== undefined ? Math.min(config.startFrom, watchFrom) : watchFrom;
		state.pass = { done: from, hi: now };
	}
	const pass = state.pass;
	while (state.pass) {
		const fit = yield* fitChunk({ [field]: 'true' }, pass.done, pass.hi, limits, budget, config.fullOrders, (lo, b) =>
			countIn(Object.values(state.emitted), lo, b),
		);
		if (fit.kind === 'stop') break;
		if (fit.kind === 'failed') {
			error = fit.error;
			break;
		}
		const { lo, b } = fit;
		const fresh = fit.refs.filter(
			(r) => inWindow(r, lo, b) && state.emitted[r.id] === undefined && toMs(r.raw[field]) !== null,
		);
		const statusTime = (r: OrderRef) => toMs(r.raw[field]) ?? r.created;
		// At activation the orders already in this status are history: recorded, not emitted, unless
		// Start From asks for them or the status was set after activation (during a long first pass).
		const wanted = state.baseline
			? fresh.filter(
					(r) =>
						(config.startFrom !== undefined && r.created >= config.startFrom) || statusTime(r) >= state.since,
				)
			: fresh;
		const wantedIds = new Set(wanted.map((r) => r.id));
		for (const r of fresh) if (!wantedIds.has(r.id)) state.emitted[r.id] = r.created;
		const got = yield* fetchOrders(wanted.sort(byTime(statusTime)), config.fullOrders, budget, state.failures);
		for (const { ref, json } of got.emitted) {
			state.emitted[ref.id] = ref.created;
			items.push(json);
		}
		for (const ref of got.gone) state.emitted[ref.id] = ref.created;
		if (got.failed.length > 0) pass.failed = [...new Set([...(pass.failed ?? []), ...got.failed.map((r) => r.id)])];
		pass.done = b;
		if (b >= pass.hi) {
			state.pass = null;
			state.baseline = false;
			// The next pass starts at (its now − lookback − overlap), never before this floor.
			const floor = pass.hi - config.lookbackMs - limits.overlapMs;
			for (const [id, created] of Object.entries(state.emitted)) if (created < floor) delete state.emitted[id];
			// Counts of orders that did not fail again in this pass are stale (status gone, out of the lookback).
			const failed = new Set(pass.failed ?? []);
			for (const id of Object.keys(state.failures)) if (!failed.has(id)) delete state.failures[id];
		}
		if (got.failed.length > 0) {
			// Not recorded: the next pass over the lookback window finds them again.
			error = got.error;
			break;
		}
	}
	return { items, state, error };
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
