/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Issue 11: exactly one legal invoice per order, whatever the timing. The InvoicExpress reference
 * filter lags behind new documents by 0, 2, 8 and 30 s (simulated: 1 s = SCALE ms, and the sandbox's
 * clock is moved on between runs instead of waiting), two executions start at the same moment on the
 * same orders, in the one-step operation and in the separate-steps example, and under the fault mix
 * (10 % of requests refused before the service, 5 % of answers lost after it acted). Runs are
 * repeated until done; the sandbox then decides:
 *  - at most one legal document per order at every point, exactly one after healing;
 *  - no draft left, no change-state the service had to refuse, at most one e-mail per order
 *    (exactly one after healing), sent by one execution.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_INVOICE_TIMING } from '../../nodes/services/invoicexpress/api/invoiceOrder';
import { runNode, runWorkflow } from '../harness/n8n';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { useSettings } from '../harness/settings';
import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

/**
 * Real milliseconds per simulated second. Not smaller: the protocol's grace period scales with it but
 * a busy 2-core machine does not, and a grace shorter than one loaded round trip makes the waiting run
 * adopt a draft its owner is finalizing that very moment (a refused request the test rightly counts).
 */
const SCALE = 50;
const LAGS_S = [0, 2, 8, 30];
const ORDERS = 10;
const MAX_RUNS = 6;

const example = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', '02-separate-steps.json'), 'utf8')) as {
	nodes: INode[];
	connections: IDataObject;
	settings: IDataObject;
};

let ix: IxSandbox;
let shop: EPagesSandbox;

beforeAll(async () => {
	ix = await startInvoicExpressSandbox({ rateLimitPerWindow: 1_000_000 });
	shop = await startEPagesSandbox({ seed: 'empty', rateLimitPerHour: 1_000_000 });
});

afterAll(async () => {
	await ix.close();
	await shop.close();
});

/** Simulated seconds in real milliseconds. */
const sim = (seconds: number) => Math.round(seconds * SCALE);
/**
 * For every package node, through the package's test settings: short back-offs, and the protocol's
 * waits at the same scale as the lag (8 s budget, 1.5 s grace, 0.25 s first poll). No answer here is
 * slow (the fault mix refuses or loses answers), so the timeout only has to outlast a loaded machine.
 */
useSettings({
	invoicExpress: { maxAttempts: 6, baseDelayMs: 2, maxDelayMs: 20, rateLimitWaitMs: 2000, timeoutMs: 5000 },
	ePages: { maxAttempts: 6, baseDelayMs: 2, maxDelayMs: 20 },
	protocol: { budgetMs: sim(8), graceMs: sim(1.5), pollMs: sim(0.25), maxPollMs: sim(2), adoptJitterMs: sim(0.5) },
});

const FAULT_MIX = { status429: 0.04, status500: 0.02, status502: 0.02, status503: 0.02, lostResponse: 0.05 };

function fresh(lagS: number, faults = false): void {
	ix.reset();
	ix.setReferenceLag(lagS * SCALE);
	ix.faults.configure(faults ? { seed: 11 + lagS, rates: FAULT_MIX } : {});
}

function heal(): void {
	ix.faults.configure({});
}

const ixCredentials = () => ({ invoicExpressApi: { accountName: 'x', apiKey: ix.apiKey, baseUrl: ix.url } });

/** Per order (reference): legal documents, drafts, e-mails and which executions sent them. */
function ledger(references: string[]) {
	const legal = new Map<string, number>();
	for (const d of ix.legalDocuments()) legal.set(d.reference, (legal.get(d.reference) ?? 0) + 1);
	const byId = new Map(ix.state.documents.map((d) => [d.id, d.reference]));
	const emails = new Map<string, string[]>();
	for (const e of ix.state.emails) {
		const ref = byId.get(e.documentId) ?? '?';
		emails.set(ref, [...(emails.get(ref) ?? []), e.subject]);
	}
	return {
		legal: references.map((r) => legal.get(r) ?? 0),
		emails: references.map((r) => emails.get(r)?.length ?? 0),
		senders: references.map((r) => emails.get(r) ?? []),
		drafts: ix.state.documents.filter((d) => d.status === 'draft').length,
		illegal: ix.state.illegalTransitions.length,
	};
}

