import type { IDataObject } from 'n8n-workflow';

import { asNodeError } from '../../shared/execute';
import type { ApiContext } from '../../shared/http';
import { bodyJson } from '../../shared/http';
import { errorStatus, ixGetAll, ixRequest, unwrapRoot } from '../transport';

export type MatchBy = 'name' | 'code' | 'fiscalId';

export interface FindOrCreateResult {
	client: IDataObject;
	/** true when this call created the client. */
	created: boolean;
	/** How an existing client was found (undefined when created). */
	matchedBy?: MatchBy | 'nameTaken';
	updated: boolean;
}

export async function findClientByName(ctx: ApiContext, name: string, itemIndex?: number): Promise<IDataObject | undefined> {
	const res = await ixRequest(ctx, 'GET', '/clients/find-by-name.json', {
		qs: { client_name: name },
		accept: [404],
		itemIndex,
		action: 'find the client by name',
	});
	return res.status === 404 ? undefined : unwrapRoot(res.body);
}

export async function findClientByCode(ctx: ApiContext, code: string, itemIndex?: number): Promise<IDataObject | undefined> {
	const res = await ixRequest(ctx, 'GET', '/clients/find-by-code.json', {
		qs: { client_code: code },
		accept: [404],
		itemIndex,
		action: 'find the client by code',
	});
	return res.status === 404 ? undefined : unwrapRoot(res.body);
}

const clientListCache = new WeakMap<object, Promise<IDataObject[]>>();

/**
 * The API has no search by fiscal number, so the client list is read (once per execution) and
 * scanned. Accounts with thousands of clients pay a page per 30 clients: "match by name" is cheaper.
 */
export async function findClientByFiscalId(ctx: ApiContext, fiscalId: string, itemIndex?: number): Promise<IDataObject | undefined> {
	let list = clientListCache.get(ctx);
	if (!list) {
		list = ixGetAll(ctx, '/clients.json', 'clients', {}, undefined, itemIndex);
		clientListCache.set(ctx, list);
		list.catch(() => clientListCache.delete(ctx));
	}
	const clients = await list;
	return clients.find((c) => String(c.fiscal_id ?? '').replace(/\s/g, '') === fiscalId);
}

function isNameTaken(error: unknown): boolean {
	if (errorStatus(error) !== 422) return false;
	const message = String((error as Error).message ?? '');
	return /não está disponível|nao esta disponivel|not available|already been taken|já existe/i.test(message);
}

/**
 * POST /clients.json. A 422 "name not available" means the client exists (names are unique per
 * account): it is looked up and returned rather than failing or inventing a second name. That also
 * makes a repeat after a lost response harmless.
 */
export async function createClient(
	ctx: ApiContext,
	client: Record<string, string>,
	itemIndex?: number,
): Promise<{ client: IDataObject; created: boolean }> {
	try {
		const res = await ixRequest(ctx, 'POST', '/clients.json', {
			body: { client: withCode(client) },
			retry: 'idempotent',
			itemIndex,
			action: `create the client "${client.name}"`,
		});
		const created = unwrapRoot(res.body);
		if (created?.id !== undefined) return { client: created, created: true };
		const found = await findClientByName(ctx, client.name, itemIndex);
		if (found) return { client: found, created: true };
		return { client: { ...client }, created: true };
	} catch (error) {
		if (!isNameTaken(error)) throw asNodeError(ctx.getNode(), error, itemIndex);
		const existing = await findClientByName(ctx, client.name, itemIndex);
		if (!existing) throw asNodeError(ctx.getNode(), error, itemIndex);
		return { client: existing, created: false };
	}
}

/** PUT /clients/{id}.json; `name` is always sent because the API ignores updates without it. */
export async function updateClient(
	ctx: ApiContext,
	id: string | number,
	client: Record<string, string>,
	itemIndex?: number,
): Promise<IDataObject> {
	const res = await ixRequest(ctx, 'PUT', `/clients/${encodeURIComponent(String(id))}.json`, {
		body: { client },
		itemIndex,
		action: `update the client ${id}`,
	});
	const json = bodyJson(res.body);
	return json && typeof json === 'object' ? (unwrapRoot(json) ?? { id, ...client }) : { id, ...client };
}

/** Client codes are required by the API; the name stands in when the shop has no customer number. */
function withCode(client: Record<string, string>): Record<string, string> {
	return client.code ? client : { ...client, code: client.name };
}

export async function findOrCreateClient(
	ctx: ApiContext,
	client: Record<string, string>,
	opts: { matchBy: MatchBy; updateExisting: boolean; itemIndex?: number },
): Promise<FindOrCreateResult> {
	const { itemIndex } = opts;
	let found: IDataObject | undefined;
	let matchedBy: MatchBy | undefined;
	if (opts.matchBy === 'code' && client.code) {
		found = await findClientByCode(ctx, client.code, itemIndex);
		if (found) matchedBy = 'code';
	} else if (opts.matchBy === 'fiscalId' && client.fiscal_id) {
		found = await findClientByFiscalId(ctx, client.fiscal_id, itemIndex);
		if (found) matchedBy = 'fiscalId';
	}
	if (!found) {
		found = await findClientByName(ctx, client.name, itemIndex);
		if (found) matchedBy = 'name';
	}
	if (found) {
		if (!opts.updateExisting) return { client: found, created: false, matchedBy, updated: false };
		// The name is what identifies the record for the API; keep the stored one when matched otherwise.
		const update = { ...client, name: String(found.name ?? client.name) };
		const updated = await updateClient(ctx, found.id as string, update, itemIndex);
		return { client: { ...found, ...updated, id: found.id }, created: false, matchedBy, updated: true };
	}
	const result = await createClient(ctx, client, itemIndex);
	return {
		client: result.client,
		created: result.created,
		matchedBy: result.created ? undefined : 'nameTaken',
		updated: false,
	};
}
