/**
 * Email Invoice of ePages Order (issues 23 and 24): the order's invoice is e-mailed exactly once,
 * the durable mark (" e-mailed to …" on the invoice's line of the order note) written first; a second
 * run, two runs at once, or an invoice Create From ePages Order already e-mailed send nothing. Against
 * the sandboxes over real HTTP, ePages Now and Beyond.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../harness/n8n';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { useSettings } from '../harness/settings';
import { startBeyondSandbox, type BeyondSandbox } from '../sandbox/beyond';
import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

const EP_FAST = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
useSettings({ invoicExpress: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000 }, ePages: EP_FAST, ePagesBeyond: EP_FAST });

let shop: EPagesSandbox;
let beyond: BeyondSandbox;
let ix: IxSandbox;
let account = 0;

beforeAll(async () => {
	shop = await startEPagesSandbox({ seed: 'empty' });
	beyond = await startBeyondSandbox({ seed: 'fixtures' });
	ix = await startInvoicExpressSandbox();
});
afterAll(async () => {
	await shop.close();
	await beyond.close();
	await ix.close();
});
beforeEach(() => {
	ix.reset();
	ix.faults.configure({});
	beyond.reset('fixtures');
	account++;
});

const credentials = () => ({
	invoicExpressApi: { accountName: `emailonce${account}`, apiKey: ix.apiKey, baseUrl: ix.url },
	ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token },
	ePagesBeyondApi: { apiUrl: beyond.apiUrl, clientId: beyond.clientId, clientSecret: beyond.clientSecret, _case: account },
});
const emailParameters = (over: IDataObject = {}): INodeParameters => ({ resource: 'document', operation: 'emailFromEPagesOrder', order: '={{ $json }}', platform: 'now', ...over });

async function invoice(order: IDataObject, over: IDataObject = {}) {
	const run = await runNode({
		type: 'invoicExpress',
		parameters: createFromOrderParameters({ sendEmail: false, connectEPages: true, writeBack: true, ...over }, { date: '2026-11-28', taxExemption: 'M99' }),
		credentials: credentials(),
		input: [order],
	});
	expect(run.error).toBeUndefined();
	return run.items[0].json;
}

const email = async (order: IDataObject, over: IDataObject = {}, opts: { continueOnFail?: boolean } = {}) =>
	await runNode({ type: 'invoicExpress', parameters: emailParameters(over), credentials: credentials(), input: [order], ...opts });

const paidOrder = (email = 'ana.lima@example.com') =>
	shop.addOrder({ paidOn: new Date().toISOString(), billingAddress: { firstName: 'Ana', lastName: 'Lima', emailAddress: email, country: 'PT', zipCode: '1000-001', city: 'Lisboa', street: 'Rua A 1' } } as never) as unknown as IDataObject;
const noteOf = (order: IDataObject) => String(shop.orders.find((o) => o.orderId === order.orderId)?.internalNote ?? '');

describe('Email Invoice of ePages Order: once per invoice, marked in the order first', () => {
	it('sends the invoice once, marks its note line, and a second run sends nothing', async () => {
		const order = paidOrder();
		const inv = await invoice(order);
		const first = await email(order);
		expect(first.error).toBeUndefined();
		expect(first.items[0].json).toMatchObject({ outcome: 'e-mailed', emailed: true, email_to: 'ana.lima@example.com', legal_number: inv.legal_number, document_id: inv.document_id });
		expect(ix.state.emails.map((e) => [e.documentId, e.to])).toEqual([[inv.document_id, 'ana.lima@example.com']]);
		// The invoice's line was completed, not repeated.
		expect(noteOf(order).split('\n')).toEqual([`InvoicExpress ${String(inv.legal_number)} (id ${String(inv.document_id)}) e-mailed to ana.lima@example.com`]);
		const second = await email(order);
		expect(second.items[0].json).toMatchObject({ outcome: 'already e-mailed', emailed: false, email_to: 'ana.lima@example.com' });
		expect(ix.state.emails).toHaveLength(1);
	});

	it('an invoice Create From ePages Order e-mailed is "already e-mailed"', async () => {
		const order = paidOrder();
		const inv = await invoice(order, { sendEmail: true });
		expect(inv.emailed).toBe(true);
		const run = await email(order);
		expect(run.items[0].json.outcome).toBe('already e-mailed');
		expect(ix.state.emails).toHaveLength(1);
	});

	it('two executions at once send one e-mail', async () => {
		const order = paidOrder();
		await invoice(order);
		const runs = await Promise.all([email(order), email(order)]);
		expect(runs.map((r) => r.items[0].json.outcome).sort()).toEqual(['already e-mailed', 'e-mailed']);
		expect(ix.state.emails).toHaveLength(1);
	});

	it('refused by InvoicExpress: nothing sent, the mark taken back, so a later run sends it', async () => {
		const order = paidOrder();
		const inv = await invoice(order);
		ix.refuseEmails('Option not available on current user plan');
		const run = await email(order);
		expect(run.error?.message).toMatch(new RegExp(`^order ${String(order.orderNumber)}: e-mailing ${String(inv.legal_number)} failed \\(nothing was sent; the mark was taken back\\): .*Option not available on current user plan`));
		expect(noteOf(order)).toBe(`InvoicExpress ${String(inv.legal_number)} (id ${String(inv.document_id)})`);
		ix.refuseEmails(undefined);
		expect((await email(order)).items[0].json.outcome).toBe('e-mailed');
		expect(ix.state.emails).toHaveLength(1);
	});

	it('no answer from InvoicExpress: the mark stays (the e-mail may have gone), and it is never sent again', async () => {
		const order = paidOrder();
		await invoice(order);
		ix.faults.configure({ rates: { lostResponse: 1 }, applies: (r) => r.path.endsWith('/email-document.json') });
		const run = await email(order);
		expect(run.error?.message).toMatch(/no answer, so the e-mail may have been sent; the order stays marked e-mailed/);
		ix.faults.configure({});
		expect((await email(order)).items[0].json.outcome).toBe('already e-mailed');
		// The sandbox processed the one request whose answer was lost: one e-mail in all.
		expect(ix.state.emails).toHaveLength(1);
	});

	it('refuses before anything is written: no invoice, a draft, a malformed address, the other platform', async () => {
		const never = paidOrder();
		expect((await email(never)).error?.message).toBe(`order ${String(never.orderNumber)}: the order has no invoice: nothing to e-mail`);
		const drafted = paidOrder();
		await invoice(drafted, { finalize: false });
		expect((await email(drafted)).error?.message).toBe(`order ${String(drafted.orderNumber)}: its invoice is still a draft: nothing to e-mail`);
		// The address changed in the shop after the invoice (the fresh order is what counts).
		const typo = paidOrder();
		await invoice(typo);
		(shop.orders.find((o) => o.orderId === typo.orderId)!.billingAddress as { emailAddress: string }).emailAddress = 'ana.lima@example';
		const before = shop.requests.filter((r) => r.method === 'PATCH').length;
		expect((await email(typo)).error?.message).toBe(`order ${String(typo.orderNumber)}: the order's e-mail address "ana.lima@example" is not a valid address`);
		expect(shop.requests.filter((r) => r.method === 'PATCH').length).toBe(before);
		expect((await email(never, { platform: 'beyond' })).error?.message).toBe(`order ${String(never.orderNumber)}: the order comes from an ePages Now shop, but "Platform" is ePages Beyond`);
		expect(ix.state.emails).toHaveLength(0);
	});

	it('takes the output of Create From ePages Order as its order (order_id, order_number)', async () => {
		const order = paidOrder();
		const inv = await invoice(order);
		const run = await email({ order_id: inv.order_id, order_number: inv.order_number, outcome: inv.outcome });
		expect(run.items[0].json).toMatchObject({ outcome: 'e-mailed', order_number: order.orderNumber });
	});

	it('ePages Beyond: the mark is in the order note', async () => {
		const raw = beyond.orders.find((o) => o.paymentStatus === 'PAID' && (o.billingAddress as IDataObject | undefined)?.email)!;
		const got = await runNode({ type: 'ePages', parameters: { resource: 'beyondOrder', operation: 'get', beyondOrderId: { __rl: true, mode: 'id', value: raw._id } }, credentials: credentials() });
		const order = got.items[0].json;
		const inv = await invoice(order, { platform: 'beyond' });
		const run = await email(order, { platform: 'beyond' });
		expect(run.items[0].json).toMatchObject({ outcome: 'e-mailed', legal_number: inv.legal_number });
		const note = String(beyond.orders.find((o) => o._id === raw._id)?.orderNote);
		expect(note).toContain(`InvoicExpress ${String(inv.legal_number)} (id ${String(inv.document_id)}) e-mailed to ${String(run.items[0].json.email_to)}`);
		expect((await email(order, { platform: 'beyond' })).items[0].json.outcome).toBe('already e-mailed');
		expect(ix.state.emails).toHaveLength(1);
	});
});
