import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getFullOrder, writeInvoiceBack } from '../../../EPages/api/orders';
import { invoiceNoteLine, invoiceUniqueKey } from '../../../OrderToInvoice/orderLink';
import { asNodeError, withPrefix } from '../../../shared/execute';
import { findOrCreateClient, type MatchBy } from '../../api/clients';
import { downloadPdf, emailDocument, getPdfUrl } from '../../api/documents';
import { invoiceOnce } from '../../api/invoiceOrder';
import { loadTaxes } from '../../api/accountData';
import { InputError } from '../../helpers/client';
import { addDays, toIxDate, todayIx } from '../../helpers/dates';
import { summarizeDocument, type IxTax } from '../../helpers/document';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../../helpers/documentTypes';
import { mapOrderToDocument, type MappingOptions } from '../../mapping/orderToDocument';
import { clientRuleOptions, show, taxExemptionOptions, toOperationError } from '../common';

const op = show('document', ['createFromEPagesOrder']);

export const createFromOrderDescription: INodeProperties[] = [
	{
		displayName: 'Order',
		name: 'order',
		type: 'json',
		default: '={{ $json }}',
		description: 'The ePages order with its line items, as the ePages node (Order → Get) or the ePages Trigger outputs it',
		displayOptions: op,
	},
	{
		displayName: 'Document Type',
		name: 'documentType',
		type: 'options',
		options: [
			{ name: 'Invoice', value: 'invoice' },
			{ name: 'Invoice-Receipt', value: 'invoiceReceipt', description: 'Invoice and receipt in one, for orders already paid' },
			{ name: 'Simplified Invoice', value: 'simplifiedInvoice', description: 'Portuguese accounts, small B2C amounts' },
		],
		default: 'invoice',
		displayOptions: op,
	},
	{
		displayName: 'Finalize',
		name: 'finalize',
		type: 'boolean',
		default: true,
		description: 'Whether to finalize the document (legal number and ATCUD); off leaves a draft to review in InvoicExpress',
		displayOptions: op,
	},
	{
		displayName: 'Send by Email',
		name: 'sendEmail',
		type: 'boolean',
		default: false,
		description: "Whether to e-mail the finalized document to the order's billing e-mail address",
		displayOptions: op,
	},
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
			'Whether to use an ePages credential: to fetch the full order when only a list item arrives, and to write the invoice back to the order',
		displayOptions: op,
	},
	{
		displayName: 'Write Back to ePages',
		name: 'writeBack',
		type: 'boolean',
		default: false,
		description:
			"Whether to set the order's invoiced date and add the invoice number to its internal note (needs the orders_write scope)",
		displayOptions: { show: { resource: ['document'], operation: ['createFromEPagesOrder'], connectEPages: [true] } },
	},
	{
		displayName: 'Client Match',
		name: 'matchBy',
		type: 'options',
		options: [
			{
				name: 'By Name (Fewest Calls)',
				value: 'name',
				description: 'InvoicExpress uses the client with exactly this name, or creates it with the order data, as the original ePages integration did',
			},
			{ name: 'By Name, Explicit Lookup', value: 'nameLookup', description: 'Look the client up first, so the output says whether it was created' },
			{ name: 'By Client Code (Customer Number)', value: 'code' },
			{ name: 'By Fiscal Number, Then Name', value: 'fiscalId' },
		],
		default: 'name',
		displayOptions: op,
	},
	{
		displayName: 'Order Options',
		name: 'orderOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: op,
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
			{ displayName: 'Invoice Date', name: 'date', type: 'dateTime', default: '', description: 'Empty: today (Lisbon time)' },
			{ displayName: 'Item Name', name: 'itemName', type: 'options', options: [
				{ name: 'SKU', value: 'sku' },
				{ name: 'Product Name', value: 'productName' },
			], default: 'sku', description: 'What identifies each line (InvoicExpress keeps a catalogue item per name)' },
			clientRuleOptions[1],
			{ displayName: 'Payment Fee Label', name: 'paymentFeeLabel', type: 'string', default: 'Taxa de pagamento' },
			{
				displayName: 'Series Name or ID',
				name: 'sequenceId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getSequences', loadOptionsDependsOn: ['documentType'] },
				default: '',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{ displayName: 'Shipping Label', name: 'shippingLabel', type: 'string', default: 'Portes de envio' },
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
			{ displayName: 'Tax Region', name: 'taxRegion', type: 'options', options: [
				{ name: 'Portugal Mainland (PT)', value: 'PT' },
				{ name: 'Azores (PT-AC)', value: 'PT-AC' },
				{ name: 'Madeira (PT-MA)', value: 'PT-MA' },
			], default: 'PT', description: 'Region of the account taxes used for each VAT rate' },
		],
	},
];

