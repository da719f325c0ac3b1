/**
 * Issue 22 (shops behind one interface) and issue 21 §4 (write-back for Beyond orders): Create and
 * Credit From ePages Order write back through the shop of the chosen Platform, ePages Now and ePages
 * Beyond alike, against the sandboxes over real HTTP; an order of the other platform is refused before
 * any request.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../harness/n8n';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { useSettings } from '../harness/settings';
import { startBeyondSandbox, type BeyondSandbox } from '../sandbox/beyond';
import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

const EP_FAST = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
useSettings({ invoicExpress: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 }, ePages: EP_FAST, ePagesBeyond: EP_FAST });

let beyond: BeyondSandbox;
let now: EPagesSandbox;
let ix: IxSandbox;
let account = 0;

beforeAll(async () => {
	beyond = await startBeyondSandbox({ seed: 'fixtures' });
	now = await startEPagesSandbox({ seed: 'empty' });
	ix = await startInvoicExpressSandbox();
});
afterAll(async () => {
	await beyond.close();
	await now.close();
	await ix.close();
});
beforeEach(() => {
	beyond.reset('fixtures');
	ix.reset();
	account++;
});

const ixCredential = () => ({ invoicExpressApi: { accountName: `shopwb${account}`, apiKey: ix.apiKey, baseUrl: ix.url } });
const beyondCredential = () => ({ ePagesBeyondApi: { apiUrl: beyond.apiUrl, clientId: beyond.clientId, clientSecret: beyond.clientSecret, _case: account } });
const nowCredential = () => ({ ePagesApi: { apiUrl: now.apiUrl, accessToken: now.token } });

const invoiceParameters = (over: IDataObject = {}): INodeParameters =>
	createFromOrderParameters({ sendEmail: true, connectEPages: true, writeBack: true, platform: 'beyond', ...over }, { date: '2026-11-28', taxExemption: 'M99' });
const creditParameters = (over: IDataObject = {}): INodeParameters => ({
	resource: 'document',
	operation: 'creditFromEPagesOrder',
	order: '={{ $json }}',
	correction: 'creditNote',
	creditScope: 'full',
	sendEmail: false,
	connectEPages: true,
	writeBack: true,
	platform: 'beyond',
	...over,
});

/** A paid Beyond order with an e-mail address, in the package's order shape (as the ePages node gives it). */
async function paidBeyondOrder(): Promise<IDataObject> {
	const raw = beyond.orders.find((o) => o.paymentStatus === 'PAID' && (o.billingAddress as IDataObject | undefined)?.email)!;
	const got = await runNode({ type: 'ePages', parameters: { resource: 'beyondOrder', operation: 'get', beyondOrderId: { __rl: true, mode: 'id', value: raw._id } }, credentials: beyondCredential() });
	expect(got.error).toBeUndefined();
	return got.items[0].json;
}

const noteOf = (id: unknown) => String(beyond.orders.find((o) => o._id === id)?.orderNote ?? '');

describe('ePages Beyond: the invoice and its credit note are written into the order note', () => {
	it('Create From ePages Order adds the invoice line (with the e-mail) once; a re-run writes nothing', async () => {
		const order = await paidBeyondOrder();
		const before = noteOf(order.orderId);
		const run = await runNode({ type: 'invoicExpress', parameters: invoiceParameters(), credentials: { ...ixCredential(), ...beyondCredential() }, input: [order] });
		expect(run.error).toBeUndefined();
		const out = run.items[0].json;
		expect(out).toMatchObject({ outcome: 'created', emailed: true, written_back: 'written' });
		const line = `InvoicExpress ${String(out.legal_number)} (id ${String(out.document_id)}) e-mailed to ${String(out.email_to)}`;
		expect(noteOf(order.orderId)).toBe(before ? `${before}\n${line}` : line);
		const puts = beyond.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/order-note'));
		expect(puts).toHaveLength(1);

		const again = await runNode({ type: 'invoicExpress', parameters: invoiceParameters(), credentials: { ...ixCredential(), ...beyondCredential() }, input: [order] });
		expect(again.items[0].json).toMatchObject({ outcome: 'already invoiced', emailed: false });
		// The line names the same invoice; the note keeps it once, and nothing was sent to change it.
		expect(noteOf(order.orderId).split('\n').filter((l) => l.startsWith('InvoicExpress'))).toEqual([line]);
		expect(beyond.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/order-note'))).toHaveLength(1);
		expect(ix.legalDocuments()).toHaveLength(1);
	});

	it('Credit From ePages Order adds the credit note line, keeping the invoice line written since the order was read', async () => {
		const order = await paidBeyondOrder();
		const invoiced = await runNode({ type: 'invoicExpress', parameters: invoiceParameters({ sendEmail: false }), credentials: { ...ixCredential(), ...beyondCredential() }, input: [order] });
		expect(invoiced.error).toBeUndefined();
		// The order as read before the invoice (stale note): the credit's write-back reads it fresh.
		const run = await runNode({ type: 'invoicExpress', parameters: creditParameters(), credentials: { ...ixCredential(), ...beyondCredential() }, input: [order] });
		expect(run.error).toBeUndefined();
		const out = run.items[0].json;
		expect(out).toMatchObject({ outcome: 'credited', written_back: 'written' });
		const lines = noteOf(order.orderId).split('\n').filter((l) => l.startsWith('InvoicExpress'));
		expect(lines).toEqual([
			`InvoicExpress ${String(invoiced.items[0].json.legal_number)} (id ${String(invoiced.items[0].json.document_id)})`,
			`InvoicExpress credit note ${String(out.legal_number)} (id ${String(out.document_id)}) for ${String(out.invoice_legal_number)}`,
		]);
	});
});

describe('the Platform must be the order\'s own', () => {
	it('a Beyond order with Platform ePages Now is refused before any request', async () => {
		const order = await paidBeyondOrder();
		const ixBefore = ix.requests.length;
		const run = await runNode({
			type: 'invoicExpress',
			parameters: invoiceParameters({ platform: 'now' }),
			credentials: { ...ixCredential(), ...nowCredential() },
			input: [order],
		});
		expect(run.error?.message).toBe(`order ${String(order.orderNumber)}: the order comes from an ePages Beyond shop, but "Platform" is ePages Now`);
		expect(ix.requests.length).toBe(ixBefore);
		expect(now.requests).toHaveLength(0);
	});

	it('a Platform no shop has (an expression\'s typo) is refused before any request', async () => {
		const order = await paidBeyondOrder();
		const run = await runNode({ type: 'invoicExpress', parameters: creditParameters({ platform: 'beyonde' }), credentials: { ...ixCredential(), ...beyondCredential() }, input: [order] });
		expect(run.error?.message).toBe(`order ${String(order.orderNumber)}: "beyonde" is not a shop platform`);
		expect(ix.requests).toHaveLength(0);
	});
});
