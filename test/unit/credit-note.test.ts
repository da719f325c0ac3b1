/**
 * Issue 13: the credit note's lines from the invoice it corrects (mapping/creditNote.ts), and what a
 * return does to an order (link/credit/plan.ts): pure functions, no I/O.
 */
import type { IDataObject } from 'n8n-workflow';

import { creditItems, creditTotal } from '../../nodes/link/mapping/creditNote';
import { planCredit, returnTag, type CreditParams } from '../../nodes/link/credit/plan';

/** An invoice as GET /invoices/{id}.json answers it: prices with 4 decimals and quantities as strings. */
const item = (name: string, unit_price: string, quantity: string, rate: number, discount = 0): IDataObject => ({
	name,
	description: name,
	unit_price,
	quantity,
	unit: 'unit',
	discount,
	tax: { id: rate, name: rate === 0 ? 'IVA0' : `IVA${rate}`, value: rate },
});

/** Mixed VAT, coupons as line discounts, shipping split over two rates, a payment fee. */
const INVOICE: IDataObject = {
	id: 501,
	type: 'Invoice',
	status: 'final',
	reference: '1001',
	inverted_sequence_number: 'A/12',
	total: 0,
	tax_exemption: 'M99',
	client: { id: 7, name: 'Ana Sousa' },
	items: [
		item('CF-250', '8.1301', '2.00', 23, 10),
		item('AZ-500', '4.6604', '3.00', 6, 10),
		item('VO-25', '5.0000', '1.00', 0),
		item('Portes de envio', '2.0325', '1.00', 23),
		item('Portes de envio', '1.8868', '1.00', 6),
		item('Taxa de pagamento', '1.6260', '1.00', 23),
	],
};
INVOICE.total = creditTotal(
	(INVOICE.items as IDataObject[]).map((i) => ({ unitPrice: Number(i.unit_price), quantity: Number(i.quantity), discount: Number(i.discount), rate: Number((i.tax as IDataObject).value) })),
);

