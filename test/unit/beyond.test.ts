/**
 * Issue 16: ePages Beyond, the pure parts. The API URL and token answer (transport.ts), a Beyond order
 * read as the package's one order shape (order.ts), and the verdict on a webhook delivery (webhook.ts).
 */
import { createHmac } from 'crypto';

import type { IDataObject } from 'n8n-workflow';

import { orderFromBeyond } from '../../nodes/services/epagesBeyond/order';
import { BEYOND_OVERLAP_MS, digestBeyondOrders, initialBeyondState } from '../../nodes/EPages/beyond/poll';
import { beyondBaseUrl, readTokenAnswer } from '../../nodes/services/epagesBeyond/transport';
import { emptyMemory, judgeDelivery, mergeMemory, signatureHeaders, signatureOf, subscriptionTypes, verifySignature } from '../../nodes/EPages/beyond/webhook';
import type { IxTax } from '../../nodes/services/invoicexpress/helpers/document';
import { mapOrderToDocument } from '../../nodes/link/mapping/orderToDocument';
import { invoiceDateFor } from '../../nodes/link/documentRules';
import { invoiceUniqueKey } from '../../nodes/link/orderLink';

describe('Beyond API URL and token answer', () => {
	it('takes a shop address followed by /api, and names what is wrong otherwise', () => {
		expect(beyondBaseUrl(' https://myshop.beyondshop.cloud/api/ ')).toBe('https://myshop.beyondshop.cloud/api');
		expect(beyondBaseUrl('http://127.0.0.1:4010/api')).toBe('http://127.0.0.1:4010/api');
		expect(() => beyondBaseUrl('')).toThrow('The API URL in the ePages Beyond credential is empty');
		expect(() => beyondBaseUrl('https://shop.example.com/rs/shops/Demo')).toThrow('belongs to an ePages Base/Now shop: use the "ePages API" credential');
		expect(() => beyondBaseUrl('https://myshop.beyondshop.cloud')).toThrow('is not a Beyond API URL');
		expect(() => beyondBaseUrl('http://myshop.beyondshop.cloud/api')).toThrow('uses http://, which would send the client secret unencrypted');
	});

	it('reads the token and its lifetime, and tells a wrong secret from a wrong URL', () => {
		const ok = readTokenAnswer(200, { access_token: 'jwt', token_type: 'bearer', expires_in: 43199, scope: 'ordr:r ordr:u' }, 1000);
		expect(ok).toEqual({ token: { accessToken: 'jwt', expiresAt: 1000 + 43199 * 1000, scopes: ['ordr:r', 'ordr:u'] } });
		expect(readTokenAnswer(401, { error: 'unauthorized', error_description: 'The client was revoked.' }, 0)).toMatchObject({
			field: 'client ID or secret',
			problem: expect.stringContaining('("The client was revoked.")'),
		});
		expect(readTokenAnswer(404, '<html>Not found</html>', 0)).toMatchObject({ field: 'API URL' });
		expect(readTokenAnswer(200, '<html>parking page</html>', 0)).toMatchObject({ field: 'API URL' });
	});
});

