/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Issue 16 in a real n8n: the workflow "ePages Beyond Trigger (Order Paid) → InvoicExpress Create From
 * ePages Order (finalize, send e-mail)", imported with credentials pointing at the Beyond fake and the
 * InvoicExpress sandbox, and activated. n8n subscribes the shop to its production webhook URL; each
 * paid order becomes one finalized, e-mailed invoice of the order's total; forged and replayed
 * deliveries start nothing (n8n's own executions list, read over its REST API, is the witness);
 * deactivating the workflow removes the subscription.
 */
import { request as httpRequest } from 'node:http';

import { beyondSignature, startBeyondSandbox, type BeyondDelivery, type BeyondOrder, type BeyondSandbox } from '../sandbox/beyond';
import { fakeSecret } from '../harness/secrets';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { BEYOND_WEBHOOK_ID, BEYOND_WEBHOOK_WORKFLOW_ID, beyondCredential, beyondWebhookWorkflow, invoicExpressCredential, N8nRest, ownerEnv, waitFor, type N8nExecution } from './beyond-flow';
import { endE2e, ensureN8n, freePort, N8nInstance, packPackage } from './n8n';

const OWNER = { email: 'beyond-e2e@example.com', password: ['Beyond', 'e2e', '2026'].join('-') };
const WORKFLOW = BEYOND_WEBHOOK_WORKFLOW_ID;

let ix: IxSandbox;
let beyond: BeyondSandbox;
let n8n: N8nInstance;
let rest: N8nRest;
let webhookUrl: string;
let port = 0;
let paidOrders: BeyondOrder[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
	ix = await startInvoicExpressSandbox();
	beyond = await startBeyondSandbox({ seed: 'empty' });
	const install = await ensureN8n();
	n8n = new N8nInstance(install, ownerEnv(install, OWNER));
	await n8n.installPackage(await packPackage());
	await n8n.importCredentials([invoicExpressCredential('ixCredential0001', ix), beyondCredential(beyond)]);
	await n8n.importWorkflows([beyondWebhookWorkflow('ixCredential0001')]);
	const published = await n8n.cli(['publish:workflow', `--id=${WORKFLOW}`]);
	if (published.code !== 0) throw new Error(`publish failed: ${published.stdout}\n${published.stderr}`);
	port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	webhookUrl = `${base}/webhook/${BEYOND_WEBHOOK_ID}/webhook`;
	await n8n.start(port);
	rest = new N8nRest(base);
	await rest.login(OWNER.email, OWNER.password);
});

afterAll(async () => {
	// The client secret, the API key and every token the shop issued stay out of n8n's logs and storage
	// (the signer's shared secret is kept in the workflow's static data by design).
	await endE2e({
		n8n,
		services: [ix, beyond],
		secrets: () => {
			const tokens = [...new Set(beyond.requests.map((r) => String(r.headers.authorization ?? '')).filter((h) => h.startsWith('Bearer ')).map((h) => h.slice(7)))];
			expect(tokens.length).toBeGreaterThan(0);
			return [ix.apiKey, beyond.clientSecret, ...tokens];
		},
	});
});

/** What n8n's executions list says of the workflow, once every execution has ended. */
async function settledExecutions(): Promise<N8nExecution[]> {
	let list: N8nExecution[] = [];
	await waitFor('every execution to end', async () => {
		list = await rest.executions(WORKFLOW);
		return list.every((e) => e.status !== 'running' && e.status !== 'new');
	}, 60000);
	return list;
}

/** POSTs to n8n's webhook URL as a shop (or a forger) would; returns the HTTP status. */
async function post(headers: Record<string, string | string[]>, body: string): Promise<number> {
	return await new Promise<number>((resolve, reject) => {
		const req = httpRequest(webhookUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode ?? 0));
		});
		req.on('error', reject);
		req.end(body);
	});
}

const paidDeliveries = (): BeyondDelivery[] => beyond.deliveries.filter((d) => !d.replayOf && d.eventType === 'order.updated' && /"paymentStatus":"PAID"/.test(d.body));

it('activation subscribes the shop to n8n\'s production webhook URL, once, with a signer', async () => {
	await waitFor('n8n to subscribe on activation', () => beyond.subscriptions.length > 0, 120000);
	// Give a second activation (if n8n made one) the time to show.
	await sleep(3000);
	expect(beyond.subscriptions.map((s) => ({ callbackUri: s.callbackUri, eventTypes: [...s.eventTypes].sort(), active: s.active }))).toEqual([
		{ callbackUri: webhookUrl, eventTypes: ['order.created', 'order.updated'], active: true },
	]);
	expect(beyond.signers).toHaveLength(1);
	expect(beyond.signers[0].sharedSecret.length).toBeGreaterThan(0);
});

