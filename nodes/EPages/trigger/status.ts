import type { IDataObject } from 'n8n-workflow';

import { byTime, countIn, inWindow, type WorkDone } from './common';
import { checkStatus, withAnswer, type Answered } from './statusCheck';
import { isStatusEvent, STATUS_EVENTS, type OrderRef, type StatusState, type Step, type StepResult, type TriggerConfig, type TriggerLimits } from './types';
import { fetchOrders, fitChunk, toMs, type Budget, type Fetched, type Fit } from './window';

/**
 * Status events: each order whose status gets set is emitted once while it is inside the lookback.
 * `updatedFrom` does not move on status changes, so a pass reads every order in the status created
 * within the lookback (one request per 100) and emits those not in `emitted`. Polls between passes
 * cost one request (see checkStatus in statusCheck.ts).
 */

type StatusPass = NonNullable<StatusState['pass']>;
type Window = Extract<Fit, { kind: 'complete' }>;

/** One poll of a status event: a quiet list costs its check (page 1); otherwise a pass, read on where the last poll stopped. */
export function* pollStatus(
	state: StatusState,
	config: TriggerConfig,
	now: number,
	limits: TriggerLimits,
	budget: Budget,
): Generator<Step, WorkDone, StepResult> {
	if (!isStatusEvent(config.event)) throw new Error(`Not a status event: ${config.event}`);
	const field = STATUS_EVENTS[config.event];
	const filter = { [field]: 'true' };
	let pass = state.pass;
	let page1: Answered | undefined;
	// Where the pass this poll opens starts; undefined when it goes on with an earlier one.
	let opened: StatusPass['done'] | undefined;
	if (!pass) {
		const open = yield* openPass(state, filter, config, now, limits);
		if (open.kind === 'done') return open.outcome;
		({ pass, page1 } = open);
		opened = pass.done;
	}
	const items: IDataObject[] = [];
	let error: unknown;
	while (state.pass) {
		const fit = yield* withAnswer(
			fitChunk(filter, pass.done, pass.hi, limits, budget, config.fullOrders, (lo, b) =>
				countIn(Object.values(state.emitted), lo, b),
			),
			page1,
		);
		page1 = undefined;
		if (fit.kind === 'stop') break;
		if (fit.kind === 'failed') {
			error = fit.error;
			break;
		}
		const got = yield* emitWindow(state, pass, fit, field, config, budget, items);
		pass.done = fit.b;
		if (fit.b >= pass.hi) finishPass(state, pass, config, limits);
		if (got.failed.length > 0) {
			// Not recorded: the next pass over the lookback window finds them again.
			error = got.error;
			break;
		}
	}
	// A pass opened by this poll that read nothing is no progress: dropping it lets a poll that cannot
	// reach the shop fail visibly (n8n keeps the previous state, which opens the same pass next time).
	if (state.pass && state.pass.done === opened && error !== undefined) state.pass = null;
	return { items, state, error };
}

type Opening = { kind: 'done'; outcome: WorkDone } | { kind: 'opened'; pass: StatusPass; page1?: Answered };

/**
 * Opens the next pass, unless page 1 shows that nothing can have changed (then the poll is done, as
 * it is when that check fails). The first pass (the baseline) reads back to Start From when it is
 * older than the lookback.
 */
function* openPass(
	state: StatusState,
	filter: Record<string, string>,
	config: TriggerConfig,
	now: number,
	limits: TriggerLimits,
): Generator<Step, Opening, StepResult> {
	const from =
		state.baseline && config.startFrom !== undefined ? Math.min(config.startFrom, now - config.lookbackMs) : watchStart(now, config, limits);
	let page1: Answered | undefined;
	if (!state.baseline) {
		const check = yield* checkStatus(state, filter, from - limits.overlapMs, now, limits);
		if (check.kind === 'failed') return { kind: 'done', outcome: { items: [], state, error: check.error } };
		if (check.kind === 'idle') {
			pruneStatus(state, now - config.lookbackMs - limits.overlapMs);
			return { kind: 'done', outcome: { items: [], state } };
		}
		page1 = check.page1;
	}
	state.pass = { done: from, hi: now, listed: [], fresh: false };
	return { kind: 'opened', pass: state.pass, page1 };
}

/**
 * Emits the orders of a read window that entered the status, oldest status date first, and records
 * what the window showed: the orders in the status (`listed`), whether it found any new one or saw
 * the list change under it (`fresh`), and whose detail failed.
 */
