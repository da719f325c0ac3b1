import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { epGetAll } from '../../../services/epagesNow/transport';
import { requiredId, show } from '../common';

const op = show('order', ['getDocuments']);

export const getDocumentsDescription: INodeProperties[] = [
	{
		displayName: 'Attach PDF',
		name: 'attachPdf',
		type: 'boolean',
		default: false,
		description: 'Whether to get each document\'s PDF as binary data (in the language of the checkout)',
		displayOptions: op,
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		hint: 'The name of the output binary field to put the file in',
		displayOptions: { show: { resource: ['order'], operation: ['getDocuments'], attachPdf: [true] } },
	},
];

function fileName(doc: IDataObject, index: number): string {
	const type = typeof doc.documentType === 'string' && doc.documentType !== '' ? doc.documentType : 'document';
	const number = typeof doc.documentNumber === 'string' || typeof doc.documentNumber === 'number' ? String(doc.documentNumber) : String(index + 1);
	return `${type}-${number}`.replace(/[^A-Za-z0-9._-]+/g, '-').toLowerCase() + '.pdf';
}

/** The shop's own finalized invoices and credit notes of an order; one output item per document. */
export async function getDocuments(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const id = requiredId(this, 'orderId', 'Order ID', i);
	const attachPdf = this.getNodeParameter('attachPdf', i, false) as boolean;
	const property = attachPdf ? ((this.getNodeParameter('binaryPropertyName', i, 'data') as string) || 'data').trim() : 'data';
	const docs = await epGetAll(this, `/orders/${encodeURIComponent(id)}/documents`, attachPdf ? { includePdf: true } : {}, undefined, {
		itemIndex: i,
		action: `get the documents of order ${id}`,
	});
	const out: INodeExecutionData[] = [];
	for (const [index, doc] of docs.entries()) {
		const { documentPdf, ...json } = doc;
		if (!attachPdf) {
			out.push({ json });
			continue;
		}
		if (typeof documentPdf !== 'string' || documentPdf === '') {
			throw new NodeOperationError(this.getNode(), `ePages sent no PDF for document ${String(doc.documentNumber ?? index + 1)} of order ${id}`, {
				itemIndex: i,
			});
		}
		const name = fileName(doc, index);
		const binary = await this.helpers.prepareBinaryData(Buffer.from(documentPdf, 'base64'), name, 'application/pdf');
		out.push({ json: { ...json, fileName: name }, binary: { [property]: binary } });
	}
	return out;
}
