/**
 * Issue 13, found by the e2e test of examples/04 (two executions of Credit From ePages Order at once on
 * the same orders): the execution that finds the credit note already final writes its line without
 * the e-mail ("… for FT A/3"); the execution that finalized and e-mailed it writes the same record with
 * " e-mailed to …". Both read the note fresh, so the order's note recorded one credit note twice.
 * The record is written once: the e-mail completes a bare line; a bare line never follows a full one.
 */
import type { IDataObject } from 'n8n-workflow';

import { runNode, type RunNodeOptions } from '../harness/n8n';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { useSettings } from '../harness/settings';
import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

let ix: IxSandbox;
let shop: EPagesSandbox;
let credentials: RunNodeOptions['credentials'];
useSettings({ invoicExpress: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } });

beforeAll(async () => {
	ix = await startInvoicExpressSandbox();
	shop = await startEPagesSandbox({ seed: 'empty' });
	credentials = { invoicExpressApi: { accountName: 'creditnote', apiKey: ix.apiKey, baseUrl: ix.url }, ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token } };
});
afterAll(async () => {
	await ix.close();
	await shop.close();
});

const credit = { resource: 'document', operation: 'creditFromEPagesOrder', order: '={{ $json }}', correction: 'creditNote', creditScope: 'full', connectEPages: true, writeBack: true };

async function invoicedOrder(email: string): Promise<IDataObject> {
	const base = shop.addOrder({ paidOn: new Date().toISOString() });
	const placed = shop.updateOrder(base.orderId, { billingAddress: { ...(base.billingAddress as object), emailAddress: email } } as never) as unknown as IDataObject;
	const run = await runNode({
		type: 'invoicExpress',
		parameters: createFromOrderParameters({ sendEmail: false, connectEPages: true, writeBack: true }, { date: '2026-11-28', taxExemption: 'M99' }),
		credentials,
		input: [placed],
	});
	expect(run.error).toBeUndefined();
	return placed;
}

/** The credit note line as Credit From ePages Order writes it, read from the sandbox. */
function creditLine(order: IDataObject, emailedTo?: string): string {
	const inv = ix.legalDocuments().find((d) => d.type === 'Invoice' && d.reference === order.orderNumber)!;
	const note = ix.legalDocuments().find((d) => d.type === 'CreditNote' && d.owner_invoice_id === inv.id)!;
	return `InvoicExpress credit note NC ${note.inverted_sequence_number} (id ${note.id}) for FT ${inv.inverted_sequence_number}${emailedTo ? ` e-mailed to ${emailedTo}` : ''}`;
}

const noteOf = (order: IDataObject) => String(shop.orders.find((o) => o.orderId === order.orderId)!.internalNote).split('\n');

it('the execution that e-mailed the credit note completes the line another execution wrote without the e-mail, instead of adding a second one', async () => {
	const order = await invoicedOrder('ana.credit@example.com');
	// Another execution, which found the credit note final, writes its bare line just before this one
	// reads the note for its own write-back (after finalize and e-mail).
	let injected = false;
	shop.onRequest = (req) => {
		if (injected || req.method !== 'GET' || !req.path.endsWith(`/orders/${String(order.orderId)}`)) return;
		if (!ix.legalDocuments().some((d) => d.type === 'CreditNote') || ix.state.emails.length === 0) return;
		injected = true;
		const now = shop.orders.find((o) => o.orderId === order.orderId)!;
		shop.updateOrder(String(order.orderId), { internalNote: `${String(now.internalNote)}\n${creditLine(order)}` } as never);
	};
	const run = await runNode({ type: 'invoicExpress', parameters: { ...credit, sendEmail: true }, credentials, input: [order] });
	shop.onRequest = undefined;
	expect(run.error).toBeUndefined();
	expect(injected).toBe(true);
	expect(run.items[0].json).toMatchObject({ outcome: 'credited', emailed: true, email_to: 'ana.credit@example.com', written_back: 'written' });
	expect(noteOf(order)).toEqual([expect.stringMatching(/^InvoicExpress FT /), creditLine(order, 'ana.credit@example.com')]);
});

it('an execution that did not e-mail it adds nothing after the full line, nor after its own bare line', async () => {
	const order = await invoicedOrder('rui.credit@example.com');
	const first = await runNode({ type: 'invoicExpress', parameters: { ...credit, sendEmail: true }, credentials, input: [order] });
	expect(first.items[0].json).toMatchObject({ outcome: 'credited', written_back: 'written' });
	const again = await runNode({ type: 'invoicExpress', parameters: { ...credit, sendEmail: true }, credentials, input: [order] });
	expect(again.items[0].json).toMatchObject({ outcome: 'already credited', written_back: 'already written' });
	expect(noteOf(order)).toEqual([expect.stringMatching(/^InvoicExpress FT /), creditLine(order, 'rui.credit@example.com')]);
	// Without e-mail at all: the bare line, once.
	const quiet = await invoicedOrder('eva.credit@example.com');
	for (let k = 0; k < 2; k++) await runNode({ type: 'invoicExpress', parameters: { ...credit, sendEmail: false }, credentials, input: [quiet] });
	expect(noteOf(quiet)).toEqual([expect.stringMatching(/^InvoicExpress FT /), creditLine(quiet)]);
	expect(ix.state.emails.filter((e) => e.to === 'eva.credit@example.com')).toEqual([]);
});
