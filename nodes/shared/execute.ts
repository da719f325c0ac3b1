import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { OperationHandler } from './descriptions';

/**
 * The chosen Resource and Operation and the function that runs it, for both nodes. Read from the first
 * item: n8n does not let them vary per item (they are not expressions).
 */
export function chosenOperation(ctx: IExecuteFunctions, operations: Record<string, Record<string, OperationHandler>>) {
	const resource = ctx.getNodeParameter('resource', 0) as string;
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const handler = operations[resource]?.[operation];
	if (!handler) throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" of "${resource}" is not known`);
	return { resource, operation, handler };
}

/**
 * The item loop every programmatic node of the package uses: each output item is paired with its
 * input item, parameters are read per item (nothing leaks between items), and with "continue on
 * fail" a failure becomes an error item that says what went wrong instead of stopping the run.
 */
export async function runPerItem(
	ctx: IExecuteFunctions,
	handler: (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>,
	concurrency = 1,
	labelOf?: (itemIndex: number) => string | undefined,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	// Every error names what the item is about (the order), so that a failed item can be found again.
	const label = (i: number) => {
		try {
			return labelOf?.(i) ?? orderLabel(items[i]?.json);
		} catch {
			return orderLabel(items[i]?.json);
		}
	};
	// Results are kept per input item so that the output order is the input order, whatever finishes first.
	const results: INodeExecutionData[][] = new Array(items.length);
	const failures: Array<{ index: number; error: NodeApiError | NodeOperationError }> = [];
	// n8n sends an item to the error output ("On Error: Continue (using error output)") when it carries
	// `error`, or when its json holds only error/message/details: the description would keep it on the
	// success path, where the next step runs on it. Only then, since n8n reduces such an item to its message.
	const errorOutput = ctx.getNode().onError === 'continueErrorOutput';
	let next = 0;
	const worker = async () => {
		while (failures.length === 0 && next < items.length) {
			const i = next++;
			try {
				results[i] = (await handler.call(ctx, i)).map((result) => ({ ...result, pairedItem: { item: i } }));
			} catch (error) {
				let wrapped = asNodeError(ctx.getNode(), error, i);
				const about = label(i);
				if (about && !LABELLED.test(wrapped.message)) wrapped = withPrefix(ctx.getNode(), wrapped, `${about}: `, i);
				if (ctx.continueOnFail()) {
					results[i] = [
						{
							json: { error: wrapped.message, ...(wrapped.description ? { description: wrapped.description } : {}) },
							...(errorOutput ? { error: wrapped } : {}),
							pairedItem: { item: i },
						},
					];
					continue;
				}
				if (wrapped.context.itemIndex === undefined) wrapped.context.itemIndex = i;
				failures.push({ index: i, error: wrapped });
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
	// Items run in parallel: report the failure of the first item in input order.
	if (failures.length > 0) throw failures.sort((a, b) => a.index - b.index)[0].error;
	return results.flatMap((r) => r ?? []);
}

/** A message that already names its order (the one-step operation names order and step itself). */
const LABELLED = /^(order|reference) [^:]+: /;

/**
 * The one name of what an item or an order is about, for every message: "order 1001" (an ePages
 * order, the package's order shape, or an output of this package's order operations), else
 * "reference …" (an InvoicExpress document: the order number when made from an order). Without
 * either it is `orElse` (the link passes {@link UNNUMBERED_ORDER}: its input is an order, even one
 * without a number).
 */
/** The label of an order that has neither number nor id (yet): still said to be an order. */
export const UNNUMBERED_ORDER = 'order ?';

export function orderLabel(json: unknown): string | undefined;
export function orderLabel(json: unknown, orElse: string): string;
export function orderLabel(json: unknown, orElse?: string): string | undefined {
	if (!json || typeof json !== 'object') return orElse;
	const item = json as IDataObject;
	const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number') && String(value).trim() !== '' ? String(value).trim() : undefined;
	const order = text(item.orderNumber) ?? text(item.order_number) ?? text(item.orderId) ?? text(item.order_id);
	if (order) return `order ${order}`;
	const reference = text(item.reference);
	return reference ? `reference ${reference}` : orElse;
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

/**
 * A new error with `prefix` before the message (the order and the step). Never mutates the original:
 * one failed request (such as the tax list shared by every item of an execution) may be reported
 * by several items.
 */
export function withPrefix(
	node: ReturnType<IExecuteFunctions['getNode']>,
	error: unknown,
	prefix: string,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	const original = asNodeError(node, error, itemIndex);
	const message = `${prefix}${original.message}`;
	if (original instanceof NodeApiError) {
		const payload = { message, ...(original.httpCode ? { httpCode: original.httpCode } : {}) };
		return new NodeApiError(node, payload, {
			message,
			description: original.description ?? undefined,
			httpCode: original.httpCode ?? undefined,
			itemIndex,
		});
	}
	return new NodeOperationError(node, message, { description: original.description ?? undefined, itemIndex });
}

/**
 * `fn` over the values with at most `concurrency` calls in flight, results in the values' order. The
 * first failure stops new calls and is thrown once the calls in flight have settled.
 */
export async function mapConcurrent<T, R>(values: T[], concurrency: number, fn: (value: T, index: number) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array(values.length);
	let next = 0;
	let failure: { error: unknown } | undefined;
	const worker = async () => {
		while (failure === undefined && next < values.length) {
			const i = next++;
			try {
				results[i] = await fn(values[i], i);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, values.length)) }, worker));
	if (failure) throw failure.error;
	return results;
}

/** A step of one item's work whose failure names the item and the step ("order 1001: e-mailing … failed: …"). */
export type Step = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

export function stepsFor(ctx: IExecuteFunctions, itemIndex: number, label: string): Step {
	return async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
		try {
			return await fn();
		} catch (error) {
			throw withPrefix(ctx.getNode(), error, `${label}: ${name} failed: `, itemIndex);
		}
	};
}

/** Execution hints above a node's output; older n8n versions have none, and the run is the same without them. */
export function addHints(ctx: IExecuteFunctions, hints: NodeExecutionHint[]): void {
	const add = (ctx as Partial<Pick<IExecuteFunctions, 'addExecutionHints'>>).addExecutionHints;
	if (hints.length > 0 && typeof add === 'function') add.call(ctx, ...hints);
}
