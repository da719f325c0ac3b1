import type { StatusState, Step, StepResult, TriggerLimits } from './types';
import { iso, toRef } from './window';

/**
 * Between full passes, a status event costs one request: page 1 of the status list, compared with
 * what the last pass found. When that page cannot prove the list unchanged it is not wasted: the pass
 * that follows takes it as its own first request (withAnswer).
 */

/** Creation dates this close to a window's bound may fall on either side of the shop's filter (inclusive or not, whole seconds). */
const EDGE_MS = 1000;

/** A list request already made, with its answer. */
export interface Answered {
	qs: Record<string, string | number>;
	result: StepResult;
}

export type Check = { kind: 'idle' } | { kind: 'failed'; error: unknown } | { kind: 'sweep'; page1?: Answered };

/**
 * Whether the status list can have changed since the last pass, from page 1 alone. `results` is the
 * number of orders in the status in [lo, now); every such order the last pass found is in `emitted`
 * and not in `unlisted`, with its creation date. If the total equals how many of those fall in
 * [lo, now) and page 1 shows none other, then no order can have entered the status unless another
 * left it at the same time; that swap is left to the full pass due every `statusSweepMs`. Anything
 * else (a different total, an unknown order on page 1, an order on a bound, a pending retry, a last
 * pass that saw changes) reads everything, starting from this very page.
 */
export function* checkStatus(
	state: StatusState,
	filter: Record<string, string>,
	lo: number,
	now: number,
	limits: TriggerLimits,
): Generator<Step, Check, StepResult> {
	const known = knownInStatus(state, lo, now, limits);
	if (known === undefined) return { kind: 'sweep' };
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
	const gone = new Set(state.unlisted);
	for (const item of result.items) {
		const ref = toRef(item);
		if (!ref || state.emitted[ref.id] === undefined || gone.has(ref.id)) return { kind: 'sweep', page1 };
	}
	return { kind: 'idle' };
}

/**
 * How many orders the last pass found in the status in [lo, now), or undefined when that count
 * cannot stand for the shop's total (no quiet pass within the sweep interval, a pending retry, an
 * order on a bound): then the whole list is read.
 */
function knownInStatus(state: StatusState, lo: number, now: number, limits: TriggerLimits): number | undefined {
	const { sweptAt, unlisted } = state;
	if (!state.quiet || sweptAt === undefined || unlisted === undefined) return undefined;
	// A clock that went back is a reason to read everything, not to trust an old pass longer.
	if (now < sweptAt || now >= sweptAt + limits.statusSweepMs) return undefined;
	if (Object.keys(state.failures).length > 0) return undefined;
	const gone = new Set(unlisted);
	let known = 0;
	for (const [id, created] of Object.entries(state.emitted)) {
		if (gone.has(id)) continue;
		if (Math.abs(created - lo) < EDGE_MS || created >= now - EDGE_MS) return undefined;
		if (created >= lo && created < now) known++;
	}
	return known;
}

function sameQuery(a: Record<string, string | number>, b: Record<string, string | number>): boolean {
	const keys = Object.keys(a);
	return keys.length === Object.keys(b).length && keys.every((k) => b[k] !== undefined && String(a[k]) === String(b[k]));
}

/** Runs `steps`, answering the request in `known` from it instead of asking the shop a second time. */
export function* withAnswer<T>(steps: Generator<Step, T, StepResult>, known: Answered | undefined): Generator<Step, T, StepResult> {
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
