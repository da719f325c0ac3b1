import type { IDataObject } from 'n8n-workflow';

import { comparableNif, decideClient, distinctName, emptyFacts, type ClientDecision, type ClientFacts } from '../../nodes/services/invoicexpress/helpers/clientMatch';

/**
 * Issue 12: a legal document carries exactly the NIF the order gives. The decision rule, step by step:
 * each test answers the lookups the rule asks for and checks what it decides.
 */

const MARIA = { name: 'Maria Silva', code: '20850', fiscal_id: '501964843', country: 'Portugal' };
const CONSUMER = { name: 'Maria Silva', code: 'Maria Silva', country: 'Portugal' };
const record = (id: number, name: string, fiscal_id?: string): IDataObject => ({ id, name, code: name, ...(fiscal_id === undefined ? {} : { fiscal_id }) });

/** Runs the rule to the end, answering each lookup from `account` (name → record); returns the decisions. */
function settle(wanted: Record<string, string>, account: IDataObject[], matchBy: 'name' | 'code' | 'fiscalId' = 'name', facts: ClientFacts = emptyFacts()) {
	const asked: string[] = [];
	for (let n = 0; n < 10; n++) {
		const d: ClientDecision = decideClient(wanted, matchBy, facts, 'order 7: ');
		if (d.kind === 'lookup') {
			asked.push(`${d.by}:${d.key}`);
			const found =
				d.by === 'name'
					? account.find((c) => c.name === d.key)
					: d.by === 'code'
						? account.find((c) => c.code === d.key)
						: account.find((c) => comparableNif(c.fiscal_id) === d.key);
			(d.by === 'name' ? facts.byName : d.by === 'code' ? facts.byCode : facts.byFiscalId).set(d.key, found ?? null);
		} else if (d.kind === 'read') {
			asked.push(`read:${d.id}`);
			facts.byId.set(d.id, account.find((c) => String(c.id) === d.id && 'fiscal_id' in c) ?? { id: d.id, name: 'x' });
		} else {
			return { decision: d, asked };
		}
	}
	throw new Error('did not settle');
}

describe('comparableNif and distinctName', () => {
	it('compares NIFs as the service stores them: no spaces, no PT prefix, 999999990 is nobody', () => {
		expect(comparableNif('PT 501 964 843')).toBe('501964843');
		expect(comparableNif('501.964.843')).toBe('501964843');
		expect(comparableNif('999999990')).toBe('');
		expect(comparableNif(undefined)).toBe('');
		expect(comparableNif('esb12345674')).toBe('ESB12345674');
	});

	it('a distinct name ends with the NIF (or "Consumidor final") and stays within 100 characters', () => {
		expect(distinctName('Maria Silva', '501964843')).toBe('Maria Silva (501964843)');
		expect(distinctName('Maria Silva', undefined)).toBe('Maria Silva (Consumidor final)');
		const long = distinctName(`${'Palavra '.repeat(15)}Fim`, '501964843');
		expect([...long].length).toBeLessThanOrEqual(100);
		expect(long.endsWith(' (501964843)')).toBe(true);
	});
});

describe('decideClient', () => {
	it('a new name: looked up, then created with the order data', () => {
		const { decision, asked } = settle(MARIA, []);
		expect(asked).toEqual(['name:Maria Silva']);
		expect(decision).toEqual({ kind: 'create', client: MARIA, note: undefined });
	});

	it('a returning customer with the same name and NIF reuses her record', () => {
		const { decision } = settle(MARIA, [record(1, 'Maria Silva', '501964843')]);
		expect(decision).toMatchObject({ kind: 'use', client: { id: 1 } });
		expect((decision as { note?: string }).note).toBeUndefined();
	});

	it('the name held by a final consumer: a customer with a NIF gets "Name (NIF)", never the NIF-less record', () => {
		const { decision, asked } = settle(MARIA, [record(1, 'Maria Silva', '')]);
		expect(asked).toEqual(['name:Maria Silva', 'name:Maria Silva (501964843)']);
		expect(decision).toEqual({
			kind: 'create',
			client: { ...MARIA, name: 'Maria Silva (501964843)', code: '20850 (501964843)' },
			note: 'the name "Maria Silva" belongs to a client with no fiscal number: invoiced to "Maria Silva (501964843)"',
		});
	});

	it("the name held by a NIF holder: a final consumer never gets the stranger's NIF", () => {
		const { decision } = settle(CONSUMER, [record(1, 'Maria Silva', '501964843')]);
		expect(decision).toEqual({
			kind: 'create',
			client: { ...CONSUMER, name: 'Maria Silva (Consumidor final)', code: 'Maria Silva (Consumidor final)' },
			note: 'the name "Maria Silva" belongs to a client with another fiscal number: invoiced to "Maria Silva (Consumidor final)"',
		});
	});

	it('two NIFs for one name, in either order: each returns to its own record', () => {
		const account = [record(1, 'Maria Silva', '503504564'), record(2, 'Maria Silva (501964843)', '501964843')];
		expect(settle(MARIA, account).decision).toMatchObject({ kind: 'use', client: { id: 2 } });
		expect(settle({ ...MARIA, fiscal_id: '503504564' }, account).decision).toMatchObject({ kind: 'use', client: { id: 1 } });
		const reversed = [record(1, 'Maria Silva', '501964843'), record(2, 'Maria Silva (503504564)', '503504564')];
		expect(settle(MARIA, reversed).decision).toMatchObject({ kind: 'use', client: { id: 1 } });
	});

	it('both names taken by other NIFs: an error naming the order, nothing created', () => {
		const { decision } = settle(MARIA, [record(1, 'Maria Silva', '503504564'), record(2, 'Maria Silva (501964843)', '505956985')]);
		expect(decision).toMatchObject({
			kind: 'refuse',
			message: 'order 7: the client names "Maria Silva" and "Maria Silva (501964843)" belong to clients with other fiscal numbers than this order\'s (501964843)',
		});
	});

	it('a lookup answer without fiscal_id is read whole; still without it, an error (never assumed equal)', () => {
		const account = [record(1, 'Maria Silva')];
		const { decision, asked } = settle(MARIA, account);
		expect(asked).toEqual(['name:Maria Silva', 'read:1']);
		expect(decision).toMatchObject({ kind: 'refuse', message: expect.stringContaining('the fiscal number of the InvoicExpress client "Maria Silva" cannot be read') });
		const facts = emptyFacts();
		facts.byName.set('Maria Silva', record(1, 'Maria Silva'));
		facts.byId.set('1', record(1, 'Maria Silva', '501964843'));
		expect(decideClient(MARIA, 'name', facts)).toMatchObject({ kind: 'use', client: { id: 1 } });
	});

	it('By Code uses the code only with the same NIF; By Fiscal Number finds the NIF under any name', () => {
		const account = [{ ...record(1, 'Maria Silva', '503504564'), code: '20850' }];
		const byCode = settle(MARIA, account, 'code');
		expect(byCode.asked).toEqual(['code:20850', 'name:Maria Silva', 'name:Maria Silva (501964843)']);
		expect(byCode.decision).toMatchObject({ kind: 'create', client: { name: 'Maria Silva (501964843)' } });
		const renamed = [record(5, 'M. Silva, Lda', '501964843')];
		expect(settle(MARIA, renamed, 'fiscalId').decision).toMatchObject({ kind: 'use', client: { id: 5 } });
		expect(settle(CONSUMER, renamed, 'fiscalId').asked).toEqual(['name:Maria Silva']);
	});
});
