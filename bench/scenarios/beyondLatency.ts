/* eslint-disable @n8n/community-nodes/no-restricted-globals -- benchmark script; never shipped */
/**
 * Scenario 7: ePages Beyond, paid → invoice e-mailed latency in a real n8n (`n8n start`), for the two
 * ways a Beyond order reaches n8n, on the same orders in the same run:
 * - the ePages Beyond Trigger (signed webhooks from the Beyond fake to n8n's production webhook URL);
 * - the ePages Trigger polling Beyond at n8n's default poll time, "Every Minute" (n8n runs it once a
 *   minute at a random second; it refuses anything shorter than a minute).
 * Each trigger starts the same "Create From ePages Order (finalize, e-mail)" step, each into an
 * InvoicExpress sandbox of its own (otherwise the second would find the order invoiced and send nothing).
 * Latency of an order = the moment its e-mail request reaches the InvoicExpress sandbox − the moment
 * the shop marked it PAID (both clocks are this process's). Payments are spread over a few minutes at
 * irregular intervals, so that they fall at every point of the poll minute.
 */
import { startBeyondSandbox, type BeyondOrder } from '../../test/sandbox/beyond';
import { startInvoicExpressSandbox, type IxSandbox } from '../../test/sandbox/invoicexpress';
import { prng } from '../../test/sandbox/faults';
import {
	BEYOND_POLLING_WORKFLOW_ID,
	BEYOND_WEBHOOK_WORKFLOW_ID,
	beyondCredential,
	beyondPollingWorkflow,
	beyondWebhookWorkflow,
	invoicExpressCredential,
	N8nRest,
	ownerEnv,
	waitFor,
} from '../../test/e2e/beyond-flow';
import { ensureN8n, freePort, N8nInstance } from '../../test/e2e/n8n';
import { round } from '../lib/requests';

export interface LatencyFigures {
	orders: number;
	/** Paid → e-mailed, ms, per order in payment order (null: never e-mailed within the wait). */
	latencies_ms: Array<number | null>;
	p50_ms: number | null;
	p95_ms: number | null;
	mean_ms: number | null;
	max_ms: number | null;
	legal_documents: number;
	emails: number;
}

export interface BeyondLatencyResult {
	orders: number;
	spread_s: number;
	poll_time: string;
	webhook: LatencyFigures;
	polling: LatencyFigures;
	/** Signed deliveries n8n answered 2xx / all of them. */
	deliveries_taken: number;
	deliveries: number;
	duration_s: number;
}

