/**
 * Issue 23: the month-end reconciliation's pure core (nodes/link/reconcile/): the records read from
 * one list item each, the note marks, the period's windows, every finding kind planted and found, a
 * clean month reporting nothing, the edges of the period, the summary's sums and the repair plan.
 */
import type { IDataObject } from 'n8n-workflow';

import { cancelNoteLine, creditNoteLine, emailMarkOf, invoiceNoteLine } from '../../nodes/link/orderLink';
import { cleanMonth, done, EMAIL, everyKind, input, invoicedNote, ixItem, nowItem, PERIOD, reconcile, WINDOWS, type Month } from '../fixtures/reconcileMonth';
import { invoiceMark, isEmailed, readNoteMarks } from '../../nodes/link/reconcile/marks';
import {
	documentDateFilter,
	lisbonDay,
	monthPeriod,
	periodLabel,
	periodOf,
	previousMonth,
	readWindows,
	shopCreatedRange,
} from '../../nodes/link/reconcile/period';
import { planReconciliation, type ReconcileInput, type ReconcileResult } from '../../nodes/link/reconcile/plan';
import { beyondOrderRecord, documentRecord, nowOrderRecord, RecordError, referenceLink, vatOf } from '../../nodes/link/reconcile/records';
import type { FindingKind } from '../../nodes/link/reconcile/findings';

const kinds = (r: ReconcileResult) => r.findings.map((f) => `${f.kind} ${f.orderNumber}`);

function planted(change: (m: Month) => void, extra: Partial<ReconcileInput> = {}): ReconcileResult {
	const month = cleanMonth();
	change(month);
	return reconcile(month, extra);
}

const order = (m: Month, number: string) => m.orders.find((o) => o.orderNumber === number) as IDataObject;
const doc = (m: Month, id: number) => m.docs.find((d) => d.id === id) as IDataObject;

// ---------------------------------------------------------------------------------------------

describe('note marks read what orderLink.ts writes', () => {
	it('reads invoice, credit and cancel lines, with and without the e-mail mark, among the merchant\'s own lines', () => {
		const note = [
			'Tracking code: YAZ123',
			invoiceNoteLine('FT A/12', 345),
			invoiceNoteLine('FR B/3', 346, 'x@y.pt'),
			creditNoteLine('NC A/1', 400, 'FT A/12', 'x@y.pt'),
			cancelNoteLine('FT A/12', 345, 'wrong client'),
			'InvoicExpress is great (id 1) says the merchant',
		].join('\n');
		expect(readNoteMarks(note)).toEqual([
			{ kind: 'invoice', legalNumber: 'FT A/12', documentId: '345' },
			{ kind: 'invoice', legalNumber: 'FR B/3', documentId: '346', emailedTo: 'x@y.pt' },
			{ kind: 'credit', legalNumber: 'NC A/1', documentId: '400', emailedTo: 'x@y.pt' },
			{ kind: 'cancel', legalNumber: 'FT A/12', documentId: '345' },
		]);
	});

	it('reads the e-mail mark as Email Invoice of ePages Order does (orderLink.ts emailMarkOf)', () => {
		const notes = [
			invoiceNoteLine('FT A/1', 1, EMAIL),
			invoiceNoteLine('FT A/1', 1),
			`${invoiceNoteLine('FT A/1', 1)} (sent by hand)`,
			`${invoiceNoteLine('FT A/1', 1, EMAIL)} and again`,
			`  ${invoiceNoteLine('FS B/1', 1, EMAIL)}  `,
			creditNoteLine('NC A/1', 1, 'FT A/1', EMAIL),
			cancelNoteLine('FT A/1', 1, 'e-mailed to nobody'),
			'InvoicExpress FT A/1 (id x1) e-mailed to a@b.pt',
		];
		for (const note of notes) {
			const order = { internalNote: `Tracking 1\n${note}` };
			expect([note, isEmailed(readNoteMarks(order.internalNote), '1') ? EMAIL : undefined]).toEqual([note, emailMarkOf(order, 1)]);
		}
	});

	it('finds an invoice by id, the e-mailed line first when both forms are there', () => {
		const marks = readNoteMarks(`${invoiceNoteLine('FT A/1', 1)}\r\n${invoiceNoteLine('FT A/1', 1, EMAIL)}`);
		expect(invoiceMark(marks, '1')?.emailedTo).toBe(EMAIL);
		expect(isEmailed(marks, '1')).toBe(true);
		expect(isEmailed(readNoteMarks(invoiceNoteLine('FT A/1', 1)), '1')).toBe(false);
		expect(isEmailed(marks, '2')).toBe(false);
		expect(readNoteMarks(null)).toEqual([]);
	});
});

