/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code; never shipped */
import {
	EPAGES_STATUS_FILTERS,
	loadEPagesFixture,
	recomputeTotals,
	startEPagesSandbox,
	type EPagesCustomer,
	type EPagesDocument,
	type EPagesOrder,
	type EPagesOrderSummary,
	type EPagesProduct,
	type EPagesSandbox,
	type EPagesSandboxOptions,
	type EPagesTaxClass,
} from '../sandbox/epages';

/** The clock of the seed: the day after the newest seeded order. */
const NOW = new Date('2026-11-28T12:00:00.000Z');
const NO_ORDERS_TOKEN = 'ep-test-token-catalogue-only';
const READ_ONLY_TOKEN = 'ep-test-token-orders-read-only';
const ADMIN_TOKEN = 'ep-test-token-with-products-write';
const VND = 'application/vnd.epages.v1+json';

interface Page<T> {
	results: number;
	page: number;
	resultsPerPage: number;
	items: T[];
}

interface Reply<T> {
	status: number;
	headers: Headers;
	body: T;
	text: string;
}

interface CallOptions {
	method?: string;
	/** null: no Authorization header. */
	token?: string | null;
	/** null: no Accept header. */
	accept?: string | null;
	contentType?: string;
	body?: unknown;
	signal?: AbortSignal;
}

function startOpts(extra: EPagesSandboxOptions = {}): EPagesSandboxOptions {
	return {
		now: () => NOW,
		extraTokens: {
			[NO_ORDERS_TOKEN]: ['products_read', 'customers_read'],
			[READ_ONLY_TOKEN]: ['orders_read'],
			[ADMIN_TOKEN]: ['products_read', 'products_write'],
		},
		...extra,
	};
}

async function call<T = unknown>(
	sandbox: EPagesSandbox,
	path: string,
	opts: CallOptions = {},
): Promise<Reply<T>> {
	const headers: Record<string, string> = {};
	const token = opts.token === undefined ? sandbox.token : opts.token;
	if (token !== null) headers.Authorization = `Bearer ${token}`;
	if (opts.accept !== null) headers.Accept = opts.accept ?? VND;
	if (opts.contentType) headers['Content-Type'] = opts.contentType;
	const res = await fetch(`${sandbox.apiUrl}${path}`, {
		method: opts.method ?? 'GET',
		headers,
		body:
			opts.body === undefined
				? undefined
				: typeof opts.body === 'string'
					? opts.body
					: JSON.stringify(opts.body),
		signal: opts.signal,
	});
	const text = await res.text();
	let body: unknown = text;
	try {
		body = JSON.parse(text);
	} catch {
		// HTML error pages stay text.
	}
	return { status: res.status, headers: res.headers, body: body as T, text };
}

function patch(sandbox: EPagesSandbox, orderId: string, ops: unknown, opts: CallOptions = {}) {
	return call<EPagesOrder & { message?: string }>(sandbox, `/orders/${orderId}`, {
		method: 'PATCH',
		contentType: 'application/json-patch+json',
		body: ops,
		...opts,
	});
}

function byNumber(sandbox: EPagesSandbox, orderNumber: string): EPagesOrder {
	const order = sandbox.orders.find((o) => o.orderNumber === orderNumber);
	if (!order) throw new Error(`no order ${orderNumber}`);
	return order;
}

const cents = (amount: number) => Math.round(amount * 100);

/**
 * Re-derives every amount of an order from its lines, shipping and payment, independently of the
 * sandbox's own arithmetic, and returns what does not add up to the cent.
 */
function totalsProblems(order: EPagesOrder): string[] {
	const problems: string[] = [];
	const expectPrice = (
		label: string,
		price: { amount: number; formatted: string },
		want: number,
	) => {
		if (cents(price.amount) !== want) problems.push(`${label}: ${price.amount} != ${want / 100}`);
		if (price.formatted !== `${(want / 100).toFixed(2)} €`) {
			problems.push(`${label}: formatted ${price.formatted}`);
		}
	};
	const gross = order.taxModel === 'GROSS';
	const container = order.lineItemContainer;
	const perRate = new Map<number, number>();
	const addRate = (rate: number, amount: number) =>
		perRate.set(rate, (perRate.get(rate) ?? 0) + amount);
	let subTotal = 0;
	let discounts = 0;
	for (const line of container.productLineItems) {
		const linePrice = cents(line.lineItemPrice.amount);
		const expected = Math.round(cents(line.singleItemPrice.amount) * line.quantity.amount);
		if (linePrice !== expected) problems.push(`${line.sku}: line ${linePrice} != ${expected}`);
		const discount = cents(line.lineItemCouponDiscount?.amount ?? 0);
		subTotal += linePrice;
		discounts += discount;
		addRate(line.taxClass.percentage, linePrice - discount);
	}
	const coupon = cents(container.couponLineItem?.lineItemPrice.amount ?? 0);
	if (coupon > 0) problems.push('coupon amount must be negative');
	if (discounts !== -coupon) problems.push(`line discounts ${discounts} != coupon ${-coupon}`);
	const shipping = cents(order.shippingData?.price.amount ?? 0);
	addRate(order.shippingData?.taxes?.[0]?.taxClass.percentage ?? 0, shipping);
	const fee = cents(order.paymentData?.price.amount ?? 0);
	if (fee !== 0) addRate(order.paymentData?.taxes?.[0]?.taxClass.percentage ?? 0, fee);
	let tax = 0;
	for (const [rate, amount] of perRate) {
		tax += rate === 0 ? 0 : Math.round((amount * rate) / (gross ? 100 + rate : 100));
	}
	const base = subTotal + coupon + shipping + fee;
	const grand = gross ? base : base + tax;
	const before = grand - tax;
	expectPrice('lineItemsSubTotal', container.lineItemsSubTotal, subTotal);
	expectPrice('shippingPrice', container.shippingPrice, shipping);
	expectPrice('grandTotal', container.grandTotal, grand);
	expectPrice('totalTax', container.totalTax, tax);
	expectPrice('totalBeforeTax', container.totalBeforeTax, before);
	for (const [field, want] of [
		['grandTotal', grand],
		['totalTax', tax],
		['totalBeforeTax', before],
	] as const) {
		if (typeof order[field] !== 'string') problems.push(`${field} is not a string`);
		if (cents(Number(order[field])) !== want)
			problems.push(`top-level ${field} ${order[field]} != ${want / 100}`);
	}
	if (container.grandTotal.taxType !== 'GROSS') problems.push('grandTotal taxType');
	if (container.totalBeforeTax.taxType !== 'NET') problems.push('totalBeforeTax taxType');
	if (container.totalTax.taxType !== 'NONE') problems.push('totalTax taxType');
	return problems.map((p) => `${order.orderNumber}: ${p}`);
}

