/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- test code; never shipped */
/**
 * Issue 13 in a real n8n: examples/04-returned-order-to-credit-note.json as shipped (only the
 * credentials point at the sandboxes), after the orders were invoiced by example 01. Its manual
 * "Check Again" path twice at once, then the workflow active: orders returned or cancelled in the
 * shop while n8n runs get exactly one finalized credit note each, equal to their invoice, e-mailed
 * once and written into the order's note; an order never invoiced gets no document; polling again
 * creates nothing more. The InvoicExpress sandbox lists new documents late (reference lag), as the
 * real service may. n8n polls at most every minute, so this test takes a few minutes.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startEPagesSandbox, type EPagesOrder, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxDocument, type IxSandbox } from '../sandbox/invoicexpress';
import { endE2e, ensureN8n, exampleCredentials, freePort, N8nInstance, nodeOutput, packPackage, REPO } from './n8n';

const LAG_MS = 2000;
const WORKFLOW = 'exReturnCredit04';
const DAY = 24 * 3600 * 1000;

let ix: IxSandbox;
let shop: EPagesSandbox;
let n8n: N8nInstance;

function example(file: string): object {
	return JSON.parse(readFileSync(join(REPO, 'examples', file), 'utf8')) as object;
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 1000));
	}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A call to the InvoicExpress sandbox's API, as the merchant's own use of InvoicExpress would make it. */
