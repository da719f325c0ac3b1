/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode, type RunNodeOptions } from '../harness/n8n';
import { createFromOrderParameters, loadOrderFixtures, type OrderFixture } from '../harness/orderFixtures';
import { useSettings } from '../harness/settings';
import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

/**
 * Issue 21, the rules as the law and the APIs state them, run through n8n's engine against the
 * InvoicExpress sandbox: where the goods leave from decides the Portuguese region of the VAT (CIVA
 * art. 6.º n.º 1 and 16), simplified invoices only within art. 40.º n.º 1 CIVA, on every path from an
 * order to an invoice (Create From ePages Order and Document → Create from an ePages order); a legacy
 * cash sale (VD) is never read as a simplified invoice; only what InvoicExpress cancels is canceled;
 * a return of an order never invoiced ends `not invoiced` once no invoice can plausibly be unlisted.
 */

const fixtures = new Map(loadOrderFixtures().map((f) => [f.file.replace(/\.json$/, ''), f]));
const fixture = (name: string): OrderFixture => fixtures.get(name) ?? (() => { throw new Error(`no fixture ${name}`); })();
const order = (name: string, number?: string): IDataObject => {
	const copy = JSON.parse(JSON.stringify(fixture(name).order)) as IDataObject;
	if (number) copy.orderNumber = number;
	return copy;
};

let sandbox: IxSandbox;
let credentials: RunNodeOptions['credentials'];
let caseNumber = 0;
useSettings({ invoicExpress: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } });

beforeAll(async () => {
	sandbox = await startInvoicExpressSandbox();
});
afterAll(async () => sandbox.close());
beforeEach(() => {
	credentials = { invoicExpressApi: { accountName: `rules${++caseNumber}`, apiKey: sandbox.apiKey, baseUrl: sandbox.url } };
	sandbox.reset();
	sandbox.faults.configure({});
});

const writes = () => sandbox.requests.filter((r) => r.method !== 'GET');
const taxesOf = (number: string) =>
	sandbox.legalDocuments().filter((d) => d.reference === number).flatMap((d) => [...new Set(d.items.map((i) => i.tax.name))]);

async function createFromOrder(input: IDataObject[], orderOptions: IDataObject = {}, over: INodeParameters = {}) {
	return await runNode({
		type: 'invoicExpress',
		parameters: createFromOrderParameters({ sendEmail: false, ...over }, { date: '2026-11-28', ...orderOptions }),
		credentials,
		input,
		continueOnFail: true,
	});
}

