import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_PLATFORM, platformParameter } from '../../../services/shops';
import { orderToInvoice } from '../../../link/invoice/execute';
import type { OrderOptions, OrderToInvoiceParams } from '../../../link/invoice/plan';
import type { MatchBy } from '../../../services/invoicexpress/api/clients';
import type { DocumentTypeKey } from '../../../services/invoicexpress/helpers/documentTypes';
import { clientRuleOptions, retailerOption, shipsFromOption, show, simplifiedNotAllowedOption, taxExemptionOptions } from '../common';

const op = show('document', ['createFromEPagesOrder']);

const DOCUMENT_TYPE: INodeProperties = {
	displayName: 'Document Type',
	name: 'documentType',
	type: 'options',
	options: [
		{ name: 'Invoice', value: 'invoice' },
		{ name: 'Invoice-Receipt', value: 'invoiceReceipt', description: 'Invoice and receipt in one, for orders already paid' },
		{ name: 'Simplified Invoice', value: 'simplifiedInvoice', description: 'Sales taxed in Portugal, up to 1,000 € at retail to consumers, else 100 € (art. 40.º CIVA).' },
	],
	default: 'invoice',
};

const SEND_EMAIL: INodeProperties = {
	displayName: 'Send by Email',
	name: 'sendEmail',
	type: 'boolean',
	default: false,
	description: "Whether to e-mail the finalized document to the order's billing e-mail address",
};

const MATCH_BY: INodeProperties = {
	displayName: 'Client Match',
	name: 'matchBy',
	type: 'options',
	options: [
		{
			name: 'By Name',
			value: 'name',
			description: 'The client with exactly this name and the same NIF (as the original ePages integration, NIF-checked); a same-name client with another NIF gets a distinct client "Name (NIF)"',
		},
		{ name: 'By Client Code (Customer Number)', value: 'code', description: 'The client with the customer number as code, if its NIF is the order\'s; else by name' },
		{ name: 'By Fiscal Number, Then Name', value: 'fiscalId', description: 'The client with the order\'s NIF (reads the client list once per execution); else by name' },
	],
	default: 'name',
	description: 'Every way checks the NIF: the invoice carries exactly the NIF of the order, none for a final consumer',
};