/** Orders (by number) that have an e-mail address: only those can be e-mailed. */
const withEmail = new Set<string>();
function remember(order: { orderNumber: string; billingAddress?: { emailAddress?: string } }): void {
	if (order.billingAddress?.emailAddress) withEmail.add(String(order.orderNumber));
}

function expectHealed(references: string[]): void {
	const l = ledger(references);
	expect(l.legal).toEqual(references.map(() => 1));
	expect(l.drafts).toBe(0);
	expect(l.illegal).toBe(0);
	expect(l.emails).toEqual(references.map((r) => (withEmail.has(r) ? 1 : 0)));
}

/** What is left over when the guarantee holds but zero leftovers cannot be proven (see the README). */
const leftovers: string[] = [];
afterAll(() => {
	// eslint-disable-next-line no-console
	if (leftovers.length) console.log(`exactly-once leftovers:\n${leftovers.join('\n')}`);
});

/**
 * The legal guarantee (one invoice, at most one e-mail, one once healed) when the lookup lags past the
 * budget, and what issue 11 asks on top: no draft left, no change the service had to refuse. Two
 * executions in one process that meet on one draft take turns on it (documents.ts), so neither sends a
 * change the other has just made.
 */
function expectLegalGuarantee(name: string, references: string[]): void {
	const l = ledger(references);
	expect(l.legal).toEqual(references.map(() => 1));
	expect(l.emails).toEqual(references.map((r) => (withEmail.has(r) ? 1 : 0)));
	expect(ix.state.illegalTransitions).toEqual([]);
	expect(l.drafts).toBe(0);
	leftovers.push(`${name}: ${l.drafts} draft(s) left, ${l.illegal} refused change(s)`);
}

/** The lag passes the protocol's budget: the runs cannot prove anything in time and leave orders pending. */
const beyondBudget = (lagS: number) => lagS * 1000 >= DEFAULT_INVOICE_TIMING.budgetMs;

// ---------------------------------------------------------------------------------------------
// One step: InvoicExpress → Create From ePages Order
// ---------------------------------------------------------------------------------------------

function makeOrders(n: number): IDataObject[] {
	const out: IDataObject[] = [];
	for (let k = 0; k < n; k++) {
		const order = shop.addOrder();
		remember(order as never);
		out.push(order as unknown as IDataObject);
	}
	return out;
}

async function oneStep(orders: IDataObject[], who: string) {
	return await runNode({
		type: 'invoicExpress',
		credentials: ixCredentials(),
		input: orders,
		continueOnFail: true,
		parameters: createFromOrderParameters({}, { date: '2026-11-28', taxExemption: 'M99', emailSubject: `Fatura (${who})` }),
	});
}

describe('one step, two executions at once', () => {
	it.each(LAGS_S)('reference lag %i s: at most one legal invoice at any time, exactly one and one e-mail after re-runs', async (lagS) => {
		fresh(lagS);
		const orders = makeOrders(ORDERS);
		const refs = orders.map((o) => String(o.orderNumber));
		const [a, b] = await Promise.all([oneStep(orders, 'A'), oneStep(orders, 'B')]);
		const outcomes = [...a.items, ...b.items].map((i) => String(i.json.outcome ?? i.json.error));
		expect(ledger(refs).legal.every((n) => n <= 1)).toBe(true);
		// A pending order is a normal item that names the order, not an error.
		for (const [k, item] of a.items.entries()) {
			if (item.json.outcome === 'pending') {
				expect(item.json.pending).toBe(`order ${refs[k]}: pending: will complete on the next run`);
				expect(String(item.json.pending_reason)).not.toBe('');
			}
		}
		expect(outcomes.filter((o) => !['created', 'resumed', 'already invoiced', 'pending'].includes(o))).toEqual([]);
		if (lagS * 1000 > DEFAULT_INVOICE_TIMING.budgetMs) expect(outcomes.filter((o) => o === 'pending').length).toBeGreaterThan(0);
		// Re-run (the lag passes between runs) until every order is done.
		let left = orders.filter((_, k) => a.items[k].json.outcome === 'pending' && b.items[k].json.outcome === 'pending');
		for (let run = 2; run <= MAX_RUNS && left.length > 0; run++) {
			ix.advanceClock(lagS * SCALE);
			const again = await oneStep(left, `R${run}`);
			expect(ledger(refs).legal.every((n) => n <= 1)).toBe(true);
			left = left.filter((_, k) => again.items[k].json.outcome === 'pending');
		}
		expect(left).toEqual([]);
		expectHealed(refs);
	});
});

