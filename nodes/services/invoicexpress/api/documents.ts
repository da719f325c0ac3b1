import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { asNodeError } from '../../../shared/execute';
import type { ApiContext } from '../../../shared/http';
import { bodyJson } from '../../../shared/http';
import { DOCUMENT_TYPES, documentTypeByApiType, type DocumentTypeKey } from '../helpers/documentTypes';
import { errorStatus, isAmbiguousFailure, ixError, ixGetAll, ixRequest, ixSettings, unwrapRoot } from '../transport';

/**
 * Documents as InvoicExpress stores them: read, list by reference, create (never blindly repeated),
 * and the documents related to one. Changes of state are in state.ts, e-mail in email.ts, the PDF
 * in pdf.ts.
 */

export function docPath(type: DocumentTypeKey, id?: string | number, suffix = ''): string {
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


/**
 * Documents that are alive (not deleted, not canceled; with `includeCanceled`, canceled too) with
 * this exact reference, of one type or of every type. A document whose type the package does not know
 * is an error, never skipped: it could be the order's invoice under a name this code has not seen.
 * `archived`: the documents the merchant archived instead of the others. The list filters
 * `non_archived` and `archived` (reference §3) are read as each selecting its own set (inferred; the
 * documentation gives no semantics), so an archived invoice is found only by asking for archived ones.
 */
export async function findDocumentsByReference(
	ctx: ApiContext,
	reference: string,
	type: DocumentTypeKey | undefined,
	itemIndex?: number,
	opts: { includeCanceled?: boolean; archived?: boolean } = {},
): Promise<IDataObject[]> {
	const which = opts.archived ? { archived: true } : { non_archived: true };
	const docs = await ixGetAll(ctx, '/invoices.json', 'invoices', { reference, ...which }, undefined, itemIndex);
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
				const existing = await waitForReference(ctx, type, opts.reference, opts.recoveryWaitMs ?? ixSettings().createRecoveryWaitMs ?? DEFAULT_RECOVERY_WAIT_MS, opts.itemIndex);
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

/** Statuses a document may be in, as InvoicExpress answers them (`sent` appears in filters). */
export const isFinalStatus = (status: unknown): boolean => status === 'final' || status === 'settled' || status === 'sent';

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

/** The largest page asked of a list: accounts list 10, 20 or 30 per page (reference §1), whatever is asked. */
const LIST_PAGE_SIZE = 100;
/** A list that never ends is a broken answer, not a long month: 10,000 pages is 300,000 documents at 30 a page. */
const MAX_LIST_PAGES = 10000;

const pageCount = (json: IDataObject | undefined): number | undefined => {
	const total = Number((json?.pagination as IDataObject | undefined)?.total_pages);
	return Number.isFinite(total) ? total : undefined;
};

/**
 * The documents dated in a range (`GET /invoices.json` with `date[from]`, `date[to]` as dd/mm/yyyy and
 * `non_archived`, reference "List All": every type and status the list gives, deleted ones excepted),
 * page by page: each page is handed to `onPage` before the next is read, so that a month of documents
 * is never held as such. Asks for the largest page and follows `pagination.total_pages`, whatever page
 * size the account answers with; an answer without pagination is read until an empty page, never
 * taken as complete after its first page. Returns the number of requests made.
 */
export async function listDocumentsDated(
	ctx: ApiContext,
	range: { 'date[from]': string; 'date[to]': string },
	onPage: (documents: IDataObject[]) => Promise<void> | void,
	itemIndex?: number,
): Promise<number> {
	// The non-archived documents, then the archived ones (each filter selects its own set: see
	// findDocumentsByReference). Archiving hides a document in the web app, not from the accounts.
	const live = await listDatedPages(ctx, { ...range, non_archived: true }, onPage, itemIndex);
	return live + (await listDatedPages(ctx, { ...range, archived: true }, onPage, itemIndex));
}

async function listDatedPages(ctx: ApiContext, filter: IDataObject, onPage: (documents: IDataObject[]) => Promise<void> | void, itemIndex?: number): Promise<number> {
	const dates = `${String(filter['date[from]'])} – ${String(filter['date[to]'])}`;
	for (let page = 1; page <= MAX_LIST_PAGES; page++) {
		const { body } = await ixRequest(ctx, 'GET', '/invoices.json', {
			qs: { ...filter, page, per_page: LIST_PAGE_SIZE },
			itemIndex,
			action: `list the ${filter.archived ? 'archived ' : ''}documents dated ${dates} (page ${page})`,
		});
		const json = bodyJson(body) as IDataObject | undefined;
		const items = json?.invoices;
		if (!Array.isArray(items)) throw ixError(ctx, 'InvoicExpress answered an unexpected list shape for invoices', { itemIndex });
		await onPage(items as IDataObject[]);
		const total = pageCount(json);
		if (items.length === 0 || (total !== undefined && page >= total)) return page;
	}
	throw ixError(ctx, `InvoicExpress listed more than ${MAX_LIST_PAGES} pages of documents dated ${dates}`, {
		itemIndex,
		description: 'Nothing was changed. Reconcile a shorter period.',
	});
}

/**
 * The order's documents with this reference, its archived ones included when the others hold no
 * invoice: a reader that would otherwise conclude "not invoiced" (a return with nothing to credit, an
 * invoice to e-mail) asks once more, for the archived ones, before it does. Costs a request only then.
 */
export async function findOrderDocuments(ctx: ApiContext, reference: string, itemIndex?: number, opts: { includeCanceled?: boolean } = {}): Promise<IDataObject[]> {
	const live = await findDocumentsByReference(ctx, reference, undefined, itemIndex, opts);
	const invoiced = live.some((d) => d.status !== 'draft' && ['invoice', 'invoiceReceipt', 'simplifiedInvoice', 'cashInvoice'].includes(String(listedType(d))));
	return invoiced ? live : [...live, ...(await findDocumentsByReference(ctx, reference, undefined, itemIndex, { ...opts, archived: true }))];
}