it('each order paid becomes exactly one finalized invoice of its grand total, e-mailed once; unpaid orders start nothing', async () => {
	// Six orders of buyers with an e-mail address (the shop's customers cycle; one of them gave none).
	const all: BeyondOrder[] = [];
	while (all.filter((o) => o.billingAddress.email).length < 6) all.push(beyond.addOrder());
	const orders = all.filter((o) => o.billingAddress.email);
	await beyond.waitForDeliveries();
	const created = beyond.deliveries.filter((d) => d.eventType === 'order.created');
	expect(created).toHaveLength(all.length);
	// n8n answered each creation (200) and started nothing: the orders are not paid.
	expect(created.map((d) => d.attempts.map((a) => a.status))).toEqual(all.map(() => [200]));
	expect(await settledExecutions()).toHaveLength(0);

	// Paid at the same moment: six deliveries reach n8n concurrently.
	const paidAt = Date.now();
	for (const order of orders) beyond.setPaymentStatus(order._id, 'PAID');
	await waitFor('six invoices e-mailed', () => ix.legalDocuments().length >= 6 && ix.state.emails.length >= 6, 120000);
	await beyond.waitForDeliveries();
	const executions = await settledExecutions();
	process.stdout.write(`[beyond e2e] six paid orders invoiced (and e-mailed) within ${Math.max(...ix.legalDocuments().map((d) => d.finalizedAt ?? 0), ...ix.state.emails.map((e) => e.at)) - paidAt} ms of payment\n`);

	// Every paid delivery was taken at once (200), none needed a retry.
	expect(paidDeliveries().map((d) => d.attempts.map((a) => a.status))).toEqual(orders.map(() => [200]));
	expect(executions.map((e) => [e.mode, e.status])).toEqual(orders.map(() => ['webhook', 'success']));

	const legal = ix.legalDocuments();
	expect(legal.map((d) => d.reference).sort()).toEqual(orders.map((o) => o.orderNumber).sort());
	for (const order of orders) {
		const docs = legal.filter((d) => d.reference === order.orderNumber);
		expect(docs).toHaveLength(1);
		expect(docs[0]).toMatchObject({ status: 'final', total: order.grandTotal.amount });
	}
	expect(ix.state.documents.filter((d) => d.status === 'draft')).toHaveLength(0);
	// One e-mail per invoice, to the buyer.
	const docOf = (o: BeyondOrder) => legal.find((d) => d.reference === o.orderNumber)!.id;
	expect(ix.state.emails.map((e) => [e.documentId, e.to]).sort()).toEqual(orders.map((o) => [docOf(o), o.billingAddress.email]).sort());
	expect(ix.state.emails).toHaveLength(6);
	paidOrders = orders;
});

