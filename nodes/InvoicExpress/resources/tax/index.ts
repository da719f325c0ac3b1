import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { loadTaxes } from '../../../services/invoicexpress/api/accountData';
import { asItems, type OperationHandler } from '../common';

async function getAll(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	// Asked for explicitly: the account as it is now, not the cache of earlier executions.
	return asItems((await loadTaxes(this, i, { fresh: true })) as unknown as IDataObject[]);
}

export const taxOperations: Record<string, OperationHandler> = { getAll };

export const taxDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['tax'] } },
		options: [{ name: 'Get Many', value: 'getAll', action: 'Get many taxes', description: 'List the taxes (VAT rates) of the account' }],
		default: 'getAll',
	},
];
