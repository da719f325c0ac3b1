import type { IDataObject, NodeExecutionHint } from 'n8n-workflow';

import { firstFew } from '../hints';
import { FINDING_KINDS, type Finding, type FindingDocument, type FindingKind, type RepairAction } from './findings';
import type { ReconcileRun } from './execute';
import { periodLabel } from './period';
import type { RepairKind, RepairOutcome } from './repair';
import { KIND_LABELS, periodTitle } from './report';
import type { Summary } from './summary';

/**
 * What a reconciliation run gives n8n, decided without I/O: the output item's JSON (snake_case and
 * decimal amounts, as the package's other outputs), which findings still need a person after the
 * repairs, and the execution hints above the output.
 */

const ACTION_REPAIR: Record<RepairAction['kind'], RepairKind> = { invoice: 'invoice', email: 'email', deleteDraft: 'deleteDrafts', writeBack: 'writeBack' };

/** The outcomes of a finding's repairs in this run (none when repair was off or its kind not chosen). */
export function outcomesOf(f: Finding, outcomes: readonly RepairOutcome[]): RepairOutcome[] {
	return f.repairs.flatMap((a) => {
		const doc = a.kind === 'invoice' ? undefined : a.documentId;
		const match = (kind: RepairKind) => outcomes.filter((o) => o.repair === kind && o.orderNumber === a.orderNumber && (doc === undefined || o.documentId === doc));
		const direct = match(ACTION_REPAIR[a.kind]);
		// An order whose invoice is both unwritten and un-e-mailed is written back by its e-mail repair (plan.ts repairPlan).
		return direct.length > 0 || a.kind !== 'writeBack' ? direct : match('email');
	});
}

/** Whether this run's repairs settled the finding: every repair it carries done (now or before). */
export function isFixed(f: Finding, outcomes: readonly RepairOutcome[]): boolean {
	const done = outcomesOf(f, outcomes);
	return f.repairable && done.length >= f.repairs.length && done.every((o) => o.outcome === 'repaired' || o.outcome === 'already done');
}

/** The findings a person must look at: those repair cannot fix, and those it did not fix in this run. */
export const needingPerson = (run: ReconcileRun): Finding[] => run.result.findings.filter((f) => !isFixed(f, run.repairs));

/** A finding's repair in this run, in words: "repaired", "failed: …", or '' when none ran. */
export function repairText(f: Finding, outcomes: readonly RepairOutcome[]): string {
	const done = outcomesOf(f, outcomes);
	if (done.length === 0) return '';
	if (isFixed(f, outcomes)) return done.some((o) => o.outcome === 'repaired') ? 'repaired' : 'already done';
	const bad = done.find((o) => o.outcome !== 'repaired' && o.outcome !== 'already done') ?? done[0];
	return `${bad.outcome}: ${bad.message}`;
}

const decimal = (cents: number | null | undefined): number | null => (cents === null || cents === undefined ? null : cents / 100);

const documentJson = (d: FindingDocument): IDataObject => ({ id: d.id, type: d.type, legal_number: d.legalNumber, status: d.status, date: d.day, total: decimal(d.totalCents), currency: d.currency });

function findingJson(f: Finding, outcomes: readonly RepairOutcome[]): IDataObject {
	return {
		kind: f.kind,
		problem: KIND_LABELS[f.kind],
		order_number: f.orderNumber,
		order_id: f.orderId ?? null,
		documents: f.documents.map(documentJson),
		currency: f.currency,
		order_total: decimal(f.orderCents),
		documents_total: decimal(f.documentsCents),
		difference: decimal(f.differenceCents),
		message: f.message,
		repairable: f.repairable,
		repair: repairText(f, outcomes) || null,
		needs_person: !isFixed(f, outcomes),
	};
}