/** The reference's real Beyond order (BYD-OAS GET /orders/{orderId}), as given there. */
const REFERENCE_ORDER: IDataObject = {
	_id: '0da86a9c-8633-4c26-9647-e85dda934669',
	createdAt: '2023-09-26T09:52:57.567',
	updatedAt: '2023-09-26T09:52:57.871',
	currency: 'EUR',
	taxModel: 'GROSS',
	testOrder: false,
	orderNumber: '10001',
	productLineItems: [
		{
			_id: 'ad2eff4a-1',
			product: { _id: 'd3ae3fd9-1', sku: 'EB001', name: 'High Protein Power Bar (Pack of 5)' },
			quantity: 5,
			unitPrice: { taxModel: 'GROSS', currency: 'EUR', amount: 9.99 },
			lineItemPrice: { taxModel: 'GROSS', currency: 'EUR', amount: 49.95 },
			lineItemTax: { taxClass: 'REGULAR', taxRate: 0.19, currency: 'EUR', amount: 7.9743 },
		},
	],
	couponLineItem: { code: 'SUMMER-SALE-SHOES', lineItemPrice: { taxModel: 'GROSS', currency: 'EUR', amount: -17.24 } },
	paymentLineItem: { lineItemPrice: { taxModel: 'GROSS', currency: 'EUR', amount: 0 }, taxClass: 'REGULAR', paymentMethod: { id: 'baf7777f', name: 'PayPal' } },
	customerEmail: 'a.alsterh@example.com',
	grandTotal: { currency: 'EUR', amount: 62.44 },
	netTotal: { currency: 'EUR', amount: 53.2687 },
	taxTotal: { currency: 'EUR', amount: 9.1713 },
	billingAddress: {
		company: 'Astrid Alster GmbH',
		firstName: 'Astrid',
		lastName: 'Alster',
		street: 'Alsterwasserweg',
		houseNumber: '2',
		postalCode: '20999',
		city: 'Alsterwasser',
		country: 'DE',
		email: 'a.alsterh@example.com',
		vatId: 'DE123456789',
		taxNumber: 'HRE 987654/32123/864516',
	},
	paymentStatus: 'PENDING',
	shippingStatus: 'NOT_PICKED_UP',
	canceled: false,
	customerComment: 'Please send with UPS.',
	orderNote: 'Already paid.',
	viewed: false,
	_links: { self: { href: 'https://api-shop.beyondshop.cloud/api/orders/0da86a9c-8633-4c26-9647-e85dda934669' } },
};

