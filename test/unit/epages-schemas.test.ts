import { toInstant } from '../../nodes/EPages/helpers/dates';
import { money } from '../../nodes/shared/order';

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