describe('creditItems: the credit note from the invoice', () => {
	it('a full credit copies every line (price, quantity, discount, VAT) and equals the invoice to the cent', () => {
		const credit = creditItems(INVOICE, { kind: 'full' }, 'order 1001');
		expect(credit.total).toBe(INVOICE.total);
		expect(credit.items).toEqual(
			(INVOICE.items as IDataObject[]).map((i) => expect.objectContaining({ name: i.name, unit_price: Number(i.unit_price), quantity: Number(i.quantity), tax: { name: (i.tax as IDataObject).name } })),
		);
		expect(credit.items[0].discount).toBe(10);
		expect(credit.items[2]).not.toHaveProperty('discount');
	});

	it('chosen lines keep the coupon discount and VAT, shipping takes every shipping line (each rate), to the cent', () => {
		const credit = creditItems(INVOICE, { kind: 'lines', lines: [{ item: 'cf-250', quantity: 1 }, { item: 'VO-25' }], shipping: true, paymentFee: false }, 'order 1001');
		expect(credit.items.map((i) => [i.name, i.quantity, i.discount ?? 0, i.tax.name])).toEqual([
			['CF-250', 1, 10, 'IVA23'],
			['VO-25', 1, 0, 'IVA0'],
			['Portes de envio', 1, 0, 'IVA23'],
			['Portes de envio', 1, 0, 'IVA6'],
		]);
		// 8.1301 × 0.9 × 1.23 + 5 + 2.0325 × 1.23 + 1.8868 × 1.06, rounded once.
		expect(credit.total).toBe(Math.round((8.1301 * 0.9 * 1.23 + 5 + 2.0325 * 1.23 + 1.8868 * 1.06) * 100) / 100);
	});

	it('the payment fee is found by its name in any of the package languages, or the merchant\'s own label', () => {
		const en = { ...INVOICE, items: [item('SKU-1', '10.0000', '1.00', 23), item('Payment fee', '1.0000', '1.00', 23)] };
		expect(creditItems(en, { kind: 'lines', lines: [], shipping: false, paymentFee: true }, 'o').items.map((i) => i.name)).toEqual(['Payment fee']);
		const own = { ...INVOICE, items: [item('SKU-1', '10.0000', '1.00', 23), item('Porte CTT', '3.0000', '1.00', 23)] };
		expect(() => creditItems(own, { kind: 'lines', lines: [], shipping: true, paymentFee: false }, 'order 9')).toThrow('order 9: invoice 501 has no shipping line to credit');
		expect(creditItems(own, { kind: 'lines', lines: [], shipping: true, paymentFee: false }, 'o', { shipping: 'Porte CTT' }).items.map((i) => i.name)).toEqual(['Porte CTT']);
	});

	it('refuses what the invoice does not have, more than it sold, a line named twice, and an empty return', () => {
		const lines = (l: Array<{ item: string; quantity?: number }>) => ({ kind: 'lines' as const, lines: l, shipping: false, paymentFee: false });
		expect(() => creditItems(INVOICE, lines([{ item: 'XX' }]), 'order 1001')).toThrow('order 1001: invoice 501 has no line "XX"');
		expect(() => creditItems(INVOICE, lines([{ item: 'AZ-500', quantity: 4 }]), 'order 1001')).toThrow('order 1001: the returned quantity of "AZ-500" must be more than 0 and at most 3 (it is 4)');
		expect(() => creditItems(INVOICE, lines([{ item: 'AZ-500', quantity: 0.333 }]), 'order 1001')).toThrow('at most 3 (it is 0.333)');
		expect(() => creditItems(INVOICE, lines([{ item: 'AZ-500' }, { item: 'AZ-500' }]), 'order 1001')).toThrow('order 1001: invoice 501 has no line "AZ-500" left to credit (it is named twice in the return)');
		expect(() => creditItems(INVOICE, lines([]), 'order 1001')).toThrow('order 1001: nothing to credit: no returned lines, shipping or payment fee were given');
		const twice = { ...INVOICE, items: [item('A', '1.0000', '1.00', 23), item('A', '2.0000', '1.00', 23)] };
		expect(() => creditItems(twice, lines([{ item: 'A' }]), 'order 1001')).toThrow('order 1001: invoice 501 has 2 lines "A" (at different prices)');
	});

	it('an amount needs one of the invoice\'s VAT rates and credits exactly that amount', () => {
		expect(() => creditItems(INVOICE, { kind: 'amount', amount: 10, vatRate: NaN, description: '' }, 'order 1001')).toThrow('order 1001: a refund of an amount needs the VAT rate it belongs to');
		expect(() => creditItems(INVOICE, { kind: 'amount', amount: 10, vatRate: 13, description: '' }, 'order 1001')).toThrow('order 1001: invoice 501 has no line at 13 % VAT (its rates: 23 %, 6 %, 0 %)');
		for (const amount of [0.01, 9.99, 12.34, 100, 1234.57]) {
			for (const rate of [23, 6, 0]) {
				const credit = creditItems(INVOICE, { kind: 'amount', amount, vatRate: rate, description: '' }, 'o');
				expect(credit.total).toBe(amount);
				expect(credit.items).toEqual([{ name: 'Reembolso', description: 'Reembolso', unit_price: expect.any(Number), quantity: 1, tax: { name: rate === 0 ? 'IVA0' : `IVA${rate}` } }]);
			}
		}
	});

	it('carries a percentage discount off the total; an absolute one only in a full credit', () => {
		const pct = { ...INVOICE, global_discount: { value_type: 'percentage', value: 5 } };
		const partial = creditItems(pct, { kind: 'lines', lines: [{ item: 'VO-25' }], shipping: false, paymentFee: false }, 'o');
		expect(partial.globalDiscount).toEqual({ value_type: 'percentage', value: 5 });
		expect(partial.total).toBe(4.75);
		const abs = { ...INVOICE, total: 40, global_discount: { value_type: 'absolute', value: 3 } };
		expect(creditItems(abs, { kind: 'full' }, 'o')).toMatchObject({ total: 40, globalDiscount: { value_type: 'absolute', value: 3 } });
		expect(() => creditItems(abs, { kind: 'lines', lines: [{ item: 'VO-25' }], shipping: false, paymentFee: false }, 'order 1')).toThrow(
			'order 1: invoice 501 has a discount of 3 off its total, which cannot be shared out over some of its lines to the cent',
		);
	});

	it('an invoice line that cannot be read is an error, never a guess', () => {
		const bad = { ...INVOICE, items: [{ name: 'X', unit_price: 'abc', quantity: '1.00', tax: { name: 'IVA23', value: 23 } }] };
		expect(() => creditItems(bad, { kind: 'full' }, 'order 1')).toThrow('order 1: line 1 (X) of invoice 501 has no readable price, quantity, discount or VAT');
	});
});

