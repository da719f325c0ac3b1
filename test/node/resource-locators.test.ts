import type { INodeParameters } from 'n8n-workflow';

import { fakeSecret } from '../harness/secrets';
import { listSearch, runNode, type RunNodeOptions } from '../harness/n8n';
import { useSettings } from '../harness/settings';
import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { matchesNumber } from '../../nodes/InvoicExpress/listSearch/searchDocuments';

/**
 * The resource locators of Order, Client and Document (issue 15 item 1): the "From List" searches as
 * the editor calls them, and executions with locator values, URL values and plain strings.
 */

const FAST = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 };
useSettings({ invoicExpress: FAST, ePages: FAST });

let ep: EPagesSandbox;
let ix: IxSandbox;
let ixCredentials: RunNodeOptions['credentials'];

beforeAll(async () => {
	ep = await startEPagesSandbox();
	ix = await startInvoicExpressSandbox();
	ixCredentials = { invoicExpressApi: { accountName: 'sandboxshop', apiKey: ix.apiKey, baseUrl: ix.url } };
});
afterAll(async () => {
	await ep.close();
	await ix.close();
});
beforeEach(() => {
	ep.reset();
	ep.requests.splice(0);
	ep.faults.configure({});
	ix.reset();
	ix.faults.configure({});
});

const epCredentials = (token = ep.token) => ({ ePagesApi: { apiUrl: ep.apiUrl, accessToken: token } });

async function searchOrders(filter?: string, paginationToken?: string, token?: string) {
	return await listSearch({
		type: 'ePages',
		method: 'searchOrders',
		parameters: { resource: 'order', operation: 'get' },
		credentials: epCredentials(token),
		filter,
		paginationToken,
	});
}

const orderLists = () => ep.requests.filter((r) => r.path.endsWith('/orders'));

/** What a failed list search shows: its class, message and description, all of them checked for the secret. */
async function failure(search: Promise<unknown>): Promise<{ name: string; text: string }> {
	try {
		await search;
	} catch (error) {
		const e = error as Error & { description?: string };
		return { name: e.constructor.name, text: `${e.message} ${String(e.description ?? '')} ${String(e.stack ?? '')}` };
	}
	throw new Error('the search did not fail');
}

