import type { IDataObject } from 'n8n-workflow';

import type { StepResult, Step, TriggerConfig, TriggerLimits, UninvoicedState, OrderRef } from './types';
import { fetchOrders, readChunk, toMs, type Budget, type Fetched } from './window';

/**
 * "Paid, Not Yet Invoiced": the event that leaves no paid order without its invoice.
 *
 * Status events emit an order once, when its status is set: an order whose invoice was refused
 * (a wrong NIF, a missing tax), or that failed or was missed while n8n was down, is never offered
 * again. This event instead watches the set "paid and no invoiced date" and offers each order in it
 * until it leaves the set, which the invoicing step's write-back (the invoiced date, the one durable
 * record on the shop's side) makes happen:
 * - an order that enters the set (paid after activation, however old the order) is offered at once;
 * - an order still in the set is offered again after a pause that doubles each time (1, 2, 4 … at
 *   most 60 minutes), or at the next poll when the order changed since its last offer (the merchant
 *   corrected it in the shop);
 * - an order that leaves the set is forgotten, so its state stays as small as the set.
 * Offering twice is safe by design: the invoicing step never makes a second invoice for an order.
 *
 * One list request per poll while the set fits on a page. The `invoicedOn=false` filter is inferred
 * from the API documentation, not confirmed; the poll never relies on it for correctness: every
 * listed order is checked (paid date set, invoiced date empty), and once per sweep interval the paid
 * orders are read without the filter and compared. An order the filter hid, or an invoiced order it
 * let through, marks the filter untrusted: from then on the poll reads without it (more requests,
 * same result) and says so in `filterUntrusted`.
 */

const MINUTE = 60 * 1000;
/** First pause before an order still in the set is offered again; it doubles per offer. */
export const REOFFER_BASE_MS = MINUTE;
export const REOFFER_MAX_MS = 60 * MINUTE;

export function reofferPause(offers: number): number {
	return Math.min(REOFFER_MAX_MS, REOFFER_BASE_MS * 2 ** Math.max(0, offers - 1));
}

export function initialUninvoiced(key: string, now: number): UninvoicedState {
	return { v: 1, key, since: now, kind: 'uninvoiced', baseline: true, offered: {}, history: {}, failures: {} };
}

/** The two reads of the set: with the inferred `invoicedOn=false` filter, and without it (checked order by order). */
const FILTERED = { paidOn: 'true', invoicedOn: 'false' };
const UNFILTERED = { paidOn: 'true' };

/** When an order entered the set, as far as the list shows: its paid date, else its creation. */
const paidAt = (r: OrderRef) => toMs(r.raw.paidOn) ?? r.created;

function isPaidNotInvoiced(ref: OrderRef): boolean {
	return toMs(ref.raw.paidOn) !== null && (ref.raw.invoicedOn === null || ref.raw.invoicedOn === undefined || ref.raw.invoicedOn === '');
}

type Read = { kind: 'ok'; refs: OrderRef[] } | { kind: 'failed'; error: unknown };

function* readAll(filter: Record<string, string>, lo: number, now: number, limits: TriggerLimits, budget: Budget): Generator<Step, Read, StepResult> {
	// `force`: the set is read whole whatever its size (it is small once invoices are written back).
	const read = yield* readChunk(filter, lo, now, Infinity, true, limits, budget);
	if (read.kind === 'failed') return read;
	if (read.kind === 'tooBig') return { kind: 'failed', error: new Error('Unexpected partial read') };
	return { kind: 'ok', refs: read.refs };
}

type Outcome = { items: IDataObject[]; state: UninvoicedState; error?: unknown };

export function* pollUninvoiced(
	state: UninvoicedState,
	config: TriggerConfig,
	now: number,
	limits: TriggerLimits,
	budget: Budget,
): Generator<Step, Outcome, StepResult> {
	const lo = Math.max(now - config.lookbackMs, now - limits.maxSpanMs) - limits.overlapMs;
	const verify = state.verifiedAt === undefined || now < state.verifiedAt || now >= state.verifiedAt + limits.statusSweepMs;
	const read = state.filterUntrusted
		? yield* readWithoutFilter(state, lo, now, verify, limits, budget)
		: yield* readWithFilter(state, lo, now, verify, limits, budget);
	if (read.kind === 'failed') return { items: [], state, error: read.error };
	const listed = read.refs;

	forgetLeft(state, listed);
	const due = dueOffers(state, listed, config, now);
	state.baseline = false;

	due.sort((a, b) => paidAt(a) - paidAt(b) || (a.id < b.id ? -1 : 1));
	// Not more detail requests than one poll may make; the rest are due next poll.
	const thisPoll = due.slice(0, Math.max(0, limits.maxDetails - budget.details));
	const got = yield* fetchOrders(thisPoll, config.fullOrders, budget, state.failures);
	const items = recordOffers(state, got, now);
	return { items, state, error: got.failed.length > 0 ? got.error : undefined };
}

