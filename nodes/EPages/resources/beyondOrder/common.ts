import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { RAW_OUTPUT_DESCRIPTION } from '../../beyond/descriptions';
import { requiredId } from '../common';

/** Whether to give Beyond's own answer instead of the order to invoice. */
export const rawField = (operations: string[]): INodeProperties => ({
	displayName: 'Output as Beyond Sends It',
	name: 'rawOutput',
	type: 'boolean',
	default: false,
	description: RAW_OUTPUT_DESCRIPTION,
	displayOptions: { show: { resource: ['beyondOrder'], operation: operations } },
});

export const beyondOrderId = (ctx: IExecuteFunctions, i: number): string => requiredId(ctx, 'beyondOrderId', 'Order', i);
