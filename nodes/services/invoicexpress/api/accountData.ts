import type { IDataObject } from 'n8n-workflow';
import { createHash } from 'crypto';
import { z } from 'zod';

import type { ApiContext } from '../../../shared/http';
import { bodyJson } from '../../../shared/http';
import { oncePerContext, perContext } from '../../../shared/request';
import { taxSchema, type IxTax } from '../helpers/document';
import { getIxCredential, ixError, ixGetAll, ixRequest } from '../transport';

/**
 * Taxes per account across executions: a trigger starts one execution per order, and the tax table
 * changes a few times a year, so reading it every time would cost one call per invoice. Keyed by a
 * hash of the whole credential (a different key for the same account gets nothing from another's
 * answer); short-lived, bounded, and read again when a document cannot be mapped with it.
 */
export const ACCOUNT_TAXES_TTL_MS = 5 * 60 * 1000;
const ACCOUNT_TAXES_MAX = 50;
const accountTaxes = new Map<string, { at: number; taxes: IxTax[] }>();
/** Per execution: the table its items map with, and the one read from InvoicExpress in it (if any). */
const taxesOf = (ctx: ApiContext) => perContext(ctx, 'invoicexpress.taxes', () => ({}) as { table?: Promise<IxTax[]>; fresh?: Promise<IxTax[]> });

async function accountKey(ctx: ApiContext): Promise<string> {
	const credential = await getIxCredential(ctx);
	return createHash('sha256').update(JSON.stringify([credential.baseUrl.trim(), credential.accountName, credential.apiKey])).digest('hex');
}

function readTaxes(ctx: ApiContext, itemIndex?: number): Promise<IxTax[]> {
	const slots = taxesOf(ctx);
	if (slots.fresh) return slots.fresh;
	const pending = (async () => {
		const { body } = await ixRequest(ctx, 'GET', '/taxes.json', { itemIndex, action: 'load the taxes' });
		const parsed = z.object({ taxes: z.array(taxSchema) }).safeParse(bodyJson(body));
		if (!parsed.success) throw ixError(ctx, 'InvoicExpress answered an unexpected shape for /taxes.json', { itemIndex });
		const key = await accountKey(ctx);
		accountTaxes.delete(key);
		if (accountTaxes.size >= ACCOUNT_TAXES_MAX) accountTaxes.delete(accountTaxes.keys().next().value as string);
		accountTaxes.set(key, { at: Date.now(), taxes: parsed.data.taxes });
		return parsed.data.taxes;
	})();
	slots.fresh = pending;
	slots.table = pending;
	pending.catch(() => {
		if (slots.fresh === pending) slots.fresh = undefined;
		if (slots.table === pending) slots.table = undefined;
	});
	return pending;
}

/**
 * The account's taxes: one table per execution, taken from the account cache when it is recent.
 * `fresh`: the table as InvoicExpress has it now, read at most once per execution (every caller of
 * the execution gets the same array, so "is it another table?" is an identity check).
 */
export async function loadTaxes(ctx: ApiContext, itemIndex?: number, opts: { fresh?: boolean } = {}): Promise<IxTax[]> {
	if (opts.fresh) return await readTaxes(ctx, itemIndex);
	const slots = taxesOf(ctx);
	if (!slots.table) {
		const table = (async () => {
			const hit = accountTaxes.get(await accountKey(ctx));
			if (hit && Date.now() - hit.at < ACCOUNT_TAXES_TTL_MS) return hit.taxes;
			return await readTaxes(ctx, itemIndex);
		})();
		slots.table = table;
		table.catch(() => {
			if (slots.table === table) slots.table = undefined;
		});
	}
	return await slots.table;
}

export async function loadSequences(ctx: ApiContext, itemIndex?: number): Promise<IDataObject[]> {
	return await oncePerContext(ctx, 'invoicexpress.sequences', async () => await ixGetAll(ctx, '/sequences.json', 'sequences', {}, undefined, itemIndex));
}
