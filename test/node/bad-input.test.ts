/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Bad input catalogue (issue 6): every case gives one bad (or awkward) input, the exact message a
 * user sees, and proof of what reached the services: for input errors nothing at all, or only the
 * tax list; never a POST or PUT to InvoicExpress. No message or description shows a key or token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode, testCredential, type RunNodeOptions, type RunNodeResult } from '../harness/n8n';
import { fakeSecret } from '../harness/secrets';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { useSettings } from '../harness/settings';
import { loadEPagesFixture, startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import type { RecordedRequest } from '../sandbox/recorder';

const shopFixture = loadEPagesFixture();
const fixtureOrders = shopFixture.orders as unknown as IDataObject[];

const WRONG_KEY = fakeSecret('wrong-ix-key');
const WRONG_TOKEN = fakeSecret('wrong-ep-token');
const OTHER_TOKEN = fakeSecret('other-shop-token');

let ix: IxSandbox;
let shop: EPagesSandbox;
let otherShop: EPagesSandbox;
let htmlServer: Server;
let htmlUrl: string;
const htmlRequests: string[] = [];
let ixCreds: RunNodeOptions['credentials'];
let caseNumber = 0;
/** Short back-offs for both services, through the package's test settings. */
const FAST = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
useSettings({ invoicExpress: FAST, ePages: FAST });

beforeAll(async () => {
	ix = await startInvoicExpressSandbox({ pdfPendingPolls: 1 });
	shop = await startEPagesSandbox({ now: () => new Date('2026-11-28T12:00:00Z') });
	otherShop = await startEPagesSandbox({ shopId: 'OtherShop', token: OTHER_TOKEN, seed: 'empty' });
	// A login page where an API was expected: 200 OK, text/html.
	htmlServer = createServer((req, res) => {
		htmlRequests.push(`${req.method ?? ''} ${req.url ?? ''}`);
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end('<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Login</form></body></html>');
	});
	await new Promise<void>((resolve) => htmlServer.listen(0, '127.0.0.1', resolve));
	htmlUrl = `http://127.0.0.1:${(htmlServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await ix.close();
	await shop.close();
	await otherShop.close();
	htmlServer.closeAllConnections();
	await new Promise<void>((resolve) => htmlServer.close(() => resolve()));
});

beforeEach(() => {
	// Every case counts its calls from an empty account cache of taxes: the cache is per credential.
	ixCreds = { invoicExpressApi: { accountName: `sandboxshop${++caseNumber}`, apiKey: ix.apiKey, baseUrl: ix.url } };
	ix.reset();
	ix.faults.configure({});
	shop.reset();
	shop.requests.splice(0);
	otherShop.requests.splice(0);
	htmlRequests.splice(0);
});

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A plain PT order (10231: two product lines at 6 % and 13 %, shipping at 23 %), renumbered. */
function order(number: string, change: (o: IDataObject & { billingAddress: IDataObject; lineItemContainer: IDataObject & { productLineItems: IDataObject[] } }) => void = () => undefined): IDataObject {
	const o = clone(fixtureOrders[0]) as IDataObject & { billingAddress: IDataObject; lineItemContainer: IDataObject & { productLineItems: IDataObject[] } };
	o.orderNumber = number;
	o.orderId = `ID-${number}`;
	change(o);
	return o;
}

const price = (amount: number) => ({ taxType: 'GROSS', formatted: `${amount.toFixed(2)} €`, amount, currency: 'EUR' });

/** A GROSS product line. */
function line(sku: string, name: string, amount: number, rate: number, quantity = 1): IDataObject {
	return {
		lineItemId: `L-${sku}`,
		sku,
		name,
		quantity: { amount: quantity, unit: 'piece(s)' },
		singleItemPrice: price(amount / quantity),
		lineItemPrice: price(amount),
		lineItemCouponDiscount: null,
		taxClass: { name: `${rate} %`, percentage: rate },
	};
}

/** Replaces the lines of an order, drops shipping and sets the grand total to the sum of the lines. */
function withLines(o: IDataObject, lines: IDataObject[]): IDataObject {
	const container = o.lineItemContainer as IDataObject;
	container.productLineItems = lines;
	const cents = lines.reduce((s, l) => s + Math.round(((l.lineItemPrice as { amount: number }).amount) * 100), 0);
	container.grandTotal = price(cents / 100);
	container.shippingPrice = price(0);
	delete container.totalTax;
	delete container.totalBeforeTax;
	o.shippingData = null;
	o.grandTotal = String(cents / 100);
	delete o.totalTax;
	return o;
}

function oneStep(over: INodeParameters = {}, options: IDataObject = {}): INodeParameters {
	return createFromOrderParameters(over, { date: '2026-11-28', dueDays: 30, ...options });
}

async function invoiceOrder(input: IDataObject[], over: INodeParameters = {}, options: IDataObject = {}, extra: Partial<RunNodeOptions> = {}) {
	return await runNode({ type: 'invoicExpress', parameters: oneStep(over, options), credentials: ixCreds, input, ...extra });
}

async function ixRun(parameters: INodeParameters, extra: Partial<RunNodeOptions> = {}) {
	return await runNode({ type: 'invoicExpress', parameters, credentials: ixCreds, ...extra });
}

async function epRun(parameters: INodeParameters, creds: IDataObject = {}) {
	return await runNode({
		type: 'ePages',
		parameters,
		credentials: { ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token, ...creds } },
	});
}

let lastDocumentId = '';

/** A document made for a case, with the setup requests then forgotten. */
async function makeDocument(opts: { finalize: boolean; email?: string }): Promise<string> {
	const run = await ixRun({
		resource: 'document',
		operation: 'create',
		documentType: 'invoice',
		date: '2026-11-28',
		dueDate: '2026-12-28',
		name: 'Maria Silva',
		code: 'C-1',
		clientFields: opts.email ? { country: 'PT', email: opts.email } : { country: 'PT' },
		itemsInput: 'fields',
		items: { item: [{ name: 'SKU-1', description: 'Caneca', unitPrice: 10, quantity: 1, unit: 'unit', discount: 0, tax: 'IVA23' }] },
		additionalFields: { reference: 'SETUP', finalize: opts.finalize },
	});
	expect(run.error).toBeUndefined();
	ix.requests.splice(0);
	lastDocumentId = String(run.items[0].json.id);
	return lastDocumentId;
}

const ixWrites = () => ix.requests.filter((r) => r.method !== 'GET');
const ixPaths = () => ix.requests.map((r) => `${r.method} ${r.path}`);
const posted = (path: string): IDataObject => (ix.requests.find((r) => r.method === 'POST' && r.path === path)?.body ?? {}) as IDataObject;
/** The client the one-step operation created before its invoice (POST /clients.json: the NIF is checked there). */
const postedClient = () => (posted('/clients.json').client ?? {}) as IDataObject;
const postedInvoice = () => (posted('/invoices.json').invoice ?? {}) as IDataObject & { client: IDataObject; items: IDataObject[] };
const epPaths = (s: EPagesSandbox) => s.requests.map((r: RecordedRequest) => `${r.method} ${r.path}`);

/** Proof of what was sent. */
const SENT = {
	/** Nothing reached InvoicExpress or the shop. */
	nothing: () => {
		expect(ixPaths()).toEqual([]);
		expect(epPaths(shop)).toEqual([]);
	},
	/** Only the tax list was read (the node needs it to validate), nothing written. */
	taxesOnly: () => {
		expect(ixPaths()).toEqual(['GET /taxes.json']);
		expect(epPaths(shop)).toEqual([]);
	},
	/** Reads only: no POST/PUT/PATCH/DELETE anywhere. */
	noWrites: () => {
		expect(ixWrites()).toEqual([]);
		expect(shop.requests.filter((r) => r.method !== 'GET')).toEqual([]);
	},
};

interface Case {
	name: string;
	act: () => Promise<RunNodeResult>;
	/** Exact error message of the node (execution stops). */
	message?: string | (() => string);
	/** Exact `error` field of the first item with Continue On Fail. */
	itemError?: string;
	/** Further checks: what was (not) sent, what the output says. */
	check: (run: RunNodeResult) => void;
}

const ORDER_FIELD = 'lineItemContainer.productLineItems.0';
const LONG_NAME = `Sociedade Comercial de Produtos Alimentares e Vinhos do Norte e Centro de Portugal, Limitada ${'X'.repeat(10)}`;
const HTML_NAME = '<img src=x onerror="alert(1)"> & Filhos <b>Lda</b>';
const HTML_COMMENT = `<script>alert('x')</script> Entregar à "porta" & não <i>tocar</i> &amp; obrigado`;
const HTML_PRODUCT = 'Caneca <b>grande</b> & "azul" </textarea>';

const cases: Case[] = [
	// ------------------------------------------------------------------ the order itself
	{
		name: 'malformed order JSON',
		act: async () => await invoiceOrder([{}], { order: '{"orderNumber": "1", "lineItemContainer": ' }),
		message: 'The order is not valid JSON',
		check: SENT.nothing,
	},
	{
		name: 'an order that is a JSON array, not an object',
		act: async () => await invoiceOrder([{}], { order: '[{"orderNumber": "1"}]' }),
		message: 'The input item is not an ePages order',
		check: (run) => {
			expect(run.error?.description).toBe('Connect the ePages node (Order → Get) or the ePages Trigger before this node.');
			SENT.nothing();
		},
	},
	{
		name: 'a list item where a full order is needed (no ePages connection)',
		act: async () => {
			const item = order('LIST-1');
			delete item.lineItemContainer;
			return await invoiceOrder([item]);
		},
		message: 'order LIST-1: the item has no line items (lineItemContainer); it looks like an order list item',
		check: (run) => {
			expect(run.error?.description).toContain('ePages → Order → Get');
			SENT.taxesOnly();
		},
	},
	{
		name: 'a list item with an ePages connection but no orderId',
		act: async () => await invoiceOrder([{ orderNumber: 'NO-ID' }], { connectEPages: true }, {}, { credentials: { ...ixCreds, ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token } } }),
		message: 'order NO-ID: getting the full order from ePages failed: The order list item has no orderId to fetch the full order with',
		check: SENT.nothing,
	},
	{
		name: 'missing billing name (no last name, no company)',
		act: async () => await invoiceOrder([order('NONAME', (o) => {
			o.billingAddress.lastName = null;
			o.billingAddress.company = null;
		})]),
		message: 'order NONAME: billingAddress.lastName is missing',
		check: (run) => {
			expect(run.error?.description).toBe('The client name comes from the billing company or first and last name.');
			SENT.taxesOnly();
		},
	},
	{
		name: 'missing billingAddress altogether',
		act: async () => await invoiceOrder([order('NOADDR', (o) => {
			delete (o as IDataObject).billingAddress;
		})]),
		message: 'order NOADDR: billingAddress is missing',
		check: SENT.taxesOnly,
	},
	{
		name: 'taxModel missing',
		act: async () => await invoiceOrder([order('NOMODEL', (o) => {
			delete o.taxModel;
		})]),
		message: 'order NOMODEL: taxModel is missing',
		check: SENT.taxesOnly,
	},
	{
		name: 'empty order (no product lines)',
		act: async () => await invoiceOrder([order('EMPTY', (o) => {
			o.lineItemContainer.productLineItems = [];
		})]),
		message: 'order EMPTY: the order has no product lines',
		check: SENT.taxesOnly,
	},
	{
		name: 'a line with quantity 0',
		act: async () => await invoiceOrder([order('QTY0', (o) => {
			(o.lineItemContainer.productLineItems[0].quantity as IDataObject).amount = 0;
		})]),
		message: `order QTY0: ${ORDER_FIELD}.quantity.amount must be greater than 0`,
		check: SENT.taxesOnly,
	},
	{
		name: 'a line with a non-numeric quantity',
		act: async () => await invoiceOrder([order('QTYX', (o) => {
			(o.lineItemContainer.productLineItems[0].quantity as IDataObject).amount = 'two';
		})]),
		message: `order QTYX: ${ORDER_FIELD}.quantity.amount is not a number`,
		check: SENT.taxesOnly,
	},
	{
		name: 'a line with a negative price',
		act: async () => await invoiceOrder([order('NEG', (o) => {
			o.lineItemContainer.productLineItems[0].lineItemPrice = price(-25.8);
		})]),
		message: `order NEG: ${ORDER_FIELD}.lineItemPrice is negative`,
		check: SENT.taxesOnly,
	},
	{
		name: 'a line without a price',
		act: async () => await invoiceOrder([order('NOPRICE', (o) => {
			delete o.lineItemContainer.productLineItems[0].lineItemPrice;
		})]),
		message: `order NOPRICE: ${ORDER_FIELD}.lineItemPrice is not an amount`,
		check: SENT.taxesOnly,
	},
	{
		name: 'zero-total order (one free line, no shipping): one invoice of 0.00, matching the order',
		act: async () => await invoiceOrder([withLines(order('ZERO'), [line('FREE-1', 'Amostra grátis', 0, 23)])]),
		check: (run) => {
			// Decided by what the node does: a legal invoice of 0.00 (a free sample is still a supply), e-mailed.
			expect(run.error).toBeUndefined();
			expect(run.items[0].json).toMatchObject({ outcome: 'created', status: 'final', total: 0, taxes: 0, emailed: true });
			expect((run.items[0].json.totals_check as IDataObject).matches).toBe(true);
			expect(postedInvoice().items).toEqual([expect.objectContaining({ name: 'FREE-1', unit_price: 0, quantity: 1 })]);
			expect(ix.legalDocuments()).toHaveLength(1);
		},
	},
	// ------------------------------------------------------------------ client data
	{
		name: 'invalid Portuguese NIF (check digit)',
		act: async () => await invoiceOrder([order('NIF-BAD', (o) => {
			o.billingAddress.vatId = '123456780';
		})]),
		message: 'order NIF-BAD: client fiscal number "123456780" is not a valid Portuguese NIF: its check digit is wrong',
		check: (run) => {
			expect(run.error?.description).toContain('"Invalid NIF"');
			SENT.taxesOnly();
		},
	},
	{
		name: 'Portuguese NIF with 8 digits',
		act: async () => await invoiceOrder([order('NIF-8', (o) => {
			o.billingAddress.vatId = '50196484';
		})]),
		message: 'order NIF-8: client fiscal number "50196484" is not a valid Portuguese NIF: a Portuguese NIF has exactly 9 digits',
		check: SENT.taxesOnly,
	},
	{
		name: 'invalid NIF with "Issue to Final Consumer": invoiced without it, with a warning',
		act: async () => await invoiceOrder([order('NIF-FC', (o) => {
			o.billingAddress.vatId = '123456780';
		})], {}, { invalidFiscalId: 'finalConsumer' }),
		check: (run) => {
			expect(run.error).toBeUndefined();
			expect(run.items[0].json.warnings).toEqual(['invalid NIF "123456780" dropped: issued to final consumer']);
			expect(postedClient().fiscal_id).toBeUndefined();
		},
	},
	{
		name: 'NIF with PT prefix and spaces: accepted and cleaned',
		act: async () => await invoiceOrder([order('NIF-PT', (o) => {
			o.billingAddress.vatId = 'PT 501 964 843';
		})]),
		check: (run) => {
			expect(run.error).toBeUndefined();
			expect(run.items[0].json.status).toBe('final');
			expect(postedClient().fiscal_id).toBe('501964843');
		},
	},
	{
		name: 'NIF with dots and dashes: accepted and cleaned',
		act: async () => await invoiceOrder([order('NIF-DOT', (o) => {
			o.billingAddress.vatId = 'pt-501.964.843';
		})]),
		check: (run) => {
			expect(run.error).toBeUndefined();
			expect(postedClient().fiscal_id).toBe('501964843');
		},
	},
	{
		name: 'unknown country',
		act: async () => await invoiceOrder([order('CTRY', (o) => {
			o.billingAddress.country = 'XX';
		})]),
		message: 'order CTRY: billingAddress.country "XX" is unknown',
		check: (run) => {
			expect(run.error?.description).toBe('ePages sends ISO 3166 codes such as PT or ES.');
			SENT.taxesOnly();
		},
	},
	{
		name: 'invalid e-mail address',
		act: async () => await invoiceOrder([order('MAIL', (o) => {
			o.billingAddress.emailAddress = 'maria@example';
		})]),
		message: 'order MAIL: client e-mail "maria@example" is not a valid address',
		check: SENT.taxesOnly,
	},
	{
		name: 'name over 100 characters: shortened at a word boundary, the full name kept on the client record',
		act: async () => await invoiceOrder([order('LONG', (o) => {
			o.billingAddress.company = LONG_NAME;
		})]),
		check: (run) => {
			expect(run.error).toBeUndefined();
			const short = 'Sociedade Comercial de Produtos Alimentares e Vinhos do Norte e Centro de Portugal, Limitada';
			expect(postedClient()).toMatchObject({ name: short, observations: `Nome completo: ${LONG_NAME}` });
			expect(postedInvoice().client.name).toBe(short);
			expect(ix.legalDocuments()[0].client.name).toBe(short);
			expect(run.items[0].json.warnings).toEqual([`client name shortened to 100 characters ("${short}"); the full name is in the client's observations`]);
		},
	},
	{
		name: 'a company name of emoji, Greek, Arabic and CJK only: accepted, sent intact',
		act: async () => await invoiceOrder([order('EMOJI', (o) => {
			o.billingAddress.company = `${'🍷'.repeat(20)} Ωμέγα ΑΕ شركة 株式会社`;
		})]),
		check: (run) => {
			expect(run.error).toBeUndefined();
			expect(postedClient().name).toBe(`${'🍷'.repeat(20)} Ωμέγα ΑΕ شركة 株式会社`);
			expect(ix.legalDocuments()[0].client.name).toBe(`${'🍷'.repeat(20)} Ωμέγα ΑΕ شركة 株式会社`);
		},
	},
	{
		name: 'emoji and non-Latin scripts in names, products and comment: sent intact',
		act: async () =>
			await invoiceOrder([order('UNICODE', (o) => {
				o.billingAddress.firstName = 'Дмитрий 李';
				o.billingAddress.lastName = 'Παπαδόπουλος 🎉';
				o.billingAddress.city = 'Αθήνα';
				o.customerComment = 'Спасибо! 谢谢 🙏 شكرا';
				o.lineItemContainer.productLineItems[0].name = 'Чай 🍵 緑茶';
			})], {}, { itemName: 'productName' }),
		check: (run) => {
			expect(run.error).toBeUndefined();
			const doc = postedInvoice();
			expect(doc.client.name).toBe('Дмитрий 李 Παπαδόπουλος 🎉');
			expect(postedClient().city).toBe('Αθήνα');
			expect(doc.observations).toBe('Спасибо! 谢谢 🙏 شكرا');
			expect(doc.items[0].name).toBe('Чай 🍵 緑茶');
			expect(ix.state.documents[0].client.name).toBe('Дмитрий 李 Παπαδόπουλος 🎉');
		},
	},
	{
		name: 'HTML and script text in names, comments and product names: plain text on the document (scripts and tags removed, entities decoded)',
		act: async () =>
			await invoiceOrder([order('HTML', (o) => {
				o.billingAddress.company = HTML_NAME;
				o.customerComment = HTML_COMMENT;
				o.lineItemContainer.productLineItems[0].name = HTML_PRODUCT;
			})], {}, { itemName: 'productName' }),
		check: (run) => {
			expect(run.error).toBeUndefined();
			const doc = postedInvoice();
			expect(doc.client.name).toBe('& Filhos Lda');
			expect(doc.observations).toBe('Entregar à "porta" & não tocar & obrigado');
			expect(doc.items[0].name).toBe('Caneca grande & "azul"');
			expect(run.items[0].json.client_name).toBe('& Filhos Lda');
			expect(JSON.stringify(doc)).not.toMatch(/<script|onerror|<b>|&amp;/);
		},
	},
	// ------------------------------------------------------------------ taxes, currency, dates
	{
		name: 'unknown tax rate (17 %)',
		act: async () => await invoiceOrder([order('RATE', (o) => {
			(o.lineItemContainer.productLineItems[0].taxClass as IDataObject).percentage = 17;
		})]),
		// Issue 21: 17 % is no rate of the region the goods leave from (CIVA art. 18.º), so it is refused
		// as such before the account's taxes are even searched.
		message: 'order RATE: 17 % is not a VAT rate of mainland Portugal, where the goods leave from ("Ships From" PT): its rates are 6, 13 and 23 % (CIVA art. 18.º); goods shipped within mainland Portugal (postal code 1100-053)',
		check: (run) => {
			expect(run.error?.description).toContain('17 % is no Portuguese VAT rate. Correct the VAT of this order in the shop\'s tax settings, or set "Ships From"');
			SENT.taxesOnly();
		},
	},
	{
		name: 'tax mapping that names a tax the account does not have',
		act: async () => await invoiceOrder([order('MAP')], {}, { taxMapping: { mapping: [{ rate: 6, taxName: 'IVA6-OLD' }] } }),
		message: 'order MAP: the tax mapping for 6 % names "IVA6-OLD", which does not exist in this InvoicExpress account',
		check: SENT.taxesOnly,
	},
	{
		name: '0 % line without exemption reason',
		act: async () => await invoiceOrder([withLines(order('ZERO-VAT'), [line('BOOK-1', 'Livro', 10, 0)])]),
		message: 'order ZERO-VAT: 1 item(s) have 0 % VAT but no tax exemption reason is set',
		check: SENT.taxesOnly,
	},
	{
		name: 'exemption reason that is not an M-code',
		act: async () => await invoiceOrder([withLines(order('MCODE'), [line('BOOK-1', 'Livro', 10, 0)])], {}, { taxExemption: 'M77X' }),
		message: 'order MCODE: tax exemption reason "M77X" is not a valid code (M01 … M99)',
		check: SENT.taxesOnly,
	},
	{
		name: 'non-EUR order without exchange rate',
		act: async () => await invoiceOrder([order('GBP', (o) => {
			o.currencyId = 'GBP';
		})]),
		message: 'order GBP: the order is in GBP and no exchange rate is set',
		check: (run) => {
			expect(run.error?.description).toBe('Set "Exchange Rate" (units of the currency per 1 EUR), for example with an expression.');
			SENT.taxesOnly();
		},
	},
	{
		name: 'due date before the invoice date',
		act: async () => await invoiceOrder([order('DUE')], {}, { dueDate: '2026-11-01' }),
		message: 'order DUE: due date 01/11/2026 is before the document date 28/11/2026',
		check: SENT.taxesOnly,
	},
	{
		name: 'an invoice date that is not a date',
		act: async () => await invoiceOrder([order('BADDATE')], {}, { date: '31/02/2026x' }),
		message: 'order BADDATE: invoice date "31/02/2026x" is not a date',
		check: (run) => {
			expect(run.error?.description).toBe('Use the date picker, YYYY-MM-DD or DD/MM/YYYY.');
			SENT.nothing();
		},
	},
	{
		name: 'with Continue On Fail the bad order is an error item; the good one is invoiced',
		act: async () =>
			await invoiceOrder([order('GOOD'), order('BAD-CTRY', (o) => {
				o.billingAddress.country = 'Narnia';
			})], {}, {}, { continueOnFail: true }),
		itemError: undefined,
		check: (run) => {
			expect(run.items[0].json.status).toBe('final');
			expect(run.items[1].json.error).toBe('order BAD-CTRY: billingAddress.country "Narnia" is unknown');
			expect(ix.requests.filter((r) => r.method === 'POST' && r.path === '/invoices.json')).toHaveLength(1);
			expect(postedInvoice().reference).toBe('GOOD');
		},
	},
	// ------------------------------------------------------------------ size
	{
		name: 'a 2,000-line order: one invoice of 2,000 lines, invoiced to the cent',
		act: async () => {
			const lines = Array.from({ length: 2000 }, (_, i) =>
				i % 3 === 0 ? line(`A-${i}`, `Artigo ${i}`, 0.99, 6) : i % 3 === 1 ? line(`B-${i}`, `Artigo ${i}`, 9.99, 23, 3) : line(`C-${i}`, `Artigo ${i}`, 3.33, 13),
			);
			return await invoiceOrder([withLines(order('BIG'), lines)], { sendEmail: false });
		},
		check: (run) => {
			expect(run.error).toBeUndefined();
			const expected = (667 * 99 + 667 * 999 + 666 * 333) / 100;
			expect(run.items[0].json).toMatchObject({ status: 'final', total: expected });
			expect((run.items[0].json.totals_check as IDataObject).matches).toBe(true);
			expect(postedInvoice().items).toHaveLength(2000);
			expect(ix.legalDocuments()).toHaveLength(1);
			expect(ix.legalDocuments()[0].total).toBe(expected);
		},
	},
	// ------------------------------------------------------------------ e-mail, drafts, cancel
	{
		name: 'one-step with Send by Email and an order without an e-mail address: invoiced, e-mail skipped',
		act: async () => await invoiceOrder([order('NOMAIL', (o) => {
			o.billingAddress.emailAddress = null;
		})]),
		check: (run) => {
			expect(run.error).toBeUndefined();
			expect(run.items[0].json).toMatchObject({ status: 'final', emailed: false, email_skipped: 'the order has no e-mail address' });
			expect(ix.state.emails).toHaveLength(0);
			expect(ix.requests.filter((r) => r.path.includes('email'))).toHaveLength(0);
		},
	},
	{
		name: 'one-step draft with Send by Email: the draft is not e-mailed',
		act: async () => await invoiceOrder([order('DRAFT')], { finalize: false }),
		check: (run) => {
			expect(run.error).toBeUndefined();
			expect(run.items[0].json).toMatchObject({ status: 'draft', emailed: false, email_skipped: 'the document is a draft' });
			expect(ix.state.emails).toHaveLength(0);
			expect(ix.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
		},
	},
	{
		name: 'Send by Email step for a client with no address',
		act: async () => {
			const id = await makeDocument({ finalize: true });
			return await ixRun({ resource: 'document', operation: 'sendEmail', documentType: 'invoice', documentId: id });
		},
		message: () => `The client of invoice ${lastDocumentId} has no e-mail address`,
		check: () => {
			SENT.noWrites();
			expect(ix.state.emails).toHaveLength(0);
		},
	},
	{
		name: 'Send by Email step for a draft',
		act: async () => {
			const id = await makeDocument({ finalize: false, email: 'maria@example.pt' });
			return await ixRun({ resource: 'document', operation: 'sendEmail', documentType: 'invoice', documentId: id, email: 'maria@example.pt' });
		},
		message: () => `Invoice ${lastDocumentId} is a draft and cannot be sent`,
		check: () => {
			SENT.noWrites();
			expect(ix.state.emails).toHaveLength(0);
		},
	},
	{
		name: 'Send by Email step with an invalid address',
		act: async () => {
			const id = await makeDocument({ finalize: true });
			return await ixRun({ resource: 'document', operation: 'sendEmail', documentType: 'invoice', documentId: id, email: 'not-an-address' });
		},
		message: '"not-an-address" is not a valid e-mail address',
		check: () => {
			SENT.noWrites();
			expect(ix.state.emails).toHaveLength(0);
		},
	},
	{
		name: 'Cancel without a reason',
		act: async () => {
			const id = await makeDocument({ finalize: true });
			return await ixRun({ resource: 'document', operation: 'cancel', documentType: 'invoice', documentId: id, reason: '  ' });
		},
		message: 'Reason is empty',
		check: () => {
			expect(ixPaths()).toEqual([]);
			expect(ix.state.documents[0].status).toBe('final');
		},
	},
	{
		name: 'Get of an unknown document id',
		act: async () => await ixRun({ resource: 'document', operation: 'get', documentType: 'invoice', documentId: '999999' }),
		message: 'InvoicExpress could not get invoice 999999 (HTTP 404)',
		check: SENT.noWrites,
	},
	{
		name: 'Finalize of a document id that is not a number',
		act: async () => await ixRun({ resource: 'document', operation: 'finalize', documentType: 'invoice', documentId: 'FT A/1' }),
		message: 'Document ID "FT A/1" is not a number',
		check: SENT.nothing,
	},
	{
		name: 'Create with JSON items: a negative unit price',
		act: async () =>
			await ixRun({
				resource: 'document',
				operation: 'create',
				documentType: 'invoice',
				date: '2026-11-28',
				dueDate: '2026-12-28',
				name: 'Maria Silva',
				code: 'C-1',
				itemsInput: 'json',
				itemsJson: JSON.stringify([{ name: 'X', description: 'x', unit_price: -5, quantity: 1, tax: { name: 'IVA23' } }]),
				additionalFields: {},
			}),
		message: 'item 1 (X): unit price -5 is negative',
		check: SENT.taxesOnly,
	},
	// ------------------------------------------------------------------ credentials and URLs
	{
		name: 'wrong InvoicExpress API key',
		act: async () => await invoiceOrder([order('KEY')], {}, {}, { credentials: { invoicExpressApi: { accountName: 'x', apiKey: WRONG_KEY, baseUrl: ix.url } } }),
		message: 'order KEY: loading the taxes of the account failed: InvoicExpress could not load the taxes (HTTP 401): Invalid API key',
		check: (run) => {
			expect(run.error?.description).toContain('InvoicExpress refused the API key');
			SENT.taxesOnly();
		},
	},
	{
		name: 'wrong InvoicExpress API key in the credential test',
		act: async () => {
			const result = await testCredential('invoicExpressApi', { accountName: 'x', apiKey: WRONG_KEY, baseUrl: ix.url });
			return { items: [], error: result.ok ? undefined : Object.assign(new Error(result.message), { httpCode: String(result.status) }), run: {} } as unknown as RunNodeResult;
		},
		message: 'InvoicExpress refused the API key: copy it again from Settings → API of this account',
		check: SENT.taxesOnly,
	},
	{
		name: 'account name that is a URL, not a subdomain: refused before any request',
		act: async () => await invoiceOrder([order('ACCT')], {}, {}, { credentials: { invoicExpressApi: { accountName: 'https://acme.app.invoicexpress.com', apiKey: WRONG_KEY, baseUrl: '' } } }),
		message:
			'order ACCT: loading the taxes of the account failed: The InvoicExpress account name "https://acme.app.invoicexpress.com" is not valid: use only the subdomain (for https://mycompany.app.invoicexpress.com enter "mycompany")',
		check: SENT.nothing,
	},
	{
		name: 'wrong account (no InvoicExpress account answers there: 404)',
		act: async () => await invoiceOrder([order('ACCT404')], {}, {}, { credentials: { invoicExpressApi: { accountName: 'x', apiKey: ix.apiKey, baseUrl: `${ix.url}/nope` } } }),
		message: "order ACCT404: loading the taxes of the account failed: InvoicExpress could not load the taxes (HTTP 404): The page you were looking for doesn't exist.",
		check: (run) => {
			expect(run.error?.description).toContain('the account name in the credential is wrong');
			SENT.noWrites();
		},
	},
	{
		name: 'InvoicExpress base URL that answers an HTML page',
		act: async () => await invoiceOrder([order('IXHTML')], {}, {}, { credentials: { invoicExpressApi: { accountName: 'x', apiKey: WRONG_KEY, baseUrl: htmlUrl } } }),
		message: 'order IXHTML: loading the taxes of the account failed: InvoicExpress could not load the taxes: the address answered an HTML page ("Sign in"), not the InvoicExpress API',
		check: (run) => {
			expect(run.error?.description).toBe('Check the account name and the Base URL Override in the InvoicExpress credential.');
			expect(htmlRequests).toHaveLength(1);
			expect(htmlRequests[0]).toMatch(/^GET \/taxes\.json\?/);
			SENT.nothing();
		},
	},
	{
		name: 'ePages API URL that answers an HTML page',
		act: async () => await epRun({ resource: 'order', operation: 'get', orderId: 'X-1' }, { apiUrl: `${htmlUrl}/rs/shops/DemoShop`, accessToken: WRONG_TOKEN }),
		message: 'ePages could not get order X-1: the API URL answered an HTML page ("Sign in"), not the ePages API',
		check: (run) => {
			expect(run.error?.description).toContain('Check the API URL in the ePages credential');
			expect(run.items).toEqual([]);
			expect(htmlRequests).toEqual(['GET /rs/shops/DemoShop/orders/X-1']);
		},
	},
	{
		name: 'wrong ePages token',
		act: async () => await epRun({ resource: 'order', operation: 'get', orderId: shop.orders[0].orderId }, { accessToken: WRONG_TOKEN }),
		message: `ePages could not get order ${fixtureOrders[0].orderId as string} (HTTP 401): the access token was refused`,
		check: (run) => {
			expect(run.error?.description).toContain('Copy the access token of the private app');
			expect(epPaths(shop)).toHaveLength(1);
			SENT.noWrites();
		},
	},
	{
		name: 'ePages API URL with http:// for a remote host: refused before any request',
		act: async () => await epRun({ resource: 'order', operation: 'get', orderId: 'X-1' }, { apiUrl: 'http://shop.example.com/rs/shops/DemoShop' }),
		message:
			'The API URL "http://shop.example.com/rs/shops/DemoShop" uses http://, which would send the access token unencrypted: use https:// (http:// is only accepted for localhost, 127.0.0.1 and [::1])',
		check: SENT.nothing,
	},
	{
		name: 'ePages API URL with http:// on loopback: allowed',
		act: async () => await epRun({ resource: 'order', operation: 'get', orderId: shop.orders[0].orderId }, { apiUrl: shop.apiUrl.replace('127.0.0.1', 'localhost') }),
		check: (run) => {
			expect(run.error).toBeUndefined();
			expect(run.items[0].json.orderId).toBe(shop.orders[0].orderId);
			expect(epPaths(shop)).toEqual([`GET /rs/shops/${shop.shopId}/orders/${shop.orders[0].orderId}`]);
		},
	},
	{
		name: 'one-step with an http:// ePages API URL for a remote host: refused, nothing sent anywhere',
		act: async () => {
			const item = order('HTTP');
			delete item.lineItemContainer;
			return await invoiceOrder([item], { connectEPages: true }, {}, { credentials: { ...ixCreds, ePagesApi: { apiUrl: 'http://10.0.0.8/rs/shops/DemoShop', accessToken: WRONG_TOKEN } } });
		},
		message:
			'order HTTP: getting the full order from ePages failed: The API URL "http://10.0.0.8/rs/shops/DemoShop" uses http://, which would send the access token unencrypted: use https:// (http:// is only accepted for localhost, 127.0.0.1 and [::1])',
		check: SENT.nothing,
	},
	{
		name: 'a wrong shopId in the API URL: clear 404',
		act: async () => await epRun({ resource: 'order', operation: 'get', orderId: shop.orders[0].orderId }, { apiUrl: `${shop.url}/rs/shops/NoSuchShop` }),
		message: `ePages could not get order ${fixtureOrders[0].orderId as string} (HTTP 404): no ePages shop answers at this API URL`,
		check: (run) => {
			expect(run.error?.description).toContain('Check the API URL in the ePages credential');
			SENT.noWrites();
		},
	},
	{
		name: "one shop's token used against another shop",
		act: async () => await epRun({ resource: 'order', operation: 'get', orderId: 'X-1' }, { apiUrl: otherShop.apiUrl, accessToken: shop.token }),
		message: 'ePages could not get order X-1 (HTTP 401): the access token was refused',
		check: () => {
			expect(epPaths(otherShop)).toEqual(['GET /rs/shops/OtherShop/orders/X-1']);
			expect(otherShop.requests.filter((r) => r.method !== 'GET')).toEqual([]);
		},
	},
	{
		name: "one-step: an order of shop A fetched with shop B's credentials: clear 404, nothing invoiced",
		act: async () => {
			const item = { orderId: shop.orders[0].orderId, orderNumber: shop.orders[0].orderNumber };
			return await invoiceOrder([item], { connectEPages: true, writeBack: true }, {}, { credentials: { ...ixCreds, ePagesApi: { apiUrl: otherShop.apiUrl, accessToken: OTHER_TOKEN } } });
		},
		message: `order ${fixtureOrders[0].orderNumber as string}: getting the full order from ePages failed: ePages could not get order ${fixtureOrders[0].orderNumber as string} (HTTP 404): Order with id ${fixtureOrders[0].orderId as string} not found`,
		check: () => {
			expect(ixPaths()).toEqual([]);
			expect(epPaths(otherShop)).toEqual([`GET /rs/shops/OtherShop/orders/${fixtureOrders[0].orderId as string}`]);
			expect(epPaths(shop)).toEqual([]);
		},
	},
];

/** Every made-up or sandbox secret of this file. */
const secrets = () => [ix.apiKey, WRONG_KEY, WRONG_TOKEN, OTHER_TOKEN, shop.token, otherShop.token];

describe('bad input catalogue', () => {
	it('has at least 40 cases', () => {
		expect(cases.length).toBeGreaterThanOrEqual(40);
	});

	it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
		const run = await c.act();
		if (c.message !== undefined) {
			expect(run.error?.message).toBe(typeof c.message === 'function' ? c.message() : c.message);
		}
		if (c.itemError !== undefined) {
			expect(run.error).toBeUndefined();
			expect(run.items[0].json.error).toBe(c.itemError);
		}
		c.check(run);
		// No key or token in what a user sees, nor in the run data.
		const shown = [run.error?.message ?? '', run.error?.description ?? '', JSON.stringify(run.items), JSON.stringify(run.run ?? {})].join('\n');
		for (const secret of secrets()) expect(shown).not.toContain(secret);
	}, 60000);
});
