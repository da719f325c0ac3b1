import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { bodyJson, type ApiContext } from '../../shared/http';
import { noteOf, noteWithLine } from '../shop';
import { epGetAll, epRequest, parseEpPage, type EpPage } from './transport';

/**
 * The ePages orders as the rest of the package uses them: the node's order operations, the trigger
 * and the one-step order-to-invoice operation all read and write orders through here, so a change to
 * the order endpoints (path, locale, content type of a patch) is made once.
 */

const orderPath = (orderId: string) => `/orders/${encodeURIComponent(orderId)}`;

export interface OrderCall {
	itemIndex?: number;
	/** Query such as `{ locale }`. */
	qs?: IDataObject;
	/** How errors name the order ("get order 1001"): the order number reads better than the id. */
	label?: string;
}

/** GET /orders/{id}: the full order with its line items. An answer that is not an object is an error. */
export async function getOrder(ctx: ApiContext, orderId: string, call: OrderCall = {}): Promise<IDataObject> {
	const res = await epRequest(ctx, 'GET', orderPath(orderId), {
		qs: call.qs,
		itemIndex: call.itemIndex,
		action: `get order ${call.label ?? orderId}`,
	});
	const order = bodyJson(res.body);
	if (!order || typeof order !== 'object' || Array.isArray(order)) {
		throw new NodeOperationError(ctx.getNode(), `ePages answered an unexpected shape for order ${call.label ?? orderId}`, {
			itemIndex: call.itemIndex,
		});
	}
	return order as IDataObject;
}

/** The full order behind an order list item (which has no line items). */
export async function getFullOrder(ctx: ApiContext, listItem: IDataObject, itemIndex?: number): Promise<IDataObject> {
	const id = listItem.orderId;
	if (typeof id !== 'string' || id === '') {
		throw new NodeOperationError(ctx.getNode(), 'The order list item has no orderId to fetch the full order with', { itemIndex });
	}
	return await getOrder(ctx, id, { itemIndex, label: String(listItem.orderNumber ?? id) });
}

/** One page of GET /orders; `qs` carries `page` and `resultsPerPage` with the filters. */
export async function listOrdersPage(ctx: ApiContext, qs: IDataObject, itemIndex?: number): Promise<EpPage> {
	const res = await epRequest(ctx, 'GET', '/orders', { qs, itemIndex, action: 'list orders' });
	const page = parseEpPage(res.body, Number(qs.page ?? 1));
	if (!page) throw new NodeOperationError(ctx.getNode(), 'ePages answered an unexpected list shape for orders', { itemIndex });
	return page;
}

/** Every order matching `qs`, or the first `limit`. */
export async function listOrders(ctx: ApiContext, qs: IDataObject, limit?: number, itemIndex?: number): Promise<IDataObject[]> {
	return await epGetAll(ctx, '/orders', qs, limit, { itemIndex, action: 'list orders' });
}

/** The operations ePages accepts in an order patch. */
export interface OrderPatchOp extends IDataObject {
	op: 'add' | 'remove';
	path: string;
	value?: string;
}

/** PATCH /orders/{id} with a JSON Patch; the transport retries while the order is being edited (409). */
export async function patchOrder(
	ctx: ApiContext,
	orderId: string,
	ops: OrderPatchOp[],
	call: OrderCall & { action?: string } = {},
): Promise<IDataObject> {
	const res = await epRequest(ctx, 'PATCH', orderPath(orderId), {
		body: ops,
		patch: true,
		itemIndex: call.itemIndex,
		action: call.action ?? `update order ${call.label ?? orderId}`,
	});
	return (bodyJson(res.body) ?? {}) as IDataObject;
}

/**
 * Marks the order invoiced and records `noteLine` in its internal note. Both are checked against the
 * order as given first, so a repeated run changes nothing ("already written") instead of adding the
 * line twice or moving the invoiced date.
 */
export async function writeInvoiceBack(
	ctx: ApiContext,
	order: IDataObject,
	noteLine: string,
	itemIndex?: number,
): Promise<'written' | 'already written'> {
	const id = String(order.orderId ?? '');
	if (!id) throw new NodeOperationError(ctx.getNode(), 'The order has no orderId to write back to', { itemIndex });
	const ops: OrderPatchOp[] = [];
	if (!order.invoicedOn) ops.push({ op: 'add', path: '/invoicedOn', value: new Date().toISOString() });
	const note = noteWithLine(noteOf(order), noteLine);
	if (note !== undefined) ops.push({ op: 'add', path: '/internalNote', value: note });
	if (ops.length === 0) return 'already written';
	await patchOrder(ctx, id, ops, { itemIndex, action: `write the invoice back to order ${String(order.orderNumber ?? id)}` });
	return 'written';
}

/**
 * Changes the order's internal note, read fresh first: a credit note or a cancellation is written
 * long after the order was read, and the note is replaced as a whole, so a stale copy would drop the
 * lines written since (the invoice's).
 */
export async function updateOrderNote(ctx: ApiContext, order: IDataObject, change: (note: string) => string | undefined, itemIndex?: number): Promise<'written' | 'already written'> {
	const id = String(order.orderId ?? '');
	if (!id) throw new NodeOperationError(ctx.getNode(), 'The order has no orderId to write back to', { itemIndex });
	const label = String(order.orderNumber ?? id);
	const fresh = await getOrder(ctx, id, { itemIndex, label });
	const note = change(noteOf(fresh));
	if (note === undefined) return 'already written';
	await patchOrder(ctx, id, [{ op: 'add', path: '/internalNote', value: note }], { itemIndex, action: `write back to order ${label}` });
	return 'written';
}
