import type { IDataObject } from 'n8n-workflow';

import { byTime, countIn, inWindow, type WorkDone } from './common';
import type { CreatedState, Step, StepResult, TriggerConfig, TriggerLimits } from './types';
import { fetchOrders, fitChunk, type Budget } from './window';

/**
 * New Order: each order created at or after activation/Start From is emitted once. Windows of
 * creation dates are read oldest first from `cursor`; `seen` remembers the orders of the overlap band
 * behind it, which the next window reads again.
 */
export function* pollCreated(
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