describe('Ships From: the region the goods leave from decides the VAT, on every path', () => {
	it('a mainland shop invoices Ponta Delgada, Porto Santo and Funchal at mainland rates with the mainland taxes', async () => {
		const run = await createFromOrder([order('46-ponta-delgada-consumer-mainland-shop'), order('49-porto-santo-consumer-mainland-shop'), order('45-funchal-consumer-mainland-shop')]);
		expect(run.items.map((i) => [i.json.order_number, i.json.outcome, i.json.error ?? null])).toEqual([
			['10346', 'created', null],
			['10349', 'created', null],
			['10345', 'created', null],
		]);
		expect(taxesOf('10346').sort()).toEqual(['IVA13', 'IVA23', 'IVA6']);
		expect(taxesOf('10349').sort()).toEqual(['IVA13', 'IVA23']);
		expect(taxesOf('10345').sort()).toEqual(['IVA23', 'IVA6']);
	});

	it('island rates from a mainland shop are refused before anything is sent, naming the rate and the region', async () => {
		const run = await createFromOrder([order('50-mainland-shop-at-azores-rate-error'), order('51-mainland-shop-at-madeira-reduced-rate-error')]);
		expect(run.items.map((i) => i.json.error)).toEqual([fixture('50-mainland-shop-at-azores-rate-error').expected, fixture('51-mainland-shop-at-madeira-reduced-rate-error').expected].map((e) => (e as { error: string }).error));
		expect(writes()).toEqual([]);
		expect(sandbox.state.clients).toHaveLength(0);
	});

	it('an expression chooses the region per order (stock in several regions); a value that is not a region is refused before any request', async () => {
		const azores = order('50-mainland-shop-at-azores-rate-error', '21001');
		const mainland = order('46-ponta-delgada-consumer-mainland-shop', '21002');
		azores.warehouse = 'PT-AC';
		mainland.warehouse = 'PT';
		const run = await createFromOrder([azores, mainland], { shipsFrom: '={{ $json.warehouse }}' });
		expect(run.items.map((i) => [i.json.outcome, i.json.error ?? null])).toEqual([
			['created', null],
			['created', null],
		]);
		expect(taxesOf('21001')).toEqual(['IVA16']);
		expect(taxesOf('21002').sort()).toEqual(['IVA13', 'IVA23', 'IVA6']);

		sandbox.reset();
		const wrong = order('46-ponta-delgada-consumer-mainland-shop', '21003');
		wrong.warehouse = 'Funchal';
		const refused = await createFromOrder([wrong], { shipsFrom: '={{ $json.warehouse }}' });
		expect(refused.items[0].json.error).toBe('order 21003: "Ships From" is "Funchal": it must be PT (mainland Portugal), PT-AC (the Azores) or PT-MA (Madeira)');
		expect(sandbox.requests).toEqual([]);
	});

	it('Document → Create from an ePages order (the separate steps) applies the same rule and the same refusal', async () => {
		const create = (input: IDataObject, extra: IDataObject = {}) =>
			runNode({
				type: 'invoicExpress',
				parameters: {
					resource: 'document',
					operation: 'create',
					documentType: 'invoice',
					date: '2026-11-28',
					name: 'Cliente',
					code: 'C-1',
					itemsInput: 'ePagesOrder',
					order: '={{ $json }}',
					additionalFields: { finalize: true, uniqueKey: `={{ 'k:' + $json.orderNumber }}`, skipIfReferenceExists: true, ...extra },
				},
				credentials,
				input: [input],
				continueOnFail: true,
			});
		const funchal = await create(order('45-funchal-consumer-mainland-shop'));
		expect(funchal.items[0].json).toMatchObject({ status: 'final', outcome: 'created' });
		expect(taxesOf('10345').sort()).toEqual(['IVA23', 'IVA6']);
		const refused = await create(order('51-mainland-shop-at-madeira-reduced-rate-error'));
		expect(refused.items[0].json.error).toBe((fixture('51-mainland-shop-at-madeira-reduced-rate-error').expected as { error: string }).error);
		const madeira = await create(order('52-madeira-shop-4-12-22'), { shipsFrom: 'PT-MA' });
		expect(madeira.items[0].json).toMatchObject({ status: 'final' });
		expect(taxesOf('10352').sort()).toEqual(['IVA12', 'IVA22', 'IVA4-MA']);
		expect(writes().filter((r) => r.path.includes('simplified') || !['/invoices.json', '/clients.json'].includes(r.path) && r.method === 'POST')).toEqual([]);
		expect(sandbox.legalDocuments().map((d) => d.reference).sort()).toEqual(['10345', '10352']);
		const before = sandbox.requests.length;
		const wrong = await create(order('45-funchal-consumer-mainland-shop', '21004'), { shipsFrom: 'Madeira' });
		expect(wrong.items[0].json.error).toBe('order 21004: "Ships From" is "Madeira": it must be PT (mainland Portugal), PT-AC (the Azores) or PT-MA (Madeira)');
		expect(sandbox.requests.slice(before)).toEqual([]);
	});
});

