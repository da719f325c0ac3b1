import type { INodeProperties } from 'n8n-workflow';

import type { OperationHandler } from '../common';
import { cancel, changeStatusDescription, markViewed } from './changeStatus';
import { get, getDescription } from './get';
import { getAll, getAllDescription } from './getAll';
import { setNote, setNoteDescription } from './setNote';

/**
 * Orders of an ePages Beyond shop (the newer ePages platform), through the "ePages Beyond API"
 * credential. Orders come out in the same shape as ePages Now orders, so that "Create From ePages
 * Order" and "Credit From ePages Order" take them unchanged.
 */
export const beyondOrderOperations: Record<string, OperationHandler> = { get, getAll, setNote, markViewed, cancel };

/** An order's API URL on Beyond; the group is its id. */
const ORDER_URL = '^\\s*https?://[^/\\s]+/api/orders/([^/?#\\s]+)';

export const beyondOrderDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['beyondOrder'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased -- "Beyond" is the ePages platform's name
				action: 'Cancel a Beyond order',
				description: 'Cancel the order in the shop with a reason (needs the clpr:c scope; cannot be undone; an order already cancelled is reported, not cancelled again)',
			},
			// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased -- "Beyond" is the ePages platform's name
			{ name: 'Get', value: 'get', action: 'Get a Beyond order', description: 'Get an order of an ePages Beyond shop with its line items' },
			// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased -- "Beyond" is the ePages platform's name
			{ name: 'Get Many', value: 'getAll', action: 'Get many Beyond orders' },
			// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased -- "Beyond" is the ePages platform's name
			{ name: 'Mark as Viewed', value: 'markViewed', action: 'Mark a Beyond order as viewed' },
			// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased -- "Beyond" is the ePages platform's name
			{ name: 'Set Note', value: 'setNote', action: 'Set the note of a Beyond order', description: "Replace the order's internal note (needs the ordr:u scope)" },
		],
		default: 'get',
	},
	{
		displayName: 'Order',
		name: 'beyondOrderId',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'id', value: '' },
		description: 'The order, by its ID or by its API URL',
		displayOptions: { show: { resource: ['beyondOrder'], operation: ['get', 'setNote', 'markViewed', 'cancel'] } },
		modes: [
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 0da86a9c-8633-4c26-9647-e85dda934669',
				validation: [{ type: 'regex', properties: { regex: '^[^/?#\\s]+$', errorMessage: 'An order ID has no slashes or spaces' } }],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'e.g. https://myshop.beyondshop.cloud/api/orders/0da86a9c-…',
				extractValue: { type: 'regex', regex: ORDER_URL },
				validation: [{ type: 'regex', properties: { regex: ORDER_URL, errorMessage: 'Not an order URL of a Beyond shop (…/api/orders/<id>)' } }],
			},
		],
	},
	...getDescription,
	...getAllDescription,
	...setNoteDescription,
	...changeStatusDescription,
];
