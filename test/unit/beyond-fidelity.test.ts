/**
 * Issue 21, part 4: ePages Beyond as its API reference states (BYD-OAS, ePages-de/beyond-api-changelog
 * openapi.yaml @ 0c46b33d; /work/shared/reference/api-fidelity.md), the pure parts:
 *  - a pickup order's `pickupLineItem` (price and `lineItemTaxes`, like shipping) is its own invoice
 *    line with its own VAT, split by rate when its taxes hold several, and a full credit equals it;
 *  - the paid date is the latest `payment-paid` event of `GET /orders/{id}/events`;
 *  - "Invoice Date From: Paid Date" asks for that date (a `fetchPaidDate` gather step) instead of refusing.
 */
import type { IDataObject } from 'n8n-workflow';

import { orderFromBeyond } from '../../nodes/services/epagesBeyond/order';
import { paidDateFromEvents } from '../../nodes/services/epagesBeyond/orders';
import type { IxTax } from '../../nodes/services/invoicexpress/helpers/document';
import { invoiceDateFor, needsShopPaidDate } from '../../nodes/link/documentRules';
import { planOrder, type OrderToInvoiceParams } from '../../nodes/link/invoice/plan';
import { creditItems } from '../../nodes/link/mapping/creditNote';
import { mapOrderToDocument } from '../../nodes/link/mapping/orderToDocument';
import { lineLabels } from '../../nodes/link/mapping/components';
import { ixTotals } from '../../nodes/link/mapping/pricing';

const TAXES: IxTax[] = [
	{ id: 1, name: 'IVA23', value: 23, region: 'PT', default_tax: 1 },
	{ id: 2, name: 'IVA13', value: 13, region: 'PT', default_tax: 0 },
	{ id: 3, name: 'IVA6', value: 6, region: 'PT', default_tax: 0 },
] as unknown as IxTax[];
const OPTIONS = { date: '03/12/2026', dueDate: '03/12/2026', shipsFrom: 'PT' };

const gross = (amount: number) => ({ taxModel: 'GROSS', currency: 'EUR', amount });
const tax = (rate: number, amount: number) => ({ taxClass: rate === 0.23 ? 'REGULAR' : 'REDUCED', taxRate: rate, currency: 'EUR', amount });

/**
 * A Beyond pickup order as `GET /orders/{id}` renders one (BYD-OAS example: `shippingLineItem` null,
 * `pickupLineItem{pickupOption, lineItemPrice, initialLineItemPrice, lineItemTaxes, taxClass}`).
 */
function pickupOrder(lines: IDataObject[], pickupPrice: number, pickupTaxes: IDataObject[], grandTotal: number, over: IDataObject = {}): IDataObject {
	return {
		_id: 'b1022f57-efba-47a8-9261-f7e368088da1',
		orderNumber: '30001',
		createdAt: '2026-11-30T09:56:04.545',
		updatedAt: '2026-12-02T16:00:00.000',
		currency: 'EUR',
		taxModel: 'GROSS',
		productLineItems: lines,
		shippingLineItem: null,
		paymentLineItem: { lineItemPrice: gross(0), taxClass: 'REGULAR', paymentMethod: { id: 'p', name: 'Pagamento na loja' }, lineItemTaxes: [tax(0.23, 0)] },
		pickupLineItem: {
			pickupOption: { id: 'defeb27c-a2f4-4f47-a32e-48c99d67bad0', name: 'Loja do Chiado', taxClass: 'REGULAR', fixedPrice: gross(pickupPrice) },
			lineItemPrice: gross(pickupPrice),
			initialLineItemPrice: gross(pickupPrice),
			lineItemTaxes: pickupTaxes,
			taxClass: 'REGULAR',
		},
		couponLineItem: null,
		grandTotal: { currency: 'EUR', amount: grandTotal },
		billingAddress: { firstName: 'Rita', lastName: 'Lopes', street: 'Rua Garrett', houseNumber: '19', postalCode: '1200-203', city: 'Lisboa', country: 'PT', email: 'rita@example.com' },
		shippingAddress: null,
		paymentStatus: 'PAID',
		shippingStatus: 'READY_FOR_PICKUP',
		canceled: false,
		viewed: false,
		...over,
	};
}