describe('Simplified invoices within art. 40.º n.º 1 CIVA', () => {
	const simplified = (input: IDataObject[], orderOptions: IDataObject = {}) => createFromOrder(input, orderOptions, { documentType: 'simplifiedInvoice' });

	it('never for a One-Stop-Shop sale or an export, whatever the amount: refused, or an invoice instead when asked', async () => {
		const irish = order('42-oss-ireland-23-with-irish-tax');
		const refused = await simplified([irish]);
		expect(refused.items[0].json.error).toBe(
			'order 10342: a simplified invoice is only allowed where the VAT is due in Portugal (art. 40.º n.º 1 CIVA), and the VAT of this sale is due in IE (One-Stop-Shop)',
		);
		expect(writes()).toEqual([]);
		const instead = await simplified([irish], { simplifiedNotAllowed: 'invoice' });
		expect(instead.items[0].json).toMatchObject({ outcome: 'created', document_type: 'invoice' });
		expect(sandbox.legalDocuments().map((d) => d.type)).toEqual(['Invoice']);

		sandbox.reset();
		const british = order('30-gbp-with-exchange-rate');
		const exported = await simplified([british], { exchangeRate: (fixture('30-gbp-with-exchange-rate').options as IDataObject).exchangeRate, taxExemption: 'M05' });
		expect(String(exported.items[0].json.error)).toContain('outside the EU: an export (exempt, art. 14.º CIVA)');
		expect(writes()).toEqual([]);
	});

	it('an island shop selling to a consumer (VAT due in Portugal) gets one up to 1,000 €; without "Retailer" only up to 100 €', async () => {
		const options = { shipsFrom: 'PT-MA' };
		const funchal = order('23-madeira-22');
		const total = (fixture('23-madeira-22').expected as { total: number }).total;
		expect(total).toBeGreaterThan(100);
		const ok = await simplified([funchal], options);
		expect(ok.items[0].json).toMatchObject({ outcome: 'created', document_type: 'simplifiedInvoice' });
		expect(sandbox.legalDocuments().map((d) => d.type)).toEqual(['SimplifiedInvoice']);
		sandbox.reset();
		const notRetail = await simplified([order('23-madeira-22', '21010')], { ...options, retailer: false });
		expect(notRetail.items[0].json.error).toBe(
			`order 21010: a simplified invoice is only allowed up to 100 € when the shop is not a retailer ("Retailer" is off; art. 40.º n.º 1 b) CIVA), and the order total is ${total} €`,
		);
		expect(writes()).toEqual([]);
	});

	it('an EU consumer charged Portuguese VAT (below the OSS threshold) may get one; an intra-EU supply to a business may not', async () => {
		const greek = await simplified([order('14-greek-customer')]);
		expect(greek.items[0].json).toMatchObject({ outcome: 'created', document_type: 'simplifiedInvoice' });
		sandbox.reset();
		const spanish = await simplified([order('08-net-b2b-spain-reverse-charge')], fixture('08-net-b2b-spain-reverse-charge').options as IDataObject);
		expect(spanish.items[0].json.error).toBe(
			'order 10308: a simplified invoice is only allowed where the VAT is due in Portugal (art. 40.º n.º 1 CIVA), and the sale to a business in ES is an exempt intra-EU supply (art. 14.º RITI)',
		);
		expect(writes()).toEqual([]);
	});
});

