/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Issue 16: ePages Beyond against the local Beyond fake (test/sandbox/beyond.ts) over real HTTP:
 * the credential's token, Beyond orders in the ePages node and through Create From ePages Order (the
 * same fixtures as the Now shop, translated, invoice to the same cent), the webhook trigger hosted as
 * n8n hosts it (subscribe, verify, refuse forged and replayed deliveries, unsubscribe), and the
 * ePages Trigger's polling mode.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CredentialTestContext } from 'n8n-core';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { ePagesBeyondApiTest } from '../../nodes/services/epagesBeyond/credentialTest';

import { Poller, runNode, type RunNodeOptions } from '../harness/n8n';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { startTriggerHost, type TriggerHost } from '../harness/webhook';
import { BEYOND_DEFAULT_SCOPES, beyondSignature, startBeyondSandbox, type BeyondSandbox } from '../sandbox/beyond';
import { fakeSecret } from '../harness/secrets';
import { useSettings } from '../harness/settings';
import { loadEPagesFixture } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

const nowOrders = loadEPagesFixture().orders as unknown as IDataObject[];

let beyond: BeyondSandbox;
let ix: IxSandbox;
let app = 0;
const EP_FAST = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
useSettings({ invoicExpress: { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20 }, ePages: EP_FAST, ePagesBeyond: EP_FAST });

beforeAll(async () => {
	beyond = await startBeyondSandbox({ seed: 'fixtures' });
	ix = await startInvoicExpressSandbox({ pdfPendingPolls: 1 });
});
afterAll(async () => {
	await beyond.close();
	await ix.close();
});

/** A credential of its own per case: tokens are cached per shop and app, as in n8n. */
function beyondCredential(over: IDataObject = {}): RunNodeOptions['credentials'] {
	app++;
	return { ePagesBeyondApi: { apiUrl: beyond.apiUrl, clientId: beyond.clientId, clientSecret: beyond.clientSecret, ...over, _case: app } };
}

async function ePages(parameters: INodeParameters, credentials = beyondCredential(), input?: IDataObject[]) {
	return await runNode({ type: 'ePages', parameters: { resource: 'beyondOrder', ...parameters }, credentials, input });
}

describe('the ePages Beyond credential', () => {
	beforeEach(() => beyond.reset('fixtures'));

	it('takes one token for many calls, and a new one, without an error, when the shop stops taking it', async () => {
		const credentials = beyondCredential();
		const run = await ePages({ operation: 'getAll', returnAll: true }, credentials);
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(beyond.orders.length);
		expect(beyond.tokensIssued).toBe(1);
		const tokenCalls = beyond.requests.filter((r) => r.path === '/api/oauth/token');
		expect(tokenCalls).toHaveLength(1);
		// Basic authentication, never the secret in the body.
		expect(String(tokenCalls[0].headers.authorization)).toMatch(/^Basic /);
		expect(JSON.stringify(tokenCalls[0].body)).not.toContain(beyond.clientSecret);
		await ePages({ operation: 'get', beyondOrderId: { __rl: true, mode: 'id', value: beyond.orders[0]._id } }, credentials);
		expect(beyond.tokensIssued).toBe(1);
		beyond.expireTokens();
		const again = await ePages({ operation: 'get', beyondOrderId: { __rl: true, mode: 'id', value: beyond.orders[0]._id } }, credentials);
		expect(again.error).toBeUndefined();
		expect(again.items[0].json.orderId).toBe(beyond.orders[0]._id);
		expect(beyond.tokensIssued).toBe(2);
	});

	it('a wrong secret is named as such, and the secret is never in the error', async () => {
		const wrong = fakeSecret('wrong-beyond-secret');
		const run = await ePages({ operation: 'getAll', limit: 1 }, beyondCredential({ clientSecret: wrong }));
		expect(run.error?.message).toMatch(/^ePages Beyond could not give an access token: the shop refused the client ID or secret/);
		expect(run.error?.description).toBe('Fix the client ID or secret in the ePages Beyond credential.');
		expect(JSON.stringify(run.error)).not.toContain(wrong);
	});

	it('a missing scope is named', async () => {
		beyond.scopes = ['cust:r'];
		try {
			const run = await ePages({ operation: 'getAll', limit: 1 }, beyondCredential());
			expect(run.error?.message).toMatch(/^ePages Beyond could not list orders \(HTTP 403\)/);
			expect(run.error?.description).toContain('this needs ordr:r');
		} finally {
			beyond.scopes = [...BEYOND_DEFAULT_SCOPES];
		}
	});

	it('a Base/Now API URL in the Beyond credential is refused before any request, naming the right credential', async () => {
		const before = beyond.requests.length;
		const run = await ePages({ operation: 'getAll', limit: 1 }, beyondCredential({ apiUrl: 'https://shop.example.com/rs/shops/Demo' }));
		expect(run.error?.message).toContain('belongs to an ePages Base/Now shop: use the "ePages API" credential');
		expect(beyond.requests.length).toBe(before);
	});
});

