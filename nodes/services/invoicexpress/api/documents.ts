import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { asNodeError } from '../../../shared/execute';
import type { ApiContext } from '../../../shared/http';
import { bodyJson } from '../../../shared/http';
import { DOCUMENT_TYPES, documentTypeByApiType, type DocumentTypeKey } from '../helpers/documentTypes';
import {
	downloadFile,
	errorStatus,
	isAmbiguousFailure,
	ixError,
	ixGetAll,
	ixPolicy,
	ixRequest,
	unwrapRoot,
} from '../transport';

function docPath(type: DocumentTypeKey, id?: string | number, suffix = ''): string {
	const base = `/${DOCUMENT_TYPES[type].path}`;
	return id === undefined ? `${base}.json` : `${base}/${encodeURIComponent(String(id))}${suffix}.json`;
}

export async function getDocument(ctx: ApiContext, type: DocumentTypeKey, id: string | number, itemIndex?: number): Promise<IDataObject> {
	const res = await ixRequest(ctx, 'GET', docPath(type, id), {
		itemIndex,
		action: `get ${DOCUMENT_TYPES[type].label.toLowerCase()} ${id}`,
	});
	const doc = unwrapRoot(res.body);
	if (!doc) throw ixError(ctx, `InvoicExpress returned no document for ${DOCUMENT_TYPES[type].label.toLowerCase()} ${id}`, { itemIndex });
	return doc;
}

/**
 * The type of a listed document. The documented `type[]` filter values are Invoice, InvoiceReceipt,
 * CreditNote, DebitNote, Receipt and CashInvoice: simplified invoices are not among them, so lists are
 * never filtered by type for them; each document's own `type` is read (SimplifiedInvoice, as the
 * service answers an FS). `CashInvoice` is a VD (venda a dinheiro), a different legacy type, not an FS
 * (api-fidelity.md): it is `cashInvoice` here, a legal document of its order that the package never
 * reads, credits or cancels (the API documents no path for it), and never invoices beside.
 */
export type ListedKind = DocumentTypeKey | 'receipt' | 'cashInvoice';

export function listedType(doc: IDataObject): ListedKind | undefined {
	const type = String(doc.type ?? '');
	if (type === 'CashInvoice') return 'cashInvoice';
	if (type === 'Receipt') return 'receipt';
	return documentTypeByApiType(type);
}

/** The printed prefix of a listed document's legal number: FT, FR, FS, NC, ND, or VD for a legacy cash sale. */
export function listedPrefix(kind: ListedKind | undefined): string | undefined {
	if (kind === 'cashInvoice') return 'VD';
	return kind && kind !== 'receipt' ? DOCUMENT_TYPES[kind].prefix : undefined;
}

/**
 * A legacy cash sale (VD) with the order's reference, as an error naming it: it is a legal document of
 * the order (so no invoice is issued beside it), and the package knows no API path to read, correct or
 * delete it, so it never guesses one. A canceled VD is out of effect: not an error here.
 */
export function cashSaleError(ctx: ApiContext, docs: IDataObject[], reference: string, itemIndex?: number): Error | undefined {
	const vd = docs.find((d) => listedType(d) === 'cashInvoice' && d.status !== 'canceled' && d.status !== 'deleted');
	if (!vd) return undefined;
	const number = vd.inverted_sequence_number ? `VD ${String(vd.inverted_sequence_number)}` : `a draft VD`;
	return ixError(ctx, `a cash sale (${number}, legacy type CashInvoice, id ${String(vd.id)}, ${String(vd.status)}) has the reference "${reference}": it is a legal document of this order, so nothing is issued or corrected beside it`, {
		itemIndex,
		description:
			'Nothing was created or changed. The package does not read, credit, cancel or delete VDs (the InvoicExpress API documents no path for them): check it in InvoicExpress. If it is this order\'s invoice, mark the order invoiced in the shop; correct it in InvoicExpress if needed.',
	});
}

/** The types that make an order invoiced: one of them, final, is the order's legal invoice. */
export const INVOICE_TYPES: readonly DocumentTypeKey[] = ['invoice', 'invoiceReceipt', 'simplifiedInvoice'];

/**
 * Documents that are alive (not deleted, not canceled; with `includeCanceled`, canceled too) with
 * this exact reference, of one type or of every type. A document whose type the package does not know is an error, never skipped: it could be
 * the order's invoice under a name this code has not seen.
 */
export async function findDocumentsByReference(
	ctx: ApiContext,
	reference: string,
	type: DocumentTypeKey | undefined,
	itemIndex?: number,
	opts: { includeCanceled?: boolean } = {},
): Promise<IDataObject[]> {
	const docs = await ixGetAll(ctx, '/invoices.json', 'invoices', { reference, non_archived: true }, undefined, itemIndex);
	const gone = opts.includeCanceled ? ['deleted'] : ['deleted', 'canceled'];
	const alive = docs.filter((d) => String(d.reference ?? '') === reference && !gone.includes(String(d.status)));
	const unknown = alive.find((d) => listedType(d) === undefined);
	if (unknown) {
		throw ixError(ctx, `a document of unknown type "${String(unknown.type)}" (id ${String(unknown.id)}) has the reference "${reference}"`, {
			itemIndex,
			description: 'Nothing was created or changed for this reference. Check that document in InvoicExpress; if it is an invoice of this order, it is already invoiced.',
		});
	}
	return type === undefined ? alive : alive.filter((d) => listedType(d) === type);
}

