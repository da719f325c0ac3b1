import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { changeBeyondOrder, shaped } from '../../../services/epagesBeyond/orders';
import { beyondOrderId, rawField } from './common';

export const changeStatusDescription: INodeProperties[] = [
	{
		displayName: 'Reason',
		name: 'cancelReason',
		type: 'string',
		required: true,
		default: '',
		description:
			"Why the order is cancelled: sent to the shop as the cancellation's comment (needs the clpr:c scope) and given in the output. Cancelling cannot be undone; an invoiced order also needs its invoice corrected (InvoicExpress → Credit From ePages Order).",
		displayOptions: { show: { resource: ['beyondOrder'], operation: ['cancel'] } },
	},
	rawField(['markViewed', 'cancel']),
];

async function change(ctx: IExecuteFunctions, i: number, what: 'markViewed' | 'cancel'): Promise<INodeExecutionData[]> {
	const id = beyondOrderId(ctx, i);
	let reason: string | undefined;
	if (what === 'cancel') {
		reason = String(ctx.getNodeParameter('cancelReason', i, '') ?? '').trim();
		if (!reason) throw new NodeOperationError(ctx.getNode(), 'Reason is empty', { itemIndex: i, description: 'Say why the order is cancelled before anything is sent.' });
	}
	const { order, alreadyDone } = await changeBeyondOrder(ctx, id, what, i, reason);
	const json = shaped(ctx, order, ctx.getNodeParameter('rawOutput', i, false) as boolean, i);
	return [{ json: { ...json, ...(alreadyDone ? { already_done: true } : {}), ...(reason ? { cancel_reason: reason } : {}) } }];
}

export async function markViewed(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	return await change(this, i, 'markViewed');
}

export async function cancel(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	return await change(this, i, 'cancel');
}
