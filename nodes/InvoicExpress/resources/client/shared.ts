import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { buildClientPayload, clientInputSchema, InputError, type ClientPayload } from '../../../services/invoicexpress/helpers/client';
import { asNodeError } from '../../../shared/execute';
import { toOperationError } from '../common';

/** Reads name, code and the "Client Fields" collection of an item and validates them. */
export function readClient(ctx: IExecuteFunctions, itemIndex: number, opts: { codeParam?: boolean } = {}): ClientPayload {
	const fields = ctx.getNodeParameter('clientFields', itemIndex, {}) as IDataObject;
	const rules = ctx.getNodeParameter('clientOptions', itemIndex, {}) as IDataObject;
	const input = clientInputSchema.safeParse({
		name: String(ctx.getNodeParameter('name', itemIndex, '') ?? ''),
		code: opts.codeParam === false ? undefined : String(ctx.getNodeParameter('code', itemIndex, '') ?? ''),
		...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === undefined || v === null ? undefined : String(v)])),
	});
	try {
		if (!input.success) {
			const issue = input.error.issues[0];
			throw new InputError(`client ${issue.path.join('.')}: ${issue.message}`);
		}
		return buildClientPayload(input.data, {
			invalidFiscalId: (rules.invalidFiscalId as 'error' | 'finalConsumer') ?? 'error',
		});
	} catch (error) {
		if (error instanceof InputError) throw toOperationError(ctx, error, itemIndex);
		throw asNodeError(ctx.getNode(), error, itemIndex);
	}
}
