import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { loadSequences } from '../../../services/invoicexpress/api/accountData';
import { asItems, type OperationHandler } from '../common';

async function getAll(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	return asItems(await loadSequences(this, i));
}

export const sequenceOperations: Record<string, OperationHandler> = { getAll };

export const sequenceDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['sequence'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many series',
				description: 'List the series with the per-document-type sequence IDs to use as "Series"',
			},
		],
		default: 'getAll',
	},
];
