/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * The merchant's flows in a real n8n: the example workflows of examples/, imported as they are,
 * run against both sandboxes on loopback.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { endE2e, ensureN8n, exampleCredentials, N8nInstance, nodeOutput, packPackage, REPO } from './n8n';

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
	await n8n.importCredentials(exampleCredentials(ix, shop));
	await n8n.importWorkflows([
		example('01-paid-orders-to-invoices-manual.json'),
		example('02-separate-steps.json'),
		example('03-backfill-date-range.json'),
	]);
});

afterAll(async () => {
	// Secrets never reach n8n's logs, outputs or storage; nothing left loopback.
	await endE2e({ n8n, services: [ix, shop], secrets: () => [ix.apiKey, shop.token] });
});

function documentsByReference() {
	return new Map(ix.legalDocuments().map((d) => [d.reference, d]));
}

/** Paid orders the shop has not marked invoiced: what the examples invoice. */
function todoOrders() {
	return paidOrders().filter((o) => !o.invoicedOn);
}

describe('one-step example (manual start)', () => {
	it('turns every paid order not yet invoiced into exactly one finalized invoice with the order total, e-mails it and marks the order', async () => {
		const todo = todoOrders();
		expect(todo.length).toBeGreaterThan(0);
		const result = await n8n.executeOk('exPaidOrderMan01');
		expect(result.code).toBe(0);
		const out = nodeOutput(result.run, 'Create Invoice');
		expect(out).toHaveLength(todo.length);
		expect(out.every((o) => o.outcome === 'created' && o.status === 'final' && o.written_back === 'written')).toBe(true);
		expect(nodeOutput(result.run, 'Create Invoice', 1)).toEqual([]);
		const docs = documentsByReference();
		expect(docs.size).toBe(todo.length);
		for (const order of todo) {
			const doc = docs.get(order.orderNumber)!;
			expect(doc).toBeDefined();
			expect(doc.total).toBe(Number((order.lineItemContainer as unknown as { grandTotal: { amount: number } }).grandTotal.amount));
			// Written back: the one durable record on the shop's side that the order is done.
			const now = shop.orders.find((o) => o.orderId === order.orderId)!;
			expect(now.invoicedOn).toBeTruthy();
			expect(String(now.internalNote)).toContain(`InvoicExpress FT ${doc.inverted_sequence_number}`);
		}
		expect(ix.state.clients).toHaveLength(new Set([...docs.values()].map((d) => d.client.name)).size);
		expect(ix.state.emails.map((e) => e.to).sort()).toEqual(todo.map(emailOf).filter(Boolean).sort());
	});

	it('a second run finds nothing left to do: no document, no e-mail', async () => {
		const documents = ix.state.documents.length;
		const emails = ix.state.emails.length;
		const result = await n8n.executeOk('exPaidOrderMan01');
		expect(nodeOutput(result.run, 'Get Paid Orders')).toHaveLength(0);
		expect(ix.state.documents).toHaveLength(documents);
		expect(ix.state.emails).toHaveLength(emails);
	});
});

