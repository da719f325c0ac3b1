import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createDocument } from '../../../services/invoicexpress/api/documents';
import { transitionDraft } from '../../../services/invoicexpress/api/state';
import { invoiceOnce } from '../../../services/invoicexpress/api/invoiceOrder';
import { loadTaxes } from '../../../services/invoicexpress/api/accountData';
import { InputError } from '../../../services/invoicexpress/helpers/client';
import { todayIx } from '../../../services/invoicexpress/helpers/dates';
import { buildDocumentBody, summarizeDocument, type IxTax } from '../../../services/invoicexpress/helpers/document';
import { mapOrderToDocument, type Taxation } from '../../../link/mapping/orderToDocument';
import { readShipsFrom } from '../../../link/mapping/taxPlace';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../../../services/invoicexpress/helpers/documentTypes';
import { asNodeError } from '../../../shared/execute';
import { documentTypeFor } from '../../../link/documentRules';
import { clientFieldOptions, clientRuleOptions, retailerOption, shipsFromOption, show, taxExemptionOptions, toOperationError } from '../common';
import { readClient } from '../client/shared';

const op = show('document', ['create']);

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

interface OrderItems {
	items: unknown[];
	reference: string;
	totalsCheck: IDataObject;
	order: IDataObject;
	/** The order total in EUR, for the document rules (simplified invoice limits). */
	totalEur: number;
	/** Where the sale is taxed, for the same rules. */
	taxation: Taxation;
}

/** Lines of an ePages order, mapped exactly as the one-step operation maps them. */
function readOrderItems(ctx: IExecuteFunctions, i: number, taxes: IxTax[], date: string, dueDate: string, extra: IDataObject): OrderItems {
	let raw = ctx.getNodeParameter('order', i, {}) as unknown;
	if (typeof raw === 'string') {
		try {
			raw = JSON.parse(raw);
		} catch {
			throw new NodeOperationError(ctx.getNode(), 'The order is not valid JSON', { itemIndex: i });
		}
	}
	try {
		const mapped = mapOrderToDocument(raw, taxes, {
			date,
			dueDate,
			taxExemption: (extra.taxExemption as string) || undefined,
			exchangeRate: (extra.exchangeRate as number) || undefined,
			// The same place-of-taxation rule as the one-step operation (taxPlace.ts): a value that is not a
			// region is refused by the mapping before any request.
			shipsFrom: (extra.shipsFrom as string | undefined) ?? 'PT',
			// The client is chosen by this node's own fields; the order's address only has to be readable.
			clientRules: { invalidFiscalId: 'finalConsumer' },
		});
		return {
			items: mapped.document.items as unknown[],
			reference: mapped.orderNumber,
			totalsCheck: mapped.totalsCheck as unknown as IDataObject,
			order: raw as IDataObject,
			totalEur: mapped.totalEur,
			taxation: mapped.taxation,
		};
	} catch (error) {
		if (error instanceof InputError) throw toOperationError(ctx, error, i);
		throw asNodeError(ctx.getNode(), error, i);
	}
}

function readItems(ctx: IExecuteFunctions, i: number): unknown[] {
	if (ctx.getNodeParameter('itemsInput', i, 'fields') === 'json') {
		let raw = ctx.getNodeParameter('itemsJson', i, '[]') as unknown;
		if (typeof raw === 'string') {
			try {
				raw = JSON.parse(raw);
			} catch {
				throw new NodeOperationError(ctx.getNode(), 'Items (JSON) is not valid JSON', { itemIndex: i });
			}
		}
		if (!Array.isArray(raw)) throw new NodeOperationError(ctx.getNode(), 'Items (JSON) must be an array of items', { itemIndex: i });
		return raw;
	}
	const collection = ctx.getNodeParameter('items', i, {}) as { item?: IDataObject[] };
	return (collection.item ?? []).map((it) => ({ ...it, tax: it.tax === '' ? undefined : it.tax }));
}

