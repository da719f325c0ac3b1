/**
 * What follows a credit note (link/credit/after.ts, planAfterCredit), without I/O: the output, and
 * which of the e-mail, write-back and PDF steps run, in that order, decided from how the note ended.
 */
import type { IDataObject } from 'n8n-workflow';

import type { InvoiceOrderResult } from '../../nodes/services/invoicexpress/api/invoiceOrder';
import { planAfterCredit } from '../../nodes/link/credit/after';
import type { CreditNotePlan, CreditParams } from '../../nodes/link/credit/plan';

const ORDER: IDataObject = { orderId: 'o-1', orderNumber: '1001', billingAddress: { emailAddress: 'ana@example.com' } };
const BASE: IDataObject = { order_number: '1001', order_id: 'o-1', correction: 'creditNote' };
const PLAN: CreditNotePlan = {
	kind: 'credit',
	invoice: { id: 501, status: 'final' },
	invoiceType: 'invoice',
	invoiceLegalNumber: 'FT A/12',
	reference: '1001:NC:501',
	uniqueKey: 'k',
	document: { date: '03/12/2026' },
	total: 24.6,
	creditable: 50,
	earlier: [],
};
const params = (over: Partial<CreditParams> = {}): CreditParams => ({
	correction: 'creditNote',
	reason: '',
	scope: { kind: 'full' },
	returnReference: '',
	sendEmail: true,
	attachPdf: true,
	dryRun: false,
	connectEPages: true,
	writeBack: true,
	options: { emailSubject: 'Nota de crédito' },
	...over,
});
const credited = (over: Partial<InvoiceOrderResult> = {}, doc: IDataObject = {}): InvoiceOrderResult => ({
	outcome: 'created',
	finalizedHere: true,
	document: { id: 900, status: 'final', inverted_sequence_number: 'A/3', total: 24.6, ...doc },
	...over,
});

describe('planAfterCredit', () => {
	it('a credit note finalized here: e-mailed, then written back naming the address, then the PDF', () => {
		const after = planAfterCredit(PLAN, params(), ORDER, BASE, credited());
		expect(after.json).toMatchObject({ ...BASE, outcome: 'credited', document_id: 900, legal_number: 'NC A/3', invoice_legal_number: 'FT A/12', credit_total: 24.6, emailed: false, finalized_here: true });
		expect(after.json.warnings).toBeUndefined();
		expect(after.steps).toEqual([
			{ kind: 'email', to: 'ana@example.com', id: 900, legalNumber: 'NC A/3', message: { email: 'ana@example.com', subject: 'Nota de crédito', body: undefined, bcc: undefined, logo: true } },
			{
				kind: 'writeBack',
				legalNumber: 'NC A/3',
				line: 'InvoicExpress credit note NC A/3 (id 900) for FT A/12 e-mailed to ana@example.com',
				bare: 'InvoicExpress credit note NC A/3 (id 900) for FT A/12',
			},
			{ kind: 'pdf', id: 900, fileName: expect.stringMatching(/^credit-note/) as unknown },
		]);
	});

	it('a credit note made before (or by another execution) is never e-mailed again; the write-back line names no address', () => {
		const after = planAfterCredit(PLAN, params({ attachPdf: false }), ORDER, BASE, credited({ outcome: 'already invoiced', finalizedHere: false }));
		expect(after.json).toMatchObject({ outcome: 'already credited', email_skipped: expect.any(String) as unknown });
		expect(after.steps.map((s) => s.kind)).toEqual(['writeBack']);
		expect(after.steps[0]).toMatchObject({ line: 'InvoicExpress credit note NC A/3 (id 900) for FT A/12' });
	});

	it('without Connect to ePages nothing is written back; a total that differs from the computed one is a warning', () => {
		const after = planAfterCredit(PLAN, params({ connectEPages: false, sendEmail: false, attachPdf: false }), ORDER, BASE, credited({}, { total: 24.5 }));
		expect(after.steps).toEqual([]);
		expect(after.json.warnings).toEqual(["the credit note's total 24.5 differs from the 24.6 computed from the invoice"]);
	});

	it('pending: nothing follows, and the output says the next run completes it', () => {
		const after = planAfterCredit(PLAN, params(), ORDER, BASE, credited({ outcome: 'pending', finalizedHere: false, pendingReason: 'not listed yet' }, { status: 'draft' }));
		expect(after.steps).toEqual([]);
		expect(after.json).toMatchObject({ outcome: 'pending', pending: 'order 1001: pending: will complete on the next run', pending_reason: 'not listed yet', document_id: 900, emailed: false });
	});
});
