import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { z } from 'zod';

import { asNodeError } from '../../../shared/execute';
import type { ApiContext } from '../../../shared/http';
import { durationMs, settingsFor } from '../../../shared/settings';
import { DOCUMENT_TYPES, INVOICE_TYPES, type DocumentTypeKey } from '../helpers/documentTypes';
import { errorStatus, isAmbiguousFailure, ixError } from '../transport';
import { cashSaleError, createDocument, findDocumentsByReference, getDocument, getRelatedDocuments, isFinalStatus, listedType, type ListedKind } from './documents';
import { transitionDraft } from './state';

/** An invoice of the order: FT, FR, FS, or a legacy cash sale (VD). */
const isInvoiceKind = (kind: ListedKind | undefined): boolean => kind === 'cashInvoice' || INVOICE_TYPES.includes(kind as DocumentTypeKey);

export * from './invoicePlan';
import { planInvoice, rankOf, type Action, type DocView, type InvoiceOrderResult, type InvoiceOutcome } from './invoicePlan';

// ---------------------------------------------------------------------------------------------
// The executor: performs the planner's actions.
// ---------------------------------------------------------------------------------------------

export interface InvoiceTiming {
	/** Most time one order may wait in one run before it is left pending. */
	budgetMs: number;
	/** How long another run's winning draft is left to that run before this one adopts it. */
	graceMs: number;
	/** First pause between two looks (doubles up to maxPollMs). */
	pollMs: number;
	maxPollMs: number;
	/** A random pause up to this long before adopting, so that two runs rarely adopt at the same instant. */
	adoptJitterMs: number;
}

export const DEFAULT_INVOICE_TIMING: InvoiceTiming = { budgetMs: 8000, graceMs: 1500, pollMs: 250, maxPollMs: 2000, adoptJitterMs: 500 };
/**
 * The protocol's waits: the defaults (the package's tests scale them down with the sandbox's simulated
 * lag through nodes/shared/settings.ts; nothing in a workflow does). A complete `protocol` section
 * gives all five.
 */
export const invoiceTiming: () => InvoiceTiming = settingsFor(
	'protocol',
	DEFAULT_INVOICE_TIMING,
	z.object({ budgetMs: durationMs, graceMs: durationMs, pollMs: durationMs, maxPollMs: durationMs, adoptJitterMs: durationMs }).strict(),
);

const view = (d: IDataObject): DocView => ({ id: d.id as number, status: String(d.status) });

/** Deletes this run's draft after a refusal, best effort: a draft has no fiscal value, and the refusal is what the caller reports. */
async function discardOwnDraft(ctx: ApiContext, type: DocumentTypeKey, own: IDataObject | undefined, itemIndex?: number): Promise<void> {
	if (!own || own.status !== 'draft') return;
	try {
		await transitionDraft(ctx, type, own.id as number, 'deleted', itemIndex);
	} catch {
		// Left for the next run of the order, which removes drafts that lost (see planInvoice).
	}
}

/** Whether a final invoice is credited in full by its final credit notes (its related documents). */
async function creditedInFull(ctx: ApiContext, doc: IDataObject, reference: string, itemIndex?: number): Promise<boolean> {
	const credited = (await getRelatedDocuments(ctx, doc.id as number, itemIndex))
		.filter((r) => r.type === 'CreditNote' && isFinalStatus(r.status))
		.reduce((sum, r) => sum + Number(r.total), 0);
	const total = Number(doc.total);
	if (!Number.isFinite(credited) || !Number.isFinite(total)) {
		throw ixError(ctx, `the credited amount of invoice ${String(doc.id)} (reference "${reference}") cannot be read`, { itemIndex, description: 'Nothing was issued.' });
	}
	return credited >= total - 0.005;
}

/**
 * The order's invoices taken out of effect: canceled, or final and credited in full by credit notes.
 * A new attempt ("Invoice Again") replaces them, with a unique key of its own. Costs one lookup, plus
 * one read per final invoice.
 */
