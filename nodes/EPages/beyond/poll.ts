import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { listBeyondOrders } from '../../services/epagesBeyond/orders';
import { beyondDate, orderFromBeyond } from '../../services/epagesBeyond/order';
import { deriveEvents, prune, type BeyondEvent, type WebhookMemory } from './webhook';

/**
 * The ePages Trigger's polling mode for Beyond shops that n8n cannot be reached from (no webhooks).
 * Each poll reads the orders changed since the last one (`updatedAfter`, with an overlap band for
 * clocks and late writes) and hands each change to the same event rules as the webhook trigger:
 * created and updated as they come, paid, cancelled and returned once per order. An order change is
 * taken once: by its id and `updatedAt`. `digestBeyondOrders` decides, without I/O.
 */

export interface BeyondPollState {
	v: 1;
	kind: 'beyond';
	/** Activation (ms): orders created before it are not "created" events. */
	since: number;
	/** The latest `updatedAt` taken (ms). */
	cursorMs: number;
	/** Changes taken within the overlap band: order id → updatedAt (ms). */
	taken: Record<string, number>;
	fired: WebhookMemory['fired'];
}

/** Re-read band behind the cursor: Beyond's clock, writes that become visible late. */
export const BEYOND_OVERLAP_MS = 2 * 60 * 1000;

export function initialBeyondState(now: number): BeyondPollState {
	return { v: 1, kind: 'beyond', since: now, cursorMs: now, taken: {}, fired: {} };
}

const ms = (v: unknown) => {
	const iso = beyondDate(v);
	return iso === null ? NaN : Date.parse(iso);
};

/** What one poll's orders start, and the state after it. */
export function digestBeyondOrders(
	orders: IDataObject[],
	state: BeyondPollState,
	chosen: BeyondEvent[],
	now: number,
): { emit: Array<{ order: IDataObject; events: BeyondEvent[] }>; state: BeyondPollState } {
	const next: BeyondPollState = { ...state, taken: { ...state.taken }, fired: { ...state.fired } };
	const changes = orders
		.map((order) => ({ order, updated: ms(order.updatedAt), created: ms(order.createdAt) }))
		.filter((c) => typeof c.order._id === 'string' && Number.isFinite(c.updated))
		.sort((a, b) => a.updated - b.updated);
	const emit: Array<{ order: IDataObject; events: BeyondEvent[] }> = [];
	for (const { order, updated, created } of changes) {
		const id = String(order._id);
		if (next.taken[id] !== undefined && next.taken[id] >= updated) continue;
		next.taken[id] = updated;
		// New since activation: its first sight is its creation (the webhook's order.created).
		const isNew = Number.isFinite(created) && created >= state.since && next.fired[id]?.orderCreated === undefined;
		const events = deriveEvents(isNew ? 'order.created' : 'order.updated', order, chosen, next.fired, now);
		if (isNew) next.fired[id] = { ...next.fired[id], orderCreated: now };
		if (events.length > 0) emit.push({ order, events });
		if (updated > next.cursorMs) next.cursorMs = Math.min(updated, now);
	}
	// Only changes inside the overlap band can be listed again: older ones are forgotten.
	for (const [id, at] of Object.entries(next.taken)) if (at < next.cursorMs - BEYOND_OVERLAP_MS) delete next.taken[id];
	const memory = { seen: {}, fired: next.fired };
	prune(memory, now);
	next.fired = memory.fired;
	return { emit, state: next };
}

const STATE_KEY = 'ePagesBeyondPoll';
/** Most orders one poll reads; more changes than this in one interval is an error, never a silent loss. */
const MAX_ORDERS_PER_POLL = 2000;

export async function pollBeyond(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const chosen = ctx.getNodeParameter('beyondEvents', []) as BeyondEvent[];
	if (chosen.length === 0) throw new NodeOperationError(ctx.getNode(), 'Choose at least one event');
	const raw = ctx.getNodeParameter('beyondRawOutput', false) as boolean;
	const shape = (order: IDataObject, events: BeyondEvent[]) =>
		events.map((event) => ({ json: { ...(raw ? order : orderFromBeyond(order)), _event: event } }));
	if (ctx.getMode() === 'manual') {
		// "Fetch Test Event": the latest order, without moving the trigger.
		const latest = await listBeyondOrders(ctx, { sort: 'createdAt,desc' }, 1);
		return latest.length ? [shape(latest[0], [chosen[0]])] : null;
	}
	const data = ctx.getWorkflowStaticData('node');
	const now = Date.now();
	const stored = data[STATE_KEY] as BeyondPollState | undefined;
	if (!stored || stored.kind !== 'beyond') {
		data[STATE_KEY] = initialBeyondState(now) as unknown as IDataObject;
		return null;
	}
	const after = new Date(stored.cursorMs - BEYOND_OVERLAP_MS).toISOString();
	const orders = await listBeyondOrders(ctx, { updatedAfter: after, sort: 'updatedAt,asc' }, MAX_ORDERS_PER_POLL + 1);
	if (orders.length > MAX_ORDERS_PER_POLL) {
		throw new NodeOperationError(ctx.getNode(), `More than ${MAX_ORDERS_PER_POLL} orders changed since ${after}: the trigger stops rather than skip any`, {
			description: 'Poll more often, or use the ePages Beyond Trigger (webhooks).',
		});
	}
	const { emit, state } = digestBeyondOrders(orders, stored, chosen, now);
	data[STATE_KEY] = state as unknown as IDataObject;
	if (emit.length === 0) return null;
	return [emit.flatMap(({ order, events }) => shape(order, events))];
}

