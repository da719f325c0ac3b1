import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listBeyondOrders, shaped } from '../../../services/epagesBeyond/orders';
import { asItems, dateParam, getLimit, returnAllFields } from '../common';
import { rawField } from './common';

const op = { show: { resource: ['beyondOrder'], operation: ['getAll'] } };

const PAYMENT = ['PAID', 'PARTIALLY_PAID', 'PENDING', 'REFUND_PENDING', 'VOIDED'];
const SHIPPING = ['UNSHIPPED', 'PARTIALLY_SHIPPED', 'PARTIALLY_RETURNED', 'SHIPPED', 'PENDING', 'DELIVERED', 'CANCELED', 'RETURNED', 'NOT_PICKED_UP', 'READY_FOR_PICKUP', 'PICKED_UP'];
const title = (v: string) => v.toLowerCase().replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());

export const getAllDescription: INodeProperties[] = [
	...returnAllFields('beyondOrder', 'getAll'),
	{
		displayName: 'Filters',
		name: 'beyondFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: op,
		options: [
			{
				displayName: 'Cancelled',
				name: 'canceled',
				type: 'options',
				options: [
					{ name: 'Any', value: 'any' },
					{ name: 'Cancelled', value: 'true' },
					{ name: 'Not Cancelled', value: 'false' },
				],
				default: 'any',
			},
			{ displayName: 'Created After', name: 'createdAfter', type: 'dateTime', default: '' },
			{ displayName: 'Created Before', name: 'createdBefore', type: 'dateTime', default: '' },
			{ displayName: 'Customer Email', name: 'customerEmail', type: 'string', placeholder: 'name@email.com', default: '' },
			{ displayName: 'Order Number', name: 'orderNumber', type: 'string', default: '' },
			{ displayName: 'Payment Status', name: 'paymentStatus', type: 'options', options: PAYMENT.map((v) => ({ name: title(v), value: v })), default: 'PAID' },
			{ displayName: 'Shipping Status', name: 'shippingStatus', type: 'options', options: SHIPPING.map((v) => ({ name: title(v), value: v })), default: 'SHIPPED' },
			{ displayName: 'Updated After', name: 'updatedAfter', type: 'dateTime', default: '', description: 'Orders changed since this date, status changes included' },
		],
	},
	rawField(['getAll']),
];

export async function getAll(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const limit = getLimit(this, i);
	const f = this.getNodeParameter('beyondFilters', i, {}) as IDataObject;
	const qs: IDataObject = { sort: 'createdAt,desc' };
	for (const key of ['createdAfter', 'createdBefore', 'updatedAfter'] as const) {
		const iso = dateParam(this, f[key], key, i);
		// Beyond takes ISO 8601 (2020-11-29T11:32:00); the instant is sent in UTC with its zone.
		if (iso) qs[key] = iso;
	}
	for (const key of ['customerEmail', 'orderNumber', 'paymentStatus', 'shippingStatus'] as const) {
		if (typeof f[key] === 'string' && f[key] !== '') qs[key] = f[key];
	}
	if (f.canceled === 'true' || f.canceled === 'false') qs.canceled = f.canceled;
	const raw = this.getNodeParameter('rawOutput', i, false) as boolean;
	const orders = await listBeyondOrders(this, qs, limit, i);
	return asItems(orders.map((o) => shaped(this, o, raw, i)));
}
