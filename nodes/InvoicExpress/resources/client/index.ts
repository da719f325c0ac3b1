import type { INodeProperties } from 'n8n-workflow';

import { clientFieldOptions, clientIdField, clientRuleOptions, returnAllFields, show, type OperationHandler } from '../common';
import { create } from './create';
import { findByCode, findByName } from './find';
import { findOrCreate, findOrCreateDescription } from './findOrCreate';
import { get } from './get';
import { getAll } from './getAll';
import { update } from './update';

export const clientOperations: Record<string, OperationHandler> = {
	findOrCreate,
	get,
	getAll,
	create,
	update,
	findByName,
	findByCode,
};

const withData = ['findOrCreate', 'create', 'update'];

export const clientDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['client'] } },
		options: [
			{ name: 'Create', value: 'create', action: 'Create a client' },
			{ name: 'Find by Code', value: 'findByCode', action: 'Find a client by code' },
			{ name: 'Find by Name', value: 'findByName', action: 'Find a client by exact name' },
			{
				name: 'Find or Create',
				value: 'findOrCreate',
				action: 'Find or create a client',
				description: 'Return the existing client, or create it with the data given',
			},
			{ name: 'Get', value: 'get', action: 'Get a client' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many clients' },
			{ name: 'Update', value: 'update', action: 'Update a client' },
		],
		default: 'findOrCreate',
	},
	clientIdField,
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		description: 'Client names are unique in an InvoicExpress account (at most 100 characters)',
		displayOptions: show('client', [...withData, 'findByName']),
	},
	{
		displayName: 'Client Code',
		name: 'code',
		type: 'string',
		default: '',
		description: 'Your own reference for the client, such as the shop\'s customer number. The name is used when empty.',
		displayOptions: show('client', withData),
	},
	{
		displayName: 'Client Code',
		name: 'code',
		type: 'string',
		required: true,
		default: '',
		displayOptions: show('client', ['findByCode']),
	},
	...findOrCreateDescription,
	{
		displayName: 'Client Fields',
		name: 'clientFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: clientFieldOptions,
		displayOptions: show('client', withData),
	},
	{
		displayName: 'Options',
		name: 'clientOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: clientRuleOptions,
		displayOptions: show('client', withData),
	},
	...returnAllFields('client', 'getAll'),
];
