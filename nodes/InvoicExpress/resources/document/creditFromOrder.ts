import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_PLATFORM, platformParameter } from '../../../services/shops';
import { orderToCredit } from '../../../link/credit/execute';
import type { Correction, CreditOptions, CreditParams } from '../../../link/credit/plan';
import type { CreditScope } from '../../../link/mapping/creditNote';
import { show } from '../common';
import { readOrder } from './createFromOrder';

const op = show('document', ['creditFromEPagesOrder']);
const forCredit = (extra: Record<string, unknown[]> = {}) => ({ show: { resource: ['document'], operation: ['creditFromEPagesOrder'], correction: ['creditNote'], ...extra } });

export const creditFromOrderDescription: INodeProperties[] = [
	{
		displayName: 'Order',
		name: 'order',
		type: 'json',
		default: '={{ $json }}',
		description: 'The ePages order whose invoice is corrected, as the ePages node or the ePages Trigger outputs it',
		displayOptions: op,
	},
	{
		displayName: 'Correction',
		name: 'correction',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Credit Note (Return or Refund)',
				value: 'creditNote',
				description: 'A credit note linked to the invoice, for goods returned or money refunded: the invoice stays, the credit note corrects it',
			},
			{
				name: 'Cancel the Invoice (Issued in Error)',
				value: 'cancel',
				description: 'The invoice should never have been issued: it is canceled with the reason and keeps its number. Refused once it has credit notes.',
			},
		],
		default: 'creditNote',
		description: 'A return or refund is credited; only an invoice issued in error is canceled. An invoice that is still a draft is deleted either way, and an order never invoiced gets nothing.',
		displayOptions: op,
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		description:
			'Why: required to cancel (InvoicExpress keeps it with the invoice); for a credit note, printed in its observations (empty: "Devolução da encomenda" and the order number)',
		displayOptions: op,
	},
	{
		displayName: 'Credit',
		name: 'creditScope',
		type: 'options',
		options: [
			{ name: 'The Whole Invoice', value: 'full', description: 'Every line, shipping and fees: the credit note equals the invoice to the cent' },
			{ name: 'Chosen Lines', value: 'lines', description: 'The returned lines and quantities, and shipping or the payment fee if refunded' },
			{ name: 'An Amount', value: 'amount', description: 'A refund of an amount at one VAT rate of the invoice (a goodwill refund, a price correction)' },
		],
		default: 'full',
		displayOptions: forCredit(),
	},
	{
		displayName: 'Returned Lines',
		name: 'returnedLines',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Line',
		default: {},
		description: 'Each credited line as it reads on the invoice, with the quantity returned',
		displayOptions: forCredit({ creditScope: ['lines'] }),
		options: [
			{
				displayName: 'Line',
				name: 'line',
				values: [
					{ displayName: 'Item', name: 'item', type: 'string', default: '', description: 'The line\'s name on the invoice: the SKU, or the product name if the invoice names items so' },
					{ displayName: 'Quantity', name: 'quantity', type: 'number', typeOptions: { minValue: 0, numberPrecision: 2 }, default: 0, description: 'How many were returned; 0: the whole line' },
				],
			},
		],
	},
	{
		displayName: 'Credit Shipping',
		name: 'creditShipping',
		type: 'boolean',
		default: false,
		description: 'Whether the shipping cost (or the pickup fee of an order collected at a pickup point) is refunded too',
		displayOptions: forCredit({ creditScope: ['lines'] }),
	},
	{
		displayName: 'Credit Payment Fee',
		name: 'creditPaymentFee',
		type: 'boolean',
		default: false,
		description: 'Whether the payment fee is refunded too',
		displayOptions: forCredit({ creditScope: ['lines'] }),
	},
	{
		displayName: 'Amount',
		name: 'refundAmount',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 0,
		description: 'The amount refunded, VAT included, in the invoice\'s currency',
		displayOptions: forCredit({ creditScope: ['amount'] }),
	},
	{
		displayName: 'VAT Rate (%)',
		name: 'refundVatRate',
		type: 'string',
		default: '',
		placeholder: '23',
		description: 'The VAT rate of the lines the refund belongs to: one of the invoice\'s rates. Required: a credit note carries VAT like the invoice.',
		displayOptions: forCredit({ creditScope: ['amount'] }),
	},
	{
		displayName: 'Line Description',
		name: 'refundDescription',
		type: 'string',
		default: '',
		placeholder: 'Reembolso',
		description: 'What the credit note\'s line says; empty: "Reembolso"',
		displayOptions: forCredit({ creditScope: ['amount'] }),
	},
	{
		displayName: 'Return Reference',
		name: 'returnReference',
		type: 'string',
		default: '',
		placeholder: 'RMA-1042',
		description:
			'Names this return, so that running it again never credits it twice, and another return of the same lines is credited again. Empty: the lines and quantities name it (the same lines returned twice then need a reference).',
		displayOptions: forCredit({ creditScope: ['lines', 'amount'] }),
	},
	{
		displayName: 'Send by Email',
		name: 'sendEmail',
		type: 'boolean',
		default: false,
		description: "Whether to e-mail the finalized credit note to the order's e-mail address",
		displayOptions: forCredit(),
	},
	{
		displayName: 'Attach PDF',
		name: 'attachPdf',
		type: 'boolean',
		default: false,
		description: 'Whether to add the PDF of the credit note to the output as binary data',
		displayOptions: forCredit(),
	},
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description: 'Whether to only return what would be done (the credit note with its total, or the invoice to cancel) and change nothing',
		displayOptions: op,
	},
	{
		displayName: 'Connect to ePages',
		name: 'connectEPages',
		type: 'boolean',
		default: false,
		description: 'Whether to use an ePages credential to write the correction back to the order',
		displayOptions: op,
	},
	platformParameter({ show: { resource: ['document'], operation: ['creditFromEPagesOrder'], connectEPages: [true] } }),
	{
		displayName: 'Write Back to ePages',
		name: 'writeBack',
		type: 'boolean',
		default: false,
		description: "Whether to add the credit note's number (or the cancellation and its reason) to the order's note: ePages Now's internal note (scope orders_write), ePages Beyond's order note (scope ordr:u)",
		displayOptions: { show: { resource: ['document'], operation: ['creditFromEPagesOrder'], connectEPages: [true] } },
	},
	{
		displayName: 'Credit Options',
		name: 'creditOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: forCredit(),
		options: [
			{ displayName: 'Email BCC', name: 'emailBcc', type: 'string', default: '', description: 'For example your accountant' },
			{ displayName: 'Email Body', name: 'emailBody', type: 'string', typeOptions: { rows: 4 }, default: '' },
			{ displayName: 'Email Subject', name: 'emailSubject', type: 'string', default: '' },
			{ displayName: 'Payment Fee Label', name: 'paymentFeeLabel', type: 'string', default: '', description: 'The payment-fee line\'s name on the invoice, if it was set on the invoicing node; empty: the package\'s names in every language' },
			{ displayName: 'Pickup Fee Label', name: 'pickupLabel', type: 'string', default: '', description: 'The pickup-fee line\'s name on the invoice, if it was set on the invoicing node; empty: the package\'s names in every language' },
			{
				displayName: 'Series Name or ID',
				name: 'sequenceId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getSequences' },
				default: '',
				description: 'The credit notes\' series. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{ displayName: 'Shipping Label', name: 'shippingLabel', type: 'string', default: '', description: 'The shipping line\'s name on the invoice, if it was set on the invoicing node; empty: the package\'s names in every language' },
		],
	},
];

