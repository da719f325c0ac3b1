import type { INodeProperties } from 'n8n-workflow';

import { localeField, returnAllFields, show, type OperationHandler } from '../common';
import { get } from './get';
import { getAll } from './getAll';

export const productOperations: Record<string, OperationHandler> = { get, getAll };

const currencyField: INodeProperties = {
	displayName: 'Currency',
	name: 'currency',
	type: 'string',
	default: '',
	placeholder: 'EUR',
	description: 'Prices in this currency (ISO 4217), when the shop sells in several',
};

export const productDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['product'] } },
		options: [
			{ name: 'Get', value: 'get', action: 'Get a product' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many products' },
		],
		default: 'get',
	},
	{
		displayName: 'Product ID',
		name: 'productId',
		type: 'string',
		required: true,
		default: '',
		description: 'The product\'s ID (productId), not its product number (SKU)',
		displayOptions: show('product', ['get']),
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show('product', ['get']),
		options: [currencyField, localeField],
	},
	...returnAllFields('product', 'getAll'),
	{
		displayName: 'Search',
		name: 'search',
		type: 'string',
		default: '',
		description: 'Text to look for in product names and numbers. Empty: all visible products.',
		displayOptions: show('product', ['getAll']),
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show('product', ['getAll']),
		options: [
			{ displayName: 'Category ID', name: 'categoryId', type: 'string', default: '' },
			currencyField,
			{
				displayName: 'Direction',
				name: 'direction',
				type: 'options',
				options: [
					{ name: 'Ascending', value: 'asc' },
					{ name: 'Descending', value: 'desc' },
				],
				default: 'asc',
			},
			localeField,
			{
				displayName: 'Sort By',
				name: 'sort',
				type: 'options',
				options: [
					{ name: 'Name', value: 'name' },
					{ name: 'Price', value: 'price' },
				],
				default: 'name',
			},
		],
	},
];