const line = (id: string, sku: string, quantity: number, unit: number, rate: number, lineTax: number): IDataObject => ({
	_id: id,
	product: { _id: `p-${id}`, sku, name: sku },
	quantity,
	unitPrice: gross(unit),
	lineItemPrice: gross(Math.round(unit * quantity * 100) / 100),
	lineItemTax: tax(rate, lineTax),
});

/** One rate: 2 × 12.50 at 23 % and a 1.50 pickup fee at 23 % (tax 1.50 × 23/123 = 0.2805). */
const ONE_RATE = pickupOrder([line('l1', 'CF-250', 2, 12.5, 0.23, 4.6748)], 1.5, [tax(0.23, 0.2805)], 26.5);
/**
 * Two rates: 20.00 at 23 % and 10.00 at 6 %, a 2.00 pickup fee whose VAT the shop splits by the
 * basket's shares (2/3 at 23 %: 1.3333 → tax 0.2493; 1/3 at 6 %: 0.6667 → tax 0.0377).
 */
const TWO_RATES = pickupOrder([line('l1', 'CF-250', 1, 20, 0.23, 3.7398), line('l2', 'AZ-500', 2, 5, 0.06, 0.566)], 2, [tax(0.23, 0.2493), tax(0.06, 0.0377)], 32);

const items = (document: Record<string, unknown>) => document.items as IDataObject[];
const gross4 = (i: IDataObject) => Number(i.unit_price) * Number(i.quantity) * (1 + Number((TAXES.find((t) => t.name === (i.tax as IDataObject).name) as IxTax).value) / 100);