describe('ePages Order → From List', () => {
	it('lists the orders newest first as "number · customer · total", the orderId as value, one full page', async () => {
		const { results, paginationToken } = await searchOrders();
		const newestFirst = [...ep.orders].sort((a, b) => b.creationDate.localeCompare(a.creationDate));
		expect(results.map((r) => r.value)).toEqual(newestFirst.map((o) => o.orderId));
		const first = ep.orders.find((o) => o.orderNumber === '10231')!;
		expect(results.find((r) => r.value === first.orderId)?.name).toBe('10231 · João Conceição · 55.60 €');
		expect(paginationToken).toBeUndefined();
		expect(orderLists()).toHaveLength(1);
		expect(orderLists()[0].query).toMatchObject({ page: '1', resultsPerPage: '100' });
	});

	it('finds by order number and by customer name, without caring for accents or case', async () => {
		const byNumber = await searchOrders('10232');
		expect(byNumber.results.map((r) => r.name)).toEqual([expect.stringMatching(/^10232 · Marta Ribeiro · /)]);
		const byName = await searchOrders('joao conceicao');
		expect(byName.results.map((r) => r.name)).toEqual([
			'10239 · João Conceição · 73.80 €',
			'10234 · João Conceição · 55.65 €',
			'10231 · João Conceição · 55.60 €',
		]);
		expect((await searchOrders('nobody at all')).results).toEqual([]);
	});

	it('pages with the token, and a filter reads on to the page that has the match', async () => {
		for (let n = 0; n < 150; n++) ep.addOrder();
		const first = await searchOrders();
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toBe('2');
		const second = await searchOrders(undefined, first.paginationToken as string);
		expect(second.results).toHaveLength(ep.orders.length - 100);
		expect(second.paginationToken).toBeUndefined();
		expect(new Set([...first.results, ...second.results].map((r) => r.value)).size).toBe(ep.orders.length);

		// The fixture's orders are the oldest, on page 2: the search reads both pages in one call.
		ep.requests.splice(0);
		const old = await searchOrders('10231');
		expect(old.results.map((r) => r.name)).toEqual([expect.stringMatching(/^10231 · /)]);
		expect(orderLists().map((r) => r.query.page)).toEqual(['1', '2']);
		expect(old.paginationToken).toBeUndefined();
	});

	it('errors surface as NodeApiError without the token', async () => {
		const wrong = fakeSecret('epages-token');
		const denied = await failure(searchOrders(undefined, undefined, wrong));
		expect(denied.name).toBe('NodeApiError');
		expect(denied.text).toMatch(/ePages/);
		expect(denied.text).not.toContain(wrong);
		ep.faults.configure({ rates: { status503: 1 } });
		const down = await failure(searchOrders());
		expect(down.name).toBe('NodeApiError');
		expect(down.text).not.toContain(ep.token);
	});

	it('Get, Update and Get Documents take a locator from the list, by ID, by URL, or a plain string', async () => {
		const order = ep.orders.find((o) => o.orderNumber === '10231')!;
		const run = async (parameters: INodeParameters) =>
			await runNode({ type: 'ePages', parameters: { resource: 'order', ...parameters }, credentials: epCredentials() });
		const values = [
			{ __rl: true, mode: 'list', value: order.orderId, cachedResultName: '10231 · João Conceição · 55.60 €' },
			{ __rl: true, mode: 'id', value: ` ${order.orderId} ` },
			{ __rl: true, mode: 'url', value: `${ep.apiUrl}/orders/${order.orderId}` },
			order.orderId,
		];
		for (const orderId of values) {
			const got = await run({ operation: 'get', orderId });
			expect(got.error).toBeUndefined();
			expect(got.items[0].json).toMatchObject({ orderId: order.orderId, orderNumber: '10231' });
		}
		const docs = await run({ operation: 'getDocuments', orderId: values[0] });
		expect(docs.error).toBeUndefined();
		const upd = await run({ operation: 'update', orderId: values[2], updateFields: { internalNote: 'picked from the list' } });
		expect(upd.error).toBeUndefined();
		expect(ep.orders.find((o) => o.orderId === order.orderId)?.internalNote).toBe('picked from the list');

		// n8n checks the mode's pattern before the node runs, as the editor does.
		await expect(run({ operation: 'get', orderId: { __rl: true, mode: 'url', value: 'https://example.com/somewhere' } })).rejects.toThrow(
			/Not an ePages order URL/,
		);
		await expect(run({ operation: 'get', orderId: { __rl: true, mode: 'list', value: '' } })).rejects.toThrow(/Parameter "Order" is required/);
		// A plain string that comes out empty (an expression) is caught by the node, before any request.
		const requests = ep.requests.length;
		const blank = await run({ operation: 'get', orderId: '  ' });
		expect(blank.error?.message).toBe('Order ID is empty');
		expect(ep.requests).toHaveLength(requests);
	});
});

async function ixRun(parameters: INodeParameters) {
	return await runNode({ type: 'invoicExpress', parameters, credentials: ixCredentials });
}

async function searchIx(method: string, parameters: INodeParameters, filter?: string, paginationToken?: string, apiKey?: string) {
	return await listSearch({
		type: 'invoicExpress',
		method,
		parameters,
		credentials: apiKey ? { invoicExpressApi: { ...ixCredentials.invoicExpressApi, apiKey } } : ixCredentials,
		filter,
		paginationToken,
	});
}

const clientParams = { resource: 'client', operation: 'get' };

