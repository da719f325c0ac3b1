import type { IDataObject } from 'n8n-workflow';

import { runNode, type RunNodeOptions } from '../harness/n8n';
import { createFromOrderParameters, isErrorFixture, loadOrderFixtures, nodeOrderOptions, type ExpectedDocument, type OrderFixture } from '../harness/orderFixtures';
import { useSettings } from '../harness/settings';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

/**
 * Every order fixture end to end: the node operation "Create From ePages Order" run by n8n's engine
 * against one InvoicExpress sandbox with its default taxes (IVA23 … IVA21).
 */
const fixtures = loadOrderFixtures();
const documents = fixtures.filter((f) => !isErrorFixture(f)) as Array<OrderFixture & { expected: ExpectedDocument }>;
const errors = fixtures.filter(isErrorFixture);
/** Short back-off, through the package's test settings. */
useSettings({ invoicExpress: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } });

let sandbox: IxSandbox;
let credentials: RunNodeOptions['credentials'];

beforeAll(async () => {
	sandbox = await startInvoicExpressSandbox();
	credentials = { invoicExpressApi: { accountName: 'sandboxshop', apiKey: sandbox.apiKey, baseUrl: sandbox.url } };
});
afterAll(async () => sandbox.close());
beforeEach(() => {
	sandbox.reset();
	sandbox.faults.configure({});
});

async function createFromOrder(f: OrderFixture) {
	return await runNode({
		type: 'invoicExpress',
		parameters: createFromOrderParameters({ sendEmail: false }, { date: '2026-11-28', ...nodeOrderOptions(f.options) }),
		credentials,
		input: [f.order as IDataObject],
	});
}

describe('Create From ePages Order: every order fixture', () => {
	it.each(documents.map((f) => [f.file, f] as const))('%s becomes one final invoice with the order total', async (_file, f) => {
		const expected = f.expected;
		const run = await createFromOrder(f);
		expect(run.error?.message).toBeUndefined();
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json).toMatchObject({ order_number: String(f.order.orderNumber), outcome: 'created', status: 'final', total: expected.total });
		expect((run.items[0].json.totals_check as IDataObject).matches).toBe(true);

		const legal = sandbox.legalDocuments();
		expect(legal).toHaveLength(1);
		const doc = legal[0];
		expect(doc.status).toBe('final');
		expect(doc.type).toBe('Invoice');
		expect(doc.total).toBe(expected.total);
		expect(doc.reference).toBe(String(f.order.orderNumber));
		expect(doc.atcud).toMatch(/^ABCD1234-1$/);
		expect(doc.items.map((i) => ({ name: i.name, quantity: Number(i.quantity), tax: i.tax.name }))).toEqual(
			expected.lines.map((l) => ({ name: l.name, quantity: l.quantity, tax: l.tax })),
		);
		expect(doc.tax_exemption).toBe(expected.taxExemption ?? '');
		if (expected.observations !== undefined) expect(doc.observations).toBe(expected.observations);
		expect(doc.currency_code).toBe(expected.currency ?? null);
		for (const { rate, tax } of expected.vatByRate ?? []) {
			const ixTax = doc.items.filter((i) => i.tax.value === rate).reduce((s, i) => s + i.tax_amount, 0);
			expect(Math.abs(Math.round(ixTax * 100) / 100 - tax)).toBeLessThanOrEqual(0.01 + 1e-9);
		}

		expect(sandbox.state.clients).toHaveLength(1);
		const client = sandbox.state.clients[0];
		expect(client).toMatchObject(expected.client);
		if (!expected.client.fiscal_id) expect(client.fiscal_id).toBe('');
		expect(doc.client.id).toBe(client.id);
	});

	it.each(errors.map((f) => [f.file, f] as const))('%s stops with the exact message and sends nothing', async (_file, f) => {
		const run = await createFromOrder(f);
		expect(run.error?.message).toBe(f.expected.error);
		expect(sandbox.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
		expect(sandbox.state.documents).toHaveLength(0);
		expect(sandbox.state.clients).toHaveLength(0);
	});
});