describe('a Beyond pickup order: the pickup fee is its own line, like shipping', () => {
	it('the adapter keeps pickupLineItem as pickupData (price, each VAT entry, the pickup option) beside shippingData', () => {
		const o = orderFromBeyond(TWO_RATES);
		expect(o.pickupData).toEqual({
			price: { amount: 2, currency: 'EUR', taxType: 'GROSS' },
			taxes: [
				{ taxClass: { percentage: 23 }, price: { amount: 0.2493, currency: 'EUR', taxType: 'NONE' } },
				{ taxClass: { percentage: 6 }, price: { amount: 0.0377, currency: 'EUR', taxType: 'NONE' } },
			],
			pickupOption: { id: 'defeb27c-a2f4-4f47-a32e-48c99d67bad0', name: 'Loja do Chiado' },
		});
		expect(o.shippingData).toBeNull();
		expect((o.lineItemContainer as IDataObject).shippingPrice).toBeNull();
		// An order without a pickup fee keeps exactly the shape it had.
		expect(orderFromBeyond({ ...TWO_RATES, pickupLineItem: null })).not.toHaveProperty('pickupData');
	});

	it('one rate: one "Taxa de recolha" line at 23 %, the invoice equal to the grand total to the cent', () => {
		const mapped = mapOrderToDocument(orderFromBeyond(ONE_RATE), TAXES, OPTIONS);
		expect(mapped.totalsCheck).toMatchObject({ order_total: 26.5, document_total: 26.5, difference: 0, matches: true });
		expect(items(mapped.document).map((i) => [i.name, i.quantity, (i.tax as IDataObject).name])).toEqual([
			['CF-250', 2, 'IVA23'],
			['Taxa de recolha', 1, 'IVA23'],
		]);
		expect(mapped.lines.map((l) => l.kind)).toEqual(['product', 'pickup']);
		expect(gross4(items(mapped.document)[1])).toBeCloseTo(1.5, 3);
		// VAT of 26.50 at 23 %: 21.54 + 4.96.
		expect(mapped.totalsCheck.vat_by_rate).toEqual([{ rate: 23, base: 21.54, tax: 4.96 }]);
	});

	it('two rates: the pickup fee is split into a 23 % and a 6 % line as its taxes say, to the cent', () => {
		const mapped = mapOrderToDocument(orderFromBeyond(TWO_RATES), TAXES, OPTIONS);
		expect(mapped.totalsCheck).toMatchObject({ order_total: 32, document_total: 32, difference: 0, matches: true });
		const doc = items(mapped.document);
		expect(doc.map((i) => [i.name, (i.tax as IDataObject).name])).toEqual([
			['CF-250', 'IVA23'],
			['AZ-500', 'IVA6'],
			['Taxa de recolha', 'IVA23'],
			['Taxa de recolha', 'IVA6'],
		]);
		// Each part is the amount whose VAT the shop stated: 2/3 and 1/3 of the fee, together the fee.
		expect(gross4(doc[2])).toBeCloseTo(1.3333, 2);
		expect(gross4(doc[3])).toBeCloseTo(0.6667, 2);
		expect(gross4(doc[2]) + gross4(doc[3])).toBeCloseTo(2, 3);
		const totals = ixTotals(mapped.lines);
		expect(totals.total).toBe(32);
		expect(totals.byRate.map((r) => r.rate)).toEqual([23, 6]);
	});

	it('a NET pickup order: the fee is net, its VAT on top, the invoice equal to the grand total', () => {
		const net = (amount: number) => ({ taxModel: 'NET', currency: 'EUR', amount });
		const order = pickupOrder([{ ...line('l1', 'CF-250', 1, 10, 0.23, 2.3), unitPrice: net(10), lineItemPrice: net(10) }], 1, [tax(0.23, 0.23)], 13.53, { taxModel: 'NET' });
		(order.pickupLineItem as IDataObject).lineItemPrice = net(1);
		const mapped = mapOrderToDocument(orderFromBeyond(order), TAXES, OPTIONS);
		expect(mapped.totalsCheck).toMatchObject({ order_total: 13.53, document_total: 13.53, matches: true });
		expect(items(mapped.document)[1]).toMatchObject({ name: 'Taxa de recolha', unit_price: 1 });
	});

	it('invoices identically to the same order in the package (Now) shape, and to the same fee as shipping but for its name', () => {
		const beyond = orderFromBeyond(TWO_RATES);
		const asNow: IDataObject = {
			orderId: 'N-1',
			orderNumber: '30001',
			currencyId: 'EUR',
			taxModel: 'GROSS',
			billingAddress: { firstName: 'Rita', lastName: 'Lopes', street: 'Rua Garrett 19', zipCode: '1200-203', city: 'Lisboa', country: 'PT', emailAddress: 'rita@example.com' },
			pickupData: {
				price: { amount: 2, currency: 'EUR', taxType: 'GROSS' },
				taxes: [
					{ taxClass: { percentage: 23 }, price: { amount: 0.2493 } },
					{ taxClass: { percentage: 6 }, price: { amount: 0.0377 } },
				],
			},
			lineItemContainer: {
				grandTotal: { amount: 32, currency: 'EUR' },
				productLineItems: [
					{ sku: 'CF-250', name: 'CF-250', quantity: { amount: 1 }, lineItemPrice: { amount: 20 }, taxClass: { percentage: 23 } },
					{ sku: 'AZ-500', name: 'AZ-500', quantity: { amount: 2 }, lineItemPrice: { amount: 10 }, taxClass: { percentage: 6 } },
				],
			},
		};
		const a = mapOrderToDocument(beyond, TAXES, OPTIONS);
		const b = mapOrderToDocument(asNow, TAXES, OPTIONS);
		expect(a.document).toEqual(b.document);
		expect(a.totalsCheck).toEqual(b.totalsCheck);
		const asShipping = mapOrderToDocument({ ...asNow, pickupData: undefined, shippingData: asNow.pickupData }, TAXES, OPTIONS);
		const rename = (list: IDataObject[]) => list.map((i) => ({ ...i, name: 'fee', description: 'fee' }));
		expect(rename(items(asShipping.document)).slice(2)).toEqual(rename(items(a.document)).slice(2));
		expect(asShipping.totalsCheck).toEqual(a.totalsCheck);
	});

	it('the label is in the order\'s language, or the merchant\'s own; a pickup fee without its VAT is refused naming the field', () => {
		expect(lineLabels('en_GB').pickup).toBe('Pickup fee');
		expect([lineLabels('pt_PT'), lineLabels('es'), lineLabels('fr_FR'), lineLabels('de-DE'), lineLabels(undefined)].map((l) => l.pickup)).toEqual([
			'Taxa de recolha',
			'Tarifa de recogida',
			'Frais de retrait',
			'Abholgebühr',
			'Taxa de recolha',
		]);
		const english = mapOrderToDocument({ ...orderFromBeyond(ONE_RATE), locale: 'en_GB' }, TAXES, OPTIONS);
		expect(items(english.document)[1].name).toBe('Pickup fee');
		const own = mapOrderToDocument(orderFromBeyond(ONE_RATE), TAXES, { ...OPTIONS, pickupLabel: 'Levantamento na loja' });
		expect(items(own.document)[1].name).toBe('Levantamento na loja');
		const untaxed = { ...ONE_RATE, pickupLineItem: { ...(ONE_RATE.pickupLineItem as IDataObject), lineItemTaxes: undefined } };
		expect(() => mapOrderToDocument(orderFromBeyond(untaxed), TAXES, OPTIONS)).toThrow('order 30001: pickupData.taxes is missing: the VAT rate of this charge is unknown');
	});

	it('a full credit of the pickup-fee invoice equals it to the cent; "Credit Shipping" credits the pickup fee lines', () => {
		const mapped = mapOrderToDocument(orderFromBeyond(TWO_RATES), TAXES, OPTIONS);
		// The invoice as InvoicExpress answers it: 4-decimal prices and quantities as strings.
		const invoice: IDataObject = {
			id: 77,
			total: mapped.totalsCheck.document_total,
			items: items(mapped.document).map((i) => {
				const t = TAXES.find((x) => x.name === (i.tax as IDataObject).name) as IxTax;
				return { ...i, unit_price: Number(i.unit_price).toFixed(4), quantity: Number(i.quantity).toFixed(2), tax: { id: t.id, name: t.name, value: t.value } };
			}),
		};
		const full = creditItems(invoice, { kind: 'full' }, 'order 30001');
		expect(full.total).toBe(32);
		expect(full.items).toHaveLength(4);
		const fee = creditItems(invoice, { kind: 'lines', lines: [], shipping: true, paymentFee: false }, 'order 30001');
		expect(fee.items.map((i) => [i.name, i.tax.name])).toEqual([
			['Taxa de recolha', 'IVA23'],
			['Taxa de recolha', 'IVA6'],
		]);
		expect(fee.total).toBe(2);
	});
});

