import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { asNodeError } from '../../../shared/execute';
import type { ApiContext } from '../../../shared/http';
import { tuningOf } from '../../../shared/tuning';
import { DOCUMENT_TYPES, INVOICE_TYPES, type DocumentTypeKey } from '../helpers/documentTypes';
import { errorStatus, isAmbiguousFailure, ixError } from '../transport';
import { cashSaleError, createDocument, findDocumentsByReference, getDocument, getRelatedDocuments, isFinalStatus, listedType, type ListedKind } from './documents';
import { transitionDraft } from './state';

/** An invoice of the order: FT, FR, FS, or a legacy cash sale (VD). */
const isInvoiceKind = (kind: ListedKind | undefined): boolean => kind === 'cashInvoice' || INVOICE_TYPES.includes(kind as DocumentTypeKey);

/**
 * Exactly one legal document per order, whatever repeats or runs in parallel: safety over liveness.
 *
 * InvoicExpress offers two weak guarantees: `proprietary_uid` is only documented to block a second
 * creation while the first is in flight, and the `reference` filter may lag a new document by an
 * unbounded time. What is certain: a draft has no fiscal value and can be deleted, and only
 * finalizing gives a legal number. The protocol:
 *  1. Observe the documents the reference lookup lists for the order (alive ones).
 *  2. A final document is the order's invoice: done (our own draft, if any, is deleted).
 *  3. Nothing listed: create our own draft (once per run) and wait for the lookup to list something.
 *  4. The winner is the lowest-id draft listed. Assumption A1 (inferred, not documented): the lookup
 *     shows documents in creation order, so once it lists a draft every older one is listed too and
 *     the lowest listed id is the lowest that exists: every run picks the same winner.
 *  5. Our own draft is the winner: finalize it. Another run's draft is the winner: delete ours, give
 *     its owner a grace period to finalize it, then adopt it (finalize it ourselves; its owner may be
 *     gone: an earlier run left it pending, or its create answer was lost).
 *  6. Whatever cannot be proven within the wait budget (our draft not listed yet, a create without an
 *     answer, the winner still a draft) ends as `pending`: nothing is finalized, the draft stays, and
 *     the next run converges on the same winner.
 * A1 wrong in a way the run can see (our older draft missing while a newer one is listed) ends as
 * pending; two final documents for one reference are an error naming both, never a silent success.
 *
 * The decisions are a pure function ({@link planInvoice}); {@link invoiceOnce} only performs them.
 */

export type InvoiceOutcome = 'created' | 'resumed' | 'already invoiced' | 'draft' | 'pending';

export interface InvoiceOrderResult {
	/** The winner (final, or a draft when not finalizing); for a pending outcome, what is known of it. */
	document: IDataObject;
	outcome: InvoiceOutcome;
	/** Whether this run's finalize request made the document final: only then is it e-mailed. */
	finalizedHere: boolean;
	/** Why the order was left pending (outcome `pending` only). */
	pendingReason?: string;
	/** Our own draft that lost against another document and was deleted. */
	discardedDraftId?: number | string;
	/** A create of this run got no answer, and the order's document was found by its reference. */
	recovered?: boolean;
	/** The type of `document` when it is not the type asked for: the order was already invoiced with another. */
	documentType?: DocumentTypeKey;
	/**
	 * Create without finalizing (the separate-steps chain) that hands on a draft: 0 when it is this
	 * run's own, else this run's rank among the runs whose drafts lost (see rankOf). The chain's Finalize
	 * waits that many grace periods first, so that two executions never finalize one draft at once.
	 */
	turn?: number;
}

// ---------------------------------------------------------------------------------------------
// The planner: observations in, next action out. No I/O, no clock.
// ---------------------------------------------------------------------------------------------

export interface DocView {
	id: number | string;
	status: string;
}

