/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * The merchant's flows in a real n8n: the example workflows of examples/, imported as they are,
 * run against both sandboxes on loopback.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { ensureN8n, N8nInstance, nodeOutput, packPackage, REPO } from './n8n';

type Workflow = { id: string; name: string; nodes: Array<Record<string, unknown> & { name: string; parameters: Record<string, unknown> }>; active?: boolean };

function example(file: string): Workflow {
	return JSON.parse(readFileSync(join(REPO, 'examples', file), 'utf8')) as Workflow;
}

let ix: IxSandbox;
let shop: EPagesSandbox;
let n8n: N8nInstance;

function paidOrders() {
	return shop.orders.filter((o) => o.paidOn);
}

function emailOf(order: { billingAddress: unknown }): string | undefined {
	return ((order.billingAddress ?? {}) as { emailAddress?: string }).emailAddress || undefined;
}

beforeAll(async () => {
	ix = await startInvoicExpressSandbox();
	shop = await startEPagesSandbox();
	n8n = new N8nInstance(await ensureN8n());
	await n8n.installPackage(await packPackage());
	await n8n.importCredentials([
		{ id: 'ixCredential0001', name: 'InvoicExpress account', type: 'invoicExpressApi', data: { accountName: 'sandboxshop', apiKey: ix.apiKey, baseUrl: ix.url } },
		{ id: 'ePagesCredential', name: 'ePages account', type: 'ePagesApi', data: { apiUrl: shop.apiUrl, accessToken: shop.token } },
	]);
	const badNif = example('01-paid-orders-to-invoices-manual.json');
	badNif.id = 'exBadNifContinue';
	badNif.name = 'Continue on fail';
	const create = badNif.nodes.find((n) => n.name === 'Create Invoice')!;
	create.onError = 'continueRegularOutput';
	await n8n.importWorkflows([
		example('01-paid-orders-to-invoices-manual.json'),
		example('02-separate-steps.json'),
		example('03-backfill-date-range.json'),
		badNif,
	]);
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

function documentsByReference() {
	return new Map(ix.legalDocuments().map((d) => [d.reference, d]));
}

describe('one-step example (manual start)', () => {
	it('turns every paid order into exactly one finalized invoice with the order total; clients once; e-mails sent', async () => {
		const result = await n8n.executeOk('exPaidOrderMan01');
		expect(result.code).toBe(0);
		const out = nodeOutput(result.run, 'Create Invoice');
		const paid = paidOrders();
		expect(out).toHaveLength(paid.length);
		expect(out.every((o) => o.outcome === 'created' && o.status === 'final')).toBe(true);
		const docs = documentsByReference();
		expect(docs.size).toBe(paid.length);
		for (const order of paid) {
			const doc = docs.get(order.orderNumber)!;
			expect(doc).toBeDefined();
			expect(doc.total).toBe(Number((order.lineItemContainer as unknown as { grandTotal: { amount: number } }).grandTotal.amount));
		}
		expect(ix.state.clients).toHaveLength(new Set([...docs.values()].map((d) => d.client.name)).size);
		expect(ix.state.emails.map((e) => e.to).sort()).toEqual(paid.map(emailOf).filter(Boolean).sort());
	});

	it('a second run creates nothing new: already invoiced', async () => {
		const before = ix.state.documents.length;
		const result = await n8n.executeOk('exPaidOrderMan01');
		const out = nodeOutput(result.run, 'Create Invoice');
		expect(out.every((o) => o.outcome === 'already invoiced')).toBe(true);
		expect(ix.state.documents.filter((d) => d.status !== 'deleted')).toHaveLength(before);
	});
});

describe('separate-steps example', () => {
	it('gives the same documents as the one-step flow, and marks the orders invoiced', async () => {
		// The chain takes the paid orders not yet marked invoiced in the shop (some of the seed are).
		const todo = paidOrders().filter((o) => !o.invoicedOn);
		expect(todo.length).toBeGreaterThan(0);
		const numbers = new Set(todo.map((o) => o.orderNumber));
		const oneStep = [...documentsByReference().values()]
			.filter((d) => numbers.has(d.reference))
			.map((d) => [d.reference, d.total, d.items.map((l) => [l.name, l.unit_price, l.quantity, l.tax.name])]);
		ix.reset();
		const result = await n8n.executeOk('exSeparateSteps1');
		const separate = [...documentsByReference().values()].map((d) => [d.reference, d.total, d.items.map((l) => [l.name, l.unit_price, l.quantity, l.tax.name])]);
		expect(separate.sort()).toEqual(oneStep.sort());
		// Every order is marked invoiced (before its e-mail), with the legal number in its note.
		expect(nodeOutput(result.run, 'Mark Order Invoiced')).toHaveLength(todo.length);
		for (const order of shop.orders.filter((o) => numbers.has(o.orderNumber))) {
			expect(order.invoicedOn).toBeTruthy();
			expect(String(order.internalNote)).toContain(`InvoicExpress FT ${documentsByReference().get(order.orderNumber)!.inverted_sequence_number}`);
		}
		expect(ix.state.emails.map((e) => e.to).sort()).toEqual(todo.map(emailOf).filter(Boolean).sort());
		// A second run finds nothing left to do: no document, no e-mail.
		const emails = ix.state.emails.length;
		const documents = ix.state.documents.length;
		const again = await n8n.executeOk('exSeparateSteps1');
		expect(nodeOutput(again.run, 'Get Paid Orders')).toHaveLength(0);
		expect(ix.state.documents).toHaveLength(documents);
		expect(ix.state.emails).toHaveLength(emails);
		expect(ix.legalDocuments()).toHaveLength(todo.length);
	});
});

describe('continue on fail', () => {
	it('a bad NIF gives an error item naming the order while the other orders are invoiced', async () => {
		ix.reset();
		const victim = paidOrders()[0];
		shop.updateOrder(victim.orderId, { billingAddress: { ...(victim.billingAddress as object), country: 'PT', vatId: '123456780' } } as never);
		const result = await n8n.executeOk('exBadNifContinue');
		const out = nodeOutput(result.run, 'Create Invoice');
		const error = out.find((o) => o.error);
		expect(error?.error).toBe(`order ${victim.orderNumber}: client fiscal number "123456780" is not a valid Portuguese NIF: its check digit is wrong`);
		expect(ix.legalDocuments()).toHaveLength(paidOrders().length - 1);
	});
});