function summaryJson(s: Summary): IDataObject {
	return {
		counts: s.counts,
		orders: { read: s.orders.read, in_period: s.orders.inPeriod, paid: s.orders.paid, too_recent: s.orders.tooRecent, not_judged_after_window: s.orders.afterWindow },
		documents: { read: s.documents.read, in_period: s.documents.inPeriod, without_reference: s.documents.withoutReference.map((w) => ({ currency: w.currency, count: w.count, total: decimal(w.totalCents) })) },
		totals: s.totals.map((t) => ({
			currency: t.currency,
			paid_orders: t.shopOrders,
			shop_paid: decimal(t.shopPaidCents),
			shop_vat: decimal(t.shopTaxCents),
			invoiced: decimal(t.invoicedCents),
			credited: decimal(t.creditedCents),
			net: decimal(t.netCents),
			difference: decimal(t.differenceCents),
			documents_vat: decimal(t.documentsTaxCents),
		})),
		vat_by_rate: s.byVatRate.flatMap((c) => c.rows.map((r) => ({ currency: c.currency, rate: r.rate, shop_vat: decimal(r.shopTaxCents), documents_base: decimal(r.documentsBaseCents), documents_vat: decimal(r.documentsTaxCents) }))),
		vat_note: s.vatNote || null,
	};
}

/** Per kind, in the report's order: "Paid, not invoiced (2: 1001, 1002)". */
function byKind(findings: Finding[]): string[] {
	return FINDING_KINDS.flatMap((k: FindingKind) => {
		const orders = findings.filter((f) => f.kind === k).map((f) => f.orderNumber || '(no order)');
		return orders.length ? [`${KIND_LABELS[k]} (${orders.length}: ${firstFew(orders)})`] : [];
	});
}

/** One sentence naming what needs a person, for a Stop and Error node or a chat message; '' when nothing. */
export function needsPersonText(run: ReconcileRun): string {
	const person = needingPerson(run);
	const unresolved = run.result.unresolved.map((u) => u.orderNumber);
	if (person.length === 0 && unresolved.length === 0) return '';
	const parts = byKind(person);
	if (unresolved.length) parts.push(`documents whose order could not be looked up (${unresolved.length}: ${firstFew(unresolved)})`);
	const n = person.length + unresolved.length;
	return `Reconciliation ${periodTitle(run.result.period)}: ${n} finding${n === 1 ? '' : 's'} need${n === 1 ? 's' : ''} a person: ${parts.join('; ')}. The report says what to do.`;
}

export function reconcileJson(run: ReconcileRun, files: { csv: string; html: string }, repairAsked: boolean): IDataObject {
	const { result, repairs } = run;
	const person = needingPerson(run);
	return {
		period: { from: result.period.from, to: result.period.to, label: periodLabel(result.period) },
		platform: result.shop.platform,
		shop: result.shop.name,
		generated_at: result.generatedAt,
		findings_count: result.findings.length,
		needs_person: person.length + result.unresolved.length,
		needs_person_text: needsPersonText(run),
		repair: repairAsked,
		repaired: result.findings.filter((f) => isFixed(f, repairs)).length,
		findings: result.findings.map((f) => findingJson(f, repairs)),
		unresolved: result.unresolved.map((u) => ({ order_number: u.orderNumber, documents: u.documents.map(documentJson) })),
		repairs: repairs.map((o) => ({ repair: o.repair, order_number: o.orderNumber, document_id: o.documentId ?? null, outcome: o.outcome, message: o.message })),
		summary: summaryJson(result.summary),
		windows: { orders: result.windows.orders, documents: result.windows.documents },
		requests: run.requests,
		warnings: run.warnings,
		files,
	};
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The hints above the output: what needs a person, what was repaired, what could be. */
export function reconcileHints(run: ReconcileRun, repairAsked: boolean): NodeExecutionHint[] {
	const hints: NodeExecutionHint[] = [];
	const hint = (type: NodeExecutionHint['type'], message: string) => hints.push({ type, location: 'outputPane', message });
	const { result, repairs } = run;
	const title = periodTitle(result.period);
	const person = needingPerson(run);
	if (result.findings.length === 0 && result.unresolved.length === 0) {
		hint('info', `${title}: everything agrees (${result.summary.orders.inPeriod} orders, ${result.summary.documents.inPeriod} documents).`);
	}
	const text = needsPersonText(run);
	if (text) hint('danger', text);
	const fixed = result.findings.filter((f) => isFixed(f, repairs));
	if (fixed.length) hint('info', `Repaired: ${byKind(fixed).join('; ')}.`);
	const open = person.filter((f) => f.repairable && outcomesOf(f, repairs).length === 0);
	if (open.length && !repairAsked) hint('info', `${plural(open.length, 'finding', 'findings')} of these can be repaired by the package: run again with "Repair" on.`);
	for (const warning of run.warnings) hint('warning', warning);
	return hints;
}
