/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode, type RunNodeOptions, type RunNodeResult } from '../harness/n8n';
import { useSettings } from '../harness/settings';
import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';

/** A token the shop does not know, and one that may only read orders (built, not written out). */
const unknownToken = ['unknown', 'access', 'token', '0123456789'].join('-');
const readOnlyToken = ['orders', 'read', 'only', '0123456789'].join('-');

let sandbox: EPagesSandbox;
const runs: RunNodeResult[] = [];
/** Short back-off, through the package's test settings. */
useSettings({ ePages: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 } });

beforeAll(async () => {
	sandbox = await startEPagesSandbox({ extraTokens: { [readOnlyToken]: ['orders_read'] } });
});

afterAll(async () => {
	await sandbox.close();
});

beforeEach(() => {
	sandbox.reset();
	sandbox.requests.splice(0);
	sandbox.faults.configure({});
	sandbox.setRateLimit(6000, 3600000);
	sandbox.falseFilter = 'honoured';
});

afterEach(() => {
	// No run may show a token anywhere: output, error message, description or run data.
	for (const result of runs.splice(0)) {
		const text = JSON.stringify({ run: result.run, error: result.error, message: result.error?.message, description: result.error?.description });
		for (const token of [sandbox.token, unknownToken, readOnlyToken]) expect(text).not.toContain(token);
	}
});

function credentials(over: IDataObject = {}) {
	return { ePagesApi: { apiUrl: sandbox.apiUrl, accessToken: sandbox.token, ...over } };
}

async function run(parameters: INodeParameters, opts: Partial<RunNodeOptions> = {}): Promise<RunNodeResult> {
	const result = await runNode({ type: 'ePages', parameters, credentials: credentials(), ...opts });
	runs.push(result);
	return result;
}

const apiRequests = () => sandbox.requests.filter((r) => r.path.startsWith('/rs/shops/'));
const order = (index: number) => sandbox.orders[index];
const invoiced = () => sandbox.orders.find((o) => o.invoicedOn !== null)!;

describe('Order → Get', () => {
	it('returns the full order, with the documented headers', async () => {
		const { orderId } = order(0);
		const result = await run({ resource: 'order', operation: 'get', orderId, options: { locale: 'en_GB' } });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json.orderId).toBe(orderId);
		expect(result.items[0].json.lineItemContainer).toBeDefined();
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		const [req] = apiRequests();
		expect(req.method).toBe('GET');
		expect(req.path).toBe(`/rs/shops/DemoShop/orders/${orderId}`);
		expect(req.query).toEqual({ locale: 'en_GB' });
		expect(req.headers.accept).toBe('application/vnd.epages.v1+json');
		expect(req.headers.authorization).toBe(`Bearer ${sandbox.token}`);
	});

	it('accepts the API URL with a trailing slash', async () => {
		const result = await run(
			{ resource: 'order', operation: 'get', orderId: order(1).orderId },
			{ credentials: credentials({ apiUrl: `${sandbox.apiUrl}/` }) },
		);
		expect(result.error).toBeUndefined();
		expect(apiRequests()[0].path).toBe(`/rs/shops/DemoShop/orders/${order(1).orderId}`);
	});

	it('an empty Order ID or a bad locale is an error before any request', async () => {
		const empty = await run({ resource: 'order', operation: 'get', orderId: '  ' });
		expect(empty.error?.message).toBe('Order ID is empty');
		const locale = await run({ resource: 'order', operation: 'get', orderId: order(0).orderId, options: { locale: 'portuguese' } });
		expect(locale.error?.message).toBe('The locale "portuguese" is not valid');
		expect(sandbox.requests).toHaveLength(0);
	});

	it('an unknown order is a 404 with the shop\'s words', async () => {
		const result = await run({ resource: 'order', operation: 'get', orderId: 'NO-SUCH-ORDER' });
		expect(result.error?.message).toBe('ePages could not get order NO-SUCH-ORDER (HTTP 404): Order with id NO-SUCH-ORDER not found');
		expect(result.error?.httpCode).toBe('404');
		expect(result.error?.description).toContain('no record with this ID');
	});

	it('pairs items and continues on fail per item', async () => {
		const result = await run(
			{ resource: 'order', operation: 'get', orderId: '={{$json.id}}' },
			{ input: [{ id: order(0).orderId }, { id: '' }, { id: order(2).orderId }], continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].json.orderId).toBe(order(0).orderId);
		expect(result.items[1].json.error).toBe('Order ID is empty');
		expect(result.items[2].json.orderId).toBe(order(2).orderId);
		expect(apiRequests()).toHaveLength(2);
	});
});

