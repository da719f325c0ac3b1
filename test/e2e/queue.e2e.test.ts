/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- test code; never shipped */
/**
 * n8n's own way of scaling out: queue mode, PostgreSQL as the database, Redis as the queue, one main
 * process and two workers. The back-fill (started by a webhook, several runs overlapping) and the
 * ePages Trigger invoice the same 300 orders at the same time on both workers, against an
 * InvoicExpress that gives the weakest guarantees we may rely on: `proprietary_uid` blocks a repeat
 * only while the first creation is in flight, and the `reference` filter lags new documents by 2 s.
 * Exactly one legal invoice per order must come from the package's protocol, not from timing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { endE2e, ensureN8n, exampleCredentials, freePort, N8nInstance, packPackage, REPO } from './n8n';
import { startPostgres, startRedis, type Postgres, type Redis } from './services';

const ORDERS = 300;
const PAID_BEFORE = 200;
const DAY = 24 * 3600 * 1000;

type Workflow = { id: string; name: string; nodes: Array<Record<string, unknown> & { name: string; type: string; parameters: Record<string, unknown> }>; connections: Record<string, unknown> };

let pg: Postgres;
let redis: Redis;
let ix: IxSandbox;
let shop: EPagesSandbox;
let n8n: N8nInstance;
let port: number;

function example(file: string): Workflow {
	return JSON.parse(readFileSync(join(REPO, 'examples', file), 'utf8')) as Workflow;
}

/** The back-fill example, started by a webhook instead of by hand: in queue mode a webhook run goes to a worker. */
function backfillByWebhook(): Workflow {
	const wf = example('03-backfill-date-range.json');
	wf.id = 'queueBackfill001';
	wf.name = 'Back-fill (webhook)';
	const start = wf.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger')!;
	Object.assign(start, {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: 'b7f0d8c4-5a61-4c8e-9d0b-3e2f1a6c9e11',
		parameters: { httpMethod: 'POST', path: 'backfill', responseMode: 'onReceived', options: {} },
	});
	// The example's fixed date range would age out; this run covers the seeded orders whatever the date.
	const list = wf.nodes.find((n) => n.name === 'Paid Orders in Range')!;
	const filters = list.parameters.filters as Record<string, unknown>;
	filters.createdAfter = new Date(Date.now() - 30 * DAY).toISOString().slice(0, 19);
	filters.createdBefore = new Date(Date.now() + DAY).toISOString().slice(0, 19);
	return wf;
}

function sql(query: string): string {
	return execFileSync(join(pg.bin, 'psql'), ['-h', '127.0.0.1', '-p', String(pg.port), '-U', pg.user, '-d', pg.database, '-tAc', query]).toString().trim();
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 1000));
	}
}

async function backfill(): Promise<void> {
	const res = await fetch(`http://127.0.0.1:${port}/webhook/backfill`, { method: 'POST' });
	if (!res.ok) throw new Error(`back-fill webhook answered ${res.status}: ${await res.text()}`);
}

/** The trigger's polls: page 1 of its paid-orders reads, which look back 90 days (the back-fills 30). */
const statusPolls = () =>
	shop.requests.filter(
		(r) =>
			r.method === 'GET' &&
			r.path.endsWith('/orders') &&
			r.query.paidOn === 'true' &&
			r.query.page === '1' &&
			Date.parse(String(r.query.createdAfter)) < Date.now() - 60 * DAY,
	).length;
const unfinished = () => Number(sql(`SELECT count(*) FROM execution_entity WHERE status IN ('new', 'running', 'waiting')`));

beforeAll(async () => {
	[pg, redis] = await Promise.all([startPostgres(), startRedis()]);
	ix = await startInvoicExpressSandbox({ uidLockOnlyInFlight: true, referenceLagMs: 2000, createDelayMs: 50, rateLimitPerWindow: 1_000_000 });
	shop = await startEPagesSandbox({ seed: 'empty', rateLimitPerHour: 1_000_000 });
	for (let n = 0; n < ORDERS; n++) {
		const order = shop.addOrder({}, { creationDate: new Date(Date.now() - 3 * DAY + n * 60000).toISOString() });
		if (n < PAID_BEFORE) shop.setStatus(order.orderId, 'paidOn', new Date(Date.now() - DAY).toISOString());
	}
	n8n = new N8nInstance(await ensureN8n(), {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_DATABASE: pg.database,
		DB_POSTGRESDB_USER: pg.user,
		DB_POSTGRESDB_PASSWORD: 'trust-auth-ignores-it',
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
	});
	await n8n.installPackage(await packPackage());
	await n8n.importCredentials(exampleCredentials(ix, shop));
	await n8n.importWorkflows([example('01-paid-order-to-invoice.json'), backfillByWebhook()]);
	for (const id of ['exPaidOrderInv01', 'queueBackfill001']) {
		const published = await n8n.cli(['publish:workflow', `--id=${id}`]);
		if (published.code !== 0) throw new Error(`publish ${id} failed: ${published.stdout}\n${published.stderr}`);
	}
	port = await freePort();
	await n8n.start(port);
	await Promise.all([n8n.startWorker('worker-1'), n8n.startWorker('worker-2')]);
}, 900000);

