import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { setBeyondOrderNote, shaped } from '../../../services/epagesBeyond/orders';
import { beyondOrderId, rawField } from './common';

export const setNoteDescription: INodeProperties[] = [
	{
		displayName: 'Note',
		name: 'note',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: "The order's new internal note; it replaces the note as a whole",
		displayOptions: { show: { resource: ['beyondOrder'], operation: ['setNote'] } },
	},
	rawField(['setNote']),
];

export async function setNote(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const raw = await setBeyondOrderNote(this, beyondOrderId(this, i), String(this.getNodeParameter('note', i, '') ?? ''), i);
	return [{ json: shaped(this, raw, this.getNodeParameter('rawOutput', i, false) as boolean, i) }];
}
