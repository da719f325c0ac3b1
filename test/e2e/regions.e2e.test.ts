/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Issue 21, part 1, in a real n8n: the shipped examples, imported as they are, over a mainland shop's
 * orders to the Azores (Ponta Delgada), Porto Santo and Funchal charged at mainland rates (invoiced
 * with the mainland taxes: the goods leave from the mainland, CIVA art. 6.º n.º 1 and 16) and orders
 * charged island rates by the same mainland shop (refused, naming the rate and the region; nothing
 * sent for them). Then the same example with Ships From set to the Azores invoices the island rates
 * with the Azores' taxes, 4 % included (the region decides, never the rate).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadOrderFixtures } from '../harness/orderFixtures';
import { startEPagesSandbox, type EPagesOrder, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { endE2e, ensureN8n, exampleCredentials, N8nInstance, nodeOutput, packPackage, REPO } from './n8n';

type Workflow = { id: string; name: string; nodes: Array<Record<string, unknown> & { name: string; parameters: Record<string, unknown> }>; active?: boolean };

function example(file: string): Workflow {
	return JSON.parse(readFileSync(join(REPO, 'examples', file), 'utf8')) as Workflow;
}

const FIXTURES = new Map(loadOrderFixtures().map((f) => [f.file.replace(/\.json$/, ''), f]));
const fixture = (name: string) => FIXTURES.get(name)!;
/** Mainland rates to the islands: invoiced. */
const MAINLAND_TO_ISLANDS = ['46-ponta-delgada-consumer-mainland-shop', '49-porto-santo-consumer-mainland-shop', '45-funchal-consumer-mainland-shop'];
/** Island rates charged by a mainland shop: refused. */
const ISLAND_RATES = ['50-mainland-shop-at-azores-rate-error', '51-mainland-shop-at-madeira-reduced-rate-error'];
const numberOf = (name: string) => String(fixture(name).order.orderNumber);
const errorOf = (name: string) => (fixture(name).expected as { error: string }).error;

function seed(): EPagesOrder[] {
	return [...MAINLAND_TO_ISLANDS, ...ISLAND_RATES].map((name) => structuredClone(fixture(name).order) as unknown as EPagesOrder);
}

let ix: IxSandbox;
let shop: EPagesSandbox;
let n8n: N8nInstance;

beforeAll(async () => {
	ix = await startInvoicExpressSandbox();
	shop = await startEPagesSandbox({ seed: seed() });
	n8n = new N8nInstance(await ensureN8n());
	await n8n.installPackage(await packPackage());
	await n8n.importCredentials(exampleCredentials(ix, shop));
	const azores = example('01-paid-orders-to-invoices-manual.json');
	azores.id = 'exPaidOrderManAC';
	azores.name = `${azores.name} (Ships From: Azores)`;
	const create = azores.nodes.find((n) => n.name === 'Create Invoice')!;
	(create.parameters.orderOptions as Record<string, unknown>).shipsFrom = 'PT-AC';
	await n8n.importWorkflows([example('01-paid-orders-to-invoices-manual.json'), example('02-separate-steps.json'), azores]);
});

afterAll(async () => {
	await endE2e({ n8n, services: [ix, shop], secrets: () => [ix.apiKey, shop.token] });
});

/** Every request that concerns an order number: a reference lookup, a document body naming it. */
function requestsAbout(number: string) {
	return ix.requests.filter((r) => r.query.reference === number || JSON.stringify(r.body ?? '').includes(`"reference":"${number}"`));
}

function taxesOf(number: string): string[] {
	const doc = ix.legalDocuments().find((d) => d.reference === number);
	return doc ? [...new Set(doc.items.map((i) => i.tax.name))].sort() : [];
}

describe('a mainland shop (Ships From: mainland, the default)', () => {
	it('the one-step example invoices Ponta Delgada, Porto Santo and Funchal with the mainland taxes and refuses island rates, naming the rate and the region; nothing is sent for those', async () => {
		const result = await n8n.executeOk('exPaidOrderMan01');
		const created = nodeOutput(result.run, 'Create Invoice');
		expect(created.map((o) => [o.order_number, o.outcome, o.status]).sort()).toEqual(MAINLAND_TO_ISLANDS.map((name) => [numberOf(name), 'created', 'final']).sort());
		for (const name of MAINLAND_TO_ISLANDS) {
			const doc = ix.legalDocuments().find((d) => d.reference === numberOf(name))!;
			expect(doc.total).toBe((fixture(name).expected as { total: number }).total);
			expect(taxesOf(numberOf(name))).toEqual([...new Set((fixture(name).expected as { lines: Array<{ tax: string }> }).lines.map((l) => l.tax))].sort());
			expect(taxesOf(numberOf(name)).every((t) => ['IVA6', 'IVA13', 'IVA23'].includes(t))).toBe(true);
			expect(shop.orders.find((o) => o.orderNumber === numberOf(name))!.invoicedOn).toBeTruthy();
		}
		const refused = nodeOutput(result.run, 'Create Invoice', 1);
		expect(refused.map((o) => o.error).sort()).toEqual(ISLAND_RATES.map(errorOf).sort());
		expect(refused.map((o) => String(o.error))).toEqual(expect.arrayContaining([expect.stringContaining('16 % is not a VAT rate of mainland Portugal, where the goods leave from ("Ships From" PT)')]));
		expect(nodeOutput(result.run, 'Orders Not Invoiced').map((o) => o.error).sort()).toEqual(ISLAND_RATES.map(errorOf).sort());
		for (const name of ISLAND_RATES) {
			expect(requestsAbout(numberOf(name))).toEqual([]);
			expect(shop.orders.find((o) => o.orderNumber === numberOf(name))!.invoicedOn).toBeNull();
		}
		expect(ix.state.documents.filter((d) => ISLAND_RATES.map(numberOf).includes(d.reference))).toEqual([]);
		expect(ix.legalDocuments()).toHaveLength(MAINLAND_TO_ISLANDS.length);
	});

	it('the separate-steps example gives the same documents and refuses the same orders at Create, with no document sent for them', async () => {
		const oneStep = new Map(ix.legalDocuments().map((d) => [d.reference, [d.total, d.items.map((l) => [l.name, l.unit_price, l.quantity, l.tax.name])]]));
		shop.reset(seed());
		ix.reset();
		const result = await n8n.executeOk('exSeparateSteps1');
		const separate = new Map(ix.legalDocuments().map((d) => [d.reference, [d.total, d.items.map((l) => [l.name, l.unit_price, l.quantity, l.tax.name])]]));
		expect(separate).toEqual(oneStep);
		const refused = nodeOutput(result.run, 'Create Invoice', 1);
		expect(refused.map((o) => o.error).sort()).toEqual(ISLAND_RATES.map(errorOf).sort());
		for (const name of ISLAND_RATES) {
			// The chain finds or creates the client before Create (the original integration's order);
			// no document is ever sent for the refused order.
			expect(requestsAbout(numberOf(name))).toEqual([]);
			expect(ix.requests.filter((r) => r.method === 'POST' && /^\/(invoices|simplified_invoices|invoice_receipts)\.json$/.test(r.path) && JSON.stringify(r.body).includes(numberOf(name)))).toEqual([]);
		}
	});
});

describe('the same example with Ships From set to the Azores', () => {
	it('invoices the orders at Azores rates with the Azores taxes, 4 % with the Azores 4 % tax though the goods go to Funchal', async () => {
		shop.reset(seed());
		ix.reset();
		const result = await n8n.executeOk('exPaidOrderManAC');
		const created = nodeOutput(result.run, 'Create Invoice');
		expect(created.map((o) => o.order_number).sort()).toEqual(ISLAND_RATES.map(numberOf).sort());
		expect(taxesOf(numberOf('50-mainland-shop-at-azores-rate-error'))).toEqual(['IVA16']);
		expect(taxesOf(numberOf('51-mainland-shop-at-madeira-reduced-rate-error'))).toEqual(['IVA4-AC']);
		// The mainland-rate orders are not Azores rates: refused, naming the region.
		const refused = nodeOutput(result.run, 'Create Invoice', 1);
		expect(refused.map((o) => o.order_number ?? String(o.error).slice(6, 11)).sort()).toEqual(MAINLAND_TO_ISLANDS.map(numberOf).sort());
		for (const o of refused) expect(String(o.error)).toMatch(/^order \d+: \d+ % is not a VAT rate of the Azores, where the goods leave from \("Ships From" PT-AC\): its rates are 4, 9 and 16 %/);
		expect(ix.legalDocuments()).toHaveLength(ISLAND_RATES.length);
	});
});
