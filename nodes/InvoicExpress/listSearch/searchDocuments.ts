import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { formatAmount, joinName, matchesFilter, MAX_PAGES_PER_CALL, MIN_MATCHES, pageFromToken, str } from '../../shared/listSearch';
import { bodyJson } from '../../shared/http';
import { listedPrefix, listedType } from '../../services/invoicexpress/api/documents';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import { ixError, ixRequest } from '../../services/invoicexpress/transport';

const PER_PAGE = 30;

/** Operations that take any document id, whatever its type (they hide Document Type). */
const ANY_TYPE_OPERATIONS = ['getPdf', 'getRelated'];

/**
 * The type to list: the node's Document Type, or any (undefined) for operations that take every type.
 * Simplified invoices have no documented `type[]` filter value (see listedType in api/documents.ts):
 * their lists are read unfiltered and filtered here by each document's own type.
 */
function wantedType(ctx: ILoadOptionsFunctions): DocumentTypeKey | undefined {
	const operation = ctx.getCurrentNodeParameter('operation') as string | undefined;
	const type = ctx.getCurrentNodeParameter('documentType') as DocumentTypeKey | undefined;
	if (operation && ANY_TYPE_OPERATIONS.includes(operation)) return undefined;
	return type && DOCUMENT_TYPES[type] ? type : 'invoice';
}

function typeFilter(type: DocumentTypeKey | undefined): IDataObject {
	return type === undefined || type === 'simplifiedInvoice' ? {} : { 'type[]': [DOCUMENT_TYPES[type].apiType] };
}

/** The legal number as printed, "FT G/6"; undefined for a draft (it has none yet). */
function legalNumber(doc: IDataObject): string | undefined {
	const inverted = str(doc, 'inverted_sequence_number');
	if (!inverted) return undefined;
	const prefix = listedPrefix(listedType(doc));
	return prefix ? `${prefix} ${inverted}` : inverted;
}

function toItem(doc: IDataObject): INodeListSearchItems | undefined {
	const id = str(doc, 'id');
	if (!id) return undefined;
	const client = doc.client as IDataObject | undefined;
	const reference = str(doc, 'reference');
	return {
		name: joinName(
			// A draft has no legal number yet: say so instead of showing an empty name.
			legalNumber(doc) ?? `Draft ${id}`,
			str(client, 'name'),
			formatAmount(doc.total, doc.currency),
			reference ? `ref ${reference}` : undefined,
			doc.status === 'canceled' ? 'canceled' : undefined,
		),
		value: id,
		// The permalink is the document's public page (reference §6): the editor links to it.
		...(typeof doc.permalink === 'string' && /^https:\/\//.test(doc.permalink) ? { url: doc.permalink } : {}),
	};
}

async function documentsPage(
	ctx: ILoadOptionsFunctions,
	qs: IDataObject,
	page: number,
): Promise<{ docs: IDataObject[]; last: boolean }> {
	const res = await ixRequest(ctx, 'GET', '/invoices.json', {
		qs: { ...qs, page, per_page: PER_PAGE },
		action: 'list documents',
	});
	const json = bodyJson(res.body) as IDataObject | undefined;
	const docs = json?.invoices;
	if (!Array.isArray(docs)) throw ixError(ctx, 'InvoicExpress answered an unexpected list shape for documents', {});
	const totalPages = Number(((json?.pagination ?? {}) as IDataObject).total_pages);
	const last = docs.length === 0 || (Number.isFinite(totalPages) ? page >= totalPages : docs.length < PER_PAGE);
	return { docs: docs as IDataObject[], last };
}

const newestFirst = (a: IDataObject, b: IDataObject) => Number(b.id) - Number(a.id);

function items(docs: IDataObject[], type: DocumentTypeKey | undefined): INodeListSearchItems[] {
	return docs
		// A deleted draft cannot be read or changed any more: not worth picking.
		.filter((d) => d.status !== 'deleted' && (type === undefined || listedType(d) === type))
		.sort(newestFirst)
		.map(toItem)
		.filter((item): item is INodeListSearchItems => item !== undefined);
}

/**
 * Document → Document ID, "From List": the chosen Document Type, newest first. A search goes to the
 * list's own `text` filter (it finds client names and references); the reference does not say that
 * `text` covers the legal number, so a search with a digit in it then scans the list for numbers
 * here. The token says which of the two the next page belongs to: "text:3", "number:2".
 */
export async function searchDocuments(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const wanted = (filter ?? '').trim();
	const type = wantedType(this);
	const base: IDataObject = { ...typeFilter(type), non_archived: true };
	const [phase, pageText] = typeof paginationToken === 'string' && paginationToken.includes(':')
		? paginationToken.split(':', 2)
		: ['text', paginationToken];
	let page = pageFromToken(pageText);
	if (wanted === '' || phase !== 'number') {
		const { docs, last } = await documentsPage(this, wanted === '' ? base : { ...base, text: wanted }, page);
		const results = items(docs, type);
		if (!last) return { results, paginationToken: `text:${page + 1}` };
		if (wanted === '' || !/\d/.test(wanted)) return { results };
		// The text matches are all given; the legal numbers are looked for from the newest page on.
		return { results, paginationToken: 'number:1' };
	}
	const results: INodeListSearchItems[] = [];
	for (let read = 0; read < MAX_PAGES_PER_CALL; read++, page++) {
		const { docs, last } = await documentsPage(this, base, page);
		results.push(
			...items(
				docs.filter(
					(d) =>
						matchesNumber(wanted, legalNumber(d)) &&
						// Given already by the text phase, which finds references and client names.
						!matchesFilter(wanted, d.reference, (d.client as IDataObject | undefined)?.name),
				),
				type,
			),
		);
		if (last) return { results };
		if (results.length >= MIN_MATCHES) return { results, paginationToken: `number:${page + 1}` };
	}
	return { results, paginationToken: `number:${page}` };
}

/** "FT G/6", "G/6" and "6" all find FT G/6; "6" alone does not find FT G/16. */
export function matchesNumber(wanted: string, number: string | undefined): boolean {
	if (!number) return false;
	const norm = (t: string) => t.replace(/\s+/g, ' ').trim().toUpperCase();
	const w = norm(wanted);
	const n = norm(number);
	if (n === w || n.endsWith(` ${w}`) || n.endsWith(`/${w}`)) return true;
	return /^\d+$/.test(w) ? false : n.includes(w);
}