export interface CreateDocumentOptions {
	/** Sent as `proprietary_uid`: a repeat with the same key cannot create a second document. */
	uniqueKey?: string;
	/** Used to find the document when the answer to the create was lost. */
	reference?: string;
	itemIndex?: number;
	/** How long to look for a document whose creation answer was lost (the list can lag). */
	recoveryWaitMs?: number;
	/** Never re-send the create: the caller reconciles ambiguous outcomes itself. */
	single?: boolean;
}

/** How long a lost create is looked for before it is sent again (the reference list may lag by seconds). */
export const DEFAULT_RECOVERY_WAIT_MS = 3000;

/**
 * POST /{type}.json. The create is never blindly repeated: when its answer is lost (5xx, reset,
 * timeout) or the unique key is "in use" (409), the document is looked up by reference first, and
 * only re-sent with the same unique key when it is not there.
 */
export async function createDocument(
	ctx: ApiContext,
	type: DocumentTypeKey,
	document: IDataObject,
	opts: CreateDocumentOptions = {},
): Promise<{ document: IDataObject; recovered: boolean }> {
	const info = DOCUMENT_TYPES[type];
	const body: IDataObject = { [info.singular]: document };
	if (opts.uniqueKey) body.proprietary_uid = opts.uniqueKey;
	const maxRounds = !opts.single && (opts.uniqueKey || opts.reference) ? 4 : 1;
	let lastError: unknown;
	for (let round = 1; round <= maxRounds; round++) {
		try {
			const res = await ixRequest(ctx, 'POST', docPath(type), {
				body,
				retry: 'rateLimitOnly',
				itemIndex: opts.itemIndex,
				action: `create the ${info.label.toLowerCase()}`,
			});
			const created = unwrapRoot(res.body);
			if (!created || created.id === undefined) {
				throw ixError(ctx, `InvoicExpress answered the ${info.label.toLowerCase()} creation without a document`, {
					itemIndex: opts.itemIndex,
				});
			}
			return { document: created, recovered: round > 1 };
		} catch (error) {
			const status = errorStatus(error);
			const ambiguous = isAmbiguousFailure(error) || status === 409;
			if (!ambiguous || round === maxRounds) {
				lastError = error;
				break;
			}
			lastError = error;
			if (opts.reference) {
				const existing = await waitForReference(ctx, type, opts.reference, opts.recoveryWaitMs ?? ixPolicy(ctx).createRecoveryWaitMs ?? DEFAULT_RECOVERY_WAIT_MS, opts.itemIndex);
				if (existing) return { document: existing, recovered: true };
			} else if (status === 409) {
				await sleep(1000 * round);
			}
			if (!opts.uniqueKey) break;
		}
	}
	if (isAmbiguousFailure(lastError)) {
		throw ixError(
			ctx,
			`${(lastError as Error).message}. The ${info.label.toLowerCase()} may or may not have been created`,
			{
				itemIndex: opts.itemIndex,
				description: opts.reference
					? `No document with reference "${opts.reference}" was found afterwards. Check InvoicExpress before running again.`
					: 'Set a reference or a unique key so that a repeat can find or protect the document. Check InvoicExpress before running again.',
			},
		);
	}
	throw asNodeError(ctx.getNode(), lastError, opts.itemIndex);
}

async function waitForReference(
	ctx: ApiContext,
	type: DocumentTypeKey,
	reference: string,
	waitMs: number,
	itemIndex?: number,
): Promise<IDataObject | undefined> {
	const deadline = Date.now() + waitMs;
	for (let attempt = 0; ; attempt++) {
		const docs = await findDocumentsByReference(ctx, reference, type, itemIndex);
		if (docs.length > 0) return await getDocument(ctx, type, docs[0].id as string, itemIndex);
		if (Date.now() >= deadline) return undefined;
		await sleep(Math.min(500 * 2 ** attempt, Math.max(0, deadline - Date.now())));
	}
}

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

/** Statuses a document may be in, as InvoicExpress answers them (`sent` appears in filters). */
export const isFinalStatus = (status: unknown): boolean => status === 'final' || status === 'settled' || status === 'sent';

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
 * Changes of one document under way in this process. Two executions in one n8n process (a double click
 * on "Execute workflow", a manual run beside the trigger) would otherwise read the same draft at the
 * same instant and both send the same change, the second refused by the service: the later one waits
 * for the earlier and then reads the state again, so it finds the change done and sends nothing.
 */
const IN_FLIGHT = new Map<string, Promise<unknown>>();

