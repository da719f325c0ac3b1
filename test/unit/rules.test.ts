/**
 * Issue 21, parts 2 (CashInvoice), 3 (cancel) and 5 (returns of orders never invoiced): the pure rules.
 * Parts 1 and 2 (regions, simplified invoices) are in tax-place.test.ts and document-rules.test.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import { NOT_INVOICED_AFTER_PAID_MS, planCredit, type CreditParams } from '../../nodes/link/credit/plan';
import { listedPrefix, listedType } from '../../nodes/services/invoicexpress/api/documents';
import { cancelRefusal } from '../../nodes/services/invoicexpress/api/state';

const ORDER: IDataObject = { orderId: 'o-1', orderNumber: '1001', links: [{ rel: 'self', href: 'https://x/rs/shops/Demo/orders/o-1' }] };
const INVOICE: IDataObject = { id: 501, type: 'Invoice', status: 'final', reference: '1001', inverted_sequence_number: 'A/12', total: 30, client: { id: 7 } };
const params = (over: Partial<CreditParams> = {}): CreditParams => ({
	correction: 'creditNote',
	reason: '',
	scope: { kind: 'full' },
	returnReference: '',
	sendEmail: false,
	attachPdf: false,
	dryRun: false,
	connectEPages: false,
	writeBack: false,
	options: {},
	...over,
});
const CANCEL = params({ correction: 'cancel', reason: 'emitida por engano' });
const base = { order: ORDER, today: '03/12/2026' };

describe('CashInvoice is a VD, a legacy type, not a simplified invoice (FS)', () => {
	it('is listed as cashInvoice with the prefix VD; SimplifiedInvoice stays an FS', () => {
		expect(listedType({ type: 'CashInvoice' })).toBe('cashInvoice');
		expect(listedPrefix('cashInvoice')).toBe('VD');
		expect(listedType({ type: 'SimplifiedInvoice' })).toBe('simplifiedInvoice');
		expect(listedPrefix('simplifiedInvoice')).toBe('FS');
		expect(listedType({ type: 'Receipt' })).toBe('receipt');
		expect(listedPrefix('receipt')).toBeUndefined();
	});

	it('a live VD of the order is refused for a credit or a cancel (no documented path: none guessed); a canceled one leaves nothing to credit', () => {
		const vd = { ...INVOICE, id: 77, type: 'CashInvoice', inverted_sequence_number: 'A/3' };
		expect(planCredit({ ...base, params: params(), listed: [vd] })).toEqual({
			kind: 'refuse',
			message: "order 1001: the order's document VD A/3 is a cash sale (legacy type CashInvoice, id 77), which the package cannot credit",
			description: 'Nothing was sent: the InvoicExpress API documents no path for VDs, so none is guessed. Correct it in InvoicExpress.',
		});
		expect(planCredit({ ...base, params: CANCEL, listed: [vd, INVOICE] })).toMatchObject({ kind: 'refuse', message: expect.stringContaining('which the package cannot cancel') });
		expect(planCredit({ ...base, params: params(), listed: [{ ...vd, status: 'canceled' }] })).toMatchObject({ kind: 'settled', outcome: 'nothing to credit', note: 'the cash sale VD A/3 was canceled: nothing is left to credit' });
	});
});

describe('cancel only what InvoicExpress lets you cancel', () => {
	it('a settled document moves to canceled only when it is an invoice-receipt', () => {
		expect(cancelRefusal('invoiceReceipt', 'settled', 'x')).toBeUndefined();
		expect(cancelRefusal('invoice', 'final', 'x')).toBeUndefined();
		expect(cancelRefusal('invoice', 'settled', 'Invoice 501')).toEqual({
			message: 'Invoice 501 is settled, and InvoicExpress cancels a settled document only when it is an invoice-receipt',
			description:
				'Nothing was sent. To undo the sale, issue a credit note for the invoice (Credit From ePages Order, or Document → Create with Document Type "Credit Note" and its Owner Invoice ID). To cancel it instead, first cancel in InvoicExpress the receipt that settled it, so that the invoice is final again.',
		});
		expect(cancelRefusal('simplifiedInvoice', 'settled', 'x')?.message).toBe('x is settled, and InvoicExpress cancels a settled document only when it is an invoice-receipt');
		expect(cancelRefusal('creditNote', 'settled', 'x')?.description).toContain('"unsettled", credit and debit notes only');
	});

	it('Credit From ePages Order with "cancel" refuses a settled invoice or simplified invoice before any request', () => {
		const related = [] as IDataObject[];
		expect(planCredit({ ...base, params: CANCEL, listed: [{ ...INVOICE, status: 'settled' }], related })).toMatchObject({
			kind: 'refuse',
			message: 'order 1001: FT A/12 is settled, and InvoicExpress cancels a settled document only when it is an invoice-receipt',
		});
		expect(planCredit({ ...base, params: CANCEL, listed: [{ ...INVOICE, type: 'SimplifiedInvoice', status: 'settled' }], related })).toMatchObject({ kind: 'refuse', message: expect.stringContaining('FS A/12 is settled') });
		expect(planCredit({ ...base, params: CANCEL, listed: [{ ...INVOICE, type: 'InvoiceReceipt', status: 'settled' }], related })).toMatchObject({ kind: 'cancel', legalNumber: 'FR A/12' });
		expect(planCredit({ ...base, params: CANCEL, listed: [INVOICE], related })).toMatchObject({ kind: 'cancel', legalNumber: 'FT A/12' });
		// A settled invoice is still credited: a credit note is the correction the law names.
		expect(planCredit({ ...base, params: params(), listed: [{ ...INVOICE, status: 'settled' }], related })).toMatchObject({ kind: 'gather', step: 'readInvoice' });
	});
});

describe('returns of orders never invoiced: not invoiced once no invoice can plausibly be unlisted', () => {
	const PAID_AT = Date.parse('2026-12-01T10:00:00Z');
	const paid = { ...ORDER, paidOn: '2026-12-01T10:00:00Z', rejectedOn: '2026-12-01T10:30:00Z' };
	const at = (ms: number) => ({ ...base, params: params(), order: paid, listed: [] as IDataObject[], now: PAID_AT + ms });

	it('the bound is 24 hours after the payment', () => {
		expect(NOT_INVOICED_AFTER_PAID_MS).toBe(24 * 3600 * 1000);
	});

	it('paid, never marked invoiced, nothing listed: pending until 24 hours after the payment, then not invoiced', () => {
		expect(planCredit(at(NOT_INVOICED_AFTER_PAID_MS - 1))).toEqual({
			kind: 'pending',
			reason:
				'the order was paid less than 24 hours ago and InvoicExpress lists no invoice with its number: its lookup can lag, or the invoicing flow has not run yet. It is answered "not invoiced" 24 hours after the payment (from 2026-12-02T10:00:00.000Z on, if nothing is listed then)',
		});
		expect(planCredit(at(NOT_INVOICED_AFTER_PAID_MS))).toEqual({
			kind: 'settled',
			outcome: 'not invoiced',
			note: 'the shop never marked the order invoiced and InvoicExpress lists no invoice with its number, 24 hours or more after its payment: nothing to correct',
		});
		expect(planCredit({ ...at(30 * 24 * 3600 * 1000), params: CANCEL })).toMatchObject({ kind: 'settled', outcome: 'not invoiced' });
	});

	it('marked invoiced in the shop (invoiced date or the note line): pending, however old', () => {
		const old = 30 * 24 * 3600 * 1000;
		expect(planCredit({ ...at(old), order: { ...paid, invoicedOn: '2026-12-01T10:01:00Z' } })).toMatchObject({ kind: 'pending', reason: expect.stringContaining('marked invoiced in the shop') });
		expect(planCredit({ ...at(old), order: { ...paid, internalNote: 'InvoicExpress FT A/12 (id 501)' } })).toMatchObject({ kind: 'pending' });
	});

	it('anything listed decides instead: a draft is deleted, a canceled invoice leaves nothing to credit, a final one is credited', () => {
		const old = 30 * 24 * 3600 * 1000;
		expect(planCredit({ ...at(old), listed: [{ ...INVOICE, status: 'draft' }] })).toMatchObject({ kind: 'deleteDrafts' });
		expect(planCredit({ ...at(old), listed: [{ ...INVOICE, status: 'canceled' }] })).toMatchObject({ kind: 'settled', outcome: 'nothing to credit' });
		expect(planCredit({ ...at(old), listed: [INVOICE] })).toMatchObject({ kind: 'gather', step: 'readRelated' });
	});

	it('no clock, an unreadable or a future paid date: pending, never a guess', () => {
		expect(planCredit({ ...at(0), now: undefined })).toMatchObject({ kind: 'pending' });
		expect(planCredit({ ...at(NOT_INVOICED_AFTER_PAID_MS * 2), order: { ...paid, paidOn: 'yesterday' } })).toMatchObject({ kind: 'pending', reason: expect.stringContaining('"yesterday" cannot be read') });
		expect(planCredit(at(-3600 * 1000))).toMatchObject({ kind: 'pending' });
	});

	it('an order never paid is not invoiced at once (the invoicing flows invoice paid orders)', () => {
		expect(planCredit({ ...at(0), order: { ...ORDER, rejectedOn: '2026-12-01T10:30:00Z' } })).toMatchObject({ kind: 'settled', outcome: 'not invoiced' });
	});
});