function scopeOf(ctx: IExecuteFunctions, i: number): CreditScope {
	const kind = ctx.getNodeParameter('creditScope', i, 'full') as CreditScope['kind'];
	if (kind === 'lines') {
		const lines = (ctx.getNodeParameter('returnedLines.line', i, []) as Array<{ item?: string; quantity?: number }>).map((l) => ({
			item: String(l.item ?? ''),
			quantity: l.quantity ? Number(l.quantity) : undefined,
		}));
		return { kind, lines, shipping: ctx.getNodeParameter('creditShipping', i, false) as boolean, paymentFee: ctx.getNodeParameter('creditPaymentFee', i, false) as boolean };
	}
	if (kind === 'amount') {
		const rate = String(ctx.getNodeParameter('refundVatRate', i, '') ?? '').trim().replace(',', '.').replace(/\s*%$/, '');
		return {
			kind,
			amount: Number(ctx.getNodeParameter('refundAmount', i, 0)),
			vatRate: rate === '' ? NaN : Number(rate),
			description: ctx.getNodeParameter('refundDescription', i, '') as string,
		};
	}
	if (kind !== 'full') throw new NodeOperationError(ctx.getNode(), `"Credit" is "${String(kind)}": choose The Whole Invoice, Chosen Lines or An Amount`, { itemIndex: i });
	return { kind };
}

export async function creditFromOrder(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const order = readOrder(this, i);
	const correction = this.getNodeParameter('correction', i, 'creditNote') as Correction;
	const connectEPages = this.getNodeParameter('connectEPages', i, false) as boolean;
	const crediting = correction === 'creditNote';
	const params: CreditParams = {
		correction,
		reason: String(this.getNodeParameter('reason', i, '') ?? ''),
		scope: crediting ? scopeOf(this, i) : { kind: 'full' },
		returnReference: crediting ? String(this.getNodeParameter('returnReference', i, '') ?? '') : '',
		sendEmail: crediting && (this.getNodeParameter('sendEmail', i, false) as boolean),
		attachPdf: crediting && (this.getNodeParameter('attachPdf', i, false) as boolean),
		dryRun: this.getNodeParameter('dryRun', i, false) as boolean,
		connectEPages,
		platform: this.getNodeParameter('platform', i, DEFAULT_PLATFORM) as string,
		writeBack: connectEPages && (this.getNodeParameter('writeBack', i, false) as boolean),
		options: crediting ? (this.getNodeParameter('creditOptions', i, {}) as CreditOptions) : {},
	};
	return await orderToCredit(this, i, params, order);
}
