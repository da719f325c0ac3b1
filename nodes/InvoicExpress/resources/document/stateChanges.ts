import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { cancelFinal, changeState, removeLosingDrafts, transitionDraft } from '../../../services/invoicexpress/api/state';
import { invoiceTiming } from '../../../services/invoicexpress/api/invoiceOrder';
import { summarizeDocument } from '../../../services/invoicexpress/helpers/document';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../../../services/invoicexpress/helpers/documentTypes';
import { requiredDocumentId, requiredString, show } from '../common';

/**
 * The operations that remove a document or take it out of effect ask why, always: a person, or an AI
 * agent using the node as a tool, has to state a reason before anything is sent, and the reason stays
 * where it can be read afterwards (with the canceled document; in the output of a deleted draft).
 */
export const reasonDescription: INodeProperties[] = [
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		required: true,
		default: '',
		description: 'Why the document is canceled; required by InvoicExpress and kept with the document',
		displayOptions: show('document', ['cancel']),
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		required: true,
		default: '',
		description: 'Why the draft is deleted. InvoicExpress keeps no message for a deletion: the reason is recorded in the output, for the execution log.',
		displayOptions: show('document', ['deleteDraft']),
	},
];

function read(ctx: IExecuteFunctions, i: number): { type: DocumentTypeKey; id: string } {
	return {
		type: ctx.getNodeParameter('documentType', i) as DocumentTypeKey,
		id: requiredDocumentId(ctx, i),
	};
}

function output(type: DocumentTypeKey, doc: Record<string, unknown>): INodeExecutionData[] {
	return [{ json: { ...summarizeDocument(doc, DOCUMENT_TYPES[type].prefix), document_type: type } }];
}

/**
 * Documents this process finalized, per execution (the most recent few). n8n's "Retry On Fail" runs
 * the whole node again when its first item failed: the documents its first try finalized are then
 * already final, and without this memory the retry would report them "not finalized here", so the
 * chain's Send by Email would skip them and nobody would e-mail them. Within one execution the node's
 * tries run in one process (also in queue mode, on one worker), so process memory is enough; another
 * execution never finds its ids here and is still told "not finalized here".
 */
const FINALIZED_BY_EXECUTION = new Map<string, Map<string, FinalizedHow>>();
const REMEMBERED_EXECUTIONS = 50;
/** `unknown`: the answer was lost and a re-read showed it final (a retry must say so again, not go silent). */
type FinalizedHow = 'here' | 'unknown';

function rememberFinalized(executionId: string | undefined, documentId: string, how: FinalizedHow): void {
	if (!executionId) return;
	let ids = FINALIZED_BY_EXECUTION.get(executionId);
	if (!ids) {
		ids = new Map();
		FINALIZED_BY_EXECUTION.set(executionId, ids);
		// Oldest first: Map keeps insertion order.
		while (FINALIZED_BY_EXECUTION.size > REMEMBERED_EXECUTIONS) FINALIZED_BY_EXECUTION.delete(FINALIZED_BY_EXECUTION.keys().next().value!);
	}
	if (ids.get(documentId) !== 'here') ids.set(documentId, how);
}

function finalizedEarlier(executionId: string | undefined, documentId: string): FinalizedHow | undefined {
	return executionId === undefined ? undefined : FINALIZED_BY_EXECUTION.get(executionId)?.get(documentId);
}

function executionIdOf(ctx: IExecuteFunctions): string | undefined {
	try {
		const id = ctx.getExecutionId();
		return typeof id === 'string' && id !== '' ? id : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Finalize that another execution may have done first: a document already final is returned marked
 * `already_final` instead of failing, and `finalized_here` says whether this execution's request made it
 * final, so that only that execution e-mails it (the separate-steps example filters Send by Email on it).
 */
export async function finalize(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const { type, id } = read(this, i);
	// Straight after Create with a unique key: a draft that another execution created (and is finalizing
	// now) is left to it for its turn first, then read; so two executions never send the same finalize.
	const turn = Number(this.getInputData()[i]?.json?.finalize_turn ?? 0);
	if (Number.isInteger(turn) && turn > 0 && String(this.getInputData()[i]?.json?.id) === String(id)) {
		const t = invoiceTiming();
		await sleep(t.graceMs * Math.min(turn, 4) + Math.floor(Math.random() * t.adoptJitterMs));
	}
	const done = await transitionDraft(this, type, id, 'finalized', i);
	// After a lost answer a re-read shows it final, by this request or by another execution's in the
	// same instant: not counted as here, so that it is never e-mailed twice (the item says so). A try of
	// this node earlier in the same execution that finalized it counts as here (see above).
	const executionId = executionIdOf(this);
	const earlier = done.changedHere === false ? finalizedEarlier(executionId, String(id)) : undefined;
	const here = done.changedHere === true || earlier === 'here';
	// Lost answer now, or in an earlier try of this node in this execution: said on the item either way.
	const unknown = done.changedHere === 'unknown' || earlier === 'unknown';
	if (done.changedHere === true) rememberFinalized(executionId, String(id), 'here');
	if (done.changedHere === 'unknown') rememberFinalized(executionId, String(id), 'unknown');
	// The execution that finalized it removes the drafts other executions left with the same reference
	// (the separate-steps Create leaves none of its own behind, but a lost create answer or a pending run may).
	const reference = typeof done.document.reference === 'string' ? done.document.reference : '';
	let removed: Array<string | number> = [];
	let cleanup: string | undefined;
	if (done.changedHere !== false && reference !== '') {
		try {
			removed = await removeLosingDrafts(this, type, reference, id, i, invoiceTiming().adoptJitterMs);
		} catch (error) {
			// The document is final: that is this item's result. A leftover draft has no fiscal value.
			cleanup = `drafts that lost with reference "${reference}" were not all removed: ${(error as Error).message}`;
		}
	}
	return [
		{
			json: {
				...summarizeDocument(done.document, DOCUMENT_TYPES[type].prefix),
				document_type: type,
				finalized_here: here,
				already_final: done.changedHere === false,
				...(removed.length ? { removed_drafts: removed } : {}),
				...(cleanup ? { cleanup_warning: cleanup } : {}),
				...(unknown
					? {
							warning:
								'the answer to the finalize request was lost; the document is final, but whether this execution or another one finalized it is unknown, so finalized_here is false and it is not e-mailed here: send it with Send by Email unless another execution did',
						}
					: {}),
			},
		},
	];
}

export async function cancel(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const { type, id } = read(this, i);
	const reason = requiredString(this, 'reason', 'Reason', i);
	// Read first, never repeated blindly: canceled already (by an earlier try, another run) is success.
	const done = await cancelFinal(this, type, id, reason, i);
	return [{ json: { ...output(type, done.document)[0].json, ...(done.changedHere === false ? { already_canceled: true } : {}) } }];
}

export async function settle(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const { type, id } = read(this, i);
	return output(type, await changeState(this, type, id, 'settled', undefined, i));
}

export async function deleteDraft(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const { type, id } = read(this, i);
	// Read before any request: a deletion nobody can explain is refused, not sent.
	const reason = requiredString(this, 'reason', 'Reason', i, 'Say why the draft is deleted: the reason is recorded in the output, since InvoicExpress keeps none.');
	const done = await transitionDraft(this, type, id, 'deleted', i);
	return [{ json: { id, document_type: type, deleted: true, reason, ...(done.changedHere === false ? { already_deleted: true } : {}) } }];
}
