import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { epGetAll } from '../../../services/epagesNow/transport';
import { asItems, getLimit } from '../common';

export async function getAll(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const limit = getLimit(this, i);
	return asItems(await epGetAll(this, '/customers', {}, limit, { itemIndex: i, action: 'list customers' }));
}
