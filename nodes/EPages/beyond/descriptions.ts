import type { INodePropertyOptions } from 'n8n-workflow';

/** The order events of Beyond shops, for the webhook trigger and the ePages Trigger's polling mode alike. */
export const BEYOND_EVENT_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Order Cancelled', value: 'orderCancelled', description: 'Once per order, when it is cancelled' },
	{ name: 'Order Created', value: 'orderCreated', description: 'Every new order' },
	{ name: 'Order Paid', value: 'orderPaid', description: 'Once per order, when its payment status becomes PAID' },
	{ name: 'Order Returned', value: 'orderReturned', description: 'Once per order, when its shipping status becomes RETURNED' },
	{ name: 'Order Updated', value: 'orderUpdated', description: 'Every change of an order' },
];

/** What "Output as Beyond Sends It" means, wherever Beyond orders come out. */
export const RAW_OUTPUT_DESCRIPTION =
	'Whether to output the order as Beyond sends it. Off: in the shape of ePages Now orders, which "Create From ePages Order" and "Credit From ePages Order" read.';
