/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	BEYOND_DEFAULT_CLIENT_ID,
	BEYOND_DEFAULT_CLIENT_SECRET,
	beyondOrderFromNow,
	parseBeyondDate,
	startBeyondSandbox,
	type BeyondOrder,
	type BeyondOrderEvent,
	type BeyondSandbox,
	type BeyondSandboxOptions,
} from '../sandbox/beyond';
import { loadEPagesFixture } from '../sandbox/epages';

const HAL = 'application/hal+json';

interface Reply<T = Record<string, unknown>> {
	status: number;
	headers: Headers;
	body: T;
	text: string;
}

interface CallOptions {
	method?: string;
	/** null: no Authorization header; a string: that bearer token. */
	token?: string | null;
	authorization?: string;
	accept?: string | null;
	contentType?: string;
	body?: unknown;
}

interface OrdersPage {
	_embedded: { orders: BeyondOrder[] };
	_links: Record<string, { href: string }>;
	page: { size: number; totalElements: number; totalPages: number; number: number };
}

const sandboxes: BeyondSandbox[] = [];
const receivers: Receiver[] = [];

async function start(opts: BeyondSandboxOptions = {}): Promise<BeyondSandbox> {
	const sandbox = await startBeyondSandbox(opts);
	sandboxes.push(sandbox);
	return sandbox;
}

afterEach(async () => {
	for (const sandbox of sandboxes.splice(0)) await sandbox.close();
	for (const receiver of receivers.splice(0)) await receiver.close();
});

function basic(id: string, secret: string): string {
	return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function call<T = Record<string, unknown>>(
	sandbox: BeyondSandbox,
	path: string,
	opts: CallOptions = {},
): Promise<Reply<T>> {
	const headers: Record<string, string> = {};
	if (opts.authorization !== undefined) headers.Authorization = opts.authorization;
	else if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
	if (opts.accept !== null) headers.Accept = opts.accept ?? HAL;
	let body: string | undefined;
	if (opts.body !== undefined) {
		body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
		headers['Content-Type'] = opts.contentType ?? 'application/json';
	}
	const res = await fetch(`${sandbox.apiUrl}${path}`, {
		method: opts.method ?? 'GET',
		headers,
		body,
	});
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = text === '' ? undefined : JSON.parse(text);
	} catch {
		// keep the text
	}
	return { status: res.status, headers: res.headers, body: parsed as T, text };
}

async function getToken(sandbox: BeyondSandbox): Promise<string> {
	const reply = await call<{ access_token: string }>(
		sandbox,
		'/oauth/token?grant_type=client_credentials',
		{ method: 'POST', authorization: basic(sandbox.clientId, sandbox.clientSecret) },
	);
	expect(reply.status).toBe(200);
	return reply.body.access_token;
}

// ----- a callback receiver -------------------------------------------------------------------

interface Received {
	headers: IncomingMessage['headers'];
	/** Every X-EPAGES-SIGNATURE header, one entry per header line. */
	signatures: string[];
	body: string;
	at: number;
}

interface Receiver {
	url: string;
	received: Received[];
	/** Statuses to answer, in turn; the last one repeats. 'hang' never answers. */
	script: Array<number | 'hang'>;
	/** Until this resolves, answers are held back. */
	gate?: Promise<void>;
	close(): Promise<void>;
}

