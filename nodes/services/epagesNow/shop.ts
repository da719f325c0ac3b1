import type { IDataObject } from 'n8n-workflow';

import type { ApiContext } from '../../shared/http';
import type { OrderItemsFound, Shop } from '../shop';
import { getFullOrder, getOrder, updateOrderNote, writeInvoiceBack } from './orders';
import { EP_CREDENTIAL, epPages } from './transport';

async function listOrderItems(ctx: ApiContext, period: { from: string; to: string }, onPage: (items: IDataObject[]) => Promise<void> | void, itemIndex?: number): Promise<number> {
	// createdAfter is inclusive and createdBefore exclusive as the trigger reads them (sandbox
	// notes); the shop refuses windows over a year, which a period never is.
	let requests = 0;
	for await (const page of epPages(ctx, '/orders', { createdAfter: period.from, createdBefore: period.to }, { itemIndex, action: 'list the orders of the period' })) {
		requests++;
		await onPage(page.items as IDataObject[]);
	}
	return requests;
}

const DAY_MS = 86400000;
/** How far back a number is looked for: the longest window the shop lists in one go (epages.md §2a). */
const LOOKBACK_DAYS = 365;
const STEP_DAYS = 31;

/**
 * ePages Now's order list has no filter by order number (epages.md §2a): the orders created before
 * `before` are read back a month at a time, and the reading stops as soon as every number is found.
 * Most numbers asked for belong to orders a few weeks older than the period (invoiced late), so this
 * usually costs the pages of one or two months; a number not found costs the whole year.
 */
async function findOrderItems(ctx: ApiContext, numbers: string[], before: string, itemIndex?: number): Promise<OrderItemsFound> {
	const wanted = new Set(numbers);
	const items: IDataObject[] = [];
	const end = Date.parse(before);
	const start = end - LOOKBACK_DAYS * DAY_MS;
	let requests = 0;
	let to = end;
	while (wanted.size > 0 && to > start) {
		const from = Math.max(start, to - STEP_DAYS * DAY_MS);
		const found: IDataObject[] = [];
		requests += await listOrderItems(ctx, { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, (page) => {
			for (const item of page) if (wanted.has(String(item.orderNumber))) found.push(item);
		}, itemIndex);
		for (const item of found) wanted.delete(String(item.orderNumber));
		items.push(...found);
		to = from;
	}
	return { items, requests, searched: { from: new Date(to).toISOString(), to: before } };
}

/** ePages Now (and Base): the REST API under /rs/shops/{shopId} (reference epages.md §1a, §2a). */
export const epagesNowShop: Shop = {
	platform: 'now',
	displayName: 'ePages Now',
	credential: EP_CREDENTIAL,
	// Orders of other platforms carry their adapter's mark (ePages Beyond: `_beyond`), or, as Beyond
	// sends them raw, its `_id` instead of an orderId.
	owns: (order) => order._beyond === undefined && !(order._id !== undefined && order.orderId === undefined),
	async fullOrder(ctx, order, itemIndex) {
		// List items have no line items (reference §2a: lineItemContainer "only included in GET /orders/{orderId}").
		return order.lineItemContainer === undefined ? await getFullOrder(ctx, order, itemIndex) : order;
	},
	async readOrder(ctx, order, itemIndex) {
		return await getOrder(ctx, String(order.orderId ?? ''), { itemIndex, label: String(order.orderNumber ?? order.orderId) });
	},
	// ePages Now list items are the package's order shape already (without line items).
	listOrders: async (ctx, period, onPage, itemIndex) => await listOrderItems(ctx, period, onPage, itemIndex),
	listOrderItems: async (ctx, period, onPage, itemIndex) => await listOrderItems(ctx, period, onPage, itemIndex),
	findOrderItems: async (ctx, numbers, before, itemIndex) => await findOrderItems(ctx, numbers, before, itemIndex),
	writeInvoiceBack: async (ctx, order, noteLine, itemIndex) => await writeInvoiceBack(ctx, order, noteLine, itemIndex),
	updateNote: async (ctx, order, change, itemIndex) => await updateOrderNote(ctx, order, change, itemIndex),
};
