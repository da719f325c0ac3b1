import { InputError } from '../../nodes/services/invoicexpress/helpers/client';
import type { IxTax } from '../../nodes/services/invoicexpress/helpers/document';
import { mapOrderToDocument, type MappedOrder, type MappingOptions } from '../../nodes/link/mapping/orderToDocument';
import { ixTotals, priceLines, type OrderComponent, type PricedLine } from '../../nodes/link/mapping/pricing';
import { isErrorFixture, loadOrderFixtures, type ExpectedDocument, type OrderFixture } from '../harness/orderFixtures';
import { DEFAULT_TAXES } from '../sandbox/invoicexpress';

/** The sandbox's default taxes, as the node reads them from /taxes.json. */
const TAXES: IxTax[] = DEFAULT_TAXES.map((t) => ({ ...t }));
const fixtures = loadOrderFixtures();
const errors = fixtures.filter(isErrorFixture);
const documents = fixtures.filter((f) => !isErrorFixture(f)) as Array<OrderFixture & { expected: ExpectedDocument }>;

interface DocItem {
	name: string;
	description: string;
	unit_price: number;
	quantity: number;
	unit?: string;
	discount?: number;
	tax?: { name: string };
}

function map(f: OrderFixture) {
	return mapOrderToDocument(f.order, TAXES, { date: '2026-11-28', ...(f.options as Partial<MappingOptions>) });
}

const rateOf = (taxName: string | undefined): number => {
	const tax = TAXES.find((t) => t.name === taxName);
	if (!tax) throw new Error(`item without a tax of the account: ${String(taxName)}`);
	return tax.value;
};

/** Half-up to cents, as InvoicExpress rounds: written here, not imported, so the test checks the code. */
function cents(value: number): number {
	return Math.round(Number((value * 100).toFixed(6))) / 100;
}

const decimals = (x: number) => {
	const s = String(x);
	return s.includes('e') ? 99 : (s.split('.')[1] ?? '').length;
};

describe('order fixtures', () => {
	it('are at least 25, with the required cases, one order each', () => {
		expect(fixtures.length).toBeGreaterThanOrEqual(25);
		expect(errors.length).toBeGreaterThan(0);
		for (const f of fixtures) {
			expect(f.file).toMatch(/^\d\d-[a-z0-9.-]+\.json$/);
			expect(typeof f.description).toBe('string');
			expect(f.order).toBeDefined();
		}
	});
});

