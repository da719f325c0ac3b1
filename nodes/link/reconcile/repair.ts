import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { findDocumentsByReference } from '../../services/invoicexpress/api/documents';
import type { EmailMessage } from '../../services/invoicexpress/api/email';
import { transitionDraft } from '../../services/invoicexpress/api/state';
import type { Shop } from '../../services/shop';
import { mapConcurrent } from '../../shared/execute';
import { emailInvoiceOnce } from '../email/execute';
import { orderToInvoice } from '../invoice/execute';
import type { OrderToInvoiceParams } from '../invoice/plan';
import type { RepairAction } from './findings';
import type { RepairPlan } from './plan';
import { draftDecision, invoiceNoLongerDue } from './recheck';
import { orderRecord, type Platform } from './records';

/**
 * Runs the repairs a reconciliation planned, only the kinds asked for, each through the path the
 * package already proves safe: the invoice through Create From ePages Order's exactly-once path, the
 * e-mail through Email Invoice of ePages Order's mark-first path, a draft deleted by the state change
 * that reads first, the write-back through the shop with the order read fresh. Each repair reads what
 * it is about again and acts only when the planner's reason still holds (recheck.ts). A repair that
 * fails is reported for its order; the others go on.
 */

export const REPAIR_KINDS = ['invoice', 'email', 'deleteDrafts', 'writeBack'] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

export type RepairResult = 'repaired' | 'already done' | 'pending' | 'skipped' | 'failed';

export interface RepairOutcome {
	repair: RepairKind;
	orderNumber: string;
	/** The document the repair is about (the draft, the invoice), or the one it made. */
	documentId?: string;
	outcome: RepairResult;
	message: string;
}

export interface RepairSetup {
	shop: Shop;
	platform: Platform;
	kinds: readonly RepairKind[];
	/** Create From ePages Order's parameters: connected to the shop, finalized, written back. */
	invoicing: OrderToInvoiceParams;
	/** Subject, body and BCC of the e-mail repair (the invoicing's e-mail options). */
	email: Omit<EmailMessage, 'email'>;
}

/** Repairs of different orders run side by side, a few at a time (the transports pace the requests). */
const CONCURRENCY = 4;

/** The order as a repair names it: enough for the shop to read it fresh. */
const orderRef = (a: { orderId: string; orderNumber: string }): IDataObject => ({ orderId: a.orderId, orderNumber: a.orderNumber });

/** The repairs in a fixed order: invoices first (a write-back or e-mail of the same order never comes first). */
export async function runRepairs(ctx: IExecuteFunctions, i: number, plan: RepairPlan, setup: RepairSetup): Promise<RepairOutcome[]> {
	const out: RepairOutcome[] = [];
	const run = async <A extends RepairAction>(kind: RepairKind, actions: A[], fn: (a: A) => Promise<RepairOutcome>) => {
		if (!setup.kinds.includes(kind)) return;
		out.push(...(await mapConcurrent(actions, CONCURRENCY, async (a) => await guarded(kind, a, fn))));
	};
	await run('invoice', plan.invoice, async (a) => await repairInvoice(ctx, i, setup, a));
	await run('deleteDrafts', plan.deleteDrafts, async (a) => await repairDraft(ctx, i, setup, a));
	await run('writeBack', plan.writeBack, async (a) => await repairWriteBack(ctx, i, setup, a));
	await run('email', plan.email, async (a) => await repairEmail(ctx, i, setup, a));
	return out;
}

/** A failed repair is its order's outcome, with the error's words; never the end of the run. */
async function guarded<A extends RepairAction>(kind: RepairKind, action: A, fn: (a: A) => Promise<RepairOutcome>): Promise<RepairOutcome> {
	try {
		return await fn(action);
	} catch (error) {
		const e = error as Error & { description?: string | null };
		const message = [e.message, e.description].filter((t) => typeof t === 'string' && t.trim() !== '').join(' ');
		return { repair: kind, orderNumber: action.orderNumber, ...('documentId' in action ? { documentId: action.documentId } : {}), outcome: 'failed', message };
	}
}