it('a forged delivery is answered 401 and starts no execution; a genuine one is checked over the raw bytes n8n received', async () => {
	expect(paidOrders).toHaveLength(6);
	const before = (await settledExecutions()).length;
	const genuine = paidDeliveries()[0];
	// The genuine body with the total changed, under the genuine signature; a body signed with a guessed secret; no signature.
	const tampered = genuine.body.replace(/"grandTotal":\{([^}]*)"amount":[0-9.]+/, '"grandTotal":{$1"amount":0.01');
	expect(tampered).not.toBe(genuine.body);
	const other = JSON.stringify({ ...JSON.parse(genuine.body), _id: 'forged-order', orderNumber: '99999' });
	const statuses = [
		await post({ 'X-EPAGES-WEBHOOK-EVENT-TYPE': 'order.updated', 'X-EPAGES-SIGNATURE': genuine.signatures[0] }, tampered),
		await post({ 'X-EPAGES-WEBHOOK-EVENT-TYPE': 'order.updated', 'X-EPAGES-SIGNATURE': beyondSignature(fakeSecret('guessed-signer'), webhookUrl, other) }, other),
		await post({ 'X-EPAGES-WEBHOOK-EVENT-TYPE': 'order.updated' }, other),
	];
	expect(statuses).toEqual([401, 401, 401]);
	// n8n hands the trigger the raw bytes: a genuine signature over a body that parsing and
	// re-serialising would change (indented, non-ASCII escaped) is taken (200; unpaid, so nothing starts).
	const unpaid = beyond.addOrder({ billingAddress: { ...paidOrders[0].billingAddress, firstName: 'Zoë', lastName: 'Ångström' } });
	await beyond.waitForDeliveries();
	const createdBody = beyond.deliveries.find((d) => d.eventType === 'order.created' && d.body.includes(unpaid._id))!.body;
	const bytes = JSON.stringify(JSON.parse(createdBody), null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
	expect(bytes).not.toBe(JSON.stringify(JSON.parse(bytes)));
	expect(bytes).toContain('\\u00eb');
	expect(await post({ 'X-EPAGES-WEBHOOK-EVENT-TYPE': 'order.created', 'X-EPAGES-SIGNATURE': beyondSignature(beyond.signers[0].sharedSecret, webhookUrl, bytes) }, bytes)).toBe(200);
	// The same bytes signed over the re-serialised body (what a parsed body would give) are refused.
	expect(await post({ 'X-EPAGES-WEBHOOK-EVENT-TYPE': 'order.created', 'X-EPAGES-SIGNATURE': beyondSignature(beyond.signers[0].sharedSecret, webhookUrl, JSON.stringify(JSON.parse(bytes))) }, bytes)).toBe(401);
	await sleep(3000);
	expect(await settledExecutions()).toHaveLength(before);
	expect(ix.legalDocuments()).toHaveLength(6);
	expect(ix.state.emails).toHaveLength(6);
});

it('a redelivery (the same signed bytes again) starts nothing, nor does a later change of a paid order', async () => {
	const before = (await settledExecutions()).length;
	const originals = beyond.deliveries.filter((d) => !d.replayOf);
	const replays = originals.map((d) => beyond.redeliver(d.id));
	await beyond.waitForDeliveries();
	// n8n answers each replay 401 (the shop retries a few times, and gives up).
	expect(replays.map((d) => [d.outcome, [...new Set(d.attempts.map((a) => a.status))]])).toEqual(replays.map(() => ['failed', [401]]));
	// A later change of a paid order (shipped) is taken (200) and is not "paid" again.
	const [shipped] = paidOrders;
	const count = beyond.deliveries.length;
	beyond.setShippingStatus(shipped._id, 'SHIPPED');
	await beyond.waitForDeliveries();
	expect(beyond.deliveries.slice(count).map((d) => [d.eventType, d.attempts.map((a) => a.status)])).toEqual([['order.updated', [200]]]);
	await sleep(3000);
	expect(await settledExecutions()).toHaveLength(before);
	expect(ix.legalDocuments()).toHaveLength(6);
	expect(ix.state.emails).toHaveLength(6);
});

it('after n8n restarts: a replay of a delivery taken before the last unchosen one is refused; a replay of the paid delivery taken last starts a run again, which invoices and e-mails nothing twice', async () => {
	// The SHIPPED change above started nothing, so n8n saved the static data with everything the trigger
	// remembered then. A seventh order paid now starts a run: n8n does not save what the trigger wrote for it.
	const seventh = beyond.addOrder({ billingAddress: { ...paidOrders[0].billingAddress } });
	await beyond.waitForDeliveries();
	beyond.setPaymentStatus(seventh._id, 'PAID');
	await waitFor('the seventh invoice e-mailed', () => ix.state.emails.length === 7, 60000);
	await beyond.waitForDeliveries();
	const lastPaid = paidDeliveries().find((d) => d.body.includes(`"${seventh._id}"`))!;
	await settledExecutions();

	await n8n.stop();
	await n8n.start(port);
	await rest.login(OWNER.email, OWNER.password);
	await sleep(3000);
	// The subscription made before the restart is kept (same URL): no second one, no second signer.
	expect(beyond.subscriptions.map((s) => s.callbackUri)).toEqual([webhookUrl]);
	expect(beyond.signers).toHaveLength(1);
	const before = (await settledExecutions()).length;

	const early = beyond.redeliver(paidDeliveries()[1].id);
	await beyond.waitForDeliveries();
	expect(early.attempts[0].status).toBe(401);
	// What the trigger wrote for the last paid delivery lived in the n8n process only (README, ePages Beyond).
	const replay = beyond.redeliver(lastPaid.id);
	await beyond.waitForDeliveries();
	expect(replay.attempts.map((a) => a.status)).toEqual([200]);
	await waitFor('the run of the replay', async () => (await rest.executions(WORKFLOW)).length === before + 1, 30000);
	const executions = await settledExecutions();
	expect(executions[0]).toMatchObject({ mode: 'webhook', status: 'success' });
	expect(ix.legalDocuments().filter((d) => d.reference === seventh.orderNumber)).toHaveLength(1);
	expect(ix.legalDocuments()).toHaveLength(7);
	expect(ix.state.emails).toHaveLength(7);
	// And it is remembered now.
	const again = beyond.redeliver(lastPaid.id);
	await beyond.waitForDeliveries();
	expect(again.attempts[0].status).toBe(401);
});

it('deactivating the workflow removes the subscription; an order paid afterwards reaches nothing', async () => {
	const before = (await settledExecutions()).length;
	await rest.deactivate(WORKFLOW);
	await waitFor('the subscription to be removed', () => beyond.subscriptions.length === 0, 30000);
	const deliveries = beyond.deliveries.length;
	const late = beyond.addOrder();
	beyond.setPaymentStatus(late._id, 'PAID');
	await beyond.waitForDeliveries();
	expect(beyond.deliveries).toHaveLength(deliveries);
	await sleep(2000);
	expect(await settledExecutions()).toHaveLength(before);
	expect(ix.legalDocuments().some((d) => d.reference === late.orderNumber)).toBe(false);
});
