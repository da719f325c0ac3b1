import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getDocument, getRelatedDocuments, listedPrefix, listedType } from '../../../services/invoicexpress/api/documents';
import { toIxDate } from '../../../services/invoicexpress/helpers/dates';
import { summarizeDocument } from '../../../services/invoicexpress/helpers/document';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../../../services/invoicexpress/helpers/documentTypes';
import { ixGetAll } from '../../../services/invoicexpress/transport';
import { asItems, documentTypeOptions, getLimit, requiredDocumentId, returnAllFields, show } from '../common';

export const getAllDescription: INodeProperties[] = [
	...returnAllFields('document', 'getAll'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show('document', ['getAll']),
		options: [
			{ displayName: 'Archived', name: 'archived', type: 'options', options: [
				{ name: 'Not Archived', value: 'non_archived' },
				{ name: 'Archived', value: 'archived' },
				{ name: 'Both', value: 'all' },
			], default: 'non_archived' },
			{ displayName: 'Date From', name: 'dateFrom', type: 'dateTime', default: '' },
			{ displayName: 'Date To', name: 'dateTo', type: 'dateTime', default: '' },
			{ displayName: 'Reference', name: 'reference', type: 'string', default: '', description: 'Exact reference, such as an order number' },
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: [
					{ name: 'Canceled', value: 'canceled' },
					{ name: 'Draft', value: 'draft' },
					{ name: 'Final', value: 'final' },
					{ name: 'Second Copy', value: 'second_copy' },
					{ name: 'Sent', value: 'sent' },
					{ name: 'Settled', value: 'settled' },
				],
				default: [],
			},
			{ displayName: 'Text', name: 'text', type: 'string', default: '', description: 'Free text search (client name, reference …)' },
			{ displayName: 'Types', name: 'types', type: 'multiOptions', options: documentTypeOptions, default: [] },
		],
	},
];

export async function get(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const type = this.getNodeParameter('documentType', i) as DocumentTypeKey;
	const id = requiredDocumentId(this, i);
	const doc = await getDocument(this, type, id, i);
	return [{ json: { ...summarizeDocument(doc, DOCUMENT_TYPES[type].prefix), document_type: type } }];
}

export async function getAll(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
	const qs: IDataObject = {};
	const archived = (filters.archived as string) ?? 'non_archived';
	if (archived === 'non_archived') qs.non_archived = true;
	if (archived === 'archived') qs.archived = true;
	if (filters.reference) qs.reference = filters.reference;
	if (filters.text) qs.text = filters.text;
	const from = toIxDate(filters.dateFrom);
	const to = toIxDate(filters.dateTo);
	if (from) qs['date[from]'] = from;
	if (to) qs['date[to]'] = to;
	if (Array.isArray(filters.status) && filters.status.length) qs['status[]'] = filters.status;
	const types = Array.isArray(filters.types) ? (filters.types as DocumentTypeKey[]) : [];
	// Simplified invoices have no documented `type[]` value (see listedType): with them among the
	// types, the list is read unfiltered and filtered here, the limit applied after.
	const byHand = types.includes('simplifiedInvoice');
	if (types.length && !byHand) qs['type[]'] = types.map((t) => DOCUMENT_TYPES[t].apiType);
	const limit = getLimit(this, i);
	let docs = await ixGetAll(this, '/invoices.json', 'invoices', qs, byHand ? undefined : limit, i);
	if (byHand) {
		docs = docs.filter((d) => types.includes(listedType(d) as DocumentTypeKey));
		if (limit !== undefined) docs = docs.slice(0, limit);
	}
	return asItems(
		docs.map((d) => {
			// A legacy cash sale (VD) is listed as what it is, never as a simplified invoice.
			const found = listedType(d);
			return { ...summarizeDocument(d, listedPrefix(found)), document_type: found === 'receipt' ? null : (found ?? null) };
		}),
	);
}

export async function getRelated(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const id = requiredDocumentId(this, i);
	const docs = await getRelatedDocuments(this, id, i);
	return asItems(docs.map((d) => ({ ...d, related_to: id })));
}
