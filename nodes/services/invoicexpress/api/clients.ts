import type { IDataObject } from 'n8n-workflow';

import { asNodeError } from '../../../shared/execute';
import type { ApiContext } from '../../../shared/http';
import { bodyJson } from '../../../shared/http';
import { oncePerContext, perContext } from '../../../shared/request';
import { InputError } from '../helpers/client';
import { comparableNif, decideClient, emptyFacts, type ClientFacts } from '../helpers/clientMatch';
import { errorStatus, isAmbiguousFailure, ixGetAll, ixRequest, unwrapRoot } from '../transport';

export type MatchBy = 'name' | 'code' | 'fiscalId';

export interface FindOrCreateResult {
	client: IDataObject;
	/** true when this call created the client. */
	created: boolean;
	/** How an existing client was found (undefined when created). */
	matchedBy?: MatchBy;
	updated: boolean;
	/** Set when the order's name belongs to a client with another NIF and a distinct client was used. */
	note?: string;
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

/**
 * The API has no search by fiscal number, so the client list is read (once per execution) and
 * scanned. Accounts with thousands of clients pay a page per 30 clients: "match by name" is cheaper.
 */
export async function findClientByFiscalId(ctx: ApiContext, fiscalId: string, itemIndex?: number): Promise<IDataObject | undefined> {
	const clients = await oncePerContext(ctx, 'invoicexpress.clients', async () => await ixGetAll(ctx, '/clients.json', 'clients', {}, undefined, itemIndex));
	// The one NIF comparison of the package (no spaces, dots or PT prefix), as the client rule uses.
	const wanted = comparableNif(fiscalId);
	return clients.find((c) => comparableNif(c.fiscal_id) === wanted);
}

/** A 422 about the code alone (a returning customer under a new name keeps the shop's customer number). */
function isCodeTaken(error: unknown): boolean {
	if (errorStatus(error) !== 422) return false;
	return /c[óo]digo|\bcode\b/i.test(String((error as Error).message ?? ''));
}

function isNameTaken(error: unknown): boolean {
	if (errorStatus(error) !== 422) return false;
	const message = String((error as Error).message ?? '');
	return /não está disponível|nao esta disponivel|not available|already been taken|já existe/i.test(message);
}

/**
 * POST /clients.json. A 422 "name not available" means the client exists (names are unique per
 * account): it is looked up and returned rather than failing or inventing a second name. An answer
 * lost on the way back is not blindly repeated either: the name is looked up, and only a name still
 * free is sent again (the caller checks whose record a found one is: its NIF).
 */
export async function createClient(
	ctx: ApiContext,
	client: Record<string, string>,
	itemIndex?: number,
): Promise<{ client: IDataObject; created: boolean }> {
	const attempts = 3;
	let body = withCode(client);
	for (let attempt = 1; ; attempt++) {
		try {
			const res = await ixRequest(ctx, 'POST', '/clients.json', {
				body: { client: body },
				itemIndex,
				action: `create the client "${client.name}"`,
			});
			const created = unwrapRoot(res.body);
			if (created?.id !== undefined) return { client: created, created: true };
			const found = await findClientByName(ctx, client.name, itemIndex);
			if (found) return { client: found, created: true };
			return { client: { ...client }, created: true };
		} catch (error) {
			const taken = isNameTaken(error);
			if (!taken && isCodeTaken(error) && body.code !== body.name && attempt < attempts) {
				// The code belongs to another record (the same shop customer under an earlier name): the
				// new record is told apart by its name, which is unique, so the name stands in as its code.
				body = { ...body, code: body.name };
				continue;
			}
			if (!taken && !isAmbiguousFailure(error)) throw asNodeError(ctx.getNode(), error, itemIndex);
			const existing = await findClientByName(ctx, client.name, itemIndex);
			if (existing) return { client: existing, created: false };
			if (taken || attempt >= attempts) throw asNodeError(ctx.getNode(), error, itemIndex);
		}
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

/** GET /clients/{id}.json: the whole record, for a lookup answer that did not carry the fiscal number. */
export async function getClient(ctx: ApiContext, id: string, itemIndex?: number): Promise<IDataObject> {
	const res = await ixRequest(ctx, 'GET', `/clients/${encodeURIComponent(id)}.json`, { itemIndex, action: `read the client ${id}` });
	return unwrapRoot(res.body) ?? {};
}

/**
 * Per execution: the lookup answers its items share (a batch with returning customers asks once), and
 * the turns items with the same client name take, so that the second one reuses the first one's answers.
 */
const stateOf = (ctx: ApiContext) => perContext(ctx, 'invoicexpress.clientMatch', () => ({ facts: emptyFacts() as ClientFacts, turns: new Map<string, Promise<unknown>>() }));

/**
 * Finds or creates the client of a document by the rule of {@link decideClient}: the document carries
 * exactly the order's NIF. Returns the record to name on the document.
 */
export async function findOrCreateClient(
	ctx: ApiContext,
	client: Record<string, string>,
	opts: { matchBy: MatchBy; updateExisting: boolean; itemIndex?: number; context?: string },
): Promise<FindOrCreateResult> {
	const { turns } = stateOf(ctx);
	const before = turns.get(client.name) ?? Promise.resolve();
	const mine = before.catch(() => undefined).then(async () => await settleClient(ctx, client, opts));
	turns.set(client.name, mine);
	return await mine;
}

async function settleClient(
	ctx: ApiContext,
	client: Record<string, string>,
	opts: { matchBy: MatchBy; updateExisting: boolean; itemIndex?: number; context?: string },
): Promise<FindOrCreateResult> {
	const { itemIndex } = opts;
	const { facts } = stateOf(ctx);
	// Each round asks one question or acts once; a create that loses a race for the name asks again.
	for (let round = 0; round < 12; round++) {
		const decision = decideClient(client, opts.matchBy, facts, opts.context ?? '');
		if (decision.kind === 'lookup') {
			const key = decision.key;
			if (decision.by === 'code') facts.byCode.set(key, (await findClientByCode(ctx, key, itemIndex)) ?? null);
			else if (decision.by === 'fiscalId') facts.byFiscalId.set(key, (await findClientByFiscalId(ctx, key, itemIndex)) ?? null);
			else facts.byName.set(key, (await findClientByName(ctx, key, itemIndex)) ?? null);
		} else if (decision.kind === 'read') {
			facts.byId.set(decision.id, await getClient(ctx, decision.id, itemIndex));
		} else if (decision.kind === 'refuse') {
			throw new InputError(decision.message, decision.description);
		} else if (decision.kind === 'create') {
			const made = await createClient(ctx, decision.client, itemIndex);
			facts.byName.set(decision.client.name, made.client);
			// Created here: its NIF is ours. Taken meanwhile: the next round checks whose it is.
			if (made.created) return { client: { ...decision.client, ...made.client }, created: true, updated: false, note: decision.note };
		} else {
			const found = decision.client;
			const matchedBy: MatchBy = [...facts.byCode.values()].includes(found) ? 'code' : [...facts.byFiscalId.values()].includes(found) ? 'fiscalId' : 'name';
			if (!opts.updateExisting) return { client: found, created: false, matchedBy, updated: false, note: decision.note };
			// The name is what identifies the record for the API; keep the stored one.
			const update: Record<string, string> = { ...client, name: String(found.name ?? client.name) };
			const updated = await updateClient(ctx, found.id as string, update, itemIndex);
			return { client: { ...found, ...updated, id: found.id }, created: false, matchedBy, updated: true, note: decision.note };
		}
	}
	throw new InputError(`${opts.context ?? ''}the client "${client.name}" could not be settled: its name kept changing hands`, 'Run again.');
}