export async function retiredInvoices(ctx: ApiContext, reference: string, itemIndex?: number): Promise<Array<string | number>> {
	// Archived ones too: the protocol looks at them before it finalizes (InvoiceRun.finalize).
	const listed = async (archived: boolean) => await findDocumentsByReference(ctx, reference, undefined, itemIndex, { includeCanceled: true, archived });
	const docs = [...(await listed(false)), ...(await listed(true))].filter((d) => isInvoiceKind(listedType(d)));
	const ids: Array<string | number> = [];
	for (const doc of docs) {
		// A live VD is never read (no documented path): the protocol refuses the order beside it.
		if (doc.status === 'canceled') ids.push(doc.id as number);
		else if (listedType(doc) !== 'cashInvoice' && isFinalStatus(doc.status) && (await creditedInFull(ctx, doc, reference, itemIndex))) ids.push(doc.id as number);
	}
	return ids;
}

export interface InvoiceOnceOptions {
	reference: string;
	uniqueKey: string;
	finalize: boolean;
	itemIndex?: number;
	/** List before the first create ("Skip If Reference Exists"): a finished order costs no draft. */
	lookFirst?: boolean;
	/**
	 * Checked again right before a draft is finalized (a credit note: the invoice not credited in the
	 * meantime). Throwing stops the protocol: this run's own draft is deleted, and the error passes on.
	 */
	beforeFinalize?: () => Promise<void>;
	/**
	 * Invoices of the order taken out of effect (canceled, or credited in full) that a new attempt
	 * replaces ("Invoice Again"): not the order's invoice any more. Without them, a canceled invoice of
	 * the order is refused: a new one is issued only when the merchant asks.
	 */
	retiredIds?: Array<string | number>;
}

/** Performs {@link planInvoice}'s actions for one order until one of them ends the protocol. */
export async function invoiceOnce(ctx: ApiContext, type: DocumentTypeKey, document: IDataObject, opts: InvoiceOnceOptions): Promise<InvoiceOrderResult> {
	const run = new InvoiceRun(ctx, type, document, opts);
	for (let steps = 0; steps < 500; steps++) {
		if (run.look) await run.observe();
		run.look = true;
		const ended = await run.perform(planInvoice(run.observation()));
		if (ended) return ended;
	}
	throw ixError(ctx, `the ${DOCUMENT_TYPES[type].label.toLowerCase()} for reference "${opts.reference}" did not settle`, { itemIndex: opts.itemIndex });
}

const sameId = (a: unknown, b: unknown) => a !== undefined && String(a) === String(b);

/** What one run knows of its order while the protocol runs: the last listing, its own draft, the time waited. */
class InvoiceRun {
	private readonly t: InvoiceTiming;
	private readonly retired: Set<string>;
	private conflictChecked = false;
	private own: IDataObject | undefined;
	private creates = 0;
	private createUncertain = false;
	private waitedMs = 0;
	private polls = 0;
	private foreign: { id: string; sinceWaitedMs: number } | undefined;
	private finalSinceWaitedMs: number | undefined;
	private adopted: { document: IDataObject; finalizedHere: boolean; adopt: boolean } | undefined;
	private discardedDraftId: number | string | undefined;
	private turn: number | undefined;
	private listed: IDataObject[] = [];
	/** The last listing as it came (every type and state, the archived ones once looked up). */
	private all: IDataObject[] = [];
	private archivedChecked = false;
	/**
	 * Whether to list before the next decision. By default the first action is a create (nothing is
	 * known yet): listing before it would cost every order one more call, and a re-run only pays a
	 * create and a delete for it.
	 */
	look: boolean;

	constructor(
		private readonly ctx: ApiContext,
		private readonly type: DocumentTypeKey,
		private readonly document: IDataObject,
		private readonly opts: InvoiceOnceOptions,
	) {
		this.t = invoiceTiming();
		this.retired = new Set((opts.retiredIds ?? []).map(String));
		this.look = opts.lookFirst === true;
	}

