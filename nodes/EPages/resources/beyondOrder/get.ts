import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getBeyondOrder, shaped } from '../../../services/epagesBeyond/orders';
import { beyondOrderId, rawField } from './common';

export const getDescription: INodeProperties[] = [rawField(['get'])];

export async function get(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const raw = await getBeyondOrder(this, beyondOrderId(this, i), i);
	return [{ json: shaped(this, raw, this.getNodeParameter('rawOutput', i, false) as boolean, i) }];
}
