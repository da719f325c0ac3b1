import type { IDataObject } from 'n8n-workflow';

import type { OrderRef, Step, StepResult, TriggerLimits } from './types';

/** Requests spent in this poll, against the limits. */
export interface Budget {
	pages: number;
	details: number;
}

export function iso(ms: number): string {
	return new Date(ms).toISOString();
}

export function toMs(value: unknown): number | null {
	if (typeof value !== 'string' || value === '') return null;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? null : ms;
}

export function toRef(item: IDataObject): OrderRef | undefined {
	const id = item.orderId;
	const created = toMs(item.creationDate);
	if (typeof id !== 'string' || id === '' || created === null) return undefined;
	return { id, created, updated: toMs(item.lastUpdatedOnDate), raw: item };
}

/** Orders the poll may still take on: list pages left × page size, and detail requests left for full orders. */
export function capacity(limits: TriggerLimits, budget: Budget, fullOrders: boolean): number {
	const pages = Math.max(0, limits.maxPages - budget.pages) * limits.pageSize;
	return fullOrders ? Math.min(pages, Math.max(0, limits.maxDetails - budget.details)) : pages;
}

export type ChunkRead =
	/**
	 * `steady`: the last read of the pages saw the same total on every page and exactly that many
	 * orders. Orders that leave a window (a status cleared) can make the union reach the total while
	 * another order was skipped; a read that was not steady may have done so.
	 */
	| { kind: 'complete'; refs: OrderRef[]; steady: boolean }
	| { kind: 'tooBig'; total: number }
	| { kind: 'failed'; error: unknown };

/**
 * Reads every page of one window. The shop's sort order is not documented and orders may arrive
 * while we page, so a window counts as complete only when the distinct orders read reach the last
 * total the shop reported; otherwise the pages are read again (the union grows) a couple of times.
 * "As many distinct orders as the total" means "all" only while no order leaves the window. One that
 * leaves (deleted, or its status cleared) lets the order behind it slide onto a page already read
 * while the union still counts the one that left: a total lower than the answer before starts the
 * union afresh, and only a sweep without such a drop completes the window.
 */
export function* readChunk(
	filter: Record<string, string>,
	lo: number | null,
	hi: number,
	cap: number,
	force: boolean,
	limits: TriggerLimits,
	budget: Budget,
): Generator<Step, ChunkRead, StepResult> {
	const base: Record<string, string | number> = { ...filter, resultsPerPage: limits.pageSize };
	if (lo !== null) base.createdAfter = iso(lo);
	base.createdBefore = iso(hi);
	const byId = new Map<string, OrderRef>();
	const malformed = new Set<string>();
	let before: number | undefined;
	for (let sweep = 0; sweep < 3; sweep++) {
		let total: number | undefined;
		let steady = true;
		let dropped = false;
		for (let page = 1; ; page++) {
			const result: StepResult = yield { kind: 'list', qs: { ...base, page } };
			budget.pages++;
			if (!result.ok) return { kind: 'failed', error: result.error };
			if (result.kind !== 'list') return { kind: 'failed', error: new Error('Unexpected answer to a list request') };
			if (page > 1 && result.results !== total) steady = false;
			total = result.results;
			if (sweep === 0 && page === 1 && !force && total !== undefined && total > cap) {
				return { kind: 'tooBig', total };
			}
			if (total !== undefined && before !== undefined && total < before) {
				byId.clear();
				malformed.clear();
				dropped = true;
			}
			before = total;
			for (const item of result.items) {
				const ref = toRef(item);
				if (ref) byId.set(ref.id, ref);
				else malformed.add(JSON.stringify(item));
			}
			const last =
				result.items.length === 0 ||
				(total !== undefined ? page * limits.pageSize >= total : result.items.length < limits.pageSize);
			if (last) break;
		}
		if (!dropped && (total === undefined || byId.size + malformed.size >= total)) {
			return { kind: 'complete', refs: [...byId.values()], steady: steady && sweep === 0 && byId.size + malformed.size === total };
		}
	}
	return {
		kind: 'failed',
		error: new Error('The orders of a time window kept changing while they were read; the window is read again next time'),
	};
}

export type Fit =
	| { kind: 'complete'; refs: OrderRef[]; steady: boolean; lo: number | null; b: number }
	| { kind: 'failed'; error: unknown }
	| { kind: 'stop' };

/** Before 2000 there were no ePages orders: a window reaching back that far is read whatever its size. */
const EARLIEST = Date.UTC(2000, 0, 1);

