import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import type { ApiContext } from '../../shared/http';
import { bodyJson } from '../../shared/http';
import { taxSchema, type IxTax } from '../helpers/document';
import { ixError, ixGetAll, ixRequest } from '../transport';

const taxesCache = new WeakMap<object, Promise<IxTax[]>>();
const sequencesCache = new WeakMap<object, Promise<IDataObject[]>>();

/** The account's taxes, fetched once per execution (the context lives as long as the execution). */
export async function loadTaxes(ctx: ApiContext, itemIndex?: number): Promise<IxTax[]> {
	let cached = taxesCache.get(ctx);
	if (!cached) {
		cached = (async () => {
			const { body } = await ixRequest(ctx, 'GET', '/taxes.json', { itemIndex, action: 'load the taxes' });
			const parsed = z.object({ taxes: z.array(taxSchema) }).safeParse(bodyJson(body));
			if (!parsed.success) throw ixError(ctx, 'InvoicExpress answered an unexpected shape for /taxes.json', { itemIndex });
			return parsed.data.taxes;
		})();
		taxesCache.set(ctx, cached);
		cached.catch(() => taxesCache.delete(ctx));
	}
	return await cached;
}

export async function loadSequences(ctx: ApiContext, itemIndex?: number): Promise<IDataObject[]> {
	let cached = sequencesCache.get(ctx);
	if (!cached) {
		cached = ixGetAll(ctx, '/sequences.json', 'sequences', {}, undefined, itemIndex);
		sequencesCache.set(ctx, cached);
		cached.catch(() => sequencesCache.delete(ctx));
	}
	return await cached;
}
