import type { IDataObject } from 'n8n-workflow';

import type { DocumentTypeKey } from '../helpers/documentTypes';
import { isFinalStatus } from './documents';

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
 * The decisions are this pure function, {@link planInvoice}: observations in, the next action out, no
 * I/O and no clock. invoiceOrder.ts performs them.
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
	if (finals.length === 1) return withFinal(o, finals[0], drafts, ticket);
	if (drafts.length === 0 && !(ticket && o.listed.some((d) => same(d, ticket)))) return nothingListed(o, own);
	return amongDrafts(o, drafts, ticket);
}

/** Step 2: the order's final document is its invoice; our own draft goes, and drafts left by gone runs too. */
function withFinal(o: Observation, final: DocView, drafts: DocView[], ticket: DocView | undefined): Action {
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

/** Step 3 (and 6): nothing listed yet: create our own draft once, then wait for the lookup to list it. */
function nothingListed(o: Observation, own: DocView | undefined): Action {
	if (!own && o.creates === 0) return { kind: 'create' };
	if (o.waitedMs >= o.budgetMs) {
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

/** Steps 4 to 6: the lowest-id listed draft wins; ours is finalized, another run's adopted in rank order. */
function amongDrafts(o: Observation, drafts: DocView[], ticket: DocView | undefined): Action {
	const outOfTime = o.waitedMs >= o.budgetMs;
	// When a run of this rank acts; capped so that every rank acts within the budget (ranks past the
	// cap share a turn, separated by the executor's random pause only).
	const turn = (rank: number) => Math.min(o.graceMs * (1 + rank), Math.max(o.graceMs, o.budgetMs - o.graceMs));
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