describe('mapping of the order fixtures: documents', () => {
	describe.each(documents.map((f) => [f.file, f] as const))('%s', (_file, f) => {
		const expected = f.expected;
		// Mapped in beforeAll: an order that cannot be mapped fails its own tests, not the whole file.
		let mapped: MappedOrder;
		let doc: Record<string, unknown>;
		let items: DocItem[];
		beforeAll(() => {
			mapped = map(f);
			doc = mapped.document;
			items = doc.items as DocItem[];
		});

		it('has the order total to the cent by InvoicExpress arithmetic (ixTotals and recomputed)', () => {
			const priced: PricedLine[] = items.map((i) => ({
				kind: 'product',
				name: i.name,
				description: i.description,
				unitPrice: i.unit_price,
				quantity: i.quantity,
				discount: i.discount ?? 0,
				taxRate: rateOf(i.tax?.name),
			}));
			expect(ixTotals(priced).total).toBe(expected.total);
			const unrounded = items.reduce(
				(sum, i) => sum + i.unit_price * i.quantity * (1 - (i.discount ?? 0) / 100) * (1 + rateOf(i.tax?.name) / 100),
				0,
			);
			expect(cents(unrounded)).toBe(expected.total);
			expect(mapped.totalsCheck).toMatchObject({ order_total: expected.total, document_total: expected.total, difference: 0, matches: true });
		});

		it('has the expected lines: names, quantities, taxes and kinds, in order', () => {
			expect(items.map((i) => ({ name: i.name, quantity: i.quantity, tax: i.tax?.name }))).toEqual(
				expected.lines.map((l) => ({ name: l.name, quantity: l.quantity, tax: l.tax })),
			);
			expect(mapped.lines.map((l) => l.kind)).toEqual(expected.lines.map((l) => l.kind));
		});

		it('sends no negative line, unit prices with at most 4 decimals and quantities with at most 2', () => {
			for (const i of items) {
				expect(i.unit_price).toBeGreaterThanOrEqual(0);
				expect(decimals(i.unit_price)).toBeLessThanOrEqual(4);
				expect(i.quantity).toBeGreaterThan(0);
				expect(decimals(i.quantity)).toBeLessThanOrEqual(2);
				if (i.discount !== undefined) {
					expect(i.discount).toBeGreaterThan(0);
					expect(i.discount).toBeLessThanOrEqual(100);
				}
				expect(i.description.trim()).not.toBe('');
			}
		});

		it('carries the client data of the order', () => {
			expect(mapped.client).toEqual(expect.objectContaining(expected.client));
			if (!expected.client.fiscal_id) expect(mapped.client.fiscal_id).toBeUndefined();
			if (!expected.client.email) expect(mapped.client.email).toBeUndefined();
			expect(doc.client).toEqual(mapped.client);
			expect([...mapped.client.name].length).toBeLessThanOrEqual(100);
		});

		it("has the shop's VAT per rate within a cent", () => {
			const byRate = new Map<number, number>();
			for (const i of items) {
				const rate = rateOf(i.tax?.name);
				const net = i.unit_price * i.quantity * (1 - (i.discount ?? 0) / 100);
				byRate.set(rate, (byRate.get(rate) ?? 0) + (net * rate) / 100);
			}
			for (const { rate, tax } of expected.vatByRate ?? []) {
				expect(Math.abs(cents(byRate.get(rate) ?? 0) - tax)).toBeLessThanOrEqual(0.01 + 1e-9);
			}
			const shopRates = new Set((expected.vatByRate ?? []).map((v) => v.rate));
			for (const rate of byRate.keys()) expect(shopRates.has(rate)).toBe(true);
		});

		it('references the order number, caps the observations, and carries exemption and currency', () => {
			expect(doc.reference).toBe(String(f.order.orderNumber));
			const comment = typeof f.order.customerComment === 'string' ? f.order.customerComment.trim() : '';
			if (comment) {
				const obs = String(doc.observations);
				expect([...obs].length).toBeLessThanOrEqual(200);
				// The comment as plain text (markup removed: fixture 48), capped.
				const plain = f.expected && 'observations' in f.expected ? String(f.expected.observations) : comment;
				expect(plain.startsWith([...obs].slice(0, 150).join(''))).toBe(true);
			} else {
				expect(doc.observations).toBeUndefined();
			}
			expect(doc.tax_exemption).toBe(expected.taxExemption);
			if (expected.currency) {
				expect(doc.currency_code).toBe(expected.currency);
				expect(Number(doc.rate)).toBe(f.options.exchangeRate);
			} else {
				expect(doc.currency_code).toBeUndefined();
			}
			expect(doc.date).toBe('28/11/2026');
		});
	});
});

