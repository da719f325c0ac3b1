import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requiredId } from '../common';

/** Whether to give Beyond's own answer instead of the order to invoice. */
export const rawField = (operations: string[]): INodeProperties => ({
	displayName: 'Output as Beyond Sends It',
	name: 'rawOutput',
	type: 'boolean',
	default: false,
	description:
		'Whether to output the order as the Beyond API answers it. Off: in the shape of ePages Now orders, which "Create From ePages Order" and "Credit From ePages Order" read.',
	displayOptions: { show: { resource: ['beyondOrder'], operation: operations } },
});

export const beyondOrderId = (ctx: IExecuteFunctions, i: number): string => requiredId(ctx, 'beyondOrderId', 'Order', i);
