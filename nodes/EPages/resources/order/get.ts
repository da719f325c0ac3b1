import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getOrder } from '../../../services/epagesNow/orders';
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

export async function get(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const id = requiredId(this, 'orderId', 'Order ID', i);
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	return [{ json: await getOrder(this, id, { qs: localeOption(this, options, i), itemIndex: i }) }];
}
