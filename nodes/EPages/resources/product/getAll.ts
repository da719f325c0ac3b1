import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { epGetAll } from '../../../services/epagesNow/transport';
import { asItems, getLimit, localeOption } from '../common';

export function currencyOption(ctx: IExecuteFunctions, options: IDataObject, i: number): IDataObject {
	const currency = typeof options.currency === 'string' ? options.currency.trim().toUpperCase() : '';
	if (currency === '') return {};
	if (!/^[A-Z]{3}$/.test(currency)) {
		throw new NodeOperationError(ctx.getNode(), `The currency "${String(options.currency)}" is not an ISO 4217 code`, {
			itemIndex: i,
			description: 'Use a three-letter code such as EUR or GBP.',
		});
	}
	return { currency };
}

export async function getAll(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const limit = getLimit(this, i);
	const search = String(this.getNodeParameter('search', i, '') ?? '').trim();
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const qs: IDataObject = { ...localeOption(this, options, i), ...currencyOption(this, options, i) };
	if (search !== '') qs.q = search;
	const sort = options.sort;
	if (sort !== undefined && sort !== '') {
		if (sort !== 'name' && sort !== 'price') {
			throw new NodeOperationError(this.getNode(), `Products cannot be sorted by "${String(sort)}"`, { itemIndex: i });
		}
		qs.sort = sort;
	}
	const direction = options.direction;
	if (direction !== undefined && direction !== '') {
		if (direction !== 'asc' && direction !== 'desc') {
			throw new NodeOperationError(this.getNode(), `"${String(direction)}" is not a sort direction`, { itemIndex: i });
		}
		qs.direction = direction;
	}
	const categoryId = typeof options.categoryId === 'string' ? options.categoryId.trim() : '';
	if (categoryId !== '') qs.categoryId = categoryId;
	return asItems(await epGetAll(this, '/products', qs, limit, { itemIndex: i, action: 'list products' }));
}