describe('InvoicExpress Client → From List', () => {
	beforeEach(async () => {
		for (let n = 0; n < 35; n++) await ixRun({ resource: 'client', operation: 'create', name: `Client ${n}`, code: `K${n}` });
	});

	it('lists every client by name and code, paged with the token', async () => {
		ix.requests.length = 0;
		const first = await searchIx('searchClients', clientParams);
		expect(first.results).toHaveLength(30); // the server caps its pages at 30
		expect(first.results[0]).toEqual({ name: 'Client 0 · code K0', value: String(ix.state.clients[0].id) });
		expect(first.paginationToken).toBe('2');
		const second = await searchIx('searchClients', clientParams, undefined, first.paginationToken as string);
		expect(second.results.map((r) => r.name)).toEqual([30, 31, 32, 33, 34].map((n) => `Client ${n} · code K${n}`));
		expect(second.paginationToken).toBeUndefined();
		expect(ix.requests.map((r) => r.path)).toEqual(['/clients.json', '/clients.json']);
	});

	it('an exact name or code comes first, then the clients whose name or code contains the text', async () => {
		const byName = await searchIx('searchClients', clientParams, 'Client 3');
		expect(byName.results.map((r) => r.name)).toEqual(['Client 3', 'Client 30', 'Client 31', 'Client 32', 'Client 33', 'Client 34'].map((n) => `${n} · code K${n.slice(7)}`));
		const byCode = await searchIx('searchClients', clientParams, 'K7');
		expect(byCode.results.map((r) => r.name)).toEqual(['Client 7 · code K7']);
		expect(ix.requests.some((r) => r.path === '/clients/find-by-code.json' && r.query.client_code === 'K7')).toBe(true);
		expect((await searchIx('searchClients', clientParams, 'nobody')).results).toEqual([]);
	});

	it('errors surface as NodeApiError without the API key', async () => {
		const wrong = fakeSecret('ix-key');
		const denied = await failure(searchIx('searchClients', clientParams, undefined, undefined, wrong));
		expect(denied.name).toBe('NodeApiError');
		expect(denied.text).toMatch(/InvoicExpress/);
		expect(denied.text).not.toContain(wrong);
		ix.faults.configure({ rates: { status503: 1 } });
		const down = await failure(searchIx('searchClients', clientParams, 'Client'));
		expect(down.name).toBe('NodeApiError');
		expect(down.text).not.toContain(ix.apiKey);
	});

	it('Get and Update take a locator or a plain string', async () => {
		const id = String(ix.state.clients[3].id);
		for (const clientId of [{ __rl: true, mode: 'list', value: id }, { __rl: true, mode: 'id', value: id }, id]) {
			const got = await ixRun({ resource: 'client', operation: 'get', clientId });
			expect(got.error).toBeUndefined();
			expect(got.items[0].json).toMatchObject({ name: 'Client 3' });
		}
		const upd = await ixRun({ resource: 'client', operation: 'update', clientId: { __rl: true, mode: 'list', value: id }, name: 'Client 3', clientFields: { city: 'Braga' } });
		expect(upd.error).toBeUndefined();
		expect(ix.state.clients[3].city).toBe('Braga');
	});
});

const documentParams = (over: INodeParameters = {}): INodeParameters => ({
	resource: 'document',
	operation: 'create',
	documentType: 'invoice',
	date: '2026-11-28',
	dueDate: '2026-12-28',
	name: 'Maria Silva',
	code: 'C-1',
	clientFields: { country: 'PT', fiscalId: '501964843' },
	itemsInput: 'fields',
	items: { item: [{ name: 'SKU-1', description: 'Caneca', unitPrice: 10, quantity: 1, unit: 'unit', discount: 0, tax: 'IVA23' }] },
	...over,
});

