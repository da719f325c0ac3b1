import { toInstant } from '../../nodes/EPages/helpers/dates';
import { money, parseOrder } from '../../nodes/EPages/schemas/order';
import { loadEPagesFixture } from '../sandbox/epages';

function fixtureOrder(index = 0): Record<string, unknown> {
	return loadEPagesFixture().orders[index] as unknown as Record<string, unknown>;
}

describe('money', () => {
	it.each([
		[{ amount: 7.32, currency: 'EUR', formatted: '7.32 €', taxType: 'GROSS' }, 7.32],
		[{ amount: '250.94' }, 250.94],
		[{ amount: 0, formatted: '0.00 €' }, 0],
		[12.5, 12.5],
		[-1.7, -1.7],
		['250.94', 250.94],
		['0', 0],
		[' 55.6 ', 55.6],
		['-17.24', -17.24],
		['7,32', 7.32],
		['.5', 0.5],
	])('%j → %d', (input, expected) => {
		expect(money(input)).toBe(expected);
	});

	it.each([[null], [undefined], [''], [{ amount: null }]])('%j → undefined', (input) => {
		expect(money(input)).toBeUndefined();
	});

	it.each([['7.32 €'], ['abc'], ['1.234,56'], [{ formatted: '7.32 €' }], [[1]], [true], [Number.NaN], [Infinity]])(
		'refuses %j',
		(input) => {
			expect(() => money(input)).toThrow('is not a number');
		},
	);
});