const ORDER_OPTIONS: INodeProperties = {
	displayName: 'Order Options',
	name: 'orderOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{ displayName: 'Client Name From', name: 'clientName', type: 'options', options: [
			{ name: 'Company, Else First and Last Name', value: 'company' },
			{ name: 'First and Last Name', value: 'person' },
		], default: 'company' },
		{ displayName: 'Customer Comment in Observations', name: 'commentInObservations', type: 'boolean', default: true, description: 'Whether to copy the customer comment to the observations (at most 200 characters)' },
		{ displayName: 'Discounts As', name: 'discountStyle', type: 'options', options: [
			{ name: 'Line Discount %', value: 'lineDiscount', description: 'Coupons shown as a discount on each line' },
			{ name: 'Lower Unit Price', value: 'netPrice', description: 'Coupons folded into the unit prices' },
		], default: 'lineDiscount' },
		{ displayName: 'Due Date', name: 'dueDate', type: 'dateTime', default: '', description: 'Empty: the invoice date plus "Due in (Days)"' },
		{ displayName: 'Due in (Days)', name: 'dueDays', type: 'number', typeOptions: { minValue: 0 }, default: 0 },
		{ displayName: 'Email BCC', name: 'emailBcc', type: 'string', default: '', description: 'For example your accountant' },
		{ displayName: 'Email Body', name: 'emailBody', type: 'string', typeOptions: { rows: 4 }, default: '' },
		{ displayName: 'Email Subject', name: 'emailSubject', type: 'string', default: '' },
		{ displayName: 'Exchange Rate', name: 'exchangeRate', type: 'number', typeOptions: { numberPrecision: 6 }, default: 0, description: 'For orders not in EUR: units of the order currency per 1 EUR' },
		clientRuleOptions[0],
		{
			displayName: 'Invoice Again After Cancellation or Full Credit',
			name: 'invoiceAgain',
			type: 'boolean',
			default: false,
			description:
				'Whether to issue a new invoice for an order whose invoice was canceled or credited in full. Off: such an order is refused (canceled) or reported as invoiced (credited), so a re-run never re-invoices a return.',
		},
		{ displayName: 'Invoice Date', name: 'date', type: 'dateTime', default: '', description: 'A fixed date for every order. Empty: see "Invoice Date From".' },
		{ displayName: 'Invoice Date From', name: 'dateFrom', type: 'options', options: [
			{ name: 'Today', value: 'today', description: 'The day the invoice is issued (Lisbon time)' },
			{ name: 'Paid Date', value: 'paid', description: 'The day the order was paid (orders not paid are refused). For ePages Beyond orders it is read from the order events: Connect to ePages, Platform ePages Beyond.' },
			{ name: 'Order Date', value: 'created', description: 'The day the order was placed' },
		], default: 'today', description: 'The invoice date of each order, when no fixed "Invoice Date" is set. InvoicExpress refuses a date before the last document of the series: use past dates only when invoicing promptly.' },
		{ displayName: 'Item Name', name: 'itemName', type: 'options', options: [
			{ name: 'SKU', value: 'sku' },
			{ name: 'Product Name', value: 'productName' },
		], default: 'sku', description: 'What identifies each line (InvoicExpress keeps a catalogue item per name)' },
		{ displayName: 'Payment Fee Label', name: 'paymentFeeLabel', type: 'string', default: '', placeholder: 'Taxa de pagamento', description: 'Empty: in the order\'s language (Portuguese, English, Spanish, French, German; else Portuguese)' },
		{ displayName: 'Pickup Fee Label', name: 'pickupLabel', type: 'string', default: '', placeholder: 'Taxa de recolha', description: 'The line of the fee of an order collected at a pickup point (ePages Beyond). Empty: in the order\'s language (Portuguese, English, Spanish, French, German; else Portuguese).' },
		retailerOption,
		{
			displayName: 'Series Name or ID',
			name: 'sequenceId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getSequences', loadOptionsDependsOn: ['documentType'] },
			default: '',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		},
		{ displayName: 'Shipping Label', name: 'shippingLabel', type: 'string', default: '', placeholder: 'Portes de envio', description: 'Empty: in the order\'s language (Portuguese, English, Spanish, French, German; else Portuguese)' },
		shipsFromOption,
		{ displayName: 'Strict Totals', name: 'strictTotals', type: 'boolean', default: true, description: 'Whether to refuse to create a document whose total would differ from the order total' },
		{ displayName: 'Tax Exemption Reason', name: 'taxExemption', type: 'options', options: taxExemptionOptions, default: '', description: 'Required when the order has 0 % VAT lines; an expression can choose it per order' },
		{
			displayName: 'Tax Mapping',
			name: 'taxMapping',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			default: {},
			description: 'Which InvoicExpress tax to use for a VAT rate, when matching by value and region is not what you want',
			options: [
				{
					displayName: 'Mapping',
					name: 'mapping',
					values: [
						{ displayName: 'VAT Rate (%)', name: 'rate', type: 'number', default: 23 },
						{ displayName: 'Tax Name or ID', name: 'taxName', type: 'options', typeOptions: { loadOptionsMethod: 'getTaxes' }, default: '', description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>' },
					],
				},
			],
		},
		simplifiedNotAllowedOption,
	],
};

/**
 * The invoicing options of Create From ePages Order (document type, e-mail, client match, order
 * options), for any operation that invoices orders the same way: the reconciliation's repair shows
 * them with its own `displayOptions`, so that both operations keep one definition.
 */
function invoicingFields(displayOptions: INodeProperties['displayOptions']): Record<'documentType' | 'sendEmail' | 'matchBy' | 'orderOptions', INodeProperties> {
	return {
		documentType: { ...DOCUMENT_TYPE, displayOptions },
		sendEmail: { ...SEND_EMAIL, displayOptions },
		matchBy: { ...MATCH_BY, displayOptions },
		orderOptions: { ...ORDER_OPTIONS, displayOptions },
	};
}

/** Create From ePages Order's invoicing options, shown for another operation. */
export function invoicingProperties(displayOptions: INodeProperties['displayOptions']): INodeProperties[] {
	const f = invoicingFields(displayOptions);
	return [f.documentType, f.sendEmail, f.matchBy, f.orderOptions];
}