describe('one step under the fault mix', () => {
	it.each([0, 8])('lag %i s, two executions at once, re-run while faults last, then healed', async (lagS) => {
		fresh(lagS, true);
		const orders = makeOrders(ORDERS);
		const refs = orders.map((o) => String(o.orderNumber));
		const done = new Set<string>();
		const collect = (items: INodeExecutionData[], input: IDataObject[]) =>
			items.forEach((item, k) => {
				if (item.json.status === 'final') done.add(String(input[k].orderNumber));
			});
		let left = orders;
		for (let run = 1; run <= MAX_RUNS + 2 && left.length > 0; run++) {
			if (run === 4) heal();
			if (run > 1) ix.advanceClock(lagS * SCALE);
			const input = left;
			const [a, b] = await Promise.all([oneStep(input, `A${run}`), oneStep(input, `B${run}`)]);
			collect(a.items, input);
			collect(b.items, input);
			expect(ledger(refs).legal.every((n) => n <= 1)).toBe(true);
			left = input.filter((o) => !done.has(String(o.orderNumber)));
		}
		expect(ix.faults.counts.lostResponse).toBeGreaterThan(0);
		expect(left).toEqual([]);
		const l = ledger(refs);
		expect(l.legal).toEqual(refs.map(() => 1));
		expect(l.illegal).toBe(0);
		// Issue 11: retries leave nothing behind (a stray draft seen for a whole budget is removed).
		expect(l.drafts).toBe(0);
		leftovers.push(`one step, faults, lag ${lagS} s: ${l.drafts} draft(s) left`);
		// Under faults an e-mail whose answer was lost is never repeated: at most one per order.
		expect(l.emails.every((n) => n <= 1)).toBe(true);
	});
});

// ---------------------------------------------------------------------------------------------
// Separate steps: examples/02-separate-steps.json
// ---------------------------------------------------------------------------------------------

function chainNodes(who: string): INode[] {
	return example.nodes.map((original) => {
		const node = structuredClone(original);
		if (node.retryOnFail) node.waitBetweenTries = 10;
		// The e-mail subject names the execution, so that the sandbox tells who sent it.
		if (node.name === 'Send by Email') (node.parameters.emailOptions as IDataObject).subject = `=Fatura {{ $('Finalize').item.json.legal_number }} (${who})`;
		return node;
	});
}

async function chain(who: string) {
	return await runWorkflow({
		nodes: chainNodes(who),
		connections: example.connections,
		settings: example.settings,
		credentials: { ...ixCredentials(), ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token } },
	});
}

function chainOrders(n: number): string[] {
	const refs: string[] = [];
	for (let k = 0; k < n; k++) {
		const order = shop.addOrder({ paidOn: new Date().toISOString() });
		remember(order as never);
		refs.push(String(order.orderNumber));
	}
	return refs;
}