describe('parseOrder', () => {
	it('normalises a full order from the sandbox fixture', () => {
		const raw = fixtureOrder(0);
		const order = parseOrder(raw, { requireLineItems: true });
		expect(order.orderNumber).toBe('10231');
		expect(order.grandTotal).toBe(55.6);
		expect(order.totalBeforeTax).toBe(50.36);
		expect(order.totalTax).toBe(5.24);
		expect(order.currency).toBe('EUR');
		expect(order.taxModel).toBe('GROSS');
		expect(order.hasLineItems).toBe(true);
		expect(order.lineItems.length).toBeGreaterThan(0);
		for (const line of order.lineItems) {
			expect(typeof line.lineItemPrice).toBe('number');
			expect(typeof line.singleItemPrice).toBe('number');
			expect(typeof line.taxRate).toBe('number');
			expect(typeof line.quantity).toBe('number');
		}
		expect(order.shipping).toMatchObject({ methodName: 'CTT Expresso 48h', price: 4.9, taxRate: 23 });
		expect(order.payment).toMatchObject({ methodName: 'MB WAY', fee: 0, providerName: 'SIBS' });
		expect(order.status.paidOn).toBe('2026-10-29T09:15:02.000Z');
		expect(order.status.rejectedOn).toBeNull();
		expect(order.billingAddress.lastName).toBe('Conceição');
		expect(order.shippingAddress).toBeNull();
	});

	it('takes every fixture order, GROSS and NET, with coupons and fees', () => {
		const fixture = loadEPagesFixture();
		for (const raw of fixture.orders) {
			const order = parseOrder(raw, { requireLineItems: true });
			const lines = order.lineItems.reduce((sum, l) => sum + l.lineItemPrice, 0);
			expect(order.lineItemsSubTotal).toBeCloseTo(lines, 2);
			if (order.coupon) {
				expect(order.coupon.amount).toBeLessThan(0);
				const shares = order.lineItems.reduce((sum, l) => sum + l.couponDiscount, 0);
				expect(shares).toBeCloseTo(-order.coupon.amount, 2);
			}
		}
		expect(fixture.orders.some((o) => o.taxModel === 'NET')).toBe(true);
	});

	it('reads a list item (no line items) unless line items are required', () => {
		const listItem = fixtureOrder(1);
		delete listItem.lineItemContainer;
		const order = parseOrder(listItem);
		expect(order.hasLineItems).toBe(false);
		expect(order.lineItems).toEqual([]);
		expect(order.grandTotal).toBe(Number(listItem.grandTotal));
		expect(() => parseOrder(listItem, { requireLineItems: true })).toThrow(
			`order ${String(listItem.orderNumber)}: lineItemContainer is missing`,
		);
	});

	it('names the order and the field path of every problem', () => {
		const raw = fixtureOrder(0) as Record<string, Record<string, unknown>>;
		raw.billingAddress = { ...raw.billingAddress, lastName: null, company: null };
		expect(() => parseOrder(raw)).toThrow('order 10231: billingAddress.lastName is missing');

		const raw2 = fixtureOrder(0) as Record<string, unknown> & {
			lineItemContainer: { productLineItems: Array<Record<string, unknown>> };
		};
		raw2.grandTotal = 'lots';
		raw2.lineItemContainer.productLineItems[0].taxClass = { name: 'Normal', percentage: 'x' };
		delete raw2.lineItemContainer.productLineItems[0].lineItemPrice;
		let message = '';
		try {
			parseOrder(raw2, { requireLineItems: true });
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).toMatch(/^order 10231: /);
		expect(message).toContain('grandTotal is not a number');
		expect(message).toContain('lineItemContainer.productLineItems[0].taxClass.percentage is not a number');
		expect(message).toContain('lineItemContainer.productLineItems[0].lineItemPrice is missing');
	});

	it('falls back to the order ID, then to a placeholder, to name the order', () => {
		expect(() => parseOrder({ orderId: 'ABC-1' })).toThrow(/^order ABC-1: /);
		expect(() => parseOrder({})).toThrow(/^order \(without number\): orderId is missing/);
		expect(() => parseOrder('nonsense')).toThrow(/^order \(without number\): the order is not an object/);
	});

	it('reports a bad date and a bad tax model', () => {
		const raw = { ...fixtureOrder(0), creationDate: 'yesterday', taxModel: 'GROSSISH' };
		expect(() => parseOrder(raw)).toThrow(/creationDate is not a date.*taxModel is not one of GROSS, NET/);
	});

	it('lets unknown fields pass through at every level', () => {
		const raw = fixtureOrder(0) as Record<string, unknown> & {
			lineItemContainer: { productLineItems: Array<Record<string, unknown>> } & Record<string, unknown>;
			billingAddress: Record<string, unknown>;
		};
		raw.futureField = { nested: true };
		raw.billingAddress.houseNumber = '12A';
		raw.lineItemContainer.productLineItems[0].orderUnit = 'box';
		raw.lineItemContainer.ecoParticipations = [{ amount: 1 }];
		const order = parseOrder(raw, { requireLineItems: true });
		expect(order.raw.futureField).toEqual({ nested: true });
		expect(order.billingAddress.houseNumber).toBe('12A');
		expect(order.lineItems[0].raw.orderUnit).toBe('box');
		expect(order.raw.lineItemContainer?.ecoParticipations).toEqual([{ amount: 1 }]);
		// Money becomes numbers in the raw view too; the input is not changed.
		expect(order.raw.grandTotal).toBe(55.6);
		expect(raw.grandTotal).toBe('55.6');
	});

	it('takes the docs example shapes: string totals, null shipping address, price objects, basket discount', () => {
		const raw = {
			orderId: '5639C509-092F-7704-77D3-D5809AB321D8',
			orderNumber: 'ORD151104/1033',
			creationDate: '2024-11-04T08:42:49.000Z',
			currencyId: 'EUR',
			taxModel: 'GROSS',
			grandTotal: '250.94',
			totalBeforeTax: '250.94',
			totalTax: '0',
			billingAddress: { company: 'Boehm-Jacobs', firstName: 'Walter', lastName: 'Ankunding', country: null },
			shippingAddress: null,
			shippingData: {
				shippingMethod: { id: 'S1', name: 'Standard delivery' },
				price: { taxType: 'GROSS', formatted: '7.32 €', amount: 7.32, currency: 'EUR' },
				taxes: [{ taxClass: { taxClassId: 'T', name: 'regular', percentage: 0 }, price: { amount: 0 } }],
			},
			paymentData: {
				paymentMethod: { id: 'P', name: 'Payment in advance', providerName: null, additionalData: null },
				transactionId: null,
				price: { taxType: 'GROSS', formatted: '0.00 €', amount: 0, currency: 'EUR' },
				status: null,
				taxes: null,
			},
			paidOn: null,
			lineItemContainer: {
				grandTotal: { amount: 196.05 },
				totalBeforeTax: { amount: 196.05 },
				totalTax: { amount: 0 },
				lineItemsSubTotal: { amount: 225.98 },
				productLineItems: [
					{
						lineItemId: 'L1',
						sku: 'HP-001-0006',
						name: 'Dr.Boom - Red Bass',
						quantity: { amount: 1, unit: 'piece(s)' },
						lineItemPrice: { amount: 199.99 },
						singleItemPrice: { amount: 199.99 },
						lineItemCouponDiscount: { amount: 1.7 },
						taxClass: { taxClassId: 'T', name: 'regular', percentage: 0 },
					},
				],
				couponLineItem: { couponLineItemId: 'C', couponCampaignId: 'CC', lineItemPrice: { amount: -1.7 } },
				shippingPrice: { amount: 7.32 },
				basketDiscount: { links: [] },
			},
		};
		const order = parseOrder(raw, { requireLineItems: true });
		expect(order.grandTotal).toBe(196.05);
		expect(order.raw.grandTotal).toBe(250.94);
		expect(order.shipping).toMatchObject({ price: 7.32, taxRate: 0 });
		expect(order.payment).toMatchObject({ fee: 0, taxRate: undefined, taxes: [] });
		expect(order.coupon).toEqual({ couponLineItemId: 'C', couponCampaignId: 'CC', amount: -1.7 });
		expect(order.basketDiscount).toBeUndefined();
		expect(order.lineItems[0]).toMatchObject({ taxRate: 0, couponDiscount: 1.7, quantity: 1, unit: 'piece(s)' });
		expect(order.status.paidOn).toBeNull();
		expect(order.status.archivedOn).toBeNull();

		const withDiscount = { ...raw, lineItemContainer: { ...raw.lineItemContainer, basketDiscount: { amount: -5 } } };
		expect(parseOrder(withDiscount, { requireLineItems: true }).basketDiscount).toBe(-5);
		const badDiscount = { ...raw, lineItemContainer: { ...raw.lineItemContainer, basketDiscount: { price: 'x' } } };
		expect(() => parseOrder(badDiscount, { requireLineItems: true })).toThrow(
			'order ORD151104/1033: lineItemContainer.basketDiscount is not a number',
		);
	});
});

