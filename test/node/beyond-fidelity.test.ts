/**
 * Issue 21, part 4: ePages Beyond as its API reference states it, proven through the nodes against the
 * Beyond fake (test/sandbox/beyond.ts, strict to BYD-OAS) and the InvoicExpress sandbox over HTTP:
 *  - a pickup order invoices to the cent with the pickup fee as its own lines, and a full credit equals it;
 *  - "Invoice Date From: Paid Date" dates a Beyond invoice by the payment-paid event (Lisbon day), read
 *    once from GET /orders/{id}/events; a paid order without that event is refused, nothing created;
 *  - Cancel sends the reason as {"comment": …} and a missing clpr:c is named.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode, type RunNodeOptions } from '../harness/n8n';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { useSettings } from '../harness/settings';
import { BEYOND_DEFAULT_SCOPES, startBeyondSandbox, type BeyondOrder, type BeyondSandbox } from '../sandbox/beyond';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

let beyond: BeyondSandbox;
let ix: IxSandbox;
let caseNumber = 0;
const EP_FAST = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
useSettings({ invoicExpress: { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20 }, ePages: EP_FAST, ePagesBeyond: EP_FAST });

beforeAll(async () => {
	beyond = await startBeyondSandbox({ seed: 'empty' });
	ix = await startInvoicExpressSandbox({ pdfPendingPolls: 1 });
});
afterAll(async () => {
	await beyond.close();
	await ix.close();
});
beforeEach(() => {
	caseNumber++;
	beyond.reset('empty');
	beyond.scopes = [...BEYOND_DEFAULT_SCOPES];
	ix.reset();
});

const beyondCredential = () => ({ apiUrl: beyond.apiUrl, clientId: beyond.clientId, clientSecret: beyond.clientSecret });
const ixCredential = () => ({ accountName: `beyondfidelity${caseNumber}`, apiKey: ix.apiKey, baseUrl: ix.url });

async function ePages(parameters: INodeParameters) {
	return await runNode({ type: 'ePages', parameters: { resource: 'beyondOrder', ...parameters }, credentials: { ePagesBeyondApi: beyondCredential() } });
}

/** The order as the ePages node gives it (Order (Beyond) → Get): the package's order shape. */
async function read(order: BeyondOrder, raw = false): Promise<IDataObject> {
	const got = await ePages({ operation: 'get', beyondOrderId: { __rl: true, mode: 'id', value: order._id }, rawOutput: raw });
	expect(got.error).toBeUndefined();
	return got.items[0].json;
}

async function invoice(input: IDataObject[], over: INodeParameters = {}, orderOptions: IDataObject = {}, extra: Partial<RunNodeOptions> = {}) {
	return await runNode({
		type: 'invoicExpress',
		parameters: createFromOrderParameters({ sendEmail: false, ...over }, { taxExemption: 'M99', ...orderOptions }),
		credentials: { invoicExpressApi: ixCredential(), ePagesBeyondApi: beyondCredential() },
		input,
		...extra,
	});
}

const connected = { connectEPages: true, platform: 'beyond' };
const eventCalls = (order: BeyondOrder) => beyond.requests.filter((r) => r.method === 'GET' && r.path === `/api/orders/${order._id}/events`);
const ixWrites = () => ix.requests.filter((r) => r.method !== 'GET');

