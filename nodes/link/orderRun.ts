import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { Shop } from '../services/shop';
import { orderLabel, UNNUMBERED_ORDER, stepsFor, type Step } from '../shared/execute';
import { shopOrRefuse } from './shops';

/** What every run of one order starts with (invoice and credit note alike). */
export interface OrderRunStart {
	/** "order 1001", in every message about the order. */
	label: string;
	/** Each request as a named step whose failure names the order and the step. */
	step: Step;
	/** The shop the order is read from and written back to; none when not connected. */
	shop: Shop | undefined;
}

/** The label, the steps and the shop of an order's run; an order from another platform is refused here, before any request. */
export function startOrderRun(ctx: IExecuteFunctions, i: number, params: { connectEPages: boolean; platform?: string }, order: IDataObject): OrderRunStart {
	const label = orderLabel(order, UNNUMBERED_ORDER);
	return { label, step: stepsFor(ctx, i, label), shop: shopOrRefuse(ctx, i, params.connectEPages, params.platform, order, label) };
}
