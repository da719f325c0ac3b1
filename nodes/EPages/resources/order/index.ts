import type { INodeProperties } from 'n8n-workflow';

import { show, type OperationHandler } from '../common';
import { get, getDescription } from './get';
import { getAll, getAllDescription } from './getAll';
import { getDocuments, getDocumentsDescription } from './getDocuments';
import { update, updateDescription } from './update';

/** An order's API URL; the group is its orderId. */
const ORDER_URL = '^\\s*https?://[^/\\s]+/rs/shops/[^/\\s]+/orders/([^/?#\\s]+)';

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
		displayName: 'Order',
		name: 'orderId',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: 'The order, picked from the list, by its ID (orderId, not the order number) or by its API URL',
		displayOptions: show('order', ['get', 'update', 'getDocuments']),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select an order...',
				typeOptions: { searchListMethod: 'searchOrders', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 5639C509-092F-7704-77D3-D5809AB321D8',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\s*[^/?#\\s]+\\s*$', errorMessage: 'Not a valid ePages order ID' },
					},
				],
			},
			{
				// The order's `self` link and a webhook's `entityUrl` have this form (reference: epages.md §2a, §5).
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'e.g. https://www.example.com/rs/shops/MyShop/orders/5639C509-092F-7704-77D3-D5809AB321D8',
				validation: [
					{
						type: 'regex',
						properties: { regex: ORDER_URL, errorMessage: 'Not an ePages order URL (…/rs/shops/{shop}/orders/{orderId})' },
					},
				],
				extractValue: { type: 'regex', regex: ORDER_URL },
			},
		],
	},
	...getDescription,
	...getAllDescription,
	...updateDescription,
	...getDocumentsDescription,
];
