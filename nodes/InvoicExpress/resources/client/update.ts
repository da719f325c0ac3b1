import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { updateClient } from '../../../services/invoicexpress/api/clients';
import { requiredString } from '../common';
import { readClient } from './shared';

export async function update(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const id = requiredString(this, 'clientId', 'Client ID', i);
	const { client, warnings } = readClient(this, i);
	const updated = await updateClient(this, id, client, i);
	return [{ json: { ...updated, id, ...(warnings.length ? { warnings } : {}) } }];
}