describe('the ePages Beyond credential test (in the editor)', () => {
	beforeEach(() => beyond.reset('empty'));
	const test = async (data: IDataObject) =>
		await ePagesBeyondApiTest.call(new CredentialTestContext(), { id: 'c', name: 'Beyond', type: 'ePagesBeyondApi', data: { apiUrl: beyond.apiUrl, clientId: beyond.clientId, clientSecret: beyond.clientSecret, ...data } });

	it('says Connected, or names the wrong field: API URL, client ID or secret, missing scopes', async () => {
		expect(await test({})).toEqual({ status: 'OK', message: 'Connected' });
		const wrong = fakeSecret('editor-wrong-secret');
		const bad = await test({ clientSecret: wrong });
		expect(bad.status).toBe('Error');
		expect(bad.message).toMatch(/^The client ID or secret is wrong: the shop refused the client ID or secret/);
		expect(bad.message).not.toContain(wrong);
		// Another service at that address (the InvoicExpress sandbox), and nothing at all.
		expect(await test({ apiUrl: `${ix.url.replace(/\/+$/, '')}/api` })).toMatchObject({ status: 'Error', message: expect.stringMatching(/^The API URL is wrong: no ePages Beyond shop answers at this API URL/) });
		expect(await test({ apiUrl: 'http://127.0.0.1:9/api' })).toMatchObject({ status: 'Error', message: expect.stringMatching(/^No ePages Beyond shop could be reached at http:\/\/127\.0\.0\.1:9\/api/) });
		expect(await test({ apiUrl: 'https://shop.example.com/rs/shops/Demo' })).toMatchObject({ status: 'Error', message: expect.stringContaining('use the "ePages API" credential') });
		beyond.scopes = ['ordr:r'];
		try {
			expect(await test({})).toEqual({
				status: 'OK',
				message: 'Connected. The app lacks ordr:u, orde:r, clpr:c: order notes and Mark as Viewed, the paid date from the order events, Cancel will be refused',
			});
			beyond.scopes = ['cust:r'];
			expect(await test({})).toMatchObject({ status: 'Error', message: expect.stringMatching(/^The app lacks the scopes ordr:r/) });
		} finally {
			beyond.scopes = [...BEYOND_DEFAULT_SCOPES];
		}
	});
});

