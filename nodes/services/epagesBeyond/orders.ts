import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { bodyJson, type ApiContext } from '../../shared/http';
import { orderFromBeyond } from './order';
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
 * earlier try, by the merchant) is reported, never sent again.
 */
export async function changeBeyondOrder(ctx: ApiContext, id: string, change: 'markViewed' | 'cancel', itemIndex?: number): Promise<{ order: IDataObject; alreadyDone: boolean }> {
	const current = await getBeyondOrder(ctx, id, itemIndex);
	const done = change === 'cancel' ? current.canceled === true : current.viewed === true;
	if (done) return { order: current, alreadyDone: true };
	const res = await beyondRequest(ctx, 'POST', `${path(id)}/${change === 'cancel' ? 'cancel' : 'mark-as-viewed'}`, {
		body: {},
		itemIndex,
		action: `${change === 'cancel' ? 'cancel' : 'mark as viewed'} order ${id}`,
		scope: BEYOND_SCOPES.write,
	});
	return { order: asOrder(ctx, res.body, `order ${id}`, itemIndex), alreadyDone: false };
}
