import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { errorStatus } from '../shared/errors';
import { asNodeError } from '../shared/execute';
import { ePagesBeyondApiTest } from '../services/epagesBeyond/credentialTest';
import { BEYOND_EVENT_OPTIONS, RAW_OUTPUT_DESCRIPTION } from './beyond/descriptions';
import { bodyJson, bodyText } from '../shared/http';
import { orderFromBeyond } from '../services/epagesBeyond/order';
import { beyondRequest } from '../services/epagesBeyond/transport';
import { emptyMemory, judgeDelivery, mergeMemory, signatureHeaders, subscriptionTypes, type BeyondEvent, type WebhookMemory } from './beyond/webhook';

/**
 * Starts a workflow seconds after an order changes in an ePages Beyond shop: a webhook subscription
 * made on activation and removed on deactivation (reference epages.md §4b), every delivery checked
 * against the shop's signature before anything runs (beyond/webhook.ts decides, this file does the I/O).
 *
 * What it keeps in the workflow's static data: the subscription and the signer (its shared secret),
 * the deliveries received (a repeat starts nothing) and the events started per order.
 */

interface Registration {
	subscriptionId?: string;
	callbackUri?: string;
	eventTypes?: string[];
	signerId?: string;
	/** The signer this trigger created (so that deactivation removes only what it added). */
	signerCreated?: boolean;
	sharedSecret?: string;
	memory?: WebhookMemory;
}

const registration = (ctx: IHookFunctions | IWebhookFunctions) => ctx.getWorkflowStaticData('node') as Registration;

/**
 * The delivery memory, also kept in this process. n8n 2.41 saves what webhook() writes to the static
 * data only when the delivery starts no execution (starting one clears the data's "changed" flag before
 * the answer would save it), and deliveries handled at the same time each load and save their own copy.
 * From the static data alone, a replayed paid delivery would start again, and so would a later change
 * of a paid order. Per workflow, node and subscription; merged with the static data on every delivery.
 */
const MEMORY = new Map<string, WebhookMemory>();
const memoryKey = (ctx: IHookFunctions | IWebhookFunctions, reg: Registration) => `${String(ctx.getWorkflow().id)}\n${ctx.getNode().name}\n${reg.subscriptionId ?? ''}`;

function chosenEvents(ctx: IHookFunctions | IWebhookFunctions): BeyondEvent[] {
	const events = ctx.getNodeParameter('events', []) as BeyondEvent[];
	if (events.length === 0) throw new NodeOperationError(ctx.getNode(), 'Choose at least one event');
	return events;
}

function webhookUrl(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(ctx.getNode(), 'n8n gave no webhook URL for this trigger');
	if (!/^https:\/\//i.test(url) && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/i.test(url)) {
		throw new NodeOperationError(ctx.getNode(), `The webhook URL "${url}" is not https: ePages Beyond delivers to https addresses only`, {
			description: 'Set WEBHOOK_URL of n8n to its public https address, or use the ePages Trigger (polling) instead.',
		});
	}
	return url;
}

const embedded = (body: unknown, key: string): IDataObject[] => {
	const json = bodyJson(body) as IDataObject | undefined;
	const list = (json?._embedded as IDataObject | undefined)?.[key];
	return Array.isArray(list) ? (list as IDataObject[]) : [];
};