	/**
	 * Lists the order's documents. Every type: a final invoice of another type (the merchant changed the
	 * type, a simplified invoice over its limit became an invoice) is the order's invoice too, never a
	 * reason for a second. A live VD, or a canceled invoice without "Invoice Again", stops the run.
	 */
	async observe(archivedToo = false): Promise<void> {
		const { ctx, type, opts } = this;
		const invoicing = INVOICE_TYPES.includes(type);
		const found = (await findDocumentsByReference(ctx, opts.reference, undefined, opts.itemIndex, { includeCanceled: invoicing, archived: archivedToo })).filter(
			(d) => !this.retired.has(String(d.id)),
		);
		const counts = (d: IDataObject) =>
			d.status !== 'canceled' && (listedType(d) === type || (invoicing && INVOICE_TYPES.includes(listedType(d) as DocumentTypeKey) && isFinalStatus(String(d.status))));
		// The archived documents join the listing this run decides on (archived by hand, long before: none
		// of them is a draft of a run in flight); a fresh listing replaces it.
		this.listed = archivedToo ? [...this.listed, ...found.filter(counts)] : found.filter(counts);
		this.all = archivedToo ? [...this.all, ...found] : found;
		// A legacy cash sale (VD) of the order is a legal document too: never a second one beside it.
		const vd = invoicing ? cashSaleError(ctx, this.all, opts.reference, opts.itemIndex) : undefined;
		if (vd) await this.stop(vd);
		const canceled = this.all.find((d) => d.status === 'canceled' && isInvoiceKind(listedType(d)));
		if (canceled && !this.listed.some((d) => isFinalStatus(d.status))) {
			const kind = listedType(canceled);
			const what = kind === 'cashInvoice' ? 'cash sale (VD)' : DOCUMENT_TYPES[kind as DocumentTypeKey].label.toLowerCase();
			await this.stop(
				ixError(ctx, `the ${what} with reference "${opts.reference}" (id ${String(canceled.id)}) was canceled: a new one is issued only when asked`, {
					itemIndex: opts.itemIndex,
					description: 'Nothing was issued. To invoice the order again, turn on "Invoice Again After Cancellation or Full Credit" in the order options.',
				}),
			);
		}
	}

	/** What the planner decides on: the listing, this run's draft, and how long things have been so. */
	observation(): Parameters<typeof planInvoice>[0] {
		const drafts = this.listed.filter((d) => d.status === 'draft').sort((a, b) => Number(a.id) - Number(b.id));
		const lowest = drafts[0];
		if (lowest && !sameId(this.own?.id, lowest.id)) {
			if (this.foreign?.id !== String(lowest.id)) this.foreign = { id: String(lowest.id), sinceWaitedMs: this.waitedMs };
		} else {
			this.foreign = undefined;
		}
		if (this.listed.some((d) => isFinalStatus(d.status))) this.finalSinceWaitedMs ??= this.waitedMs;
		return {
			finalize: this.opts.finalize,
			listed: this.listed.map(view),
			own: this.own ? view(this.own) : undefined,
			creates: this.creates,
			createUncertain: this.createUncertain,
			waitedMs: this.waitedMs,
			budgetMs: this.t.budgetMs,
			foreignWinnerSeenMs: this.foreign ? this.waitedMs - this.foreign.sinceWaitedMs : 0,
			finalSeenMs: this.finalSinceWaitedMs === undefined ? 0 : this.waitedMs - this.finalSinceWaitedMs,
			finalizedHere: this.adopted?.finalizedHere === true,
			graceMs: this.t.graceMs,
		};
	}