describe('Beyond orders in the ePages node and through Create From ePages Order', () => {
	beforeEach(() => {
		beyond.reset('fixtures');
		ix.reset();
	});

	it('Get Many filters by payment status; Set Note writes the note; Get by URL', async () => {
		const credentials = beyondCredential();
		const paid = await ePages({ operation: 'getAll', returnAll: true, beyondFilters: { paymentStatus: 'PAID' } }, credentials);
		expect(paid.items.length).toBe(beyond.orders.filter((o) => o.paymentStatus === 'PAID').length);
		expect(paid.items.every((i) => i.json.paidOn !== null)).toBe(true);
		const target = beyond.orders[0];
		const noted = await ePages({ operation: 'setNote', beyondOrderId: { __rl: true, mode: 'url', value: `${beyond.apiUrl}/orders/${target._id}` }, note: 'InvoicExpress FT A/1' }, credentials);
		expect(noted.error).toBeUndefined();
		expect(noted.items[0].json.internalNote).toBe('InvoicExpress FT A/1');
		expect(beyond.orders.find((o) => o._id === target._id)?.orderNote).toBe('InvoicExpress FT A/1');
	});

	it('Mark as Viewed and Cancel read the order first: a change already made is reported, never sent again; Cancel needs a reason', async () => {
		const credentials = beyondCredential();
		const target = beyond.orders.find((o) => !o.canceled && !o.viewed)!;
		const byId = { __rl: true, mode: 'id', value: target._id };
		const posts = () => beyond.requests.filter((r) => r.method === 'POST' && r.path.startsWith(`/api/orders/${target._id}/`)).map((r) => r.path.split('/').pop());
		const noReason = await ePages({ operation: 'cancel', beyondOrderId: byId, cancelReason: ' ' }, credentials);
		expect(noReason.error?.message).toBe('Reason is empty');
		expect(posts()).toEqual([]);
		const viewed = await ePages({ operation: 'markViewed', beyondOrderId: byId }, credentials);
		expect(viewed.items[0].json.viewedOn).not.toBeNull();
		const again = await ePages({ operation: 'markViewed', beyondOrderId: byId }, credentials);
		expect(again.items[0].json.already_done).toBe(true);
		const canceled = await ePages({ operation: 'cancel', beyondOrderId: byId, cancelReason: 'Cliente desistiu' }, credentials);
		expect(canceled.items[0].json).toMatchObject({ rejectedOn: expect.any(String), cancel_reason: 'Cliente desistiu' });
		const twice = await ePages({ operation: 'cancel', beyondOrderId: byId, cancelReason: 'Cliente desistiu' }, credentials);
		expect(twice.error).toBeUndefined();
		expect(twice.items[0].json.already_done).toBe(true);
		expect(posts()).toEqual(['mark-as-viewed', 'cancel']);
		expect(beyond.orders.find((o) => o._id === target._id)).toMatchObject({ viewed: true, canceled: true });
	});

	it('every fixture order, read from Beyond, invoices to the same cent, the same VAT lines and the same client as the Now order', async () => {
		const run = await ePages({ operation: 'getAll', returnAll: true }, beyondCredential());
		const fromBeyond = run.items.map((i) => i.json);
		expect(fromBeyond).toHaveLength(nowOrders.length);
		const ixCredentials = (name: string) => ({ invoicExpressApi: { accountName: name, apiKey: ix.apiKey, baseUrl: ix.url } });
		// Beyond orders carry no language: the line labels are fixed for both.
		const params = createFromOrderParameters({ dryRun: true, sendEmail: false }, { date: '2026-11-28', taxExemption: "={{ $json.taxModel === 'NET' ? 'M16' : 'M99' }}", shippingLabel: 'Portes', paymentFeeLabel: 'Taxa' });
		const now = await runNode({ type: 'invoicExpress', parameters: params, credentials: ixCredentials('nowshop'), input: nowOrders, continueOnFail: true });
		const byNumber = new Map(fromBeyond.map((o) => [String(o.orderNumber), o]));
		const viaBeyond = await runNode({ type: 'invoicExpress', parameters: params, credentials: ixCredentials('beyondshop'), input: nowOrders.map((o) => byNumber.get(String(o.orderNumber))!), continueOnFail: true });
		const summary = (json: IDataObject) => ({
			outcome: json.outcome ?? json.error,
			total: (json.totals_check as IDataObject | undefined)?.document_total,
			client: json.client ? { name: (json.client as IDataObject).name, fiscal_id: (json.client as IDataObject).fiscal_id ?? null } : null,
			lines: ((json.document as IDataObject | undefined)?.items as IDataObject[] | undefined)?.map((i) => [i.name, i.quantity, i.unit_price, i.discount ?? 0, (i.tax as IDataObject | undefined)?.name]),
			vat: (json.totals_check as IDataObject | undefined)?.by_rate ?? null,
		});
		expect(viaBeyond.items.map((i) => summary(i.json))).toEqual(now.items.map((i) => summary(i.json)));
		expect(now.items.filter((i) => i.json.outcome === 'dry run').length).toBeGreaterThanOrEqual(10);
	});

	it('a paid Beyond order becomes one finalized invoice, keyed on the Beyond shop', async () => {
		const order = beyond.orders.find((o) => o.paymentStatus === 'PAID')!;
		const got = await ePages({ operation: 'get', beyondOrderId: { __rl: true, mode: 'id', value: order._id } });
		const run = await runNode({
			type: 'invoicExpress',
			parameters: createFromOrderParameters({ sendEmail: false }, { date: '2026-11-28', taxExemption: "={{ $json.taxModel === 'NET' ? 'M16' : 'M99' }}" }),
			credentials: { invoicExpressApi: { accountName: 'beyondinvoice', apiKey: ix.apiKey, baseUrl: ix.url } },
			input: [got.items[0].json, got.items[0].json],
		});
		expect(run.items.map((i) => i.json.outcome)).toEqual(['created', 'already invoiced']);
		const legal = ix.legalDocuments();
		expect(legal).toHaveLength(1);
		expect(legal[0].total).toBe(order.grandTotal.amount);
		expect(legal[0].proprietary_uid).toMatch(/^epages:beyond:127\.0\.0\.1:\d+:/);
	});
});

