import type { INodeProperties } from 'n8n-workflow';

import { show, type OperationHandler } from '../common';
import { get, getDescription } from './get';
import { getAll, getAllDescription } from './getAll';
import { getDocuments, getDocumentsDescription } from './getDocuments';
import { update, updateDescription } from './update';

export const orderOperations: Record<string, OperationHandler> = { get, getAll, update, getDocuments };

export const orderDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['order'] } },
		options: [
			{ name: 'Get', value: 'get', action: 'Get an order', description: 'Get an order with its line items' },
			{
				name: 'Get Documents',
				value: 'getDocuments',
				action: 'Get the documents of an order',
				description: 'The shop\'s invoices and credit notes of an order, with the PDF when asked',
			},
			{ name: 'Get Many', value: 'getAll', action: 'Get many orders' },
			{
				name: 'Update',
				value: 'update',
				action: 'Update an order',
				description: 'Set or clear status dates, the internal note or the customer comment',
			},
		],
		default: 'get',
	},
	{
		displayName: 'Order ID',
		name: 'orderId',
		type: 'string',
		required: true,
		default: '',
		description: 'The order\'s ID (orderId, like 5639C509-092F-7704-77D3-D5809AB321D8), not its order number',
		displayOptions: show('order', ['get', 'update', 'getDocuments']),
	},
	...getDescription,
	...getAllDescription,
	...updateDescription,
	...getDocumentsDescription,
];
