import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * The item loop every programmatic node of the package uses: each output item is paired with its
 * input item, parameters are read per item (nothing leaks between items), and with "continue on
 * fail" a failure becomes an error item that says what went wrong instead of stopping the run.
 */
export async function runPerItem(
	ctx: IExecuteFunctions,
	handler: (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const results = await handler.call(ctx, i);
			for (const result of results) out.push({ ...result, pairedItem: { item: i } });
		} catch (error) {
			const wrapped =
				error instanceof NodeApiError || error instanceof NodeOperationError
					? error
					: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: i });
			if (ctx.continueOnFail()) {
				out.push({
					json: { error: wrapped.message, ...(wrapped.description ? { description: wrapped.description } : {}) },
					pairedItem: { item: i },
				});
				continue;
			}
			if (wrapped.context.itemIndex === undefined) wrapped.context.itemIndex = i;
			throw wrapped;
		}
	}
	return out;
}

/** Rethrows n8n errors as they are and wraps anything else, so that no raw error reaches n8n. */
export function asNodeError(
	node: ReturnType<IExecuteFunctions['getNode']>,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error as Error, { itemIndex });
}