const OUTCOMES: Record<string, RepairResult> = {
	created: 'repaired',
	resumed: 'repaired',
	'e-mailed': 'repaired',
	'already invoiced': 'already done',
	'already e-mailed': 'already done',
	pending: 'pending',
};

const outcomeOf = (json: IDataObject): RepairResult => OUTCOMES[String(json.outcome)] ?? 'failed';

async function repairInvoice(ctx: IExecuteFunctions, i: number, setup: RepairSetup, a: RepairPlan['invoice'][number]): Promise<RepairOutcome> {
	const base = { repair: 'invoice' as const, orderNumber: a.orderNumber };
	const fresh = await setup.shop.readOrder(ctx, orderRef(a), i);
	const gone = invoiceNoLongerDue(orderRecord(fresh, setup.platform));
	if (gone) return { ...base, outcome: 'skipped', message: `${gone}: not invoiced` };
	const [item] = await orderToInvoice(ctx, i, setup.invoicing, fresh);
	const json = item.json;
	const what = [json.legal_number ?? json.document_id, json.emailed ? `e-mailed to ${String(json.email_to)}` : ''].filter(Boolean).join(', ');
	const message = json.outcome === 'pending' ? String(json.pending_reason ?? json.pending) : `${String(json.outcome)}: ${String(what)}`;
	return { ...base, ...(json.document_id !== undefined && json.document_id !== null ? { documentId: String(json.document_id) } : {}), outcome: outcomeOf(json), message };
}

async function repairEmail(ctx: IExecuteFunctions, i: number, setup: RepairSetup, a: RepairPlan['email'][number]): Promise<RepairOutcome> {
	// ePages Now's invoiced status is missing too: written first, with the bare line, which the e-mail's
	// mark then completes. An e-mail refused later leaves the order correctly written back.
	if (a.setInvoicedOn) await setup.shop.writeInvoiceBack(ctx, await setup.shop.readOrder(ctx, orderRef(a), i), a.bareLine, i);
	const [item] = await emailInvoiceOnce(ctx, i, setup.shop, orderRef(a), setup.email);
	const json = item.json;
	const message = json.outcome === 'pending' ? String(json.pending_reason) : `${String(json.outcome)}: ${String(json.legal_number)} to ${String(json.email_to)}`;
	return { repair: 'email', orderNumber: a.orderNumber, documentId: a.documentId, outcome: outcomeOf(json), message };
}

async function repairWriteBack(ctx: IExecuteFunctions, i: number, setup: RepairSetup, a: RepairPlan['writeBack'][number]): Promise<RepairOutcome> {
	const fresh = await setup.shop.readOrder(ctx, orderRef(a), i);
	const written = await setup.shop.writeInvoiceBack(ctx, fresh, a.noteLine, i);
	return { repair: 'writeBack', orderNumber: a.orderNumber, documentId: a.documentId, outcome: written === 'written' ? 'repaired' : 'already done', message: `${written}: ${a.noteLine}` };
}

async function repairDraft(ctx: IExecuteFunctions, i: number, setup: RepairSetup, a: RepairPlan['deleteDrafts'][number]): Promise<RepairOutcome> {
	const base = { repair: 'deleteDrafts' as const, orderNumber: a.orderNumber, documentId: a.documentId };
	const listed = await findDocumentsByReference(ctx, a.reference, undefined, i);
	const fresh = a.requires === 'orderCanceled' ? orderRecord(await setup.shop.readOrder(ctx, orderRef(a), i), setup.platform) : undefined;
	const decision = draftDecision(a, listed, fresh);
	if (decision.kind === 'gone') return { ...base, outcome: 'already done', message: 'the draft is no longer listed' };
	if (decision.kind === 'skip') return { ...base, outcome: 'skipped', message: `not deleted: ${decision.reason}` };
	const done = await transitionDraft(ctx, a.documentType, a.documentId, 'deleted', i);
	return { ...base, outcome: done.changedHere === false ? 'already done' : 'repaired', message: `draft deleted (${a.reason})` };
}
