import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createClient } from '../../../services/invoicexpress/api/clients';
import { readClient } from './shared';

export async function create(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const { client, warnings } = readClient(this, i);
	const result = await createClient(this, client, i);
	return [{ json: { ...result.client, created: result.created, ...(warnings.length ? { warnings } : {}) } }];
}
