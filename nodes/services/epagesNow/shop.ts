import type { IDataObject } from 'n8n-workflow';

import type { Shop } from '../shop';
import { getFullOrder, getOrder, updateOrderNote, writeInvoiceBack } from './orders';
import { EP_CREDENTIAL, epPages } from './transport';

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
	async listOrders(ctx, period, onPage, itemIndex) {
		// createdAfter is inclusive and createdBefore exclusive as the trigger reads them (sandbox
		// notes); the shop refuses windows over a year, which a period never is.
		let requests = 0;
		for await (const page of epPages(ctx, '/orders', { createdAfter: period.from, createdBefore: period.to }, { itemIndex, action: 'list the orders of the period' })) {
			requests++;
			await onPage(page.items as IDataObject[]);
		}
		return requests;
	},
	writeInvoiceBack: async (ctx, order, noteLine, itemIndex) => await writeInvoiceBack(ctx, order, noteLine, itemIndex),
	updateNote: async (ctx, order, change, itemIndex) => await updateOrderNote(ctx, order, change, itemIndex),
};