describe('a Beyond pickup order', () => {
	it('becomes one finalized invoice equal to its grand total, the pickup fee its own lines at the basket\'s two rates; a full credit note equals it', async () => {
		const order = beyond.addOrder({
			lines: [
				{ sku: 'VT-075', name: 'Vinho tinto', unitPrice: 20, taxRate: 23 },
				{ sku: 'AZ-500', name: 'Azeite', unitPrice: 5, quantity: 2, taxRate: 6 },
			],
			pickup: { name: 'Loja do Chiado', price: 2, splitByRate: true },
			paymentStatus: 'PAID',
		});
		expect(order.grandTotal.amount).toBe(32);
		const item = await read(order);
		const run = await invoice([item, item], {}, { date: '2026-12-04' });
		expect(run.error).toBeUndefined();
		expect(run.items.map((i) => i.json.outcome)).toEqual(['created', 'already invoiced']);
		expect(run.items[0].json).toMatchObject({ status: 'final', total: 32, totals_check: expect.objectContaining({ matches: true, order_total: 32 }) });
		const legal = ix.legalDocuments();
		expect(legal).toHaveLength(1);
		expect(legal[0].total).toBe(32);
		expect(legal[0].items.map((i) => [i.name, i.tax.name])).toEqual([
			['VT-075', 'IVA23'],
			['AZ-500', 'IVA6'],
			['Taxa de recolha', 'IVA23'],
			['Taxa de recolha', 'IVA6'],
		]);
		const fee = legal[0].items.filter((i) => i.name === 'Taxa de recolha').reduce((s, i) => s + Number(i.unit_price) * Number(i.quantity) * (1 + Number(i.tax.value) / 100), 0);
		expect(fee).toBeCloseTo(2, 3);

		const credited = await runNode({
			type: 'invoicExpress',
			parameters: { resource: 'document', operation: 'creditFromEPagesOrder', order: '={{ $json }}', correction: 'creditNote', creditScope: 'full', sendEmail: false },
			credentials: { invoicExpressApi: ixCredential() },
			input: [item],
		});
		expect(credited.error).toBeUndefined();
		const note = ix.state.documents.find((d) => d.type === 'CreditNote' && d.status === 'final')!;
		expect(note.owner_invoice_id).toBe(legal[0].id);
		expect(note.total).toBe(legal[0].total);
		expect(note.items.map((i) => [i.name, i.unit_price, i.tax.name])).toEqual(legal[0].items.map((i) => [i.name, i.unit_price, i.tax.name]));
	});
});

describe('"Invoice Date From: Paid Date" for Beyond orders', () => {
	it('dates the invoice by the payment-paid event (its Lisbon day), not by the order\'s last change, with one events call', async () => {
		const order = beyond.addOrder({ createdAt: '2026-06-29T10:00:00.000' });
		// 23:30 UTC on 30 June is 1 July in Lisbon (summer time); the order changes again later (shipped today).
		beyond.setPaymentStatus(order._id, 'PAID', { at: '2026-06-30T23:30:00.000' });
		beyond.setShippingStatus(order._id, 'SHIPPED');
		const item = await read(order);
		expect(String(item.paidOn).slice(0, 10)).not.toBe('2026-06-30');
		const run = await invoice([item], connected, { dateFrom: 'paid' });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ outcome: 'created', status: 'final', date: '01/07/2026', total: order.grandTotal.amount });
		expect(ix.legalDocuments().map((d) => d.date)).toEqual(['01/07/2026']);
		expect(eventCalls(order)).toHaveLength(1);
		expect(eventCalls(order)[0].query).toMatchObject({ page: '0', size: '100' });
		// Other dates do not read the events.
		ix.reset();
		await invoice([item], connected, { dateFrom: 'created' });
		expect(eventCalls(order)).toHaveLength(1);
	});

	it('a paid order whose events have no payment-paid is refused, naming the order, and nothing is created', async () => {
		const order = beyond.addOrder({ paymentStatus: 'PAID' });
		const events = beyond.orderEvents(order._id);
		events.splice(0, events.length, ...events.filter((e) => e.type !== 'payment-paid'));
		const run = await invoice([await read(order)], connected, { dateFrom: 'paid' });
		expect(run.error?.message).toBe(
			`order ${order.orderNumber}: reading the paid date from ePages Beyond failed: ePages Beyond order ${order._id} is paid, but its events (2) have no payment-paid event, so the shop does not say when it was paid`,
		);
		expect(run.error?.description).toContain('Nothing was created');
		expect(ixWrites()).toEqual([]);
		expect(ix.state.documents).toEqual([]);
	});

	it('without Connect to ePages (or with the Now platform) it is refused before any request, saying what to set', async () => {
		const order = beyond.addOrder({ paymentStatus: 'PAID' });
		const item = await read(order);
		const before = { beyond: beyond.requests.length, ix: ix.requests.length };
		const run = async (over: INodeParameters) =>
			await runNode({
				type: 'invoicExpress',
				parameters: createFromOrderParameters({ sendEmail: false, ...over }, { dateFrom: 'paid', taxExemption: 'M99' }),
				credentials: { invoicExpressApi: ixCredential(), ePagesApi: { apiUrl: 'http://127.0.0.1:9/rs/shops/none', accessToken: 'unused' } },
				input: [item],
			});
		const unconnected = await run({});
		expect(unconnected.error?.message).toBe(`order ${order.orderNumber}: "Invoice Date From" is the paid date, and an ePages Beyond order says when it was paid only in its events in the shop`);
		expect(unconnected.error?.description).toContain('Platform "ePages Beyond"');
		const now = await run({ connectEPages: true, platform: 'now' });
		expect(now.error?.message).toBe(`order ${order.orderNumber}: the order comes from an ePages Beyond shop, but "Platform" is ePages Now`);
		expect(beyond.requests.length).toBe(before.beyond);
		expect(ixWrites()).toEqual([]);
	});

	it('without the scope orde:r the error names it, and nothing is created', async () => {
		beyond.scopes = BEYOND_DEFAULT_SCOPES.filter((s) => s !== 'orde:r');
		const order = beyond.addOrder({ paymentStatus: 'PAID' });
		const run = await invoice([await read(order)], connected, { dateFrom: 'paid' });
		expect(run.error?.message).toMatch(new RegExp(`^order ${order.orderNumber}: reading the paid date from ePages Beyond failed: ePages Beyond could not read the events of order ${order._id} \\(HTTP 403\\)`));
		expect(run.error?.description).toContain('this needs orde:r');
		expect(ixWrites()).toEqual([]);
	});
});

