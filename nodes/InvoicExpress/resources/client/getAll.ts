import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ixGetAll } from '../../../services/invoicexpress/transport';
import { asItems, getLimit } from '../common';

export async function getAll(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const clients = await ixGetAll(this, '/clients.json', 'clients', {}, getLimit(this, i), i);
	return asItems(clients);
}
