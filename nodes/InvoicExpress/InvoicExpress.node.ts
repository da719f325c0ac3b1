import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { searchClients } from './listSearch/searchClients';
import { searchDocuments } from './listSearch/searchDocuments';
import { getSequences, getTaxes } from './methods/loadOptions';
import { clientDescription, clientOperations } from './resources/client';
import type { OperationHandler } from './resources/common';
import { documentDescription, documentItemLabel, documentOperations } from './resources/document';
import { sequenceDescription, sequenceOperations } from './resources/sequence';
import { taxDescription, taxOperations } from './resources/tax';
import { orderRunHints } from '../link/hints';
import { subtitleFrom } from '../shared/descriptions';
import { addHints, chosenOperation, runPerItem } from '../shared/execute';
import { ePagesBeyondApiTest } from '../services/epagesBeyond/credentialTest';

/** The document operations that read or write shop orders (Connect to ePages). */
const SHOP_OPERATIONS = ['createFromEPagesOrder', 'creditFromEPagesOrder', 'emailFromEPagesOrder', 'reconcileEPagesOrders'];
/** Operations that run one order per item, whose run the order hints sum up (the reconciliation reports its own). */
const ORDER_OPERATIONS = ['createFromEPagesOrder', 'creditFromEPagesOrder', 'emailFromEPagesOrder'];

const operations: Record<string, Record<string, OperationHandler>> = {
	client: clientOperations,
	document: documentOperations,
	tax: taxOperations,
	sequence: sequenceOperations,
};

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Client', value: 'client' },
			{ name: 'Document', value: 'document', description: 'Invoices, invoice-receipts, credit and debit notes' },
			// The value is the API's word (/sequences.json); the name is the one InvoicExpress shows and the Series fields use.
			{ name: 'Series', value: 'sequence', description: 'The numbering series of each document type (sequences in the API)' },
			{ name: 'Tax', value: 'tax' },
		],
		default: 'document',
	},
	...clientDescription,
	...documentDescription,
	...taxDescription,
	...sequenceDescription,
];

export class InvoicExpress implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'InvoicExpress',
		name: 'invoicExpress',
		icon: { light: 'file:../../icons/invoicexpress.svg', dark: 'file:../../icons/invoicexpress.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: subtitleFrom(properties),
		description: 'Issue legal Portuguese invoices with InvoicExpress: clients, documents, e-mail and PDF',
		defaults: { name: 'InvoicExpress' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'invoicExpressApi', required: true },
			// One credential slot per shop platform (services/shops.ts), shown for the platform chosen. n8n
			// checks a credential against the first slot of its type only, so one slot serves every
			// operation: Create and Credit use the shop when connected, Email Invoice always (it has no
			// Connect to ePages, whose absence the hide rule reads as "connected"). Literal, not built from
			// the registry: n8n's lint reads the slots from the source (test/unit/shops.test.ts checks both agree).
			// The default platform's slot is hidden for the others rather than shown for itself: n8n's editor
			// takes a parameter whose every option appears in the slots' `show` for an authentication
			// selector and removes it, with the Resource and Operation it depends on, from the panel
			// (test/unit/editorAuthField.test.ts); and a node saved without `platform` (the default) still
			// needs the default platform's credential, never the other's.
			{
				name: 'ePagesApi',
				required: true,
				displayOptions: { show: { resource: ['document'], operation: SHOP_OPERATIONS }, hide: { connectEPages: [false], platform: ['beyond'] } },
			},
			{
				name: 'ePagesBeyondApi',
				required: true,
				testedBy: 'ePagesBeyondApiTest',
				displayOptions: { show: { resource: ['document'], operation: SHOP_OPERATIONS, platform: ['beyond'] }, hide: { connectEPages: [false] } },
			},
		],
		properties,
	};

	methods = { loadOptions: { getTaxes, getSequences }, listSearch: { searchClients, searchDocuments }, credentialTest: { ePagesBeyondApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { resource, operation, handler } = chosenOperation(this, operations);
		// Documents are independent per item and their calls are paced by the transport's limiter;
		// client operations stay sequential so that two items naming one new client meet in order.
		// A reconciliation reads a whole month: one at a time.
		const concurrency = resource === 'document' && operation !== 'getAll' && operation !== 'reconcileEPagesOrders' ? 4 : 1;
		const labelOf = resource === 'document' ? (i: number) => documentItemLabel(this, operation, i) : undefined;
		const items = await runPerItem(this, handler, concurrency, labelOf);
		// Once per run, over all its outputs (the item loop knows one item at a time).
		if (resource === 'document' && ORDER_OPERATIONS.includes(operation)) addHints(this, orderRunHints(items));
		return [items];
	}
}