describe('a refused order never stops the others (examples as shipped)', () => {
	it('the manual one-step example invoices every other order, lists the refused ones with their cause, and invoices them once fixed', async () => {
		shop.reset();
		ix.reset();
		const todo = todoOrders();
		expect(todo.length).toBeGreaterThan(4);
		// Two orders in the middle of the list cannot be invoiced: a wrong NIF, and a foreign currency with no exchange rate.
		const badNif = todo[1];
		const foreign = todo[2];
		const address = badNif.billingAddress as Record<string, unknown>;
		shop.updateOrder(badNif.orderId, { billingAddress: { ...address, country: 'PT', vatId: '123456780' } } as never);
		shop.updateOrder(foreign.orderId, { currencyId: 'GBP' } as never);

		const first = await n8n.executeOk('exPaidOrderMan01');
		const refused = nodeOutput(first.run, 'Create Invoice', 1);
		expect(refused.map((o) => o.error).sort()).toEqual(
			[
				`order ${badNif.orderNumber}: client fiscal number "123456780" is not a valid Portuguese NIF: its check digit is wrong`,
				`order ${foreign.orderNumber}: the order is in GBP and no exchange rate is set`,
			].sort(),
		);
		// The merchant sees them on the canvas: the "Orders Not Invoiced" node holds exactly these.
		expect(nodeOutput(first.run, 'Orders Not Invoiced').map((o) => o.error).sort()).toEqual(refused.map((o) => o.error).sort());
		expect(nodeOutput(first.run, 'Create Invoice')).toHaveLength(todo.length - 2);
		const invoiced = new Set(ix.legalDocuments().map((d) => d.reference));
		expect([...invoiced].sort()).toEqual(todo.filter((o) => o !== badNif && o !== foreign).map((o) => o.orderNumber).sort());

		// Fixed in the shop: the next run invoices exactly those two, and nothing twice.
		shop.updateOrder(badNif.orderId, { billingAddress: { ...address, country: 'PT', vatId: '' } } as never);
		shop.updateOrder(foreign.orderId, { currencyId: 'EUR' } as never);
		const second = await n8n.executeOk('exPaidOrderMan01');
		expect(nodeOutput(second.run, 'Create Invoice').map((o) => o.order_number).sort()).toEqual([badNif.orderNumber, foreign.orderNumber].sort());
		expect(nodeOutput(second.run, 'Create Invoice', 1)).toEqual([]);
		const perOrder = new Map<string, number>();
		for (const d of ix.legalDocuments()) perOrder.set(d.reference, (perOrder.get(d.reference) ?? 0) + 1);
		expect([...perOrder.keys()].sort()).toEqual(todo.map((o) => o.orderNumber).sort());
		expect([...perOrder.values()].every((n) => n === 1)).toBe(true);
		expect(ix.state.emails.map((e) => e.to).sort()).toEqual(todo.map(emailOf).filter(Boolean).sort());
	});

	it('the back-fill example does the same: the refused order on the error output, the others invoiced', async () => {
		shop.reset();
		ix.reset();
		const wf = example('03-backfill-date-range.json');
		// The example's fixed date range ages out: cover the seeded orders whatever today's date.
		const list = wf.nodes.find((n) => n.name === 'Paid Orders in Range')!;
		Object.assign(list.parameters.filters as object, {
			createdAfter: new Date(Date.now() - 60 * 24 * 3600 * 1000).toISOString().slice(0, 19),
			createdBefore: new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 19),
		});
		wf.id = 'exBackfillToday1';
		await n8n.importWorkflows([wf]);
		const todo = todoOrders().filter((o) => Date.parse(o.creationDate) > Date.now() - 60 * 24 * 3600 * 1000);
		const bad = todo[0];
		shop.updateOrder(bad.orderId, { currencyId: 'GBP' } as never);
		const run = await n8n.executeOk('exBackfillToday1');
		expect(nodeOutput(run.run, 'Orders Not Invoiced').map((o) => o.error)).toEqual([`order ${bad.orderNumber}: the order is in GBP and no exchange rate is set`]);
		expect(ix.legalDocuments().map((d) => d.reference).sort()).toEqual(todo.filter((o) => o !== bad).map((o) => o.orderNumber).sort());
	});
});

describe('separate-steps example', () => {
	it('gives the same documents as the one-step flow, and marks the orders invoiced', async () => {
		shop.reset();
		ix.reset();
		// The one-step example first, for the documents to compare with; then the same orders afresh.
		await n8n.executeOk('exPaidOrderMan01');
		const todo = paidOrders().filter((o) => String(o.internalNote ?? '').includes('InvoicExpress'));
		expect(todo.length).toBeGreaterThan(0);
		const numbers = new Set(todo.map((o) => o.orderNumber));
		const oneStep = [...documentsByReference().values()]
			.filter((d) => numbers.has(d.reference))
			.map((d) => [d.reference, d.total, d.items.map((l) => [l.name, l.unit_price, l.quantity, l.tax.name])]);
		shop.reset();
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
