import type { Order } from '../../nodes/shared/order';
import type { InputError } from '../../nodes/services/invoicexpress/helpers/client';
import type { IxTax } from '../../nodes/services/invoicexpress/helpers/document';
import { portugueseRegion, taxForRate, taxPlace } from '../../nodes/link/mapping/taxPlace';

/** Issue 12: the VAT of the place the goods go to, never a tax picked by its rate alone. */

const TAXES: IxTax[] = [
	{ name: 'IVA23', value: 23, region: 'PT' },
	{ name: 'IVA13', value: 13, region: 'PT' },
	{ name: 'IVA6', value: 6, region: 'PT' },
	{ name: 'IVA0', value: 0, region: 'PT' },
	{ name: 'IVA22', value: 22, region: 'PT-MA' },
	{ name: 'IVA16', value: 16, region: 'PT-AC' },
	{ name: 'IVA4 Açores', value: 4, region: 'PT-AC' },
	{ name: 'IVA4 Madeira', value: 4, region: 'PT-MA' },
	{ name: 'IE23', value: 23, region: 'IE' },
	{ name: 'IVA21', value: 21, region: 'ES' },
];

const order = (ship: { country?: string; zipCode?: string } | null, bill: { country?: string; zipCode?: string } = { country: 'PT', zipCode: '1000-001' }) =>
	({ orderNumber: '1', billingAddress: bill, shippingAddress: ship }) as unknown as Order;

const pick = (rate: number, o: Order, taxes = TAXES, extra: { taxRegion?: string; taxMapping?: Array<{ rate: number; taxName: string }> } = {}) => {
	const choice = { taxRegion: extra.taxRegion ?? 'PT', taxMapping: extra.taxMapping ?? [] };
	return taxForRate(rate, taxes, taxPlace(o, taxes, choice.taxRegion, 'order 1: '), choice, 'order 1: ');
};

const failure = (fn: () => unknown): InputError => {
	try {
		fn();
	} catch (error) {
		return error as InputError;
	}
	throw new Error('expected an error');
};

describe('portugueseRegion: the postal code tells the Azores and Madeira from the mainland', () => {
	it.each([
		['1000-001', 'PT'],
		['8999-999', 'PT'],
		['9000-042', 'PT-MA'],
		['9400-010', 'PT-MA'], // Porto Santo
		['9499', 'PT-MA'],
		['9500-066', 'PT-AC'],
		['9999-999', 'PT-AC'],
		[' 9500 066 ', 'PT-AC'],
		['PT-9000-042', 'PT-MA'],
	])('%s → %s', (zip, region) => expect(portugueseRegion(zip)).toBe(region));

	it.each(['', '123', '0999-000', 'Funchal', '90000', undefined])('%s is not a Portuguese postal code', (zip) => expect(portugueseRegion(zip)).toBeUndefined());
});

