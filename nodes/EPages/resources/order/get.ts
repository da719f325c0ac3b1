import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { bodyJson } from '../../../shared/http';
import { epRequest } from '../../transport';
import { localeField, localeOption, requiredId, show } from '../common';

export const getDescription: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show('order', ['get']),
		options: [localeField],
	},
];

export async function fetchOrder(
	ctx: IExecuteFunctions,
	orderId: string,
	qs: IDataObject,
	itemIndex: number,
): Promise<IDataObject> {
	const res = await epRequest(ctx, 'GET', `/orders/${encodeURIComponent(orderId)}`, {
		qs,
		itemIndex,
		action: `get order ${orderId}`,
	});
	return (bodyJson(res.body) ?? {}) as IDataObject;
}

export async function get(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const id = requiredId(this, 'orderId', 'Order ID', i);
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	return [{ json: await fetchOrder(this, id, localeOption(this, options, i), i) }];
}