describe('the paid date of a Beyond order: its latest payment-paid event', () => {
	const NOW = Date.parse('2026-12-05T12:00:00Z');
	/** Events as BYD-OAS order-events-list shows them: newest first, nanosecond times without a zone. */
	const event = (type: string, createdAt: string, over: IDataObject = {}): IDataObject => ({ type, triggeredBy: null, comment: null, createdAt, details: {}, ...over });

	it('reads the payment-paid time (nanoseconds, no zone: UTC) among the other events', () => {
		const events = [
			event('invoice-created', '2026-11-30T09:56:05.162459829'),
			event('payment-paid', '2026-11-30T09:56:04.784611568', { triggeredBy: 'user', comment: 'Received by bank transfer', details: { amount: { currency: 'EUR', amount: 62.44 } } }),
			event('payment-created', '2026-11-30T09:56:04.591564176'),
			event('order-created', '2026-11-30T09:56:04.545041592'),
		];
		expect(paidDateFromEvents(events, NOW)).toEqual({ paidAt: '2026-11-30T09:56:04.784Z' });
	});

	it('a payment paid again (voided, then paid) or in several processes: the latest payment-paid, whatever the listing order', () => {
		const events = [
			event('payment-paid', '2026-11-02T08:00:00.000'),
			event('payment-voided', '2026-11-03T08:00:00.000'),
			event('payment-paid', '2026-11-04T23:30:00.000000001'),
			event('payment-created', '2026-11-01T08:00:00.000'),
		];
		expect(paidDateFromEvents(events, NOW)).toEqual({ paidAt: '2026-11-04T23:30:00.000Z' });
	});

	it('no payment-paid event, an unreadable time, or a time in the future (not UTC) is a problem, never a fallback', () => {
		expect(paidDateFromEvents([event('order-created', '2026-11-30T09:56:04.545'), event('payment-status-updated', '2026-11-30T10:00:00')], NOW)).toEqual({
			problem: 'its events (2) have no payment-paid event, so the shop does not say when it was paid',
		});
		expect(paidDateFromEvents([], NOW)).toMatchObject({ problem: expect.stringContaining('no payment-paid event') });
		expect(paidDateFromEvents([event('payment-paid', 'yesterday')], NOW)).toEqual({ problem: 'a payment-paid event has an unreadable time (createdAt "yesterday")' });
		expect(paidDateFromEvents([event('payment-paid', undefined as unknown as string)], NOW)).toMatchObject({ problem: expect.stringContaining('unreadable time') });
		// A shop writing Central European time: paid a minute ago reads as 59 minutes ahead.
		expect(paidDateFromEvents([event('payment-paid', '2026-12-05T12:59:00')], NOW)).toMatchObject({ problem: expect.stringContaining('is later than now: the shop\'s times are not UTC') });
		// A few minutes ahead is a clock, not a zone.
		expect(paidDateFromEvents([event('payment-paid', '2026-12-05T12:05:00')], NOW)).toEqual({ paidAt: '2026-12-05T12:05:00.000Z' });
	});
});