async function ixRequest(method: 'POST' | 'PUT', path: string, body: unknown): Promise<Record<string, unknown>> {
	const res = await fetch(`${ix.url}${path}?api_key=${ix.apiKey}`, { method, headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });
	const text = await res.text();
	if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
	return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

beforeAll(async () => {
	ix = await startInvoicExpressSandbox({ referenceLagMs: LAG_MS, createDelayMs: 50, rateLimitPerWindow: 1_000_000 });
	shop = await startEPagesSandbox();
	n8n = new N8nInstance(await ensureN8n());
	await n8n.installPackage(await packPackage());
	await n8n.importCredentials(exampleCredentials(ix, shop));
	await n8n.importWorkflows([example('01-paid-orders-to-invoices-manual.json'), example('04-returned-order-to-credit-note.json')]);
});

afterAll(async () => {
	// Secrets never reach n8n's logs, outputs or storage; nothing left loopback.
	await endE2e({ n8n, services: [ix, shop], secrets: () => [ix.apiKey, shop.token] });
});

const order = (orderId: string) => shop.orders.find((o) => o.orderId === orderId)!;
const among = (list: EPagesOrder[], o: EPagesOrder) => list.some((x) => x.orderId === o.orderId);
const emailOf = (o: EPagesOrder) => (o.billingAddress as { emailAddress?: string }).emailAddress || undefined;
const invoiceOf = (o: EPagesOrder) => ix.legalDocuments().filter((d) => d.type === 'Invoice' && d.reference === o.orderNumber);
const creditNotesOf = (inv: IxDocument) => ix.state.documents.filter((d) => d.type === 'CreditNote' && d.owner_invoice_id === inv.id && ['final', 'settled'].includes(d.status));
/** Every document of an order, any type and status (drafts too): credit notes carry "<order>:NC:<invoice>". */
const documentsOf = (o: EPagesOrder) => ix.state.documents.filter((d) => d.reference === o.orderNumber || d.reference.startsWith(`${o.orderNumber}:`));

/**
 * What must hold for every order that was returned or cancelled after it was invoiced: one final
 * credit note linked to its one invoice, equal to it, e-mailed once to the order's address (if it
 * has one) and recorded in the order's internal note.
 */
function expectCreditedOnce(orders: EPagesOrder[]): void {
	for (const o of orders) {
		const invoices = invoiceOf(o);
		expect({ order: o.orderNumber, invoices: invoices.length }).toEqual({ order: o.orderNumber, invoices: 1 });
		const inv = invoices[0];
		const notes = creditNotesOf(inv);
		expect({ order: o.orderNumber, creditNotes: notes.length }).toEqual({ order: o.orderNumber, creditNotes: 1 });
		const note = notes[0];
		expect(note).toMatchObject({ owner_invoice_id: inv.id, total: inv.total, taxes: inv.taxes, reference: `${o.orderNumber}:NC:${inv.id}`, status: 'final' });
		expect(note.total).toBeGreaterThan(0);
		expect(note.client.id).toBe(inv.client.id);
		const mails = ix.state.emails.filter((e) => e.documentId === note.id);
		const to = emailOf(o);
		expect({ order: o.orderNumber, emails: mails.map((e) => e.to) }).toEqual({ order: o.orderNumber, emails: to ? [to] : [] });
		const line = `InvoicExpress credit note NC ${note.inverted_sequence_number} (id ${note.id}) for FT ${inv.inverted_sequence_number}${to ? ` e-mailed to ${to}` : ''}`;
		const lines = String(order(o.orderId).internalNote ?? '').split('\n');
		// The invoice's line first (written by example 01), then the credit note's, once.
		expect({ order: o.orderNumber, lines }).toEqual({ order: o.orderNumber, lines: [expect.stringMatching(new RegExp(`^InvoicExpress FT ${inv.inverted_sequence_number} \\(id ${inv.id}\\)`)), line] });
	}
	// No e-mail twice, of any document.
	const emailed = ix.state.emails.map((e) => e.documentId);
	expect(new Set(emailed).size).toBe(emailed.length);
}

function expectNothingFor(orders: EPagesOrder[]): void {
	for (const o of orders) {
		expect({ order: o.orderNumber, documents: documentsOf(o).map((d) => `${d.type} ${d.status}`) }).toEqual({ order: o.orderNumber, documents: [] });
		expect(String(order(o.orderId).internalNote ?? '')).not.toContain('credit note');
	}
}

function expectCleanLedger(): void {
	expect(ix.state.documents.filter((d) => d.status === 'draft').map((d) => `${d.type} ${d.id} ${d.reference}`)).toEqual([]);
	expect(ix.state.illegalTransitions).toEqual([]);
}

/** Order numbers with the outcome the Credit Note node gave them, across all its runs in an execution. */
function outcomes(items: Array<Record<string, unknown>>): Array<[string, string]> {
	return items.map((i) => [String(i.order_number), String(i.outcome)] as [string, string]).sort();
}

interface StoredExecution {
	id: number;
	mode: string;
	status: string;
	startedAt: string;
	stoppedAt: string;
	credit: Array<Record<string, unknown>>;
	/** The execution's error message (a Stop and Error names the returns not credited), or null. */
	error: string | null;
}

/** The workflow's executions as n8n stored them (its SQLite database), with what Credit Note output in each. */
async function storedExecutions(): Promise<StoredExecution[]> {
	const script = `
const sqlite3 = require('sqlite3');
const { parse } = require('flatted');
const db = new sqlite3.Database(process.argv[1], sqlite3.OPEN_READONLY);
db.all('SELECT e.id, e.mode, e.status, e.startedAt, e.stoppedAt, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id', [process.argv[2]], (error, rows) => {
	if (error) { console.error(error.message); process.exit(1); }
	const out = rows.map((r) => {
		const result = parse(r.data).resultData;
		const runs = result.runData['Credit Note'] || [];
		const credit = runs.flatMap((x) => ((x.data && x.data.main && x.data.main[0]) || []).map((i) => i.json));
		const error = result.error ? String(result.error.message) : null;
		return { id: r.id, mode: r.mode, status: r.status, startedAt: r.startedAt, stoppedAt: r.stoppedAt, credit, error };
	});
	process.stdout.write(JSON.stringify(out));
	db.close();
});`;
	const { nodeBin, n8nDir } = n8n.install;
	return await new Promise((resolve, reject) => {
		execFile(nodeBin, ['-e', script, join(n8n.userFolder, '.n8n', 'database.sqlite'), WORKFLOW], { cwd: n8nDir, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
			if (error) reject(new Error(`reading n8n's executions failed: ${stderr}`));
			else resolve(JSON.parse(stdout) as StoredExecution[]);
		});
	});
}

describe('examples/04 in a real n8n', () => {
	/** Orders invoiced by example 01 before any return. */
	let invoiced: EPagesOrder[] = [];
	/** Orders never invoiced (never paid). */
	let neverInvoiced: EPagesOrder[] = [];

	it('example 01 invoices the paid orders first', async () => {
		// More paid orders than the shop's fixture has, for both phases below.
		for (let k = 0; k < 8; k++) shop.setStatus(shop.addOrder({}, {}).orderId, 'paidOn', new Date().toISOString());
		const todo = shop.orders.filter((o) => o.paidOn && !o.invoicedOn);
		expect(todo.length).toBe(14);
		const run = await n8n.executeOk('exPaidOrderMan01');
		expect(outcomes(nodeOutput(run.run, 'Create Invoice')).every(([, outcome]) => outcome === 'created')).toBe(true);
		invoiced = todo.map((o) => order(o.orderId));
		for (const o of invoiced) {
			expect(invoiceOf(o)).toHaveLength(1);
			expect(o.invoicedOn).toBeTruthy();
		}
		neverInvoiced = shop.orders.filter((o) => !o.paidOn);
		expect(neverInvoiced.length).toBeGreaterThanOrEqual(3);
		expect(ix.state.documents.every((d) => d.type === 'Invoice')).toBe(true);
		// Returns come days after the sale: the invoices are listed by then.
		await sleep(LAG_MS);
	});

	it('Check Again, twice at once: one credit note per returned or cancelled invoiced order, one e-mail, the note written back; nothing for orders never invoiced', async () => {
		const now = new Date().toISOString();
		// Returned orders placed weeks ago (outside the trigger's default 14-day lookback), one without an e-mail address.
		const old = invoiced.filter((o) => Date.parse(o.creationDate) < Date.now() - 15 * DAY);
		expect(old.length).toBeGreaterThanOrEqual(2);
		const noEmail = invoiced.find((o) => !emailOf(o))!;
		expect(noEmail).toBeDefined();
		const fresh = invoiced.filter((o) => Date.parse(o.creationDate) > Date.now() - DAY);
		const returned = [old[0], noEmail, fresh[0]];
		const cancelled = [fresh[1]];
		// Returned and cancelled both: taken once by Check Again's filter, credited once.
		const both = [fresh[2]];
		for (const o of [...returned, ...both]) shop.setStatus(o.orderId, 'returnedOn', now);
		for (const o of [...cancelled, ...both]) shop.setStatus(o.orderId, 'rejectedOn', now);
		// Never invoiced: one returned, one cancelled (the shop's fixture has one cancelled already).
		const notInvoiced = neverInvoiced.slice(0, 2);
		shop.setStatus(notInvoiced[0].orderId, 'returnedOn', now);
		shop.setStatus(notInvoiced[1].orderId, 'rejectedOn', now);
		const credited = [...returned, ...cancelled, ...both];
		const listed = shop.orders.filter((o) => o.returnedOn || o.rejectedOn);
		const nothing = listed.filter((o) => !among(credited, o));
		expect(nothing.length).toBeGreaterThanOrEqual(2);
		expect(nothing.every((o) => !o.paidOn)).toBe(true);

		const [a, b] = await Promise.all([n8n.execute(WORKFLOW), n8n.execute(WORKFLOW)]);
		for (const r of [a, b]) {
			expect(r.code).toBe(0);
			expect(nodeOutput(r.run!, 'Credit Note').filter((i) => i.error)).toEqual([]);
			expect(r.run!.data.resultData.runData['Returns Not Credited']).toBeUndefined();
		}
		const all = [...nodeOutput(a.run!, 'Credit Note'), ...nodeOutput(b.run!, 'Credit Note')];
		// Each credited order, once per run (the one both returned and cancelled too): credited by exactly
		// one run (the one that e-mails it), already credited by the other.
		for (const o of credited) {
			const mine = all.filter((i) => i.order_number === o.orderNumber).map((i) => String(i.outcome)).sort();
			expect({ order: o.orderNumber, outcomes: mine }).toEqual({ order: o.orderNumber, outcomes: ['already credited', 'credited'] });
		}
		for (const o of nothing) {
			expect({ order: o.orderNumber, outcomes: all.filter((i) => i.order_number === o.orderNumber).map((i) => i.outcome) }).toEqual({ order: o.orderNumber, outcomes: ['not invoiced', 'not invoiced'] });
		}
		expectCreditedOnce(credited);
		expect(all.find((i) => i.order_number === noEmail.orderNumber && i.outcome === 'credited')?.email_skipped).toBe('the order has no e-mail address');
		expectNothingFor(nothing);
		expect(ix.state.documents.filter((d) => d.type === 'CreditNote' && d.status !== 'deleted')).toHaveLength(credited.length);
		expectCleanLedger();

		// Once more: nothing new, no e-mail, no note line.
		await sleep(LAG_MS);
		const documents = structuredClone(ix.state.documents.map((d) => [d.id, d.status]));
		const emails = ix.state.emails.length;
		const notes = shop.orders.map((o) => o.internalNote);
		const again = await n8n.executeOk(WORKFLOW);
		expect(again.code).toBe(0);
		expect(again.run.data.resultData.runData['Returns Not Credited']).toBeUndefined();
		const repeat = outcomes(nodeOutput(again.run, 'Credit Note'));
		expect(repeat.filter(([, outcome]) => outcome === 'credited')).toEqual([]);
		expect(repeat.filter(([n]) => credited.some((o) => o.orderNumber === n)).every(([, outcome]) => outcome === 'already credited')).toBe(true);
		// Not even a draft made and deleted: the credit notes are found before anything is created.
		expect(ix.state.documents.map((d) => [d.id, d.status])).toEqual(documents);
		expect(ix.state.documents.filter((d) => d.type === 'CreditNote' && d.status !== 'deleted')).toHaveLength(credited.length);
		expect(ix.state.emails).toHaveLength(emails);
		expect(shop.orders.map((o) => o.internalNote)).toEqual(notes);
		expectCleanLedger();
	});

	it('a return refused or left pending stops the execution in Returns Not Credited with every reason; once InvoicExpress lists it, Check Again completes it, e-mailed once', async () => {
		const PENDING_LAG = 20000;
		const left = invoiced.map((o) => order(o.orderId)).filter((o) => !o.returnedOn && !o.rejectedOn && emailOf(o) && Date.parse(o.creationDate) > Date.now() - DAY);
		const [partly, slow] = left.slice(-2);
		// The merchant credited part of this invoice by hand in InvoicExpress, then marked the order returned.
		const inv = invoiceOf(partly)[0];
		const client = ix.state.clients.find((c) => c.id === inv.client.id)!;
		const item = inv.items[0];
		const today = new Intl.DateTimeFormat('pt-PT', { timeZone: 'Europe/Lisbon', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date());
		const byHand = await ixRequest('POST', '/credit_notes.json', {
			credit_note: {
				date: today,
				due_date: today,
				reference: 'RMA-BY-HAND',
				owner_invoice_id: inv.id,
				client: { name: client.name, code: client.code },
				items: [{ name: item.name, description: item.description, unit_price: item.unit_price, quantity: 1, tax: { name: item.tax.name } }],
			},
		});
		const byHandId = (byHand.credit_note as { id: number }).id;
		await ixRequest('PUT', `/credit_notes/${byHandId}/change-state.json`, { invoice: { state: 'finalized' } });
		expect(creditNotesOf(inv).map((d) => d.id)).toEqual([byHandId]);
		// From now on InvoicExpress lists a new document only after 20 s, longer than the node waits for it.
		await waitFor('every document to be listed', () => ix.state.documents.every((d) => Date.now() - d.referenceIndexedAt > PENDING_LAG + 500), 60000);
		ix.setReferenceLag(PENDING_LAG);
		const now = new Date().toISOString();
		for (const o of [partly, slow]) shop.setStatus(o.orderId, 'returnedOn', now);
		const emails = ix.state.emails.length;

		const red = await n8n.executeOk(WORKFLOW);
		expect(red.code).not.toBe(0);
		const about = (items: Array<Record<string, unknown>>, o: EPagesOrder) => items.filter((i) => i.order_number === o.orderNumber || String(i.error ?? '').startsWith(`order ${o.orderNumber}:`));
		const out = nodeOutput(red.run, 'Credit Note');
		expect(about(out, partly)).toEqual([expect.objectContaining({ error: expect.stringMatching(/already has credit notes .*so it cannot be credited in full again/) })]);
		expect(about(out, slow)).toEqual([expect.objectContaining({ outcome: 'pending', emailed: false })]);
		// Every other order of the 90 days is settled: nothing else in the message.
		expect(nodeOutput(red.run, 'Not Credited')).toHaveLength(2);
		const message = red.run.data.resultData.error?.message ?? '';
		expect(message).toMatch(/^2 return\(s\) not credited yet: .*\. Fix the cause, then run Check Again: nothing is credited twice\.$/);
		expect(message).toContain(`order ${partly.orderNumber}: FT ${inv.inverted_sequence_number} already has credit notes`);
		expect(message).toContain(`order ${slow.orderNumber}: pending: will complete on the next run`);
		// Nothing more for the partly credited invoice; the slow one's credit note waits as a draft, unsent.
		expect(creditNotesOf(inv).map((d) => d.id)).toEqual([byHandId]);
		expect(documentsOf(slow).filter((d) => d.type === 'CreditNote').map((d) => d.status)).toEqual(['draft']);
		expect(ix.state.emails).toHaveLength(emails);
		expect(String(order(slow.orderId).internalNote)).not.toContain('credit note');

		// InvoicExpress lists the draft now; the merchant clicks Check Again.
		ix.advanceClock(PENDING_LAG);
		ix.setReferenceLag(LAG_MS + PENDING_LAG);
		const again = await n8n.executeOk(WORKFLOW);
		// Still red for the partly credited order (the merchant decides); the pending return is credited.
		expect(again.code).not.toBe(0);
		expect(nodeOutput(again.run, 'Not Credited').map((i) => String(i.error))).toEqual([expect.stringContaining(`order ${partly.orderNumber}: FT ${inv.inverted_sequence_number} already has credit notes`)]);
		expect(about(nodeOutput(again.run, 'Credit Note'), slow)).toEqual([expect.objectContaining({ outcome: 'credited', emailed: true, finalized_here: true })]);
		expectCreditedOnce([slow]);
		expect(creditNotesOf(inv).map((d) => d.id)).toEqual([byHandId]);
		expect(ix.state.emails.filter((e) => e.documentId === byHandId)).toEqual([]);
		expectCleanLedger();
	});

	it('active: orders returned or cancelled while n8n runs are credited once each, orders never invoiced get nothing, and later polls add nothing', async () => {
		const statusPolls = (field: 'returnedOn' | 'rejectedOn') => shop.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/orders') && r.query[field] === 'true').length;
		const published = await n8n.cli(['publish:workflow', `--id=${WORKFLOW}`]);
		expect(published.code).toBe(0);
		const before = await storedExecutions();
		// Check Again's Get Many read the same lists: count the triggers' polls from here.
		const returnedPolls = statusPolls('returnedOn');
		const rejectedPolls = statusPolls('rejectedOn');
		await n8n.start(await freePort());
		// The first polls only take note of what is returned or cancelled already (credited above, or never invoiced).
		await waitFor('the first poll of both triggers', () => statusPolls('returnedOn') > returnedPolls && statusPolls('rejectedOn') > rejectedPolls, 150000);
		await sleep(3000);
		const creditNotesAtStart = ix.state.documents.filter((d) => d.type === 'CreditNote' && d.status !== 'deleted').length;

		const pending = invoiced.map((o) => order(o.orderId)).filter((o) => !o.returnedOn && !o.rejectedOn);
		expect(pending.length).toBeGreaterThanOrEqual(6);
		const now = () => new Date().toISOString();
		const old = pending.filter((o) => Date.parse(o.creationDate) < Date.now() - 15 * DAY);
		const fresh = pending.filter((o) => Date.parse(o.creationDate) > Date.now() - DAY);
		const returned = [old[0], fresh[0], fresh[1]];
		const cancelled = [old[1]];
		// Returned and cancelled at once: both triggers emit it, two executions, one credit note.
		const both = [fresh[2]];
		const placedNow = shop.addOrder({}, {});
		const notInvoiced = [placedNow, ...neverInvoiced.map((o) => order(o.orderId)).filter((o) => !o.returnedOn && !o.rejectedOn)];
		for (const o of [...returned, ...both, notInvoiced[0]]) shop.setStatus(o.orderId, 'returnedOn', now());
		for (const o of [...cancelled, ...both, ...notInvoiced.slice(1)]) shop.setStatus(o.orderId, 'rejectedOn', now());
		const credited = [...returned, ...cancelled, ...both];

		await waitFor('the new returns and cancellations to be credited', () => credited.every((o) => creditNotesOf(invoiceOf(o)[0]).length > 0), 240000);
		// Both triggers have polled since (the second emission of the order returned and cancelled at once), and once more.
		for (const field of ['returnedOn', 'rejectedOn'] as const) {
			const polls = statusPolls(field);
			await waitFor(`two more polls (${field})`, () => statusPolls(field) >= polls + 2, 200000);
		}
		await sleep(10000);

		expectCreditedOnce(credited);
		expectNothingFor(notInvoiced);
		expect(ix.state.documents.filter((d) => d.type === 'CreditNote' && d.status !== 'deleted').length).toBe(creditNotesAtStart + credited.length);
		expectCleanLedger();

		// What n8n ran: trigger executions, all successful; each order credited in exactly one of them,
		// the order returned and cancelled at once offered by both triggers and credited by one.
		const runs = (await storedExecutions()).filter((e) => !before.some((b) => b.id === e.id));
		expect(runs.length).toBeGreaterThanOrEqual(2);
		expect(runs.map((r) => [r.mode, r.status, r.error])).toEqual(runs.map(() => ['trigger', 'success', null]));
		expect(runs.flatMap((r) => r.credit).filter((i) => i.error)).toEqual([]);
		const offered = runs.flatMap((r) => r.credit);
		for (const o of credited) {
			const mine = offered.filter((i) => i.order_number === o.orderNumber).map((i) => String(i.outcome)).sort();
			expect({ order: o.orderNumber, outcomes: mine }).toEqual({ order: o.orderNumber, outcomes: among(both, o) ? ['already credited', 'credited'] : ['credited'] });
		}
		for (const o of notInvoiced) {
			expect({ order: o.orderNumber, outcomes: offered.filter((i) => i.order_number === o.orderNumber).map((i) => i.outcome) }).toEqual({ order: o.orderNumber, outcomes: ['not invoiced'] });
		}
		// Nothing from before activation was offered again.
		const earlier = shop.orders.filter((o) => (o.returnedOn || o.rejectedOn) && !among(credited, o) && !among(notInvoiced, o)).map((o) => o.orderNumber);
		expect(earlier.length).toBeGreaterThan(3);
		expect(offered.filter((i) => earlier.includes(String(i.order_number)))).toEqual([]);
	});
});