export interface Observation {
	/** Finalize the winner (one-step, Create with Finalize) or only converge on a winning draft (Create). */
	finalize: boolean;
	/** Documents the reference lookup lists now (the caller drops deleted and canceled ones). */
	listed: DocView[];
	/** Our own draft (created in this run, its answer received), with its last known status. */
	own?: DocView;
	/** Creates sent in this run. */
	creates: number;
	/** A create of this run got no answer: a draft may exist that nobody knows the id of. */
	createUncertain: boolean;
	/** Time waited in this run for this order, and the most it may wait. */
	waitedMs: number;
	budgetMs: number;
	/** How long the current winner, a draft of another run, has been seen as a draft. */
	foreignWinnerSeenMs: number;
	/** How long the order's final document has been seen (0 until it is). */
	finalSeenMs: number;
	/** This run's finalize request made the winner final. */
	finalizedHere?: boolean;
	/** The time a run leaves to the runs ranked before it (see {@link rankOf}). */
	graceMs: number;
}

export type Action =
	| { kind: 'create' }
	| { kind: 'wait'; reason: string }
	| { kind: 'finalize'; id: number | string; adopt: boolean }
	| { kind: 'delete'; id: number | string; own: boolean }
	| { kind: 'done'; winner: DocView; final: boolean }
	| { kind: 'pending'; reason: string; winner?: DocView }
	| { kind: 'conflict'; finals: DocView[] };

const same = (a: DocView | undefined, b: DocView | undefined) => a !== undefined && b !== undefined && String(a.id) === String(b.id);
const byId = (a: DocView, b: DocView) => Number(a.id) - Number(b.id);
const ALIVE = (d: DocView) => d.status !== 'deleted' && d.status !== 'canceled';

/**
 * A run's rank for acting on documents that are not its own: the number of drafts listed between
 * `above` and its own draft, plus one (0 without an own draft). Concurrent runs hold different own
 * drafts, so they get different ranks and act one grace period apart instead of at the same instant:
 * the one that acts first leaves the others nothing to do (no transition is sent twice).
 */
export function rankOf(drafts: DocView[], own: DocView | undefined, above: number): number {
	if (!own) return 0;
	return drafts.filter((d) => Number(d.id) > above && Number(d.id) < Number(own.id)).length + 1;
}

