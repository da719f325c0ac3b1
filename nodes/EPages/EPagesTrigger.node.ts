import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ePagesBeyondApiTest } from '../services/epagesBeyond/credentialTest';
import { BEYOND_EVENT_OPTIONS, RAW_OUTPUT_DESCRIPTION } from './beyond/descriptions';
import { pollBeyond } from './beyond/poll';
import { pollEPages } from './trigger/runner';
import { STATUS_EVENTS, UNINVOICED_EVENT } from './trigger/types';

const statusEvents = Object.keys(STATUS_EVENTS);
const lookbackEvents = [...statusEvents, UNINVOICED_EVENT];

export class EPagesTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ePages Trigger',
		name: 'ePagesTrigger',
		icon: { light: 'file:../../icons/epages.svg', dark: 'file:../../icons/epages.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["platform"] === "beyond" ? "Beyond: " + ($parameter["beyondEvents"] || []).join(", ") : $parameter["event"] }}',
		description: 'Starts the workflow when an order is placed, changed or reaches a status in an ePages shop',
		defaults: { name: 'ePages Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			// Now's slot in `hide`: a Platform whose every value the slots' `show` names is what n8n's editor
			// takes for an authentication selector (test/unit/editorAuthField.test.ts); a trigger saved
			// without `platform` (the default, Now) still asks for the Now credential.
			{ name: 'ePagesApi', required: true, displayOptions: { hide: { platform: ['beyond'] } } },
			{ name: 'ePagesBeyondApi', required: true, testedBy: 'ePagesBeyondApiTest', displayOptions: { show: { platform: ['beyond'] } } },
		],
		properties: [
			{
				displayName: 'Platform',
				name: 'platform',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'ePages Now / Base', value: 'now', description: 'Shops with an API URL ending in /rs/shops/ and the shop ID' },
					{
						name: 'ePages Beyond (Polling)',
						value: 'beyond',
						description: 'Beyond shops that n8n cannot be reached from; where it can, the ePages Beyond Trigger (webhooks) starts within seconds',
					},
				],
				default: 'now',
			},
			{
				displayName: 'Events',
				name: 'beyondEvents',
				type: 'multiOptions',
				required: true,
				options: [
					...BEYOND_EVENT_OPTIONS,
				],
				default: ['orderPaid'],
				description: 'The same events as the ePages Beyond Trigger, read from the orders changed since the last poll',
				displayOptions: { show: { platform: ['beyond'] } },
			},
			{
				displayName: 'Output as Beyond Sends It',
				name: 'beyondRawOutput',
				type: 'boolean',
				default: false,
				description: RAW_OUTPUT_DESCRIPTION,
				displayOptions: { show: { platform: ['beyond'] } },
			},
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'New Order', value: 'newOrder', description: 'An order was placed' },
					{ name: 'Order Archived', value: 'orderArchived', description: 'The archived date was set' },
					{ name: 'Order Closed', value: 'orderClosed', description: 'The closed date was set' },
					{ name: 'Order Delivered', value: 'orderDelivered', description: 'The delivered date was set' },
					{ name: 'Order Dispatched', value: 'orderDispatched', description: 'The dispatched date was set' },
					{ name: 'Order Invoiced', value: 'orderInvoiced', description: 'The invoiced date was set' },
					{ name: 'Order Paid', value: 'orderPaid', description: 'The paid date was set (each order once)' },
					{
						name: 'Order Paid, Not Yet Invoiced',
						value: UNINVOICED_EVENT,
						description:
							'Every paid order without an invoiced date, offered again until it has one: for invoicing, so that no paid order is left without its invoice',
					},
					{ name: 'Order Pending', value: 'orderPending', description: 'The pending date was set' },
					{
						name: 'Order Rejected (Cancelled)',
						value: 'orderRejected',
						description: 'The rejected date was set (ePages calls a cancelled order rejected)',
					},
					{ name: 'Order Returned', value: 'orderReturned', description: 'The returned date was set' },
					{
						name: 'Order Updated',
						value: 'orderUpdated',
						description:
							'Line items, addresses, shipping or payment method changed, or an order document was finalized (status changes do not count)',
					},
					{ name: 'Order Viewed', value: 'orderViewed', description: 'The order was opened in the administration' },
				],
				default: 'newOrder',
				displayOptions: { show: { platform: ['now'] } },
			},
			{
				displayName:
					'Status events watch the orders created within the lookback period: a poll with nothing new costs one request; after a change, and at least once an hour, all of them are read (one request per 100 such orders)',
				name: 'statusNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { platform: ['now'], event: statusEvents } },
			},
			{
				displayName:
					'Each paid order without an invoiced date is emitted, and again after a pause (1, 2, 4 … up to 60 minutes, or at the next poll when the order changes) until its invoiced date is set. Turn on "Write Back to ePages" in Create From ePages Order (or mark the order invoiced) so that invoiced orders stop coming.',
				name: 'uninvoicedNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { platform: ['now'], event: [UNINVOICED_EVENT] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { platform: ['now'] } },
				options: [
					{
						displayName: 'Emit',
						name: 'emit',
						type: 'options',
						options: [
							{
								name: 'Full Orders',
								value: 'fullOrders',
								description: 'Each order with its line items (one more request per order)',
							},
							{
								name: 'List Items',
								value: 'listItems',
								description: 'Orders as the order list gives them: no line items',
							},
						],
						default: 'fullOrders',
					},
					{
						displayName: 'Include New Orders',
						name: 'includeNewOrders',
						type: 'boolean',
						default: false,
						description: 'Whether to also emit orders that have not changed since they were placed',
						displayOptions: { show: { '/event': ['orderUpdated'] } },
					},
					{
						displayName: 'Locale',
						name: 'locale',
						type: 'string',
						default: '',
						placeholder: 'pt_PT',
						description: 'Language of product names in the orders, as language_COUNTRY. Empty: the shop\'s default.',
					},
					{
						displayName: 'Start From',
						name: 'startFrom',
						type: 'dateTime',
						default: '',
						description:
							'Also emit orders from this date on (taken oldest first, in portions per poll). Empty: only what happens after activation.',
					},
					{
						displayName: 'Status Lookback (Days)',
						name: 'statusLookbackDays',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 364 },
						default: 14,
						description:
							'Orders created this many days back are watched; a status set on an older order is not noticed. Without this option: 14 days, and 90 days for Order Paid, Not Yet Invoiced.',
						displayOptions: { show: { '/event': lookbackEvents } },
					},
				],
			},
		],
	};

	methods = { credentialTest: { ePagesBeyondApiTest } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		if (this.getNodeParameter('platform', 'now') === 'beyond') return await pollBeyond(this);
		return await pollEPages(this);
	}
}