const invoicing = invoicingFields(op);

export const createFromOrderDescription: INodeProperties[] = [
	{
		displayName: 'Order',
		name: 'order',
		type: 'json',
		default: '={{ $json }}',
		description: 'The ePages order with its line items, as the ePages node (Order → Get) or the ePages Trigger outputs it',
		displayOptions: op,
	},
	invoicing.documentType,
	{
		displayName: 'Finalize',
		name: 'finalize',
		type: 'boolean',
		default: true,
		description: 'Whether to finalize the document (legal number and ATCUD); off leaves a draft to review in InvoicExpress',
		displayOptions: op,
	},
	invoicing.sendEmail,
	{
		displayName: 'Attach PDF',
		name: 'attachPdf',
		type: 'boolean',
		default: false,
		description: 'Whether to add the PDF of the document to the output as binary data',
		displayOptions: op,
	},
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description: 'Whether to only return the document that would be created, with its totals check, and send nothing',
		displayOptions: op,
	},
	{
		displayName: 'Connect to ePages',
		name: 'connectEPages',
		type: 'boolean',
		default: false,
		description:
			'Whether to use an ePages credential: to fetch the full order when only a list item arrives, to read the paid date of an ePages Beyond order, and to write the invoice back to the order',
		displayOptions: op,
	},
	platformParameter({ show: { resource: ['document'], operation: ['createFromEPagesOrder'], connectEPages: [true] } }),
	{
		displayName: 'Write Back to ePages',
		name: 'writeBack',
		type: 'boolean',
		default: false,
		description:
			"Whether to record the invoice on the order: ePages Now sets its invoiced date and adds the invoice number to its internal note (scope orders_write); ePages Beyond adds it to the order note (scope ordr:u)",
		displayOptions: { show: { resource: ['document'], operation: ['createFromEPagesOrder'], connectEPages: [true] } },
	},
	invoicing.matchBy,
	invoicing.orderOptions,
];

/** The order parameter: an object, or JSON text of one. */
export function readOrder(ctx: IExecuteFunctions, i: number): IDataObject {
	let raw = ctx.getNodeParameter('order', i, {}) as unknown;
	if (typeof raw === 'string') {
		try {
			raw = JSON.parse(raw);
		} catch {
			throw new NodeOperationError(ctx.getNode(), 'The order is not valid JSON', { itemIndex: i });
		}
	}
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
		throw new NodeOperationError(ctx.getNode(), 'The input item is not an ePages order', {
			itemIndex: i,
			description: 'Connect the ePages node (Order → Get) or the ePages Trigger before this node.',
		});
	}
	return raw as IDataObject;
}

/** The options {@link invoicingProperties} shows, as item `i` sets them. */
export function readInvoicingOptions(ctx: IExecuteFunctions, i: number): Pick<OrderToInvoiceParams, 'documentType' | 'sendEmail' | 'matchBy' | 'options'> {
	return {
		documentType: ctx.getNodeParameter('documentType', i, 'invoice') as DocumentTypeKey,
		sendEmail: ctx.getNodeParameter('sendEmail', i, false) as boolean,
		matchBy: ctx.getNodeParameter('matchBy', i, 'name') as MatchBy,
		options: ctx.getNodeParameter('orderOptions', i, {}) as OrderOptions,
	};
}

export async function createFromOrder(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const order = readOrder(this, i);
	const connectEPages = this.getNodeParameter('connectEPages', i, false) as boolean;
	const params: OrderToInvoiceParams = {
		...readInvoicingOptions(this, i),
		connectEPages,
		platform: this.getNodeParameter('platform', i, DEFAULT_PLATFORM) as string,
		writeBack: connectEPages && (this.getNodeParameter('writeBack', i, false) as boolean),
		finalize: this.getNodeParameter('finalize', i, true) as boolean,
		attachPdf: this.getNodeParameter('attachPdf', i, false) as boolean,
		dryRun: this.getNodeParameter('dryRun', i, false) as boolean,
	};
	return await orderToInvoice(this, i, params, order);
}
