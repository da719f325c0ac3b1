import type { IDataObject } from 'n8n-workflow';

import type { OrderStatusFilter } from '../../shared/order';

/** Status events: the list filter (`paidOn=true` …) whose switching to "set" is the event. */
export const STATUS_EVENTS = {
	orderViewed: 'viewedOn',
	orderPending: 'pendingOn',
	orderPaid: 'paidOn',
	orderDispatched: 'dispatchedOn',
	orderDelivered: 'deliveredOn',
	orderReturned: 'returnedOn',
	orderInvoiced: 'invoicedOn',
	orderRejected: 'rejectedOn',
	orderClosed: 'closedOn',
	orderArchived: 'archivedOn',
} as const satisfies Record<string, OrderStatusFilter>;

export type StatusEvent = keyof typeof STATUS_EVENTS;
/** Paid orders with no invoiced date, offered until they have one (see uninvoiced.ts). */
export const UNINVOICED_EVENT = 'orderPaidNotInvoiced';
export type TriggerEvent = 'newOrder' | 'orderUpdated' | StatusEvent | typeof UNINVOICED_EVENT;

/** Events that watch orders by creation date within a lookback period. */
export function hasLookback(event: string): boolean {
	return isStatusEvent(event) || event === UNINVOICED_EVENT;
}

export function isStatusEvent(event: string): event is StatusEvent {
	return Object.prototype.hasOwnProperty.call(STATUS_EVENTS, event);
}

export interface TriggerConfig {
	event: TriggerEvent;
	/** Emit each order as `GET /orders/{id}` returns it (with line items) instead of the list item. */
	fullOrders: boolean;
	/** Back-fill from here (ms). Unset: start at activation, no history. */
	startFrom?: number;
	/** Status events: how far back (by creation date) orders are watched for the status to be set. */
	lookbackMs: number;
	/** Order Updated: also emit orders never changed since they were placed. */
	includeNewOrders: boolean;
}

export interface TriggerLimits {
	/** Re-read band behind every cursor: same-second orders, clock skew, late-visible orders. */
	overlapMs: number;
	/** resultsPerPage of list requests (the shop allows up to 100). */
	pageSize: number;
	/** List requests per poll before it stops starting new windows. */
	maxPages: number;
	/** Detail requests (full orders) per poll before it stops starting new windows. */
	maxDetails: number;
	/** Widest createdAfter→createdBefore span; the shop refuses more than a year. */
	maxSpanMs: number;
	/** Narrowest window; a window this narrow is read whatever its size. */
	minSpanMs: number;
	/**
	 * Status events: longest time between two full reads of the lookback. In between, a poll reads
	 * one page and trusts the shop's total; a status cleared on one order while it is set on another
	 * leaves that total unchanged, and only a full read finds the second order.
	 */
	statusSweepMs: number;
}

const DAY = 24 * 3600 * 1000;

export const DEFAULT_LIMITS: TriggerLimits = {
	overlapMs: 5 * 60 * 1000,
	pageSize: 100,
	maxPages: 10,
	maxDetails: 100,
	maxSpanMs: 364 * DAY,
	minSpanMs: 1000,
	statusSweepMs: 3600 * 1000,
};

/** A part of the order range still to read: creation dates from `done` (null: from the beginning) up to `hi`. */
export interface Pass {
	done: number | null;
	hi: number;
}

interface StateBase {
	v: 1;
	/** Settings the state belongs to; other settings start afresh. */
	key: string;
	/** Activation time (or Start From): nothing older is emitted. */
	since: number;
}

/** New Order: every order created before `cursor` has been handled; `seen` covers the overlap band. */
export interface CreatedState extends StateBase {
	kind: 'created';
	cursor: number;
	/** orderId → creation (ms), for orders emitted with creation ≥ cursor − overlap. */
	seen: Record<string, number>;
	/** orderId → failed detail requests so far. */
	failures: Record<string, number>;
}

/** Order Updated: every change before `cursor` has been handled; a pass reads `updatedFrom = from`. */
export interface UpdatedState extends StateBase {
	kind: 'updated';
	cursor: number;
	/** orderId → [lastUpdatedOnDate, creationDate] (ms) of the last emission. */
	seen: Record<string, [number, number]>;
	pass: (Pass & { from: number }) | null;
	/** Orders whose detail could not be fetched: orderId → [lastUpdatedOnDate, creationDate]. */
	retry: Record<string, [number, number]>;
	failures: Record<string, number>;
}

/** Status events: orders already emitted (or present at activation), with their creation date (ms). */
export interface StatusState extends StateBase {
	kind: 'status';
	/** True until the first pass over the lookback window is complete. */
	baseline: boolean;
	emitted: Record<string, number>;
	/**
	 * `failed`: orders whose detail failed during this pass, to keep only their failure counts.
	 * `listed`: orders the pass found in the status; `fresh`: whether it found any order not in
	 * `emitted`, or saw the list change while it paged. Both are absent in passes stored before they existed, which then count as not quiet.
	 */
	pass: (Pass & { failed?: string[]; listed?: string[]; fresh?: boolean }) | null;
	failures: Record<string, number>;
	/** When the last complete pass started (its `hi`). Absent in states stored before it existed. */
	sweptAt?: number;
	/**
	 * Whether that pass was quiet: nothing new, and the same orders in the status as the pass before.
	 * Only then is "the shop's total equals what we know" trusted instead of a full pass: a pass that
	 * saw changes may have missed others made while it paged.
	 */
	quiet?: boolean;
	/** Orders in `emitted` that the last complete pass did not find in the status any more (cleared, deleted). */
	unlisted?: string[];
}

/**
 * Paid, Not Yet Invoiced: the orders offered so far that are still paid and not invoiced, as
 * orderId → [creation, last offer, offers so far, lastUpdatedOnDate at that offer] (ms).
 */
export interface UninvoicedState extends StateBase {
	kind: 'uninvoiced';
	/** True until the first read: the orders found then are history unless Start From covers them. */
	baseline: boolean;
	offered: Record<string, [number, number, number, number | null]>;
	/** Paid and not invoiced at activation, not offered: orderId → creation (ms). */
	history: Record<string, number>;
	failures: Record<string, number>;
	/** When the list filter was last compared with an unfiltered read. */
	verifiedAt?: number;
	/** The shop's `invoicedOn=false` filter did not hold: reads go without it. */
	filterUntrusted?: boolean;
}

export type TriggerState = CreatedState | UpdatedState | StatusState | UninvoicedState;

/** A request the poll logic wants made; the runner does the HTTP. */
export type Step =
	| { kind: 'list'; qs: Record<string, string | number> }
	| { kind: 'detail'; orderId: string };

export type StepResult =
	| { ok: true; kind: 'list'; items: IDataObject[]; results?: number }
	| { ok: true; kind: 'detail'; order: IDataObject }
	| { ok: false; error: unknown; status?: number };

export interface PollOutcome {
	/** Orders to emit, oldest event first. */
	items: IDataObject[];
	state: TriggerState;
	/** A failure that stopped the poll early. */
	error?: unknown;
	/**
	 * Whether the state moved on (a window read, a pass advanced). A poll that failed without emitting
	 * keeps its progress when there is some, and fails (n8n keeps the old state) when there is none.
	 */
	progressed: boolean;
}

/** The few fields the trigger reads from an order. */
export interface OrderRef {
	id: string;
	created: number;
	updated: number | null;
	raw: IDataObject;
}
