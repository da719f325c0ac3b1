import type { INodeProperties } from 'n8n-workflow';

import { clientFieldOptions, clientRuleOptions, retailerOption, shipsFromOption, show, taxExemptionOptions } from '../common';

const op = show('document', ['create']);

/** Document → Create: the client, the items (from fields, JSON or an ePages order), the document's fields. */
export const createDescription: INodeProperties[] = [
	{
		displayName: 'Date',
		name: 'date',
		type: 'dateTime',
		default: '',
		description: 'Document date. Empty means today (Lisbon time).',
		displayOptions: op,
	},
	{
		displayName: 'Due Date',
		name: 'dueDate',
		type: 'dateTime',
		default: '',
		description: 'On or after the date. Empty means the same day as the date.',
		displayOptions: op,
	},
	{
		displayName: 'Client Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		description: 'InvoicExpress uses the existing client with this exact name, or creates it with the fields below',
		displayOptions: op,
	},
	{
		displayName: 'Client Code',
		name: 'code',
		type: 'string',
		default: '',
		description: 'Your reference for the client; the name is used when empty',
		displayOptions: op,
	},
	{
		displayName: 'Client Fields',
		name: 'clientFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: clientFieldOptions,
		displayOptions: op,
	},
	{
		displayName: 'Items Input',
		name: 'itemsInput',
		type: 'options',
		options: [
			{ name: 'Fields', value: 'fields', description: 'Enter each item below' },
			{ name: 'JSON', value: 'json', description: 'An array of items, e.g. from an expression' },
			{
				name: 'From ePages Order',
				value: 'ePagesOrder',
				description: 'The lines of an ePages order, priced to the cent as in "Create From ePages Order"',
			},
		],
		default: 'fields',
		displayOptions: op,
	},
	{
		displayName: 'Items',
		name: 'items',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Item',
		default: {},
		displayOptions: { show: { resource: ['document'], operation: ['create'], itemsInput: ['fields'] } },
		options: [
			{
				displayName: 'Item',
				name: 'item',
				values: [
					{
						displayName: 'Description',
						name: 'description',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Discount (%)',
						name: 'discount',
						type: 'number',
						default: 0
					},
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						description: 'Item code (SKU);	InvoicExpress keeps a catalogue item per name',
					},
					{
						displayName: 'Quantity',
						name: 'quantity',
						type: 'number',
						default: 1
					},
					{
						displayName: 'Tax Name or ID',
						name: 'tax',
						type: 'options',
						// The account's taxes, read through the credential (issue 15: the list was empty).
						typeOptions: { loadOptionsMethod: 'getTaxes' },
						default: '',
						description: 'A tax of the account. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Unit',
						name: 'unit',
						type: 'options',
						options: [
							{
								name: 'Day',
								value: 'day',
							},
							{
								name: 'Hour',
								value: 'hour',
							},
							{
								name: 'Month',
								value: 'month',
							},
							{
								name: 'Other',
								value: 'other',
							},
							{
								name: 'Service',
								value: 'service',
							},
							{
								name: 'Unit',
								value: 'unit',
							},
						],
						default: 'unit',
					},
					{
						displayName: 'Unit Price',
						name: 'unitPrice',
						type: 'number',
						default: 0,
						description: 'Price per unit without VAT',
					},
			],
			},
		],
	},
	{
		displayName: 'Items (JSON)',
		name: 'itemsJson',
		type: 'json',
		default: '[\n  {"name": "SKU-1", "description": "Product", "unitPrice": 10, "quantity": 1, "tax": "IVA23"}\n]',
		description: 'Array of items with name, description, unitPrice (without VAT), quantity, unit, discount (%) and tax (tax name)',
		displayOptions: { show: { resource: ['document'], operation: ['create'], itemsInput: ['json'] } },
	},
	{
		displayName: 'Order',
		name: 'order',
		type: 'json',
		default: '={{ $json }}',
		description: 'The ePages order with its line items; its number becomes the reference unless one is set',
		displayOptions: { show: { resource: ['document'], operation: ['create'], itemsInput: ['ePagesOrder'] } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: op,
		options: [
			{ displayName: 'Currency Code', name: 'currencyCode', type: 'string', default: 'EUR', description: 'ISO 4217 code; other than EUR needs an exchange rate' },
			{ displayName: 'Exchange Rate', name: 'exchangeRate', type: 'number', typeOptions: { numberPrecision: 6 }, default: 0, description: 'Units of the currency per 1 EUR' },
			{ displayName: 'Finalize', name: 'finalize', type: 'boolean', default: false, description: 'Whether to finalize the document at once, giving it its legal number and ATCUD' },
			{ displayName: 'Global Discount (%)', name: 'globalDiscountPercent', type: 'number', typeOptions: { minValue: 0, maxValue: 100 }, default: 0 },
			{ displayName: 'Observations', name: 'observations', type: 'string', typeOptions: { rows: 2 }, default: '' },
			{ displayName: 'Owner Invoice ID', name: 'ownerInvoiceId', type: 'string', default: '', description: 'For credit and debit notes: ID of the invoice they correct' },
			{ displayName: 'Reference', name: 'reference', type: 'string', default: '', description: 'Your reference, such as the order number' },
			{ ...retailerOption, description: `With Items Input "From ePages Order": ${String(retailerOption.description)}` },
			{ displayName: 'Retention (%)', name: 'retention', type: 'number', typeOptions: { minValue: 0, maxValue: 100 }, default: 0, description: 'IRS withholding percentage' },
			{
				displayName: 'Series Name or ID',
				name: 'sequenceId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getSequences', loadOptionsDependsOn: ['documentType'] },
				default: '',
				description:
					'Series of the document; empty uses the default series. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{ ...shipsFromOption, description: `With Items Input "From ePages Order": ${String(shipsFromOption.description)}` },
			{
				displayName: 'Skip If Reference Exists',
				name: 'skipIfReferenceExists',
				type: 'boolean',
				default: false,
				description: 'Whether to return the existing document of this type with the same reference instead of creating a second one',
			},
			{
				displayName: 'Tax Exemption Reason',
				name: 'taxExemption',
				type: 'options',
				options: taxExemptionOptions,
				default: '',
				description: 'Required by law when an item has 0 % VAT',
			},
			{
				displayName: 'Unique Key',
				name: 'uniqueKey',
				type: 'string',
				default: '',
				description: 'Sent as proprietary_uid: InvoicExpress refuses a second creation with the same key, so a retry cannot duplicate the document',
			},
		],
	},
	{
		displayName: 'Client Options',
		name: 'clientOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: clientRuleOptions,
		displayOptions: op,
	},
];
