import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { bodyJson, type ApiContext } from '../../shared/http';
import { beyondDate, orderFromBeyond } from './order';
import { BEYOND_SCOPES, beyondGetAll, beyondRequest } from './transport';

/**
 * Orders of an ePages Beyond shop (reference §2b). Reads give the order in the package's one order
 * shape (beyond/order.ts) unless the raw answer is asked for, so that every invoicing step downstream
 * takes a Beyond order as it takes a Now order.
 */

const path = (id: string) => `/orders/${encodeURIComponent(id)}`;

function asOrder(ctx: ApiContext, raw: unknown, what: string, itemIndex?: number): IDataObject {
	const json = bodyJson(raw);
	if (!json || typeof json !== 'object' || Array.isArray(json)) {
		throw new NodeOperationError(ctx.getNode(), `ePages Beyond answered an unexpected shape for ${what}`, { itemIndex });
	}
	return json as IDataObject;
}

/** The shape an order is given in: the package's (for invoicing) or Beyond's own. */
export function shaped(ctx: ApiContext, raw: IDataObject, asBeyond: boolean, itemIndex?: number): IDataObject {
	if (asBeyond) return raw;
	try {
		return orderFromBeyond(raw);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `ePages Beyond: ${(error as Error).message}`, { itemIndex, description: 'The order cannot be read as an order to invoice.' });
	}
}

export async function getBeyondOrder(ctx: ApiContext, id: string, itemIndex?: number): Promise<IDataObject> {
	const res = await beyondRequest(ctx, 'GET', path(id), { itemIndex, action: `get order ${id}`, scope: BEYOND_SCOPES.read });
	return asOrder(ctx, res.body, `order ${id}`, itemIndex);
}

export async function listBeyondOrders(ctx: ApiContext, qs: IDataObject, limit?: number, itemIndex?: number): Promise<IDataObject[]> {
	return await beyondGetAll(ctx, '/orders', 'orders', qs, limit, { itemIndex, action: 'list orders', scope: BEYOND_SCOPES.read });
}

/** PUT /orders/{id}/order-note: the order's note, replaced as a whole. */
export async function setBeyondOrderNote(ctx: ApiContext, id: string, note: string, itemIndex?: number): Promise<IDataObject> {
	const res = await beyondRequest(ctx, 'PUT', `${path(id)}/order-note`, { body: { orderNote: note }, itemIndex, action: `set the note of order ${id}`, scope: BEYOND_SCOPES.write });
	return asOrder(ctx, res.body, `order ${id}`, itemIndex);
}

/**
 * POST /orders/{id}/mark-as-viewed or /cancel. The order is read first: a change already made (by an
 * earlier try, by the merchant) is reported, never sent again. A cancel needs the scope clpr:c and
 * carries its reason as `{"comment": …}` (BYD-OAS operation cancel-order: scope clpr:c, body
 * `orders_orderId_cancel` with `comment`, "The comment to the status change").
 */
export async function changeBeyondOrder(
	ctx: ApiContext,
	id: string,
	change: 'markViewed' | 'cancel',
	itemIndex?: number,
	reason?: string,
): Promise<{ order: IDataObject; alreadyDone: boolean }> {
	const current = await getBeyondOrder(ctx, id, itemIndex);
	const done = change === 'cancel' ? current.canceled === true : current.viewed === true;
	if (done) return { order: current, alreadyDone: true };
	const cancel = change === 'cancel';
	const res = await beyondRequest(ctx, 'POST', `${path(id)}/${cancel ? 'cancel' : 'mark-as-viewed'}`, {
		body: cancel && reason ? { comment: reason } : {},
		itemIndex,
		action: `${cancel ? 'cancel' : 'mark as viewed'} order ${id}`,
		scope: cancel ? BEYOND_SCOPES.cancel : BEYOND_SCOPES.write,
	});
	return { order: asOrder(ctx, res.body, `order ${id}`, itemIndex), alreadyDone: false };
}

/** A shop clock ahead of ours by up to this much is not yet a sign of a wrong time zone. */
const CLOCK_SKEW_MS = 10 * 60 * 1000;

/**
 * The paid date in a Beyond order's events (`GET /orders/{id}/events`, HAL `_embedded["order-events"]`
 * of `{type, triggeredBy, comment, createdAt, details}`; BYD-OAS operation order-events-list and its
 * example): the time of its LATEST `payment-paid` event. An order can have several payment processes
 * (the example has a paid one and a later voided one, each its own events), and a payment voided or
 * refunded can be paid again: the order is paid since its last payment-paid, as ePages Now's `paidOn`
 * is the last time the paid status was set. Pure; a problem names what is wrong, never a fallback:
 *  - no payment-paid event: Beyond does not say when the order was paid (never its `updatedAt`);
 *  - a payment-paid time that cannot be read;
 *  - a time more than 10 minutes after `nowMs`: Beyond's dates carry no zone and are read as UTC
 *    (reference §5, inferred); a shop writing local time (CET, ahead of UTC) shows a fresh payment
 *    in the future, and the invoice day could be a day off, so it is refused, not guessed.
 */
export function paidDateFromEvents(events: IDataObject[], nowMs: number): { paidAt: string } | { problem: string } {
	const paid = events.filter((e) => e && typeof e === 'object' && e.type === 'payment-paid');
	if (paid.length === 0) {
		return { problem: `its events (${events.length}) have no payment-paid event, so the shop does not say when it was paid` };
	}
	let latest: string | undefined;
	for (const event of paid) {
		const at = beyondDate(event.createdAt);
		if (at === null) return { problem: `a payment-paid event has an unreadable time (createdAt "${String(event.createdAt)}")` };
		if (latest === undefined || at > latest) latest = at;
	}
	if (Date.parse(latest!) > nowMs + CLOCK_SKEW_MS) {
		return {
			problem: `its payment-paid time ${latest!} (read as UTC, since Beyond gives no time zone) is later than now: the shop's times are not UTC, and the paid day cannot be told`,
		};
	}
	return { paidAt: latest! };
}

/**
 * The time a paid Beyond order was paid (ISO 8601, UTC), from its events (scope orde:r, named in a
 * 403); see {@link paidDateFromEvents}. Read only for orders whose `paymentStatus` is PAID: for such
 * an order, events without a payment-paid time are an error naming the order, never a guess.
 */
export async function beyondPaidDate(ctx: ApiContext, orderId: string, itemIndex?: number): Promise<string> {
	if (orderId.trim() === '') throw new NodeOperationError(ctx.getNode(), 'The order has no orderId to read its ePages Beyond events with', { itemIndex });
	const events = await beyondGetAll(ctx, `${path(orderId)}/events`, 'order-events', {}, undefined, {
		itemIndex,
		action: `read the events of order ${orderId}`,
		scope: BEYOND_SCOPES.events,
	});
	const read = paidDateFromEvents(events, Date.now());
	if ('problem' in read) {
		throw new NodeOperationError(ctx.getNode(), `ePages Beyond order ${orderId} is paid, but ${read.problem}`, {
			itemIndex,
			description: 'Nothing was created. Choose another "Invoice Date From" (Today or Order Date), or set the invoice date of this order.',
		});
	}
	return read.paidAt;
}