/** Portuguese NIF: 9 digits, mod-11 check digit (10 and 11 give 0). */
function validNif(value: string): boolean {
	if (!/^\d{9}$/.test(value)) return false;
	const digits = value.split('').map(Number);
	const sum = digits.slice(0, 8).reduce((acc, d, i) => acc + d * (9 - i), 0);
	const check = 11 - (sum % 11);
	return (check >= 10 ? 0 : check) === digits[8];
}

describe('ePages seed shop fixture', () => {
	const fixture = loadEPagesFixture();
	const orders = fixture.orders;
	const customerOf = (o: EPagesOrder) =>
		fixture.customers.find((c) => c.customerId === o.customerId);

	it('has totals that add up to the cent on every order', () => {
		expect(orders.flatMap(totalsProblems)).toEqual([]);
	});

	it('agrees with the sandbox arithmetic used for added orders', () => {
		for (const order of orders) {
			const copy = JSON.parse(JSON.stringify(order)) as EPagesOrder;
			recomputeTotals(copy);
			expect(copy).toEqual(order);
		}
	});

	it('is a realistic Portuguese shop with the traps an invoicing node must handle', () => {
		expect(orders.length).toBeGreaterThanOrEqual(12);
		expect(new Set(orders.map((o) => o.currencyId))).toEqual(new Set(['EUR']));
		expect(new Set(orders.map((o) => o.orderNumber)).size).toBe(orders.length);
		for (const o of orders) {
			expect(o.creationDate >= '2026-10-29T00:00:00.000Z').toBe(true);
			expect(o.creationDate < '2026-11-28T00:00:00.000Z').toBe(true);
			expect(o.orderId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
		}

		const net = orders.filter((o) => o.taxModel === 'NET');
		expect(net).toHaveLength(1);
		expect(net[0].billingAddress.vatId).toBe('ESB12345674');
		expect(net[0].billingAddress.country).toBe('ES');
		expect(net[0].billingAddress.company).toBeTruthy();

		const rates = new Set(
			orders.flatMap((o) => o.lineItemContainer.productLineItems.map((l) => l.taxClass.percentage)),
		);
		expect([...rates].sort((a, b) => a - b)).toEqual([0, 6, 13, 23]);

		const couponOrders = orders.filter((o) => o.lineItemContainer.couponLineItem);
		expect(couponOrders).toHaveLength(1);
		const couponRates = new Set(
			couponOrders[0].lineItemContainer.productLineItems.map((l) => l.taxClass.percentage),
		);
		expect(couponRates.size).toBeGreaterThan(1);
		expect(
			couponOrders[0].lineItemContainer.productLineItems.every((l) => l.lineItemCouponDiscount),
		).toBe(true);

		expect(orders.filter((o) => o.shippingData?.price.amount === 0)).toHaveLength(1);
		const taxedShipping = orders.filter((o) => (o.shippingData?.price.amount ?? 0) > 0);
		expect(taxedShipping.some((o) => o.shippingData?.taxes?.[0]?.taxClass.percentage === 23)).toBe(
			true,
		);
		expect(orders.filter((o) => (o.paymentData?.price.amount ?? 0) > 0)).toHaveLength(1);

		const perCustomer = new Map<string, number>();
		for (const o of orders) {
			if (o.customerId) perCustomer.set(o.customerId, (perCustomer.get(o.customerId) ?? 0) + 1);
		}
		expect(Math.max(...perCustomer.values())).toBe(3);

		const company = orders.find(
			(o) => o.billingAddress.company && o.billingAddress.country === 'PT',
		);
		expect(company && validNif(String(company.billingAddress.vatId))).toBe(true);
		const fiscal = orders.find((o) => o.billingAddress.fiscalCode);
		expect(fiscal && validNif(String(fiscal.billingAddress.fiscalCode))).toBe(true);
		expect(orders.some((o) => o.billingAddress.emailAddress === null)).toBe(true);
		expect(
			orders.some((o) =>
				/[^\x20-\x7e]/.test(`${o.billingAddress.firstName}${o.billingAddress.lastName}`),
			),
		).toBe(true);
		expect(
			orders.some((o) =>
				o.lineItemContainer.productLineItems.some((l) => !Number.isInteger(l.quantity.amount)),
			),
		).toBe(true);
		expect(new Set(orders.map((o) => o.billingAddress.country))).toEqual(
			new Set(['PT', 'ES', 'FR', 'DE']),
		);
		expect(orders.some((o) => o.paidOn) && orders.some((o) => !o.paidOn)).toBe(true);
		expect(orders.some((o) => o.customerId === null)).toBe(true);
		expect(orders.filter((o) => customerOf(o)).length).toBeGreaterThan(10);
	});

	it('contains the 1-cent rounding trap (3 x 3.33 gross at 23 %)', () => {
		const trap = orders.find((o) =>
			o.lineItemContainer.productLineItems.some(
				(l) =>
					l.quantity.amount === 3 &&
					l.singleItemPrice.amount === 3.33 &&
					l.taxClass.percentage === 23,
			),
		);
		expect(trap).toBeDefined();
		const line = trap!.lineItemContainer.productLineItems[0];
		const netPerUnitTimesThree = Math.round((333 * 100) / 123) * 3;
		const netOfLine = 999 - Math.round((999 * 23) / 123);
		expect(netPerUnitTimesThree - netOfLine).toBe(1);
		expect(line.lineItemPrice.amount).toBe(9.99);
	});
});

describe('ePages sandbox', () => {
	let sb: EPagesSandbox;

	beforeAll(async () => {
		sb = await startEPagesSandbox(startOpts());
	});
	afterAll(async () => {
		await sb.close();
	});
	beforeEach(() => {
		sb.reset();
		sb.faults.configure({});
		sb.setRateLimit(6000, 3600000);
	});

	describe('auth, shop and content negotiation', () => {
		it('answers 401 with a Jetty HTML page without or with a wrong token', async () => {
			for (const token of [null, 'not-a-token']) {
				const r = await call(sb, '/orders', { token });
				expect(r.status).toBe(401);
				expect(r.headers.get('content-type')).toMatch(/^text\/html/);
				expect(
					r.text.startsWith(
						'<html><head><title>Error 401 Unauthorized</title></head><body><h2>HTTP ERROR 401</h2>',
					),
				).toBe(true);
			}
		});

		it('answers 403 JSON when the token lacks the scope of the endpoint', async () => {
			let r = await call(sb, '/orders', { token: NO_ORDERS_TOKEN });
			expect(r.status).toBe(403);
			expect(r.body).toEqual({ error: 'Forbidden', message: 'Missing scope orders_read' });
			r = await call(sb, '', { token: READ_ONLY_TOKEN });
			expect(r.status).toBe(403);
			expect(r.body).toEqual({ error: 'Forbidden', message: 'Missing scope products_read' });
			r = await call(sb, '/customers', { token: READ_ONLY_TOKEN });
			expect(r.body).toEqual({ error: 'Forbidden', message: 'Missing scope customers_read' });
			r = await patch(
				sb,
				sb.orders[0].orderId,
				[{ op: 'add', path: '/internalNote', value: 'x' }],
				{
					token: READ_ONLY_TOKEN,
				},
			);
			expect(r.status).toBe(403);
			expect(r.body).toEqual({ error: 'Forbidden', message: 'Missing scope orders_write' });
			expect((await call(sb, '/orders', { token: READ_ONLY_TOKEN })).status).toBe(200);
		});

		it('answers 404 HTML for another shop id and for unknown routes', async () => {
			const res = await fetch(`${sb.url}/rs/shops/OtherShop/orders`, {
				headers: { Authorization: `Bearer ${sb.token}` },
			});
			expect(res.status).toBe(404);
			expect(await res.text()).toContain('<h2>HTTP ERROR 404</h2>');
			for (const path of ['/webhooks', '/orders/x/events', '/tax-model/1']) {
				const r = await call(sb, path);
				expect(r.status).toBe(404);
				expect(r.text).toContain('HTTP ERROR 404');
			}
			const r = await call(sb, `/orders/${sb.orders[0].orderId}`, { method: 'DELETE' });
			expect(r.status).toBe(405);
			expect(r.headers.get('allow')).toBe('GET, PATCH');
		});

		it('negotiates the media type and rejects another API version with 406', async () => {
			let r = await call(sb, '/orders', { accept: 'application/vnd.epages.v2+json' });
			expect(r.status).toBe(406);
			expect(r.text).toContain('HTTP ERROR 406');
			r = await call(sb, '/orders', { accept: 'text/html' });
			expect(r.status).toBe(406);
			r = await call(sb, '/orders', { accept: null });
			expect(r.status).toBe(200);
			expect(r.headers.get('content-type')).toBe('application/json;charset=UTF-8');
			r = await call(sb, '/orders', { accept: '*/*' });
			expect(r.status).toBe(200);
			r = await call(sb, '/orders', { accept: 'application/json' });
			expect(r.status).toBe(200);
			r = await call(sb, '/orders');
			expect(r.headers.get('content-type')).toBe(`${VND};charset=UTF-8`);
		});

		it('serves the shop info (credential test endpoint)', async () => {
			const r = await call<Record<string, unknown>>(sb, '');
			expect(r.status).toBe(200);
			expect(Object.keys(r.body).sort()).toEqual(
				['countryCode2', 'email', 'isInEU', 'logoUrl', 'mboUrl', 'name', 'sfUrl', 'slogan'].sort(),
			);
			expect(r.body.countryCode2).toBe('PT');
			expect(r.body.isInEU).toBe(true);
			expect(sb.apiUrl).toBe(`${sb.url}/rs/shops/DemoShop`);
		});
	});

	describe('GET /orders', () => {
		it('pages with the documented envelope and caps resultsPerPage at 100', async () => {
			let r = await call<Page<EPagesOrderSummary>>(sb, '/orders');
			expect(r.body).toMatchObject({ results: 12, page: 1, resultsPerPage: 10 });
			expect(r.body.items).toHaveLength(10);
			r = await call(sb, '/orders?page=2');
			expect(r.body).toMatchObject({ results: 12, page: 2, resultsPerPage: 10 });
			expect(r.body.items).toHaveLength(2);
			r = await call(sb, '/orders?page=3');
			expect(r.body.items).toHaveLength(0);
			r = await call(sb, '/orders?resultsPerPage=100');
			expect(r.body.items).toHaveLength(12);

			for (const query of ['resultsPerPage=101', 'resultsPerPage=0', 'page=0', 'page=abc']) {
				const bad = await call<{ message: string; status: string }>(sb, `/orders?${query}`);
				expect(bad.status).toBe(400);
				expect(bad.body.status).toBe('400');
				expect(typeof bad.body.message).toBe('string');
			}
		});

		it('lists orders without lineItemContainer; the detail has it', async () => {
			const list = await call<Page<EPagesOrderSummary>>(sb, '/orders?resultsPerPage=100');
			for (const item of list.body.items) {
				expect(item).not.toHaveProperty('lineItemContainer');
				expect(typeof item.grandTotal).toBe('string');
				expect(item.links?.[0]).toEqual({
					rel: 'self',
					href: `${sb.apiUrl}/orders/${item.orderId}`,
				});
			}
			const id = list.body.items[0].orderId;
			const detail = await call<EPagesOrder>(sb, `/orders/${id}`);
			expect(detail.status).toBe(200);
			expect(detail.body.lineItemContainer.productLineItems.length).toBeGreaterThan(0);
			expect(detail.body.lineItemContainer.productLineItems[0].links?.map((l) => l.rel)).toEqual([
				'product',
				'taxClass',
			]);
			const { lineItemContainer, ...rest } = detail.body;
			expect(lineItemContainer).toBeDefined();
			expect(rest).toEqual(list.body.items[0]);

			const missing = await call<{ status: string }>(
				sb,
				'/orders/00000000-0000-0000-0000-000000000000',
			);
			expect(missing.status).toBe(404);
			expect(missing.body.status).toBe('404');
		});

		it('sorts newest first with ties broken by orderId, or by lastUpdatedOnDate on request', async () => {
			const tieDate = '2026-11-28T10:00:00.000Z';
			const a = sb.addOrder({}, { creationDate: tieDate });
			const b = sb.addOrder({}, { creationDate: tieDate });
			const r = await call<Page<EPagesOrderSummary>>(sb, '/orders?resultsPerPage=100');
			const dates = r.body.items.map((o) => o.creationDate);
			expect([...dates].sort().reverse()).toEqual(dates);
			expect(r.body.items.slice(0, 2).map((o) => o.orderId)).toEqual([a.orderId, b.orderId].sort());
			expect(r.body.items[2].orderNumber).toBe('10242');

			const oldest = byNumber(sb, '10231');
			sb.updateOrder(oldest.orderId, {
				shippingAddress: {
					firstName: 'João',
					lastName: 'Conceição',
					city: 'Sintra',
					country: 'PT',
				},
			});
			const byUpdate = await call<Page<EPagesOrderSummary>>(
				sb,
				'/orders?lastUpdated=true&resultsPerPage=100',
			);
			expect(byUpdate.body.items[0].orderId).toBe(oldest.orderId);
			const updated = byUpdate.body.items.map((o) => o.lastUpdatedOnDate ?? '');
			expect([...updated].sort().reverse()).toEqual(updated);
		});

		it.each(EPAGES_STATUS_FILTERS.map((flag) => [flag]))(
			'filters by %s=true/false',
			async (flag) => {
				const set = await call<Page<EPagesOrderSummary>>(
					sb,
					`/orders?${flag}=true&resultsPerPage=100`,
				);
				const unset = await call<Page<EPagesOrderSummary>>(
					sb,
					`/orders?${flag}=false&resultsPerPage=100`,
				);
				expect(set.status).toBe(200);
				expect(set.body.items.every((o) => o[flag] !== null)).toBe(true);
				expect(unset.body.items.every((o) => o[flag] === null)).toBe(true);
				expect(set.body.results + unset.body.results).toBe(12);
				expect(set.body.results).toBe(sb.orders.filter((o) => o[flag] !== null).length);
			},
		);

		it('combines status filters and rejects a non-boolean value', async () => {
			let r = await call<Page<EPagesOrderSummary>>(sb, '/orders?paidOn=false&resultsPerPage=100');
			expect(r.body.items.map((o) => o.orderNumber).sort()).toEqual(['10235', '10240', '10241']);
			r = await call(
				sb,
				'/orders?paidOn=true&invoicedOn=false&rejectedOn=false&resultsPerPage=100',
			);
			expect(r.body.items.map((o) => o.orderNumber).sort()).toEqual([
				'10233',
				'10234',
				'10236',
				'10238',
				'10239',
				'10242',
			]);
			const bad = await call(sb, '/orders?paidOn=yes');
			expect(bad.status).toBe(400);
			// Not a documented filter: ignored, as the shop ignores unknown parameters.
			r = await call(sb, '/orders?inProcessOn=true&updatedAfter=2030-01-01');
			expect(r.body.results).toBe(12);
		});

		it('filters by customerId, productId and currency', async () => {
			const joao = byNumber(sb, '10231').customerId!;
			let r = await call<Page<EPagesOrderSummary>>(sb, `/orders?customerId=${joao}`);
			expect(r.body.items.map((o) => o.orderNumber).sort()).toEqual(['10231', '10234', '10239']);
			const soap = sb.orders
				.flatMap((o) => o.lineItemContainer.productLineItems)
				.find((l) => l.sku === 'SB-LAV')!.productId;
			r = await call(sb, `/orders?productId=${soap}`);
			expect(r.body.items.map((o) => o.orderNumber).sort()).toEqual(['10236', '10237']);
			r = await call(sb, '/orders?currency=EUR');
			expect(r.body.results).toBe(12);
			r = await call(sb, '/orders?currency=USD');
			expect(r.body.results).toBe(0);
		});

		it('treats createdAfter as inclusive and createdBefore as exclusive', async () => {
			const pivot = byNumber(sb, '10237').creationDate;
			const after = await call<Page<EPagesOrderSummary>>(
				sb,
				`/orders?createdAfter=${pivot}&resultsPerPage=100`,
			);
			expect(after.body.items.map((o) => o.orderNumber).sort()).toEqual([
				'10237',
				'10238',
				'10239',
				'10240',
				'10241',
				'10242',
			]);
			const before = await call<Page<EPagesOrderSummary>>(
				sb,
				`/orders?createdAfter=2026-10-01T00:00:00Z&createdBefore=${pivot}&resultsPerPage=100`,
			);
			expect(before.body.results).toBe(6);
			expect(before.body.items.map((o) => o.orderNumber)).not.toContain('10237');
			const window = await call<Page<EPagesOrderSummary>>(
				sb,
				'/orders?createdAfter=2026-11-01&createdBefore=2026-11-05',
			);
			expect(window.body.items.map((o) => o.orderNumber).sort()).toEqual(['10233', '10234']);
		});

		it('rejects a created window over 1 year and malformed dates', async () => {
			const message = {
				message: 'The maximum time frame for displaying orders is 1 year',
				status: '400',
			};
			let r = await call(
				sb,
				'/orders?createdAfter=2025-01-01T00:00:00Z&createdBefore=2026-11-01T00:00:00Z',
			);
			expect(r.status).toBe(400);
			expect(r.body).toEqual(message);
			// Without createdBefore the window runs to now (2026-11-28).
			r = await call(sb, '/orders?createdAfter=2025-11-27T00:00:00Z');
			expect(r.body).toEqual(message);
			r = await call(sb, '/orders?createdAfter=2025-11-29T00:00:00Z');
			expect(r.status).toBe(200);
			r = await call(
				sb,
				'/orders?createdAfter=2025-06-01T00:00:00Z&createdBefore=2026-06-01T00:00:00Z',
			);
			expect(r.status).toBe(200);
			for (const bad of [
				'createdAfter=yesterday',
				'createdBefore=28.11.2026',
				'updatedFrom=1700000000',
			]) {
				r = await call(sb, `/orders?${bad}`);
				expect(r.status).toBe(400);
			}
		});

		it('filters updatedFrom on lastUpdatedOnDate (>=), which status changes do not move', async () => {
			const from = '2026-11-07T10:41:22.000Z';
			let r = await call<Page<EPagesOrderSummary>>(
				sb,
				`/orders?updatedFrom=${from}&resultsPerPage=100`,
			);
			const numbers = r.body.items.map((o) => o.orderNumber);
			expect(numbers).toContain('10235');
			expect(numbers).not.toContain('10234');
			expect(r.body.results).toBe(
				sb.orders.filter((o) => (o.lastUpdatedOnDate ?? '') >= from).length,
			);

			const old = byNumber(sb, '10232');
			sb.setStatus(old.orderId, 'dispatchedOn', '2026-11-28T09:00:00.000Z');
			r = await call(sb, `/orders?updatedFrom=2026-11-28T00:00:00Z`);
			expect(r.body.results).toBe(0);
			sb.updateOrder(old.orderId, {
				billingAddress: { ...old.billingAddress, street: 'Rua Nova 1' },
			});
			r = await call(sb, `/orders?updatedFrom=2026-11-28T00:00:00Z`);
			expect(r.body.items.map((o) => o.orderId)).toEqual([old.orderId]);
			expect(r.body.items[0].lastUpdatedOnDate).toBe(NOW.toISOString());
		});
	});

	describe('PATCH /orders/{orderId}', () => {
		it('requires application/json-patch+json (415)', async () => {
			const id = sb.orders[0].orderId;
			const r = await patch(sb, id, [{ op: 'add', path: '/internalNote', value: 'x' }], {
				contentType: 'application/json',
			});
			expect(r.status).toBe(415);
			expect(r.text).toContain('HTTP ERROR 415');
			const ok = await patch(sb, id, [{ op: 'add', path: '/internalNote', value: 'x' }], {
				contentType: 'application/json-patch+json; charset=utf-8',
			});
			expect(ok.status).toBe(200);
		});

		it('accepts only add/remove on the documented paths, atomically', async () => {
			const order = byNumber(sb, '10242');
			const cases: unknown[] = [
				[{ op: 'replace', path: '/internalNote', value: 'x' }],
				[{ op: 'add', path: '/grandTotal', value: '1' }],
				[{ op: 'remove', path: '/billingAddress' }],
				[{ op: 'remove', path: '/orderNumber' }],
				[{ op: 'add', path: '/paidOn', value: 'today' }],
				[{ op: 'add', path: '/internalNote' }],
				{ op: 'add', path: '/internalNote', value: 'not an array' },
				'not json',
				[
					{ op: 'add', path: '/internalNote', value: 'first' },
					{ op: 'move', path: '/paidOn', from: '/viewedOn' },
				],
			];
			for (const body of cases) {
				const r = await patch(sb, order.orderId, body);
				expect([r.status, body]).toEqual([400, body]);
				expect(r.body.message).toEqual(expect.any(String));
			}
			expect(order.internalNote).toBeNull();
		});

		it('sets notes and status dates without moving lastUpdatedOnDate and returns the full order', async () => {
			const order = byNumber(sb, '10241');
			const lastUpdated = order.lastUpdatedOnDate;
			const r = await patch(sb, order.orderId, [
				{ op: 'add', path: '/internalNote', value: 'Fatura FT 2026/123 emitida' },
				{ op: 'add', path: '/paidOn', value: '2026-11-28T11:00:00Z' },
				{ op: 'add', path: '/invoicedOn', value: '2026-11-28T11:05:00.000Z' },
				{ op: 'remove', path: '/viewedOn' },
			]);
			expect(r.status).toBe(200);
			expect(r.body.lineItemContainer.productLineItems.length).toBeGreaterThan(0);
			expect(r.body.internalNote).toBe('Fatura FT 2026/123 emitida');
			expect(r.body.paidOn).toBe('2026-11-28T11:00:00.000Z');
			expect(r.body.viewedOn).toBeNull();
			expect(r.body.lastUpdatedOnDate).toBe(lastUpdated);
			expect(order.paidOn).toBe('2026-11-28T11:00:00.000Z');
			const paid = await call<Page<EPagesOrderSummary>>(
				sb,
				'/orders?paidOn=false&resultsPerPage=100',
			);
			expect(paid.body.items.map((o) => o.orderNumber)).not.toContain('10241');
			const docs = await call<Page<EPagesDocument>>(sb, `/orders/${order.orderId}/documents`);
			expect(docs.body.items.map((d) => [d.documentType, d.documentNumber])).toEqual([
				['Invoice', '5004'],
			]);
		});

		it('moves lastUpdatedOnDate on an address change and recomputes totals when payment is removed', async () => {
			const order = byNumber(sb, '10236');
			expect(order.grandTotal).toBe('31.81');
			let r = await patch(sb, order.orderId, [
				{
					op: 'add',
					path: '/billingAddress',
					value: { firstName: 'Ana Sofia', lastName: 'Magalhães', city: 'Coimbra', country: 'PT' },
				},
			]);
			expect(r.status).toBe(200);
			expect(r.body.lastUpdatedOnDate).toBe(NOW.toISOString());
			expect(r.body.billingAddress.emailAddress).toBeNull();
			r = await patch(sb, order.orderId, [{ op: 'add', path: '/payment', value: null }]);
			expect(r.body.paymentData).toBeNull();
			expect(r.body.grandTotal).toBe('29.81');
			expect(totalsProblems(order)).toEqual([]);
		});

		it('answers 409 while the order is in edit mode', async () => {
			const order = byNumber(sb, '10240');
			sb.setEditMode(order.orderId, true);
			const op = [{ op: 'add', path: '/internalNote', value: 'x' }];
			let r = await patch(sb, order.orderId, op);
			expect(r.status).toBe(409);
			expect(r.body).toMatchObject({ status: '409' });
			expect(order.internalNote).toBe('Cliente cancelou por e-mail.');
			expect((await call(sb, `/orders/${order.orderId}`)).status).toBe(200);
			sb.setEditMode(order.orderId, false);
			r = await patch(sb, order.orderId, op);
			expect(r.status).toBe(200);
			expect(() => sb.setEditMode('nope', true)).toThrow();
		});

		it('answers 404 for an unknown order', async () => {
			const r = await patch(sb, 'nope', [{ op: 'add', path: '/internalNote', value: 'x' }]);
			expect(r.status).toBe(404);
		});
	});

	describe('GET /orders/{orderId}/documents', () => {
		it('lists an Invoice for invoiced orders, with the PDF on request', async () => {
			const invoiced = byNumber(sb, '10231');
			let r = await call<Page<EPagesDocument>>(sb, `/orders/${invoiced.orderId}/documents`);
			expect(r.status).toBe(200);
			expect(r.body).toMatchObject({ results: 1, page: 1, resultsPerPage: 10 });
			const doc = r.body.items[0];
			expect(doc).toMatchObject({
				orderId: invoiced.orderId,
				documentType: 'Invoice',
				documentNumber: '5001',
				issueDate: invoiced.invoicedOn,
				creationDate: invoiced.invoicedOn,
			});
			expect(doc.address.lastName).toBe('Conceição');
			expect(doc.lineItemContainer.grandTotal.amount).toBe(55.6);
			expect(doc).not.toHaveProperty('documentPdf');

			r = await call(sb, `/orders/${invoiced.orderId}/documents?includePdf=true`);
			const pdf = Buffer.from(r.body.items[0].documentPdf!, 'base64').toString('latin1');
			expect(pdf.startsWith('%PDF-1.4')).toBe(true);
			expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
			expect(pdf).toContain('Invoice 5001');

			const numbers = await Promise.all(
				['10232', '10237'].map(async (n) => {
					const d = await call<Page<EPagesDocument>>(
						sb,
						`/orders/${byNumber(sb, n).orderId}/documents`,
					);
					return d.body.items[0].documentNumber;
				}),
			);
			expect(numbers).toEqual(['5002', '5003']);

			const open = await call<Page<EPagesDocument>>(
				sb,
				`/orders/${byNumber(sb, '10242').orderId}/documents`,
			);
			expect(open.body).toEqual({ results: 0, page: 1, resultsPerPage: 10, items: [] });
			expect((await call(sb, `/orders/${invoiced.orderId}/documents?includePdf=1`)).status).toBe(
				400,
			);
			expect(
				(await call(sb, `/orders/${invoiced.orderId}/documents`, { token: NO_ORDERS_TOKEN }))
					.status,
			).toBe(403);
		});
	});

	describe('customers, products, tax classes', () => {
		it('pages customers and serves one by id', async () => {
			const r = await call<Page<EPagesCustomer>>(sb, '/customers?resultsPerPage=5');
			expect(r.body).toMatchObject({ results: 8, page: 1, resultsPerPage: 5 });
			expect(r.body.items).toHaveLength(5);
			const first = r.body.items[0];
			expect(first.links).toEqual([
				{ rel: 'self', href: `${sb.apiUrl}/customers/${first.customerId}` },
				{ rel: 'orders', href: `${sb.apiUrl}/orders?customerId=${first.customerId}` },
			]);
			const one = await call<EPagesCustomer>(sb, `/customers/${first.customerId}`);
			expect(one.body.billingAddress.lastName).toBe('Conceição');
			expect((await call(sb, '/customers/nope')).status).toBe(404);
		});

		it('searches and sorts products', async () => {
			let r = await call<Page<EPagesProduct>>(sb, '/products?resultsPerPage=100');
			expect(r.body.results).toBe(11);
			expect(r.body.items.every((p) => p.visible)).toBe(true);
			r = await call(sb, '/products?q=AZEITE');
			expect(r.body.items.map((p) => p.productNumber)).toEqual(['AZ-500', 'SD-120']);
			r = await call(sb, '/products?q=trás-os');
			expect(r.body.items.map((p) => p.productNumber)).toEqual(['AZ-500']);
			r = await call(sb, '/products?q=sb-lav');
			expect(r.body.items.map((p) => p.name)).toEqual(['Sabonete artesanal de lavanda 100 g']);
			r = await call(sb, '/products?q=vinho&sort=price&direction=desc');
			expect(r.body.items.map((p) => p.productNumber)).toEqual(['VP-T10', 'VV-ALV']);
			r = await call(sb, '/products?sort=price&resultsPerPage=100');
			const prices = r.body.items.map((p) => p.priceInfo.price.amount);
			expect([...prices].sort((a, b) => a - b)).toEqual(prices);
			r = await call(sb, '/products?sort=name&direction=desc&resultsPerPage=100');
			const names = r.body.items.map((p) => p.name);
			expect([...names].sort((a, b) => b.localeCompare(a, 'pt-PT'))).toEqual(names);
			expect((await call(sb, '/products?sort=stock')).status).toBe(400);
			expect((await call(sb, '/products?direction=up')).status).toBe(400);

			const one = await call<EPagesProduct>(sb, `/products/${r.body.items[0].productId}`);
			expect(one.body.priceInfo.taxClass.percentage).toEqual(expect.any(Number));
			expect((await call(sb, '/products/nope')).status).toBe(404);
		});

		it('needs products_write to include invisible products', async () => {
			expect((await call(sb, '/products?includeInvisible=true')).status).toBe(403);
			const r = await call<Page<EPagesProduct>>(sb, '/products?includeInvisible=true', {
				token: ADMIN_TOKEN,
			});
			expect(r.body.results).toBe(12);
		});

		it('serves tax classes and the tax model', async () => {
			const r = await call<Page<EPagesTaxClass>>(sb, '/tax-classes');
			expect(r.body.items.map((t) => t.percentage)).toEqual([23, 13, 6, 0]);
			const one = await call<EPagesTaxClass>(sb, `/tax-classes/${r.body.items[1].taxClassId}`);
			expect(one.body.name).toBe('Intermédia');
			const model = await call(sb, '/tax-model');
			expect(model.body).toEqual({
				model: 'gross',
				displayTaxes: true,
				noTaxesMessage: null,
				countryCode2: 'PT',
			});
		});
	});

	describe('rate limit', () => {
		it('sends the X-RateLimit headers on every answer', async () => {
			const before = Date.now();
			const replies = [
				await call(sb, '/orders'),
				await call(sb, '/orders'),
				await call(sb, '/nope'),
			];
			const remaining = replies.map((r) => Number(r.headers.get('x-ratelimit-remaining')));
			expect(remaining).toEqual([5999, 5998, 5997]);
			for (const r of replies) {
				expect(r.headers.get('x-ratelimit-limit')).toBe('6000');
				const reset = Date.parse(r.headers.get('x-ratelimit-reset') ?? '');
				expect(r.headers.get('x-ratelimit-reset')).toMatch(
					/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
				);
				expect(reset).toBeGreaterThan(before);
				expect(reset).toBeLessThanOrEqual(Date.now() + 3600000);
			}
			const unauthorized = await call(sb, '/orders', { token: null });
			expect(unauthorized.headers.get('x-ratelimit-limit')).toBe('6000');
		});

		it('answers 429 over the limit until the window ends', async () => {
			sb.setRateLimit(3, 400);
			const statuses: number[] = [];
			for (let i = 0; i < 4; i++) statuses.push((await call(sb, '/orders')).status);
			expect(statuses).toEqual([200, 200, 200, 429]);
			const limited = await call(sb, '/orders');
			expect(limited.status).toBe(429);
			expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
			expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
			const reset = Date.parse(limited.headers.get('x-ratelimit-reset') ?? '');
			await new Promise((resolve) => setTimeout(resolve, Math.max(0, reset - Date.now()) + 20));
			expect((await call(sb, '/orders')).status).toBe(200);
		});

		it('counts per token', async () => {
			sb.setRateLimit(1, 60000);
			expect((await call(sb, '/orders')).status).toBe(200);
			expect((await call(sb, '/orders')).status).toBe(429);
			expect((await call(sb, '/orders', { token: READ_ONLY_TOKEN })).status).toBe(200);
		});

		it('takes the limit from the options', async () => {
			const small = await startEPagesSandbox(
				startOpts({ rateLimitPerHour: 1, rateWindowMs: 60000 }),
			);
			try {
				expect((await call(small, '/orders')).status).toBe(200);
				expect((await call(small, '/orders')).status).toBe(429);
			} finally {
				await small.close();
			}
		});
	});

	describe('faults', () => {
		it('status429 answers with Remaining 0, Reset about 1 s ahead and Retry-After', async () => {
			sb.faults.configure({ rates: { status429: 1 }, retryAfterSeconds: 2 });
			const r = await call(sb, '/orders');
			expect(r.status).toBe(429);
			expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
			expect(r.headers.get('retry-after')).toBe('2');
			const ahead = Date.parse(r.headers.get('x-ratelimit-reset') ?? '') - Date.now();
			expect(ahead).toBeGreaterThan(0);
			expect(ahead).toBeLessThanOrEqual(1000);
			expect(sb.requests.at(-1)).toMatchObject({ fault: 'status429', status: 429 });
		});

		it('5xx faults alternate between a Jetty page and a JSON body', async () => {
			sb.faults.configure({ rates: { status500: 1 } });
			const replies = [await call(sb, '/orders'), await call(sb, '/orders')];
			expect(replies.map((r) => r.status)).toEqual([500, 500]);
			const html = replies.find((r) => typeof r.body === 'string')!;
			const json = replies.find((r) => typeof r.body !== 'string')!;
			expect(html.text).toContain('<h2>HTTP ERROR 500</h2>');
			expect(json.body).toEqual({
				message: 'Internal Server Error, Request: GET /rs/shops/DemoShop/orders',
				status: '500',
			});
			for (const [fault, status] of [
				['status502', 502],
				['status503', 503],
			] as const) {
				sb.faults.configure({ rates: { [fault]: 1 } });
				const r = await call(sb, '/orders');
				expect(r.status).toBe(status);
				expect(r.headers.get('x-ratelimit-limit')).toBe('6000');
			}
		});

		it('reset drops the connection before anything happens', async () => {
			const order = byNumber(sb, '10242');
			sb.faults.configure({ rates: { reset: 1 } });
			await expect(
				patch(sb, order.orderId, [{ op: 'add', path: '/internalNote', value: 'lost' }]),
			).rejects.toThrow();
			expect(order.internalNote).toBeNull();
			expect(sb.requests.at(-1)).toMatchObject({ fault: 'reset', status: 0, method: 'PATCH' });
		});

		it('lostResponse processes the request, then drops the connection', async () => {
			const order = byNumber(sb, '10242');
			sb.faults.configure({ rates: { lostResponse: 1 } });
			await expect(
				patch(sb, order.orderId, [{ op: 'add', path: '/internalNote', value: 'applied' }]),
			).rejects.toThrow();
			expect(order.internalNote).toBe('applied');
			expect(sb.requests.at(-1)).toMatchObject({ fault: 'lostResponse', status: 0 });
		});

		it('slow processes the request but answers after the client gave up', async () => {
			const order = byNumber(sb, '10242');
			sb.faults.configure({ rates: { slow: 1 }, slowMs: 400 });
			await expect(
				patch(sb, order.orderId, [{ op: 'add', path: '/paidOn', value: '2026-11-28T11:00:00Z' }], {
					signal: AbortSignal.timeout(100),
				}),
			).rejects.toThrow();
			expect(order.paidOn).toBe('2026-11-28T11:00:00.000Z');
			await new Promise((resolve) => setTimeout(resolve, 450));
			expect(sb.requests.at(-1)).toMatchObject({ fault: 'slow', status: 200 });
			sb.faults.configure({});
			expect((await call(sb, '/orders')).status).toBe(200);
		});

		it('adds latency and limits faults to matching requests', async () => {
			sb.faults.configure({
				latencyMs: 150,
				rates: { status503: 1 },
				applies: (r) => r.method === 'PATCH',
			});
			const faultsBefore = sb.faults.counts.status503;
			const started = Date.now();
			const get = await call(sb, '/orders');
			expect(get.status).toBe(200);
			expect(Date.now() - started).toBeGreaterThanOrEqual(140);
			const r = await patch(sb, sb.orders[0].orderId, [
				{ op: 'add', path: '/internalNote', value: 'x' },
			]);
			expect(r.status).toBe(503);
			expect(sb.orders[0].internalNote).toBeNull();
			expect(sb.faults.counts.status503 - faultsBefore).toBe(1);
		});

		it('takes faults from the options and records every request', async () => {
			const faulty = await startEPagesSandbox(startOpts({ faults: { rates: { status500: 1 } } }));
			try {
				expect((await call(faulty, '/orders?paidOn=true')).status).toBe(500);
				expect(faulty.requests).toHaveLength(1);
				expect(faulty.requests[0]).toMatchObject({
					method: 'GET',
					path: '/rs/shops/DemoShop/orders',
					query: { paidOn: 'true' },
					fault: 'status500',
					status: 500,
				});
				expect(faulty.requests[0].headers.authorization).toBe(`Bearer ${faulty.token}`);
			} finally {
				await faulty.close();
			}
		});
	});

	describe('state helpers', () => {
		it('addOrder makes a realistic, consistent order that the API lists first', async () => {
			const order = sb.addOrder();
			expect(order.orderNumber).toBe('10243');
			expect(order.creationDate).toBe(NOW.toISOString());
			expect(order.lastUpdatedOnDate).toBe(order.creationDate);
			expect(order.customerId).toBeTruthy();
			expect(order.lineItemContainer.productLineItems.length).toBeGreaterThan(0);
			expect(totalsProblems(order)).toEqual([]);
			expect(sb.addOrder().orderNumber).toBe('10244');
			const r = await call<Page<EPagesOrderSummary>>(sb, '/orders?resultsPerPage=2');
			expect(r.body.results).toBe(14);
			expect(r.body.items.map((o) => o.orderNumber).sort()).toEqual(['10243', '10244']);
		});

		it('addOrder merges overrides, fills lines from the catalogue and spreads a coupon', () => {
			const joao = byNumber(sb, '10231');
			const order = sb.addOrder(
				{
					customerId: joao.customerId,
					paidOn: '2026-11-28T11:59:00.000Z',
					lineItemContainer: {
						productLineItems: [
							{ sku: 'CF-250', quantity: 3 },
							{ sku: 'QS-KG', quantity: { amount: 1.25, unit: 'kg' } },
							{ sku: 'VO-25', quantity: 1 },
						],
						couponLineItem: {
							couponLineItemId: 'C1',
							couponCampaignId: 'CAMPAIGN',
							lineItemPrice: {
								taxType: 'NONE',
								formatted: '-7.50 €',
								amount: -7.5,
								currency: 'EUR',
							},
							validationErrors: [],
						},
					},
				},
				{ creationDate: '2026-11-20T08:00:00Z' },
			);
			expect(order.creationDate).toBe('2026-11-20T08:00:00.000Z');
			expect(order.customerNumber).toBe(joao.customerNumber);
			expect(order.billingAddress.lastName).toBe('Conceição');
			expect(order.paidOn).toBe('2026-11-28T11:59:00.000Z');
			const lines = order.lineItemContainer.productLineItems;
			expect(lines.map((l) => [l.sku, l.lineItemPrice.amount, l.taxClass.percentage])).toEqual([
				['CF-250', 20.4, 23],
				['QS-KG', 40, 6],
				['VO-25', 25, 0],
			]);
			expect(lines.reduce((sum, l) => sum + cents(l.lineItemCouponDiscount!.amount), 0)).toBe(750);
			expect(totalsProblems(order)).toEqual([]);
		});

		it('addOrder supports NET orders and guest orders', () => {
			const net = sb.addOrder({
				taxModel: 'NET',
				customerId: null,
				billingAddress: { company: 'Firma GmbH', country: 'DE', vatId: 'DE123456789' },
			});
			expect(net.customerId).toBeNull();
			expect(net.billingAddress.company).toBe('Firma GmbH');
			expect(net.billingAddress.emailAddress).toBeNull();
			expect(
				net.lineItemContainer.productLineItems.every((l) => l.lineItemPrice.taxType === 'NET'),
			).toBe(true);
			expect(Number(net.totalTax)).toBeGreaterThan(0);
			expect(totalsProblems(net)).toEqual([]);
		});

		it('setStatus changes filters and documents but not lastUpdatedOnDate', async () => {
			const order = byNumber(sb, '10242');
			const lastUpdated = order.lastUpdatedOnDate;
			sb.setStatus(order.orderId, 'invoicedOn', '2026-11-28T10:00:00Z');
			sb.setStatus(order.orderId, 'paidOn', null);
			expect(order.lastUpdatedOnDate).toBe(lastUpdated);
			let r = await call<Page<EPagesOrderSummary>>(sb, '/orders?invoicedOn=true&paidOn=false');
			expect(r.body.items.map((o) => o.orderNumber)).toEqual(['10242']);
			const docs = await call<Page<EPagesDocument>>(sb, `/orders/${order.orderId}/documents`);
			expect(docs.body.items[0]).toMatchObject({
				documentType: 'Invoice',
				issueDate: '2026-11-28T10:00:00.000Z',
			});
			expect(() => sb.setStatus(order.orderId, 'shippedOn' as never, null)).toThrow();
			expect(() => sb.setStatus('nope', 'paidOn', null)).toThrow();
			sb.setStatus(order.orderId, 'invoicedOn', null);
			r = await call(sb, `/orders/${order.orderId}/documents`);
			expect(r.body.results).toBe(0);
		});

		it('updateOrder moves lastUpdatedOnDate only for content and keeps totals consistent', () => {
			const order = byNumber(sb, '10237');
			const lastUpdated = order.lastUpdatedOnDate;
			sb.updateOrder(order.orderId, {
				internalNote: 'só nota',
				closedOn: '2026-11-28T09:00:00.000Z',
			});
			expect(order.lastUpdatedOnDate).toBe(lastUpdated);
			sb.updateOrder(order.orderId, {
				lineItemContainer: { productLineItems: [{ sku: 'SB-LAV', quantity: 4 }] },
			});
			expect(order.lastUpdatedOnDate).toBe(NOW.toISOString());
			expect(order.lineItemContainer.lineItemsSubTotal.amount).toBe(13.32);
			expect(totalsProblems(order)).toEqual([]);
			sb.updateOrder(order.orderId, {
				lastUpdatedOnDate: '2026-11-27T00:00:00.000Z',
				customerId: null,
			});
			expect(order.lastUpdatedOnDate).toBe('2026-11-27T00:00:00.000Z');
		});

		it('reset restores a seed in the same live array', async () => {
			const live = sb.orders;
			sb.reset('empty');
			expect(live).toHaveLength(0);
			let r = await call<Page<EPagesOrderSummary>>(sb, '/orders');
			expect(r.body).toEqual({ results: 0, page: 1, resultsPerPage: 10, items: [] });
			expect((await call<Page<EPagesCustomer>>(sb, '/customers')).body.results).toBe(8);
			const first = sb.addOrder();
			expect(first.orderNumber).toBe('10001');
			sb.reset([loadEPagesFixture().orders[0]]);
			expect(live.map((o) => o.orderNumber)).toEqual(['10231']);
			sb.reset();
			expect(live).toHaveLength(12);
			expect(sb.orders).toBe(live);
			r = await call(sb, '/orders');
			expect(r.body.results).toBe(12);
		});

		it('honours shopId, token and scopes options', async () => {
			const other = await startEPagesSandbox({
				shopId: 'LojaDoPorto',
				token: 'tok-1',
				scopes: ['orders_read'],
				seed: 'empty',
			});
			try {
				expect(other.apiUrl).toBe(`${other.url}/rs/shops/LojaDoPorto`);
				expect(other.token).toBe('tok-1');
				expect((await call(other, '/orders')).status).toBe(200);
				expect((await call(other, '/products')).status).toBe(403);
				expect(other.orders).toHaveLength(0);
			} finally {
				await other.close();
			}
		});
	});
});