	/** Performs one action; the result when it ends the protocol. */
	async perform(action: Action): Promise<InvoiceOrderResult | undefined> {
		switch (action.kind) {
			case 'create':
				return await this.create();
			case 'wait':
				return await this.wait();
			case 'delete':
				return await this.delete(action);
			case 'finalize':
				return await this.finalize(action);
			case 'done':
				return await this.done(action);
			case 'pending':
				return this.adoptedResult() ?? { ...this.result(action.winner ? { id: action.winner.id, status: action.winner.status, reference: this.opts.reference } : { reference: this.opts.reference }, 'pending', false), pendingReason: action.reason };
			case 'conflict':
				return await this.conflict(action);
		}
	}

	private result(document: IDataObject, outcome: InvoiceOutcome, finalizedHere: boolean): InvoiceOrderResult {
		return { document, outcome, finalizedHere, discardedDraftId: this.discardedDraftId, recovered: this.createUncertain && !this.own };
	}

	/** The outcome once this run finalized or adopted the winner. */
	private adoptedResult(): InvoiceOrderResult | undefined {
		const a = this.adopted;
		return a ? this.result(a.document, !a.finalizedHere ? 'already invoiced' : a.adopt ? 'resumed' : 'created', a.finalizedHere) : undefined;
	}

	/** Deletes this run's draft (best effort), then stops with `error`. */
	private async stop(error: Error): Promise<never> {
		await discardOwnDraft(this.ctx, this.type, this.own, this.opts.itemIndex);
		throw error;
	}

	private async create(): Promise<undefined> {
		this.creates++;
		try {
			this.own = (await createDocument(this.ctx, this.type, this.document, { uniqueKey: this.opts.uniqueKey, itemIndex: this.opts.itemIndex, single: true })).document;
		} catch (error) {
			const uncertain = isAmbiguousFailure(error) || errorStatus(error) === 409 || /may or may not have been created/.test(String((error as Error).message));
			if (!uncertain) throw asNodeError(this.ctx.getNode(), error, this.opts.itemIndex);
			this.createUncertain = true;
		}
		return undefined;
	}

	private async wait(): Promise<undefined> {
		const t = this.t;
		const pause = Math.min(t.pollMs * 2 ** this.polls++, t.maxPollMs, Math.max(1, t.budgetMs - this.waitedMs));
		await sleep(pause);
		this.waitedMs += pause;
		return undefined;
	}

	private async delete(action: Extract<Action, { kind: 'delete' }>): Promise<undefined> {
		if (!action.own && this.t.adoptJitterMs > 0) await sleep(Math.floor(Math.random() * this.t.adoptJitterMs));
		const own = this.own;
		if (action.own && !this.opts.finalize && own) {
			// Our draft lost: our rank behind the winner decides when our Finalize may act on it.
			const drafts = this.listed.filter((d) => d.status === 'draft' && !sameId(d.id, own.id)).map(view);
			const winnerId = drafts.length ? Math.min(...drafts.map((d) => Number(d.id))) : Number(action.id);
			this.turn = rankOf(drafts, view(own), winnerId);
		}
		await transitionDraft(this.ctx, this.type, action.id, 'deleted', this.opts.itemIndex);
		if (action.own) {
			this.discardedDraftId = action.id;
			this.own = { ...own, status: 'deleted' };
		}
		// Nothing else changed that this run knows of: decide again on the same listing.
		this.listed = this.listed.filter((d) => !sameId(d.id, action.id));
		this.look = false;
		return undefined;
	}