export class EPagesBeyondTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ePages Beyond Trigger',
		name: 'ePagesBeyondTrigger',
		icon: { light: 'file:../../icons/epages.svg', dark: 'file:../../icons/epages.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description: 'Starts the workflow within seconds when an order of an ePages Beyond shop is created, paid, cancelled or returned (signed webhooks)',
		defaults: { name: 'ePages Beyond Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'ePagesBeyondApi', required: true, testedBy: 'ePagesBeyondApiTest' }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName:
					'ePages Beyond signs each delivery over the webhook URL it was given. If n8n runs behind a proxy, set n8n\'s WEBHOOK_URL to the public address, or every delivery is refused as unsigned. Where n8n cannot be reached from the internet, use the ePages Trigger (polling) instead.',
				name: 'proxyNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					...BEYOND_EVENT_OPTIONS,
				],
				default: ['orderPaid'],
			},
			{
				displayName: 'Output as Beyond Sends It',
				name: 'rawOutput',
				type: 'boolean',
				default: false,
				description: RAW_OUTPUT_DESCRIPTION,
			},
		],
	};

	methods = { credentialTest: { ePagesBeyondApiTest } };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const reg = registration(this);
				if (!reg.subscriptionId || !reg.sharedSecret) return false;
				const res = await beyondRequest(this, 'GET', `/webhook-subscriptions/${encodeURIComponent(reg.subscriptionId)}`, { accept: [404], action: 'read the webhook subscription' });
				if (res.status === 404) return false;
				const sub = bodyJson(res.body) as IDataObject | undefined;
				const wanted = subscriptionTypes(chosenEvents(this));
				const types = Array.isArray(sub?.eventTypes) ? (sub!.eventTypes as string[]).slice().sort() : [];
				return sub?.callbackUri === webhookUrl(this) && sub?.active !== false && JSON.stringify(types) === JSON.stringify(wanted);
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const reg = registration(this);
				const uri = webhookUrl(this);
				const eventTypes = subscriptionTypes(chosenEvents(this));
				// A signer first: the shop signs every delivery with it, and refuses subscriptions without one.
				if (!reg.sharedSecret) {
					const res = await beyondRequest(this, 'POST', '/signers', { body: {}, action: 'create a signer for the webhooks' });
					const signer = bodyJson(res.body) as IDataObject | undefined;
					if (typeof signer?.sharedSecret !== 'string' || signer.sharedSecret === '') {
						throw new NodeApiError(this.getNode(), { message: 'ePages Beyond created a signer without a shared secret' }, { message: 'ePages Beyond created a signer without a shared secret' });
					}
					reg.signerId = String(signer._id ?? '');
					reg.sharedSecret = signer.sharedSecret;
					reg.signerCreated = true;
				}
				// A subscription of this app left behind for this very URL (an earlier activation) is replaced.
				const existing = embedded((await beyondRequest(this, 'GET', '/webhook-subscriptions', { qs: { page: 0, size: 100 }, action: 'list the webhook subscriptions' })).body, 'subscriptions');
				for (const sub of existing.filter((s) => s.callbackUri === uri)) {
					await beyondRequest(this, 'DELETE', `/webhook-subscriptions/${encodeURIComponent(String(sub._id))}`, { accept: [404], action: 'remove an old subscription of this trigger' });
				}
				try {
					const res = await beyondRequest(this, 'POST', '/webhook-subscriptions', { body: { callbackUri: uri, eventTypes }, action: 'subscribe to order events' });
					const sub = bodyJson(res.body) as IDataObject | undefined;
					reg.subscriptionId = String(sub?._id ?? '');
					reg.callbackUri = uri;
					reg.eventTypes = eventTypes;
					// A first activation starts with nothing remembered, in this process too.
					if (!reg.memory) MEMORY.delete(memoryKey(this, reg));
					reg.memory ??= emptyMemory();
					return true;
				} catch (error) {
					if (errorStatus(error) === 400 && /overlapping/i.test(String((error as Error).message))) {
						const other = existing.find((s) => Array.isArray(s.eventTypes) && (s.eventTypes as string[]).some((t) => eventTypes.includes(t)));
						throw new NodeOperationError(this.getNode(), `Another subscription of this app already receives ${eventTypes.join(', ')}${other ? ` (sent to ${String(other.callbackUri)})` : ''}`, {
							description: 'ePages Beyond allows one subscription per event type and app: deactivate the other workflow, or give this one its own custom app and credential.',
						});
					}
					throw asNodeError(this.getNode(), error);
				}
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const reg = registration(this);
				MEMORY.delete(memoryKey(this, reg));
				if (reg.subscriptionId) {
					await beyondRequest(this, 'DELETE', `/webhook-subscriptions/${encodeURIComponent(reg.subscriptionId)}`, { accept: [404], action: 'unsubscribe from order events' });
				}
				if (reg.signerCreated && reg.signerId) {
					// The shop keeps its last signer (400): then it stays, unused.
					await beyondRequest(this, 'DELETE', `/signers/${encodeURIComponent(reg.signerId)}`, { accept: [400, 404], action: 'remove the signer of the webhooks' });
				}
				for (const key of ['subscriptionId', 'callbackUri', 'eventTypes', 'signerId', 'signerCreated', 'sharedSecret', 'memory'] as const) delete reg[key];
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const reg = registration(this);
		const key = memoryKey(this, reg);
		// The exact bytes the shop signed: the raw body, never a re-serialised parse.
		const raw = (req as unknown as { rawBody?: Buffer | string }).rawBody;
		const body = raw !== undefined ? bodyText(raw) : typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? {});
		const eventType = String(req.headers['x-epages-webhook-event-type'] ?? '');
		let order: IDataObject | undefined;
		try {
			const parsed = JSON.parse(body) as unknown;
			order = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as IDataObject) : undefined;
		} catch {
			order = undefined;
		}
		const { verdict, memory } = judgeDelivery(
			{
				signatures: signatureHeaders(req.headers['x-epages-signature']),
				secrets: reg.sharedSecret ? [reg.sharedSecret] : [],
				// The URI the subscription was made with: what the shop signs, whatever a proxy rewrote.
				uri: reg.callbackUri ?? this.getNodeWebhookUrl('default') ?? '',
				body,
				eventType,
				order,
				chosen: this.getNodeParameter('events', []) as BeyondEvent[],
				now: Date.now(),
			},
			mergeMemory(reg.memory ?? emptyMemory(), MEMORY.get(key) ?? emptyMemory()),
		);
		if (verdict.kind === 'reject') {
			res.status(401).json({ error: verdict.reason });
			return { noWebhookResponse: true };
		}
		reg.memory = memory;
		MEMORY.set(key, memory);
		if (verdict.kind === 'ignore') return { webhookResponse: { received: true, started: false, reason: verdict.reason } };
		const asBeyond = this.getNodeParameter('rawOutput', false) as boolean;
		let json: IDataObject;
		try {
			json = asBeyond ? order! : orderFromBeyond(order!);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), `ePages Beyond: ${(error as Error).message}`);
		}
		return { workflowData: [verdict.events.map((event) => ({ json: { ...json, _event: event, _eventType: eventType } }))] };
	}
}
