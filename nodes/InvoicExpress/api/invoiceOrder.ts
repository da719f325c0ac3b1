import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { asNodeError } from '../../shared/execute';
import type { ApiContext } from '../../shared/http';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../helpers/documentTypes';
import { errorStatus, isAmbiguousFailure } from '../transport';
import { changeState, createDocument, finalizeDocument, findDocumentsByReference, getDocument } from './documents';

/**
 * Exactly one legal document per order, whatever repeats or runs in parallel.
 *
 * InvoicExpress offers two weak guarantees: `proprietary_uid` may only block a second creation while
 * the first is in flight, and the `reference` filter may lag a new document by seconds. The package's
 * own protocol therefore relies on what is certain: a draft has no fiscal value and can be deleted,
 * and only finalizing gives a legal number. So:
 *  1. create a draft (with the order's unique key); a 409 or a lost answer is not an error;
 *  2. list the documents with the order's reference until our own draft is visible (the list may lag;
 *     documents become visible in creation order, so every older one is then visible too);
 *  3. the winner is the already-final document if there is one, else the oldest draft (lowest id):
 *     every concurrent run picks the same one, and finalizing it twice is harmless;
 *  4. finalize the winner if needed, and delete our own draft if it lost.
 */

export type InvoiceOutcome = 'created' | 'resumed' | 'already invoiced' | 'draft';

export interface InvoiceOrderResult {
	document: IDataObject;
	outcome: InvoiceOutcome;
	/** Our own draft that lost against an older document and was deleted. */
	discardedDraftId?: number | string;
}

const ALIVE = (d: IDataObject) => !['deleted', 'canceled'].includes(String(d.status));
const IS_FINAL = (d: IDataObject) => d.status === 'final' || d.status === 'settled' || d.status === 'sent';
const byId = (a: IDataObject, b: IDataObject) => Number(a.id) - Number(b.id);

async function waitForReference(
	ctx: ApiContext,
	type: DocumentTypeKey,
	reference: string,
	ownId: number | string | undefined,
	maxWaitMs: number,
	itemIndex?: number,
): Promise<IDataObject[]> {
	const deadline = Date.now() + maxWaitMs;
	for (let attempt = 0; ; attempt++) {
		const docs = (await findDocumentsByReference(ctx, reference, type, itemIndex)).filter(ALIVE);
		const visible = ownId === undefined ? docs.length > 0 : docs.some((d) => String(d.id) === String(ownId));
		if (visible || Date.now() >= deadline) return docs;
		await sleep(Math.min(250 * 2 ** attempt, 2000, Math.max(0, deadline - Date.now())));
	}
}

export async function invoiceOnce(
	ctx: ApiContext,
	type: DocumentTypeKey,
	document: IDataObject,
	opts: { reference: string; uniqueKey: string; finalize: boolean; itemIndex?: number; visibilityWaitMs?: number },
): Promise<InvoiceOrderResult> {
	const { reference, itemIndex } = opts;
	// How long to wait for a document that may exist, per round. Short at first (the list usually
	// shows a new document at once), longer later (it can lag by seconds).
	const waits = opts.visibilityWaitMs !== undefined ? [opts.visibilityWaitMs] : [500, 2500, 6000];
	let own: IDataObject | undefined;
	let docs: IDataObject[] = [];
	// A create whose answer is lost may or may not have happened: look, and if nothing shows up,
	// send it again with the same unique key. A second draft is harmless: step 3 keeps one.
	for (let round = 1; ; round++) {
		try {
			const created = await createDocument(ctx, type, document, { uniqueKey: opts.uniqueKey, itemIndex, single: true });
			own = created.document;
		} catch (error) {
			if (!(isAmbiguousFailure(error) || errorStatus(error) === 409 || /may or may not have been created/.test(String((error as Error).message)))) {
				throw asNodeError(ctx.getNode(), error, itemIndex);
			}
		}
		// Our own draft is awaited with the longest wait: it exists, only the list may be late.
		const waitMs = own ? waits[waits.length - 1] : waits[Math.min(round, waits.length) - 1];
		docs = await waitForReference(ctx, type, reference, own?.id as number | undefined, waitMs, itemIndex);
		if (own && !docs.some((d) => String(d.id) === String(own!.id))) docs.push(own);
		if (docs.length > 0 || round >= waits.length) break;
	}
	if (docs.length === 0) {
		throw new Error(
			`the ${DOCUMENT_TYPES[type].label.toLowerCase()} creation was not confirmed and no document with reference "${reference}" appeared; nothing was finalized, run again to resume`,
		);
	}
	const finals = docs.filter(IS_FINAL).sort(byId);
	const winner = finals[0] ?? [...docs].sort(byId)[0];
	let outcome: InvoiceOutcome;
	let result: IDataObject;
	if (IS_FINAL(winner)) {
		outcome = own && String(own.id) === String(winner.id) ? 'created' : 'already invoiced';
		result = winner.items ? winner : await getDocument(ctx, type, winner.id as number, itemIndex);
	} else if (opts.finalize) {
		result = await finalizeDocument(ctx, type, winner.id as number, itemIndex);
		outcome = own && String(own.id) === String(winner.id) ? 'created' : 'resumed';
	} else {
		result = winner.items ? winner : await getDocument(ctx, type, winner.id as number, itemIndex);
		outcome = 'draft';
	}
	let discardedDraftId: number | string | undefined;
	if (own && String(own.id) !== String(winner.id) && own.status === 'draft') {
		try {
			await changeState(ctx, type, own.id as number, 'deleted', undefined, itemIndex);
			discardedDraftId = own.id as number;
		} catch (error) {
			// Another run may have deleted or finalized it meanwhile; a leftover draft has no fiscal value.
			if (errorStatus(error) !== 422 && errorStatus(error) !== 404) throw asNodeError(ctx.getNode(), error, itemIndex);
		}
	}
	return { document: result, outcome, discardedDraftId };
}
