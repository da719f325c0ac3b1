import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { asNodeError } from '../../../shared/execute';

import type { ApiContext } from '../../../shared/http';
import { inTurn } from '../../../shared/turns';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../helpers/documentTypes';
import { errorStatus, isAmbiguousFailure, ixError, ixRequest, unwrapRoot } from '../transport';
import { docPath, findDocumentsByReference, getDocument, isFinalStatus } from './documents';

/**
 * Changes of a document's state (change-state, reference invoicexpress.md §4): finalize, delete a
 * draft, cancel. Each reads the state first and is never repeated blindly, so no change the service
 * must refuse is sent; changes of one document take turns in this process.
 */

export type DocumentState = 'finalized' | 'canceled' | 'deleted' | 'settled' | 'unsettled';

export async function changeState(
	ctx: ApiContext,
	type: DocumentTypeKey,
	id: string | number,
	state: DocumentState,
	message?: string,
	itemIndex?: number,
): Promise<IDataObject> {
	const invoice: IDataObject = { state };
	if (message) invoice.message = message;
	const verb = { finalized: 'finalize', canceled: 'cancel', deleted: 'delete', settled: 'settle', unsettled: 'unsettle' }[state];
	const res = await ixRequest(ctx, 'PUT', docPath(type, id, '/change-state'), {
		body: { invoice },
		itemIndex,
		action: `${verb} ${DOCUMENT_TYPES[type].label.toLowerCase()} ${id}`,
	});
	return unwrapRoot(res.body) ?? { id, status: state };
}

export interface TransitionResult {
	document: IDataObject;
	/**
	 * true: this request made the change (InvoicExpress answered it); false: the document was already in
	 * the target state when read (another run did it); 'unknown': the answer was lost and a re-read shows
	 * the change done, by this request or by a concurrent one.
	 */
	changedHere: boolean | 'unknown';
}

/** How often a change-state is sent again after its answer was lost and a re-read still shows a draft. */
const TRANSITION_ATTEMPTS = 4;

async function readState(ctx: ApiContext, type: DocumentTypeKey, id: string | number, itemIndex?: number): Promise<IDataObject> {
	const res = await ixRequest(ctx, 'GET', docPath(type, id), {
		itemIndex,
		accept: [404],
		action: `get ${DOCUMENT_TYPES[type].label.toLowerCase()} ${id}`,
	});
	// A deleted draft may be answered 404 by the real service; the sandbox keeps it with status "deleted".
	if (res.status === 404) return { id, status: 'deleted' };
	const doc = unwrapRoot(res.body);
	if (!doc) throw ixError(ctx, `InvoicExpress returned no document for ${DOCUMENT_TYPES[type].label.toLowerCase()} ${id}`, { itemIndex });
	return doc;
}

/**
 * Moves a draft to "finalized" or "deleted" without ever sending a transition the service must refuse:
 * the state is read first (already there → success, not a draft → a clear error), the change-state is
 * never repeated blindly by the transport, and after a lost answer the state is read again before
 * anything is re-sent. Only a concurrent run acting between the read and the send can still meet a
 * refusal (422), which is then read back and reported as "done by another run".
 */
export async function transitionDraft(
	ctx: ApiContext,
	type: DocumentTypeKey,
	id: string | number,
	target: 'finalized' | 'deleted',
	itemIndex?: number,
	known?: IDataObject,
): Promise<TransitionResult> {
	return await safeTransition(ctx, type, id, target, { itemIndex, known });
}

/** Cancels a finalized document by the same rules as {@link transitionDraft}: already canceled is success. */
export async function cancelFinal(
	ctx: ApiContext,
	type: DocumentTypeKey,
	id: string | number,
	message: string,
	itemIndex?: number,
	known?: IDataObject,
): Promise<TransitionResult> {
	return await safeTransition(ctx, type, id, 'canceled', { itemIndex, known, message });
}

const TRANSITIONS = {
	finalized: { verb: 'finalize', from: (s: unknown) => s === 'draft', reached: isFinalStatus, not: 'not a draft', needs: 'only a draft can be finalized' },
	deleted: { verb: 'delete', from: (s: unknown) => s === 'draft', reached: (s: unknown) => s === 'deleted', not: 'not a draft', needs: 'only a draft can be deleted' },
	canceled: { verb: 'cancel', from: isFinalStatus, reached: (s: unknown) => s === 'canceled', not: 'not finalized', needs: 'only a finalized document can be canceled' },
} as const;

/**
 * Why InvoicExpress will not cancel a document in this state, before anything is sent: its change-state
 * table moves a settled document to canceled only for an invoice-receipt ("settled → canceled: only
 * invoice_receipt"; "Any other transitions will fail"), and moves settled back to final (`unsettled`)
 * only for credit and debit notes. So a settled invoice or simplified invoice is corrected by a credit
 * note, or canceled after the receipt that settled it is canceled (inferred: the invoice is then final
 * again; the reference documents receipts' own cancel, not its effect on the invoice).
 */
