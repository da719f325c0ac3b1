import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { patchOrder, type OrderPatchOp } from '../../../services/epagesNow/orders';
import { ORDER_STATUS_FIELDS, type OrderStatusField } from '../../../shared/order';
import { dateParam, requiredId, show } from '../common';

const op = show('order', ['update']);

const STATUS_LABELS: Record<OrderStatusField, string> = {
	archivedOn: 'Archived',
	closedOn: 'Closed',
	deliveredOn: 'Delivered',
	dispatchedOn: 'Dispatched',
	inProcessOn: 'In Process',
	invoicedOn: 'Invoiced',
	partiallyDispatchedOn: 'Partially Dispatched',
	partiallyInvoicedOn: 'Partially Invoiced',
	partiallyPaidOn: 'Partially Paid',
	paidOn: 'Paid',
	pendingOn: 'Pending',
	readyForDispatchOn: 'Ready for Dispatch',
	rejectedOn: 'Rejected (Cancelled)',
	returnedOn: 'Returned',
	viewedOn: 'Viewed',
};

export const updateDescription: INodeProperties[] = [
	{
		displayName: 'Status Dates',
		name: 'statusDates',
		type: 'fixedCollection',
		placeholder: 'Add Status Date',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: op,
		options: [
			{
				displayName: 'Status Date',
				name: 'dates',
				values: [
					{
						displayName: 'Status',
						name: 'status',
						type: 'options',
						options: [...ORDER_STATUS_FIELDS]
							.sort((a, b) => STATUS_LABELS[a].localeCompare(STATUS_LABELS[b]))
							.map((field) => ({ name: STATUS_LABELS[field], value: field })),
						default: 'paidOn',
					},
					{
						displayName: 'Change',
						name: 'change',
						type: 'options',
						options: [
							{ name: 'Set', value: 'set', description: 'Mark the order with this status' },
							{ name: 'Clear', value: 'clear', description: 'Take the status off the order' },
						],
						default: 'set',
					},
					{
						displayName: 'Date',
						name: 'date',
						type: 'dateTime',
						default: '',
						description: 'When the status was reached. Empty: now.',
						displayOptions: { show: { change: ['set'] } },
					},
				],
			},
		],
	},
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: op,
		options: [
			{
				displayName: 'Customer Comment',
				name: 'customerComment',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				description: 'The comment shown as the customer\'s. An empty value removes it.',
			},
			{
				displayName: 'Internal Note',
				name: 'internalNote',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				description: 'A note only the merchant sees, such as an invoice number. An empty value removes it.',
			},
		],
	},
];

/** The JSON Patch for the parameters (ePages takes only add and remove), checked before any request. */
export function buildOrderPatch(ctx: IExecuteFunctions, i: number, nowMs = Date.now()): OrderPatchOp[] {
	const statusDates = ctx.getNodeParameter('statusDates', i, {}) as { dates?: IDataObject[] };
	const fields = ctx.getNodeParameter('updateFields', i, {}) as IDataObject;
	const ops: OrderPatchOp[] = [];
	const used = new Set<string>();
	for (const entry of statusDates.dates ?? []) {
		const status = String(entry.status ?? '') as OrderStatusField;
		if (!(ORDER_STATUS_FIELDS as readonly string[]).includes(status)) {
			throw new NodeOperationError(ctx.getNode(), `"${status}" is not an order status`, { itemIndex: i });
		}
		if (used.has(status)) {
			throw new NodeOperationError(ctx.getNode(), `The status ${STATUS_LABELS[status]} is given twice`, {
				itemIndex: i,
				description: 'Keep one entry per status.',
			});
		}
		used.add(status);
		if (entry.change === 'clear') {
			ops.push({ op: 'remove', path: `/${status}` });
		} else if (entry.change === 'set' || entry.change === undefined) {
			const date = dateParam(ctx, entry.date, `The date of ${STATUS_LABELS[status]}`, i) ?? new Date(nowMs).toISOString();
			ops.push({ op: 'add', path: `/${status}`, value: date });
		} else {
			throw new NodeOperationError(ctx.getNode(), `"${String(entry.change)}" is not a change (use Set or Clear)`, { itemIndex: i });
		}
	}
	for (const key of ['customerComment', 'internalNote']) {
		if (!(key in fields)) continue;
		const value = fields[key];
		const text = value === null || value === undefined ? '' : String(value);
		ops.push(text.trim() === '' ? { op: 'remove', path: `/${key}` } : { op: 'add', path: `/${key}`, value: text });
	}
	if (ops.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Nothing to update', {
			itemIndex: i,
			description: 'Add a status date, an internal note or a customer comment.',
		});
	}
	return ops;
}

export async function update(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const id = requiredId(this, 'orderId', 'Order ID', i);
	const patch = buildOrderPatch(this, i);
	return [{ json: await patchOrder(this, id, patch, { itemIndex: i }) }];
}
