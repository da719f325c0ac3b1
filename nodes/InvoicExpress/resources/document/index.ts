import type { INodeProperties } from 'n8n-workflow';

import { documentIdField, documentTypeOptions, type OperationHandler } from '../common';
import { create, createDescription } from './create';
import { get, getAll, getAllDescription, getRelated } from './get';
import { getPdf, getPdfDescription } from './getPdf';
import { sendEmail, sendEmailDescription } from './sendEmail';
import { cancel, cancelDescription, deleteDraft, finalize, settle } from './stateChanges';

export const documentOperations: Record<string, OperationHandler> = {
	create,
	get,
	getAll,
	finalize,
	cancel,
	settle,
	deleteDraft,
	sendEmail,
	getPdf,
	getRelated,
};

export const documentDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['document'] } },
		options: [
			{ name: 'Cancel', value: 'cancel', action: 'Cancel a document', description: 'Cancel a finalized document, with a reason' },
			{ name: 'Create', value: 'create', action: 'Create a document' },
			{ name: 'Delete Draft', value: 'deleteDraft', action: 'Delete a draft document' },
			{ name: 'Finalize', value: 'finalize', action: 'Finalize a document', description: 'Give a draft its legal number and ATCUD' },
			{ name: 'Get', value: 'get', action: 'Get a document' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many documents' },
			{ name: 'Get PDF', value: 'getPdf', action: 'Get the PDF of a document' },
			{ name: 'Get Related Documents', value: 'getRelated', action: 'Get documents related to a document' },
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
		displayOptions: { show: { resource: ['document'] }, hide: { operation: ['getAll', 'getPdf', 'getRelated'] } },
	},
	documentIdField('document', ['get', 'finalize', 'cancel', 'settle', 'deleteDraft', 'sendEmail', 'getPdf', 'getRelated']),
	...cancelDescription,
	...createDescription,
	...getAllDescription,
	...sendEmailDescription,
	...getPdfDescription,
];
