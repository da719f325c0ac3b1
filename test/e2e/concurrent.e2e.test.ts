/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Issue 11 in a real n8n: two executions of the same example started at the same moment (a double
 * click on "Execute workflow", two workers), against an InvoicExpress whose reference filter lags new
 * documents by several seconds and whose proprietary_uid only blocks while a creation is in flight.
 * One legal invoice and at most one e-mail per order, no draft left.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { endE2e, ensureN8n, exampleCredentials, N8nInstance, packPackage, REPO } from './n8n';

const LAG_MS = 3000;

let ix: IxSandbox;
let shop: EPagesSandbox;
let n8n: N8nInstance;

function example(file: string): object {
	return JSON.parse(readFileSync(join(REPO, 'examples', file), 'utf8')) as object;
}

beforeAll(async () => {
	ix = await startInvoicExpressSandbox({ referenceLagMs: LAG_MS, createDelayMs: 50, rateLimitPerWindow: 1_000_000 });
	shop = await startEPagesSandbox();
	n8n = new N8nInstance(await ensureN8n());
	await n8n.installPackage(await packPackage());
	await n8n.importCredentials(exampleCredentials(ix, shop));
	await n8n.importWorkflows([example('01-paid-orders-to-invoices-manual.json'), example('02-separate-steps.json')]);
});

afterAll(async () => {
	await endE2e({ n8n, services: [ix, shop], secrets: () => [ix.apiKey, shop.token] });
});

function ledger(references: string[]) {
	const legal = new Map<string, number>();
	for (const d of ix.legalDocuments()) legal.set(d.reference, (legal.get(d.reference) ?? 0) + 1);
	const byId = new Map(ix.state.documents.map((d) => [d.id, d.reference]));
	const emails = new Map<string, number>();
	for (const e of ix.state.emails) {
		const ref = byId.get(e.documentId) ?? '?';
		emails.set(ref, (emails.get(ref) ?? 0) + 1);
	}
	return {
		legal: references.map((r) => legal.get(r) ?? 0),
		emails: references.map((r) => emails.get(r) ?? 0),
		drafts: ix.state.documents.filter((d) => d.status === 'draft').length,
	};
}

async function twoAtOnce(id: string, references: string[], rounds: number): Promise<void> {
	for (let round = 1; round <= rounds; round++) {
		const [a, b] = await Promise.all([n8n.execute(id), n8n.execute(id)]);
		expect([a.code, b.code]).toEqual([0, 0]);
		expect(ledger(references).legal.every((n) => n <= 1)).toBe(true);
		// The lag passes before the next pair.
		await new Promise((resolve) => setTimeout(resolve, LAG_MS));
	}
}

it('the one-step example twice at once: one legal invoice and at most one e-mail per order', async () => {
	// The example takes the paid orders the shop has not marked invoiced (and marks them).
	const refs = shop.orders.filter((o) => o.paidOn && !o.invoicedOn).map((o) => o.orderNumber);
	expect(refs.length).toBeGreaterThan(0);
	await twoAtOnce('exPaidOrderMan01', refs, 2);
	const l = ledger(refs);
	expect(l.legal).toEqual(refs.map(() => 1));
	expect(l.emails.every((n) => n <= 1)).toBe(true);
	expect(l.drafts).toBe(0);
	expect(ix.state.illegalTransitions).toEqual([]);
}, 600000);

it('the separate-steps example twice at once: one legal invoice and at most one e-mail per order', async () => {
	// Afresh: the one-step example above marked every paid order invoiced.
	shop.reset();
	ix.reset();
	const refs = shop.orders.filter((o) => o.paidOn && !o.invoicedOn).map((o) => o.orderNumber);
	expect(refs.length).toBeGreaterThan(0);
	await twoAtOnce('exSeparateSteps1', refs, 3);
	const l = ledger(refs);
	expect(l.legal).toEqual(refs.map(() => 1));
	expect(l.emails.every((n) => n <= 1)).toBe(true);
	// eslint-disable-next-line no-console
	console.log(`separate steps e2e: ${l.drafts} draft(s) left, ${ix.state.illegalTransitions.length} refused change(s) of state`);
}, 600000);