export function planInvoice(o: Observation): Action {
	const own = o.own && ALIVE(o.own) ? o.own : undefined;
	const ticket = own && own.status === 'draft' ? own : undefined;
	const listed = o.listed.filter(ALIVE);
	const finals = listed.filter((d) => isFinalStatus(d.status));
	if (own && isFinalStatus(own.status) && !finals.some((d) => same(d, own))) finals.push(own);
	finals.sort(byId);
	if (finals.length > 1) return { kind: 'conflict', finals };
	const drafts = listed.filter((d) => d.status === 'draft' && !same(d, own)).sort(byId);
	const outOfTime = o.waitedMs >= o.budgetMs;
	// When a run of this rank acts; capped so that every rank acts within the budget (ranks past the
	// cap share a turn, separated by the executor's random pause only).
	const turn = (rank: number) => Math.min(o.graceMs * (1 + rank), Math.max(o.graceMs, o.budgetMs - o.graceMs));

	if (finals.length === 1) {
		const final = finals[0];
		if (ticket) return { kind: 'delete', id: ticket.id, own: true };
		// Drafts of other runs lost too. Their runs remove them when they see the final document, or when
		// their budget ends; what is still there after a whole budget was left by a run that is gone (a
		// lost create answer, a run that failed before its clean-up, a pending run). Any run that sees
		// them that long removes them: a re-run of an order whose earlier run failed half-way leaves no
		// draft behind (issue 11: zero drafts). No run finalizes anything once a final document exists,
		// so removing a draft then can never take a legal document's place; two runs removing the same
		// one at once are told apart by the state read before each change.
		const others = drafts.filter((d) => !same(d, final));
		if (others.length > 0 && o.finalSeenMs < 2 * o.budgetMs) {
			if (o.finalSeenMs >= o.budgetMs) return { kind: 'delete', id: others[0].id, own: false };
			return { kind: 'wait', reason: `drafts ${others.map((d) => d.id).join(', ')} lost against ${final.id}; their runs may still remove them` };
		}
		return { kind: 'done', winner: final, final: true };
	}

	if (drafts.length === 0 && !(ticket && o.listed.some((d) => same(d, ticket)))) {
		if (!own && o.creates === 0) return { kind: 'create' };
		if (outOfTime) {
			return {
				kind: 'pending',
				winner: own,
				reason: own
					? `draft ${own.id} is not yet listed by the reference lookup, so no older draft can be ruled out`
					: 'the draft creation got no answer and no document is listed yet',
			};
		}
		return { kind: 'wait', reason: 'the reference lookup lists no document yet' };
	}

	const ownListed = ticket !== undefined && o.listed.some((d) => same(d, ticket));
	const candidates = [...drafts, ...(ownListed && ticket ? [ticket] : [])].sort(byId);
	const winner = candidates[0];
	if (ticket && !ownListed && Number(ticket.id) < Number(winner.id)) {
		// A1 does not hold here: finalizing anything could make a second legal document.
		return {
			kind: 'pending',
			winner: ticket,
			reason: `the reference lookup lists draft ${winner.id} but not the older draft ${ticket.id}: it does not show documents in creation order, nothing is finalized`,
		};
	}
	if (same(ticket, winner)) {
		return o.finalize ? { kind: 'finalize', id: winner.id, adopt: false } : { kind: 'done', winner, final: false };
	}
	// Another run's draft wins. Its run finalizes it; if that run is gone, the runs adopt it in rank order.
	if (outOfTime) {
		if (ticket) return { kind: 'delete', id: ticket.id, own: true };
		return { kind: 'pending', winner, reason: `draft ${winner.id} of another run wins and is not final yet` };
	}
	// Create (no finalize) hands the winner to a later node: its own draft is of no more use.
	if (!o.finalize && ticket) return { kind: 'delete', id: ticket.id, own: true };
	if (o.foreignWinnerSeenMs >= turn(rankOf(drafts, ticket, Number(winner.id)))) {
		return o.finalize ? { kind: 'finalize', id: winner.id, adopt: true } : { kind: 'done', winner, final: false };
	}
	return { kind: 'wait', reason: `draft ${winner.id} of another run wins; its run may be finalizing it` };
}

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
 * The protocol's waits: the defaults, or the node's hidden `tuning.protocol` (tests scale them down
 * with the sandbox's simulated lag; workflows use the defaults).
 */
export function invoiceTiming(ctx: ApiContext): InvoiceTiming {
	const tuned = tuningOf(ctx, 'protocol') as Partial<InvoiceTiming> | undefined;
	return { ...DEFAULT_INVOICE_TIMING, ...(tuned ?? {}) };
}

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
	const docs = (await findDocumentsByReference(ctx, reference, undefined, itemIndex, { includeCanceled: true })).filter((d) => isInvoiceKind(listedType(d)));
	const ids: Array<string | number> = [];
	for (const doc of docs) {
		// A live VD is never read (no documented path): the protocol refuses the order beside it.
		if (doc.status === 'canceled') ids.push(doc.id as number);
		else if (listedType(doc) !== 'cashInvoice' && isFinalStatus(doc.status) && (await creditedInFull(ctx, doc, reference, itemIndex))) ids.push(doc.id as number);
	}
	return ids;
}