describe('planCredit: what a return does to the order', () => {
	const ORDER: IDataObject = { orderId: 'o-1', orderNumber: '1001', links: [{ rel: 'self', href: 'https://x/rs/shops/Demo/orders/o-1' }] };
	const params = (over: Partial<CreditParams> = {}): CreditParams => ({
		correction: 'creditNote',
		reason: '',
		scope: { kind: 'full' },
		returnReference: '',
		sendEmail: true,
		attachPdf: false,
		dryRun: false,
		connectEPages: false,
		writeBack: false,
		options: {},
		...over,
	});
	const note = (id: number, total: number, reference: string, status = 'final'): IDataObject => ({ id, type: 'CreditNote', status, total, reference, inverted_sequence_number: `A/${id}` });

	it('asks for the order\'s documents, then the invoice\'s credit notes, then the invoice', () => {
		expect(planCredit({ params: params(), order: ORDER, today: '03/12/2026' })).toEqual({ kind: 'gather', step: 'listDocuments' });
		const listed = [INVOICE];
		expect(planCredit({ params: params(), order: ORDER, listed, today: '03/12/2026' })).toEqual({ kind: 'gather', step: 'readRelated', invoice: { id: 501, type: 'invoice' } });
		expect(planCredit({ params: params(), order: ORDER, listed, related: [], today: '03/12/2026' })).toEqual({ kind: 'gather', step: 'readInvoice', invoice: { id: 501, type: 'invoice' } });
		const plan = planCredit({ params: params(), order: ORDER, listed, related: [], invoice: INVOICE, today: '03/12/2026' });
		expect(plan).toMatchObject({
			kind: 'credit',
			reference: '1001:NC:501',
			uniqueKey: 'epages:Demo:o-1:creditNote:501',
			total: INVOICE.total,
			document: { date: '03/12/2026', owner_invoice_id: 501, reference: '1001:NC:501', tax_exemption: 'M99', observations: 'Devolução da encomenda 1001 (FT A/12)' },
		});
	});

	it('not invoiced, a draft, a canceled invoice, two legal invoices: each said as such', () => {
		const base = { params: params(), order: ORDER, today: '03/12/2026' };
		expect(planCredit({ ...base, listed: [] })).toMatchObject({ kind: 'settled', outcome: 'not invoiced' });
		expect(planCredit({ ...base, order: { ...ORDER, internalNote: 'InvoicExpress FT A/12 (id 501)' }, listed: [] })).toMatchObject({ kind: 'pending' });
		// Paid: the invoice may exist and not be listed yet.
		expect(planCredit({ ...base, order: { ...ORDER, paidOn: '2026-12-01T10:00:00Z' }, listed: [] })).toMatchObject({ kind: 'pending', reason: expect.stringContaining('can lag') });
		expect(planCredit({ ...base, listed: [{ ...INVOICE, status: 'draft' }] })).toEqual({ kind: 'deleteDrafts', drafts: [{ id: 501, type: 'invoice' }] });
		expect(planCredit({ ...base, listed: [{ ...INVOICE, status: 'canceled' }] })).toMatchObject({ kind: 'settled', outcome: 'nothing to credit' });
		expect(planCredit({ ...base, params: params({ correction: 'cancel', reason: 'x' }), listed: [{ ...INVOICE, status: 'canceled' }] })).toMatchObject({ kind: 'settled', outcome: 'already canceled' });
		const two = [INVOICE, { ...INVOICE, id: 502, type: 'InvoiceReceipt' }];
		expect(planCredit({ ...base, listed: two })).toEqual({ kind: 'gather', step: 'findRetired' });
		expect(planCredit({ ...base, listed: two, retired: [] })).toMatchObject({ kind: 'refuse', message: 'order 1001: 2 legal invoices exist for the order (ids 501, 502)' });
		// Credited in full and invoiced again: the new one is corrected.
		expect(planCredit({ ...base, listed: two, retired: [501] })).toEqual({ kind: 'gather', step: 'readRelated', invoice: { id: 502, type: 'invoiceReceipt' } });
		expect(planCredit({ ...base, listed: two, retired: [501, 502] })).toMatchObject({ kind: 'settled', outcome: 'nothing to credit' });
		// A credit note of the order's own reference family is not an invoice.
		expect(planCredit({ ...base, listed: [note(9, 5, '1001')] })).toMatchObject({ kind: 'settled', outcome: 'not invoiced' });
	});

	it('the credited total never passes the invoice minus its earlier credit notes; its own earlier note is not counted twice', () => {
		const base = { order: ORDER, listed: [INVOICE], invoice: INVOICE, today: '03/12/2026' };
		const amount = (a: number) => params({ scope: { kind: 'amount', amount: a, vatRate: 23, description: '' } });
		const left = Math.round(((INVOICE.total as number) - 10) * 100) / 100;
		const related = [note(1, 10, '1001:NC:501:RMA1'), note(2, 99, '1001:NC:501:RMA2', 'draft'), note(3, 50, 'x', 'canceled')];
		expect(planCredit({ ...base, params: amount(left), related })).toMatchObject({ kind: 'credit', creditable: left, earlier: [{ id: 1, total: 10 }] });
		expect(planCredit({ ...base, params: amount(left + 0.01), related })).toMatchObject({
			kind: 'refuse',
			message: `order 1001: crediting ${(left + 0.01).toFixed(2)} would exceed what is left of FT A/12: ${left.toFixed(2)} (total ${(INVOICE.total as number).toFixed(2)}, credited before 10.00)`,
		});
		// The same return run again: its own final note is not an "earlier" one.
		const rerun = params({ scope: { kind: 'amount', amount: 10, vatRate: 23, description: '' }, returnReference: 'RMA1' });
		expect(planCredit({ ...base, params: rerun, related })).toMatchObject({ kind: 'credit', earlier: [] });
		expect(planCredit({ ...base, params: params(), related })).toMatchObject({ kind: 'refuse', message: expect.stringContaining('cannot be credited in full again') });
		expect(planCredit({ ...base, params: params(), related: [{ id: 4, type: 'CreditNote', status: 'final', total: 'n/a' }] })).toMatchObject({
			kind: 'refuse',
			message: 'order 1001: the total of credit note 4 cannot be read',
		});
	});

	it('cancel needs a reason and is refused under credit notes', () => {
		const base = { order: ORDER, listed: [INVOICE], today: '03/12/2026' };
		expect(planCredit({ ...base, params: params({ correction: 'cancel' }) })).toMatchObject({ kind: 'refuse', message: 'order 1001: a cancellation needs a reason' });
		expect(planCredit({ ...base, params: params({ correction: 'cancel', reason: 'duplicada' }), related: [] })).toMatchObject({ kind: 'cancel', reason: 'duplicada', legalNumber: 'FT A/12' });
		expect(planCredit({ ...base, params: params({ correction: 'cancel', reason: 'duplicada' }), related: [note(1, 10, 'r')] })).toMatchObject({
			kind: 'refuse',
			message: 'order 1001: FT A/12 has credit notes (NC A/1), so it cannot be canceled',
		});
	});

	it('a return is named by its reference, else by its content: the same return is the same event', () => {
		const lines = (l: Array<{ item: string; quantity?: number }>) => ({ kind: 'lines' as const, lines: l, shipping: false, paymentFee: false });
		expect(returnTag({ kind: 'full' }, '')).toBe('');
		expect(returnTag(lines([{ item: 'A', quantity: 1 }, { item: 'B' }]), '')).toBe(returnTag(lines([{ item: 'b' }, { item: 'a', quantity: 1 }]), ''));
		expect(returnTag(lines([{ item: 'A', quantity: 1 }]), '')).not.toBe(returnTag(lines([{ item: 'A', quantity: 2 }]), ''));
		expect(returnTag(lines([{ item: 'A', quantity: 1 }]), 'RMA 77/b')).toBe('RMA-77-b');
	});
});