describe('"Invoice Date From: Paid Date" for a Beyond order', () => {
	const order = orderFromBeyond(ONE_RATE);
	const PARAMS: OrderToInvoiceParams = {
		documentType: 'invoice',
		finalize: true,
		sendEmail: false,
		attachPdf: false,
		dryRun: false,
		matchBy: 'name',
		connectEPages: true,
		platform: 'beyond',
		writeBack: false,
		options: { dateFrom: 'paid' },
	};
	const plan = (params: Partial<OrderToInvoiceParams> = {}, paidDate?: string) =>
		planOrder({ params: { ...PARAMS, ...params }, order, taxes: TAXES, today: '05/12/2026', ...(paidDate ? { paidDate } : {}) });

	it('asks for the paid date (a gather step) only for a paid Beyond order whose date comes from it', () => {
		expect(needsShopPaidDate(order, undefined, 'paid')).toBe(true);
		expect(needsShopPaidDate(order, '01/12/2026', 'paid')).toBe(false);
		expect(needsShopPaidDate(order, undefined, 'created')).toBe(false);
		expect(needsShopPaidDate({ ...order, paidOn: null }, undefined, 'paid')).toBe(false);
		expect(needsShopPaidDate({ ...order, _beyond: undefined }, undefined, 'paid')).toBe(false);
		expect(plan()).toEqual({ kind: 'gather', steps: [{ kind: 'fetchPaidDate' }] });
	});

	it('with the paid date gathered, the invoice is dated its Lisbon calendar day, not the last change, and not refused', () => {
		// 23:30 UTC on 30 June is 1 July in Lisbon (summer time, UTC+1); the order last changed on 2 December.
		const planned = plan({}, '2026-06-30T23:30:00.000Z');
		expect(planned.kind).toBe('invoice');
		expect(planned.kind === 'invoice' && planned.mapped.document.date).toBe('01/07/2026');
		expect(invoiceDateFor(order, undefined, 'paid', '05/12/2026', 'order 30001', '2026-11-30T09:56:04.784Z')).toEqual({ ok: true, value: '30/11/2026' });
	});

	it('not connected to the shop: refused before anything is sent, saying what to set', () => {
		// (Connected to another platform, the order is refused earlier: link/shops.ts chooseShop.)
		const planned = plan({ connectEPages: false });
		expect(planned).toMatchObject({ kind: 'refuse', stage: 'parameters', message: 'order 30001: "Invoice Date From" is the paid date, and an ePages Beyond order says when it was paid only in its events in the shop' });
		expect(planned.kind === 'refuse' && planned.description).toContain('Platform "ePages Beyond"');
		// An unpaid Beyond order is refused as any unpaid order is, without asking the shop.
		expect(planOrder({ params: PARAMS, order: { ...order, paidOn: null }, taxes: TAXES, today: '05/12/2026' })).toMatchObject({ kind: 'refuse', message: 'order 30001: "Invoice Date From" is the paid date, but the order has no paidOn' });
	});
});
