import { documentTypeFor, invoiceDateFor, isBusinessBuyer, vatDueInPortugal, type TaxationFacts } from '../../nodes/link/documentRules';

/** Issues 12 and 21: the document's own legal rules, decided from the order before anything is sent. */

const PAID = { orderNumber: '5', paidOn: '2026-11-27T23:30:00.000Z', creationDate: '2026-11-25T10:00:00.000Z' };
const UNPAID = { orderNumber: '6', paidOn: null, creationDate: '2026-11-25T10:00:00.000Z' };

/** Goods sent to a Portuguese address: VAT due in Portugal. */
const HOME = { country: 'PT', oss: false, zeroRated: false };
const facts = (totalEur: number, fiscalId?: string, taxation: TaxationFacts = HOME) => ({ totalEur, ...(fiscalId ? { fiscalId } : {}), taxation });
const REFUSE = { notAllowed: 'refuse', retailer: true } as const;
const INSTEAD = { notAllowed: 'invoice', retailer: true } as const;

describe('documentTypeFor', () => {
	it('an invoice-receipt only for a paid order', () => {
		expect(documentTypeFor(PAID, 'invoiceReceipt', facts(50), REFUSE, 'order 5')).toEqual({ ok: true, value: 'invoiceReceipt' });
		expect(documentTypeFor(UNPAID, 'invoiceReceipt', facts(50), INSTEAD, 'order 6')).toMatchObject({
			ok: false,
			message: 'order 6: an invoice-receipt says the order is paid, but the order has no payment date (paidOn)',
		});
		expect(documentTypeFor(UNPAID, 'invoice', facts(50), REFUSE, 'order 6')).toEqual({ ok: true, value: 'invoice' });
	});

	it('art. 40.º n.º 1 a): a retailer up to 1,000 € for a buyer who is not a taxable person', () => {
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(1000), REFUSE, 'order 5')).toEqual({ ok: true, value: 'simplifiedInvoice' });
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(999.99, '123456789'), REFUSE, 'order 5')).toEqual({ ok: true, value: 'simplifiedInvoice' });
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(1000.01), REFUSE, 'order 5')).toEqual({
			ok: false,
			message: 'order 5: a simplified invoice is only allowed up to 1000 € for a retail sale to a buyer who is not a taxable person (art. 40.º n.º 1 a) CIVA), and the order total is 1000.01 €',
			description: 'Nothing was created. Choose "Invoice", or set "When a Simplified Invoice Is Not Allowed" to "Issue an Invoice Instead".',
		});
	});

	it('art. 40.º n.º 1 b): 100 € for a business buyer, and for every buyer when the shop is not a retailer', () => {
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(100.5, '503504564'), INSTEAD, 'order 5')).toEqual({
			ok: true,
			value: 'invoice',
			warning: 'a simplified invoice is only allowed up to 100 € for a business buyer (art. 40.º n.º 1 b) CIVA), and the order total is 100.5 €: an invoice was issued instead',
		});
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(100, '503504564'), REFUSE, 'order 5')).toEqual({ ok: true, value: 'simplifiedInvoice' });
		const notRetail = { notAllowed: 'refuse', retailer: false } as const;
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(100), notRetail, 'order 5')).toEqual({ ok: true, value: 'simplifiedInvoice' });
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(100.01), notRetail, 'order 5')).toMatchObject({
			ok: false,
			message: 'order 5: a simplified invoice is only allowed up to 100 € when the shop is not a retailer ("Retailer" is off; art. 40.º n.º 1 b) CIVA), and the order total is 100.01 €',
		});
	});

	it('only where the VAT is due in Portugal: never for OSS, exports or intra-EU supplies to a business, whatever the amount', () => {
		const oss = { country: 'IE', oss: true, zeroRated: false };
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(20, undefined, oss), REFUSE, 'order 5')).toMatchObject({
			ok: false,
			message: 'order 5: a simplified invoice is only allowed where the VAT is due in Portugal (art. 40.º n.º 1 CIVA), and the VAT of this sale is due in IE (One-Stop-Shop)',
		});
		const exported = { country: 'GB', oss: false, zeroRated: true };
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(20, undefined, exported), INSTEAD, 'order 5')).toEqual({
			ok: true,
			value: 'invoice',
			warning: 'a simplified invoice is only allowed where the VAT is due in Portugal (art. 40.º n.º 1 CIVA), and the goods go to GB, outside the EU: an export (exempt, art. 14.º CIVA): an invoice was issued instead',
		});
		const intraEu = { country: 'ES', oss: false, zeroRated: true };
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(20, 'ESB12345674', intraEu), REFUSE, 'order 5')).toMatchObject({
			ok: false,
			message: expect.stringContaining('the sale to a business in ES is an exempt intra-EU supply (art. 14.º RITI)'),
		});
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(20, undefined, { ...intraEu, exemption: 'M16' }), REFUSE, 'order 5')).toMatchObject({ ok: false });
	});

	it('VAT due in Portugal: any Portuguese destination, and EU consumers charged Portuguese VAT (below the OSS threshold)', () => {
		expect(vatDueInPortugal(HOME, undefined)).toEqual({ due: true });
		expect(vatDueInPortugal({ ...HOME, zeroRated: true, exemption: 'M10' }, '503504564')).toEqual({ due: true });
		expect(vatDueInPortugal({ country: 'FR', oss: false, zeroRated: false }, undefined)).toEqual({ due: true });
		// A business abroad charged Portuguese VAT (no exemption claimed): the sale is taxed in Portugal.
		expect(vatDueInPortugal({ country: 'DE', oss: false, zeroRated: false }, 'DE123456789')).toEqual({ due: true });
		expect(vatDueInPortugal({ country: 'US', oss: false, zeroRated: false }, undefined)).toMatchObject({ due: false });
		expect(documentTypeFor(PAID, 'simplifiedInvoice', facts(300, undefined, { country: 'FR', oss: false, zeroRated: false }), REFUSE, 'order 5')).toEqual({ ok: true, value: 'simplifiedInvoice' });
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