describe('mapping of the order fixtures: errors', () => {
	it.each(errors.map((f) => [f.file, f] as const))('%s', (_file, f) => {
		let thrown: unknown;
		try {
			map(f);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(InputError);
		expect((thrown as Error).message).toBe(f.expected.error);
	});
});

// -------------------------------------------------------------------------------------------------

const gross = (amount: number, taxRate: number, quantity = 1, discount = 0): OrderComponent => ({
	kind: 'product',
	name: 'X',
	description: 'X',
	quantity,
	amount,
	discount,
	taxRate,
});

describe('ixTotals', () => {
	it('rounds once per document, not per line (reference §10: 2 × 16.0377 + 2 × 11.3208 at 6 % = 58.00)', () => {
		const lines: PricedLine[] = [
			{ kind: 'product', name: 'A', description: 'A', unitPrice: 16.0377, quantity: 2, discount: 0, taxRate: 6 },
			{ kind: 'product', name: 'B', description: 'B', unitPrice: 11.3208, quantity: 2, discount: 0, taxRate: 6 },
		];
		expect(ixTotals(lines)).toEqual({ beforeTaxes: 54.72, taxes: 3.28, total: 58, byRate: [{ rate: 6, base: 54.72, tax: 3.28 }] });
	});

	it('applies line discounts before VAT and reports each rate', () => {
		const lines: PricedLine[] = [
			{ kind: 'product', name: 'A', description: 'A', unitPrice: 24.3902, quantity: 1, discount: 0, taxRate: 23 },
			{ kind: 'product', name: 'B', description: 'B', unitPrice: 10, quantity: 3, discount: 10, taxRate: 6 },
		];
		expect(ixTotals(lines)).toEqual({
			beforeTaxes: 51.39,
			taxes: 7.23,
			total: 58.62,
			byRate: [
				{ rate: 23, base: 24.39, tax: 5.61 },
				{ rate: 6, base: 27, tax: 1.62 },
			],
		});
	});
});

describe('priceLines', () => {
	it('converts gross amounts to net unit prices with 4 decimals and hits the total without nudging when it can', () => {
		const result = priceLines([gross(30, 23), gross(34, 6, 2), gross(24, 6, 2)], 'GROSS', 88);
		expect(result.lines.map((l) => l.unitPrice)).toEqual([24.3902, 16.0377, 11.3208]);
		expect(result).toMatchObject({ difference: 0, adjustedLines: 0, expectedTotal: 88 });
	});

	it('closes a sub-cent gap by moving a unit price by 0.0001 steps', () => {
		// A NET shop rounds its VAT per rate (17.70 × 23 % = 4.071 → 4.07; 10.90 × 6 % = 0.654 → 0.65): 33.32;
		// one rounding per document would give 33.33.
		const net = priceLines([{ ...gross(17.7, 23), amount: 17.7 }, { ...gross(10.9, 6), amount: 10.9 }], 'NET', 33.32);
		const naive = cents(17.7 * 1.23 + 10.9 * 1.06);
		expect(naive).toBe(33.33);
		expect(net.difference).toBe(0);
		expect(net.adjustedLines).toBeGreaterThan(0);
		expect(net.totals.total).toBe(33.32);
		for (const [i, line] of net.lines.entries()) {
			const original = [17.7, 10.9][i];
			expect(Math.abs(line.unitPrice - original)).toBeLessThan(0.01);
		}
	});

	it('reports a 1-euro gap instead of hiding it, and leaves the prices as converted', () => {
		const components = [gross(30, 23), gross(12.9, 6, 2)];
		const honest = priceLines(components, 'GROSS', 42.9);
		const wrong = priceLines(components, 'GROSS', 43.9);
		expect(honest.difference).toBe(0);
		expect(wrong.difference).toBe(-1);
		expect(wrong.adjustedLines).toBe(0);
		expect(wrong.lines.map((l) => l.unitPrice)).toEqual(honest.lines.map((l) => l.unitPrice));
		expect(wrong.totals.total).toBe(42.9);
	});

	it('reports a 5-cent gap on small amounts too', () => {
		const wrong = priceLines([gross(9.99, 23)], 'GROSS', 10.04);
		expect(wrong.difference).toBe(-0.05);
		expect(wrong.adjustedLines).toBe(0);
	});

	it('never produces a negative unit price, even with a 100 % discount', () => {
		const result = priceLines([gross(10, 23, 1, 10), gross(5, 23)], 'GROSS', 5);
		expect(result.lines.every((l) => l.unitPrice >= 0)).toBe(true);
		expect(result.difference).toBe(0);
	});

	it('shows a coupon as a line discount percentage, or folds it into the unit price', () => {
		const asDiscount = priceLines([gross(20, 23, 2, 2)], 'GROSS', 18);
		expect(asDiscount.lines[0]).toMatchObject({ discount: 10, quantity: 2 });
		const asPrice = priceLines([gross(20, 23, 2, 2)], 'GROSS', 18, 'netPrice');
		expect(asPrice.lines[0]).toMatchObject({ discount: 0, unitPrice: 7.3171 });
		expect(asDiscount.totals.total).toBe(18);
		expect(asPrice.totals.total).toBe(18);
	});
});


describe('shipping and payment-fee line labels in the order language (issue 15)', () => {
	const fixture = loadOrderFixtures().find((f) => f.file.startsWith('07-payment-fee'))!;
	const labelsOf = (locale: string | undefined, options: Partial<MappingOptions> = {}) => {
		const order = { ...(fixture.order as Record<string, unknown>), locale };
		const mapped = mapOrderToDocument(order, TAXES, { ...fixture.options, date: '28/11/2026', dueDate: '28/11/2026', ...options } as Partial<MappingOptions>);
		return mapped.lines.filter((l) => l.kind !== 'product').map((l) => l.name);
	};

	it.each([
		['pt_PT', ['Portes de envio', 'Taxa de pagamento']],
		['en_GB', ['Shipping', 'Payment fee']],
		['es_ES', ['Gastos de envío', 'Comisión de pago']],
		['fr-FR', ['Frais de livraison', 'Frais de paiement']],
		['de_DE', ['Versandkosten', 'Zahlungsgebühr']],
		['el_GR', ['Portes de envio', 'Taxa de pagamento']],
		[undefined, ['Portes de envio', 'Taxa de pagamento']],
	])('%s → %j', (locale, expected) => expect(labelsOf(locale)).toEqual(expected));

	it("the merchant's labels win over the order language", () => {
		expect(labelsOf('en_GB', { shippingLabel: 'Envio CTT', paymentFeeLabel: ' ' })).toEqual(['Envio CTT', 'Payment fee']);
	});
});
