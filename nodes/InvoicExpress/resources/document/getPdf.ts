import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getPdfUrl, pdfAttachment } from '../../../services/invoicexpress/api/pdf';
import { requiredDocumentId, show } from '../common';

const op = show('document', ['getPdf']);

export const getPdfDescription: INodeProperties[] = [
	{
		displayName: 'Download',
		name: 'download',
		type: 'boolean',
		default: true,
		description: 'Whether to download the PDF as binary data (otherwise only its URL is returned)',
		displayOptions: op,
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		hint: 'The name of the output binary field to put the file in',
		displayOptions: { show: { resource: ['document'], operation: ['getPdf'], download: [true] } },
	},
	{
		displayName: 'PDF Options',
		name: 'pdfOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: op,
		options: [
			{ displayName: 'Max Wait (Seconds)', name: 'maxWaitSeconds', type: 'number', typeOptions: { minValue: 1 }, default: 30, description: 'How long to wait while InvoicExpress generates the PDF' },
			{ displayName: 'Second Copy', name: 'secondCopy', type: 'boolean', default: false, description: 'Whether to get the duplicate ("2.ª via") instead of the original' },
		],
	},
];

function fileName(item: IDataObject, id: string): string {
	const number = item.id !== undefined && String(item.id) === id ? item.inverted_sequence_number : undefined;
	const label = typeof number === 'string' && number !== '' ? number : id;
	return `invoice-${label.replace(/[^A-Za-z0-9._-]+/g, '-')}.pdf`;
}

export async function getPdf(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const id = requiredDocumentId(this, i);
	const options = this.getNodeParameter('pdfOptions', i, {}) as IDataObject;
	const download = this.getNodeParameter('download', i, true) as boolean;
	const wait = { secondCopy: options.secondCopy === true, maxWaitMs: ((options.maxWaitSeconds as number) ?? 30) * 1000, itemIndex: i };
	if (!download) return [{ json: { id, pdf_url: await getPdfUrl(this, id, wait) } }];
	const property = (this.getNodeParameter('binaryPropertyName', i, 'data') as string) || 'data';
	const name = fileName(this.getInputData()[i]?.json ?? {}, id);
	const pdf = await pdfAttachment(this, id, name, wait);
	return [{ json: { id, pdf_url: pdf.url, file_name: name }, binary: { [property]: pdf.binary } }];
}
