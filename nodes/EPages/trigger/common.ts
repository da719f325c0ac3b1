import type { OrderRef, PollOutcome } from './types';

/**
 * What the pollers of New Order (created.ts), Order Updated (updated.ts) and the status events
 * (status.ts) share: what one of them returns, and how they order and place the orders a window lists.
 */

/** What a poller returns; pollSteps (poll.ts) adds whether the state moved on. */
export type WorkDone = Omit<PollOutcome, 'progressed'>;

/** Oldest first by `time`, ties by id: the same orders are emitted in the same order on every run. */
export function byTime(time: (ref: OrderRef) => number) {
	return (a: OrderRef, b: OrderRef) => time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** How many of these creation dates fall in [lo, b). */
export function countIn(created: number[], lo: number | null, b: number): number {
	let n = 0;
	for (const c of created) if ((lo === null || c >= lo) && c < b) n++;
	return n;
}

/**
 * Whether the order was created in [lo, b): a read's pages may also show orders just outside the
 * window (the shop's bound inclusive, whole seconds), which belong to the window next to it.
 */
export function inWindow(ref: OrderRef, lo: number | null, b: number): boolean {
	return (lo === null || ref.created >= lo) && ref.created < b;
}
