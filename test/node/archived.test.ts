/**
 * An invoice the merchant archived in InvoicExpress is still the order's invoice. The reference
 * lookup lists non-archived documents only (the list filters non_archived / archived, read strictly by
 * the sandbox as each selecting its own set): before finalizing a new document the protocol looks at
 * the archived ones, so no second invoice is issued beside an archived one; a return still finds its
 * invoice to credit; the reconciliation counts it.
 */
import type { IDataObject } from 'n8n-workflow';

import { runNode } from '../harness/n8n';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { useSettings } from '../harness/settings';
import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

useSettings({ invoicExpress: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } });

let shop: EPagesSandbox;
let ix: IxSandbox;

beforeAll(async () => {
	shop = await startEPagesSandbox({ seed: 'empty' });
	ix = await startInvoicExpressSandbox();
});
afterAll(async () => {
	await shop.close();
	await ix.close();
});
beforeEach(() => ix.reset());

const credentials = () => ({ invoicExpressApi: { accountName: 'archived', apiKey: ix.apiKey, baseUrl: ix.url } });
const paid = () =>
	shop.addOrder({ paidOn: new Date().toISOString(), billingAddress: { firstName: 'Rui', lastName: 'Sá', emailAddress: 'rui@example.com', country: 'PT', zipCode: '4000-001', city: 'Porto', street: 'Rua B 2' } } as never) as unknown as IDataObject;
const invoice = async (order: IDataObject) =>
	await runNode({ type: 'invoicExpress', parameters: createFromOrderParameters({ sendEmail: false }, { date: '2026-11-28', taxExemption: 'M99' }), credentials: credentials(), input: [order] });

describe('an archived invoice is still the order\'s invoice', () => {
	it('invoicing the order again finds it and issues nothing (the run\'s draft is deleted)', async () => {
		const order = paid();
		const first = await invoice(order);
		expect(first.items[0].json.outcome).toBe('created');
		ix.archive(first.items[0].json.document_id as number);
		const again = await invoice(order);
		expect(again.error).toBeUndefined();
		expect(again.items[0].json).toMatchObject({ outcome: 'already invoiced', document_id: first.items[0].json.document_id });
		expect(ix.legalDocuments()).toHaveLength(1);
		expect(ix.state.documents.filter((d) => d.status === 'draft')).toEqual([]);
		// The archived documents were asked for once, right before a draft would have become legal.
		expect(ix.requests.filter((r) => r.path === '/invoices.json' && r.query.archived === 'true' && r.query.non_archived === undefined).length).toBeGreaterThanOrEqual(1);
	});

	it('read the other way (archived=true listing every document), an order is still invoiced once', async () => {
		ix.setArchivedReading('all');
		const order = paid();
		const first = await invoice(order);
		expect(first.error).toBeUndefined();
		expect(first.items[0].json.outcome).toBe('created');
		const again = await invoice(order);
		expect(again.items[0].json).toMatchObject({ outcome: 'already invoiced', document_id: first.items[0].json.document_id });
		expect(ix.legalDocuments()).toHaveLength(1);
		expect(ix.state.documents.filter((d) => d.status === 'draft')).toEqual([]);
	});

	it('a return of an order whose invoice was archived is credited', async () => {
		const order = paid();
		const first = await invoice(order);
		ix.archive(first.items[0].json.document_id as number);
		const credit = await runNode({
			type: 'invoicExpress',
			parameters: { resource: 'document', operation: 'creditFromEPagesOrder', order: '={{ $json }}', correction: 'creditNote', creditScope: 'full', sendEmail: false },
			credentials: credentials(),
			input: [order],
		});
		expect(credit.error).toBeUndefined();
		expect(credit.items[0].json).toMatchObject({ outcome: 'credited', invoice_id: first.items[0].json.document_id });
	});
});