describe('date parameters (toInstant)', () => {
	it.each([
		['2026-11-28T10:00:00.000Z', undefined, '2026-11-28T10:00:00.000Z'],
		['2026-11-28T10:00:00+01:00', 'Europe/Lisbon', '2026-11-28T09:00:00.000Z'],
		['2026-07-01T10:00:00', 'Europe/Lisbon', '2026-07-01T09:00:00.000Z'],
		['2026-12-01T10:00:00', 'Europe/Lisbon', '2026-12-01T10:00:00.000Z'],
		['2026-12-01T10:00:00', 'America/New_York', '2026-12-01T15:00:00.000Z'],
		['2026-12-01', 'Europe/Berlin', '2026-11-30T23:00:00.000Z'],
		['2026-12-01 08:30', undefined, '2026-12-01T08:30:00.000Z'],
		['2026-03-29T02:30:00', 'Europe/Lisbon', '2026-03-29T01:30:00.000Z'],
		[new Date('2026-11-28T10:00:00Z'), undefined, '2026-11-28T10:00:00.000Z'],
		[{ toMillis: () => Date.UTC(2026, 0, 2) }, undefined, '2026-01-02T00:00:00.000Z'],
	])('%j in %s → %s', (value, zone, expected) => {
		expect(new Date(toInstant(value, zone)!).toISOString()).toBe(expected);
	});

	it('empty is undefined, nonsense is NaN', () => {
		expect(toInstant('')).toBeUndefined();
		expect(toInstant(null)).toBeUndefined();
		expect(toInstant('yesterday')).toBeNaN();
		expect(toInstant('2026-02-30')).toBeNaN();
		expect(toInstant('31/01/2026')).toBeNaN();
	});
});