describe('period and windows', () => {
	it('names months and their edges, leap years and the turn of the year included', () => {
		expect(monthPeriod('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
		expect(previousMonth('2027-01-01')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
		expect(periodLabel(monthPeriod('2026-11'))).toBe('2026-11');
		expect(periodLabel({ from: '2026-11-03', to: '2026-11-20' })).toBe('2026-11-03_2026-11-20');
		expect(() => periodOf('2026-11-31', '2026-12-01')).toThrow(/not a day/);
		expect(() => periodOf('2026-12-01', '2026-11-01')).toThrow(/before it starts/);
		expect(() => periodOf('2025-01-01', '2026-06-01')).toThrow(/at most 366/);
	});

	it('reads orders from a week before the period and documents until a month after it, never past today', () => {
		expect(readWindows(PERIOD, '2026-12-01')).toEqual({ orders: { from: '2026-10-25', to: '2026-11-30' }, documents: { from: '2026-11-01', to: '2026-12-01' } });
		expect(readWindows(PERIOD, '2027-03-01').documents.to).toBe('2026-12-31');
		expect(readWindows(PERIOD, '2026-11-15')).toEqual({ orders: { from: '2026-10-25', to: '2026-11-15' }, documents: { from: '2026-11-01', to: '2026-11-15' } });
		expect(shopCreatedRange(WINDOWS.orders)).toEqual({ from: '2026-10-24T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' });
		expect(documentDateFilter(WINDOWS.documents)).toEqual({ 'date[from]': '01/11/2026', 'date[to]': '01/12/2026' });
	});

	it('dates an instant by its Lisbon calendar day (UTC+1 in summer)', () => {
		expect(lisbonDay('2026-06-30T23:30:00.000Z')).toBe('2026-07-01');
		expect(lisbonDay('2026-11-30T23:30:00.000Z')).toBe('2026-11-30');
		expect(lisbonDay('yesterday')).toBeUndefined();
	});
});

describe('records: one list item each', () => {
	it('reads an ePages Now list item: totals as strings, statuses, note marks, e-mail', () => {
		const r = nowOrderRecord(done('1001', 1, { grandTotal: '1234.565' }));
		expect(r).toMatchObject({ number: '1001', id: 'guid-1001', platform: 'now', createdDay: '2026-11-05', currency: 'EUR', totalCents: 123457, taxCents: 2300, invoicedOn: true, email: EMAIL });
		expect(r.marks).toEqual([{ kind: 'invoice', legalNumber: 'FT A/1', documentId: '1', emailedTo: EMAIL }]);
		expect(r.vat).toBeUndefined();
	});

	it('refuses an item it cannot read, naming the order and the field', () => {
		expect(() => nowOrderRecord(nowItem('1', { grandTotal: '7.32 €' }))).toThrow(new RecordError('order 1: grandTotal "7.32 €" is not an amount', 'shop', '1'));
		expect(() => nowOrderRecord(nowItem('1', { creationDate: null }))).toThrow(/order 1: creationDate/);
		expect(() => documentRecord(ixItem(9, '1', { date: '2026-11-05' }))).toThrow(/document 9: date/);
	});

	it('reads a Beyond list item through the package\'s Beyond reading, with its VAT per rate', () => {
		const raw: IDataObject = {
			_id: 'b-1',
			orderNumber: '10001',
			createdAt: '2026-11-10T09:00:00.000',
			updatedAt: '2026-11-12T09:00:00.000',
			currency: 'EUR',
			taxModel: 'GROSS',
			grandTotal: { currency: 'EUR', amount: 62.44 },
			taxTotal: { currency: 'EUR', amount: 9.1713 },
			taxes: [
				{ taxClass: 'REGULAR', taxRate: 0.23, currency: 'EUR', amount: 8.1713 },
				{ taxClass: 'REDUCED', taxRate: 0.06, currency: 'EUR', amount: 1 },
			],
			productLineItems: [],
			billingAddress: { firstName: 'Astrid', lastName: 'Alster', email: 'a@example.com' },
			paymentStatus: 'PAID',
			shippingStatus: 'PARTIALLY_RETURNED',
			canceled: false,
			orderNote: invoicedNote(11),
		};
		const r = beyondOrderRecord(raw);
		expect(r).toMatchObject({ number: '10001', platform: 'beyond', totalCents: 6244, taxCents: 917, email: 'a@example.com', paidAt: '2026-11-12T09:00:00.000Z', returnedAt: '2026-11-12T09:00:00.000Z' });
		expect(r.invoicedOn).toBeUndefined();
		expect(r.vat).toEqual([{ rate: 23, taxCents: 817 }, { rate: 6, taxCents: 100 }]);
		expect(r.marks).toHaveLength(1);
		expect(() => beyondOrderRecord({ ...raw, orderNumber: null })).toThrow(RecordError);
	});

	it('reads a document: legal number, series, the order and invoice its reference names, currency, VAT per rate', () => {
		const credit = documentRecord(ixItem(40, '1004:NC:3:RMA-7', { type: 'CreditNote', inverted_sequence_number: 'NC24/40', currency: 'Euro' }));
		expect(credit).toMatchObject({ id: '40', type: 'creditNote', legalNumber: 'NC NC24/40', series: 'NC24', orderNumber: '1004', creditOf: '3', currency: 'EUR', totalCents: 12300, taxCents: 2300 });
		expect(credit.vat).toEqual([{ rate: 23, baseCents: 10000, taxCents: 2300 }]);
		const draft = documentRecord(ixItem(41, '1001', { status: 'draft', sequence_number: 'rascunho', inverted_sequence_number: 'rascunho' }));
		expect(draft).toMatchObject({ legalNumber: null, series: '' });
		const cash = documentRecord(ixItem(42, '1001', { type: 'CashInvoice', currency_code: 'usd' }));
		// A listed CashInvoice is a VD, not an FS (issue 21, api-fidelity.md).
		expect(cash).toMatchObject({ type: 'cashInvoice', legalNumber: 'VD A/42', currency: 'USD' });
		expect(documentRecord(ixItem(43, '1001', { type: 'VatMossInvoice' })).type).toBe('other');
		expect(referenceLink('  ')).toBeNull();
		expect(referenceLink('ORD/7:NC:99')).toEqual({ orderNumber: 'ORD/7', creditOf: '99' });
	});

	it('keeps a VAT split only when the items add up to the total', () => {
		const items = [
			{ subtotal: 10, discount_amount: 1, tax_amount: 2.07, tax: { value: 23 } },
			{ subtotal: 5, discount_amount: 0, tax_amount: 0.3, tax: { value: 6 } },
		];
		expect(vatOf(items, 1637)).toEqual([{ rate: 23, baseCents: 900, taxCents: 207 }, { rate: 6, baseCents: 500, taxCents: 30 }]);
		// A global discount the items do not show: no split rather than a wrong one.
		expect(vatOf(items, 1500)).toBeUndefined();
		expect(vatOf([{ subtotal: 'x', tax: { value: 23 } }], 0)).toBeUndefined();
	});
});

describe('a clean month', () => {
	it('reports nothing, edges included', () => {
		const r = reconcile(cleanMonth());
		expect(r.findings).toEqual([]);
		expect(r.summary.findings).toBe(0);
		expect(r.repairs).toEqual({ invoice: [], email: [], deleteDrafts: [], writeBack: [] });
		expect(r.unresolved).toEqual([]);
		// The order of the month before answers for its document, and is not judged itself.
		expect(r.summary.orders.inPeriod).toBe(7);
	});
});

describe('each finding kind, planted and found', () => {
	const only = (r: ReconcileResult) => kinds(r);

	it('paid and not invoiced (repair: invoice)', () => {
		const r = planted((m) => m.orders.push(nowItem('1010')));
		expect(only(r)).toEqual(['notInvoiced 1010']);
		expect(r.findings[0]).toMatchObject({ repairable: true, orderCents: 12300 });
		expect(r.repairs.invoice).toEqual([{ kind: 'invoice', orderNumber: '1010', orderId: 'guid-1010', reason: 'paid on 2026-11-05 and not invoiced' }]);
	});

	it('paid with only a draft: not invoiced, the draft adopted by the invoicing, not deleted', () => {
		const r = planted((m) => {
			m.orders.push(nowItem('1010', { invoicedOn: '2026-11-05T11:00:00.000Z' }));
			m.docs.push(ixItem(30, '1010', { status: 'draft', inverted_sequence_number: null }));
		});
		expect(only(r)).toEqual(['notInvoiced 1010']);
		expect(r.findings[0].message).toMatch(/draft invoice 30 was left by a run that stopped.*the shop marks it invoiced/);
		expect(r.repairs.deleteDrafts).toEqual([]);
	});

	it('two legal invoices for one order (needs a person)', () => {
		const r = planted((m) => m.docs.push(ixItem(20, '1001', { type: 'InvoiceReceipt', status: 'settled', inverted_sequence_number: 'B/20' })));
		expect(only(r)).toEqual(['duplicateInvoices 1001']);
		expect(r.findings[0]).toMatchObject({ repairable: false, repairs: [] });
		expect(r.findings[0].documents.map((d) => d.legalNumber)).toEqual(['FT A/1', 'FR B/20']);
	});

	it('an invoice credited in full and issued again ("Invoice Again") is not a duplicate', () => {
		const r = planted((m) => {
			m.docs.push(ixItem(21, '1001:NC:1', { type: 'CreditNote', date: '06/11/2026' }), ixItem(22, '1001', { date: '06/11/2026' }));
			order(m, '1001').internalNote = `${invoicedNote(1)}\n${creditNoteLine('NC A/21', 21, 'FT A/1')}\n${invoicedNote(22)}`;
			// A refund of a paid order that is not returned: the credit note is asked about, nothing else.
		});
		expect(only(r)).toEqual(['creditWithoutReturn 1001']);
	});

	it('a draft left beside the final invoice (repair: delete), and one alone on an unpaid order (reported only)', () => {
		const r = planted((m) => {
			m.docs.push(ixItem(21, '1001', { status: 'draft', inverted_sequence_number: null }));
			m.docs.push(ixItem(22, '1003', { status: 'draft', inverted_sequence_number: null }));
		});
		expect(only(r)).toEqual(['draftLeft 1001', 'draftLeft 1003']);
		expect(r.findings.map((f) => f.repairable)).toEqual([true, false]);
		expect(r.repairs.deleteDrafts).toEqual([
			expect.objectContaining({ orderNumber: '1001', documentId: '21', documentType: 'invoice', reference: '1001', requires: 'finalBeside' }),
		]);
		expect(r.findings[1].message).toMatch(/the next run of the order resumes it/i);
	});

	it('a draft of a cancelled order is removed as Credit From ePages Order removes it', () => {
		const r = planted((m) => m.docs.push(ixItem(22, '1005', { status: 'draft', inverted_sequence_number: null })));
		expect(only(r)).toEqual(['draftLeft 1005']);
		expect(r.repairs.deleteDrafts[0]).toMatchObject({ documentId: '22', requires: 'orderCanceled' });
	});

	it('a credit note draft beside the final credit note of the same return (repair: delete)', () => {
		const r = planted((m) => m.docs.push(ixItem(23, '1004:NC:3', { type: 'CreditNote', status: 'draft', inverted_sequence_number: null, date: '01/12/2026' })));
		expect(only(r)).toEqual(['draftLeft 1004']);
		expect(r.repairs.deleteDrafts[0]).toMatchObject({ documentId: '23', documentType: 'creditNote', reference: '1004:NC:3', requires: 'finalBeside' });
	});

	it('document total differs from the order total beyond a cent (a cent is rounding)', () => {
		expect(kinds(planted((m) => (order(m, '1001').grandTotal = '123.01')))).toEqual([]);
		const r = planted((m) => {
			order(m, '1001').grandTotal = '123.02';
			order(m, '1001').lastUpdatedOnDate = '2026-11-09T10:00:00.000Z';
		});
		expect(only(r)).toEqual(['totalMismatch 1001']);
		expect(r.findings[0]).toMatchObject({ orderCents: 12302, documentsCents: 12300, differenceCents: -2, repairable: false });
		expect(r.findings[0].message).toMatch(/FT A\/1 totals 123.00 EUR but order 1001 totals 123.02 EUR; the order was changed on 2026-11-09, after the invoice/);
	});

	it('invoiced but not written back: the line, and on ePages Now the invoiced status (repair: write back)', () => {
		const r = planted((m) => Object.assign(order(m, '1007'), { internalNote: 'Tracking code: 1', invoicedOn: null }));
		expect(only(r)).toEqual(['writeBackMissing 1007']);
		expect(r.repairs.writeBack).toEqual([
			{ kind: 'writeBack', orderNumber: '1007', orderId: 'guid-1007', documentId: '8', noteLine: 'InvoicExpress FT A/8 (id 8)', setInvoicedOn: true, reason: 'the line in its internal note and its invoiced status missing' },
		]);
	});

	it('returned, or cancelled, and not credited (needs a person)', () => {
		const returned = planted((m) => (order(m, '1001').returnedOn = '2026-11-10T10:00:00.000Z'));
		expect(kinds(returned)).toEqual(['notCredited 1001']);
		expect(returned.findings[0].message).toMatch(/returned \(2026-11-10\) but FT A\/1 has no credit note/);
		const cancelled = planted((m) => {
			order(m, '1001').rejectedOn = '2026-11-10T10:00:00.000Z';
			m.docs.push(ixItem(21, '1001:NC:1:part', { type: 'CreditNote', total: 23, taxes: 4.3, items: [] }));
		});
		expect(kinds(cancelled)).toEqual(['notCredited 1001']);
		expect(cancelled.findings[0]).toMatchObject({ documentsCents: 10000 });
		expect(cancelled.findings[0].message).toMatch(/credited 23.00 EUR of 123.00 EUR/);
		expect(cancelled.repairs).toEqual({ invoice: [], email: [], deleteDrafts: [], writeBack: [] });
	});

	it('a credit note without a returned or cancelled order (needs a person)', () => {
		const r = planted((m) => m.docs.push(ixItem(21, '1002:NC:2:a1b2', { type: 'CreditNote', total: 10, taxes: 1.87, items: [], date: '15/11/2026' })));
		expect(only(r)).toEqual(['creditWithoutReturn 1002']);
		expect(r.findings[0]).toMatchObject({ documentsCents: -1000, orderCents: 12300 });
	});

	it('a canceled invoice while the order is still paid and not invoiced again (needs a person)', () => {
		const r = planted((m) => (doc(m, 1).status = 'canceled'));
		expect(only(r)).toEqual(['canceledNotReinvoiced 1001']);
		expect(r.findings[0].message).toMatch(/Invoice Again/);
		expect(r.repairs.invoice).toEqual([]);
	});

	it('a document whose reference matches no order: looked up first, reported only when the shop has none', () => {
		const month = cleanMonth();
		month.docs.push(ixItem(21, '5000', { date: '10/11/2026' }), ixItem(22, '5000', { date: '11/11/2026', status: 'draft', inverted_sequence_number: null }));
		expect(planReconciliation(input(month))).toEqual({ kind: 'lookup', orderNumbers: ['5000'] });
		const r = reconcile(month, { lookedUp: { '5000': null } });
		expect(kinds(r)).toEqual(['orphanDocument 5000']);
		expect(r.findings[0].documents.map((d) => d.id)).toEqual(['21', '22']);
		expect(r.findings[0].message).toMatch(/FT A\/21, draft invoice 22 have the reference "5000", which matches no order of the shop/);
	});

	it('invoiced and not known to be e-mailed (repair: e-mail, the mark first)', () => {
		const r = planted((m) => (order(m, '1001').internalNote = invoicedNote(1, false)));
		expect(only(r)).toEqual(['notEmailed 1001']);
		expect(r.repairs.email).toEqual([
			{
				kind: 'email',
				orderNumber: '1001',
				orderId: 'guid-1001',
				documentId: '1',
				documentType: 'invoice',
				legalNumber: 'FT A/1',
				to: EMAIL,
				noteLine: `InvoicExpress FT A/1 (id 1) e-mailed to ${EMAIL}`,
				bareLine: 'InvoicExpress FT A/1 (id 1)',
				setInvoicedOn: false,
				reason: expect.stringMatching(/at most once/),
			},
		]);
	});

	it('not written back and not e-mailed: one e-mail repair that also writes it back', () => {
		const r = planted((m) => Object.assign(order(m, '1001'), { internalNote: null, invoicedOn: null }));
		expect(only(r)).toEqual(['writeBackMissing 1001', 'notEmailed 1001']);
		expect(r.repairs.writeBack).toEqual([]);
		expect(r.repairs.email).toEqual([expect.objectContaining({ orderNumber: '1001', setInvoicedOn: true })]);
	});

	it('unreadable items and documents of an unknown type naming an order (needs a person)', () => {
		const r = planted((m) => m.docs.push(ixItem(21, '1001', { type: 'VatMossInvoice' })), {
			unreadable: [{ source: 'shop', key: '1011', message: 'order 1011: grandTotal "x" is not an amount' }],
		});
		expect(kinds(r)).toEqual(['unreadable 1001', 'unreadable 1011']);
		expect(r.findings[0].message).toMatch(/type "VatMossInvoice"/);
	});

	it('an order named by an unreadable item is not judged without it (no false "not invoiced", no lookup)', () => {
		const month = cleanMonth();
		month.orders.push(nowItem('1010'));
		let error: RecordError | undefined;
		try {
			documentRecord(ixItem(30, '1010', { total: 'lots' }));
		} catch (e) {
			error = e as RecordError;
		}
		expect(error).toMatchObject({ source: 'invoicexpress', key: '30', orderNumber: '1010' });
		const r = reconcile(month, { unreadable: [{ source: error!.source, key: error!.key, message: error!.message, orderNumber: error!.orderNumber }] });
		expect(kinds(r)).toEqual(['unreadable 1010']);
		expect(r.findings[0].message).toMatch(/document 30: total "lots" is not an amount/);
		// A shop item that cannot be read: its documents of the period are not looked up, nor orphans.
		const shop = cleanMonth();
		shop.orders = shop.orders.filter((o) => o.orderNumber !== '1001');
		expect(kinds(reconcile(shop, { unreadable: [{ source: 'shop', key: '1001', message: 'order 1001: grandTotal "x" is not an amount' }] }))).toEqual(['unreadable 1001']);
	});

	it('two orders sharing a number are reported, not matched', () => {
		const r = planted((m) => m.orders.push(nowItem('1001', { orderId: 'guid-other' })));
		expect(kinds(r)).toEqual(['unreadable 1001']);
		expect(r.findings[0].message).toMatch(/2 orders of the shop have the number 1001/);
	});

	it('the options turn off the write-back and e-mail checks for workflows that do neither', () => {
		const month = cleanMonth();
		for (const o of month.orders) Object.assign(o, { internalNote: null, invoicedOn: null });
		// 1001, 1002, 1007 (1004's invoice is credited in full; 1006's is dated today; 0998 is last month's).
		expect(kinds(reconcile(month)).filter((k) => k.startsWith('writeBack'))).toEqual(['writeBackMissing 1001', 'writeBackMissing 1002', 'writeBackMissing 1007']);
		expect(reconcile(month).summary.orders.tooRecent).toEqual(['1006']);
		expect(kinds(reconcile(month, { options: { writeBack: false } }))).toEqual([]);
		expect(kinds(reconcile(month, { options: { emailInvoices: false } })).some((k) => k.startsWith('notEmailed'))).toBe(false);
	});
});

describe('the edges of the period', () => {
	it('an order of the 30th invoiced on the 1st of the next month is fine', () => {
		const r = reconcile(cleanMonth());
		expect(kinds(r).some((k) => k.endsWith('1006'))).toBe(false);
	});

	it('an order of the period whose invoice is dated after the documents window is not judged as not invoiced forever: a later run sees it', () => {
		// Read on the 1st: the invoice of the 30th's order dated the 2nd does not exist yet.
		const month = cleanMonth();
		doc(month, 5).date = '02/12/2026';
		month.docs = month.docs.filter((d) => d.id !== 5);
		const r = reconcile(month);
		// Paid 6 hours before the run: older than the settle time, so it is reported (correctly: no invoice yet).
		expect(kinds(r)).toEqual(['notInvoiced 1006']);
	});

	it('an order paid minutes before the run is too recent to judge', () => {
		const r = planted((m) => m.orders.push(nowItem('1010', { creationDate: '2026-11-30T23:00:00.000Z', paidOn: '2026-12-01T05:30:00.000Z' })));
		expect(r.findings).toEqual([]);
		expect(r.summary.orders.tooRecent).toEqual(['1010']);
	});

	it('a return after the end of the documents window is not judged (its credit note would be dated later)', () => {
		const windows = readWindows(PERIOD, '2026-11-15');
		const r = reconcile(
			{ orders: [done('1001', 1, { returnedOn: '2026-11-20T10:00:00.000Z' })], docs: [ixItem(1, '1001')] },
			{ windows, now: '2026-12-20T10:00:00.000Z' },
		);
		expect(r.findings).toEqual([]);
		expect(r.summary.orders.afterWindow).toEqual(['1001']);
	});

	it('a credit note of the next month for a returned order of this month counts', () => {
		const r = planted((m) => (doc(m, 4).date = '28/12/2026'), { windows: readWindows(PERIOD, '2027-01-05'), now: '2027-01-05T06:00:00.000Z' });
		expect(r.findings).toEqual([]);
	});

	it('a document of this month for an order older than the window: looked up, then answers for it', () => {
		const month = cleanMonth();
		month.docs.push(ixItem(21, '0900', { type: 'CreditNote', date: '03/11/2026', reference: '0900:NC:11' }));
		const old = nowOrderRecord(done('0900', 11, { creationDate: '2026-09-02T10:00:00.000Z', returnedOn: '2026-11-02T10:00:00.000Z' }));
		expect(planReconciliation(input(month))).toEqual({ kind: 'lookup', orderNumbers: ['0900'] });
		expect(reconcile(month, { lookedUp: { '0900': old } }).findings).toEqual([]);
		const unchecked = reconcile(month, { lookedUp: { '0900': 'notChecked' } });
		expect(unchecked.findings).toEqual([]);
		expect(unchecked.unresolved).toEqual([{ orderNumber: '0900', documents: [expect.objectContaining({ id: '21' })] }]);
	});

	it('a document dated after the period with an unknown reference is the next period\'s: no lookup, no finding', () => {
		const month = cleanMonth();
		month.docs.push(ixItem(21, '1101', { date: '01/12/2026' }));
		expect(reconcile(month).findings).toEqual([]);
	});

	it('the same item listed twice (a page shifted while reading) counts once', () => {
		const month = cleanMonth();
		month.orders.push(month.orders[0]);
		month.docs.push(month.docs[0]);
		const r = reconcile(month);
		expect(r.findings).toEqual([]);
		expect(r.summary.totals[0].invoicedCents).toBe(reconcile(cleanMonth()).summary.totals[0].invoicedCents);
	});
});

describe('the summary', () => {
	it('sums the period per order: shop paid against invoiced − credited, per day and per VAT rate', () => {
		const r = reconcile(cleanMonth());
		const s = r.summary;
		expect(s.counts.notInvoiced).toBe(0);
		expect(s.orders).toMatchObject({ read: 8, inPeriod: 7, paid: 4 });
		// Paid and neither returned nor cancelled: 1001, 1002, 1006, 1007.
		expect(s.totals).toEqual([
			{
				currency: 'EUR',
				shopOrders: 4,
				shopPaidCents: 49200,
				shopTaxCents: 9200,
				// 1001, 1002, 1004, 1006, 1007 invoiced; 1004 credited.
				invoicedCents: 61500,
				creditedCents: 12300,
				netCents: 49200,
				differenceCents: 0,
				documentsTaxCents: 9200,
			},
		]);
		const days = s.byDay[0].days;
		expect(days).toHaveLength(30);
		expect(days.find((d) => d.day === '2026-11-05')).toEqual({ day: '2026-11-05', shopCents: 36900, documentsCents: 36900 });
		expect(days.find((d) => d.day === '2026-11-30')).toEqual({ day: '2026-11-30', shopCents: 12300, documentsCents: 12300 });
		expect(s.byVatRate).toEqual([{ currency: 'EUR', rows: [{ rate: 23, shopTaxCents: null, documentsBaseCents: 40000, documentsTaxCents: 9200 }] }]);
		expect(s.vatNote).toMatch(/not per rate/);
	});

	it('lists the period\'s documents per series and type, and those without a reference', () => {
		const s = planted((m) => m.docs.push(ixItem(21, '1003', { status: 'draft', inverted_sequence_number: null }), ixItem(22, '1001', { status: 'canceled', date: '07/11/2026' }))).summary;
		expect(s.series).toEqual([
			{ series: '', type: 'invoice', apiType: 'Invoice', currency: 'EUR', documents: 1, drafts: 1, final: 0, canceled: 0, totalCents: 0 },
			// 1, 3, 6, 8 final; 22 canceled (5 and 4 are dated in December).
			{ series: 'A', type: 'invoice', apiType: 'Invoice', currency: 'EUR', documents: 5, drafts: 0, final: 4, canceled: 1, totalCents: 49200 },
			{ series: 'B', type: 'invoiceReceipt', apiType: 'InvoiceReceipt', currency: 'EUR', documents: 1, drafts: 0, final: 1, canceled: 0, totalCents: 12300 },
			{ series: 'C', type: 'invoice', apiType: 'Invoice', currency: 'EUR', documents: 1, drafts: 0, final: 1, canceled: 0, totalCents: 12300 },
		]);
		expect(s.documents.withoutReference).toEqual([{ currency: 'EUR', count: 1, totalCents: 12300 }]);
		expect(s.documents.inPeriod).toBe(8);
	});

	it('keeps currencies apart, and splits the shop\'s VAT per rate where the list carries it (Beyond)', () => {
		const beyond = (n: string, currency: string, amount: number, tax: number) =>
			beyondOrderRecord({
				_id: `b-${n}`,
				orderNumber: n,
				createdAt: '2026-11-10T09:00:00.000',
				updatedAt: '2026-11-10T09:05:00.000',
				currency,
				taxModel: 'GROSS',
				grandTotal: { currency, amount },
				taxTotal: { currency, amount: tax },
				taxes: [{ taxRate: 0.23, amount: tax }],
				productLineItems: [],
				billingAddress: { firstName: 'A', lastName: 'B' },
				paymentStatus: 'PAID',
				shippingStatus: 'SHIPPED',
				orderNote: invoiceNoteLine(`FT A/${n}`, n),
			});
		const r = reconcile(
			{ orders: [], docs: [ixItem(1, '1'), ixItem(2, '2', { currency_code: 'USD', total: 50, taxes: 9.35, items: [{ subtotal: 40.65, discount_amount: 0, tax_amount: 9.35, tax: { value: 23 } }] })] },
			{ orders: [beyond('1', 'EUR', 123, 23), beyond('2', 'USD', 50, 9.35)], shop: { platform: 'beyond', name: 'B' } },
		);
		expect(r.findings).toEqual([]);
		expect(r.summary.totals.map((t) => [t.currency, t.shopPaidCents, t.netCents, t.differenceCents])).toEqual([
			['EUR', 12300, 12300, 0],
			['USD', 5000, 5000, 0],
		]);
		expect(r.summary.byVatRate).toEqual([
			{ currency: 'EUR', rows: [{ rate: 23, shopTaxCents: 2300, documentsBaseCents: 10000, documentsTaxCents: 2300 }] },
			{ currency: 'USD', rows: [{ rate: 23, shopTaxCents: 935, documentsBaseCents: 4065, documentsTaxCents: 935 }] },
		]);
		expect(r.summary.vatNote).toBe('');
	});
});

describe('currencies named in words', () => {
	it('a currency the list names in words takes its order\'s: no false "different currency"', () => {
		const r = reconcile({ orders: [done('1', 1, { currencyId: 'USD' })], docs: [ixItem(1, '1', { currency: 'US Dollar' })] });
		expect(r.findings).toEqual([]);
		expect(r.summary.totals.map((t) => [t.currency, t.differenceCents])).toEqual([['USD', 0]]);
		// A code that differs is a real difference.
		expect(kinds(reconcile({ orders: [done('1', 1, { currencyId: 'USD' })], docs: [ixItem(1, '1', { currency_code: 'EUR' })] }))).toEqual(['totalMismatch 1']);
	});
});

describe('the repair plan', () => {

	it('finds every kind, and plans exactly the repairable ones', () => {
		const r = reconcile(everyKind(), { lookedUp: { 'balcão-7': null }, unreadable: [{ source: 'invoicexpress', key: '77', message: 'document 77: total is missing' }] });
		const found = new Set(r.findings.map((f) => f.kind));
		const all: FindingKind[] = ['notInvoiced', 'duplicateInvoices', 'canceledNotReinvoiced', 'totalMismatch', 'notCredited', 'creditWithoutReturn', 'orphanDocument', 'unreadable', 'draftLeft', 'writeBackMissing', 'notEmailed'];
		expect([...found].sort()).toEqual([...all].sort());
		expect(kinds(r)).toEqual([
			'notInvoiced 2001',
			'duplicateInvoices 2002',
			'canceledNotReinvoiced 2003',
			'totalMismatch 2004',
			'notCredited 2005',
			'creditWithoutReturn 2006',
			'orphanDocument balcão-7',
			'unreadable ',
			'draftLeft 2007',
			'writeBackMissing 2008',
			'writeBackMissing 2010',
			'notEmailed 2009',
			'notEmailed 2010',
		]);
		const repairable = new Set(r.findings.filter((f) => f.repairable).map((f) => f.kind));
		expect([...repairable].sort()).toEqual(['draftLeft', 'notEmailed', 'notInvoiced', 'writeBackMissing']);
		expect(r.findings.every((f) => f.repairable === f.repairs.length > 0)).toBe(true);
		expect(r.repairs.invoice.map((a) => a.orderNumber)).toEqual(['2001']);
		expect(r.repairs.deleteDrafts.map((a) => a.documentId)).toEqual(['127']);
		expect(r.repairs.writeBack.map((a) => a.orderNumber)).toEqual(['2008']);
		expect(r.repairs.email.map((a) => [a.orderNumber, a.setInvoicedOn])).toEqual([
			['2009', false],
			['2010', true],
		]);
		expect(r.summary.counts).toMatchObject({ notInvoiced: 1, writeBackMissing: 2, notEmailed: 2 });
		expect(r.summary.repairable).toBe(6);
	});

	it('is empty once the repairs are done (the next reconciliation finds nothing to repair)', () => {
		const m = everyKind();
		// What the repair does: invoice 2001, delete draft 127, write back 2008, mark and e-mail 2009 and 2010.
		m.docs.push(ixItem(201, '2001'));
		m.docs = m.docs.filter((d) => d.id !== 127);
		Object.assign(order(m, '2001'), { invoicedOn: '2026-12-01T06:01:00.000Z', internalNote: invoicedNote(201) });
		order(m, '2008').internalNote = invoicedNote(28, false);
		order(m, '2009').internalNote = invoicedNote(29);
		Object.assign(order(m, '2010'), { internalNote: invoicedNote(30), invoicedOn: '2026-12-01T06:01:00.000Z' });
		const r = reconcile(m, { lookedUp: { 'balcão-7': null }, now: '2026-12-01T08:00:00.000Z' });
		expect(r.repairs).toEqual({ invoice: [], email: [], deleteDrafts: [], writeBack: [] });
		expect(r.findings.every((f) => !f.repairable)).toBe(true);
	});
});