/** Nearest-rank percentile. */
function percentile(sorted: number[], p: number): number | null {
	if (sorted.length === 0) return null;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function figures(ix: IxSandbox, orders: BeyondOrder[], paidAt: Map<string, number>): LatencyFigures {
	const docByOrder = new Map(ix.legalDocuments().map((d) => [d.reference, d.id]));
	const emailAt = new Map(ix.state.emails.map((e) => [e.documentId, e.at]));
	const latencies = orders.map((o) => {
		const doc = docByOrder.get(o.orderNumber);
		const at = doc === undefined ? undefined : emailAt.get(doc);
		return at === undefined ? null : at - paidAt.get(o.orderNumber)!;
	});
	const got = latencies.filter((l): l is number => l !== null).sort((a, b) => a - b);
	return {
		orders: orders.length,
		latencies_ms: latencies,
		p50_ms: percentile(got, 50),
		p95_ms: percentile(got, 95),
		mean_ms: got.length ? round(got.reduce((a, b) => a + b, 0) / got.length, 1) : null,
		max_ms: got.length ? got[got.length - 1] : null,
		legal_documents: ix.legalDocuments().length,
		emails: ix.state.emails.length,
	};
}

export async function runBeyondLatency(opts: { orders: number; spreadS: number; tarball: string; log: (m: string) => void }): Promise<BeyondLatencyResult> {
	const started = Date.now();
	const ixHook = await startInvoicExpressSandbox();
	const ixPoll = await startInvoicExpressSandbox();
	const shop = await startBeyondSandbox({ seed: 'empty' });
	const install = await ensureN8n();
	const owner = { email: 'bench@example.com', password: ['Bench', 'beyond', '2026'].join('-') };
	const n8n = new N8nInstance(install, ownerEnv(install, owner));
	try {
		await n8n.installPackage(opts.tarball);
		await n8n.importCredentials([invoicExpressCredential('ixHookCredential', ixHook, 'InvoicExpress (webhook)'), invoicExpressCredential('ixPollCredential', ixPoll, 'InvoicExpress (polling)'), beyondCredential(shop)]);
		await n8n.importWorkflows([beyondWebhookWorkflow('ixHookCredential'), beyondPollingWorkflow('ixPollCredential')]);
		for (const id of [BEYOND_WEBHOOK_WORKFLOW_ID, BEYOND_POLLING_WORKFLOW_ID]) {
			const published = await n8n.cli(['publish:workflow', `--id=${id}`]);
			if (published.code !== 0) throw new Error(`could not activate ${id}: ${published.stderr}`);
		}
		const port = await freePort();
		await n8n.start(port);
		const rest = new N8nRest(`http://127.0.0.1:${port}`);
		await rest.login(owner.email, owner.password);
		await waitFor('the webhook subscription', () => shop.subscriptions.length === 1, 120_000);
		// The polling trigger's first poll (at activation) stores its starting point: from then on it sees every payment.
		await waitFor(
			'the polling trigger to be active',
			async () => JSON.stringify((await rest.call<{ staticData?: unknown }>('GET', `/workflows/${BEYOND_POLLING_WORKFLOW_ID}`)).staticData ?? {}).includes('ePagesBeyondPoll'),
			120_000,
			1000,
		);
		opts.log(`7 beyond latency: n8n on port ${port}, webhook subscribed, polling trigger active`);

		// Orders of buyers with an e-mail address, created (unpaid) first.
		const orders: BeyondOrder[] = [];
		while (orders.length < opts.orders) {
			const order = shop.addOrder();
			if (order.billingAddress.email) orders.push(order);
		}
		await shop.waitForDeliveries();
		// Payments at irregular intervals over the spread (a fixed seed: the same schedule every run).
		const random = prng(0x7a11);
		const gaps = orders.map(() => 0.25 + random());
		const scale = (opts.spreadS * 1000) / gaps.reduce((a, b) => a + b, 0);
		const paidAt = new Map<string, number>();
		for (const [i, order] of orders.entries()) {
			await new Promise((r) => setTimeout(r, gaps[i] * scale));
			paidAt.set(order.orderNumber, Date.now());
			shop.setPaymentStatus(order._id, 'PAID');
		}
		opts.log(`7 beyond latency: ${orders.length} orders paid over ${opts.spreadS} s; waiting for the last poll`);
		const done = (ix: IxSandbox) => ix.state.emails.length >= orders.length;
		// A poll a minute at most, plus the run: 150 s after the last payment is enough unless something is wrong.
		await waitFor('every order e-mailed by both workflows', () => done(ixHook) && done(ixPoll), 150_000, 200).catch((e: Error) => opts.log(`7 beyond latency: ${e.message}`));
		await shop.waitForDeliveries();
		const webhook = figures(ixHook, orders, paidAt);
		const polling = figures(ixPoll, orders, paidAt);
		const real = shop.deliveries.filter((d) => !d.replayOf);
		return {
			orders: orders.length,
			spread_s: opts.spreadS,
			poll_time: 'Every Minute (n8n default; the shortest n8n allows)',
			webhook,
			polling,
			deliveries_taken: real.filter((d) => d.outcome === 'delivered').length,
			deliveries: real.length,
			duration_s: round((Date.now() - started) / 1000, 1),
		};
	} finally {
		await n8n.stop();
		await ixHook.close();
		await ixPoll.close();
		await shop.close();
		n8n.cleanup();
	}
}
