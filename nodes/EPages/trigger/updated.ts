import type { IDataObject } from 'n8n-workflow';

import { byTime, countIn, inWindow, type WorkDone } from './common';
import type { OrderRef, Step, StepResult, TriggerConfig, TriggerLimits, UpdatedState } from './types';
import { fetchOrders, fitChunk, iso, toMs, type Budget, type Fetched } from './window';

/**
 * Order Updated: an order is emitted again only with a newer lastUpdatedOnDate; its latest change is
 * always emitted. A pass reads every order changed since `updatedFrom = from` (one overlap before the
 * cursor), window by window of creation dates; `seen` holds the last change emitted per order, `retry`
 * the changes whose detail failed, to be fetched first next poll.
 */

type UpdatedPass = NonNullable<UpdatedState['pass']>;

export function* pollUpdated(
	state: UpdatedState,
	config: TriggerConfig,
	now: number,
	limits: TriggerLimits,
	budget: Budget,
): Generator<Step, WorkDone, StepResult> {
	const items: IDataObject[] = [];
	let error = yield* retryFailedDetails(state, limits, budget, items);

	if (!state.pass) {
		if (state.cursor >= now) return { items, state };
		state.pass = { from: state.cursor - limits.overlapMs, done: null, hi: now };
	}
	const pass = state.pass;
	while (state.pass) {
		const fit = yield* fitChunk({ updatedFrom: iso(pass.from) }, pass.done, pass.hi, limits, budget, config.fullOrders, (lo, b) =>
			countIn(knownCreated(state, pass), lo, b),
		);
		if (fit.kind === 'stop') break;
		if (fit.kind === 'failed') {
			error = fit.error;
			break;
		}
		const changed = changedRefs(fit.refs, fit.lo, fit.b, state, pass, config);
		const got = yield* fetchOrders(changed, config.fullOrders, budget, state.failures);
		recordFetched(state, got, items);
		closeWindow(state, pass, fit.b);
		pruneUpdated(state, limits);
		if (got.failed.length > 0) {
			error = got.error;
			break;
		}
	}
	return { items, state, error };
}

/**
 * Orders whose detail failed in an earlier poll come first: their change is already known. Those
 * still failing stay queued in `retry` and the other changes go on; returns their error.
 */
function* retryFailedDetails(
	state: UpdatedState,
	limits: TriggerLimits,
	budget: Budget,
	items: IDataObject[],
): Generator<Step, unknown, StepResult> {
	const retried = yield* fetchOrders(queuedRefs(state), true, budget, state.failures);
	recordEmitted(state, retried.emitted, items);
	for (const ref of retried.gone) delete state.retry[ref.id];
	pruneUpdated(state, limits);
	return retried.failed.length > 0 ? retried.error : undefined;
}

/** The queued changes as list items would show them, for fetchOrders. */
function queuedRefs(state: UpdatedState): OrderRef[] {
	return Object.entries(state.retry).map(([id, [updated, created]]) => ({
		id,
		created,
		updated,
		raw: { orderId: id, creationDate: iso(created), lastUpdatedOnDate: iso(updated) },
	}));
}

/** Creation dates of the orders already emitted that this pass's `updatedFrom` lists again. */
function knownCreated(state: UpdatedState, pass: UpdatedPass): number[] {
	return Object.values(state.seen)
		.filter(([updated]) => updated >= pass.from)
		.map(([, created]) => created);
}

/**
 * The orders of window [lo, b) with a change to emit, oldest change first: changed within this pass
 * and since activation, a real change unless new orders are wanted, and newer than the change
 * emitted or queued for it.
 */
function changedRefs(
	refs: OrderRef[],
	lo: number | null,
	b: number,
	state: UpdatedState,
	pass: UpdatedPass,
	config: TriggerConfig,
): Array<OrderRef & { updated: number }> {
	return refs
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
}

/** Records what a window's fetch gave: emitted and gone are seen, failed are queued for the next poll. */
function recordFetched(state: UpdatedState, got: Fetched, items: IDataObject[]): void {
	recordEmitted(state, got.emitted, items);
	for (const ref of got.gone) {
		state.seen[ref.id] = [ref.updated ?? 0, ref.created];
		delete state.retry[ref.id];
		delete state.failures[ref.id];
	}
	for (const ref of got.failed) state.retry[ref.id] = [ref.updated ?? 0, ref.created];
}

function recordEmitted(state: UpdatedState, emitted: Fetched['emitted'], items: IDataObject[]): void {
	for (const { ref, json } of emitted) {
		// The detail may already show a later change; record that one so it is not emitted twice.
		const updated = Math.max(ref.updated ?? 0, toMs(json.lastUpdatedOnDate) ?? 0);
		state.seen[ref.id] = [updated, ref.created];
		delete state.retry[ref.id];
		items.push(json);
	}
}

/** Window read up to `b`; the pass ends, and the cursor moves to its end, when `b` reaches it. */
function closeWindow(state: UpdatedState, pass: UpdatedPass, b: number): void {
	pass.done = b;
	if (b >= pass.hi) {
		state.cursor = Math.max(state.cursor, pass.hi);
		state.pass = null;
	}
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
