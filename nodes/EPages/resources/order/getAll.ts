import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapConcurrent } from '../../../shared/execute';
import { getOrder, listOrders } from '../../../services/epagesNow/orders';
import type { OrderStatusFilter } from '../../../shared/order';
import { asItems, dateParam, getLimit, localeField, localeOption, returnAllFields, show, YEAR_MS } from '../common';

const op = show('order', ['getAll']);

/** Filter name in the node → the shop's status filter. Names are the public interface: keep them. */
const STATUS_FILTER_PARAMS: Record<string, { field: OrderStatusFilter; label: string }> = {
	archived: { field: 'archivedOn', label: 'Archived' },
	closed: { field: 'closedOn', label: 'Closed' },
	delivered: { field: 'deliveredOn', label: 'Delivered' },
	dispatched: { field: 'dispatchedOn', label: 'Dispatched' },
	invoiced: { field: 'invoicedOn', label: 'Invoiced' },
	paid: { field: 'paidOn', label: 'Paid' },
	pending: { field: 'pendingOn', label: 'Pending' },
	rejected: { field: 'rejectedOn', label: 'Rejected (Cancelled)' },
	returned: { field: 'returnedOn', label: 'Returned' },
	viewed: { field: 'viewedOn', label: 'Viewed' },
};

const statusFilter = (name: string): INodeProperties => ({
	displayName: STATUS_FILTER_PARAMS[name].label,
	name,
	type: 'options',
	options: [
		{ name: 'Any', value: 'any' },
		{ name: 'Not Set', value: 'notSet', description: `Only orders without a ${STATUS_FILTER_PARAMS[name].field} date` },
		{ name: 'Set', value: 'set', description: `Only orders with a ${STATUS_FILTER_PARAMS[name].field} date` },
	],
	default: 'any',
});

export const getAllDescription: INodeProperties[] = [
	...returnAllFields('order', 'getAll'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: op,
		options: [
			statusFilter('archived'),
			statusFilter('closed'),
			{
				displayName: 'Created After',
				name: 'createdAfter',
				type: 'dateTime',
				default: '',
				description: 'Orders created from this date on. The shop lists at most one year from here.',
			},
			{ displayName: 'Created Before', name: 'createdBefore', type: 'dateTime', default: '' },
			{ displayName: 'Customer ID', name: 'customerId', type: 'string', default: '' },
			statusFilter('delivered'),
			statusFilter('dispatched'),
			statusFilter('invoiced'),
			statusFilter('paid'),
			statusFilter('pending'),
			{ displayName: 'Product ID', name: 'productId', type: 'string', default: '', description: 'Orders containing this product' },
			statusFilter('rejected'),
			statusFilter('returned'),
			{
				displayName: 'Updated From',
				name: 'updatedFrom',
				type: 'dateTime',
				default: '',
				description:
					'Orders whose line items, addresses, shipping or payment method changed since this date (status changes do not count)',
			},
			statusFilter('viewed'),
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: op,
		options: [
			{
				displayName: 'Full Orders',
				name: 'fullOrders',
				type: 'boolean',
				default: false,
				description:
					'Whether to fetch each order with its line items (the list leaves them out; one more request per order)',
			},
			localeField,
		],
	},
];

/** Full orders fetched in parallel: the transport waits out the shop's announced rate-limit resets for all of them. */
const FULL_ORDER_CONCURRENCY = 4;

/** The list query for the filters, checked before any request. */
export function orderListQuery(ctx: IExecuteFunctions, filters: IDataObject, i: number, nowMs = Date.now()): IDataObject {
	const qs: IDataObject = {};
	const after = dateParam(ctx, filters.createdAfter, 'Created After', i);
	const before = dateParam(ctx, filters.createdBefore, 'Created Before', i);
	const updatedFrom = dateParam(ctx, filters.updatedFrom, 'Updated From', i);
	if (after && before && Date.parse(after) >= Date.parse(before)) {
		throw new NodeOperationError(ctx.getNode(), 'Created After must be earlier than Created Before', { itemIndex: i });
	}
	if (after) {
		const end = before ? Date.parse(before) : nowMs;
		if (end - Date.parse(after) > YEAR_MS) {
			throw new NodeOperationError(ctx.getNode(), 'The shop lists at most one year of orders per request', {
				itemIndex: i,
				description: 'Bring Created After and Created Before (or now, when it is empty) within one year of each other.',
			});
		}
		qs.createdAfter = after;
	}
	if (before) qs.createdBefore = before;
	if (updatedFrom) qs.updatedFrom = updatedFrom;
	for (const key of ['customerId', 'productId']) {
		const value = typeof filters[key] === 'string' ? (filters[key] as string).trim() : '';
		if (value !== '') qs[key] = value;
	}
	for (const [name, { field }] of Object.entries(STATUS_FILTER_PARAMS)) {
		const value = filters[name];
		if (value === 'set') qs[field] = true;
		else if (value === 'notSet') qs[field] = false;
		else if (value !== undefined && value !== 'any') {
			throw new NodeOperationError(ctx.getNode(), `The filter ${STATUS_FILTER_PARAMS[name].label} has an unknown value "${String(value)}"`, { itemIndex: i });
		}
	}
	return qs;
}

/**
 * The shop's reading of `status=false` ("not set") is inferred from an example in its documentation.
 * An order that contradicts a status filter means the shop read it otherwise: then nothing is
 * returned and the error says so, because a flow that invoices "paid and not invoiced" orders must
 * not go on with a list that may hold the wrong orders or miss the right ones.
 */
function checkStatusFilters(ctx: IExecuteFunctions, qs: IDataObject, orders: IDataObject[], i: number): void {
	for (const { field, label } of Object.values(STATUS_FILTER_PARAMS)) {
		const wanted = qs[field];
		if (wanted !== true && wanted !== false) continue;
		const wrong = orders.find((o) => field in o && (o[field] !== null && o[field] !== '') !== wanted);
		if (wrong) {
			throw new NodeOperationError(
				ctx.getNode(),
				`The shop did not apply the filter ${label} = ${wanted ? 'Set' : 'Not Set'}: order ${String(wrong.orderNumber ?? wrong.orderId)} has ${field} ${wanted ? 'empty' : `= ${String(wrong[field])}`}`,
				{ itemIndex: i, description: `Nothing was returned. Remove the ${label} filter and filter the orders in the workflow instead.` },
			);
		}
	}
}

export async function getAll(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const limit = getLimit(this, i);
	const locale = localeOption(this, options, i);
	const qs = { ...orderListQuery(this, filters, i), ...locale };
	const orders = await listOrders(this, qs, limit, i);
	checkStatusFilters(this, qs, orders, i);
	if (options.fullOrders !== true) return asItems(orders);
	// A few at a time: one after another, the line items of 500 orders take 500 round trips.
	const full = await mapConcurrent(orders, FULL_ORDER_CONCURRENCY, async (order) => await getOrder(this, String(order.orderId), { qs: locale, itemIndex: i }));
	return asItems(full);
}