describe('taxForRate by the place of the sale', () => {
	it('mainland, Madeira and Azores addresses take their own region, whatever the home region', () => {
		expect(pick(23, order({ country: 'PT', zipCode: '4000-123' }), TAXES, { taxRegion: 'PT-MA' })).toBe('IVA23');
		expect(pick(22, order({ country: 'PT', zipCode: '9000-042' }))).toBe('IVA22');
		expect(pick(16, order({ country: 'PT', zipCode: '9500-066' }))).toBe('IVA16');
		expect(pick(4, order({ country: 'PT', zipCode: '9500-066' }))).toBe('IVA4 Açores');
		expect(pick(4, order({ country: 'PT', zipCode: '9050-100' }))).toBe('IVA4 Madeira');
	});

	it("Madeira's 22 % is never used for a mainland address, nor mainland 23 % for Madeira", () => {
		expect(failure(() => pick(22, order({ country: 'PT', zipCode: '1000-001' }))).message).toBe(
			'order 1: no tax of 22 % for region PT in this InvoicExpress account (22 % VAT for mainland Portugal (postal code 1000-001), from shippingAddress)',
		);
		expect(failure(() => pick(23, order({ country: 'PT', zipCode: '9000-042' }))).message).toContain('no tax of 23 % for region PT-MA');
	});

	it('the shipping address decides; without one, the billing address', () => {
		expect(pick(22, order({ country: 'PT', zipCode: '9000-042' }, { country: 'PT', zipCode: '1000-001' }))).toBe('IVA22');
		expect(pick(22, order(null, { country: 'PT', zipCode: '9000-042' }))).toBe('IVA22');
		expect(pick(22, order({ zipCode: '' }, { country: 'PT', zipCode: '9000-042' }))).toBe('IVA22');
	});

	it('a Slovenian 22 % B2C sale never takes Madeira’s 22 %: with an SI tax it is OSS, without one a clear error', () => {
		const si = order({ country: 'SI', zipCode: '1000' });
		const error = failure(() => pick(22, si));
		expect(error.message).toBe(
			'order 1: no tax of 22 % for region PT in this InvoicExpress account (22 % VAT for mainland Portugal (a sale to SI taxed in Portugal: the account has no taxes of SI), from shippingAddress)',
		);
		expect(error.description).toContain('Taxes of 22 % exist only for other regions: IVA22 (22 % PT-MA)');
		expect(pick(22, si, [...TAXES, { name: 'SI22', value: 22, region: 'SI' }])).toBe('SI22');
	});

	it("an Irish 23 % sale takes the account's Irish tax (OSS), a mainland 23 % only without one", () => {
		expect(pick(23, order({ country: 'IE', zipCode: 'D02 X285' }))).toBe('IE23');
		expect(pick(23, order({ country: 'IE' }), TAXES.filter((t) => t.region !== 'IE'))).toBe('IVA23');
	});

	it("an OSS country's rate takes its tax; a rate it does not have is Portuguese VAT the shop charged", () => {
		expect(pick(21, order({ country: 'ES', zipCode: '28001' }))).toBe('IVA21');
		expect(pick(23, order({ country: 'ES', zipCode: '28001' }))).toBe('IVA23');
		// Never another Portuguese region's tax, whatever the rate.
		expect(failure(() => pick(16, order({ country: 'ES', zipCode: '28001' }))).message).toBe(
			'order 1: no tax of 16 % for region ES or PT in this InvoicExpress account (16 % VAT for a sale to ES (the account has taxes of ES, else mainland Portugal), from shippingAddress)',
		);
	});

	it('a foreign consumer charged at Portuguese rates (no taxes of that country) takes the home region', () => {
		expect(pick(23, order({ country: 'FR', zipCode: '75001' }))).toBe('IVA23');
		expect(pick(22, order({ country: 'FR', zipCode: '75001' }), TAXES, { taxRegion: 'PT-MA' })).toBe('IVA22');
	});

	it('0 % is an exemption: the home region’s exempt tax, also for OSS countries', () => {
		expect(pick(0, order({ country: 'ES', zipCode: '28001' }))).toBe('IVA0');
		expect(pick(0, order({ country: 'PT', zipCode: '9500-066' }))).toBe('IVA0');
		expect(pick(0, order({ country: 'PT', zipCode: '9500-066' }), [...TAXES, { name: 'Isento AC', value: 0, region: 'PT-AC' }])).toBe('Isento AC');
	});

	it('a Portuguese address without a readable postal code is an error naming the field', () => {
		expect(failure(() => pick(23, order({ country: 'PT', zipCode: 'Lisboa' }))).message).toBe(
			'order 1: shippingAddress.zipCode "Lisboa" is not a Portuguese postal code (NNNN-NNN): it decides between the VAT of the mainland, the Azores and Madeira',
		);
	});

	it("the merchant's mapping wins only among the taxes of the place", () => {
		const si = order({ country: 'SI', zipCode: '1000' });
		const withSi = [...TAXES, { name: 'SI22', value: 22, region: 'SI' }, { name: 'SI22 red', value: 22, region: 'SI' }];
		expect(failure(() => pick(22, si, withSi)).message).toContain('several taxes of 22 % exist for region SI (SI22, SI22 red)');
		expect(pick(22, si, withSi, { taxMapping: [{ rate: 22, taxName: 'SI22 red' }] })).toBe('SI22 red');
		expect(failure(() => pick(22, si, withSi, { taxMapping: [{ rate: 22, taxName: 'IVA22' }] })).message).toBe(
			'order 1: 22 % VAT for a sale to SI (the account has taxes of SI, else mainland Portugal): the tax mapping names "IVA22", a tax of region PT-MA',
		);
		expect(failure(() => pick(23, si, withSi, { taxMapping: [{ rate: 23, taxName: 'gone' }] })).message).toBe(
			'order 1: the tax mapping for 23 % names "gone", which does not exist in this InvoicExpress account',
		);
	});

	it('an unknown country is an error naming the field', () => {
		expect(failure(() => pick(23, order({ country: 'Atlantis' }))).message).toBe('order 1: shippingAddress.country "Atlantis" is unknown');
	});
});
