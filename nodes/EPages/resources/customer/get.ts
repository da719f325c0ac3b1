import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { bodyJson } from '../../../shared/http';
import { epRequest } from '../../../services/epagesNow/transport';
import { requiredId } from '../common';

export async function get(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const id = requiredId(this, 'customerId', 'Customer ID', i);
	const res = await epRequest(this, 'GET', `/customers/${encodeURIComponent(id)}`, {
		itemIndex: i,
		action: `get customer ${id}`,
	});
	return [{ json: (bodyJson(res.body) ?? {}) as IDataObject }];
}
