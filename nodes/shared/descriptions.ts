import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Parameter and item helpers that both nodes' resource/operation files use. */

/** One operation: runs for one input item and returns that item's output items. */
export type OperationHandler = (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>;

export function show(resource: string, operations: string[]): INodeProperties['displayOptions'] {
	return { show: { resource: [resource], operation: operations } };
}

export function asItems(json: IDataObject | IDataObject[]): INodeExecutionData[] {
	return (Array.isArray(json) ? json : [json]).map((j) => ({ json: j }));
}

/** Return All / Limit of every Get Many. */
export function returnAllFields(resource: string, operation: string): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: show(resource, [operation]),
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { resource: [resource], operation: [operation], returnAll: [false] } },
		},
	];
}

/**
 * Required parameter, trimmed; an empty one is an error before any request. A resource locator gives
 * its value (the id a URL holds, for "By URL"); a plain string, as older workflows and expressions
 * set, is taken as it is.
 */
export function requiredValue(ctx: IExecuteFunctions, name: string, label: string, itemIndex: number, description = `Set "${label}".`): string {
	const raw = ctx.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	const value = (typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '').trim();
	if (value === '') throw new NodeOperationError(ctx.getNode(), `${label} is empty`, { itemIndex, description });
	return value;
}

/** undefined for Return All; an expression can still give a bad limit, so it is checked. */
export function getLimit(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	if (returnAll) return undefined;
	const limit = Number(ctx.getNodeParameter('limit', itemIndex, 50));
	if (!Number.isInteger(limit) || limit < 1) {
		throw new NodeOperationError(ctx.getNode(), 'Limit must be a whole number of at least 1', { itemIndex });
	}
	return limit;
}

/**
 * The node's subtitle: the action of the chosen operation as a sentence ("Create an invoice from an
 * ePages order"), read from the operation options, never the raw values ("createFromEPagesOrder:
 * document"). The table is built once from the description, so a new operation needs no edit here.
 */
export function subtitleFrom(properties: INodeProperties[]): string {
	const actions: Record<string, string> = {};
	for (const p of properties) {
		if (p.name !== 'operation' || !Array.isArray(p.options)) continue;
		for (const resource of (p.displayOptions?.show?.resource as string[] | undefined) ?? []) {
			for (const o of p.options as Array<{ value?: unknown; action?: string; name?: string }>) {
				if (typeof o.value === 'string') actions[`${resource}.${o.value}`] = o.action ?? o.name ?? o.value;
			}
		}
	}
	return `={{ (${JSON.stringify(actions)})[$parameter["resource"] + "." + $parameter["operation"]] || "" }}`;
}
