import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ixRequest, unwrapRoot } from '../../../services/invoicexpress/transport';
import { requiredString } from '../common';

export async function get(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const id = requiredString(this, 'clientId', 'Client ID', i);
	const res = await ixRequest(this, 'GET', `/clients/${encodeURIComponent(id)}.json`, { itemIndex: i, action: `get client ${id}` });
	return [{ json: unwrapRoot(res.body) ?? {} }];
}
