/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * The ePages Trigger in an active workflow of a running n8n: orders paid while n8n runs are invoiced
 * exactly once. n8n polls at most every minute, so this test takes a few minutes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { ensureN8n, freePort, N8nInstance, packPackage, REPO } from './n8n';

let ix: IxSandbox;
let shop: EPagesSandbox;
let n8n: N8nInstance;

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 1000));
	}
}

const statusPolls = () => shop.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/orders') && r.query.paidOn === 'true').length;

beforeAll(async () => {
	ix = await startInvoicExpressSandbox();
	shop = await startEPagesSandbox();
	n8n = new N8nInstance(await ensureN8n());
	await n8n.installPackage(await packPackage());
	await n8n.importCredentials([
		{ id: 'ixCredential0001', name: 'InvoicExpress account', type: 'invoicExpressApi', data: { accountName: 'sandboxshop', apiKey: ix.apiKey, baseUrl: ix.url } },
		{ id: 'ePagesCredential', name: 'ePages account', type: 'ePagesApi', data: { apiUrl: shop.apiUrl, accessToken: shop.token } },
	]);
	await n8n.importWorkflows([JSON.parse(readFileSync(join(REPO, 'examples', '01-paid-order-to-invoice.json'), 'utf8'))]);
	const published = await n8n.cli(['publish:workflow', '--id=exPaidOrderInv01']);
	if (published.code !== 0) throw new Error(`publish failed: ${published.stdout}\n${published.stderr}`);
	await n8n.start(await freePort());
});

afterAll(async () => {
	await n8n?.stop();
	await ix?.close();
	await shop?.close();
	// Secrets never reach n8n's logs, outputs or storage; nothing left loopback.
	expect(n8n?.secretLeaks([ix.apiKey, shop.token])).toEqual([]);
	expect(n8n?.externalHostAttempts()).toEqual([]);
	n8n?.cleanup();
});

it('invoices orders paid while n8n runs, each exactly once, and nothing from before activation', async () => {
	// The first poll only takes note of the orders already paid.
	await waitFor('the first poll', () => statusPolls() >= 1, 150000);
	expect(ix.state.documents).toHaveLength(0);

	// Status events watch the orders of the last 14 days (the trigger's default lookback).
	const recent = Date.now() - 10 * 24 * 3600 * 1000;
	const unpaid = shop.orders.filter((o) => !o.paidOn && Date.parse(o.creationDate) > recent).slice(0, 2);
	expect(unpaid.length).toBeGreaterThan(0);
	for (const order of unpaid) shop.setStatus(order.orderId, 'paidOn', new Date().toISOString());
	const fresh = shop.addOrder({}, {});
	shop.setStatus(fresh.orderId, 'paidOn', new Date().toISOString());
	const expected = [...unpaid.map((o) => o.orderNumber), fresh.orderNumber].sort();

	await waitFor('the new paid orders to be invoiced', () => ix.legalDocuments().length >= expected.length, 200000);
	// One more poll: nothing is emitted twice.
	const polls = statusPolls();
	await waitFor('another poll', () => statusPolls() > polls, 150000);
	await new Promise((r) => setTimeout(r, 5000));
	const legal = ix.legalDocuments();
	expect(legal.map((d) => d.reference).sort()).toEqual(expected);
	expect(ix.state.documents.filter((d) => d.status !== 'deleted')).toHaveLength(expected.length);
});