describe('a Beyond order in the package\'s order shape', () => {
	it('maps identity, addresses, lines, VAT rates, the coupon, the note and the statuses', () => {
		const o = orderFromBeyond(REFERENCE_ORDER);
		expect(o).toMatchObject({
			orderId: '0da86a9c-8633-4c26-9647-e85dda934669',
			orderNumber: '10001',
			creationDate: '2023-09-26T09:52:57.567Z',
			taxModel: 'GROSS',
			currencyId: 'EUR',
			customerComment: 'Please send with UPS.',
			internalNote: 'Already paid.',
			paidOn: null,
			rejectedOn: null,
			returnedOn: null,
			billingAddress: { company: 'Astrid Alster GmbH', street: 'Alsterwasserweg 2', zipCode: '20999', city: 'Alsterwasser', country: 'DE', vatId: 'DE123456789', emailAddress: 'a.alsterh@example.com' },
			links: [{ rel: 'self', href: 'https://api-shop.beyondshop.cloud/api/orders/0da86a9c-8633-4c26-9647-e85dda934669' }],
			_beyond: { paymentStatus: 'PENDING', statusDatesExact: false },
		});
		const container = o.lineItemContainer as IDataObject;
		expect(container.productLineItems).toEqual([
			expect.objectContaining({ sku: 'EB001', name: 'High Protein Power Bar (Pack of 5)', quantity: { amount: 5, unit: null }, lineItemPrice: expect.objectContaining({ amount: 49.95 }), taxClass: expect.objectContaining({ percentage: 19 }) }),
		]);
		expect(container.couponLineItem).toMatchObject({ code: 'SUMMER-SALE-SHOES', lineItemPrice: { amount: -17.24 } });
		// Its line tax is on the price before the coupon: no share can be read from it, the mapping shares the coupon out.
		expect((container.productLineItems as IDataObject[])[0]).not.toHaveProperty('lineItemCouponDiscount');
		expect(container.grandTotal).toMatchObject({ amount: 62.44 });
	});

	it('paid, cancelled and returned read from the statuses, dated by the last change, and that date is never used as the paid date', () => {
		const o = orderFromBeyond({ ...REFERENCE_ORDER, paymentStatus: 'PAID', canceled: true, shippingStatus: 'RETURNED' });
		expect([o.paidOn, o.rejectedOn, o.returnedOn]).toEqual(['2023-09-26T09:52:57.871Z', '2023-09-26T09:52:57.871Z', '2023-09-26T09:52:57.871Z']);
		// Without the paid date read from the order's events (issue 21): refused, never its last change.
		expect(invoiceDateFor(o, undefined, 'paid', '03/12/2026', 'order 10001')).toMatchObject({
			ok: false,
			message: 'order 10001: "Invoice Date From" is the paid date, and an ePages Beyond order says when it was paid only in its events in the shop',
		});
		expect(invoiceDateFor(o, undefined, 'created', '03/12/2026', 'order 10001')).toEqual({ ok: true, value: '26/09/2023' });
	});

	it('keys the invoice on the Beyond shop\'s host, never on another shop\'s order of the same id', () => {
		const o = orderFromBeyond(REFERENCE_ORDER);
		expect(invoiceUniqueKey(o, '10001', 'invoice')).toBe('epages:beyond:api-shop.beyondshop.cloud:0da86a9c-8633-4c26-9647-e85dda934669:invoice');
	});

	it('a Portuguese Beyond order with mixed VAT, a line discount, shipping split by rate and a payment fee invoices to its grand total', () => {
		const taxes: IxTax[] = [
			{ id: 1, name: 'IVA23', value: 23, region: 'PT', default_tax: 1 },
			{ id: 2, name: 'IVA13', value: 13, region: 'PT', default_tax: 0 },
			{ id: 3, name: 'IVA6', value: 6, region: 'PT', default_tax: 0 },
		] as unknown as IxTax[];
		const money = (amount: number) => ({ taxModel: 'GROSS', currency: 'EUR', amount });
		const beyond: IDataObject = {
			...REFERENCE_ORDER,
			orderNumber: '20001',
			couponLineItem: null,
			paymentStatus: 'PAID',
			productLineItems: [
				{ _id: 'l1', product: { sku: 'CF-250', name: 'Café 250 g' }, quantity: 2, unitPrice: money(6.5), lineItemPrice: money(11.7), lineItemDiscount: money(-1.3), lineItemTax: { taxClass: 'REGULAR', taxRate: 0.23, amount: 2.1878 } },
				{ _id: 'l2', product: { sku: 'AZ-500', name: 'Azeite 500 ml' }, quantity: 3, unitPrice: money(7.9), lineItemPrice: money(23.7), lineItemTax: { taxClass: 'REDUCED', taxRate: 0.06, amount: 1.3415 } },
			],
			shippingLineItem: {
				lineItemPrice: money(4.9),
				taxClass: 'REGULAR',
				shippingMethod: { id: 's', name: 'CTT' },
				lineItemTaxes: [
					{ taxClass: 'REGULAR', taxRate: 0.23, currency: 'EUR', amount: 0.374 },
					{ taxClass: 'REDUCED', taxRate: 0.06, currency: 'EUR', amount: 0.1642 },
				],
			},
			paymentLineItem: { lineItemPrice: money(1), taxClass: 'REGULAR', paymentMethod: { id: 'p', name: 'MB' }, lineItemTaxes: [{ taxClass: 'REGULAR', taxRate: 0.23, currency: 'EUR', amount: 0.187 }] },
			grandTotal: { currency: 'EUR', amount: 41.3 },
			billingAddress: { firstName: 'Ana', lastName: 'Sousa', street: 'Rua Augusta', houseNumber: '10', postalCode: '1100-053', city: 'Lisboa', country: 'PT', email: 'ana@example.com', vatId: '123456789' },
		};
		const mapped = mapOrderToDocument(orderFromBeyond(beyond), taxes, { date: '03/12/2026', dueDate: '03/12/2026', shipsFrom: 'PT' });
		expect(mapped.totalsCheck).toMatchObject({ order_total: 41.3, document_total: 41.3, matches: true });
		expect((mapped.document.items as IDataObject[]).map((i) => [i.name, (i.tax as IDataObject | undefined)?.name])).toEqual([
			['CF-250', 'IVA23'],
			['AZ-500', 'IVA6'],
			expect.arrayContaining([expect.any(String), 'IVA23']),
			expect.arrayContaining([expect.any(String), 'IVA6']),
			expect.arrayContaining([expect.any(String), 'IVA23']),
		]);
		expect(mapped.client).toMatchObject({ name: 'Ana Sousa', fiscal_id: '123456789' });
	});

	it('an order without _id or number, or with an unreadable VAT rate, is an error naming it', () => {
		expect(() => orderFromBeyond({ ...REFERENCE_ORDER, _id: undefined })).toThrow('the Beyond order has no _id');
		expect(() => orderFromBeyond({ ...REFERENCE_ORDER, orderNumber: '' })).toThrow('Beyond order 0da86a9c-8633-4c26-9647-e85dda934669 has no orderNumber');
		const bad = { ...REFERENCE_ORDER, productLineItems: [{ ...(REFERENCE_ORDER.productLineItems as IDataObject[])[0], lineItemTax: { taxRate: 'high' } }] };
		expect(() => orderFromBeyond(bad)).toThrow('order 10001, line 1: the VAT rate "high" is not a number');
	});
});