async function safeTransition(
	ctx: ApiContext,
	type: DocumentTypeKey,
	id: string | number,
	target: keyof typeof TRANSITIONS,
	opts: { itemIndex?: number; known?: IDataObject; message?: string },
): Promise<TransitionResult> {
	const key = `${DOCUMENT_TYPES[type].path}/${String(id)}`;
	const before = IN_FLIGHT.get(key);
	const mine = (async () => {
		if (before) await before.catch(() => undefined);
		// Another change of this document just ended here: what we knew of its state is stale.
		return await transitionOnce(ctx, type, id, target, before ? { ...opts, known: undefined } : opts);
	})();
	IN_FLIGHT.set(key, mine);
	try {
		return await mine;
	} finally {
		if (IN_FLIGHT.get(key) === mine) IN_FLIGHT.delete(key);
	}
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

/** Finalizes, treating "already final" (before, or after a lost answer) as success. */
export async function finalizeDocument(
	ctx: ApiContext,
	type: DocumentTypeKey,
	id: string | number,
	itemIndex?: number,
): Promise<IDataObject> {
	return (await transitionDraft(ctx, type, id, 'finalized', itemIndex)).document;
}

export interface EmailMessage {
	email: string;
	subject?: string;
	body?: string;
	cc?: string;
	bcc?: string;
	logo?: boolean;
	saveEmail?: boolean;
}

export async function emailDocument(
	ctx: ApiContext,
	type: DocumentTypeKey,
	id: string | number,
	msg: EmailMessage,
	itemIndex?: number,
): Promise<void> {
	const message: IDataObject = { client: { email: msg.email, save: msg.saveEmail ? '1' : '0' } };
	if (msg.subject) message.subject = msg.subject;
	if (msg.body) message.body = msg.body;
	if (msg.cc) message.cc = msg.cc;
	if (msg.bcc) message.bcc = msg.bcc;
	message.logo = msg.logo ? '1' : '0';
	await ixRequest(ctx, 'PUT', docPath(type, id, '/email-document'), {
		body: { message },
		// Each PUT sends one more e-mail: after a lost answer it may have gone out, so never repeat it blindly.
		retry: 'rateLimitOnly',
		itemIndex,
		action: `e-mail ${DOCUMENT_TYPES[type].label.toLowerCase()} ${id}`,
	});
}

/** Polls GET /api/pdf/{id}.json through 202 answers until the PDF URL is ready. */
export async function getPdfUrl(
	ctx: ApiContext,
	id: string | number,
	opts: { secondCopy?: boolean; maxWaitMs: number; itemIndex?: number },
): Promise<string> {
	const deadline = Date.now() + opts.maxWaitMs;
	for (let attempt = 1; ; attempt++) {
		const res = await ixRequest(ctx, 'GET', `/api/pdf/${encodeURIComponent(String(id))}.json`, {
			qs: { second_copy: opts.secondCopy ? 'true' : 'false' },
			itemIndex: opts.itemIndex,
			action: `get the PDF of document ${id}`,
		});
		if (res.status === 200) {
			const url = ((bodyJson(res.body) as IDataObject | undefined)?.output as IDataObject | undefined)?.pdfUrl;
			if (typeof url === 'string' && url !== '') return url;
			throw ixError(ctx, `InvoicExpress answered the PDF of document ${id} without a URL`, { itemIndex: opts.itemIndex });
		}
		const remaining = deadline - Date.now();
		if (remaining <= 0) {
			throw ixError(ctx, `The PDF of document ${id} was not ready after ${Math.round(opts.maxWaitMs / 1000)} s`, {
				itemIndex: opts.itemIndex,
				description: 'InvoicExpress is still generating it. Run again later, or raise "Max Wait (Seconds)".',
			});
		}
		await sleep(Math.min(remaining, Math.min(500 * 2 ** (attempt - 1), 4000)));
	}
}

/** The PDF file lives on a storage host: fetched without the API key, which must not travel there. */
export async function downloadPdf(ctx: ApiContext, url: string, itemIndex?: number): Promise<Buffer> {
	return await downloadFile(ctx, url, { itemIndex, action: 'download the PDF' });
}

export async function getRelatedDocuments(ctx: ApiContext, id: string | number, itemIndex?: number): Promise<IDataObject[]> {
	const res = await ixRequest(ctx, 'GET', `/document/${encodeURIComponent(String(id))}/related_documents.json`, {
		itemIndex,
		action: `get the documents related to ${id}`,
	});
	const json = bodyJson(res.body) as IDataObject | undefined;
	const docs = json?.documents ?? json?.related_documents;
	// The answer's shape is inferred: an unknown one is an error, never "no related documents" (a credit
	// note would then be taken for the first, and the invoice credited twice over).
	if (!Array.isArray(docs)) {
		throw ixError(ctx, `InvoicExpress answered the documents related to ${id} in an unknown shape`, {
			itemIndex,
			description: 'Nothing was changed. Tell the package maintainers what Document → Get Related Documents returns.',
		});
	}
	return docs as IDataObject[];
}