/**
 * Picks the next window after `done` (everything created before `done` is handled) and reads it
 * completely. The window starts one overlap before `done` and ends at `hi`, or earlier when it holds
 * more orders than this poll may take on: then its end is halved toward `done` until it fits, so a
 * large backlog is taken oldest first in bounded pieces. Orders the state already knows in a window
 * (the overlap band) cost no detail request and are not counted against the poll. With `done` null
 * (Order Updated, where any old order may have changed) the first window has no lower bound and
 * shrinks by moving its end back.
 */
export function* fitChunk(
	filter: Record<string, string>,
	done: number | null,
	hi: number,
	limits: TriggerLimits,
	budget: Budget,
	fullOrders: boolean,
	known: (lo: number | null, b: number) => number = () => 0,
): Generator<Step, Fit, StepResult> {
	const fullCap = capacity(limits, { pages: 0, details: 0 }, fullOrders);
	const cap = capacity(limits, budget, fullOrders);
	if (cap <= 0 || (budget.pages + budget.details > 0 && cap < fullCap / 4)) return { kind: 'stop' };

	if (done === null) {
		let b = hi;
		for (let k = 0; ; k++) {
			const force = b <= EARLIEST;
			const read = yield* readChunk(filter, null, b, cap + known(null, b), force, limits, budget);
			if (read.kind === 'failed') return read;
			if (read.kind === 'complete') return { kind: 'complete', refs: read.refs, steady: read.steady, lo: null, b };
			b = hi - limits.maxSpanMs * 2 ** k;
		}
	}

	const lo = done - limits.overlapMs;
	const end = Math.min(hi, lo + limits.maxSpanMs);
	let b = end;
	for (;;) {
		const force = b - done <= limits.minSpanMs;
		const read = yield* readChunk(filter, lo, b, cap + known(lo, b), force, limits, budget);
		if (read.kind === 'failed') return read;
		if (read.kind === 'complete') return { kind: 'complete', refs: read.refs, steady: read.steady, lo, b };
		b = Math.min(end, done + Math.max(limits.minSpanMs, Math.floor((b - done) / 2)));
	}
}

/** Detail requests an order gets, over polls, before it is emitted without its detail. */
export const MAX_DETAIL_ATTEMPTS = 5;

export interface Fetched {
	emitted: Array<{ ref: OrderRef; json: IDataObject }>;
	/** Gone between list and detail (404): nothing to emit, nothing to retry. */
	gone: OrderRef[];
	/** Failed this time; to be fetched again. */
	failed: OrderRef[];
	error?: unknown;
}

function messageOf(error: unknown): string {
	const message = (error as { message?: unknown } | undefined)?.message;
	return typeof message === 'string' && message !== '' ? message : String(error);
}

/**
 * Full orders: one detail request each; a failure does not stop the others. `failures` counts failed
 * attempts per order across polls: an order whose detail keeps failing is emitted after
 * MAX_DETAIL_ATTEMPTS as it was listed, with `fullOrderError`, so that one broken order neither holds
 * the trigger back for ever nor disappears without a trace.
 */
export function* fetchOrders(
	refs: OrderRef[],
	fullOrders: boolean,
	budget: Budget,
	failures: Record<string, number>,
): Generator<Step, Fetched, StepResult> {
	const out: Fetched = { emitted: [], gone: [], failed: [] };
	if (!fullOrders) {
		out.emitted = refs.map((ref) => ({ ref, json: ref.raw }));
		return out;
	}
	for (const ref of refs) {
		const result: StepResult = yield { kind: 'detail', orderId: ref.id };
		budget.details++;
		if (result.ok && result.kind === 'detail') {
			delete failures[ref.id];
			out.emitted.push({ ref, json: result.order });
		} else if (!result.ok && result.status === 404) {
			delete failures[ref.id];
			out.gone.push(ref);
		} else {
			const error = result.ok ? new Error('Unexpected answer to an order request') : result.error;
			const attempts = (failures[ref.id] ?? 0) + 1;
			if (attempts >= MAX_DETAIL_ATTEMPTS) {
				delete failures[ref.id];
				const fullOrderError = `The full order could not be fetched (${attempts} attempts): ${messageOf(error)}`;
				out.emitted.push({ ref, json: { ...ref.raw, fullOrderError } });
			} else {
				failures[ref.id] = attempts;
				out.failed.push(ref);
				out.error ??= error;
			}
		}
	}
	return out;
}
