import type { IDataObject } from 'n8n-workflow';

import { initialUninvoiced, pollUninvoiced } from './uninvoiced';
import {
	hasLookback,
	isStatusEvent,
	STATUS_EVENTS,
	UNINVOICED_EVENT,
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

/** Creation dates this close to a window's bound may fall on either side of the shop's filter (inclusive or not, whole seconds). */
const EDGE_MS = 1000;

/** A list request already made, with its answer. */
interface Answered {
	qs: Record<string, string | number>;
	result: StepResult;
}

function sameQuery(a: Record<string, string | number>, b: Record<string, string | number>): boolean {
	const keys = Object.keys(a);
	return keys.length === Object.keys(b).length && keys.every((k) => b[k] !== undefined && String(a[k]) === String(b[k]));
}

/** Runs `steps`, answering the request in `known` from it instead of asking the shop a second time. */
function* withAnswer<T>(steps: Generator<Step, T, StepResult>, known: Answered | undefined): Generator<Step, T, StepResult> {
	let next = steps.next();
	while (!next.done) {
		const step = next.value;
		let result: StepResult;
		if (known && step.kind === 'list' && sameQuery(step.qs, known.qs)) {
			result = known.result;
			known = undefined;
		} else result = yield step;
		next = steps.next(result);
	}
	return next.value;
}

/**
 * Where a status pass starts reading (before the overlap band): the lookback, cut to what one window
 * may span so that a single page-1 request can stand for the whole pass.
 */
function watchStart(hi: number, config: TriggerConfig, limits: TriggerLimits): number {
	return Math.max(hi - config.lookbackMs, hi - limits.maxSpanMs + limits.overlapMs);
}

type Check = { kind: 'idle' } | { kind: 'failed'; error: unknown } | { kind: 'sweep'; page1?: Answered };

/**
 * Whether the status list can have changed since the last pass, from page 1 alone. `results` is the
 * number of orders in the status in [lo, now); every such order the last pass found is in `emitted`
 * and not in `unlisted`, with its creation date. If the total equals how many of those fall in
 * [lo, now) and page 1 shows none other, then no order can have entered the status unless another
 * left it at the same time; that swap is left to the full pass due every `statusSweepMs`. Anything
 * else (a different total, an unknown order on page 1, an order on a bound, a pending retry, a last
 * pass that saw changes) reads everything, starting from this very page.
 */
function* checkStatus(
	state: StatusState,
	filter: Record<string, string>,
	lo: number,
	now: number,
	limits: TriggerLimits,
): Generator<Step, Check, StepResult> {
	const { sweptAt, unlisted } = state;
	if (!state.quiet || sweptAt === undefined || unlisted === undefined) return { kind: 'sweep' };
	// A clock that went back is a reason to read everything, not to trust an old pass longer.
	if (now < sweptAt || now >= sweptAt + limits.statusSweepMs) return { kind: 'sweep' };
	if (Object.keys(state.failures).length > 0) return { kind: 'sweep' };
	const gone = new Set(unlisted);
	let known = 0;
	for (const [id, created] of Object.entries(state.emitted)) {
		if (gone.has(id)) continue;
		if (Math.abs(created - lo) < EDGE_MS || created >= now - EDGE_MS) return { kind: 'sweep' };
		if (created >= lo && created < now) known++;
	}
	const qs: Record<string, string | number> = {
		...filter,
		resultsPerPage: limits.pageSize,
		createdAfter: iso(lo),
		createdBefore: iso(now),
		page: 1,
	};
	const result: StepResult = yield { kind: 'list', qs };
	if (!result.ok) return { kind: 'failed', error: result.error };
	if (result.kind !== 'list') return { kind: 'failed', error: new Error('Unexpected answer to a list request') };
	const page1 = { qs, result };
	if (result.results !== known) return { kind: 'sweep', page1 };
	for (const item of result.items) {
		const ref = toRef(item);
		if (!ref || state.emitted[ref.id] === undefined || gone.has(ref.id)) return { kind: 'sweep', page1 };
	}
	return { kind: 'idle' };
}

/** Forgets orders created before `floor`: no later pass or check reads that far back. */
function pruneStatus(state: StatusState, floor: number): void {
	for (const [id, created] of Object.entries(state.emitted)) if (created < floor) delete state.emitted[id];
	if (state.unlisted) state.unlisted = state.unlisted.filter((id) => state.emitted[id] !== undefined);
}

/**
 * Status events. `updatedFrom` does not move on status changes, so a pass reads every order in the
 * status created within the lookback (one request per 100) and emits those not in `emitted`. Polls
 * between passes cost one request (see checkStatus).
 */
function* pollStatus(
	state: StatusState,
	config: TriggerConfig,
	now: number,
	limits: TriggerLimits,
	budget: Budget,
): Generator<Step, WorkDone, StepResult> {
	if (!isStatusEvent(config.event)) throw new Error(`Not a status event: ${config.event}`);
	const field = STATUS_EVENTS[config.event];
	const filter = { [field]: 'true' };
	const items: IDataObject[] = [];
	let error: unknown;
	let page1: Answered | undefined;
	let opened: number | undefined;
	if (!state.pass) {
		const from =
			state.baseline && config.startFrom !== undefined
				? Math.min(config.startFrom, now - config.lookbackMs)
				: watchStart(now, config, limits);
		if (!state.baseline) {
			const check = yield* checkStatus(state, filter, from - limits.overlapMs, now, limits);
			if (check.kind === 'failed') return { items, state, error: check.error };
			if (check.kind === 'idle') {
				pruneStatus(state, now - config.lookbackMs - limits.overlapMs);
				return { items, state };
			}
			page1 = check.page1;
		}
		state.pass = { done: from, hi: now, listed: [], fresh: false };
		opened = from;
	}
	const pass = state.pass;
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
		const { lo, b } = fit;
		const inStatus = fit.refs.filter((r) => inWindow(r, lo, b) && toMs(r.raw[field]) !== null);
		if (pass.listed) pass.listed = [...new Set([...pass.listed, ...inStatus.map((r) => r.id)])];
		const fresh = inStatus.filter((r) => state.emitted[r.id] === undefined);
		// A read that saw the list change under it counts as finding something: the next pass reads again.
		if (fresh.length > 0 || !fit.steady) pass.fresh = true;
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
		if (b >= pass.hi) finishPass(state, pass, config, limits);
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

function finishPass(state: StatusState, pass: NonNullable<StatusState['pass']>, config: TriggerConfig, limits: TriggerLimits): void {
	const listed = new Set(pass.listed ?? []);
	let quiet = pass.listed !== undefined && pass.fresh === false;
	if (quiet) {
		// The same orders in the status as the pass before: the ones it knew in this range, no more, no fewer.
		const gone = new Set(state.unlisted ?? []);
		const lo = watchStart(pass.hi, config, limits) - limits.overlapMs;
		let before = 0;
		for (const [id, created] of Object.entries(state.emitted)) {
			if (!gone.has(id) && created >= lo && created < pass.hi) before++;
		}
		quiet = before === listed.size && [...listed].every((id) => state.emitted[id] !== undefined && !gone.has(id));
	}
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
