import type { Order } from '../../nodes/shared/order';
import type { InputError } from '../../nodes/services/invoicexpress/helpers/client';
import type { IxTax } from '../../nodes/services/invoicexpress/helpers/document';
import { portugueseRegion, readShipsFrom, taxForRate, taxPlace } from '../../nodes/link/mapping/taxPlace';
import { isLegalRate, legalRates, regionsWithRate, type PtRegion } from '../../nodes/link/mapping/vatRates';

/**
 * Issue 12, corrected by issue 21: a sale taxed in Portugal takes the taxes of the region the goods
 * leave from ("Ships From", CIVA art. 6.º n.º 1 and 16), an OSS sale the destination country's; never a
 * tax picked by its rate alone, and never a rate the region does not have (CIVA art. 18.º).
 */

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

/** The document's day (yyyymmdd): after Madeira's reduced rate became 4 %. */
const DAY = 20261128;

const pick = (rate: number, o: Order, taxes = TAXES, extra: { shipsFrom?: PtRegion; taxMapping?: Array<{ rate: number; taxName: string }>; day?: number } = {}) => {
	const choice = { taxMapping: extra.taxMapping ?? [] };
	return taxForRate(rate, taxes, taxPlace(o, taxes, extra.shipsFrom ?? 'PT', 'order 1: '), choice, 'order 1: ', extra.day ?? DAY);
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

describe('the legal rates of each region (CIVA art. 18.º), by the document date', () => {
	it('mainland 6/13/23, Azores 4/9/16, Madeira 4/12/22 since 1 October 2024 and 5/12/22 before', () => {
		expect(legalRates('PT', DAY)).toEqual([6, 13, 23]);
		expect(legalRates('PT-AC', DAY)).toEqual([4, 9, 16]);
		expect(legalRates('PT-MA', DAY)).toEqual([4, 12, 22]);
		expect(legalRates('PT-MA', 20241001)).toEqual([4, 12, 22]);
		expect(legalRates('PT-MA', 20240930)).toEqual([5, 12, 22]);
		expect(isLegalRate('PT-MA', 5, 20241001)).toBe(false);
		expect(isLegalRate('PT-MA', 4, 20240930)).toBe(false);
	});

	it('4 % is a rate of both island regions: a rate never tells the region', () => {
		expect(regionsWithRate(4, DAY)).toEqual(['PT-AC', 'PT-MA']);
		expect(regionsWithRate(22, DAY)).toEqual(['PT-MA']);
		expect(regionsWithRate(21, DAY)).toEqual([]);
	});

	it('before 1 January 2024 the table claims nothing', () => {
		expect(legalRates('PT', 20231231)).toBeUndefined();
	});
});

describe('readShipsFrom: PT, PT-AC or PT-MA, anything else refused', () => {
	it.each([
		[undefined, 'PT'],
		['', 'PT'],
		['PT', 'PT'],
		[' pt-ma ', 'PT-MA'],
		['PT-AC', 'PT-AC'],
	])('%s → %s', (value, region) => expect(readShipsFrom(value, 'order 1: ')).toBe(region));

	it.each(['Madeira', 'PT-MD', 'ES', 'mainland'])('%s is refused naming the parameter', (value) => {
		expect(failure(() => readShipsFrom(value, 'order 1: ')).message).toBe(
			`order 1: "Ships From" is "${value}": it must be PT (mainland Portugal), PT-AC (the Azores) or PT-MA (Madeira)`,
		);
	});
});

describe('taxForRate by where the goods leave from', () => {
	it('a mainland shop charges mainland taxes to the Azores, Madeira and Porto Santo', () => {
		expect(pick(23, order({ country: 'PT', zipCode: '9500-066' }))).toBe('IVA23');
		expect(pick(13, order({ country: 'PT', zipCode: '9000-042' }))).toBe('IVA13');
		expect(pick(6, order({ country: 'PT', zipCode: '9400-162' }))).toBe('IVA6');
	});

	it("an island shop charges its own region's taxes wherever in Portugal the goods go", () => {
		expect(pick(22, order({ country: 'PT', zipCode: '1000-001' }), TAXES, { shipsFrom: 'PT-MA' })).toBe('IVA22');
		expect(pick(16, order({ country: 'PT', zipCode: '9000-042' }), TAXES, { shipsFrom: 'PT-AC' })).toBe('IVA16');
	});

	it('4 % exists in both island regions: Ships From decides, never the rate nor the destination', () => {
		expect(pick(4, order({ country: 'PT', zipCode: '9000-042' }), TAXES, { shipsFrom: 'PT-AC' })).toBe('IVA4 Açores');
		expect(pick(4, order({ country: 'PT', zipCode: '9500-066' }), TAXES, { shipsFrom: 'PT-MA' })).toBe('IVA4 Madeira');
	});

	it('a rate the Ships From region does not have is refused, naming the rate, the region and what to fix, even when the account has a tax of that rate', () => {
		const error = failure(() => pick(16, order({ country: 'PT', zipCode: '9500-066' })));
		expect(error.message).toBe(
			'order 1: 16 % is not a VAT rate of mainland Portugal, where the goods leave from ("Ships From" PT): its rates are 6, 13 and 23 % (CIVA art. 18.º); goods shipped from mainland Portugal to the Azores (postal code 9500-066)',
		);
		expect(error.description).toContain('16 % is a rate of the Azores');
		expect(error.description).toContain('shop\'s tax settings, or set "Ships From"');
		expect(failure(() => pick(4, order({ country: 'PT', zipCode: '9000-042' }))).description).toContain('4 % is a rate of the Azores and of Madeira');
		expect(failure(() => pick(23, order({ country: 'PT', zipCode: '1000-001' }), TAXES, { shipsFrom: 'PT-MA' })).message).toContain('23 % is not a VAT rate of Madeira');
	});

	it("Madeira's 5 % is legal only up to 30 September 2024, 4 % only from 1 October 2024", () => {
		const taxes = [...TAXES, { name: 'IVA5 Madeira', value: 5, region: 'PT-MA' }];
		const funchal = order({ country: 'PT', zipCode: '9000-042' });
		expect(pick(5, funchal, taxes, { shipsFrom: 'PT-MA', day: 20240930 })).toBe('IVA5 Madeira');
		expect(failure(() => pick(5, funchal, taxes, { shipsFrom: 'PT-MA', day: 20241001 })).message).toContain('5 % is not a VAT rate of Madeira');
		expect(failure(() => pick(4, funchal, taxes, { shipsFrom: 'PT-MA', day: 20240930 })).message).toContain('its rates are 5, 12 and 22 %');
	});

	it("the merchant's tax mapping chooses the tax, never the rate: an illegal rate stays refused", () => {
		expect(failure(() => pick(16, order({ country: 'PT', zipCode: '9500-066' }), TAXES, { taxMapping: [{ rate: 16, taxName: 'IVA16' }] })).message).toContain(
			'the tax mapping names "IVA16", a tax of region PT-AC',
		);
		expect(failure(() => pick(16, order({ country: 'PT', zipCode: '9500-066' }), [...TAXES, { name: 'IVA16 PT?', value: 16, region: 'PT' }], { taxMapping: [{ rate: 16, taxName: 'IVA16 PT?' }] })).message).toContain(
			'16 % is not a VAT rate of mainland Portugal',
		);
	});

	it('the billing address stands in for a missing shipping address, for messages only', () => {
		expect(pick(23, order(null, { country: 'PT', zipCode: '9000-042' }))).toBe('IVA23');
		expect(failure(() => pick(22, order({ zipCode: '' }, { country: 'PT', zipCode: '9000-042' }))).message).toContain('to Madeira (postal code 9000-042)');
	});

	it('goods collected at a pickup point are taxed where they are handed over, whatever the billing country (CIVA art. 6.º n.º 1)', () => {
		// An Irish customer collecting in Lisbon: mainland 23 %, never the account's Irish 23 % (IE23).
		const pickup = { ...order(null, { country: 'IE', zipCode: 'D02' }), pickupData: { price: { amount: 1 } } } as unknown as Order;
		expect(pick(23, pickup)).toBe('IVA23');
		expect(taxPlace(pickup, TAXES, 'PT', 'order 1: ')).toMatchObject({ country: 'PT', regions: ['PT'], field: 'pickupData' });
		expect(failure(() => pick(21, { ...pickup, billingAddress: { country: 'ES' } } as unknown as Order)).message).toContain('21 % is not a VAT rate of mainland Portugal');
	});

	it('a Slovenian 22 % B2C sale never takes Madeira’s 22 %: with an SI tax it is OSS, without one a clear error', () => {
		const si = order({ country: 'SI', zipCode: '1000' });
		const error = failure(() => pick(22, si));
		expect(error.message).toBe(
			'order 1: 22 % is not a VAT rate of mainland Portugal, where the goods leave from ("Ships From" PT): its rates are 6, 13 and 23 % (CIVA art. 18.º); goods shipped from mainland Portugal to SI, taxed in Portugal (the account has no taxes of SI)',
		);
		expect(error.description).toContain('If it is the VAT of SI (One-Stop-Shop), add the SI taxes in InvoicExpress.');
		expect(pick(22, si, [...TAXES, { name: 'SI22', value: 22, region: 'SI' }])).toBe('SI22');
	});

	it("an Irish 23 % sale takes the account's Irish tax (OSS), a mainland 23 % only without one", () => {
		expect(pick(23, order({ country: 'IE', zipCode: 'D02 X285' }))).toBe('IE23');
		expect(pick(23, order({ country: 'IE' }), TAXES.filter((t) => t.region !== 'IE'))).toBe('IVA23');
	});

	it("an OSS country's rate takes its tax; a rate it does not have is Portuguese VAT of the Ships From region", () => {
		expect(pick(21, order({ country: 'ES', zipCode: '28001' }))).toBe('IVA21');
		expect(pick(23, order({ country: 'ES', zipCode: '28001' }))).toBe('IVA23');
		expect(pick(22, order({ country: 'ES', zipCode: '28001' }), TAXES, { shipsFrom: 'PT-MA' })).toBe('IVA22');
		// Never another Portuguese region's tax, whatever the rate.
		expect(failure(() => pick(16, order({ country: 'ES', zipCode: '28001' }))).message).toContain('16 % is not a VAT rate of mainland Portugal');
	});

	it('a foreign consumer charged at Portuguese rates (no taxes of that country) takes the Ships From region', () => {
		expect(pick(23, order({ country: 'FR', zipCode: '75001' }))).toBe('IVA23');
		expect(pick(22, order({ country: 'FR', zipCode: '75001' }), TAXES, { shipsFrom: 'PT-MA' })).toBe('IVA22');
	});

	it('0 % is an exemption: the Ships From region’s exempt tax, also for OSS countries and island addresses', () => {
		expect(pick(0, order({ country: 'ES', zipCode: '28001' }))).toBe('IVA0');
		expect(pick(0, order({ country: 'PT', zipCode: '9500-066' }), [...TAXES, { name: 'Isento AC', value: 0, region: 'PT-AC' }])).toBe('IVA0');
		expect(pick(0, order({ country: 'PT', zipCode: '1000-001' }), [...TAXES, { name: 'Isento AC', value: 0, region: 'PT-AC' }], { shipsFrom: 'PT-AC' })).toBe('Isento AC');
	});

	it('a Portuguese postal code no longer decides anything: an unreadable one is no error', () => {
		expect(pick(23, order({ country: 'PT', zipCode: 'Lisboa' }))).toBe('IVA23');
	});

	it('a region without the tax is an error naming the rate and the region', () => {
		expect(failure(() => pick(9, order({ country: 'PT', zipCode: '9500-066' }), TAXES, { shipsFrom: 'PT-AC' })).message).toBe(
			'order 1: no tax of 9 % for region PT-AC in this InvoicExpress account (9 % VAT for goods shipped within the Azores (postal code 9500-066), from shippingAddress)',
		);
	});

	it("the merchant's mapping wins only among the taxes of the place", () => {
		const si = order({ country: 'SI', zipCode: '1000' });
		const withSi = [...TAXES, { name: 'SI22', value: 22, region: 'SI' }, { name: 'SI22 red', value: 22, region: 'SI' }];
		expect(failure(() => pick(22, si, withSi)).message).toContain('several taxes of 22 % exist for region SI (SI22, SI22 red)');
		expect(pick(22, si, withSi, { taxMapping: [{ rate: 22, taxName: 'SI22 red' }] })).toBe('SI22 red');
		expect(failure(() => pick(22, si, withSi, { taxMapping: [{ rate: 22, taxName: 'IVA22' }] })).message).toBe(
			'order 1: 22 % VAT for a sale to SI (the account has taxes of SI, else mainland Portugal, where the goods leave from): the tax mapping names "IVA22", a tax of region PT-MA',
		);
		expect(failure(() => pick(23, si, withSi, { taxMapping: [{ rate: 23, taxName: 'gone' }] })).message).toBe(
			'order 1: the tax mapping for 23 % names "gone", which does not exist in this InvoicExpress account',
		);
	});

	it('an unknown country is an error naming the field', () => {
		expect(failure(() => pick(23, order({ country: 'Atlantis' }))).message).toBe('order 1: shippingAddress.country "Atlantis" is unknown');
	});

	it('a document dated before the table is refused, never checked against rates that may not have applied', () => {
		expect(failure(() => pick(23, order({ country: 'PT', zipCode: '1000-001' }), TAXES, { day: 20231231 })).message).toBe(
			'order 1: the document date is before 1 January 2024, from which the package knows the VAT rates of the Portuguese regions',
		);
	});
});