async function startReceiver(script: Array<number | 'hang'> = [200]): Promise<Receiver> {
	const hanging: ServerResponse[] = [];
	const receiver: Receiver = {
		url: '',
		received: [],
		script,
		close: async () => {
			for (const res of hanging) res.destroy();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const signatures: string[] = [];
			for (let i = 0; i < req.rawHeaders.length; i += 2) {
				if (req.rawHeaders[i].toLowerCase() === 'x-epages-signature') {
					signatures.push(req.rawHeaders[i + 1]);
				}
			}
			const index = receiver.received.length;
			receiver.received.push({
				headers: req.headers,
				signatures,
				body: Buffer.concat(chunks).toString('utf8'),
				at: Date.now(),
			});
			const step = receiver.script[Math.min(index, receiver.script.length - 1)];
			if (step === 'hang') {
				hanging.push(res);
				return;
			}
			void (receiver.gate ?? Promise.resolve()).then(() => res.writeHead(step).end('ok'));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/beyond?flow=42`;
	receivers.push(receiver);
	return receiver;
}

function hmac(secret: string, uri: string, body: string): string {
	return createHmac('sha1', secret).update(`${uri}:${body}`, 'utf8').digest('base64');
}

async function subscribe(
	sandbox: BeyondSandbox,
	token: string,
	uri: string,
	eventTypes = ['order.created', 'order.updated'],
	signerCount = 1,
): Promise<string[]> {
	const secrets: string[] = [];
	for (let i = 0; i < signerCount; i++) {
		const signer = await call<{ sharedSecret: string }>(sandbox, '/signers', {
			method: 'POST',
			token,
		});
		expect(signer.status).toBe(201);
		secrets.push(signer.body.sharedSecret);
	}
	const created = await call(sandbox, '/webhook-subscriptions', {
		method: 'POST',
		token,
		body: { callbackUri: uri, eventTypes },
	});
	expect(created.status).toBe(201);
	return secrets;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------

describe('Beyond sandbox: OAuth2 client credentials', () => {
	it('issues a bearer token for grant_type in the query and in a form body, and records which', async () => {
		const sandbox = await start();
		expect(sandbox.clientId).toBe(BEYOND_DEFAULT_CLIENT_ID);
		expect(sandbox.clientSecret).toBe(BEYOND_DEFAULT_CLIENT_SECRET);
		const viaQuery = await call<Record<string, unknown>>(
			sandbox,
			'/oauth/token?grant_type=client_credentials',
			{ method: 'POST', authorization: basic(sandbox.clientId, sandbox.clientSecret) },
		);
		expect(viaQuery.status).toBe(200);
		expect(viaQuery.body).toMatchObject({
			token_type: 'bearer',
			expires_in: 43199,
			scope: 'ordr:r ordr:u orde:r clpr:c cust:r prod:r',
			tenantId: 135,
		});
		expect(String(viaQuery.body.access_token).split('.')).toHaveLength(3);
		expect(viaQuery.body).not.toHaveProperty('refresh_token');

		const viaBody = await call<Record<string, unknown>>(sandbox, '/oauth/token', {
			method: 'POST',
			authorization: basic(sandbox.clientId, sandbox.clientSecret),
			body: 'grant_type=client_credentials',
			contentType: 'application/x-www-form-urlencoded',
		});
		expect(viaBody.status).toBe(200);
		expect(viaBody.body.access_token).not.toBe(viaQuery.body.access_token);
		expect(sandbox.tokensIssued).toBe(2);
		const tokenRequests = sandbox.requests.filter((r) => r.path === '/api/oauth/token');
		expect(tokenRequests.map((r) => r.grantTypeIn)).toEqual(['query', 'body']);

		const orders = await call(sandbox, '/orders', { token: String(viaBody.body.access_token) });
		expect(orders.status).toBe(200);
		expect(orders.headers.get('content-type')).toMatch(/^application\/hal\+json/);
	});

	it('rejects wrong credentials, missing Basic auth and other grant types', async () => {
		const sandbox = await start();
		const wrongSecret = await call(sandbox, '/oauth/token?grant_type=client_credentials', {
			method: 'POST',
			authorization: basic(sandbox.clientId, 'nope'),
		});
		expect(wrongSecret.status).toBe(401);
		expect(wrongSecret.body).toEqual({
			error: 'unauthorized',
			error_description: 'Bad credentials',
		});
		const wrongId = await call(sandbox, '/oauth/token?grant_type=client_credentials', {
			method: 'POST',
			authorization: basic('someone-else', sandbox.clientSecret),
		});
		expect(wrongId.status).toBe(401);
		const credentialsInBody = await call(sandbox, '/oauth/token', {
			method: 'POST',
			body: `grant_type=client_credentials&client_id=${sandbox.clientId}&client_secret=${sandbox.clientSecret}`,
			contentType: 'application/x-www-form-urlencoded',
		});
		expect(credentialsInBody.status).toBe(401);
		const password = await call(sandbox, '/oauth/token?grant_type=password', {
			method: 'POST',
			authorization: basic(sandbox.clientId, sandbox.clientSecret),
		});
		expect(password.status).toBe(400);
		expect(password.body.error).toBe('unsupported_grant_type');
		const none = await call(sandbox, '/oauth/token', {
			method: 'POST',
			authorization: basic(sandbox.clientId, sandbox.clientSecret),
		});
		expect(none.status).toBe(400);
		expect(none.body.error).toBe('invalid_request');
		const get = await call(sandbox, '/oauth/token?grant_type=client_credentials', {
			authorization: basic(sandbox.clientId, sandbox.clientSecret),
		});
		expect(get.status).toBe(405);
		expect(sandbox.tokensIssued).toBe(0);
	});

	it('answers 401 invalid_token without a token, with an unknown one and with an expired one', async () => {
		const sandbox = await start();
		const none = await call(sandbox, '/orders', { token: null });
		expect(none.status).toBe(401);
		expect(none.body.error).toBe('invalid_token');
		expect(none.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
		const unknown = await call(sandbox, '/orders', { token: 'not.a.token' });
		expect(unknown.status).toBe(401);
		expect(unknown.body.error).toBe('invalid_token');

		const token = await getToken(sandbox);
		expect((await call(sandbox, '/orders', { token })).status).toBe(200);
		sandbox.expireTokens();
		const expired = await call(sandbox, '/orders', { token });
		expect(expired.status).toBe(401);
		expect(expired.body.error).toBe('invalid_token');
		const fresh = await getToken(sandbox);
		expect((await call(sandbox, '/orders', { token: fresh })).status).toBe(200);
	});

	it('lets a token expire after tokenTtlSeconds of real time', async () => {
		const sandbox = await start({ tokenTtlSeconds: 1 });
		const token = await getToken(sandbox);
		expect((await call(sandbox, '/orders?size=1', { token })).status).toBe(200);
		await sleep(1100);
		expect((await call(sandbox, '/orders?size=1', { token })).status).toBe(401);
	});

	it('answers 403 insufficient_scope naming the scope that is missing', async () => {
		const sandbox = await start({ scopes: ['cust:r', 'ordr:r'] });
		const token = await getToken(sandbox);
		const note = await call(sandbox, `/orders/${sandbox.orders[0]._id}/order-note`, {
			method: 'PUT',
			token,
			body: { orderNote: 'x' },
		});
		expect(note.status).toBe(403);
		expect(note.body).toMatchObject({ error: 'insufficient_scope', scope: 'ordr:u' });
		expect(sandbox.orders[0].orderNote).toBeNull();

		sandbox.scopes = ['cust:r'];
		const narrow = await getToken(sandbox);
		const orders = await call(sandbox, '/orders', { token: narrow });
		expect(orders.status).toBe(403);
		expect(orders.body).toMatchObject({ error: 'insufficient_scope', scope: 'ordr:r' });
		// The older token keeps the scopes it was issued with.
		expect((await call(sandbox, '/orders', { token })).status).toBe(200);
	});

	it('answers hal+json even to Accept: application/json, and 406 when no JSON is acceptable', async () => {
		const sandbox = await start();
		const token = await getToken(sandbox);
		const json = await call(sandbox, '/orders', { token, accept: 'application/json' });
		expect(json.status).toBe(200);
		expect(json.headers.get('content-type')).toMatch(/^application\/hal\+json/);
		const html = await call(sandbox, '/orders', { token, accept: 'text/html' });
		expect(html.status).toBe(406);
	});
});

describe('Beyond sandbox: orders', () => {
	let sandbox: BeyondSandbox;
	let token: string;
	const now = new Date('2026-11-28T12:00:00.000Z');

	beforeEach(async () => {
		sandbox = await start({ now: () => now });
		token = await getToken(sandbox);
	});

	const list = async (query: string) => {
		const reply = await call<OrdersPage>(sandbox, `/orders${query}`, { token });
		expect(reply.status).toBe(200);
		return reply.body;
	};

	it('seeds every Now fixture order and lists them newest first, 20 per page, with line items', async () => {
		const fixtureCount = loadEPagesFixture().orders.length;
		const body = await list('');
		expect(body.page).toEqual({ size: 20, totalElements: fixtureCount, totalPages: 1, number: 0 });
		const orders = body._embedded.orders;
		expect(orders).toHaveLength(fixtureCount);
		const created = orders.map((o) => parseBeyondDate(o.createdAt) ?? 0);
		expect([...created].sort((a, b) => b - a)).toEqual(created);
		for (const order of orders) {
			expect(order.productLineItems.length).toBeGreaterThan(0);
			expect(order._links?.self.href).toBe(`${sandbox.apiUrl}/orders/${order._id}`);
			expect(order.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
		}
		expect(body._links.self.href).toContain('/api/orders?page=0&size=20');
	});

	it('pages Spring-style: 0-based pages, next links, clamped size, empty pages past the end', async () => {
		const first = await list('?size=5');
		expect(first.page).toEqual({ size: 5, totalElements: 12, totalPages: 3, number: 0 });
		const seen: string[] = [];
		let page: OrdersPage | undefined = first;
		while (page) {
			seen.push(...page._embedded.orders.map((o) => o._id));
			const next: string | undefined = page._links.next?.href;
			page = next
				? (await call<OrdersPage>(sandbox, next.slice(sandbox.apiUrl.length), { token })).body
				: undefined;
		}
		expect(new Set(seen).size).toBe(12);
		expect(seen).toEqual((await list('?size=12'))._embedded.orders.map((o) => o._id));
		const last = await list('?size=5&page=2');
		expect(last._embedded.orders).toHaveLength(2);
		expect(last._links.next).toBeUndefined();
		expect(last._links.prev.href).toContain('page=1');
		const past = await list('?size=5&page=7');
		expect(past._embedded.orders).toEqual([]);
		expect(past.page.number).toBe(7);
		const big = await list('?size=500');
		expect(big.page.size).toBe(100);
		for (const bad of ['?page=-1', '?size=0', '?page=x', '?sort=grandTotal,desc']) {
			const reply = await call(sandbox, `/orders${bad}`, { token });
			expect(reply.status).toBe(400);
			expect(typeof reply.body.errorId).toBe('string');
		}
	});

	it('sorts by createdAt ascending or descending', async () => {
		const asc = (await list('?sort=createdAt,asc'))._embedded.orders.map((o) => o.orderNumber);
		const desc = (await list('?sort=createdAt,desc'))._embedded.orders.map((o) => o.orderNumber);
		expect(asc).toEqual([...desc].reverse());
		expect(asc[0]).toBe('10231');
	});

	it('filters by dates (After inclusive, Before exclusive), statuses, canceled, orderNumber and email', async () => {
		const all = (await list('?sort=createdAt,asc'))._embedded.orders;
		const pivot = all[5];
		const after = await list(`?createdAfter=${pivot.createdAt}&sort=createdAt,asc`);
		expect(after._embedded.orders.map((o) => o._id)).toEqual(all.slice(5).map((o) => o._id));
		const before = await list(`?createdBefore=${pivot.createdAt}Z&sort=createdAt,asc`);
		expect(before._embedded.orders.map((o) => o._id)).toEqual(all.slice(0, 5).map((o) => o._id));

		const nowOrders = loadEPagesFixture().orders;
		const paid = await list('?paymentStatus=PAID');
		expect(paid.page.totalElements).toBe(nowOrders.filter((o) => o.paidOn).length);
		expect(paid._embedded.orders.every((o) => o.paymentStatus === 'PAID')).toBe(true);
		const either = await list('?paymentStatus=PAID,PENDING');
		expect(either.page.totalElements).toBe(12);
		const shipped = await list('?shippingStatus=SHIPPED');
		expect(shipped.page.totalElements).toBe(
			nowOrders.filter((o) => o.dispatchedOn || o.deliveredOn).length,
		);
		const canceled = await list('?canceled=true');
		expect(canceled._embedded.orders.map((o) => o.orderNumber)).toEqual(['10240']);
		expect((await list('?canceled=false')).page.totalElements).toBe(11);
		const byNumber = await list('?orderNumber=10234');
		expect(byNumber._embedded.orders).toHaveLength(1);
		expect(byNumber._embedded.orders[0].couponLineItem?.lineItemPrice.amount).toBe(-5);
		const email = all[0].customerEmail as string;
		const byEmail = await list(`?customerEmail=${encodeURIComponent(email.toUpperCase())}`);
		expect(byEmail.page.totalElements).toBe(all.filter((o) => o.customerEmail === email).length);
		expect(byEmail.page.totalElements).toBeGreaterThan(0);

		const bad = await call(sandbox, '/orders?createdAfter=yesterday', { token });
		expect(bad.status).toBe(400);
		expect(bad.body.errorId).toBe('invalid-request-parameter');
	});

	it('moves updatedAt on a status change and finds the order by updatedAfter', async () => {
		const target = sandbox.orders.find((o) => o.orderNumber === '10241') as BeyondOrder;
		const before = target.updatedAt;
		const since = beyondDate(now);
		sandbox.setPaymentStatus(target._id, 'PAID');
		expect(target.updatedAt > before).toBe(true);
		const changed = await list(`?updatedAfter=${since}`);
		expect(changed._embedded.orders.map((o) => o.orderNumber)).toEqual(['10241']);
		expect(changed._embedded.orders[0].paymentStatus).toBe('PAID');
		const notYet = await list(`?updatedBefore=${since}`);
		expect(notYet.page.totalElements).toBe(11);
		// A frozen clock still moves updatedAt forward.
		const first = target.updatedAt;
		sandbox.setShippingStatus(target._id, 'SHIPPED');
		expect(target.updatedAt > first).toBe(true);
	});

	it('returns one order by id, and 404 with an errorId for an unknown id', async () => {
		const target = sandbox.orders[3];
		const one = await call<BeyondOrder>(sandbox, `/orders/${target._id}`, { token });
		expect(one.status).toBe(200);
		expect(one.body._id).toBe(target._id);
		expect(one.body.productLineItems).toEqual(target.productLineItems);
		const missing = await call(sandbox, '/orders/00000000-0000-4000-a000-000000000000', { token });
		expect(missing.status).toBe(404);
		expect(missing.body.errorId).toBe('resource-not-found');
	});

	it('renders orders with the real Beyond field names', async () => {
		const order = (await call<BeyondOrder>(sandbox, `/orders/${sandbox.orders[3]._id}`, { token }))
			.body;
		expect(Object.keys(order)).toEqual(
			expect.arrayContaining([
				'_id',
				'orderNumber',
				'createdAt',
				'updatedAt',
				'currency',
				'taxModel',
				'productLineItems',
				'shippingLineItem',
				'paymentLineItem',
				'couponLineItem',
				'grandTotal',
				'netTotal',
				'taxTotal',
				'taxes',
				'billingAddress',
				'shippingAddress',
				'paymentStatus',
				'shippingStatus',
				'canceled',
				'customerEmail',
				'customerNumber',
				'customerComment',
				'orderNote',
				'_links',
			]),
		);
		const line = order.productLineItems[0];
		expect(Object.keys(line.product).sort()).toEqual(['_id', 'name', 'sku']);
		expect(line.unitPrice).toEqual({ taxModel: 'GROSS', currency: 'EUR', amount: 6.8 });
		expect(line.lineItemPrice.amount).toBe(13.6);
		expect(line.lineItemTax).toMatchObject({ taxClass: 'REGULAR', taxRate: 0.23, currency: 'EUR' });
		expect(order.shippingLineItem).toMatchObject({
			taxClass: 'REGULAR',
			shippingMethod: { name: 'CTT Expresso 48h' },
			lineItemPrice: { amount: 4.9 },
		});
		expect(order.shippingLineItem?.lineItemTaxes[0].taxRate).toBe(0.23);
		expect(order.billingAddress).toMatchObject({
			street: 'Rua Augusta',
			houseNumber: '132',
			postalCode: '1100-053',
			country: 'PT',
		});
		// Unrounded, as the real API: tax amounts carry more than two decimals.
		expect(order.taxes.some((t) => Math.round(t.amount * 100) / 100 !== t.amount)).toBe(true);
	});

	it('writes the order note with ordr:u, moving updatedAt, and validates the request', async () => {
		const target = sandbox.orders[0];
		const before = target.updatedAt;
		const put = await call<BeyondOrder>(sandbox, `/orders/${target._id}/order-note`, {
			method: 'PUT',
			token,
			body: { orderNote: 'Fatura FT 2026/17 emitida' },
		});
		expect(put.status).toBe(200);
		expect(put.body.orderNote).toBe('Fatura FT 2026/17 emitida');
		expect(put.body.updatedAt > before).toBe(true);
		const again = await call<BeyondOrder>(sandbox, `/orders/${target._id}`, { token });
		expect(again.body.orderNote).toBe('Fatura FT 2026/17 emitida');

		const wrongType = await call(sandbox, `/orders/${target._id}/order-note`, {
			method: 'PUT',
			token,
			body: 'orderNote=x',
			contentType: 'text/plain',
		});
		expect(wrongType.status).toBe(415);
		const noNote = await call(sandbox, `/orders/${target._id}/order-note`, {
			method: 'PUT',
			token,
			body: { note: 'x' },
		});
		expect(noNote.status).toBe(400);
		const post = await call(sandbox, `/orders/${target._id}/order-note`, {
			method: 'POST',
			token,
			body: { orderNote: 'x' },
		});
		expect(post.status).toBe(405);
		const unknown = await call(sandbox, '/orders/nope/order-note', {
			method: 'PUT',
			token,
			body: { orderNote: 'x' },
		});
		expect(unknown.status).toBe(404);
		expect(target.orderNote).toBe('Fatura FT 2026/17 emitida');
	});
});

function beyondDate(date: Date): string {
	return date.toISOString().replace(/Z$/, '');
}

describe('Beyond sandbox: addOrder and the changes that fire events', () => {
	it('creates a realistic Portuguese order with defaults and computed totals', async () => {
		const sandbox = await start({ seed: 'empty' });
		const order = sandbox.addOrder();
		expect(sandbox.orders).toEqual([order]);
		expect(order.orderNumber).toBe('10001');
		expect(order.currency).toBe('EUR');
		expect(order.billingAddress.country).toBe('PT');
		expect(order.paymentStatus).toBe('PENDING');
		expect(order.canceled).toBe(false);
		const lines = order.productLineItems.reduce(
			(s, l) => s + Math.round(l.lineItemPrice.amount * 100),
			0,
		);
		const shipping = Math.round((order.shippingLineItem?.lineItemPrice.amount ?? 0) * 100);
		expect(Math.round(order.grandTotal.amount * 100)).toBe(lines + shipping);
		for (const line of order.productLineItems) {
			expect(line.lineItemPrice.amount).toBeCloseTo(line.unitPrice.amount * line.quantity, 9);
			expect([0, 0.06, 0.13, 0.23]).toContain(line.lineItemTax.taxRate);
		}

		const custom = sandbox.addOrder({
			lines: [
				{ sku: 'AZ-500', quantity: 3 },
				{ name: 'Cabaz', unitPrice: 20, taxRate: 23 },
			],
			coupon: { code: 'NATAL10', amount: 10 },
			customerComment: 'Entregar depois das 18h',
		});
		expect(custom.orderNumber).toBe('10002');
		expect(custom.productLineItems.map((l) => l.lineItemTax.taxRate)).toEqual([0.06, 0.23]);
		expect(custom.couponLineItem?.lineItemPrice.amount).toBe(-10);
		// 3 × 12.90 + 20 − 10 + 4.90 shipping
		expect(custom.grandTotal.amount).toBe(53.6);
		expect(custom.customerComment).toBe('Entregar depois das 18h');
	});

	it('changes statuses and cancels, moving updatedAt each time', async () => {
		const sandbox = await start({ seed: 'empty' });
		const order = sandbox.addOrder({ createdAt: '2026-11-01T10:00:00.000' });
		let last = order.updatedAt;
		sandbox.setPaymentStatus(order._id, 'PAID');
		expect(order.paymentStatus).toBe('PAID');
		expect(order.updatedAt > last).toBe(true);
		last = order.updatedAt;
		sandbox.setShippingStatus(order._id, 'SHIPPED');
		expect(order.shippingStatus).toBe('SHIPPED');
		expect(order.updatedAt > last).toBe(true);
		last = order.updatedAt;
		sandbox.cancelOrder(order._id);
		expect(order.canceled).toBe(true);
		expect(order.updatedAt > last).toBe(true);
		expect(() => sandbox.cancelOrder('nope')).toThrow(/No order nope/);
	});
});

describe('Beyond sandbox: signers', () => {
	it('creates up to 5 signers, refuses a 6th and refuses to delete the last one', async () => {
		const sandbox = await start();
		const token = await getToken(sandbox);
		const empty = await call<{ _embedded: { signers: unknown[] } }>(sandbox, '/signers', { token });
		expect(empty.body._embedded.signers).toEqual([]);
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) {
			const created = await call<{ _id: string; sharedSecret: string }>(sandbox, '/signers', {
				method: 'POST',
				token,
			});
			expect(created.status).toBe(201);
			expect(created.body.sharedSecret).toMatch(/^[a-z0-9]{10,}$/);
			ids.push(created.body._id);
		}
		expect(new Set(ids).size).toBe(5);
		const sixth = await call(sandbox, '/signers', { method: 'POST', token });
		expect(sixth.status).toBe(400);
		expect(sixth.body.errorId).toBe('signer-limit-exceeded');
		const listed = await call<{ _embedded: { signers: Array<{ _id: string }> } }>(
			sandbox,
			'/signers',
			{ token },
		);
		expect(listed.body._embedded.signers.map((s) => s._id)).toEqual(ids);

		for (const id of ids.slice(0, 4)) {
			expect((await call(sandbox, `/signers/${id}`, { method: 'DELETE', token })).status).toBe(204);
		}
		const lastOne = await call(sandbox, `/signers/${ids[4]}`, { method: 'DELETE', token });
		expect(lastOne.status).toBe(400);
		expect(lastOne.body.errorId).toBe('last-signer-cannot-be-deleted');
		expect(sandbox.signers.map((s) => s._id)).toEqual([ids[4]]);
		expect((await call(sandbox, `/signers/${ids[0]}`, { method: 'DELETE', token })).status).toBe(
			404,
		);
	});
});

describe('Beyond sandbox: webhook subscriptions', () => {
	it('needs a signer, known event types, the scope and no overlap', async () => {
		const sandbox = await start({ scopes: ['ordr:r', 'ordr:u'] });
		const token = await getToken(sandbox);
		const uri = 'http://127.0.0.1:9/hook';
		const noSigner = await call(sandbox, '/webhook-subscriptions', {
			method: 'POST',
			token,
			body: { callbackUri: uri, eventTypes: ['order.created'] },
		});
		expect(noSigner.status).toBe(401);
		expect(noSigner.body.errorId).toBe('no-signer-defined');
		expect(String(noSigner.body.message)).toContain(`clientId=${sandbox.clientId}`);

		expect((await call(sandbox, '/signers', { method: 'POST', token })).status).toBe(201);
		const unknownType = await call(sandbox, '/webhook-subscriptions', {
			method: 'POST',
			token,
			body: { callbackUri: uri, eventTypes: ['order.paid'] },
		});
		expect(unknownType.status).toBe(400);
		expect(unknownType.body.errorId).toBe('unknown-event-type');
		const noUri = await call(sandbox, '/webhook-subscriptions', {
			method: 'POST',
			token,
			body: { callbackUri: '/relative', eventTypes: ['order.created'] },
		});
		expect(noUri.status).toBe(400);
		const product = await call(sandbox, '/webhook-subscriptions', {
			method: 'POST',
			token,
			body: { callbackUri: uri, eventTypes: ['product.created'] },
		});
		expect(product.status).toBe(403);
		expect(product.body.scope).toBe('prod:r');

		const created = await call<Record<string, unknown>>(sandbox, '/webhook-subscriptions', {
			method: 'POST',
			token,
			body: { callbackUri: uri, eventTypes: ['order.created', 'order.updated'] },
		});
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({
			callbackUri: uri,
			eventTypes: ['order.created', 'order.updated'],
			active: true,
		});
		const id = String(created.body._id);
		expect((created.body._links as Record<string, { href: string }>).self.href).toBe(
			`${sandbox.apiUrl}/webhook-subscriptions/${id}`,
		);
		const overlap = await call(sandbox, '/webhook-subscriptions', {
			method: 'POST',
			token,
			body: { callbackUri: 'http://127.0.0.1:9/other', eventTypes: ['order.updated'] },
		});
		expect(overlap.status).toBe(400);
		expect(overlap.body.errorId).toBe('webhook-overlapping-event-types');
		const uninstall = await call(sandbox, '/webhook-subscriptions', {
			method: 'POST',
			token,
			body: { callbackUri: uri, eventTypes: ['app.uninstalled'] },
		});
		expect(uninstall.status).toBe(201);

		const listed = await call<{
			_embedded: { subscriptions: Array<{ _id: string }> };
			page: { totalElements: number };
		}>(sandbox, '/webhook-subscriptions?size=1', { token });
		expect(listed.body._embedded.subscriptions).toHaveLength(1);
		expect(listed.body.page.totalElements).toBe(2);
		const one = await call(sandbox, `/webhook-subscriptions/${id}`, { token });
		expect(one.status).toBe(200);
		expect(one.body._id).toBe(id);
		expect(
			(await call(sandbox, `/webhook-subscriptions/${id}`, { method: 'DELETE', token })).status,
		).toBe(204);
		expect((await call(sandbox, `/webhook-subscriptions/${id}`, { token })).status).toBe(404);
		expect(
			(await call(sandbox, `/webhook-subscriptions/${id}`, { method: 'DELETE', token })).status,
		).toBe(404);
		// Once deleted, the event types are free again.
		const again = await call(sandbox, '/webhook-subscriptions', {
			method: 'POST',
			token,
			body: { callbackUri: uri, eventTypes: ['order.updated'] },
		});
		expect(again.status).toBe(201);
	});
});

describe('Beyond sandbox: deliveries', () => {
	it('signs every delivery once per signer with HMAC-SHA1 over callbackUri:body', async () => {
		const sandbox = await start({ seed: 'empty' });
		const token = await getToken(sandbox);
		const receiver = await startReceiver([200]);
		const secrets = await subscribe(sandbox, token, receiver.url, undefined, 3);
		const order = sandbox.addOrder();
		await sandbox.waitForDeliveries();
		expect(receiver.received).toHaveLength(1);
		const got = receiver.received[0];
		expect(got.headers['content-type']).toBe('application/json');
		expect(got.headers['x-epages-webhook-event-type']).toBe('order.created');
		expect(got.signatures).toHaveLength(3);
		expect(got.signatures).toEqual(secrets.map((s) => hmac(s, receiver.url, got.body)));
		expect(got.signatures).not.toContain(hmac(secrets[0], receiver.url.split('?')[0], got.body));
		const payload = JSON.parse(got.body) as Record<string, unknown>;
		expect(payload._payloadType).toBe('order');
		expect(payload._id).toBe(order._id);
		expect(payload.productLineItems).toEqual(order.productLineItems);
		const [delivery] = sandbox.deliveries;
		expect(delivery).toMatchObject({
			eventType: 'order.created',
			uri: receiver.url,
			body: got.body,
			signatures: got.signatures,
			done: true,
			outcome: 'delivered',
		});
		expect(delivery.attempts.map((a) => a.status)).toEqual([200]);
	});

	it('sends order.updated for a payment, a shipping change, a cancel and an order note', async () => {
		const sandbox = await start({ seed: 'empty' });
		const token = await getToken(sandbox);
		const receiver = await startReceiver([204]);
		await subscribe(sandbox, token, receiver.url, ['order.updated']);
		const order = sandbox.addOrder();
		sandbox.setPaymentStatus(order._id, 'PAID');
		sandbox.setShippingStatus(order._id, 'SHIPPED');
		sandbox.cancelOrder(order._id);
		const put = await call(sandbox, `/orders/${order._id}/order-note`, {
			method: 'PUT',
			token,
			body: { orderNote: 'faturado' },
		});
		expect(put.status).toBe(200);
		await sandbox.waitForDeliveries();
		expect(sandbox.deliveries.map((d) => d.eventType)).toEqual(Array(4).fill('order.updated'));
		const bodies = receiver.received.map((r) => JSON.parse(r.body) as BeyondOrder);
		expect(bodies).toHaveLength(4);
		const byNote = bodies.find((b) => b.orderNote === 'faturado');
		expect(byNote).toMatchObject({
			paymentStatus: 'PAID',
			shippingStatus: 'SHIPPED',
			canceled: true,
		});
		expect(bodies.filter((b) => b.paymentStatus === 'PAID')).toHaveLength(4);
		expect(
			receiver.received.every((r) => r.headers['x-epages-webhook-event-type'] === 'order.updated'),
		).toBe(true);
	});

	it('does not hold the API answer back while the callback is slow', async () => {
		const sandbox = await start({ seed: 'empty' });
		const token = await getToken(sandbox);
		const receiver = await startReceiver([200]);
		let release!: () => void;
		receiver.gate = new Promise<void>((resolve) => (release = resolve));
		await subscribe(sandbox, token, receiver.url, ['order.updated']);
		const order = sandbox.addOrder();
		const put = await call(sandbox, `/orders/${order._id}/order-note`, {
			method: 'PUT',
			token,
			body: { orderNote: 'x' },
		});
		expect(put.status).toBe(200);
		expect(sandbox.deliveries[0].done).toBe(false);
		release();
		await sandbox.waitForDeliveries();
		expect(sandbox.deliveries[0].outcome).toBe('delivered');
	});

	it('retries failures on the schedule with identical bytes, and stops after a success', async () => {
		const sandbox = await start({ seed: 'empty', retryDelaysMs: [20, 40, 60, 80] });
		const token = await getToken(sandbox);
		const receiver = await startReceiver([500, 503, 200]);
		await subscribe(sandbox, token, receiver.url, ['order.created'], 2);
		sandbox.addOrder();
		await sandbox.waitForDeliveries();
		await sleep(150);
		expect(receiver.received).toHaveLength(3);
		expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
		expect(new Set(receiver.received.map((r) => r.signatures.join('|'))).size).toBe(1);
		const [delivery] = sandbox.deliveries;
		expect(delivery.attempts.map((a) => a.status)).toEqual([500, 503, 200]);
		expect(delivery.outcome).toBe('delivered');
		const gaps = receiver.received.slice(1).map((r, i) => r.at - receiver.received[i].at);
		expect(gaps[0]).toBeGreaterThanOrEqual(15);
		expect(gaps[1]).toBeGreaterThanOrEqual(35);
	});

	it('records a delivery as failed after the last retry, for errors, refusals and timeouts', async () => {
		const sandbox = await start({ seed: 'empty', retryDelaysMs: [10, 10], deliveryTimeoutMs: 150 });
		const token = await getToken(sandbox);
		const failing = await startReceiver([500]);
		await subscribe(sandbox, token, failing.url, ['order.created']);
		sandbox.addOrder();
		await sandbox.waitForDeliveries();
		expect(failing.received).toHaveLength(3);
		expect(sandbox.deliveries[0].attempts.map((a) => a.status)).toEqual([500, 500, 500]);
		expect(sandbox.deliveries[0].outcome).toBe('failed');

		// A callback on a closed port: connection refused on every attempt.
		const closed = await startReceiver([200]);
		const closedUrl = closed.url;
		await closed.close();
		receivers.splice(receivers.indexOf(closed), 1);
		const hanging = await startReceiver(['hang', 200]);
		const subs = await call<{ _embedded: { subscriptions: Array<{ _id: string }> } }>(
			sandbox,
			'/webhook-subscriptions',
			{ token },
		);
		for (const s of subs.body._embedded.subscriptions) {
			await call(sandbox, `/webhook-subscriptions/${s._id}`, { method: 'DELETE', token });
		}
		await call(sandbox, '/webhook-subscriptions', {
			method: 'POST',
			token,
			body: { callbackUri: closedUrl, eventTypes: ['order.created'] },
		});
		await call(sandbox, '/webhook-subscriptions', {
			method: 'POST',
			token,
			body: { callbackUri: hanging.url, eventTypes: ['order.updated'] },
		});
		const order = sandbox.addOrder();
		sandbox.setPaymentStatus(order._id, 'PAID');
		await sandbox.waitForDeliveries();
		const refused = sandbox.deliveries.find((d) => d.uri === closedUrl);
		expect(refused?.attempts.map((a) => a.error)).toEqual([
			'ECONNREFUSED',
			'ECONNREFUSED',
			'ECONNREFUSED',
		]);
		expect(refused?.outcome).toBe('failed');
		const slow = sandbox.deliveries.find((d) => d.uri === hanging.url);
		expect(slow?.attempts.map((a) => a.error ?? a.status)).toEqual(['timeout', 200]);
		expect(slow?.outcome).toBe('delivered');
		expect(hanging.received).toHaveLength(2);
		expect(hanging.received[0].body).toBe(hanging.received[1].body);
	});

	it('redelivers the exact same request as a replay would', async () => {
		const sandbox = await start({ seed: 'empty' });
		const token = await getToken(sandbox);
		const receiver = await startReceiver([200]);
		await subscribe(sandbox, token, receiver.url, ['order.created'], 2);
		sandbox.addOrder();
		await sandbox.waitForDeliveries();
		// Rotating the signers afterwards does not change what a replay carries.
		const signerId = sandbox.signers[0]._id;
		expect((await call(sandbox, `/signers/${signerId}`, { method: 'DELETE', token })).status).toBe(
			204,
		);
		const copy = sandbox.redeliver(sandbox.deliveries[0].id);
		await sandbox.waitForDeliveries();
		expect(copy.replayOf).toBe(sandbox.deliveries[0].id);
		expect(copy.outcome).toBe('delivered');
		expect(receiver.received).toHaveLength(2);
		const [original, replay] = receiver.received;
		expect(Buffer.from(replay.body)).toEqual(Buffer.from(original.body));
		expect(replay.signatures).toEqual(original.signatures);
		expect(replay.signatures).toHaveLength(2);
		expect(replay.headers['x-epages-webhook-event-type']).toBe(
			original.headers['x-epages-webhook-event-type'],
		);
		expect(() => sandbox.redeliver('dlv-999')).toThrow(/No delivery/);
	});

	it('delivers nothing to deactivated subscriptions or for unsubscribed event types', async () => {
		const sandbox = await start({ seed: 'empty' });
		const token = await getToken(sandbox);
		const receiver = await startReceiver([200]);
		await subscribe(sandbox, token, receiver.url, ['order.updated']);
		sandbox.addOrder();
		await sandbox.waitForDeliveries();
		expect(sandbox.deliveries).toEqual([]);
		const [subscription] = sandbox.subscriptions;
		const off = await call(sandbox, `/webhook-subscriptions/${subscription._id}/deactivate`, {
			method: 'POST',
			token,
		});
		expect(off.status).toBe(200);
		expect(off.body.active).toBe(false);
		sandbox.setPaymentStatus(sandbox.orders[0]._id, 'PAID');
		await sandbox.waitForDeliveries();
		expect(receiver.received).toEqual([]);
	});
});

describe('Beyond sandbox: other events and no network', () => {
	it('delivers an app.uninstalled payload as given, signed like the others', async () => {
		const sandbox = await start({ seed: 'empty' });
		const token = await getToken(sandbox);
		const receiver = await startReceiver([200]);
		const [secret] = await subscribe(sandbox, token, receiver.url, ['app.uninstalled']);
		const payload = { payloadType: 'app', _id: 'a1', clientId: sandbox.clientId, name: 'n8n' };
		const [delivery] = sandbox.fireEvent('app.uninstalled', payload);
		expect(sandbox.fireEvent('order.created', {})).toEqual([]);
		await sandbox.waitForDeliveries();
		expect(delivery.outcome).toBe('delivered');
		expect(receiver.received).toHaveLength(1);
		expect(receiver.received[0].body).toBe(JSON.stringify(payload));
		expect(receiver.received[0].headers['x-epages-webhook-event-type']).toBe('app.uninstalled');
		expect(receiver.received[0].signatures).toEqual([
			hmac(secret, receiver.url, JSON.stringify(payload)),
		]);
	});

	it('accepts a non-loopback callback but never sends to it', async () => {
		const sandbox = await start({ seed: 'empty', retryDelaysMs: [1] });
		const token = await getToken(sandbox);
		await subscribe(sandbox, token, 'https://shop-hooks.example.com/beyond', ['order.created']);
		sandbox.addOrder();
		await sandbox.waitForDeliveries();
		const [delivery] = sandbox.deliveries;
		expect(delivery.outcome).toBe('failed');
		expect(delivery.attempts).toHaveLength(2);
		expect(delivery.attempts.every((a) => /not loopback/.test(a.error ?? ''))).toBe(true);
	});

	it('answers 404 with an errorId for an unknown resource and 405 for a wrong method', async () => {
		const sandbox = await start();
		const token = await getToken(sandbox);
		const unknown = await call(sandbox, '/carts', { token });
		expect(unknown.status).toBe(404);
		expect(unknown.body.errorId).toBe('resource-not-found');
		const post = await call(sandbox, '/orders', { method: 'POST', token, body: {} });
		expect(post.status).toBe(405);
		expect(post.headers.get('allow')).toBe('GET');
	});
});

describe('Beyond sandbox: Now → Beyond translation', () => {
	const nowOrders = loadEPagesFixture().orders;

	it.each(nowOrders.map((o) => [o.orderNumber, o] as const))(
		'order %s keeps its grand total to the cent, its VAT per rate and its lines',
		(_number, now) => {
			const input = JSON.stringify(now);
			const beyond = beyondOrderFromNow(now);
			expect(JSON.stringify(now)).toBe(input);
			expect(beyondOrderFromNow(now)).toEqual(beyond);
			const container = now.lineItemContainer;
			expect(Math.round(beyond.grandTotal.amount * 100)).toBe(
				Math.round(container.grandTotal.amount * 100),
			);
			expect(beyond.taxModel).toBe(now.taxModel);
			expect(beyond.orderNumber).toBe(now.orderNumber);

			// VAT rates as fractions, line by line.
			expect(beyond.productLineItems.map((l) => l.lineItemTax.taxRate)).toEqual(
				container.productLineItems.map((l) => l.taxClass.percentage / 100),
			);
			expect(
				beyond.productLineItems.map((l) => [
					l.product.sku,
					l.quantity,
					l.unitPrice.amount,
					l.lineItemPrice.amount,
				]),
			).toEqual(
				container.productLineItems.map((l) => [
					l.sku,
					l.quantity.amount,
					l.singleItemPrice.amount,
					l.lineItemPrice.amount,
				]),
			);
			// Per rate, the tax rounds to what the Now shop shows.
			const rounded = beyond.taxes.reduce((sum, t) => sum + Math.round(t.amount * 100), 0);
			expect(rounded).toBe(Math.round(container.totalTax.amount * 100));
			const rates = new Set(beyond.taxes.map((t) => t.taxRate));
			for (const line of container.productLineItems)
				expect(rates.has(line.taxClass.percentage / 100)).toBe(true);

			// Shipping, payment fee and coupon.
			expect(beyond.shippingLineItem?.lineItemPrice.amount).toBe(now.shippingData?.price.amount);
			expect(beyond.paymentLineItem?.lineItemPrice.amount).toBe(now.paymentData?.price.amount);
			if (container.couponLineItem) {
				expect(beyond.couponLineItem?.lineItemPrice.amount).toBe(
					-Math.abs(container.couponLineItem.lineItemPrice.amount),
				);
			} else {
				expect(beyond.couponLineItem).toBeNull();
			}
			const sum =
				beyond.productLineItems.reduce((s, l) => s + Math.round(l.lineItemPrice.amount * 100), 0) +
				Math.round((beyond.couponLineItem?.lineItemPrice.amount ?? 0) * 100) +
				Math.round((beyond.shippingLineItem?.lineItemPrice.amount ?? 0) * 100) +
				Math.round((beyond.paymentLineItem?.lineItemPrice.amount ?? 0) * 100);
			const net = now.taxModel === 'NET' ? sum + rounded : sum;
			expect(net).toBe(Math.round(beyond.grandTotal.amount * 100));

			// Customer and statuses.
			expect(beyond.billingAddress.vatId).toBe(
				now.billingAddress.vatId ?? now.billingAddress.fiscalCode ?? null,
			);
			expect(beyond.billingAddress.postalCode).toBe(now.billingAddress.zipCode);
			expect(beyond.billingAddress.country).toBe(now.billingAddress.country);
			expect(beyond.customerEmail).toBe(now.billingAddress.emailAddress);
			expect(beyond.paymentStatus).toBe(now.paidOn ? 'PAID' : 'PENDING');
			expect(beyond.canceled).toBe(Boolean(now.rejectedOn));
			if (now.returnedOn) expect(beyond.shippingStatus).toBe('RETURNED');
			expect(beyond.createdAt).toBe(now.creationDate.replace(/Z$/, ''));
		},
	);

	it('maps a return, a NIF in fiscalCode and a separate shipping address', () => {
		const [base] = nowOrders;
		const returned = beyondOrderFromNow({ ...base, returnedOn: '2026-11-20T10:00:00.000Z' });
		expect(returned.shippingStatus).toBe('RETURNED');
		const withNif = beyondOrderFromNow({
			...base,
			billingAddress: { ...base.billingAddress, vatId: null, fiscalCode: '234567899' },
		});
		expect(withNif.billingAddress.vatId).toBe('234567899');
		const german = nowOrders.find((o) => o.shippingAddress) as (typeof nowOrders)[number];
		const translated = beyondOrderFromNow(german);
		expect(translated.shippingAddress?.street).not.toBe(translated.billingAddress.street);
		expect(translated.taxes.map((t) => [t.taxClass, t.taxRate])).toEqual([
			['REGULAR', 0.23],
			['REDUCED', 0.06],
		]);
	});

	it('keeps 13 % and 6 % apart although both are REDUCED', () => {
		const mixed = nowOrders.find((o) => o.orderNumber === '10234') as (typeof nowOrders)[number];
		const taxes = beyondOrderFromNow(mixed).taxes;
		expect(taxes.map((t) => [t.taxClass, t.taxRate])).toEqual([
			['REGULAR', 0.23],
			['REDUCED', 0.13],
			['REDUCED', 0.06],
		]);
	});

	it('accepts a translated order in addOrder and serves it unchanged', async () => {
		const sandbox = await start({ seed: 'empty' });
		const token = await getToken(sandbox);
		const translated = beyondOrderFromNow(nowOrders[3]);
		const added = sandbox.addOrder(translated);
		expect(added).toEqual(translated);
		const served = await call<BeyondOrder>(sandbox, `/orders/${translated._id}`, { token });
		const { _links, ...rest } = served.body;
		expect(rest).toEqual(translated);
		expect(_links?.self.href).toContain(translated._id);
		expect(() => sandbox.addOrder(translated)).toThrow(/already/);
		const next = sandbox.addOrder();
		expect(next.orderNumber).toBe(String(Number(translated.orderNumber) + 1));
	});
});

describe('Beyond sandbox: faults, rate limit, reset', () => {
	it('injects faults like the other sandboxes', async () => {
		const sandbox = await start();
		const token = await getToken(sandbox);
		sandbox.faults.configure({ rates: { status503: 1 } });
		const unavailable = await call(sandbox, '/orders', { token });
		expect(unavailable.status).toBe(503);
		sandbox.faults.configure({ rates: { status429: 1 }, retryAfterSeconds: 3 });
		const limited = await call(sandbox, '/orders', { token });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('3');
		sandbox.faults.configure({ rates: { reset: 1 } });
		await expect(call(sandbox, '/orders', { token })).rejects.toThrow();
		sandbox.faults.configure({});
		expect((await call(sandbox, '/orders', { token })).status).toBe(200);
		expect(sandbox.requests.map((r) => r.fault)).toEqual([
			'none',
			'status503',
			'status429',
			'reset',
			'none',
		]);
		expect(sandbox.faults.counts.reset).toBe(1);
	});

	it('limits requests per token with 429 and Retry-After', async () => {
		const sandbox = await start({ rateLimit: 2, rateWindowMs: 60000 });
		const token = await getToken(sandbox);
		expect((await call(sandbox, '/orders?size=1', { token })).status).toBe(200);
		expect((await call(sandbox, '/orders?size=1', { token })).status).toBe(200);
		const third = await call(sandbox, '/orders?size=1', { token });
		expect(third.status).toBe(429);
		expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect(third.body.errorId).toBe('too-many-requests');
		sandbox.setRateLimit(100, 60000);
		expect((await call(sandbox, '/orders?size=1', { token })).status).toBe(200);
	});

	it('reset() stops the retries of deliveries that were still pending', async () => {
		const sandbox = await start({ seed: 'empty', retryDelaysMs: [30, 30, 30] });
		const token = await getToken(sandbox);
		const receiver = await startReceiver([500]);
		await subscribe(sandbox, token, receiver.url, ['order.created']);
		sandbox.addOrder();
		while (receiver.received.length === 0) await sleep(5);
		sandbox.reset('empty');
		await sandbox.waitForDeliveries();
		await sleep(120);
		expect(receiver.received).toHaveLength(1);
		expect(sandbox.deliveries).toEqual([]);
	});

	it('reset() restores the seed and forgets tokens, signers, subscriptions and deliveries', async () => {
		const sandbox = await start();
		const token = await getToken(sandbox);
		await subscribe(sandbox, token, 'http://127.0.0.1:9/x', ['order.created']);
		sandbox.addOrder();
		sandbox.reset('empty');
		expect(sandbox.orders).toEqual([]);
		expect(sandbox.signers).toEqual([]);
		expect(sandbox.subscriptions).toEqual([]);
		expect(sandbox.deliveries).toEqual([]);
		expect(sandbox.tokensIssued).toBe(0);
		expect((await call(sandbox, '/orders', { token })).status).toBe(401);
		sandbox.reset();
		expect(sandbox.orders).toHaveLength(loadEPagesFixture().orders.length);
	});
});

// Issue 21, part 4: what BYD-OAS (beyond-api-changelog openapi.yaml) states of pickup orders, order
// events and the cancel, served as strictly as it states it.

interface EventsPage {
	_embedded?: { 'order-events': BeyondOrderEvent[] };
	page: { size: number; totalElements: number; totalPages: number; number: number };
}

describe('Beyond sandbox: pickup orders', () => {
	it('a pickup order has no shipping, a pickupLineItem in its grand total, and no shipping address', async () => {
		const sandbox = await start({ seed: 'empty' });
		const token = await getToken(sandbox);
		const order = sandbox.addOrder({ lines: [{ name: 'Cabaz', unitPrice: 20, taxRate: 23 }], pickup: { name: 'Loja do Chiado', price: 1.5 } });
		expect(order.shippingLineItem).toBeNull();
		expect(order.shippingAddress).toBeNull();
		expect(order.shippingStatus).toBe('NOT_PICKED_UP');
		expect(order.pickupLineItem).toMatchObject({
			pickupOption: { name: 'Loja do Chiado' },
			lineItemPrice: { taxModel: 'GROSS', currency: 'EUR', amount: 1.5 },
			initialLineItemPrice: { amount: 1.5 },
			taxClass: 'REGULAR',
			lineItemTaxes: [{ taxClass: 'REGULAR', taxRate: 0.23, currency: 'EUR', amount: 0.2805 }],
		});
		expect(order.grandTotal.amount).toBe(21.5);
		expect(order.taxes).toEqual([{ taxClass: 'REGULAR', taxRate: 0.23, currency: 'EUR', amount: 4.0203 }]);
		const served = await call<BeyondOrder>(sandbox, `/orders/${order._id}`, { token });
		expect(served.body.pickupLineItem).toEqual(order.pickupLineItem);
		// Orders without one say so, as the real ones do.
		const shipped = sandbox.addOrder();
		expect((await call<BeyondOrder>(sandbox, `/orders/${shipped._id}`, { token })).body.pickupLineItem).toBeNull();
	});

	it('split by rate: one tax entry per rate of the basket, in proportion to the products, adding up to the fee', async () => {
		const sandbox = await start({ seed: 'empty' });
		const order = sandbox.addOrder({
			lines: [
				{ name: 'Vinho', unitPrice: 20, taxRate: 23 },
				{ name: 'Azeite', unitPrice: 5, quantity: 2, taxRate: 6 },
			],
			pickup: { price: 2, splitByRate: true },
		});
		const taxes = order.pickupLineItem?.lineItemTaxes ?? [];
		expect(taxes.map((t) => [t.taxClass, t.taxRate])).toEqual([
			['REGULAR', 0.23],
			['REDUCED', 0.06],
		]);
		// 2/3 of 2.00 at 23 % and 1/3 at 6 %, taxes unrounded.
		expect(taxes[0].amount).toBeCloseTo((2 * (2 / 3) * 0.23) / 1.23, 4);
		expect(taxes[1].amount).toBeCloseTo((2 * (1 / 3) * 0.06) / 1.06, 4);
		expect(order.grandTotal.amount).toBe(32);
		const perRate = order.taxes.map((t) => [t.taxRate, t.amount]);
		expect(perRate[0][1]).toBeCloseTo(((20 + 4 / 3) * 0.23) / 1.23, 4);
		expect(perRate[1][1]).toBeCloseTo(((10 + 2 / 3) * 0.06) / 1.06, 4);
	});
});

describe('Beyond sandbox: order events', () => {
	it('GET /orders/{id}/events needs orde:r, lists newest first with nine-digit times, paged, 404 for an unknown order', async () => {
		const sandbox = await start({ seed: 'empty', scopes: ['ordr:r'] });
		const order = sandbox.addOrder({ createdAt: '2026-11-01T10:00:00.000' });
		sandbox.setPaymentStatus(order._id, 'PAID', { at: '2026-11-02T11:30:00.250', comment: 'Recebido por transferência' });
		const narrow = await getToken(sandbox);
		const refused = await call(sandbox, `/orders/${order._id}/events`, { token: narrow });
		expect(refused.status).toBe(403);
		expect(refused.body).toMatchObject({ error: 'insufficient_scope', scope: 'orde:r' });
		sandbox.scopes = ['ordr:r', 'orde:r'];
		const token = await getToken(sandbox);
		const list = await call<EventsPage>(sandbox, `/orders/${order._id}/events`, { token });
		expect(list.status).toBe(200);
		expect(list.headers.get('content-type')).toContain(HAL);
		const events = list.body._embedded?.['order-events'] ?? [];
		expect(events.map((e) => e.type)).toEqual(['payment-paid', 'payment-created', 'order-created']);
		expect(events[0]).toMatchObject({
			triggeredBy: 'user',
			comment: 'Recebido por transferência',
			createdAt: expect.stringMatching(/^2026-11-02T11:30:00\.250\d{6}$/),
			details: { amount: { currency: 'EUR', amount: order.grandTotal.amount }, paymentProcessId: expect.any(String) },
		});
		expect(events[2].createdAt).toMatch(/^2026-11-01T10:00:00\.000\d{6}$/);
		const paged = await call<EventsPage>(sandbox, `/orders/${order._id}/events?page=1&size=2`, { token });
		expect(paged.body._embedded?.['order-events'].map((e) => e.type)).toEqual(['order-created']);
		expect(paged.body.page).toEqual({ size: 2, totalElements: 3, totalPages: 2, number: 1 });
		expect((await call(sandbox, '/orders/nope/events', { token })).status).toBe(404);
		expect((await call(sandbox, `/orders/${order._id}/events`, { token, method: 'POST', body: {} })).status).toBe(405);
		// An order whose events were taken away: no _embedded at all, as Spring HAL renders an empty list.
		sandbox.orderEvents(order._id).length = 0;
		const empty = await call<EventsPage>(sandbox, `/orders/${order._id}/events`, { token });
		expect(empty.body).not.toHaveProperty('_embedded');
		expect(empty.body.page.totalElements).toBe(0);
	});

	it('records payment-paid when an order becomes PAID (created paid: at paidAt, else its creation), and only then', async () => {
		const sandbox = await start({ seed: 'empty' });
		const prepaid = sandbox.addOrder({ paymentStatus: 'PAID', createdAt: '2026-11-05T08:00:00.000', paidAt: '2026-11-05T08:01:00.000' });
		expect(sandbox.orderEvents(prepaid._id).map((e) => [e.type, e.createdAt.slice(0, 23)])).toEqual([
			['order-created', '2026-11-05T08:00:00.000'],
			['payment-created', '2026-11-05T08:01:00.000'],
			['payment-paid', '2026-11-05T08:01:00.000'],
		]);
		const order = sandbox.addOrder();
		sandbox.setPaymentStatus(order._id, 'PAID', { at: new Date('2026-11-06T09:00:00Z') });
		sandbox.setPaymentStatus(order._id, 'PAID');
		sandbox.setPaymentStatus(order._id, 'PENDING');
		sandbox.setPaymentStatus(order._id, 'PAID', { at: '2026-11-07T09:00:00' });
		expect(sandbox.orderEvents(order._id).map((e) => e.type)).toEqual(['order-created', 'payment-created', 'payment-paid', 'payment-status-updated', 'payment-created', 'payment-paid']);
		expect(sandbox.orderEvents(order._id).filter((e) => e.type === 'payment-paid').map((e) => e.createdAt.slice(0, 19))).toEqual(['2026-11-06T09:00:00', '2026-11-07T09:00:00']);
		expect(() => sandbox.orderEvents('nope')).toThrow(/No order nope/);
	});

	it('a fixture order paid in the Now fixture was paid at its paidOn', async () => {
		const sandbox = await start();
		const nowOrders = loadEPagesFixture().orders;
		const paidNow = nowOrders.filter((o) => o.paidOn);
		expect(paidNow.length).toBeGreaterThan(5);
		for (const now of paidNow) {
			const order = sandbox.orders.find((o) => o.orderNumber === now.orderNumber) as BeyondOrder;
			const paid = sandbox.orderEvents(order._id).filter((e) => e.type === 'payment-paid');
			expect(paid.map((e) => `${e.createdAt.slice(0, 23)}Z`)).toEqual([now.paidOn]);
		}
		const unpaid = sandbox.orders.find((o) => o.paymentStatus !== 'PAID') as BeyondOrder;
		expect(sandbox.orderEvents(unpaid._id).map((e) => e.type)).toEqual(['order-created']);
	});
});

describe('Beyond sandbox: cancel', () => {
	it('needs clpr:c (not ordr:u), takes an optional {"comment"} and keeps it in the order-canceled event', async () => {
		const sandbox = await start({ seed: 'empty', scopes: ['ordr:r', 'ordr:u'] });
		const [a, b] = [sandbox.addOrder(), sandbox.addOrder()];
		const withoutScope = await getToken(sandbox);
		const refused = await call(sandbox, `/orders/${a._id}/cancel`, { method: 'POST', token: withoutScope, body: { comment: 'x' } });
		expect(refused.status).toBe(403);
		expect(refused.body).toMatchObject({ error: 'insufficient_scope', scope: 'clpr:c' });
		expect(a.canceled).toBe(false);
		sandbox.scopes = ['ordr:r', 'clpr:c'];
		const token = await getToken(sandbox);
		const canceled = await call<BeyondOrder>(sandbox, `/orders/${a._id}/cancel`, { method: 'POST', token, body: { comment: 'Cliente desistiu' } });
		expect(canceled.status).toBe(200);
		expect(canceled.body.canceled).toBe(true);
		expect(sandbox.orderEvents(a._id).at(-1)).toMatchObject({ type: 'order-canceled', comment: 'Cliente desistiu', triggeredBy: sandbox.clientId });
		// The body is optional: a cancel without one has no comment.
		const bare = await call(sandbox, `/orders/${b._id}/cancel`, { method: 'POST', token });
		expect(bare.status).toBe(200);
		expect(sandbox.orderEvents(b._id).at(-1)).toMatchObject({ type: 'order-canceled', comment: null });
		expect((await call(sandbox, `/orders/${a._id}/cancel`, { method: 'POST', token, body: { comment: 'again' } })).body).toMatchObject({ errorId: 'order-already-canceled' });
	});

	it('refuses a body that is not the documented {"comment": string}', async () => {
		const sandbox = await start({ seed: 'empty' });
		const token = await getToken(sandbox);
		const order = sandbox.addOrder();
		const post = async (body: unknown, contentType?: string) => await call(sandbox, `/orders/${order._id}/cancel`, { method: 'POST', token, body, contentType });
		expect((await post({ reason: 'x' })).body).toMatchObject({ errorId: 'message-not-readable', details: { fields: ['reason'] } });
		expect((await post({ comment: 5 })).status).toBe(400);
		expect((await post(['x'])).status).toBe(400);
		expect((await post('comment=x', 'application/x-www-form-urlencoded')).status).toBe(415);
		expect(order.canceled).toBe(false);
		expect(sandbox.orderEvents(order._id).map((e) => e.type)).toEqual(['order-created']);
	});
});
