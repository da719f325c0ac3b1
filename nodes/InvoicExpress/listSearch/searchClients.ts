import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { joinName, matchesFilter, MAX_PAGES_PER_CALL, MIN_MATCHES, pageFromToken, str, uniqueByValue } from '../../shared/listSearch';
import { bodyJson } from '../../shared/http';
import { findClientByCode, findClientByName } from '../../services/invoicexpress/api/clients';
import { ixError, ixRequest } from '../../services/invoicexpress/transport';

/** Clients per request; the account may answer with fewer (10, 20 or 30 per its settings). */
const PER_PAGE = 100;

function toItem(client: IDataObject): INodeListSearchItems | undefined {
	const id = str(client, 'id');
	if (!id) return undefined;
	const code = str(client, 'code');
	const nif = str(client, 'fiscal_id');
	return {
		name: joinName(str(client, 'name') ?? id, code && code !== client.name ? `code ${code}` : undefined, nif ? `NIF ${nif}` : undefined),
		value: id,
	};
}

async function clientsPage(ctx: ILoadOptionsFunctions, page: number): Promise<{ clients: IDataObject[]; last: boolean }> {
	const res = await ixRequest(ctx, 'GET', '/clients.json', { qs: { page, per_page: PER_PAGE }, action: 'list clients' });
	const json = bodyJson(res.body) as IDataObject | undefined;
	const clients = json?.clients;
	if (!Array.isArray(clients)) throw ixError(ctx, 'InvoicExpress answered an unexpected list shape for clients', {});
	const pagination = (json?.pagination ?? {}) as IDataObject;
	const totalPages = Number(pagination.total_pages);
	const last = clients.length === 0 || (Number.isFinite(totalPages) ? page >= totalPages : clients.length < PER_PAGE);
	return { clients: clients as IDataObject[], last };
}

/**
 * Client → Client ID, "From List": by name or code. GET /clients.json has no search, so an exact
 * name or code (the API's find-by-name and find-by-code) comes first, then the pages are read and
 * filtered here; the token is the next page.
 */
export async function searchClients(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const wanted = (filter ?? '').trim();
	const results: INodeListSearchItems[] = [];
	let page = pageFromToken(paginationToken);
	const firstCall = page === 1;
	// Names are unique per account and codes are treated so: an exact hit was given by the first call.
	const givenBefore = (c: IDataObject) => !firstCall && wanted !== '' && (c.name === wanted || c.code === wanted);
	if (wanted !== '' && firstCall) {
		const [byName, byCode] = await Promise.all([findClientByName(this, wanted), findClientByCode(this, wanted)]);
		for (const hit of [byName, byCode]) {
			const item = hit ? toItem(hit) : undefined;
			if (item) results.push(item);
		}
	}
	for (let read = 0; read < MAX_PAGES_PER_CALL; read++, page++) {
		const { clients, last } = await clientsPage(this, page);
		for (const client of clients) {
			if (wanted !== '' && !matchesFilter(wanted, client.name, client.code, client.fiscal_id, client.email)) continue;
			if (givenBefore(client)) continue;
			const item = toItem(client);
			if (item) results.push(item);
		}
		if (last) return { results: uniqueByValue(results) };
		if (wanted === '' || results.length >= MIN_MATCHES) return { results: uniqueByValue(results), paginationToken: String(page + 1) };
	}
	return { results: uniqueByValue(results), paginationToken: String(page) };
}
