import { createHash, createHmac, timingSafeEqual } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

/**
 * What a Beyond webhook delivery is worth, decided without I/O (the trigger node does the I/O):
 * - it is signed by the shop: `X-EPAGES-SIGNATURE` = Base64(HMAC-SHA1(signer's shared secret,
 *   callbackUri + ":" + body)), one header per signer, valid when any header matches our secret,
 *   compared in constant time (reference epages.md §4b);
 * - it was not received before: a repeat of a delivery (a replay, or a retry of one already taken)
 *   starts nothing;
 * - it is one of the events the merchant chose: Beyond sends `order.created` and `order.updated`; paid,
 *   cancelled and returned are read from the order an update carries, once per order each.
 */

export type BeyondEvent = 'orderCreated' | 'orderUpdated' | 'orderPaid' | 'orderCancelled' | 'orderReturned';

/** The Beyond event types a choice of events needs (the only order types the reference documents). */
export function subscriptionTypes(events: BeyondEvent[]): string[] {
	const types = new Set<string>();
	for (const e of events) types.add(e === 'orderCreated' ? 'order.created' : 'order.updated');
	// A paid order may arrive paid in its creation already (a prepaid checkout).
	if (events.some((e) => e === 'orderPaid' || e === 'orderCancelled' || e === 'orderReturned')) types.add('order.created');
	return [...types].sort();
}

export function signatureOf(secret: string, uri: string, body: string): string {
	return createHmac('sha1', secret).update(body === '' ? uri : `${uri}:${body}`, 'utf8').digest('base64');
}

/** The signature header(s): an array when repeated, or one value (Node joins repeats with ", "). */
export function signatureHeaders(value: unknown): string[] {
	const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
	return values.flatMap((v) => String(v).split(/,\s*/)).map((v) => v.trim()).filter(Boolean);
}

const equal = (a: string, b: string) => {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
};

export function verifySignature(headers: string[], secrets: string[], uri: string, body: string): boolean {
	const expected = secrets.filter((s) => s !== '').map((s) => signatureOf(s, uri, body));
	let ok = false;
	// Every pair is compared, so the time taken says nothing about which one matched.
	for (const h of headers) for (const e of expected) ok = equal(h, e) || ok;
	return ok;
}

/** A delivery's identity: its event type and exact body (a retry or a replay repeats both). */
export function deliveryKey(eventType: string, body: string): string {
	return createHash('sha256').update(`${eventType}\n${body}`, 'utf8').digest('base64');
}

/** What the trigger remembers between deliveries (the workflow's static data for this node). */
export interface WebhookMemory {
	/** Deliveries received, by key, with when (ms): a repeat starts nothing. */
	seen: Record<string, number>;
	/** Events already started per order, so that paid, cancelled and returned start once each. */
	fired: Record<string, Partial<Record<BeyondEvent, number>>>;
}

const KEEP_MS = 90 * 24 * 3600 * 1000;
const MAX_SEEN = 5000;

export function emptyMemory(): WebhookMemory {
	return { seen: {}, fired: {} };
}

export type DeliveryVerdict =
	| { kind: 'reject'; status: 401; reason: string }
	| { kind: 'ignore'; reason: string }
	| { kind: 'start'; events: BeyondEvent[] };

/**
 * The verdict on one delivery, and the memory after it. `order` is the payload (Beyond's order).
 * Nothing is remembered for a rejected delivery.
 */
export function judgeDelivery(
	input: { signatures: string[]; secrets: string[]; uri: string; body: string; eventType: string; order: IDataObject | undefined; chosen: BeyondEvent[]; now: number },
	memory: WebhookMemory,
): { verdict: DeliveryVerdict; memory: WebhookMemory } {
	if (input.signatures.length === 0) return { verdict: { kind: 'reject', status: 401, reason: 'unsigned delivery' }, memory };
	if (!verifySignature(input.signatures, input.secrets, input.uri, input.body)) {
		return { verdict: { kind: 'reject', status: 401, reason: 'the signature does not match' }, memory };
	}
	const key = deliveryKey(input.eventType, input.body);
	if (memory.seen[key] !== undefined) {
		return { verdict: { kind: 'reject', status: 401, reason: `replayed delivery (first received ${new Date(memory.seen[key]).toISOString()})` }, memory };
	}
	const next: WebhookMemory = { seen: { ...memory.seen, [key]: input.now }, fired: { ...memory.fired } };
	prune(next, input.now);
	const order = input.order;
	const id = typeof order?._id === 'string' ? order._id : undefined;
	if (!order || !id || (order._payloadType !== undefined && order._payloadType !== 'order')) {
		return { verdict: { kind: 'ignore', reason: `not an order (${input.eventType})` }, memory: next };
	}
	const events = deriveEvents(input.eventType, order, input.chosen, next.fired, input.now);
	if (events.length === 0) return { verdict: { kind: 'ignore', reason: `no chosen event in this ${input.eventType}` }, memory: next };
	return { verdict: { kind: 'start', events }, memory: next };
}

/**
 * The chosen events an order's creation or change is, for the webhook and the polling trigger alike:
 * created and updated as they come; paid, cancelled and returned read from the order, once per order
 * (`fired`, updated in place).
 */
export function deriveEvents(eventType: string, order: IDataObject, chosen: BeyondEvent[], fired: WebhookMemory['fired'], now: number): BeyondEvent[] {
	const id = String(order._id);
	const events: BeyondEvent[] = [];
	const once = (event: BeyondEvent, holds: boolean) => {
		if (!holds || !chosen.includes(event)) return;
		const done = fired[id] ?? {};
		if (done[event] !== undefined) return;
		fired[id] = { ...done, [event]: now };
		events.push(event);
	};
	if (eventType === 'order.created' && chosen.includes('orderCreated')) events.push('orderCreated');
	if (eventType === 'order.updated' && chosen.includes('orderUpdated')) events.push('orderUpdated');
	if (eventType === 'order.created' || eventType === 'order.updated') {
		once('orderPaid', order.paymentStatus === 'PAID');
		once('orderCancelled', order.canceled === true);
		once('orderReturned', order.shippingStatus === 'RETURNED');
	}
	return events;
}

/** Both memories in one: every delivery either has seen, every event either has started (the first time kept). */
export function mergeMemory(a: WebhookMemory, b: WebhookMemory): WebhookMemory {
	const seen: Record<string, number> = { ...a.seen };
	for (const [key, at] of Object.entries(b.seen)) seen[key] = seen[key] === undefined ? at : Math.min(seen[key], at);
	const fired: WebhookMemory['fired'] = { ...a.fired };
	for (const [id, events] of Object.entries(b.fired)) {
		const merged: Partial<Record<BeyondEvent, number>> = { ...fired[id] };
		for (const [event, at] of Object.entries(events) as Array<[BeyondEvent, number]>) merged[event] = merged[event] === undefined ? at : Math.min(merged[event], at);
		fired[id] = merged;
	}
	return { seen, fired };
}

/** Drops what is older than the memory needs: deliveries after 90 days, at most 5000; events of quiet orders. */
export function prune(memory: WebhookMemory, now: number): void {
	const entries = Object.entries(memory.seen).filter(([, at]) => now - at < KEEP_MS);
	entries.sort((a, b) => b[1] - a[1]);
	memory.seen = Object.fromEntries(entries.slice(0, MAX_SEEN));
	for (const [id, fired] of Object.entries(memory.fired)) {
		const latest = Math.max(...Object.values(fired).map(Number));
		if (now - latest >= KEEP_MS) delete memory.fired[id];
	}
}