afterAll(async () => {
	await endE2e({
		n8n,
		services: [ix, shop, redis && { close: () => redis.stop() }],
		secrets: () => [ix.apiKey, shop.token],
		// The database holds the executions' data and the trigger's static data.
		stored: () => {
			const dump = pg ? execFileSync(join(pg.bin, 'pg_dump'), ['-h', '127.0.0.1', '-p', String(pg.port), '-U', pg.user, pg.database], { maxBuffer: 512 * 1024 * 1024 }).toString() : '';
			pg?.stop();
			expect(dump).toContain('execution_data');
			expect(dump).toContain('queueBackfill001');
			return [dump];
		},
	});
});

it('back-fill runs and the trigger invoice 300 orders concurrently on two workers: exactly 300 legal invoices, none twice', async () => {
	// The trigger's first poll only takes note of the orders paid before activation.
	await waitFor('the first trigger poll', () => statusPolls() >= 1, 150000);

	// Overlapping back-fills: every run lists the same uninvoiced paid orders and invoices them.
	await Promise.all([backfill(), backfill()]);
	await new Promise((r) => setTimeout(r, 1500));
	await backfill();

	// Meanwhile the rest of the orders get paid: the trigger's next poll emits them, and the later
	// back-fills race it for the same orders.
	const unpaid = shop.orders.filter((o) => !o.paidOn);
	for (const order of unpaid.slice(0, 50)) shop.setStatus(order.orderId, 'paidOn', new Date().toISOString());
	const polls = statusPolls();
	await waitFor('the next trigger poll', () => statusPolls() > polls, 150000);
	await Promise.all([backfill(), backfill()]);
	for (const order of unpaid.slice(50)) shop.setStatus(order.orderId, 'paidOn', new Date().toISOString());
	await new Promise((r) => setTimeout(r, 2000));
	await backfill();

	await waitFor('an invoice for every order', () => ix.legalDocuments().length >= ORDERS, 400000);
	// One more poll and nothing left running: late runs must not add a second invoice.
	const later = statusPolls();
	await waitFor('one more trigger poll', () => statusPolls() > later, 150000);
	await waitFor('every execution to finish', () => unfinished() === 0, 300000);

	const legal = ix.legalDocuments();
	const perOrder = new Map<string, number>();
	for (const d of legal) perOrder.set(String(d.reference), (perOrder.get(String(d.reference)) ?? 0) + 1);
	expect([...perOrder.values()].filter((n) => n > 1)).toEqual([]);
	expect([...perOrder.keys()].sort()).toEqual(shop.orders.map((o) => o.orderNumber).sort());
	expect(legal).toHaveLength(ORDERS);
	// Losing drafts were deleted: no live document besides the legal ones.
	expect(ix.state.documents.filter((d) => d.status === 'draft')).toHaveLength(0);
	const statuses = sql(`SELECT status, count(*) FROM execution_entity GROUP BY status ORDER BY status`);
	const executions = Number(sql(`SELECT count(*) FROM execution_entity`));
	const perWorker = ['worker-1', 'worker-2'].map((w) => (readFileSync(n8n.processLog(w), 'utf8').match(/Worker started execution/g) ?? []).length);
	const races = ix.state.documents.filter((d) => d.status === 'deleted').length;
	process.stdout.write(`[queue mode] executions ${executions} (${statuses.replace(/\n/g, ', ')}), per worker ${perWorker.join(' / ')}, losing drafts deleted ${races}, legal ${legal.length}\n`);
	// Both workers did the work, and both flows ran: six back-fills and at least one trigger run.
	expect(perWorker.every((n) => n > 0)).toBe(true);
	expect(statuses).not.toMatch(/error|crashed/);
	expect(Number(sql(`SELECT count(*) FROM execution_entity WHERE "workflowId" = 'queueBackfill001'`))).toBe(6);
	expect(Number(sql(`SELECT count(*) FROM execution_entity WHERE "workflowId" = 'exPaidOrderInv01'`))).toBeGreaterThanOrEqual(1);
});
