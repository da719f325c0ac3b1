import type { INodeProperties } from 'n8n-workflow';

import { returnAllFields, show, type OperationHandler } from '../common';
import { get } from './get';
import { getAll } from './getAll';

export const customerOperations: Record<string, OperationHandler> = { get, getAll };

export const customerDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customer'] } },
		options: [
			{ name: 'Get', value: 'get', action: 'Get a customer' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many customers' },
		],
		default: 'get',
	},
	{
		displayName: 'Customer ID',
		name: 'customerId',
		type: 'string',
		required: true,
		default: '',
		description: 'The customer\'s ID (customerId), as in an order\'s customerId, not the customer number',
		displayOptions: show('customer', ['get']),
	},
	...returnAllFields('customer', 'getAll'),
];
