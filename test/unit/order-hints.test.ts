/**
 * The hints a run of "Create From ePages Order" shows above its output (orderRunHints): one per kind,
 * each with a count and the first five order numbers, from the items the node outputs.
 */
import type { IDataObject } from 'n8n-workflow';

import { firstFew, orderRunHints } from '../../nodes/link/hints';

const created = (n: string, extra: IDataObject = {}) => ({
	json: { order_number: n, outcome: 'created', status: 'final', totals_check: { matches: true, difference: 0, document_total: 10 }, ...extra },
});
const NO_ADDRESS = 'the order has no e-mail address';
const EARLIER = 'finalized by an earlier or concurrent execution, which e-mails it; to send it (again), use Document → Send by Email';

describe('orderRunHints', () => {
	it('a run where every order was invoiced and e-mailed has no hints', () => {
		expect(orderRunHints([created('1001', { emailed: true }), created('1002', { emailed: true })])).toEqual([]);
		expect(orderRunHints([])).toEqual([]);
	});

	it('pending orders: the count and the first five order numbers, then "…"', () => {
		const items = ['1', '2', '3', '4', '5', '6', '7'].map((n) => ({ json: { order_number: `10${n}`, outcome: 'pending', totals_check: { matches: true } } }));
		expect(orderRunHints(items)).toEqual([
			{ type: 'warning', location: 'outputPane', message: '7 orders left pending, to complete on the next run: 101, 102, 103, 104, 105, ….' },
		]);
		expect(orderRunHints(items.slice(0, 1))).toEqual([
			{ type: 'warning', location: 'outputPane', message: '1 order left pending, to complete on the next run: 101.' },
		]);
	});

	it('skipped e-mails: one hint, counted per reason, the reasons in the order met', () => {
		const items = [
			created('2001', { email_skipped: NO_ADDRESS }),
			created('2002', { emailed: true }),
			created('2003', { email_skipped: EARLIER }),
			created('2004', { email_skipped: NO_ADDRESS }),
			{ json: { order_number: '2005', outcome: 'draft', status: 'draft', email_skipped: 'the document is a draft' } },
		];
		expect(orderRunHints(items)).toEqual([
			{
				type: 'warning',
				location: 'outputPane',
				message:
					'4 e-mails not sent. 2 because the order has no e-mail address: 2001, 2004. ' +
					'1 because finalized by an earlier or concurrent execution, which e-mails it; to send it (again), use Document → Send by Email: 2003. ' +
					'1 because the document is a draft: 2005.',
			},
		]);
	});

	it('refused orders (error items): named by the order in the message, else by the input item', () => {
		const items = [
			created('3001'),
			{ json: { error: 'order BAD-1: client fiscal number "123456780" is not a valid Portuguese NIF: its check digit is wrong' }, pairedItem: { item: 1 } },
			{ json: { error: 'The input item is not an ePages order', description: 'Connect the ePages node' }, pairedItem: { item: 2 } },
			{ json: { error: 'reference R-9: creating the invoice failed: 500' }, pairedItem: { item: 3 } },
		];
		expect(orderRunHints(items)).toEqual([
			{ type: 'danger', location: 'outputPane', message: '3 orders refused: BAD-1, item 2, R-9. Their error items say why.' },
		]);
	});

	it('totals that differ: each order with its difference', () => {
		const items = [
			created('4001'),
			created('OFF-BY-ONE', { totals_check: { matches: false, difference: -1, document_total: 9 } }),
			created('OFF-BY-CENT', { totals_check: { matches: false, difference: 0.01, document_total: 10.01 } }),
		];
		expect(orderRunHints(items)).toEqual([
			{
				type: 'warning',
				location: 'outputPane',
				message: '2 document totals differ from the order total (difference): OFF-BY-ONE (-1), OFF-BY-CENT (0.01).',
			},
		]);
	});

	it('a dry run: how many orders and their total amount, per currency, to the cent', () => {
		const preview = (n: string, total: number, currency = 'EUR') => ({
			json: { order_number: n, outcome: 'dry run', currency, totals_check: { matches: true, difference: 0, document_total: total } },
		});
		expect(orderRunHints([preview('5001', 10.1), preview('5002', 20.2), preview('5003', 0.01)])).toEqual([
			{ type: 'info', location: 'outputPane', message: 'Dry run: 3 orders (5001, 5002, 5003), total 30.31 EUR. Nothing was created or sent.' },
		]);
		expect(orderRunHints([preview('5001', 10), preview('5004', 7.5, 'GBP')])).toEqual([
			{ type: 'info', location: 'outputPane', message: 'Dry run: 2 orders (5001, 5004), total 10.00 EUR + 7.50 GBP. Nothing was created or sent.' },
		]);
	});

	it('every kind at once: one hint each, in a fixed order', () => {
		const items = [
			{ json: { error: 'order 6001: the item has no line items' }, pairedItem: { item: 0 } },
			{ json: { order_number: '6002', outcome: 'pending', totals_check: { matches: true } } },
			created('6003', { totals_check: { matches: false, difference: 2, document_total: 12 }, email_skipped: NO_ADDRESS }),
		];
		expect(orderRunHints(items).map((h) => [h.type, h.message])).toEqual([
			['danger', '1 order refused: 6001. Their error items say why.'],
			['warning', '1 order left pending, to complete on the next run: 6002.'],
			['warning', '1 document total differs from the order total (difference): 6003 (2).'],
			['warning', '1 e-mail not sent. 1 because the order has no e-mail address: 6003.'],
		]);
	});

	it('Credit From ePages Order: orders with no legal invoice to correct are named in one info hint', () => {
		const items = [
			{ json: { order_number: '2001', outcome: 'credited', emailed: true } },
			{ json: { order_number: '2002', outcome: 'not invoiced' } },
			{ json: { order_number: '2003', outcome: 'nothing to credit' } },
		];
		expect(orderRunHints(items)).toEqual([
			{ type: 'info', location: 'outputPane', message: '2 orders have no legal invoice to correct, so nothing was issued: 2002, 2003. Their items say why.' },
		]);
	});

	it('firstFew: five names, then "…"', () => {
		expect(firstFew(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c, d, e');
		expect(firstFew(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('a, b, c, d, e, …');
	});
});