	private async finalize(action: Extract<Action, { kind: 'finalize' }>): Promise<InvoiceOrderResult | undefined> {
		const { ctx, type, opts } = this;
		if (!this.archivedChecked) {
			// Before anything becomes legal, once per run: the order's documents the merchant archived.
			// The reference lookup lists only non-archived ones, so an archived invoice of the order would
			// otherwise be invisible and a second one issued beside it. One request, paid only by a run
			// about to finalize; the planner then decides again with them (an archived final document is
			// the order's invoice: this run's draft goes).
			this.archivedChecked = true;
			await this.observe(true);
			this.look = false;
			return undefined;
		}
		// A random pause for runs that may share a turn (no own draft listed, or ranks past the cap).
		if (action.adopt && this.t.adoptJitterMs > 0) await sleep(Math.floor(Math.random() * this.t.adoptJitterMs));
		// Our fresh draft is known to be a draft; an adopted one is read again first.
		const known = !action.adopt && this.own && sameId(this.own.id, action.id) ? this.own : undefined;
		let done;
		try {
			if (opts.beforeFinalize) await opts.beforeFinalize();
			done = await transitionDraft(ctx, type, action.id, 'finalized', opts.itemIndex, known);
		} catch (error) {
			// Refused (by the check or by the service): nothing half-done stays behind, our draft goes.
			return await this.stop(asNodeError(ctx.getNode(), error, opts.itemIndex));
		}
		const doc = done.document.items ? done.document : await getDocument(ctx, type, action.id, opts.itemIndex);
		// After a lost answer a re-read shows it final. Our own draft: only an adopter could have
		// finalized it, and adopters wait a grace period first, so it was this request. An adopted
		// draft: a concurrent adopter may have, so not "here" (never e-mailed twice).
		const here = done.changedHere === true || (done.changedHere === 'unknown' && !action.adopt);
		const others = this.listed.some((d) => d.status === 'draft' && !sameId(d.id, action.id) && !sameId(d.id, this.own?.id));
		if (!action.adopt && !others) return this.result(doc, here ? 'created' : 'already invoiced', here);
		// Our own draft and the drafts that lost go next, on the same listing.
		this.adopted = { document: doc, finalizedHere: here, adopt: action.adopt };
		if (!action.adopt) this.own = doc;
		this.listed = this.listed.map((d) => (sameId(d.id, action.id) ? doc : d));
		this.finalSinceWaitedMs = this.waitedMs;
		this.look = false;
		return undefined;
	}

	private async done(action: Extract<Action, { kind: 'done' }>): Promise<InvoiceOrderResult> {
		const adopted = this.adoptedResult();
		if (adopted) return adopted;
		const winner: IDataObject = this.listed.find((d) => sameId(d.id, action.winner.id)) ?? this.own ?? { id: action.winner.id };
		const winnerType = (winner.type !== undefined ? listedType(winner) : this.type) as DocumentTypeKey;
		const doc = winner.items ? winner : await getDocument(this.ctx, winnerType, action.winner.id, this.opts.itemIndex);
		const mine = sameId(this.own?.id, action.winner.id);
		return {
			...this.result(doc, action.final ? 'already invoiced' : mine ? 'draft' : 'resumed', false),
			...(winnerType !== this.type ? { documentType: winnerType } : {}),
			...(!action.final ? { turn: mine ? 0 : Math.max(1, this.turn ?? 1) } : {}),
		};
	}

	/**
	 * Two final documents. An invoice credited in full, then replaced by a new one ("Invoice Again"), is
	 * not the order's invoice any more: read once, before calling two final invoices a conflict.
	 */
	private async conflict(action: Extract<Action, { kind: 'conflict' }>): Promise<undefined> {
		const { ctx, type, opts } = this;
		if (!this.conflictChecked) {
			this.conflictChecked = true;
			for (const final of action.finals) {
				const doc = this.listed.find((d) => sameId(d.id, final.id));
				if (doc && (await creditedInFull(ctx, doc, opts.reference, opts.itemIndex))) this.retired.add(String(final.id));
			}
			if (action.finals.some((f) => this.retired.has(String(f.id)))) {
				this.listed = this.listed.filter((d) => !this.retired.has(String(d.id)));
				this.look = false;
				return undefined;
			}
		}
		throw ixError(ctx, `${action.finals.length} legal ${DOCUMENT_TYPES[type].label.toLowerCase()}s exist with reference "${opts.reference}" (ids ${action.finals.map((d) => d.id).join(', ')})`, {
			itemIndex: opts.itemIndex,
			description: 'Nothing more was finalized. The reference lookup did not list documents in creation order; keep one and cancel the others (credit note), then tell the package maintainers.',
		});
	}
}
