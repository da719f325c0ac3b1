import { documentTypeFor, invoiceDateFor, isBusinessBuyer } from '../../nodes/link/documentRules';

/** Issue 12: the document's own legal rules, decided from the order before anything is sent. */

const PAID = { orderNumber: '5', paidOn: '2026-11-27T23:30:00.000Z', creationDate: '2026-11-25T10:00:00.000Z' };
const UNPAID = { orderNumber: '6', paidOn: null, creationDate: '2026-11-25T10:00:00.000Z' };

describe('documentTypeFor', () => {
	it('an invoice-receipt only for a paid order', () => {
		expect(documentTypeFor(PAID, 'invoiceReceipt', { totalEur: 50 }, 'refuse', 'order 5')).toEqual({ ok: true, value: 'invoiceReceipt' });
		expect(documentTypeFor(UNPAID, 'invoiceReceipt', { totalEur: 50 }, 'invoice', 'order 6')).toMatchObject({
			ok: false,
			message: 'order 6: an invoice-receipt says the order is paid, but the order has no payment date (paidOn)',
		});
		expect(documentTypeFor(UNPAID, 'invoice', { totalEur: 50 }, 'refuse', 'order 6')).toEqual({ ok: true, value: 'invoice' });
	});

	it('a simplified invoice up to 1,000 € for a consumer, 100 € for a business; over it refused or an invoice', () => {
		expect(documentTypeFor(PAID, 'simplifiedInvoice', { totalEur: 1000 }, 'refuse', 'order 5')).toEqual({ ok: true, value: 'simplifiedInvoice' });
		expect(documentTypeFor(PAID, 'simplifiedInvoice', { totalEur: 999.99, fiscalId: '123456789' }, 'refuse', 'order 5')).toEqual({ ok: true, value: 'simplifiedInvoice' });
		expect(documentTypeFor(PAID, 'simplifiedInvoice', { totalEur: 1000.01 }, 'refuse', 'order 5')).toEqual({
			ok: false,
			message: 'order 5: a simplified invoice is only allowed up to 1000 € for a consumer (art. 40 CIVA), and the order total is 1000.01 €',
			description: 'Nothing was created. Choose "Invoice", or set "Over the Simplified Invoice Limit" to "Issue an Invoice Instead".',
		});
		expect(documentTypeFor(PAID, 'simplifiedInvoice', { totalEur: 100.5, fiscalId: '503504564' }, 'invoice', 'order 5')).toEqual({
			ok: true,
			value: 'invoice',
			warning: 'a simplified invoice is only allowed up to 100 € for a business buyer (art. 40 CIVA), and the order total is 100.5 €: an invoice was issued instead',
		});
	});

	it('business buyers: companies and foreign VAT numbers; individuals (1–3, 45) are consumers', () => {
		expect(['503504564', '980000001', 'ESB12345674', 'PT 501 964 843'].map(isBusinessBuyer)).toEqual([true, true, true, true]);
		expect(['123456789', '234567890', '451234567', '', undefined, '999999990'].map(isBusinessBuyer)).toEqual([false, false, false, false, false, false]);
	});
});

describe('invoiceDateFor', () => {
	it('today, a fixed date, the paid date or the order date (Lisbon calendar day)', () => {
		expect(invoiceDateFor(PAID, undefined, 'today', '28/11/2026', 'order 5')).toEqual({ ok: true, value: '28/11/2026' });
		expect(invoiceDateFor(PAID, '20/11/2026', 'today', '28/11/2026', 'order 5')).toEqual({ ok: true, value: '20/11/2026' });
		// 23:30 UTC on 27 November is still 27 November in Lisbon (UTC+0 in winter).
		expect(invoiceDateFor(PAID, undefined, 'paid', '28/11/2026', 'order 5')).toEqual({ ok: true, value: '27/11/2026' });
		expect(invoiceDateFor({ paidOn: '2026-07-31T23:30:00Z' }, undefined, 'paid', '28/11/2026', 'order 5')).toEqual({ ok: true, value: '01/08/2026' });
		expect(invoiceDateFor(PAID, undefined, 'created', '28/11/2026', 'order 5')).toEqual({ ok: true, value: '25/11/2026' });
	});

	it('a date the order does not have, or two choices at once, is a refusal naming the order', () => {
		expect(invoiceDateFor(UNPAID, undefined, 'paid', '28/11/2026', 'order 6')).toMatchObject({
			ok: false,
			message: 'order 6: "Invoice Date From" is the paid date, but the order has no paidOn',
		});
		expect(invoiceDateFor({ creationDate: 'yesterday' }, undefined, 'created', '28/11/2026', 'order 6')).toMatchObject({
			ok: false,
			message: 'order 6: "Invoice Date From" is the created date, but the order has an unreadable creationDate "yesterday"',
		});
		expect(invoiceDateFor(PAID, '20/11/2026', 'paid', '28/11/2026', 'order 5')).toMatchObject({
			ok: false,
			message: 'order 5: both "Invoice Date" and "Invoice Date From" are set',
		});
	});
});
