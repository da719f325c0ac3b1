import { emailAfterIssue, planEmailOnce } from '../../nodes/link/email/plan';
import { emailMarkOf, invoiceMarkOf } from '../../nodes/link/orderLink';

const final = { id: 7, type: 'Invoice', status: 'final', inverted_sequence_number: 'A/3', reference: '1001' };
const fresh = (note: string | null, email = 'ana@example.com') => ({ orderNumber: '1001', internalNote: note, billingAddress: { emailAddress: email } });

describe('the durable e-mail mark, read from the order note', () => {
	it('is the address of the invoice line that says e-mailed, for that document only', () => {
		const note = 'Gift\nInvoicExpress FT A/3 (id 7) e-mailed to ana@example.com\nInvoicExpress credit note NC A/1 (id 9) for FT A/3 e-mailed to ana@example.com';
		expect(emailMarkOf({ internalNote: note }, 7)).toBe('ana@example.com');
		expect(emailMarkOf({ internalNote: note }, 9)).toBeUndefined();
		expect(emailMarkOf({ internalNote: 'InvoicExpress FT A/3 (id 7)' }, 7)).toBeUndefined();
		expect(emailMarkOf({ internalNote: 'InvoicExpress FT A/3 (id 7) canceled: wrong client' }, 7)).toBeUndefined();
	});
	it('the shop records the order invoiced by its invoiced date or an invoice line', () => {
		expect(invoiceMarkOf({ invoicedOn: '2026-11-01T10:00:00Z' })).toBe(true);
		expect(invoiceMarkOf({ internalNote: 'InvoicExpress FS A/1 (id 2)' })).toBe(true);
		expect(invoiceMarkOf({ internalNote: 'InvoicExpress credit note NC A/1 (id 9) for FT A/3' })).toBe(false);
		expect(invoiceMarkOf({ invoicedOn: null, internalNote: '' })).toBe(false);
	});
});

describe('planEmailOnce', () => {
	const label = 'order 1001';
	it('gathers the documents, then the fresh order', () => {
		expect(planEmailOnce({ label })).toEqual({ kind: 'gather', step: 'listDocuments' });
		expect(planEmailOnce({ label, listed: [final] })).toEqual({ kind: 'gather', step: 'readOrder' });
	});
	it('sends the one final invoice to the order\'s address, unless its line says it was e-mailed', () => {
		const send = planEmailOnce({ label, listed: [final, { ...final, id: 6, status: 'deleted' }], fresh: fresh('InvoicExpress FT A/3 (id 7)'), to: 'ana@example.com' });
		expect(send).toEqual({ kind: 'send', invoice: { id: 7, type: 'invoice', legalNumber: 'FT A/3' }, to: 'ana@example.com' });
		const already = planEmailOnce({ label, listed: [final], fresh: fresh('InvoicExpress FT A/3 (id 7) e-mailed to old@example.com'), to: 'ana@example.com' });
		expect(already).toMatchObject({ kind: 'already', to: 'old@example.com' });
	});
	it('waits while the shop says invoiced but nothing is listed (the reference filter lags)', () => {
		expect(planEmailOnce({ label, listed: [], fresh: { ...fresh(null), invoicedOn: '2026-11-01T10:00:00Z' }, to: 'a@b.pt' })).toMatchObject({ kind: 'pending' });
	});
	it('refuses: no invoice, a draft, two final invoices, no or a malformed address', () => {
		expect(planEmailOnce({ label, listed: [], fresh: fresh(null), to: 'a@b.pt' })).toMatchObject({ kind: 'refuse', message: 'order 1001: the order has no invoice: nothing to e-mail' });
		expect(planEmailOnce({ label, listed: [{ ...final, status: 'draft' }], fresh: fresh(null), to: 'a@b.pt' })).toMatchObject({ kind: 'refuse', message: 'order 1001: its invoice is still a draft: nothing to e-mail' });
		expect(planEmailOnce({ label, listed: [final, { ...final, id: 8, type: 'InvoiceReceipt' }], fresh: fresh(null), to: 'a@b.pt' })).toMatchObject({ kind: 'refuse', message: "order 1001: 2 final invoices have the order's reference (ids 7, 8)" });
		expect(planEmailOnce({ label, listed: [final], fresh: fresh(null), to: undefined })).toMatchObject({ kind: 'refuse', message: 'order 1001: the order has no e-mail address' });
		expect(planEmailOnce({ label, listed: [final], fresh: fresh(null), to: 'ana@example' })).toMatchObject({ kind: 'refuse', message: 'order 1001: the order\'s e-mail address "ana@example" is not a valid address' });
	});
});

describe('emailAfterIssue: only the execution that made the document legal e-mails it', () => {
	it.each([
		[{ isFinal: false, finalizedHere: false, to: 'a@b.pt' }, { send: false, skipped: 'the document is a draft' }],
		[{ isFinal: true, finalizedHere: false, to: 'a@b.pt' }, { send: false, skipped: 'finalized by an earlier or concurrent execution, which e-mails it; to send it (again), use Document → Send by Email' }],
		[{ isFinal: true, finalizedHere: true, to: undefined }, { send: false, skipped: 'the order has no e-mail address' }],
		[{ isFinal: true, finalizedHere: true, to: 'a@b.pt' }, { send: true, to: 'a@b.pt' }],
	])('%j', (facts, decision) => expect(emailAfterIssue(facts)).toEqual(decision));
});