export async function invoiceOnce(
	ctx: ApiContext,
	type: DocumentTypeKey,
	document: IDataObject,
	opts: {
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
	},
): Promise<InvoiceOrderResult> {
	const { reference, itemIndex } = opts;
	const t = invoiceTiming(ctx);
	const retired = new Set((opts.retiredIds ?? []).map(String));
	let conflictChecked = false;
	let own: IDataObject | undefined;
	let creates = 0;
	let createUncertain = false;
	let waitedMs = 0;
	let polls = 0;
	let foreign: { id: string; sinceWaitedMs: number } | undefined;
	let finalSinceWaitedMs: number | undefined;
	let adopted: { document: IDataObject; finalizedHere: boolean; adopt: boolean } | undefined;
	let discardedDraftId: number | string | undefined;
	let turn: number | undefined;
	let listed: IDataObject[] = [];
	// By default the first action is a create (nothing is known yet): listing before it would cost every
	// order one more call, and a re-run only pays a create and a delete for it.
	let look = opts.lookFirst === true;
	const result = (document: IDataObject, outcome: InvoiceOutcome, finalizedHere: boolean): InvoiceOrderResult => ({
		document,
		outcome,
		finalizedHere,
		discardedDraftId,
		recovered: createUncertain && !own,
	});
	for (let steps = 0; steps < 500; steps++) {
		// Every type: a final invoice of another type (the merchant changed the type, a simplified
		// invoice over its limit became an invoice) is the order's invoice too, never a reason for a second.
		if (look) {
			const invoicing = INVOICE_TYPES.includes(type);
			const all = (await findDocumentsByReference(ctx, reference, undefined, itemIndex, { includeCanceled: invoicing })).filter((d) => !retired.has(String(d.id)));
			listed = all.filter(
				(d) => d.status !== 'canceled' && (listedType(d) === type || (invoicing && INVOICE_TYPES.includes(listedType(d) as DocumentTypeKey) && isFinalStatus(String(d.status)))),
			);
			// A legacy cash sale (VD) of the order is a legal document too: never a second one beside it.
			const vd = invoicing ? cashSaleError(ctx, all, reference, itemIndex) : undefined;
			if (vd) {
				await discardOwnDraft(ctx, type, own, itemIndex);
				throw vd;
			}
			const canceled = all.find((d) => d.status === 'canceled' && isInvoiceKind(listedType(d)));
			if (canceled && !listed.some((d) => isFinalStatus(d.status))) {
				await discardOwnDraft(ctx, type, own, itemIndex);
				const kind = listedType(canceled);
				const what = kind === 'cashInvoice' ? 'cash sale (VD)' : DOCUMENT_TYPES[kind as DocumentTypeKey].label.toLowerCase();
				throw ixError(ctx, `the ${what} with reference "${reference}" (id ${String(canceled.id)}) was canceled: a new one is issued only when asked`, {
					itemIndex,
					description: 'Nothing was issued. To invoice the order again, turn on "Invoice Again After Cancellation or Full Credit" in the order options.',
				});
			}
		}
		look = true;
		const drafts = listed.filter((d) => d.status === 'draft').sort((a, b) => Number(a.id) - Number(b.id));
		const lowest = drafts[0];
		if (lowest && String(lowest.id) !== String(own?.id)) {
			if (foreign?.id !== String(lowest.id)) foreign = { id: String(lowest.id), sinceWaitedMs: waitedMs };
		} else {
			foreign = undefined;
		}
		if (listed.some((d) => isFinalStatus(d.status))) finalSinceWaitedMs ??= waitedMs;
		const action = planInvoice({
			finalize: opts.finalize,
			listed: listed.map(view),
			own: own ? view(own) : undefined,
			creates,
			createUncertain,
			waitedMs,
			budgetMs: t.budgetMs,
			foreignWinnerSeenMs: foreign ? waitedMs - foreign.sinceWaitedMs : 0,
			finalSeenMs: finalSinceWaitedMs === undefined ? 0 : waitedMs - finalSinceWaitedMs,
			finalizedHere: adopted?.finalizedHere === true,
			graceMs: t.graceMs,
		});
		switch (action.kind) {
			case 'create': {
				creates++;
				try {
					own = (await createDocument(ctx, type, document, { uniqueKey: opts.uniqueKey, itemIndex, single: true })).document;
				} catch (error) {
					const uncertain = isAmbiguousFailure(error) || errorStatus(error) === 409 || /may or may not have been created/.test(String((error as Error).message));
					if (!uncertain) throw asNodeError(ctx.getNode(), error, itemIndex);
					createUncertain = true;
				}
				break;
			}
			case 'wait': {
				const pause = Math.min(t.pollMs * 2 ** polls++, t.maxPollMs, Math.max(1, t.budgetMs - waitedMs));
				await sleep(pause);
				waitedMs += pause;
				break;
			}
			case 'delete': {
				if (!action.own && t.adoptJitterMs > 0) await sleep(Math.floor(Math.random() * t.adoptJitterMs));
				if (action.own && !opts.finalize && own) {
					// Our draft lost: our rank behind the winner decides when our Finalize may act on it.
					const drafts = listed.filter((d) => d.status === 'draft' && String(d.id) !== String(own?.id)).map(view);
					const winnerId = drafts.length ? Math.min(...drafts.map((d) => Number(d.id))) : Number(action.id);
					turn = rankOf(drafts, view(own), winnerId);
				}
				await transitionDraft(ctx, type, action.id, 'deleted', itemIndex);
				if (action.own) {
					discardedDraftId = action.id;
					own = { ...own, status: 'deleted' };
				}
				// Nothing else changed that this run knows of: decide again on the same listing.
				listed = listed.filter((d) => String(d.id) !== String(action.id));
				look = false;
				break;
			}
			case 'finalize': {
				// A random pause for runs that may share a turn (no own draft listed, or ranks past the cap).
				if (action.adopt && t.adoptJitterMs > 0) await sleep(Math.floor(Math.random() * t.adoptJitterMs));
				// Our fresh draft is known to be a draft; an adopted one is read again first.
				const known = !action.adopt && own && String(own.id) === String(action.id) ? own : undefined;
				let done;
				try {
					if (opts.beforeFinalize) await opts.beforeFinalize();
					done = await transitionDraft(ctx, type, action.id, 'finalized', itemIndex, known);
				} catch (error) {
					// Refused (by the check or by the service): nothing half-done stays behind, our draft goes.
					await discardOwnDraft(ctx, type, own, itemIndex);
					throw asNodeError(ctx.getNode(), error, itemIndex);
				}
				const doc = done.document.items ? done.document : await getDocument(ctx, type, action.id, itemIndex);
				// After a lost answer a re-read shows it final. Our own draft: only an adopter could have
				// finalized it, and adopters wait a grace period first, so it was this request. An adopted
				// draft: a concurrent adopter may have, so not "here" (never e-mailed twice).
				const here = done.changedHere === true || (done.changedHere === 'unknown' && !action.adopt);
				const others = listed.some((d) => d.status === 'draft' && String(d.id) !== String(action.id) && String(d.id) !== String(own?.id));
				if (!action.adopt && !others) return result(doc, here ? 'created' : 'already invoiced', here);
				// Our own draft and the drafts that lost go next, on the same listing.
				adopted = { document: doc, finalizedHere: here, adopt: action.adopt };
				if (!action.adopt) own = doc;
				listed = listed.map((d) => (String(d.id) === String(action.id) ? doc : d));
				finalSinceWaitedMs = waitedMs;
				look = false;
				break;
			}
			case 'done': {
				if (adopted) return result(adopted.document, !adopted.finalizedHere ? 'already invoiced' : adopted.adopt ? 'resumed' : 'created', adopted.finalizedHere);
				const winner = listed.find((d) => String(d.id) === String(action.winner.id)) ?? own ?? { id: action.winner.id };
				const winnerType = (winner.type !== undefined ? listedType(winner) : type) as DocumentTypeKey;
				const doc = winner.items ? winner : await getDocument(ctx, winnerType, action.winner.id, itemIndex);
				const mine = String(own?.id) === String(action.winner.id);
				return {
					...result(doc, action.final ? 'already invoiced' : mine ? 'draft' : 'resumed', false),
					...(winnerType !== type ? { documentType: winnerType } : {}),
					...(!action.final ? { turn: mine ? 0 : Math.max(1, turn ?? 1) } : {}),
				};
			}
			case 'pending':
				if (adopted) return result(adopted.document, !adopted.finalizedHere ? 'already invoiced' : adopted.adopt ? 'resumed' : 'created', adopted.finalizedHere);
				return {
					...result(action.winner ? { id: action.winner.id, status: action.winner.status, reference } : { reference }, 'pending', false),
					pendingReason: action.reason,
				};
			case 'conflict': {
				// An invoice credited in full, then replaced by a new one ("Invoice Again"), is not the order's
				// invoice any more: read once, before calling two final invoices a conflict.
				if (!conflictChecked) {
					conflictChecked = true;
					for (const final of action.finals) {
						const doc = listed.find((d) => String(d.id) === String(final.id));
						if (doc && (await creditedInFull(ctx, doc, reference, itemIndex))) retired.add(String(final.id));
					}
					if (action.finals.some((f) => retired.has(String(f.id)))) {
						listed = listed.filter((d) => !retired.has(String(d.id)));
						look = false;
						break;
					}
				}
				throw ixError(
					ctx,
					`${action.finals.length} legal ${DOCUMENT_TYPES[type].label.toLowerCase()}s exist with reference "${reference}" (ids ${action.finals.map((d) => d.id).join(', ')})`,
					{
						itemIndex,
						description:
							'Nothing more was finalized. The reference lookup did not list documents in creation order; keep one and cancel the others (credit note), then tell the package maintainers.',
					},
				);
			}
		}
	}
	throw ixError(ctx, `the ${DOCUMENT_TYPES[type].label.toLowerCase()} for reference "${reference}" did not settle`, { itemIndex });
}