describe('the ePages Beyond Trigger (webhooks)', () => {
	let host: TriggerHost;
	const credentials = () => ({ ePagesBeyondApi: { apiUrl: beyond.apiUrl, clientId: beyond.clientId, clientSecret: beyond.clientSecret } });

	beforeEach(async () => {
		beyond.reset('empty');
		host = await startTriggerHost({ type: 'ePagesBeyondTrigger', parameters: { events: ['orderPaid', 'orderReturned'] }, credentials: credentials() });
	});
	afterEach(async () => host.close());

	it('subscribes on activation with a signer, starts one execution per paid order, invoice-ready, and unsubscribes on deactivation', async () => {
		expect(await host.activate()).toBe(true);
		expect(beyond.signers).toHaveLength(1);
		expect(beyond.subscriptions.map((s) => [s.callbackUri, [...s.eventTypes].sort()])).toEqual([[host.webhookUrl, ['order.created', 'order.updated']]]);
		expect(await host.checkExists()).toBe(true);
		const order = beyond.addOrder();
		beyond.setPaymentStatus(order._id, 'PAID');
		await beyond.waitForDeliveries();
		// Created (unpaid) starts nothing; paid starts once.
		expect(host.executions.map((e) => e.map((i) => [i.json.orderNumber, i.json._event]))).toEqual([[[order.orderNumber, 'orderPaid']]]);
		expect(beyond.deliveries.every((d) => d.outcome === 'delivered')).toBe(true);
		// A later change of the paid order (shipped) does not start "paid" again.
		beyond.setShippingStatus(order._id, 'SHIPPED');
		await beyond.waitForDeliveries();
		expect(host.executions).toHaveLength(1);
		// The order the trigger gives is the package's order shape: it invoices.
		const run = await runNode({
			type: 'invoicExpress',
			parameters: createFromOrderParameters({ sendEmail: false }, { date: '2026-11-28', taxExemption: 'M99' }),
			credentials: { invoicExpressApi: { accountName: 'beyondhook', apiKey: ix.apiKey, baseUrl: ix.url } },
			input: host.executions[0].map((i) => i.json),
		});
		expect(run.items[0].json).toMatchObject({ outcome: 'created', status: 'final', total: order.grandTotal.amount });
		expect(await host.deactivate()).toBe(true);
		expect(beyond.subscriptions).toEqual([]);
		expect(host.staticData).toEqual({ 'node:Trigger': {} });
	});

	it('forged, unsigned and replayed deliveries are answered 401 and start nothing; a retry of a taken delivery starts nothing', async () => {
		await host.activate();
		const order = beyond.addOrder();
		beyond.setPaymentStatus(order._id, 'PAID');
		await beyond.waitForDeliveries();
		expect(host.executions).toHaveLength(1);
		const paid = beyond.deliveries.find((d) => d.eventType === 'order.updated')!;
		const post = async (headers: Record<string, string | string[]>, body: string) =>
			await new Promise<number>((resolve, reject) => {
				const req = httpRequest(host.webhookUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
					res.resume();
					res.on('end', () => resolve(res.statusCode ?? 0));
				});
				req.on('error', reject);
				req.end(body);
			});
		const forged = paid.body.replace('"PAID"', '"PAID" ').replace(/"orderNumber":"[^"]+"/, '"orderNumber":"99999"');
		expect(await post({ 'X-EPAGES-WEBHOOK-EVENT-TYPE': 'order.updated', 'X-EPAGES-SIGNATURE': paid.signatures[0] }, forged)).toBe(401);
		expect(await post({ 'X-EPAGES-WEBHOOK-EVENT-TYPE': 'order.updated' }, paid.body)).toBe(401);
		expect(await post({ 'X-EPAGES-WEBHOOK-EVENT-TYPE': 'order.updated', 'X-EPAGES-SIGNATURE': beyondSignature('guessed-secret', host.webhookUrl, forged) }, forged)).toBe(401);
		// The shop's own retry (or a replay): the same bytes and signatures.
		beyond.redeliver(paid.id);
		await beyond.waitForDeliveries();
		expect(host.answers.slice(-4).map((a) => a.status)).toEqual([401, 401, 401, 401]);
		expect(host.executions).toHaveLength(1);
	});

	it('with static data kept as n8n 2.41 keeps it, a replayed paid delivery and a later change of a paid order still start nothing, and deliveries handled at once are all remembered', async () => {
		await host.close();
		host = await startTriggerHost({ type: 'ePagesBeyondTrigger', parameters: { events: ['orderPaid'] }, credentials: credentials(), staticData: 'n8n' });
		await host.activate();
		// Four orders created and paid at once: their deliveries reach the trigger concurrently.
		const orders = Array.from({ length: 4 }, () => beyond.addOrder());
		for (const order of orders) beyond.setPaymentStatus(order._id, 'PAID');
		await beyond.waitForDeliveries();
		expect(host.executions.map((e) => e[0].json.orderNumber).sort()).toEqual(orders.map((o) => o.orderNumber).sort());
		// The shop replays every delivery: each is refused, none starts a run.
		const originals = beyond.deliveries.filter((d) => !d.replayOf);
		expect(originals).toHaveLength(8);
		const replays = originals.map((d) => beyond.redeliver(d.id));
		await beyond.waitForDeliveries();
		expect(replays.map((d) => d.attempts[0].status)).toEqual(replays.map(() => 401));
		// A later change of a paid order (shipped) is not "paid" again.
		beyond.setShippingStatus(orders[0]._id, 'SHIPPED');
		await beyond.waitForDeliveries();
		expect(host.executions).toHaveLength(4);
		expect(await host.deactivate()).toBe(true);
		expect(beyond.subscriptions).toEqual([]);
	});

	it('behind a proxy: the shop signs the public URL, and the trigger checks against it, not against the address it is reached at', async () => {
		await host.close();
		// The proxy listens where the shop delivers (the public URL) and forwards to the trigger's host.
		let target = 0;
		const proxy: Server = createServer((req, res) => {
			const forward = httpRequest({ host: '127.0.0.1', port: target, path: req.url?.replace('/public', ''), method: req.method, headers: req.headers }, (answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			});
			req.pipe(forward);
		});
		await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
		const proxyPort = (proxy.address() as AddressInfo).port;
		host = await startTriggerHost({
			type: 'ePagesBeyondTrigger',
			parameters: { events: ['orderPaid'] },
			credentials: credentials(),
			publicBaseUrl: `http://127.0.0.1:${proxyPort}/public/webhook`,
		});
		target = Number(/127\.0\.0\.1:(\d+)/.exec(host.address)![1]);
		try {
			await host.activate();
			expect(beyond.subscriptions[0].callbackUri).toBe(`http://127.0.0.1:${proxyPort}/public/webhook/beyond-hook/webhook`);
			const order = beyond.addOrder({ paymentStatus: 'PAID' });
			await beyond.waitForDeliveries();
			expect(host.executions.map((e) => e[0].json.orderNumber)).toEqual([order.orderNumber]);
		} finally {
			await new Promise<void>((resolve) => proxy.close(() => resolve()));
		}
	});
});

describe('the ePages Trigger polling a Beyond shop', () => {
	beforeEach(() => beyond.reset('empty'));

	it('starts from activation, then gives each paid order once, as the package\'s order shape', async () => {
		const poller = new Poller({ type: 'ePagesTrigger', parameters: { platform: 'beyond', beyondEvents: ['orderPaid'] }, credentials: { ePagesBeyondApi: { apiUrl: beyond.apiUrl, clientId: beyond.clientId, clientSecret: beyond.clientSecret } } });
		expect(await poller.poll()).toEqual([]);
		const a = beyond.addOrder();
		const b = beyond.addOrder();
		beyond.setPaymentStatus(a._id, 'PAID');
		const first = await poller.poll();
		expect(first.map((i) => [i.json.orderNumber, i.json._event])).toEqual([[a.orderNumber, 'orderPaid']]);
		beyond.setPaymentStatus(b._id, 'PAID');
		beyond.setShippingStatus(a._id, 'SHIPPED');
		const second = await poller.poll();
		expect(second.map((i) => [i.json.orderNumber, i.json._event])).toEqual([[b.orderNumber, 'orderPaid']]);
		expect(await poller.poll()).toEqual([]);
	});
});