async function healChain(lagS: number, refs: string[]): Promise<void> {
	for (let run = 2; run <= MAX_RUNS && shop.orders.some((o) => refs.includes(o.orderNumber) && !o.invoicedOn); run++) {
		ix.advanceClock(lagS * SCALE);
		const result = await chain(`R${run}`);
		expect(result.error).toBeUndefined();
		expect(ledger(refs).legal.every((n) => n <= 1)).toBe(true);
	}
	expect(shop.orders.filter((o) => refs.includes(o.orderNumber) && !o.invoicedOn)).toEqual([]);
}

describe('separate steps, two executions at once', () => {
	beforeEach(() => {
		shop.orders.splice(0, shop.orders.length);
	});

	it.each(LAGS_S)('reference lag %i s: one legal invoice and one e-mail per order', async (lagS) => {
		fresh(lagS);
		const refs = chainOrders(ORDERS);
		const [a, b] = await Promise.all([chain('A'), chain('B')]);
		expect(a.error).toBeUndefined();
		expect(b.error).toBeUndefined();
		expect(ledger(refs).legal.every((n) => n <= 1)).toBe(true);
		// Pending orders leave Create by its error output, saying so; nothing else fails.
		for (const r of [a, b]) {
			for (const item of r.output('Create Invoice', 1)) expect(String(item.json.error)).toMatch(/^(order|reference) \d+: pending: will complete on the next run/);
			for (const node of ['Finalize', 'Mark Order Invoiced']) expect(r.output(node, 1)).toEqual([]);
			for (const item of r.output('Send by Email', 1)) expect(String(item.json.error)).toMatch(/has no e-mail address/);
		}
		await healChain(lagS, refs);
		if (beyondBudget(lagS)) expectLegalGuarantee(`chain, lag ${lagS} s`, refs);
		else expectHealed(refs);
		// Each e-mail was sent by the execution whose Finalize made the invoice final.
		const senders = ledger(refs).senders.flat();
		expect(senders.every((s) => /\((A|B|R\d)\)$/.test(s))).toBe(true);
	});

	it('the chain and the one-step operation at once (lag 2 s)', async () => {
		fresh(2);
		const refs = chainOrders(ORDERS);
		const orders = shop.orders.map((o) => structuredClone(o) as unknown as IDataObject);
		const full = await runNode({
			type: 'ePages',
			credentials: { ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token } },
			parameters: { resource: 'order', operation: 'getAll', returnAll: true, filters: { paid: 'set', invoiced: 'notSet' }, options: { fullOrders: true } },
		});
		expect(full.items.length).toBe(orders.length);
		const [c, o] = await Promise.all([chain('chain'), oneStep(full.items.map((i) => i.json), 'one-step')]);
		expect(c.error).toBeUndefined();
		expect(o.error).toBeUndefined();
		expect(ledger(refs).legal.every((n) => n <= 1)).toBe(true);
		await healChain(2, refs);
		expectHealed(refs);
	});
});

describe('separate steps under the fault mix', () => {
	it('two executions at once, re-run while faults last, then healed', async () => {
		shop.orders.splice(0, shop.orders.length);
		fresh(0, true);
		const refs = chainOrders(ORDERS);
		for (let run = 1; run <= MAX_RUNS + 2 && shop.orders.some((o) => !o.invoicedOn); run++) {
			if (run === 4) heal();
			const [a, b] = await Promise.all([chain(`A${run}`), chain(`B${run}`)]);
			expect(a.error).toBeUndefined();
			expect(b.error).toBeUndefined();
			expect(ledger(refs).legal.every((n) => n <= 1)).toBe(true);
		}
		expect(ix.faults.counts.lostResponse).toBeGreaterThan(0);
		expect(shop.orders.filter((o) => !o.invoicedOn)).toEqual([]);
		const l = ledger(refs);
		expect(l.legal).toEqual(refs.map(() => 1));
		expect(ix.state.illegalTransitions).toEqual([]);
		expect(l.drafts).toBe(0);
		leftovers.push(`chain, faults: ${l.drafts} draft(s) left, ${l.illegal} refused change(s)`);
		expect(l.emails.every((n) => n <= 1)).toBe(true);
	});
});
