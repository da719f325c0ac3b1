import type { IDataObject } from 'n8n-workflow';

import { IX_CLIENT_NAME_MAX, shortenName } from './client';

/**
 * Which InvoicExpress client a document goes to, so that it carries exactly the NIF the order gives
 * (none for a final consumer). InvoicExpress identifies the client of a document by its name, names are
 * unique, and an existing record keeps its own NIF whatever the document says: a customer who asks for
 * an invoice with her NIF would otherwise get the NIF of an earlier same-name client, or none, and a
 * final consumer a stranger's NIF.
 *
 * The rule, a pure function of what the lookups found ({@link decideClient}); the caller does the I/O:
 *  - A client found (by code, fiscal number or name, as the merchant's Match By says) is used only when
 *    its NIF is the order's NIF: a returning customer keeps her record.
 *  - A name held by a client with another NIF is not used: the document goes to a distinct client, the
 *    name followed by the NIF ("Maria Silva (123456789)", or "(Consumidor final)"), and the output says so.
 *  - A name nobody holds is created first (POST /clients): two executions that race for the same name
 *    with different NIFs then find each other instead of one silently joining the other's record.
 *  - A record whose NIF cannot be read is read whole; still unreadable, or both names taken by other NIFs:
 *    an error naming the order, before any document exists.
 */

export type ClientLookup = 'code' | 'fiscalId' | 'name';

/** What the lookups answered: `null` = none found; absent = not asked yet. */
export interface ClientFacts {
	byCode: Map<string, IDataObject | null>;
	byFiscalId: Map<string, IDataObject | null>;
	byName: Map<string, IDataObject | null>;
	/** Records read whole (GET /clients/{id}) because a lookup answer had no `fiscal_id`. */
	byId: Map<string, IDataObject>;
}

export const emptyFacts = (): ClientFacts => ({ byCode: new Map(), byFiscalId: new Map(), byName: new Map(), byId: new Map() });

export type ClientDecision =
	| { kind: 'lookup'; by: ClientLookup; key: string }
	| { kind: 'read'; id: string }
	/** Use this existing record: the document names it by its stored name and code. */
	| { kind: 'use'; client: IDataObject; note?: string }
	/** Create the record first (its name was free at the last lookup). */
	| { kind: 'create'; client: Record<string, string>; note?: string }
	| { kind: 'refuse'; message: string; description: string };

/** The Portuguese final-consumer NIF stands for "no NIF" on both sides. */
const FINAL_CONSUMER_NIF = '999999990';

/** A stored or given fiscal number in the one form compared: no spaces or dots, upper case, no PT prefix. */
export function comparableNif(value: unknown): string {
	const compact = String(value ?? '').replace(/[\s.\-/]/g, '').toUpperCase();
	const plain = /^PT\d{9}$/.test(compact) ? compact.slice(2) : compact;
	return plain === FINAL_CONSUMER_NIF ? '' : plain;
}

/** The name of the distinct client for a NIF (or for a final consumer), within the 100-character limit. */
export function distinctName(name: string, fiscalId: string | undefined): string {
	const suffix = ` (${comparableNif(fiscalId) || 'Consumidor final'})`;
	return `${shortenName(name, IX_CLIENT_NAME_MAX - [...suffix].length)}${suffix}`;
}

/**
 * The next step towards the client of the document. `wanted` is the client payload built from the
 * order (name already within the limit, `fiscal_id` absent for a final consumer).
 */
export function decideClient(wanted: Record<string, string>, matchBy: ClientLookup, facts: ClientFacts, ctx = ''): ClientDecision {
	const given: Given = { facts, nif: comparableNif(wanted.fiscal_id), ctx };
	// The merchant's chosen lookup first; a client found there with another NIF is not this customer.
	return byChosenLookup(wanted, matchBy, given) ?? byName(wanted, given);
}

/** What every step of the decision compares with: the lookups' answers, the order's NIF, the error prefix. */
interface Given {
	facts: ClientFacts;
	nif: string;
	ctx: string;
}

/** The client found by code or fiscal number, as Match By says; undefined when that lookup gives none with this NIF. */
function byChosenLookup(wanted: Record<string, string>, matchBy: ClientLookup, given: Given): ClientDecision | undefined {
	const first: Array<[ClientLookup, string | undefined]> = [
		['code', matchBy === 'code' ? wanted.code : undefined],
		['fiscalId', matchBy === 'fiscalId' && given.nif ? given.nif : undefined],
	];
	for (const [by, key] of first) {
		if (!key) continue;
		const map = by === 'code' ? given.facts.byCode : given.facts.byFiscalId;
		if (!map.has(key)) return { kind: 'lookup', by, key };
		const found = map.get(key);
		if (!found) continue;
		const decision = useOrRead(found, given, {});
		if (decision) return decision;
	}
	return undefined;
}

/**
 * The client by name: the order's name, else the distinct name with the NIF. A free name is created;
 * a name held with this NIF is used; both held with other NIFs: refused.
 */
function byName(wanted: Record<string, string>, given: Given): ClientDecision {
	const { facts, nif, ctx } = given;
	const candidates = [wanted.name, distinctName(wanted.name, wanted.fiscal_id)];
	const taken: string[] = [];
	for (const [n, name] of candidates.entries()) {
		if (!facts.byName.has(name)) return { kind: 'lookup', by: 'name', key: name };
		const found = facts.byName.get(name);
		const note =
			n === 0
				? undefined
				: `the name "${wanted.name}" belongs to a client with ${storedNif(facts.byName.get(wanted.name)!, facts) ? 'another fiscal number' : 'no fiscal number'}: invoiced to "${name}"`;
		if (!found) {
			const client: Record<string, string> = { ...wanted, name };
			// A distinct record needs its own code: the shop's customer number may already be the other one's.
			if (n > 0) client.code = wanted.code && wanted.code !== wanted.name ? `${wanted.code} (${nif || 'CF'})` : name;
			return { kind: 'create', client, note };
		}
		const decision = useOrRead(found, given, { note });
		if (decision) return decision;
		taken.push(name);
	}
	return {
		kind: 'refuse',
		message: `${ctx}the client names ${taken.map((t) => `"${t}"`).join(' and ')} belong to clients with other fiscal numbers than this order's (${nif || 'none: final consumer'})`,
		description: 'Nothing was created. Check the clients of that name in InvoicExpress (their NIF), then run again.',
	};
}

/** The record's NIF as stored, or undefined when the answer did not include it. */
function storedNif(found: IDataObject, facts: ClientFacts): string | undefined {
	const full = facts.byId.get(String(found.id)) ?? found;
	return 'fiscal_id' in full ? comparableNif(full.fiscal_id) : undefined;
}

/**
 * A found record: used when its NIF is the order's, read whole first when the answer lacked its NIF,
 * refused when even the whole record lacks it; undefined when it has another NIF (not this customer).
 */
function useOrRead(found: IDataObject, given: Given, extra: { note?: string }): ClientDecision | undefined {
	const stored = storedNif(found, given.facts);
	if (stored === undefined) {
		if (found.id !== undefined && !given.facts.byId.has(String(found.id))) return { kind: 'read', id: String(found.id) };
		return {
			kind: 'refuse',
			message: `${given.ctx}the fiscal number of the InvoicExpress client "${String(found.name ?? found.id)}" cannot be read, so it cannot be proven to be this order's`,
			description: 'Nothing was created. The InvoicExpress answer had no fiscal_id for that client; check the client in InvoicExpress, then run again.',
		};
	}
	return stored === given.nif ? { kind: 'use', client: found, ...extra } : undefined;
}