describe('a legacy cash sale (VD, listed CashInvoice) is not a simplified invoice, and no path is guessed for it', () => {
	/** Invoices the order, then makes its document what an old account lists: a VD. */
	async function withCashSale(name: string) {
		const run = await createFromOrder([order(name)]);
		expect(run.items[0].json.outcome).toBe('created');
		const doc = sandbox.state.documents.find((d) => d.reference === String(fixture(name).order.orderNumber))!;
		doc.type = 'CashInvoice';
		return doc;
	}

	it('Create From ePages Order issues nothing beside it and names it, even as a simplified invoice', async () => {
		const vd = await withCashSale('01-three-vat-rates');
		const before = sandbox.requests.length;
		for (const documentType of ['invoice', 'simplifiedInvoice']) {
			const again = await createFromOrder([order('01-three-vat-rates')], {}, { documentType });
			expect(again.items[0].json.error).toBe(
				`order 10301: creating the ${documentType === 'invoice' ? 'invoice' : 'simplified invoice'} failed: a cash sale (VD ${String(vd.inverted_sequence_number)}, legacy type CashInvoice, id ${vd.id}, final) has the reference "10301": it is a legal document of this order, so nothing is issued or corrected beside it`,
			);
		}
		// Its own drafts were deleted; the VD was never read by a guessed path.
		expect(sandbox.state.documents.filter((d) => d.status !== 'deleted').map((d) => d.type)).toEqual(['CashInvoice']);
		expect(sandbox.requests.slice(before).filter((r) => r.path.includes(String(vd.id)) || r.path.includes('cash'))).toEqual([]);
	});

	it('Credit From ePages Order refuses to credit or cancel it; Get Many lists it as what it is', async () => {
		await withCashSale('01-three-vat-rates');
		const before = sandbox.requests.length;
		const refused = await runNode({
			type: 'invoicExpress',
			parameters: { resource: 'document', operation: 'creditFromEPagesOrder', order: '={{ $json }}', correction: 'creditNote', creditScope: 'full', sendEmail: false },
			credentials,
			input: [order('01-three-vat-rates')],
			continueOnFail: true,
		});
		expect(String(refused.items[0].json.error)).toMatch(/^order 10301: the order's document VD A\/\d+ is a cash sale \(legacy type CashInvoice, id \d+\), which the package cannot credit$/);
		expect(sandbox.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /invoices.json']);
		const simplified = await runNode({ type: 'invoicExpress', parameters: { resource: 'document', operation: 'getAll', returnAll: true, filters: { types: ['simplifiedInvoice'] } }, credentials });
		expect(simplified.items).toEqual([]);
		const all = await runNode({ type: 'invoicExpress', parameters: { resource: 'document', operation: 'getAll', returnAll: true }, credentials });
		expect(all.items.map((i) => [i.json.document_type, String(i.json.legal_number).slice(0, 3)])).toEqual([['cashInvoice', 'VD ']]);
	});
});

describe('cancel only what InvoicExpress lets you cancel', () => {
	const cancel = (type: string, id: number) =>
		runNode({
			type: 'invoicExpress',
			parameters: { resource: 'document', operation: 'cancel', documentType: type, documentId: { __rl: true, mode: 'id', value: String(id) }, reason: 'emitida por engano' },
			credentials,
			continueOnFail: true,
		});
	const changeStates = () => sandbox.requests.filter((r) => r.path.endsWith('/change-state.json'));

	it('a settled invoice or simplified invoice is refused before the change-state request, saying what to do; a settled invoice-receipt is canceled', async () => {
		for (const [documentType, path] of [['invoice', 'invoices'], ['simplifiedInvoice', 'simplified_invoices']] as const) {
			sandbox.reset();
			const run = await createFromOrder([order('46-ponta-delgada-consumer-mainland-shop')], {}, { documentType });
			const id = run.items[0].json.document_id as number;
			sandbox.state.documents.find((d) => d.id === id)!.status = 'settled';
			const before = changeStates().length;
			const refused = await cancel(documentType, id);
			expect(refused.items[0].json.error).toBe(`${documentType === 'invoice' ? 'Invoice' : 'Simplified Invoice'} ${id} is settled, and InvoicExpress cancels a settled document only when it is an invoice-receipt`);
			expect(String(refused.items[0].json.description ?? refused.error?.description ?? '')).toContain('first cancel in InvoicExpress the receipt that settled it');
			expect(changeStates().slice(before)).toEqual([]);
			expect(sandbox.requests.filter((r) => r.path === `/${path}/${id}.json` && r.method === 'GET')).toHaveLength(1);
			expect(sandbox.state.illegalTransitions).toEqual([]);
		}
		sandbox.reset();
		const receipt = await createFromOrder([order('46-ponta-delgada-consumer-mainland-shop')], {}, { documentType: 'invoiceReceipt' });
		const done = await cancel('invoiceReceipt', receipt.items[0].json.document_id as number);
		expect(done.items[0].json).toMatchObject({ status: 'canceled' });
		expect(sandbox.state.illegalTransitions).toEqual([]);
	});

	it('the sandbox refuses settled → canceled for every type but invoice_receipt, as the service does', async () => {
		const run = await createFromOrder([order('46-ponta-delgada-consumer-mainland-shop')]);
		const id = run.items[0].json.document_id as number;
		sandbox.state.documents.find((d) => d.id === id)!.status = 'settled';
		const res = await fetch(`${sandbox.url}/invoices/${id}/change-state.json?api_key=${sandbox.apiKey}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify({ invoice: { state: 'canceled', message: 'x' } }),
		});
		expect(res.status).toBe(422);
		expect(sandbox.state.illegalTransitions).toEqual([expect.objectContaining({ documentId: id, from: 'settled', target: 'canceled' })]);
	});

	it('Credit From ePages Order with the correction "cancel" refuses a settled invoice before any change', async () => {
		const run = await createFromOrder([order('46-ponta-delgada-consumer-mainland-shop')]);
		sandbox.state.documents.find((d) => d.id === run.items[0].json.document_id)!.status = 'settled';
		const before = sandbox.requests.length;
		const refused = await runNode({
			type: 'invoicExpress',
			parameters: { resource: 'document', operation: 'creditFromEPagesOrder', order: '={{ $json }}', correction: 'cancel', reason: 'emitida por engano', sendEmail: false },
			credentials,
			input: [order('46-ponta-delgada-consumer-mainland-shop')],
			continueOnFail: true,
		});
		expect(String(refused.items[0].json.error)).toMatch(/^order 10346: FT A\/\d+ is settled, and InvoicExpress cancels a settled document only when it is an invoice-receipt$/);
		expect(sandbox.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
	});
});

describe('returns of orders never invoiced (example 04)', () => {
	let shop: EPagesSandbox;
	const HOUR = 3600 * 1000;
	beforeAll(async () => {
		shop = await startEPagesSandbox({ seed: 'empty' });
	});
	afterAll(async () => shop.close());
	beforeEach(() => shop.reset('empty'));

	const example = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', '04-returned-order-to-credit-note.json'), 'utf8')) as { nodes: Array<{ name: string; parameters: IDataObject }> };
	const nodeOf = (name: string) => example.nodes.find((n) => n.name === name)!.parameters;

	/** Example 04's Check Again path: the orders of the last 90 days, the returned or cancelled ones, their credit notes, then "Not Credited". */
	async function checkAgain() {
		const epCredentials = { ...credentials, ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token } };
		const listed = await runNode({ type: 'ePages', parameters: nodeOf('Orders of the Last 90 Days') as INodeParameters, credentials: epCredentials });
		expect(listed.error).toBeUndefined();
		// The example's Filter node: {{ !!$json.returnedOn || !!$json.rejectedOn }}.
		const returned = listed.items.map((i) => i.json).filter((o) => !!o.returnedOn || !!o.rejectedOn);
		const credited = await runNode({ type: 'invoicExpress', parameters: nodeOf('Credit Note') as INodeParameters, credentials: epCredentials, input: returned, continueOnFail: true });
		// The example's "Not Credited" filter: {{ !!$json.error || $json.outcome === 'pending' }} → Stop and Error.
		const notCredited = credited.items.filter((i) => !!i.json.error || i.json.outcome === 'pending');
		return { credited: credited.items.map((i) => [i.json.order_number, i.json.outcome ?? i.json.error]), notCredited };
	}

	it('a cancelled order refused at the time (never invoiced) is "not invoiced" once paid 24 hours ago, not pending on every Check Again', async () => {
		const now = Date.now();
		const old = shop.addOrder({ paidOn: new Date(now - 30 * HOUR).toISOString(), rejectedOn: new Date(now - 29 * HOUR).toISOString() }, { creationDate: new Date(now - 31 * HOUR).toISOString() });
		const fresh = shop.addOrder({ paidOn: new Date(now - HOUR).toISOString(), returnedOn: new Date(now - HOUR / 2).toISOString() }, { creationDate: new Date(now - 2 * HOUR).toISOString() });
		const first = await checkAgain();
		expect(new Map(first.credited.map(([n, o]) => [n, o]))).toEqual(
			new Map([
				[old.orderNumber, 'not invoiced'],
				[fresh.orderNumber, 'pending'],
			]),
		);
		expect(first.notCredited.map((i) => i.json.order_number)).toEqual([fresh.orderNumber]);
		expect(String(first.notCredited[0].json.pending_reason)).toContain('paid less than 24 hours ago');
		// Nothing was sent to InvoicExpress for either: only reference lookups.
		expect(sandbox.requests.filter((r) => r.method !== 'GET')).toEqual([]);
	});

	it('an order marked invoiced in the shop, or with an invoice listed, is never declared "not invoiced"', async () => {
		const now = Date.now();
		const marked = shop.addOrder({ paidOn: new Date(now - 48 * HOUR).toISOString(), invoicedOn: new Date(now - 47 * HOUR).toISOString(), rejectedOn: new Date(now - 40 * HOUR).toISOString() }, { creationDate: new Date(now - 49 * HOUR).toISOString() });
		const invoiced = shop.addOrder({ paidOn: new Date(now - 48 * HOUR).toISOString() }, { creationDate: new Date(now - 49 * HOUR).toISOString() });
		const made = await createFromOrder([invoiced as unknown as IDataObject], { taxExemption: 'M99' });
		expect(made.items[0].json.outcome).toBe('created');
		shop.setStatus(invoiced.orderId, 'returnedOn', new Date(now - HOUR).toISOString());
		const run = await checkAgain();
		const outcome = new Map(run.credited.map(([n, o]) => [n, o]));
		expect(outcome.get(marked.orderNumber)).toBe('pending');
		expect(outcome.get(invoiced.orderNumber)).toBe('credited');
	});
});
