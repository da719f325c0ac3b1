import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiContext } from '../../shared/http';
import { noteWithLine, type OrderItemsFound, type Shop } from '../shop';
import { beyondPaidDate, getBeyondOrder, setBeyondOrderNote, shaped } from './orders';
import { BEYOND_CREDENTIAL, BEYOND_SCOPES, beyondPages } from './transport';

/**
 * ePages Beyond (reference epages.md §1b, §2b). Beyond has no "invoiced" status of its own for an
 * invoice made elsewhere (its create-invoice endpoint makes a Beyond invoice document, a second
 * document we must not issue), so the write-back is the line in the order note, which the merchant
 * reads in the Cockpit.
 */

const idOf = (ctx: Parameters<Shop['fullOrder']>[0], order: IDataObject, itemIndex?: number): string => {
	const id = order.orderId ?? order._id;
	if (typeof id !== 'string' || id === '') throw new NodeOperationError(ctx.getNode(), 'The ePages Beyond order has no id to read or write back to', { itemIndex });
	return id;
};

/** The order note read fresh from the shop, changed, and written back (PUT order-note replaces it as a whole). */
async function updateNote(ctx: Parameters<Shop['fullOrder']>[0], order: IDataObject, change: (note: string) => string | undefined, itemIndex?: number): Promise<'written' | 'already written'> {
	const id = idOf(ctx, order, itemIndex);
	const fresh = await getBeyondOrder(ctx, id, itemIndex);
	const note = change(typeof fresh.orderNote === 'string' ? fresh.orderNote : '');
	if (note === undefined) return 'already written';
	await setBeyondOrderNote(ctx, id, note, itemIndex);
	return 'written';
}

async function listOrderItems(ctx: ApiContext, period: { from: string; to: string }, onPage: (items: IDataObject[]) => Promise<void> | void, itemIndex?: number): Promise<number> {
	// createdAfter inclusive, createdBefore exclusive (as the Beyond fake reads the reference).
	let requests = 0;
	const qs = { createdAfter: period.from, createdBefore: period.to };
	for await (const items of beyondPages(ctx, '/orders', 'orders', qs, { itemIndex, action: 'list the orders of the period', scope: BEYOND_SCOPES.read })) {
		requests++;
		await onPage(items);
	}
	return requests;
}

/** `GET /orders?orderNumber=…` (epages.md §2b: the list filters by order number), one number at a time. */
async function findOrderItems(ctx: ApiContext, numbers: string[], _before: string, itemIndex?: number): Promise<OrderItemsFound> {
	const items: IDataObject[] = [];
	let requests = 0;
	for (const orderNumber of numbers) {
		for await (const page of beyondPages(ctx, '/orders', 'orders', { orderNumber }, { itemIndex, action: `find order ${orderNumber}`, scope: BEYOND_SCOPES.read })) {
			requests++;
			// The filter's matching (exact or not) is not documented: only the exact number is taken.
			items.push(...page.filter((o) => String(o.orderNumber) === orderNumber));
		}
	}
	return { items, requests, searched: 'all' };
}

export const epagesBeyondShop: Shop = {
	platform: 'beyond',
	displayName: 'ePages Beyond',
	credential: BEYOND_CREDENTIAL,
	// The adapter (order.ts) marks every order it shapes; a raw Beyond order has `_id`, not orderId.
	owns: (order) => order._beyond !== undefined || (order._id !== undefined && order.orderId === undefined),
	async fullOrder(ctx, order, itemIndex) {
		// Beyond's lists and webhooks carry whole orders; only an order given raw is read and shaped.
		if (order.lineItemContainer !== undefined) return order;
		return shaped(ctx, await getBeyondOrder(ctx, idOf(ctx, order, itemIndex), itemIndex), false, itemIndex);
	},
	async readOrder(ctx, order, itemIndex) {
		return shaped(ctx, await getBeyondOrder(ctx, idOf(ctx, order, itemIndex), itemIndex), false, itemIndex);
	},
	listOrders: async (ctx, period, onPage, itemIndex) => await listOrderItems(ctx, period, async (items) => await onPage(items.map((raw) => shaped(ctx, raw, false, itemIndex))), itemIndex),
	listOrderItems,
	findOrderItems,
	// No invoiced mark to set: the note line is the record (see above).
	writeInvoiceBack: async (ctx, order, noteLine, itemIndex) => await updateNote(ctx, order, (note) => noteWithLine(note, noteLine), itemIndex),
	updateNote,
	// The latest payment-paid event of the order's events (orders.ts beyondPaidDate; scope orde:r).
	paidDate: async (ctx, order, itemIndex) => await beyondPaidDate(ctx, idOf(ctx, order, itemIndex), itemIndex),
};
