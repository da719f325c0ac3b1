import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode, type RunNodeOptions } from '../harness/n8n';
import { createFromOrderParameters, loadOrderFixtures, type OrderFixture } from '../harness/orderFixtures';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

/**
 * Issue 21, the rules as the law and the APIs state them, run through n8n's engine against the
 * InvoicExpress sandbox: where the goods leave from decides the Portuguese region of the VAT (CIVA
 * art. 6.º n.º 1 and 16), simplified invoices only within art. 40.º n.º 1 CIVA, on every path from an
 * order to an invoice (Create From ePages Order and Document → Create from an ePages order).
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
const tuning = { invoicExpress: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } };

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
		parameters: createFromOrderParameters({ sendEmail: false, tuning, ...over }, { date: '2026-11-28', ...orderOptions }),
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
					tuning,
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
