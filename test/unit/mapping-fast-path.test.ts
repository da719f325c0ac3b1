/**
 * Orders and document items are checked by their zod schemas alone (the zod-free mirrors are gone:
 * under 1 ms per order is enough). The country and rounding helpers take shortcuts: each must give
 * exactly what the slow path gives, on the fixtures and on variants that leave the shortcut.
 */
import { countryIso, IX_COUNTRY_BY_ISO } from '../../nodes/services/invoicexpress/helpers/countries';
import { buildDocumentBody, itemInputSchema, roundHalfUp, type IxTax } from '../../nodes/services/invoicexpress/helpers/document';
import { orderSchema } from '../../nodes/shared/order';
import { mapOrderToDocument, parseInvoiceableOrder, type MappingOptions } from '../../nodes/link/mapping/orderToDocument';

import { isErrorFixture, loadOrderFixtures } from '../harness/orderFixtures';
import { DEFAULT_TAXES } from '../sandbox/invoicexpress';

const TAXES: IxTax[] = DEFAULT_TAXES.map((t) => ({ ...t }));
const valid = loadOrderFixtures().filter((f) => !isErrorFixture(f));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
type Order = Record<string, unknown> & {
	lineItemContainer: { productLineItems: Array<Record<string, unknown> & { taxClass: { percentage: unknown } }> };
};

describe('order validation: the order schema decides', () => {
	it.each(valid.map((f) => [f.file, f] as const))('%s: same order as the schema returns', (_file, f) => {
		expect(parseInvoiceableOrder(f.order)).toEqual(orderSchema.parse(f.order));
	});

	it('hands what needs coercion to the schema: a rate as text maps like the number', () => {
		const f = valid[0];
		const asText = clone(f.order) as Order;
		for (const line of asText.lineItemContainer.productLineItems) line.taxClass.percentage = String(line.taxClass.percentage);
		expect(parseInvoiceableOrder(asText)).toEqual(orderSchema.parse(asText));
		const options = { date: '2026-11-28', ...(f.options as Partial<MappingOptions>) };
		expect(mapOrderToDocument(asText, TAXES, options)).toEqual(mapOrderToDocument(f.order, TAXES, options));
	});

	it.each([
		['a line without a tax class', (o: Order) => delete (o.lineItemContainer.productLineItems[0] as Record<string, unknown>).taxClass, /productLineItems\.0\.taxClass is missing/],
		['a hole in the line list', (o: Order) => (o.lineItemContainer.productLineItems.length += 1), /productLineItems\.\d+ is missing/],
		['an address field that is a number', (o: Order) => ((o.billingAddress as Record<string, unknown>).city = 1000), /billingAddress\.city/],
		['a rate that is NaN', (o: Order) => (o.lineItemContainer.productLineItems[0].taxClass.percentage = NaN), /taxClass\.percentage is not a number/],
		['taxModel in lower case', (o: Order) => (o.taxModel = 'gross'), /taxModel must be GROSS or NET/],
		['basket discount as a list', (o: Order) => ((o.lineItemContainer as Record<string, unknown>).basketDiscount = []), /basketDiscount/],
		// Read as "no charge" before the one money(): now the field is named.
		['a shipping price as display text', (o: Order) => ((o as Record<string, Record<string, unknown>>).shippingData.price = '7.32 €'), /shippingData\.price is not an amount/],
		['a payment fee without amount', (o: Order) => ((o as Record<string, Record<string, unknown>>).paymentData.price = { formatted: '1.00 €' }), /paymentData\.price is not an amount/],
	])('rejects %s with the schema message', (_name, change, message) => {
		const order = clone(valid[0].order) as Order;
		change(order);
		expect(orderSchema.safeParse(order).success).toBe(false);
		expect(() => parseInvoiceableOrder(order)).toThrow(message);
	});
});

describe('document items: the item schema decides', () => {
	const base = { date: '2026-11-28', dueDate: '2026-11-28', client: { name: 'Ana Silva', code: 'Ana Silva' } };

	it('typed items and the same items as text or snake_case give the same body', () => {
		const typed = [
			{ name: 'SKU-1', description: 'Caneca', unitPrice: 8.1301, quantity: 2, unit: 'unit', discount: 12.5, tax: 'IVA23' },
			{ name: 'SKU-2', unitPrice: 0, quantity: 1, tax: 'IVA6' },
		];
		const loose = [
			{ name: 'SKU-1', description: 'Caneca', unit_price: '8.1301', quantity: '2', unit: 'unit', discount: '12.5', tax: { name: 'IVA23' } },
			{ name: 'SKU-2', unitPrice: '0', quantity: '1', tax: 'IVA6' },
		];
		expect(buildDocumentBody({ ...base, items: typed }, TAXES)).toEqual(buildDocumentBody({ ...base, items: loose }, TAXES));
		expect(itemInputSchema.parse(loose[0])).toEqual(typed[0]);
	});

	it.each([
		[{ name: '', unitPrice: 1, quantity: 1 }, 'item 1: name is empty'],
		[{ name: 'A', unitPrice: NaN, quantity: 1 }, 'item 1: unitPrice: unit price is not a number'],
		[{ name: 'A', unitPrice: 1, quantity: 1, description: null }, 'item 1: description: Expected string, received null'],
	])('still words a bad item as the schema does: %j', (item, message) => {
		expect(() => buildDocumentBody({ ...base, items: [item] }, TAXES)).toThrow(message);
	});
});

describe('countryIso from the table built once', () => {
	it('gives, for every name of the table, the first ISO code that has it', () => {
		for (const [iso, name] of Object.entries(IX_COUNTRY_BY_ISO)) {
			const first = Object.entries(IX_COUNTRY_BY_ISO).find(([, n]) => n === name)?.[0];
			expect([iso, countryIso(name)]).toEqual([iso, first]);
			expect(countryIso(iso)).toBe(first);
		}
		expect(countryIso('UK')).toBe('GB');
		expect(countryIso('Great Britain')).toBe('GB');
		expect(countryIso('Atlantis')).toBeUndefined();
	});
});

describe('roundHalfUp shortcut', () => {
	/** The rounding before the shortcut: always through 15 significant digits. */
	const reference = (value: number, decimals: number) => {
		const factor = 10 ** decimals;
		return (Math.sign(value) * Math.round(Number((Math.abs(value) * factor).toPrecision(15)))) / factor;
	};

	it('agrees with rounding through 15 significant digits, half-way cases included', () => {
		let seed = 11;
		const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
		const differences: Array<[number, number]> = [];
		const check = (v: number, d: number) => {
			if (!Object.is(roundHalfUp(v, d), reference(v, d))) differences.push([v, d]);
		};
		for (let i = 0; i < 60000; i++) {
			const decimals = [0, 2, 4][i % 3];
			const cents = Math.round(rnd() * 1e7) / 100;
			for (const v of [cents, cents / 1.23, cents * 1.06, (Math.floor(rnd() * 1e7) + 0.5) / 10 ** decimals, -cents / 1.13]) check(v, decimals);
		}
		for (const v of [1.005, 2.675, -1.005, 1.0049999999999999, 0.5, 2.5, 1e15 + 0.5, 1e20, Infinity, NaN]) for (const d of [0, 2, 4]) check(v, d);
		expect(differences.slice(0, 5)).toEqual([]);
	});
});
