import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { bodyJson } from '../../../shared/http';
import { epRequest } from '../../../services/epagesNow/transport';
import { localeOption, requiredId } from '../common';
import { currencyOption } from './getAll';

export async function get(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const id = requiredId(this, 'productId', 'Product ID', i);
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const qs = { ...localeOption(this, options, i), ...currencyOption(this, options, i) };
	const res = await epRequest(this, 'GET', `/products/${encodeURIComponent(id)}`, {
		qs,
		itemIndex: i,
		action: `get product ${id}`,
	});
	return [{ json: (bodyJson(res.body) ?? {}) as IDataObject }];
}