export async function create(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const type = this.getNodeParameter('documentType', i) as DocumentTypeKey;
	const info = DOCUMENT_TYPES[type];
	const extra = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const { client, warnings } = readClient(this, i);
	const date = (this.getNodeParameter('date', i, '') as string) || todayIx();
	const dueDate = (this.getNodeParameter('dueDate', i, '') as string) || date;
	const fromOrder = this.getNodeParameter('itemsInput', i, 'fields') === 'ePagesOrder';
	const items = fromOrder ? [] : readItems(this, i);
	if (fromOrder) {
		// Before any request: a "Ships From" that is not a region is refused, never taken for the mainland.
		try {
			readShipsFrom(extra.shipsFrom, '');
		} catch (error) {
			throw toOperationError(this, error as InputError, i);
		}
	}
	const taxes = await loadTaxes(this, i);
	const orderItems = fromOrder ? readOrderItems(this, i, taxes, date, dueDate, extra) : undefined;
	if (orderItems) {
		// The same document rules as the one-step operation; the type is the merchant's explicit choice here, so never switched.
		const allowed = documentTypeFor(
			orderItems.order,
			type,
			{ totalEur: orderItems.totalEur, fiscalId: client.fiscal_id, taxation: orderItems.taxation },
			{ notAllowed: 'refuse', retailer: extra.retailer !== false },
			`order ${orderItems.reference}`,
		);
		if (!allowed.ok) throw new NodeOperationError(this.getNode(), allowed.message, { itemIndex: i, description: allowed.description });
	}
	let document: Record<string, unknown>;
	try {
		document = buildDocumentBody(
			{
				date,
				dueDate,
				client,
				items: orderItems?.items ?? items,
				reference: (extra.reference as string) || orderItems?.reference,
				observations: extra.observations as string,
				sequenceId: extra.sequenceId as string,
				taxExemption: extra.taxExemption as string,
				retention: extra.retention as number,
				currencyCode: extra.currencyCode as string,
				exchangeRate: extra.exchangeRate as number,
				ownerInvoiceId: extra.ownerInvoiceId as string,
				globalDiscountPercent: extra.globalDiscountPercent as number,
			},
			taxes,
		).document;
	} catch (error) {
		if (error instanceof InputError) throw toOperationError(this, error, i);
		throw asNodeError(this.getNode(), error, i);
	}
	const reference = (document.reference as string | undefined) ?? undefined;
	let outcome: 'created' | 'existing' | 'recovered' = 'created';
	let doc: IDataObject | undefined;
	let finalizedHere: boolean | undefined;
	let finalizeTurn: number | undefined;
	if (extra.skipIfReferenceExists && !reference) {
		throw new NodeOperationError(this.getNode(), '"Skip If Reference Exists" needs a reference', { itemIndex: i, description: 'Set "Reference".' });
	}
	if (reference && (extra.uniqueKey || extra.skipIfReferenceExists)) {
		// The one-step operation's draft protocol: concurrent executions converge on one winning draft,
		// and one legal document at most is ever made for the reference.
		const result = await invoiceOnce(this, type, document as IDataObject, {
			reference,
			uniqueKey: (extra.uniqueKey as string) || '',
			finalize: extra.finalize === true,
			itemIndex: i,
			lookFirst: extra.skipIfReferenceExists === true,
		});
		if (result.outcome === 'pending') {
			// Kept off the main output so that the next steps (Finalize, Mark Order Invoiced) never see it.
			throw new NodeOperationError(this.getNode(), `pending: will complete on the next run (${result.pendingReason ?? 'not settled yet'})`, {
				itemIndex: i,
				description: 'Nothing legal was issued. The next run finds the draft by its reference and completes it.',
			});
		}
		doc = result.document;
		finalizedHere = result.finalizedHere;
		finalizeTurn = result.turn;
		outcome = result.recovered ? 'recovered' : result.outcome === 'created' || result.outcome === 'draft' ? 'created' : 'existing';
	}
	if (!doc) {
		const result = await createDocument(this, type, document as IDataObject, {
			uniqueKey: (extra.uniqueKey as string) || undefined,
			reference,
			itemIndex: i,
		});
		doc = result.document;
		if (result.recovered) outcome = 'recovered';
		if (extra.finalize && doc.status === 'draft') {
			const done = await transitionDraft(this, type, doc.id as string, 'finalized', i);
			doc = done.document;
			finalizedHere = done.changedHere !== false;
		}
	}
	return [
		{
			json: {
				...summarizeDocument(doc, info.prefix),
				document_type: type,
				outcome,
				...(finalizedHere !== undefined ? { finalized_here: finalizedHere } : {}),
				// Read by Finalize: another execution's draft is left to that execution for a while first.
				...(finalizeTurn !== undefined && doc.status === 'draft' ? { finalize_turn: finalizeTurn } : {}),
				...(orderItems ? { totals_check: orderItems.totalsCheck } : {}),
				...(warnings.length ? { warnings } : {}),
			},
		},
	];
}