/** The set read without the filter (it did not hold), which gets another chance once per sweep: trusted again only when it agrees. */
function* readWithoutFilter(
	state: UninvoicedState,
	lo: number,
	now: number,
	verify: boolean,
	limits: TriggerLimits,
	budget: Budget,
): Generator<Step, Read, StepResult> {
	const read = yield* readAll(UNFILTERED, lo, now, limits, budget);
	if (read.kind === 'failed') return read;
	const listed = read.refs.filter(isPaidNotInvoiced);
	if (verify) {
		const check = yield* readAll(FILTERED, lo, now, limits, budget);
		if (check.kind === 'ok' && agrees(check.refs, listed)) delete state.filterUntrusted;
		state.verifiedAt = now;
	}
	return { kind: 'ok', refs: listed };
}

/**
 * The set read with the filter, every listed order checked; once per sweep also without it, to
 * find out whether the filter holds.
 */
function* readWithFilter(
	state: UninvoicedState,
	lo: number,
	now: number,
	verify: boolean,
	limits: TriggerLimits,
	budget: Budget,
): Generator<Step, Read, StepResult> {
	const read = yield* readAll(FILTERED, lo, now, limits, budget);
	if (read.kind === 'failed') return read;
	const listed = read.refs.filter(isPaidNotInvoiced);
	// An order the filter should have excluded: the shop does not apply it as assumed.
	if (listed.length !== read.refs.length) state.filterUntrusted = true;
	if (verify) {
		const check = yield* readAll(UNFILTERED, lo, now, limits, budget);
		if (check.kind === 'failed') return check;
		const truth = check.refs.filter(isPaidNotInvoiced);
		if (!agrees(read.refs, truth)) state.filterUntrusted = true;
		// The union: an order either read shows in the set is handled now, not at the next sweep.
		const ids = new Set(listed.map((r) => r.id));
		for (const ref of truth) if (!ids.has(ref.id)) listed.push(ref);
		state.verifiedAt = now;
	}
	return { kind: 'ok', refs: listed };
}

/** Orders that left the set (invoiced, payment cleared, deleted, older than the lookback) are forgotten. */
function forgetLeft(state: UninvoicedState, listed: OrderRef[]): void {
	const inSet = new Set(listed.map((r) => r.id));
	for (const id of Object.keys(state.offered)) if (!inSet.has(id)) delete state.offered[id];
	for (const id of Object.keys(state.history)) if (!inSet.has(id)) delete state.history[id];
	for (const id of Object.keys(state.failures)) if (!inSet.has(id)) delete state.failures[id];
}

/**
 * The orders of the set to offer now: new ones, and those offered before whose pause is over or that
 * changed since. At the first read, the orders paid before activation go to `history` instead.
 */
function dueOffers(state: UninvoicedState, listed: OrderRef[], config: TriggerConfig, now: number): OrderRef[] {
	const due: OrderRef[] = [];
	for (const ref of listed) {
		if (state.history[ref.id] !== undefined) continue;
		const last = state.offered[ref.id];
		if (!last) {
			// At activation the orders already paid are history (invoiced before this workflow, perhaps
			// elsewhere): offering them could make a second invoice. Start From asks for them, and an
			// order paid after activation (during a long first read, or while n8n was down) is new.
			if (state.baseline && !(config.startFrom !== undefined && ref.created >= config.startFrom) && paidAt(ref) < state.since) {
				state.history[ref.id] = ref.created;
				continue;
			}
			due.push(ref);
			continue;
		}
		const [, at, offers, updated] = last;
		const changed = ref.updated !== null && ref.updated !== updated;
		if (changed || now < at || now - at >= reofferPause(offers)) due.push(ref);
	}
	return due;
}

/** Records each offer made (when, how many so far, the change offered) and returns the items to emit. */
function recordOffers(state: UninvoicedState, got: Fetched, now: number): IDataObject[] {
	const items: IDataObject[] = [];
	for (const { ref, json } of got.emitted) {
		// The detail can be newer than the list: it is what was offered.
		const updated = toMs(json.lastUpdatedOnDate) ?? ref.updated;
		const offers = (state.offered[ref.id]?.[2] ?? 0) + 1;
		state.offered[ref.id] = [ref.created, now, offers, updated];
		items.push(json);
	}
	// Gone between list and detail: forgotten; failed: due again next poll (counted in `failures`).
	for (const ref of got.gone) delete state.offered[ref.id];
	return items;
}

/** Whether a filtered read lists exactly the paid, not invoiced orders of an unfiltered one. */
function agrees(filteredRefs: OrderRef[], truth: OrderRef[]): boolean {
	const a = new Set(filteredRefs.map((r) => r.id));
	const b = new Set(truth.map((r) => r.id));
	return a.size === b.size && [...a].every((id) => b.has(id));
}