function* emitWindow(
	state: StatusState,
	pass: StatusPass,
	fit: Window,
	field: string,
	config: TriggerConfig,
	budget: Budget,
	items: IDataObject[],
): Generator<Step, Fetched, StepResult> {
	const inStatus = fit.refs.filter((r) => inWindow(r, fit.lo, fit.b) && toMs(r.raw[field]) !== null);
	if (pass.listed) pass.listed = [...new Set([...pass.listed, ...inStatus.map((r) => r.id)])];
	const fresh = inStatus.filter((r) => state.emitted[r.id] === undefined);
	// A read that saw the list change under it counts as finding something: the next pass reads again.
	if (fresh.length > 0 || !fit.steady) pass.fresh = true;
	const statusTime = (r: OrderRef) => toMs(r.raw[field]) ?? r.created;
	const wanted = wantedFresh(state, fresh, statusTime, config);
	const got = yield* fetchOrders(wanted.sort(byTime(statusTime)), config.fullOrders, budget, state.failures);
	for (const { ref, json } of got.emitted) {
		state.emitted[ref.id] = ref.created;
		items.push(json);
	}
	for (const ref of got.gone) state.emitted[ref.id] = ref.created;
	if (got.failed.length > 0) pass.failed = [...new Set([...(pass.failed ?? []), ...got.failed.map((r) => r.id)])];
	return got;
}

/**
 * The new orders in the status to emit. At activation the orders already in this status are history:
 * recorded (in `emitted`), not emitted, unless Start From asks for them or the status was set after
 * activation (during a long first pass).
 */
function wantedFresh(state: StatusState, fresh: OrderRef[], statusTime: (r: OrderRef) => number, config: TriggerConfig): OrderRef[] {
	const wanted = state.baseline
		? fresh.filter((r) => (config.startFrom !== undefined && r.created >= config.startFrom) || statusTime(r) >= state.since)
		: fresh;
	const wantedIds = new Set(wanted.map((r) => r.id));
	for (const r of fresh) if (!wantedIds.has(r.id)) state.emitted[r.id] = r.created;
	return wanted;
}

/**
 * Where a status pass starts reading (before the overlap band): the lookback, cut to what one window
 * may span so that a single page-1 request can stand for the whole pass.
 */
function watchStart(hi: number, config: TriggerConfig, limits: TriggerLimits): number {
	return Math.max(hi - config.lookbackMs, hi - limits.maxSpanMs + limits.overlapMs);
}

/** Forgets orders created before `floor`: no later pass or check reads that far back. */
function pruneStatus(state: StatusState, floor: number): void {
	for (const [id, created] of Object.entries(state.emitted)) if (created < floor) delete state.emitted[id];
	if (state.unlisted) state.unlisted = state.unlisted.filter((id) => state.emitted[id] !== undefined);
}

/** Ends a complete pass: whether it was quiet, which known orders it did not list, and what to forget. */
function finishPass(state: StatusState, pass: StatusPass, config: TriggerConfig, limits: TriggerLimits): void {
	const listed = new Set(pass.listed ?? []);
	const quiet = pass.listed !== undefined && pass.fresh === false && sameAsBefore(state, listed, pass.hi, config, limits);
	state.pass = null;
	state.baseline = false;
	state.sweptAt = pass.hi;
	state.quiet = quiet;
	state.unlisted = pass.listed === undefined ? [] : Object.keys(state.emitted).filter((id) => !listed.has(id));
	// The next pass starts at (its now − lookback − overlap), never before this floor.
	pruneStatus(state, pass.hi - config.lookbackMs - limits.overlapMs);
	// Counts of orders that did not fail again in this pass are stale (status gone, out of the lookback).
	const failed = new Set(pass.failed ?? []);
	for (const id of Object.keys(state.failures)) if (!failed.has(id)) delete state.failures[id];
}

/** The same orders in the status as the pass before: the ones it knew in this range, no more, no fewer. */
function sameAsBefore(state: StatusState, listed: Set<string>, hi: number, config: TriggerConfig, limits: TriggerLimits): boolean {
	const gone = new Set(state.unlisted ?? []);
	const lo = watchStart(hi, config, limits) - limits.overlapMs;
	let before = 0;
	for (const [id, created] of Object.entries(state.emitted)) {
		if (!gone.has(id) && created >= lo && created < hi) before++;
	}
	return before === listed.size && [...listed].every((id) => state.emitted[id] !== undefined && !gone.has(id));
}
