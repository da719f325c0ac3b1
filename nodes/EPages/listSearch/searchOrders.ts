import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { formatAmount, joinName, matchesFilter, MAX_PAGES_PER_CALL, MIN_MATCHES, pageFromToken, str } from '../../shared/listSearch';
import { listOrdersPage } from '../../services/epagesNow/orders';

/** Orders per request: the shop's maximum, as the filter runs here (GET /orders has no text search). */
const PAGE_SIZE = 100;

/** "Ana Lima" from the billing address: the name people look an order up by. */
export function orderCustomerName(order: IDataObject): string | undefined {
	const address = (order.billingAddress ?? order.shippingAddress) as IDataObject | undefined;
	if (!address || typeof address !== 'object') return undefined;
	const person = [str(address, 'firstName'), str(address, 'lastName')].filter(Boolean).join(' ').trim();
	return person || str(address, 'displayName') || str(address, 'company');
}

function toItem(order: IDataObject): INodeListSearchItems | undefined {
	const id = str(order, 'orderId');
	if (!id) return undefined;
	return {
		name: joinName(str(order, 'orderNumber') ?? id, orderCustomerName(order), formatAmount(order.grandTotal, order.currencyId)),
		value: id,
	};
}

function matches(order: IDataObject, filter: string): boolean {
	const address = (order.billingAddress ?? {}) as IDataObject;
	return matchesFilter(
		filter,
		order.orderNumber,
		order.orderId,
		orderCustomerName(order),
		address.displayName,
		address.company,
		address.emailAddress,
	);
}

const created = (order: IDataObject) => Date.parse(String(order.creationDate ?? '')) || 0;

/**
 * Order → Order ID, "From List": by order number or customer name, newest first. GET /orders has no
 * text filter, so pages are read here and filtered; the token is the next page of the shop's list.
 */
export async function searchOrders(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const wanted = (filter ?? '').trim();
	const results: INodeListSearchItems[] = [];
	let page = pageFromToken(paginationToken);
	for (let read = 0; read < MAX_PAGES_PER_CALL; read++, page++) {
		const answer = await listOrdersPage(this, { page, resultsPerPage: PAGE_SIZE });
		// The docs say the list is sorted by creationDate without saying which way; each batch is
		// put newest first here so the top of the list is the order just placed.
		const batch = answer.items
			.filter((o) => wanted === '' || matches(o, wanted))
			.sort((a, b) => created(b) - created(a))
			.map(toItem)
			.filter((item): item is INodeListSearchItems => item !== undefined);
		results.push(...batch);
		const last =
			answer.items.length === 0 ||
			(answer.results !== undefined ? page * PAGE_SIZE >= answer.results : answer.items.length < PAGE_SIZE);
		if (last) return { results };
		// Without a filter one page is a full batch; with one, read on until the editor has enough.
		if (wanted === '' || results.length >= MIN_MATCHES) return { results, paginationToken: String(page + 1) };
	}
	return { results, paginationToken: String(page) };
}