export function cancelRefusal(type: DocumentTypeKey, status: unknown, subject: string): { message: string; description: string } | undefined {
	if (status !== 'settled' || type === 'invoiceReceipt') return undefined;
	const what = DOCUMENT_TYPES[type].label.toLowerCase();
	const note = type === 'creditNote' || type === 'debitNote';
	return {
		message: `${subject} is settled, and InvoicExpress cancels a settled document only when it is an invoice-receipt`,
		description: note
			? `Nothing was sent. Move the ${what} back to final first (InvoicExpress: "unsettled", credit and debit notes only), then cancel it.`
			: `Nothing was sent. To undo the sale, issue a credit note for the ${what} (Credit From ePages Order, or Document → Create with Document Type "Credit Note" and its Owner Invoice ID). To cancel it instead, first cancel in InvoicExpress the receipt that settled it, so that the ${what} is final again.`,
	};
}

/**
 * Changes of one document take turns in this process (shared/turns.ts): two executions would otherwise
 * read the same draft at the same instant and both send the same change, the second refused by the
 * service. The later one reads the state again, finds the change done and sends nothing.
 */
async function safeTransition(
	ctx: ApiContext,
	type: DocumentTypeKey,
	id: string | number,
	target: keyof typeof TRANSITIONS,
	opts: { itemIndex?: number; known?: IDataObject; message?: string },
): Promise<TransitionResult> {
	// Another change of this document just ended here: what we knew of its state is stale.
	return await inTurn(`${DOCUMENT_TYPES[type].path}/${String(id)}`, async (waited) =>
		await transitionOnce(ctx, type, id, target, waited ? { ...opts, known: undefined } : opts),
	);
}

async function transitionOnce(
	ctx: ApiContext,
	type: DocumentTypeKey,
	id: string | number,
	target: keyof typeof TRANSITIONS,
	opts: { itemIndex?: number; known?: IDataObject; message?: string },
): Promise<TransitionResult> {
	const { itemIndex, known } = opts;
	const rule = TRANSITIONS[target];
	const label = DOCUMENT_TYPES[type].label.toLowerCase();
	let lostAnswer = false;
	let doc = known && known.status !== undefined ? known : await readState(ctx, type, id, itemIndex);
	for (let attempt = 1; ; attempt++) {
		if (rule.reached(doc.status)) {
			if (target === 'finalized' && !doc.items) doc = await getDocument(ctx, type, id, itemIndex);
			return { document: doc, changedHere: lostAnswer ? 'unknown' : false };
		}
		const settled = target === 'canceled' ? cancelRefusal(type, doc.status, `${DOCUMENT_TYPES[type].label} ${id}`) : undefined;
		if (settled) throw ixError(ctx, settled.message, { itemIndex, description: settled.description });
		if (!rule.from(doc.status)) {
			throw ixError(ctx, `InvoicExpress could not ${rule.verb} ${label} ${id}: it is ${String(doc.status)}, ${rule.not}`, {
				itemIndex,
				description: `Nothing was sent: ${rule.needs}.`,
			});
		}
		try {
			const res = await ixRequest(ctx, 'PUT', docPath(type, id, '/change-state'), {
				body: { invoice: { state: target, ...(opts.message ? { message: opts.message } : {}) } },
				// Never repeated blindly: a repeat of a change that went through is refused (422).
				retry: 'rateLimitOnly',
				itemIndex,
				action: `${rule.verb} ${label} ${id}`,
			});
			const answered = unwrapRoot(res.body) ?? { id, status: target === 'finalized' ? 'final' : target };
			return { document: answered, changedHere: true };
		} catch (error) {
			const status = errorStatus(error);
			const lost = isAmbiguousFailure(error) || (status !== undefined && status >= 500);
			if (!lost && status !== 422 && status !== 404) throw asNodeError(ctx.getNode(), error, itemIndex);
			if (lost) lostAnswer = true;
			doc = await readState(ctx, type, id, itemIndex);
			if (rule.reached(doc.status)) continue;
			// Refused, and still not there: a real refusal (a rule of the service), not a race.
			if (!lost || attempt >= TRANSITION_ATTEMPTS) throw asNodeError(ctx.getNode(), error, itemIndex);
		}
	}
}

/**
 * After the document of a reference was finalized: deletes the other drafts with that reference (runs
 * that lost, or left a draft behind), each read again first, after a short random pause so that two
 * executions cleaning at once rarely act in the same instant. Returns the ids deleted here.
 */
export async function removeLosingDrafts(
	ctx: ApiContext,
	type: DocumentTypeKey,
	reference: string,
	winnerId: string | number,
	itemIndex?: number,
	pauseMs = 0,
): Promise<Array<string | number>> {
	const losers = (await findDocumentsByReference(ctx, reference, type, itemIndex)).filter(
		(d) => d.status === 'draft' && String(d.id) !== String(winnerId),
	);
	const deleted: Array<string | number> = [];
	for (const draft of losers) {
		if (pauseMs > 0) await sleep(Math.floor(Math.random() * pauseMs));
		const done = await transitionDraft(ctx, type, draft.id as string, 'deleted', itemIndex);
		if (done.changedHere !== false) deleted.push(draft.id as string);
	}
	return deleted;
}
