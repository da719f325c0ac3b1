import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { emailInvoiceOnce } from '../../../link/email/execute';
import { shopOrRefuse } from '../../../link/shops';
import { DEFAULT_PLATFORM, platformParameter } from '../../../services/shops';
import { show } from '../common';
import { readOrder } from './createFromOrder';
import { orderLabel, UNNUMBERED_ORDER } from '../../../shared/execute';

const op = show('document', ['emailFromEPagesOrder']);

export const emailFromOrderDescription: INodeProperties[] = [
	{
		displayName: 'Order',
		name: 'order',
		type: 'json',
		default: '={{ $json }}',
		description: 'The ePages order whose invoice is e-mailed, as the ePages node, the ePages Trigger or Create From ePages Order (its order_id and order_number) give it',
		displayOptions: op,
	},
	platformParameter(op),
	{
		displayName: 'Email Options',
		name: 'emailOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: op,
		options: [
			{ displayName: 'BCC', name: 'bcc', type: 'string', default: '', description: 'For example your accountant' },
			{ displayName: 'Body', name: 'body', type: 'string', typeOptions: { rows: 4 }, default: '' },
			{ displayName: 'Subject', name: 'subject', type: 'string', default: '' },
		],
	},
];

/** An output item of Create From ePages Order names its order by order_id/order_number: read it as the order. */
function asOrder(json: IDataObject): IDataObject {
	if (json.orderId !== undefined || json.orderNumber !== undefined) return json;
	return { ...json, orderId: json.order_id, orderNumber: json.order_number };
}

export async function emailFromOrder(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const order = asOrder(readOrder(this, i));
	const label = orderLabel(order, UNNUMBERED_ORDER);
	if (order.orderId === undefined || order.orderId === null || String(order.orderNumber ?? '').trim() === '') {
		throw new NodeOperationError(this.getNode(), `${label}: the order needs its orderId and orderNumber to find its invoice and its note`, { itemIndex: i, description: 'Give the order as the ePages node or the ePages Trigger outputs it.' });
	}
	const shop = shopOrRefuse(this, i, true, this.getNodeParameter('platform', i, DEFAULT_PLATFORM), order, label)!;
	const o = this.getNodeParameter('emailOptions', i, {}) as IDataObject;
	const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
	return await emailInvoiceOnce(this, i, shop, order, { subject: text(o.subject), body: text(o.body), bcc: text(o.bcc), logo: true });
}