describe('InvoicExpress Document → From List', () => {
	it('lists only the chosen type, newest first, by legal number, client, total and reference', async () => {
		const a = await ixRun(documentParams({ additionalFields: { reference: 'ORD-1001', finalize: true } }));
		const b = await ixRun(documentParams({ name: 'Rui Costa', code: 'C-2', clientFields: { country: 'PT' }, additionalFields: { reference: 'ORD-1002' } }));
		await ixRun(documentParams({ documentType: 'invoiceReceipt', additionalFields: { reference: 'ORD-1003', finalize: true } }));
		ix.requests.length = 0;
		const { results, paginationToken } = await searchIx('searchDocuments', { resource: 'document', operation: 'get', documentType: 'invoice' });
		const permalink = expect.stringMatching(/^https:\/\/www\.app\.invoicexpress\.com\/documents\//);
		expect(results).toEqual([
			{ name: `Draft ${String(b.items[0].json.id)} · Rui Costa · 12.30 € · ref ORD-1002`, value: String(b.items[0].json.id), url: permalink },
			{ name: 'FT A/1 · Maria Silva · 12.30 € · ref ORD-1001', value: String(a.items[0].json.id), url: permalink },
		]);
		expect(paginationToken).toBeUndefined();
		expect(ix.requests[0].path).toBe('/invoices.json');
		expect(ix.requests[0].query['type[]']).toBe('Invoice');

		const receipts = await searchIx('searchDocuments', { resource: 'document', operation: 'finalize', documentType: 'invoiceReceipt' });
		expect(receipts.results.map((r) => r.name)).toEqual(['FR A/1 · Maria Silva · 12.30 € · ref ORD-1003']);
		// Get PDF and Get Related take any type (they hide Document Type).
		const any = await searchIx('searchDocuments', { resource: 'document', operation: 'getPdf' });
		expect(any.results).toHaveLength(3);
	});

	it('lists simplified invoices without the undocumented type filter, by each document\'s own type', async () => {
		await ixRun(documentParams({ additionalFields: { reference: 'ORD-2001', finalize: true } }));
		await ixRun(documentParams({ documentType: 'simplifiedInvoice', additionalFields: { reference: 'ORD-2002', finalize: true } }));
		ix.requests.length = 0;
		const simplified = await searchIx('searchDocuments', { resource: 'document', operation: 'get', documentType: 'simplifiedInvoice' });
		expect(simplified.results.map((r) => r.name)).toEqual(['FS A/1 · Maria Silva · 12.30 € · ref ORD-2002']);
		expect(ix.requests.map((r) => r.query['type[]'])).toEqual([undefined]);
		expect(ix.requests.every((r) => r.status === 200)).toBe(true);
	});

	it('finds by reference or client through the list\'s text filter, and by legal number after it', async () => {
		const a = await ixRun(documentParams({ additionalFields: { reference: 'ORD-1001', finalize: true } }));
		await ixRun(documentParams({ additionalFields: { reference: 'ORD-1002', finalize: true } }));
		const params = { resource: 'document', operation: 'get', documentType: 'invoice' };
		ix.requests.length = 0;
		const byRef = await searchIx('searchDocuments', params, 'ORD-1001');
		expect(byRef.results.map((r) => r.value)).toEqual([String(a.items[0].json.id)]);
		expect(ix.requests[0].query.text).toBe('ORD-1001');
		// The reference does not say that `text` covers legal numbers: those are looked for next.
		expect(byRef.paginationToken).toBe('number:1');
		const more = await searchIx('searchDocuments', params, 'ORD-1001', byRef.paginationToken as string);
		expect(more).toEqual({ results: [] });

		const byNumber = await searchIx('searchDocuments', params, 'FT A/1');
		expect(byNumber.results).toEqual([]);
		const numbers = await searchIx('searchDocuments', params, 'FT A/1', byNumber.paginationToken as string);
		expect(numbers.results.map((r) => r.value)).toEqual([String(a.items[0].json.id)]);
		expect(numbers.paginationToken).toBeUndefined();
		// A document the text filter gave already is not given twice by the number scan.
		const one = await searchIx('searchDocuments', params, '1');
		expect(one.results).toHaveLength(2);
		expect(await searchIx('searchDocuments', params, '1', one.paginationToken as string)).toEqual({ results: [] });
		// Without a digit there is no number to look for.
		expect((await searchIx('searchDocuments', params, 'Maria')).paginationToken).toBeUndefined();
	});

	it('legal numbers match whole: "6" finds FT G/6, not FT G/16', () => {
		expect(matchesNumber('FT G/6', 'FT G/6')).toBe(true);
		expect(matchesNumber('g/6', 'FT G/6')).toBe(true);
		expect(matchesNumber('6', 'FT G/6')).toBe(true);
		expect(matchesNumber('6', 'FT G/16')).toBe(false);
		expect(matchesNumber('6', undefined)).toBe(false);
	});

	it('pages with the token', async () => {
		for (let n = 0; n < 32; n++) await ixRun(documentParams({ additionalFields: { reference: `R-${n}` } }));
		const params = { resource: 'document', operation: 'get', documentType: 'invoice' };
		const first = await searchIx('searchDocuments', params);
		expect(first.results).toHaveLength(30);
		expect(first.paginationToken).toBe('text:2');
		const second = await searchIx('searchDocuments', params, undefined, first.paginationToken as string);
		expect(second.results.map((r) => r.name)).toEqual([expect.stringContaining('ref R-1'), expect.stringContaining('ref R-0')]);
		expect(second.paginationToken).toBeUndefined();
	});

	it('errors surface as NodeApiError without the API key', async () => {
		const wrong = fakeSecret('ix-key');
		const denied = await failure(searchIx('searchDocuments', { resource: 'document', operation: 'get' }, 'x', undefined, wrong));
		expect(denied.name).toBe('NodeApiError');
		expect(denied.text).not.toContain(wrong);
	});

	it('document operations take a locator or a plain string', async () => {
		const draft = await ixRun(documentParams({ additionalFields: { reference: 'ORD-7' } }));
		const id = String(draft.items[0].json.id);
		const locator = { __rl: true, mode: 'list', value: id, cachedResultName: `Draft ${id}` };
		const got = await ixRun({ resource: 'document', operation: 'get', documentType: 'invoice', documentId: locator });
		expect(got.error).toBeUndefined();
		expect(got.items[0].json).toMatchObject({ id: Number(id), reference: 'ORD-7' });
		const fin = await ixRun({ resource: 'document', operation: 'finalize', documentType: 'invoice', documentId: { __rl: true, mode: 'id', value: id } });
		expect(fin.items[0].json).toMatchObject({ status: 'final', legal_number: 'FT A/1' });
		const plain = await ixRun({ resource: 'document', operation: 'get', documentType: 'invoice', documentId: id });
		expect(plain.items[0].json.status).toBe('final');
		// An expression inside the locator, per item, as in examples/02-separate-steps.json.
		const perItem = await runNode({
			type: 'invoicExpress',
			parameters: { resource: 'document', operation: 'get', documentType: 'invoice', documentId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } },
			credentials: ixCredentials,
			input: [{ id: Number(id) }, { id: Number(id) }],
		});
		expect(perItem.error).toBeUndefined();
		expect(perItem.items.map((i) => i.json.id)).toEqual([Number(id), Number(id)]);
		// The legal number is refused by the mode's pattern before the node runs, and by the node when
		// it comes as a plain string (from an expression).
		await expect(
			ixRun({ resource: 'document', operation: 'get', documentType: 'invoice', documentId: { __rl: true, mode: 'id', value: 'FT A/1' } }),
		).rejects.toThrow(/A document ID is a number/);
		const legal = await ixRun({ resource: 'document', operation: 'get', documentType: 'invoice', documentId: 'FT A/1' });
		expect(legal.error?.message).toBe('Document ID "FT A/1" is not a number');
	});
});
