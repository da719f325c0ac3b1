/**
 * The reconciliation's run, without I/O (issue 23, second step): what a repair checks again before it
 * acts (recheck.ts), which findings still need a person after the repairs, the output's words and
 * the hints (output.ts), and the report's Repair column.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ReconcileRun } from '../../nodes/link/reconcile/execute';
import { isFixed, needingPerson, needsPersonText, outcomesOf, reconcileHints, reconcileJson, repairText } from '../../nodes/link/reconcile/output';
import { draftDecision, invoiceNoLongerDue } from '../../nodes/link/reconcile/recheck';
import { nowOrderRecord } from '../../nodes/link/reconcile/records';
import type { RepairOutcome } from '../../nodes/link/reconcile/repair';
import { reportCsv, reportHtml } from '../../nodes/link/reconcile/report';
import { everyKindResult, nowItem } from '../fixtures/reconcileMonth';

const draftAction = (requires: 'finalBeside' | 'orderCanceled') => ({ kind: 'deleteDraft' as const, orderNumber: '1001', orderId: 'guid-1001', documentId: '21', documentType: 'invoice' as const, reference: '1001', requires, reason: 'test' });
const listed = (id: number, type: string, status: string): IDataObject => ({ id, type, status, reference: '1001' });

describe('recheck: the reason of a repair, read again', () => {
	it('an order to invoice must still be paid, neither cancelled nor returned', () => {
		expect(invoiceNoLongerDue(nowOrderRecord(nowItem('1001')))).toBeUndefined();
		expect(invoiceNoLongerDue(nowOrderRecord(nowItem('1001', { paidOn: null })))).toBe('the order is no longer paid');
		expect(invoiceNoLongerDue(nowOrderRecord(nowItem('1001', { rejectedOn: '2026-11-20T10:00:00Z' })))).toBe('the order was cancelled since it was listed');
		expect(invoiceNoLongerDue(nowOrderRecord(nowItem('1001', { returnedOn: '2026-11-20T10:00:00Z' })))).toBe('the order was returned since it was listed');
	});

	it('a draft beside a final invoice is deleted only while both are listed as such', () => {
		const a = draftAction('finalBeside');
		expect(draftDecision(a, [listed(21, 'Invoice', 'draft'), listed(1, 'Invoice', 'final')])).toEqual({ kind: 'delete' });
		// Any invoice type counts as the order's invoice beside an invoice draft.
		expect(draftDecision(a, [listed(21, 'Invoice', 'draft'), listed(1, 'InvoiceReceipt', 'settled')])).toEqual({ kind: 'delete' });
		expect(draftDecision(a, [listed(21, 'Invoice', 'draft')])).toEqual({ kind: 'skip', reason: 'no final document of its kind is listed beside it any more' });
		// A credit note is not an invoice: no reason to delete an invoice draft.
		expect(draftDecision(a, [listed(21, 'Invoice', 'draft'), listed(2, 'CreditNote', 'final')]).kind).toBe('skip');
		// Finalized meanwhile (it won after all): never deleted.
		expect(draftDecision(a, [listed(21, 'Invoice', 'final'), listed(1, 'Invoice', 'final')])).toEqual({ kind: 'skip', reason: 'it is no longer a draft (final)' });
		expect(draftDecision(a, [listed(1, 'Invoice', 'final')])).toEqual({ kind: 'gone' });
	});

	it("a cancelled order's draft is deleted only while the order is cancelled and has no final invoice", () => {
		const a = draftAction('orderCanceled');
		const cancelled = nowOrderRecord(nowItem('1001', { rejectedOn: '2026-11-20T10:00:00Z' }));
		expect(draftDecision(a, [listed(21, 'Invoice', 'draft')], cancelled)).toEqual({ kind: 'delete' });
		expect(draftDecision(a, [listed(21, 'Invoice', 'draft')], nowOrderRecord(nowItem('1001')))).toEqual({ kind: 'skip', reason: 'the order is no longer cancelled' });
		expect(draftDecision(a, [listed(21, 'Invoice', 'draft'), listed(1, 'Invoice', 'final')], cancelled)).toEqual({ kind: 'skip', reason: 'the order has a final invoice now' });
	});
});

describe('output: what still needs a person', () => {
	const result = everyKindResult();
	const run = (repairs: RepairOutcome[], warnings: string[] = []): ReconcileRun => ({ result, repairs, requests: { shop: 3, invoicexpress: 2 }, warnings });
	const finding = (kind: string) => result.findings.find((f) => f.kind === kind)!;

	it('a finding is fixed only when every repair it carries is done, now or before', () => {
		const notInvoiced = finding('notInvoiced');
		expect(isFixed(notInvoiced, [])).toBe(false);
		const done: RepairOutcome = { repair: 'invoice', orderNumber: notInvoiced.orderNumber, documentId: '999', outcome: 'repaired', message: 'created: FT A/99' };
		expect(outcomesOf(notInvoiced, [done])).toEqual([done]);
		expect(isFixed(notInvoiced, [done])).toBe(true);
		expect(isFixed(notInvoiced, [{ ...done, outcome: 'already done' }])).toBe(true);
		for (const outcome of ['pending', 'skipped', 'failed'] as const) expect(isFixed(notInvoiced, [{ ...done, outcome }])).toBe(false);
		// Another order's outcome is not this finding's.
		expect(isFixed(notInvoiced, [{ ...done, orderNumber: 'x' }])).toBe(false);
		expect(repairText(notInvoiced, [{ ...done, outcome: 'failed', message: 'order 2001: refused' }])).toBe('failed: order 2001: refused');
		expect(repairText(notInvoiced, [done])).toBe('repaired');
	});

	it("an order whose invoice was neither written back nor e-mailed is written back by its e-mail repair", () => {
		// Order 2010: neither its note line nor its e-mail mark; the plan writes it back through the e-mail repair.
		const writeBack = result.findings.find((f) => f.kind === 'writeBackMissing' && f.orderNumber === '2010')!;
		expect(result.repairs.writeBack.map((a) => a.orderNumber)).not.toContain('2010');
		const mail: RepairOutcome = { repair: 'email', orderNumber: '2010', documentId: writeBack.documents[0].id, outcome: 'repaired', message: 'e-mailed' };
		expect(outcomesOf(writeBack, [mail])).toEqual([mail]);
		expect(isFixed(writeBack, [mail])).toBe(true);
	});

	it('never fixed: the kinds repair cannot touch', () => {
		const all: RepairOutcome[] = result.findings.flatMap((f) => f.repairs.map((a) => ({ repair: ({ invoice: 'invoice', email: 'email', deleteDraft: 'deleteDrafts', writeBack: 'writeBack' } as const)[a.kind], orderNumber: a.orderNumber, ...(a.kind === 'invoice' ? {} : { documentId: a.documentId }), outcome: 'repaired' as const, message: 'ok' })));
		const left = needingPerson(run(all)).map((f) => f.kind);
		expect(left.every((k) => !['notInvoiced', 'writeBackMissing', 'notEmailed'].includes(k))).toBe(true);
		expect(left).toEqual(expect.arrayContaining(['duplicateInvoices', 'canceledNotReinvoiced', 'totalMismatch', 'notCredited', 'creditWithoutReturn', 'orphanDocument', 'unreadable']));
	});

	it('says in one sentence what needs a person, per kind with the first orders', () => {
		const text = needsPersonText(run([]));
		expect(text).toMatch(/^Reconciliation November 2026: 13 findings need a person: Paid, not invoiced \(1: 2001\); Two legal invoices for one order \(1: 2002\); .* The report says what to do\.$/);
		const json = reconcileJson(run([]), { csv: 'a.csv', html: 'a.html' }, false);
		expect(json).toMatchObject({ period: { from: '2026-11-01', to: '2026-11-30', label: '2026-11' }, findings_count: 13, needs_person: 13, repaired: 0, requests: { shop: 3, invoicexpress: 2 } });
		expect((json.findings as IDataObject[])[0]).toMatchObject({ kind: 'notInvoiced', problem: 'Paid, not invoiced', order_number: '2001', order_total: 123, repairable: true, repair: null, needs_person: true });
	});

	it('hints: what needs a person, what was repaired, what Repair could do, and warnings', () => {
		const first = finding('notInvoiced');
		const messages = reconcileHints(run([{ repair: 'invoice', orderNumber: first.orderNumber, outcome: 'repaired', message: 'created' }], ['the shop could not be asked']), true).map((h) => `${h.type}: ${h.message}`);
		expect(messages[0]).toMatch(/^danger: Reconciliation November 2026: 12 findings need a person: Two legal invoices/);
		expect(messages).toContain('info: Repaired: Paid, not invoiced (1: 2001).');
		expect(messages).toContain('warning: the shop could not be asked');
		const off = reconcileHints(run([]), false).map((h) => h.message);
		expect(off).toContain('6 findings of these can be repaired by the package: run again with "Repair" on.');
	});
});

describe('report: the Repair column', () => {
	const result = everyKindResult();
	const repairOf = (f: { kind: string }) => (f.kind === 'notInvoiced' ? 'repaired' : f.kind === 'notEmailed' ? 'failed: order 2009: InvoicExpress refused the e-mail' : '');

	it('the CSV says what each repair did, the HTML shows it and says the figures are as found', () => {
		const csv = reportCsv(result, { repairOf });
		expect(csv).toMatch(/notInvoiced,.*,repaired\r\n/);
		expect(csv).toMatch(/notEmailed,.*,failed: order 2009: InvoicExpress refused the e-mail\r\n/);
		const html = reportHtml(result, { repairOf });
		expect(html).toContain('13 findings: 1 repaired, 12 need a person.');
		expect(html).toContain("as they were found, before this run's repairs");
		expect(html).toContain('<span class="tag fix" data-test="repair">repaired</span>');
		expect(html).toContain('<span class="tag person" data-test="repair">repair failed</span><br><span class="note">order 2009: InvoicExpress refused the e-mail</span>');
	});
});