describe('webhook deliveries', () => {
	const SECRET = 'sharedsecret-1';
	const URI = 'https://n8n.example.com/webhook/abc/webhook';
	const sign = (body: string, secret = SECRET, uri = URI) => createHmac('sha1', secret).update(`${uri}:${body}`).digest('base64');
	const order = (over: IDataObject = {}) => ({ ...REFERENCE_ORDER, _payloadType: 'order', ...over });
	const deliver = (body: string, signatures: string[], eventType = 'order.updated', memory = emptyMemory(), chosen = ['orderPaid', 'orderCreated'] as const) =>
		judgeDelivery({ signatures, secrets: [SECRET], uri: URI, body, eventType, order: JSON.parse(body) as IDataObject, chosen: [...chosen], now: 1_000_000 }, memory);

	it('HMAC-SHA1 over "uri:body", Base64 (RFC 2202 vector; the URI alone without a body)', () => {
		expect(signatureOf('Jefe', 'what do ya want for nothing?', '')).toBe('7/zfauXrL6LSdBbV8YTfnCWafHk=');
		expect(signatureOf(SECRET, URI, '{"a":1}')).toBe(sign('{"a":1}'));
	});

	it('any of several signature headers (one per signer) may match; repeated headers joined by Node are split', () => {
		const body = JSON.stringify(order());
		expect(verifySignature([sign(body, 'other-signer'), sign(body)], [SECRET], URI, body)).toBe(true);
		expect(signatureHeaders(`${sign(body, 'x')}, ${sign(body)}`)).toEqual([sign(body, 'x'), sign(body)]);
		expect(verifySignature(signatureHeaders(`${sign(body, 'x')}, ${sign(body)}`), [SECRET], URI, body)).toBe(true);
		expect(verifySignature([sign(body, SECRET, 'http://proxy.internal/webhook/abc/webhook')], [SECRET], URI, body)).toBe(false);
		expect(verifySignature([sign(`${body} `)], [SECRET], URI, body)).toBe(false);
		expect(verifySignature(['short'], [SECRET], URI, body)).toBe(false);
	});

	it('unsigned, forged and replayed deliveries are refused (401) and start nothing; the genuine one starts its event', () => {
		const body = JSON.stringify(order({ paymentStatus: 'PAID' }));
		expect(deliver(body, []).verdict).toEqual({ kind: 'reject', status: 401, reason: 'unsigned delivery' });
		expect(deliver(body, [sign(body, 'guess')]).verdict).toEqual({ kind: 'reject', status: 401, reason: 'the signature does not match' });
		const first = deliver(body, [sign(body)]);
		expect(first.verdict).toEqual({ kind: 'start', events: ['orderPaid'] });
		const replay = deliver(body, [sign(body)], 'order.updated', first.memory);
		expect(replay.verdict).toMatchObject({ kind: 'reject', status: 401, reason: expect.stringMatching(/^replayed delivery/) });
	});

	it('paid starts once per order: later updates of the paid order start nothing', () => {
		const paid = JSON.stringify(order({ paymentStatus: 'PAID' }));
		const first = deliver(paid, [sign(paid)]);
		const later = JSON.stringify(order({ paymentStatus: 'PAID', shippingStatus: 'SHIPPED', updatedAt: '2023-09-27T10:00:00' }));
		const second = deliver(later, [sign(later)], 'order.updated', first.memory);
		expect(second.verdict).toEqual({ kind: 'ignore', reason: 'no chosen event in this order.updated' });
		// A prepaid order arrives paid in its creation: created and paid, each once.
		const created = JSON.stringify(order({ _id: 'o-2', paymentStatus: 'PAID' }));
		expect(deliver(created, [sign(created)], 'order.created').verdict).toEqual({ kind: 'start', events: ['orderCreated', 'orderPaid'] });
	});

	it('subscribes to the documented event types the choice needs', () => {
		expect(subscriptionTypes(['orderPaid'])).toEqual(['order.created', 'order.updated']);
		expect(subscriptionTypes(['orderCreated'])).toEqual(['order.created']);
		expect(subscriptionTypes(['orderUpdated'])).toEqual(['order.updated']);
	});
});