function readOrder(ctx: IExecuteFunctions, i: number): IDataObject {
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

export async function createFromOrder(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	let order = readOrder(this, i);
	const connectEPages = this.getNodeParameter('connectEPages', i, false) as boolean;
	const writeBack = connectEPages && (this.getNodeParameter('writeBack', i, false) as boolean);
	const type = this.getNodeParameter('documentType', i, 'invoice') as DocumentTypeKey;
	const info = DOCUMENT_TYPES[type];
	const finalize = this.getNodeParameter('finalize', i, true) as boolean;
	const sendEmail = this.getNodeParameter('sendEmail', i, false) as boolean;
	const attachPdf = this.getNodeParameter('attachPdf', i, false) as boolean;
	const dryRun = this.getNodeParameter('dryRun', i, false) as boolean;
	const clientMatch = this.getNodeParameter('matchBy', i, 'name') as 'name' | 'nameLookup' | MatchBy;
	const o = this.getNodeParameter('orderOptions', i, {}) as IDataObject;
	const label = `order ${String(order.orderNumber ?? order.orderId ?? '?')}`;
	const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
		try {
			return await fn();
		} catch (error) {
			throw withPrefix(this.getNode(), error, `${label}: ${name} failed: `, i);
		}
	};

	// A date that cannot be read is an error, never silently "today".
	for (const [key, words] of [['date', 'invoice date'], ['dueDate', 'due date']] as const) {
		const value = o[key];
		if (value !== undefined && value !== null && String(value).trim() !== '' && toIxDate(value) === undefined) {
			throw new NodeOperationError(this.getNode(), `${label}: ${words} "${String(value)}" is not a date`, {
				itemIndex: i,
				description: 'Use the date picker, YYYY-MM-DD or DD/MM/YYYY.',
			});
		}
	}
	const date = toIxDate(o.date) ?? todayIx();
	const dueDate = toIxDate(o.dueDate) ?? addDays(date, Number(o.dueDays ?? 0));
	if (connectEPages && order.lineItemContainer === undefined) {
		const listItem = order;
		order = await step('getting the full order from ePages', async () => getFullOrder(this, listItem, i));
	}
	const options: MappingOptions = {
		date,
		dueDate,
		itemName: (o.itemName as MappingOptions['itemName']) ?? 'sku',
		clientName: (o.clientName as MappingOptions['clientName']) ?? 'company',
		discountStyle: (o.discountStyle as MappingOptions['discountStyle']) ?? 'lineDiscount',
		taxRegion: (o.taxRegion as string) ?? 'PT',
		taxMapping: ((o.taxMapping as IDataObject | undefined)?.mapping as Array<{ rate: number; taxName: string }>) ?? [],
		taxExemption: (o.taxExemption as string) || undefined,
		exchangeRate: (o.exchangeRate as number) || undefined,
		commentInObservations: o.commentInObservations !== false,
		sequenceId: (o.sequenceId as string) || undefined,
		clientRules: {
			invalidFiscalId: (o.invalidFiscalId as 'error' | 'finalConsumer') ?? 'error',
			longName: (o.longName as 'error' | 'truncate') ?? 'error',
		},
		shippingLabel: (o.shippingLabel as string) || 'Portes de envio',
		paymentFeeLabel: (o.paymentFeeLabel as string) || 'Taxa de pagamento',
	};
	const mapWith = (taxes: IxTax[]) => {
		try {
			return mapOrderToDocument(order, taxes, options);
		} catch (error) {
			if (error instanceof InputError) throw toOperationError(this, error, i);
			throw asNodeError(this.getNode(), error, i);
		}
	};
	const taxes = await step('loading the taxes of the account', async () => loadTaxes(this, i));
	let mapped;
	try {
		mapped = mapWith(taxes);
	} catch (error) {
		// Taxes cached by an earlier execution may predate a change in the account: look again, once.
		const current = await step('loading the taxes of the account', async () => loadTaxes(this, i, { fresh: true }));
		if (current === taxes) throw asNodeError(this.getNode(), error, i);
		mapped = mapWith(current);
	}
	const check = mapped.totalsCheck;
	const base: IDataObject = {
		order_number: mapped.orderNumber,
		order_id: mapped.orderId ?? null,
		document_type: type,
		totals_check: check as unknown as IDataObject,
		...(mapped.warnings.length ? { warnings: mapped.warnings } : {}),
	};
	if (!check.matches && (o.strictTotals ?? true) !== false) {
		throw new NodeOperationError(
			this.getNode(),
			`${label}: the ${info.label.toLowerCase()} total would be ${check.document_total} but the order total is ${check.order_total} (difference ${check.difference})`,
			{ itemIndex: i, description: 'Nothing was created. Check the order amounts, or turn off "Strict Totals" to create it anyway with the difference reported.' },
		);
	}
	if (dryRun) {
		return [{ json: { ...base, outcome: 'dry run', client: mapped.client, document: mapped.document as IDataObject } }];
	}

	const document: IDataObject = { ...(mapped.document as IDataObject) };
	let clientCreated: boolean | null = null;
	if (clientMatch !== 'name') {
		const found = await step('finding the client', async () =>
			findOrCreateClient(this, mapped.client, { matchBy: clientMatch === 'nameLookup' ? 'name' : clientMatch, updateExisting: false, itemIndex: i }),
		);
		clientCreated = found.created;
		document.client = { name: String(found.client.name ?? mapped.client.name), code: String(found.client.code ?? mapped.client.code ?? mapped.client.name) };
	}
	const uniqueKey = invoiceUniqueKey(order, mapped.orderNumber, type);
	const result = await step(`creating the ${info.label.toLowerCase()}`, async () =>
		invoiceOnce(this, type, document, { reference: mapped.orderNumber, uniqueKey, finalize, itemIndex: i }),
	);
	if (result.outcome === 'pending') {
		// Not an error: nothing legal was issued, and the next run completes the order on the same draft.
		return [
			{
				json: {
					...base,
					outcome: 'pending',
					pending: `${label}: pending: will complete on the next run`,
					pending_reason: result.pendingReason ?? null,
					document_id: result.document.id ?? null,
					status: result.document.status ?? null,
					legal_number: null,
					emailed: false,
				},
			},
		];
	}
	const doc = result.document;
	const out: IDataObject = {
		...base,
		outcome: result.outcome,
		client_id: ((doc.client as IDataObject | undefined)?.id as number | undefined) ?? null,
		client_name: ((doc.client as IDataObject | undefined)?.name as string | undefined) ?? mapped.client.name,
		client_created: clientCreated,
		document_id: doc.id,
		status: doc.status,
		legal_number: summarizeDocument(doc, info.prefix).legal_number as string | null,
		inverted_sequence_number: doc.inverted_sequence_number ?? null,
		atcud: doc.atcud ?? null,
		permalink: doc.permalink ?? null,
		date: doc.date,
		due_date: doc.due_date,
		total: doc.total,
		before_taxes: doc.before_taxes,
		taxes: doc.taxes,
		currency: doc.currency ?? mapped.currency,
		emailed: false,
		finalized_here: result.finalizedHere,
	};
	if (typeof doc.total === 'number') {
		const difference = Math.round((doc.total - check.order_total) * 100) / 100;
		out.totals_check = { ...(check as unknown as IDataObject), document_total: doc.total, difference, matches: difference === 0 };
	}
	const isFinal = doc.status !== 'draft';
	const legal = String(out.legal_number ?? doc.id);
	// Only the execution whose finalize made the document legal e-mails it. Another run that finds it
	// final (a re-run, a concurrent execution, the trigger offering the order again before the
	// write-back) cannot tell a run still e-mailing from one that stopped: it never e-mails, so an
	// invoice is e-mailed at most once (and, after a crash between finalize and e-mail, not at all:
	// the output says how to send it).
	if (sendEmail) {
		if (!isFinal) {
			out.email_skipped = 'the document is a draft';
		} else if (!result.finalizedHere) {
			out.email_skipped =
				'finalized by an earlier or concurrent execution, which e-mails it; to send it (again), use Document → Send by Email';
		} else if (!mapped.clientEmail) {
			out.email_skipped = 'the order has no e-mail address';
		} else {
			await step(`e-mailing ${String(out.legal_number)} (the document exists and is final)`, async () =>
				emailDocument(this, type, doc.id as number, {
					email: mapped.clientEmail!,
					subject: (o.emailSubject as string) || undefined,
					body: (o.emailBody as string) || undefined,
					bcc: (o.emailBcc as string) || undefined,
					logo: true,
				}, i),
			);
			out.emailed = true;
			out.email_to = mapped.clientEmail;
		}
	}
	if (writeBack && isFinal) {
		const line = invoiceNoteLine(legal, doc.id, out.emailed ? mapped.clientEmail : undefined);
		out.written_back = await step(`writing ${legal} back to the ePages order (the document exists and is final)`, async () =>
			writeInvoiceBack(this, order, line, i),
		);
	}
	if (attachPdf && isFinal) {
		const url = await step('getting the PDF (the document exists and is final)', async () => getPdfUrl(this, doc.id as number, { maxWaitMs: 30000, itemIndex: i }));
		const buffer = await step('downloading the PDF', async () => downloadPdf(this, url, i));
		const name = `invoice-${String(doc.inverted_sequence_number ?? doc.id).replace(/[^A-Za-z0-9._-]+/g, '-')}.pdf`;
		out.pdf_url = url;
		return [{ json: out, binary: { data: await this.helpers.prepareBinaryData(buffer, name, 'application/pdf') } }];
	}
	return [{ json: out }];
}
