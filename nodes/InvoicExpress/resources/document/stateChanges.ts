import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { changeState, finalizeDocument } from '../../api/documents';
import { summarizeDocument } from '../../helpers/document';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../../helpers/documentTypes';
import { requiredDocumentId, requiredString, show } from '../common';

export const cancelDescription: INodeProperties[] = [
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		required: true,
		default: '',
		description: 'Why the document is canceled; required by InvoicExpress and kept with the document',
		displayOptions: show('document', ['cancel']),
	},
];

function read(ctx: IExecuteFunctions, i: number): { type: DocumentTypeKey; id: string } {
	return {
		type: ctx.getNodeParameter('documentType', i) as DocumentTypeKey,
		id: requiredDocumentId(ctx, i),
	};
}

function output(type: DocumentTypeKey, doc: Record<string, unknown>): INodeExecutionData[] {
	return [{ json: { ...summarizeDocument(doc, DOCUMENT_TYPES[type].prefix), document_type: type } }];
}

export async function finalize(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const { type, id } = read(this, i);
	return output(type, await finalizeDocument(this, type, id, i));
}

export async function cancel(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const { type, id } = read(this, i);
	const reason = requiredString(this, 'reason', 'Reason', i);
	return output(type, await changeState(this, type, id, 'canceled', reason, i));
}

export async function settle(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const { type, id } = read(this, i);
	return output(type, await changeState(this, type, id, 'settled', undefined, i));
}

export async function deleteDraft(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const { type, id } = read(this, i);
	await changeState(this, type, id, 'deleted', undefined, i);
	return [{ json: { id, document_type: type, deleted: true } }];
}