describe('Order → Get Many', () => {
	it('Return All reads every page', async () => {
		for (let i = 0; i < 238; i++) sandbox.addOrder({}, { creationDate: new Date(Date.UTC(2026, 10, 1) + i * 60000).toISOString() });
		const result = await run({ resource: 'order', operation: 'getAll', returnAll: true });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(250);
		expect(new Set(result.items.map((i) => i.json.orderId)).size).toBe(250);
		expect(apiRequests().map((r) => r.query)).toEqual([
			{ page: '1', resultsPerPage: '100' },
			{ page: '2', resultsPerPage: '100' },
			{ page: '3', resultsPerPage: '100' },
		]);
		expect(result.items[0].json.lineItemContainer).toBeUndefined();
	});

	it('Limit asks for no more than needed', async () => {
		const result = await run({ resource: 'order', operation: 'getAll', returnAll: false, limit: 5 });
		expect(result.items).toHaveLength(5);
		expect(apiRequests().map((r) => r.query)).toEqual([{ page: '1', resultsPerPage: '5' }]);
	});

	it('sends the filters as the shop names them', async () => {
		const result = await run({
			resource: 'order',
			operation: 'getAll',
			returnAll: true,
			filters: {
				createdAfter: '2026-11-01T00:00:00.000Z',
				createdBefore: '2026-11-20T00:00:00.000Z',
				paid: 'set',
				invoiced: 'notSet',
				archived: 'any',
				customerId: ` ${order(2).customerId} `,
			},
			options: { locale: 'pt_PT' },
		});
		expect(result.error).toBeUndefined();
		expect(apiRequests()[0].query).toEqual({
			createdAfter: '2026-11-01T00:00:00.000Z',
			createdBefore: '2026-11-20T00:00:00.000Z',
			paidOn: 'true',
			invoicedOn: 'false',
			customerId: order(2).customerId,
			locale: 'pt_PT',
			page: '1',
			resultsPerPage: '100',
		});
		for (const item of result.items) {
			expect(item.json.paidOn).not.toBeNull();
			expect(item.json.invoicedOn).toBeNull();
			expect(item.json.customerId).toBe(order(2).customerId);
		}
		expect(result.items.length).toBeGreaterThan(0);
	});

	it.each(['ignored', 'inverted'] as const)(
		'fails loudly, returning nothing, when the shop has %s a "Not Set" filter',
		async (reading) => {
			sandbox.falseFilter = reading;
			const result = await run({ resource: 'order', operation: 'getAll', returnAll: true, filters: { paid: 'set', invoiced: 'notSet' } });
			expect(result.items).toHaveLength(0);
			expect(result.error?.message).toMatch(/^The shop did not apply the filter Invoiced = Not Set: order \S+ has invoicedOn = 20/);
			expect(result.error?.description).toContain('Remove the Invoiced filter');
		},
	);

	it('Full Orders fetches each order with its line items', async () => {
		const result = await run({ resource: 'order', operation: 'getAll', returnAll: false, limit: 3, options: { fullOrders: true } });
		expect(result.items).toHaveLength(3);
		for (const item of result.items) expect(item.json.lineItemContainer).toBeDefined();
		const requests = apiRequests();
		expect(requests).toHaveLength(4);
		expect(requests.slice(1).map((r) => r.path)).toEqual(result.items.map((i) => `/rs/shops/DemoShop/orders/${String(i.json.orderId)}`));
	});

	it.each([
		[{ createdAfter: 'last tuesday' }, 'Created After "last tuesday" is not a date'],
		[{ createdAfter: '2026-11-20T00:00:00Z', createdBefore: '2026-11-01T00:00:00Z' }, 'Created After must be earlier than Created Before'],
		[{ createdAfter: '2024-01-01T00:00:00Z', createdBefore: '2026-01-01T00:00:00Z' }, 'The shop lists at most one year of orders per request'],
	])('refuses %j before any request', async (filters, message) => {
		const result = await run({ resource: 'order', operation: 'getAll', returnAll: true, filters });
		expect(result.error?.message).toBe(message);
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('Order → Update', () => {
	it('sends a JSON Patch of add and remove operations', async () => {
		const target = sandbox.orders.find((o) => o.dispatchedOn !== null)!;
		const result = await run({
			resource: 'order',
			operation: 'update',
			orderId: target.orderId,
			statusDates: {
				dates: [
					{ status: 'invoicedOn', change: 'set', date: '2026-11-28T10:00:00.000Z' },
					{ status: 'dispatchedOn', change: 'clear' },
				],
			},
			updateFields: { internalNote: 'FT 2026/123', customerComment: '' },
		});
		expect(result.error).toBeUndefined();
		const [req] = apiRequests();
		expect(req.method).toBe('PATCH');
		expect(req.headers['content-type']).toBe('application/json-patch+json');
		expect(req.body).toEqual([
			{ op: 'add', path: '/invoicedOn', value: '2026-11-28T10:00:00.000Z' },
			{ op: 'remove', path: '/dispatchedOn' },
			{ op: 'remove', path: '/customerComment' },
			{ op: 'add', path: '/internalNote', value: 'FT 2026/123' },
		]);
		expect(result.items[0].json).toMatchObject({
			orderId: target.orderId,
			invoicedOn: '2026-11-28T10:00:00.000Z',
			dispatchedOn: null,
			internalNote: 'FT 2026/123',
			customerComment: null,
		});
	});

	it('a status set without a date is set to now', async () => {
		const before = Date.now();
		const result = await run({
			resource: 'order',
			operation: 'update',
			orderId: order(9).orderId,
			statusDates: { dates: [{ status: 'paidOn', change: 'set' }] },
		});
		const value = (apiRequests()[0].body as IDataObject[])[0].value as string;
		expect(Date.parse(value)).toBeGreaterThanOrEqual(before - 1000);
		expect(result.items[0].json.paidOn).toBe(value);
	});

	it.each([
		[{}, 'Nothing to update'],
		[{ statusDates: { dates: [{ status: 'paidOn', change: 'set', date: 'soon' }] } }, 'The date of Paid "soon" is not a date'],
		[
			{ statusDates: { dates: [{ status: 'paidOn', change: 'set' }, { status: 'paidOn', change: 'clear' }] } },
			'The status Paid is given twice',
		],
	])('refuses %j before any request', async (params, message) => {
		const result = await run({ resource: 'order', operation: 'update', orderId: order(0).orderId, ...params });
		expect(result.error?.message).toBe(message);
		expect(sandbox.requests).toHaveLength(0);
	});

	it('retries while the order is in edit mode, then says so clearly', async () => {
		const { orderId } = order(3);
		sandbox.setEditMode(orderId, true);
		const result = await run({ resource: 'order', operation: 'update', orderId, updateFields: { internalNote: 'x' } });
		expect(result.error?.message).toBe(
			`ePages could not update order ${orderId} (HTTP 409): order ${orderId} is being edited in the shop administration; try again later`,
		);
		expect(result.error?.description).toContain(`The order ${order(3).orderNumber} is currently being edited`);
		expect(result.error?.httpCode).toBe('409');
		expect(apiRequests().map((r) => r.status)).toEqual([409, 409, 409, 409]);
	});

	it('succeeds when the edit ends during the retries', async () => {
		const { orderId } = order(3);
		sandbox.setEditMode(orderId, true);
		const push = sandbox.requests.push.bind(sandbox.requests);
		// The shop's edit ends as the second attempt arrives.
		sandbox.requests.push = (...records) => {
			if (sandbox.requests.length === 1) sandbox.setEditMode(orderId, false);
			return push(...records);
		};
		try {
			const result = await run({ resource: 'order', operation: 'update', orderId, updateFields: { internalNote: 'done' } });
			expect(result.error).toBeUndefined();
			expect(result.items[0].json.internalNote).toBe('done');
			expect(apiRequests().map((r) => r.status)).toEqual([409, 200]);
		} finally {
			sandbox.requests.push = push;
		}
	});

	it('a token without orders_write gets a message naming the scope', async () => {
		const result = await run(
			{ resource: 'order', operation: 'update', orderId: order(0).orderId, updateFields: { internalNote: 'x' } },
			{ credentials: credentials({ accessToken: readOnlyToken }) },
		);
		expect(result.error?.message).toBe(`ePages could not update order ${order(0).orderId} (HTTP 403): Missing scope orders_write`);
		expect(result.error?.description).toContain('needs the scope orders_write');
	});
});

describe('Order → Get Documents', () => {
	it('lists the shop\'s documents without PDF', async () => {
		const target = invoiced();
		const result = await run({ resource: 'order', operation: 'getDocuments', orderId: target.orderId });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({ orderId: target.orderId, documentType: 'Invoice' });
		expect(result.items[0].json.documentPdf).toBeUndefined();
		expect(result.items[0].binary).toBeUndefined();
		expect(apiRequests()[0].query).toEqual({ page: '1', resultsPerPage: '100' });
	});

	it('Include PDF gives each document as binary data', async () => {
		const target = invoiced();
		const result = await run({ resource: 'order', operation: 'getDocuments', orderId: target.orderId, attachPdf: true, binaryPropertyName: 'invoice' });
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		expect(apiRequests()[0].query).toMatchObject({ includePdf: 'true' });
		expect(item.json.documentPdf).toBeUndefined();
		expect(item.json.fileName).toBe(`invoice-${String(item.json.documentNumber)}.pdf`);
		const binary = item.binary?.invoice;
		expect(binary).toMatchObject({ mimeType: 'application/pdf', fileName: item.json.fileName, fileExtension: 'pdf' });
		expect(Buffer.from(binary!.data, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
	});

	it('an order without documents gives no items', async () => {
		const target = sandbox.orders.find((o) => o.invoicedOn === null)!;
		const result = await run({ resource: 'order', operation: 'getDocuments', orderId: target.orderId, attachPdf: true });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(0);
	});
});

describe('Customer and Product', () => {
	it('Customer → Get and Get Many', async () => {
		const all = await run({ resource: 'customer', operation: 'getAll', returnAll: true });
		expect(all.items.length).toBe(8);
		const limited = await run({ resource: 'customer', operation: 'getAll', returnAll: false, limit: 3 });
		expect(limited.items).toHaveLength(3);
		const id = String(all.items[4].json.customerId);
		const one = await run({ resource: 'customer', operation: 'get', customerId: id });
		expect(one.items[0].json.customerId).toBe(id);
		expect(apiRequests().map((r) => [r.path, r.query])).toEqual([
			['/rs/shops/DemoShop/customers', { page: '1', resultsPerPage: '100' }],
			['/rs/shops/DemoShop/customers', { page: '1', resultsPerPage: '3' }],
			[`/rs/shops/DemoShop/customers/${id}`, {}],
		]);
	});

	it('Product → Get Many searches and sorts', async () => {
		const result = await run({
			resource: 'product',
			operation: 'getAll',
			returnAll: true,
			search: 'a',
			options: { sort: 'price', direction: 'desc', locale: 'pt_PT', currency: 'eur' },
		});
		expect(result.error).toBeUndefined();
		expect(apiRequests()[0].query).toEqual({ q: 'a', sort: 'price', direction: 'desc', locale: 'pt_PT', currency: 'EUR', page: '1', resultsPerPage: '100' });
		const prices = result.items.map((i) => (i.json.priceInfo as { price: { amount: number } }).price.amount);
		expect(prices.length).toBeGreaterThan(1);
		expect([...prices].sort((a, b) => b - a)).toEqual(prices);
	});

	it('Product → Get', async () => {
		const list = await run({ resource: 'product', operation: 'getAll', returnAll: false, limit: 1 });
		const id = String(list.items[0].json.productId);
		const result = await run({ resource: 'product', operation: 'get', productId: id, options: { locale: 'en_GB' } });
		expect(result.items[0].json.productId).toBe(id);
		expect(apiRequests()[1].query).toEqual({ locale: 'en_GB' });
	});

	it('an empty Customer ID or Product ID is an error before any request', async () => {
		// An expression: a literal empty required parameter is refused by n8n itself before the node runs.
		expect((await run({ resource: 'customer', operation: 'get', customerId: '={{ "" }}' })).error?.message).toBe('Customer ID is empty');
		expect((await run({ resource: 'product', operation: 'get', productId: '={{ " " }}' })).error?.message).toBe('Product ID is empty');
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('transport', () => {
	it('waits for the rate-limit reset the shop announces, then goes on', async () => {
		sandbox.setRateLimit(3, 300);
		const result = await run(
			{ resource: 'order', operation: 'getAll', returnAll: false, limit: 6, options: { fullOrders: true } },
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(6);
		const answered = apiRequests();
		expect(answered.filter((r) => r.status === 200)).toHaveLength(7);
		expect(answered.every((r) => r.status === 200 || r.status === 429)).toBe(true);
	});

	it('fails at once, saying when, if the limit resets too late to wait', async () => {
		sandbox.setRateLimit(1, 3600000);
		const result = await run({ resource: 'order', operation: 'getAll', returnAll: false, limit: 2, options: { fullOrders: true } });
		expect(result.error?.message).toMatch(/^ePages could not get order .+ \(HTTP 429\): the rate limit of the access token is used up$/);
		expect(result.error?.description).toMatch(/6000 requests per hour.*The limit resets at \d{4}-\d{2}-\d{2}T/);
		// The list, then the two full orders fetched in parallel: each answered 429 once, none retried.
		expect(apiRequests().map((r) => r.status)).toEqual([200, 429, 429]);
	});

	it('retries a 429 fault with Retry-After', async () => {
		sandbox.faults.configure({ rates: { status429: 0.4 }, seed: 2, retryAfterSeconds: 0 });
		const result = await run({ resource: 'order', operation: 'getAll', returnAll: false, limit: 3, options: { fullOrders: true } });
		expect(result.error).toBeUndefined();
		expect(apiRequests().some((r) => r.status === 429)).toBe(true);
	});

	it('Full Orders fetches a few orders at a time and keeps the list order', async () => {
		sandbox.faults.configure({ latencyMs: 60 });
		const list = await run({ resource: 'order', operation: 'getAll', returnAll: false, limit: 8 });
		sandbox.requests.splice(0);
		const result = await run({ resource: 'order', operation: 'getAll', returnAll: false, limit: 8, options: { fullOrders: true } });
		expect(result.items.map((i) => i.json.orderId)).toEqual(list.items.map((i) => i.json.orderId));
		expect(result.items.every((i) => i.json.lineItemContainer !== undefined)).toBe(true);
		// One after another, each request would arrive at least 60 ms (the answer's latency) after the
		// previous one; in parallel, several arrive together.
		const arrivals = apiRequests().filter((r) => r.path.includes('/orders/')).map((r) => r.at);
		expect(arrivals).toHaveLength(8);
		expect(arrivals.slice(1).filter((at, k) => at - arrivals[k] < 30).length).toBeGreaterThanOrEqual(3);
	});

	it('retries 5xx answers and dropped connections for reads', async () => {
		sandbox.faults.configure({ rates: { status500: 0.2, status502: 0.1, status503: 0.1, reset: 0.1 }, seed: 11 });
		const result = await run({ resource: 'order', operation: 'getAll', returnAll: false, limit: 8, options: { fullOrders: true } });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(8);
		expect(sandbox.requests.filter((r) => r.fault !== 'none').length).toBeGreaterThan(0);
	});

	it('gives up after the retries with a readable message from a Jetty page', async () => {
		sandbox.faults.configure({ rates: { status503: 1 } });
		const result = await run({ resource: 'order', operation: 'get', orderId: order(0).orderId });
		expect(result.error?.httpCode).toBe('503');
		expect(result.error?.message).toMatch(/^ePages could not get order \S+ \(HTTP 503\): Service Unavailable/);
		expect(result.error?.message).not.toMatch(/<|html/i);
		expect(result.error?.description).toContain('server problem');
		expect(apiRequests()).toHaveLength(4);
	});

	it('dropped connections to the end: the message says so in words n8n keeps, the code is in the description', async () => {
		sandbox.faults.configure({ rates: { reset: 1 } });
		const result = await run({ resource: 'order', operation: 'get', orderId: order(0).orderId });
		// n8n swaps a message that contains a socket code for its generic "connection closed" text.
		expect(result.error?.message).toBe(`ePages could not be reached to get order ${order(0).orderId} (connection closed before the answer)`);
		expect(result.error?.description).toMatch(/\[(ECONNRESET|UND_ERR_SOCKET|EPIPE)\]\. Tried 4 time\(s\)/);
		expect(apiRequests()).toHaveLength(4);
	});

	it('a wrong token: the Jetty 401 page becomes a clear message', async () => {
		const result = await run(
			{ resource: 'order', operation: 'get', orderId: order(0).orderId },
			{ credentials: credentials({ accessToken: unknownToken }) },
		);
		expect(result.error?.message).toBe(`ePages could not get order ${order(0).orderId} (HTTP 401): the access token was refused`);
		expect(result.error?.description).toContain('Copy the access token of the private app');
		expect(apiRequests()).toHaveLength(1);
	});

	it('a wrong shop: the Jetty 404 page points at the API URL', async () => {
		const result = await run(
			{ resource: 'order', operation: 'get', orderId: order(0).orderId },
			{ credentials: credentials({ apiUrl: `${sandbox.url}/rs/shops/OtherShop` }) },
		);
		expect(result.error?.message).toBe(
			`ePages could not get order ${order(0).orderId} (HTTP 404): no ePages shop answers at this API URL`,
		);
		expect(result.error?.description).toContain('Check the API URL in the ePages credential');
	});

	it.each([
		['http://shop.example.com/rs/shops/DemoShop', 'uses http://, which would send the access token unencrypted'],
		['https://shop.example.com/epages/DemoShop.admin', 'is not an ePages shop API URL'],
		['https://myshop.beyondshop.cloud/api', 'belongs to an ePages Beyond shop'],
		['', 'The API URL in the ePages credential is empty'],
	])('refuses the API URL %j before any request', async (apiUrl, words) => {
		const result = await run(
			{ resource: 'order', operation: 'get', orderId: order(0).orderId },
			{ credentials: credentials({ apiUrl }) },
		);
		expect(result.error?.message).toContain(words);
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.httpCode).toBeUndefined();
		expect(sandbox.requests).toHaveLength(0);
	});

	it('accepts http:// for this machine only', async () => {
		const local = await run(
			{ resource: 'order', operation: 'get', orderId: order(0).orderId },
			{ credentials: credentials({ apiUrl: sandbox.apiUrl.replace('127.0.0.1', 'localhost') }) },
		);
		expect(local.error).toBeUndefined();
	});
});

describe('the token never leaks', () => {
	it('not even when a proxy echoes the request headers in its error page', async () => {
		const echo = createServer((req, res) => {
			res.writeHead(502, { 'Content-Type': 'text/html' });
			res.end(`<html><head><title>Bad Gateway</title></head><body><h1>Bad Gateway</h1><pre>${String(req.headers.authorization)}</pre></body></html>`);
		});
		await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
		const { port } = echo.address() as AddressInfo;
		try {
			const result = await run(
				{ resource: 'order', operation: 'get', orderId: order(0).orderId },
				{ credentials: credentials({ apiUrl: `http://127.0.0.1:${port}/rs/shops/DemoShop` }) },
			);
			expect(result.error?.httpCode).toBe('502');
			expect(JSON.stringify(result)).not.toContain(sandbox.token);
		} finally {
			echo.closeAllConnections();
			await new Promise<void>((resolve) => echo.close(() => resolve()));
		}
	});
});