describe('Cancel a Beyond order', () => {
	it('sends the reason as {"comment": …} on the cancel, which the shop keeps', async () => {
		const order = beyond.addOrder();
		const run = await ePages({ operation: 'cancel', beyondOrderId: { __rl: true, mode: 'id', value: order._id }, cancelReason: 'Cliente desistiu da encomenda' });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ rejectedOn: expect.any(String), cancel_reason: 'Cliente desistiu da encomenda' });
		const cancels = beyond.requests.filter((r) => r.method === 'POST' && r.path === `/api/orders/${order._id}/cancel`);
		expect(cancels.map((r) => r.body)).toEqual([{ comment: 'Cliente desistiu da encomenda' }]);
		expect(String(cancels[0].headers['content-type'])).toMatch(/^application\/json/);
		expect(beyond.orderEvents(order._id).at(-1)).toMatchObject({ type: 'order-canceled', comment: 'Cliente desistiu da encomenda' });
	});

	it('without clpr:c the error names clpr:c, and the order stays as it was', async () => {
		// The app of old: the scopes the credential's help used to name (cancelling was thought to be ordr:u).
		beyond.scopes = ['ordr:r', 'ordr:u', 'orde:r'];
		const order = beyond.addOrder();
		const run = await ePages({ operation: 'cancel', beyondOrderId: { __rl: true, mode: 'id', value: order._id }, cancelReason: 'Duplicada' });
		expect(run.error?.message).toMatch(new RegExp(`^ePages Beyond could not cancel order ${order._id} \\(HTTP 403\\)`));
		expect(run.error?.description).toBe('The app lacks a scope: this needs clpr:c. Add it to the custom app in the Cockpit, then save the credential again.');
		expect(order.canceled).toBe(false);
		// Mark as Viewed still needs only ordr:u.
		const viewed = await ePages({ operation: 'markViewed', beyondOrderId: { __rl: true, mode: 'id', value: order._id } });
		expect(viewed.error).toBeUndefined();
		expect(order.viewed).toBe(true);
	});
});
