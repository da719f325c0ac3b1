import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { orderLabel } from '../../../shared/execute';

import { documentIdField, documentTypeOptions, type OperationHandler } from '../common';
import { create } from './create';
import { createDescription } from './createDescription';
import { createFromOrder, createFromOrderDescription } from './createFromOrder';
import { creditFromOrder, creditFromOrderDescription } from './creditFromOrder';
import { emailFromOrder, emailFromOrderDescription } from './emailFromOrder';
import { get, getAll, getAllDescription, getRelated } from './get';
import { reconcileDescription, reconcileEPagesOrders } from './reconcile';
import { getPdf, getPdfDescription } from './getPdf';
import { sendEmail, sendEmailDescription } from './sendEmail';
import { cancel, deleteDraft, finalize, reasonDescription, settle } from './stateChanges';

export const documentOperations: Record<string, OperationHandler> = {
	create,
	createFromEPagesOrder: createFromOrder,
	creditFromEPagesOrder: creditFromOrder,
	emailFromEPagesOrder: emailFromOrder,
	get,
	getAll,
	finalize,
	cancel,
	settle,
	deleteDraft,
	sendEmail,
	getPdf,
	getRelated,
	reconcileEPagesOrders,
};

/**
 * The order a document item is made from, for its error message: in the separate-steps chain the
 * input of "Create" is a client, and the order comes in through the Order parameter.
 */
export function documentItemLabel(ctx: IExecuteFunctions, operation: string, i: number): string | undefined {
	if (!['create', 'createFromEPagesOrder', 'creditFromEPagesOrder', 'emailFromEPagesOrder'].includes(operation)) return undefined;
	if (operation === 'create') {
		const reference = (ctx.getNodeParameter('additionalFields.reference', i, '') as string).trim();
		if (reference) return `reference ${reference}`;
		if (ctx.getNodeParameter('itemsInput', i, 'fields') !== 'ePagesOrder') return undefined;
	}
	let order = ctx.getNodeParameter('order', i, undefined) as unknown;
	if (typeof order === 'string') {
		try {
			order = JSON.parse(order) as unknown;
		} catch {
			return undefined;
		}
	}
	return orderLabel(order);
}

export const documentDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['document'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				action: 'Cancel a document',
				description:
					'Cancels a finalized document: it keeps its legal number and stays in its series as canceled, with the reason; this cannot be undone. To undo a sale, issue a credit note instead.',
			},
			{ name: 'Create', value: 'create', action: 'Create a document' },
			{
				name: 'Create From ePages Order',
				value: 'createFromEPagesOrder',
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased -- "ePages" is the brand's spelling; the rule's fix reads "e pages"
				action: 'Create an invoice from an ePages order',
				description: 'Turn an ePages order into a finalized invoice, exactly once, to the cent',
			},
			{
				name: 'Credit From ePages Order',
				value: 'creditFromEPagesOrder',
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased -- "ePages" is the brand's spelling; the rule's fix reads "e pages"
				action: 'Credit or cancel the invoice of an ePages order',
				description:
					'For a returned, refunded or cancelled order: a credit note linked to its invoice (whole, by lines or an amount), exactly once per return; or the invoice canceled when it was issued in error',
			},
			{
				name: 'Delete Draft',
				value: 'deleteDraft',
				action: 'Delete a draft document',
				description:
					'Deletes a draft, which has no legal number yet: it is removed from InvoicExpress and cannot be restored. A finalized document is refused, never deleted. The reason is recorded in the output.',
			},
			{
				name: 'Email Invoice of ePages Order',
				value: 'emailFromEPagesOrder',
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased -- "ePages" is the brand's spelling; the rule's fix reads "e pages"
				action: 'Email the invoice of an ePages order once',
				description:
					"E-mail the order's invoice to the order's address exactly once: the order's note is marked first, so a second run (a second click, a repair) says it was already sent",
			},
			{ name: 'Finalize', value: 'finalize', action: 'Finalize a document', description: 'Give a draft its legal number and ATCUD' },
			{ name: 'Get', value: 'get', action: 'Get a document' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many documents' },
			{ name: 'Get PDF', value: 'getPdf', action: 'Get the PDF of a document' },
			{ name: 'Get Related Documents', value: 'getRelated', action: 'Get documents related to a document' },
			{
				name: 'Reconcile With ePages Orders',
				value: 'reconcileEPagesOrders',
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased -- "ePages" is the brand's spelling; the rule's fix reads "e pages"
				action: 'Reconcile a month of ePages orders with their documents',
				description:
					"Check a period's shop orders against their InvoicExpress documents (paid and not invoiced, two invoices, totals, credit notes, drafts, write-back, e-mail) and output a CSV and an HTML report; with Repair, fix what is safe to fix",
			},
			{ name: 'Send by Email', value: 'sendEmail', action: 'Send a document by email' },
			{ name: 'Settle', value: 'settle', action: 'Mark a document as paid' },
		],
		default: 'create',
	},
	{
		displayName: 'Document Type',
		name: 'documentType',
		type: 'options',
		options: documentTypeOptions,
		default: 'invoice',
		displayOptions: { show: { resource: ['document'] }, hide: { operation: ['getAll', 'getPdf', 'getRelated', 'createFromEPagesOrder', 'creditFromEPagesOrder', 'emailFromEPagesOrder', 'reconcileEPagesOrders'] } },
	},
	documentIdField('document', ['get', 'finalize', 'cancel', 'settle', 'deleteDraft', 'sendEmail', 'getPdf', 'getRelated']),
	...reasonDescription,
	...createDescription,
	...createFromOrderDescription,
	...creditFromOrderDescription,
	...emailFromOrderDescription,
	...reconcileDescription,
	...getAllDescription,
	...sendEmailDescription,
	...getPdfDescription,
];