describe('the ePages Trigger polling a Beyond shop', () => {
	const T0 = Date.parse('2026-12-03T10:00:00Z');
	const at = (minutes: number) => new Date(T0 + minutes * 60000).toISOString().replace('Z', '');
	const o = (id: string, created: number, updated: number, over: IDataObject = {}): IDataObject => ({ ...REFERENCE_ORDER, _id: id, orderNumber: id, createdAt: at(created), updatedAt: at(updated), ...over });

	it('each change once; created for orders placed after activation; paid once per order; the cursor follows the changes', () => {
		let state = initialBeyondState(T0);
		const chosen = ['orderCreated', 'orderPaid'] as const;
		let r = digestBeyondOrders([o('a', 1, 1), o('old', -60, 2, { paymentStatus: 'PAID' })], state, [...chosen], T0 + 3 * 60000);
		expect(r.emit.map((e) => [e.order._id, e.events])).toEqual([
			['a', ['orderCreated']],
			['old', ['orderPaid']],
		]);
		state = r.state;
		expect(state.cursorMs).toBe(T0 + 2 * 60000);
		// The next poll lists the same changes again (overlap) and a new one: only the new one starts.
		r = digestBeyondOrders([o('a', 1, 1), o('old', -60, 2, { paymentStatus: 'PAID' }), o('a', 1, 5, { paymentStatus: 'PAID' })], state, [...chosen], T0 + 6 * 60000);
		expect(r.emit.map((e) => [e.order._id, e.events])).toEqual([['a', ['orderPaid']]]);
		// Shipped later: paid does not start again.
		r = digestBeyondOrders([o('a', 1, 9, { paymentStatus: 'PAID', shippingStatus: 'SHIPPED' })], r.state, [...chosen], T0 + 10 * 60000);
		expect(r.emit).toEqual([]);
		// What is older than the overlap band behind the cursor is forgotten: the state stays small.
		expect(Object.keys(r.state.taken)).toEqual(['a']);
		expect(r.state.cursorMs - BEYOND_OVERLAP_MS).toBeGreaterThan(T0 + 2 * 60000);
	});
});

describe('mergeMemory (the static data and the process memory of the webhook trigger)', () => {
	it('keeps every delivery either has seen and every event either has started, each at its first time', () => {
		const a = { seen: { k1: 10, k2: 20 }, fired: { o1: { orderPaid: 5 } } };
		const b = { seen: { k2: 15, k3: 30 }, fired: { o1: { orderPaid: 7, orderReturned: 9 }, o2: { orderPaid: 8 } } };
		expect(mergeMemory(a, b)).toEqual({ seen: { k1: 10, k2: 15, k3: 30 }, fired: { o1: { orderPaid: 5, orderReturned: 9 }, o2: { orderPaid: 8 } } });
		expect(mergeMemory(emptyMemory(), emptyMemory())).toEqual(emptyMemory());
		// Neither input is changed.
		expect(a).toEqual({ seen: { k1: 10, k2: 20 }, fired: { o1: { orderPaid: 5 } } });
	});
});
