/* eslint-disable @n8n/community-nodes/no-restricted-globals -- benchmark script; never shipped */
/**
 * What the exactly-once protocol costs: "Create From ePages Order" over ORDERS orders, run through
 * n8n-core (test harness), against the InvoicExpress sandbox answering every request after LATENCY_MS.
 * Prints InvoicExpress calls per order (taxes excluded) and wall time per order, for one execution and
 * for two executions started at the same moment on the same orders.
 *
 *   npx ts-node --transpile-only bench/protocol.ts    (ORDERS=100 LATENCY_MS=50 LAG_MS=0 by default)
 */
import './lib/preferTs';
import { runNode } from '../test/harness/n8n';
import { createFromOrderParameters } from '../test/harness/orderFixtures';
import { startEPagesSandbox } from '../test/sandbox/epages';
import { startInvoicExpressSandbox } from '../test/sandbox/invoicexpress';

const ORDERS = Number(process.env.ORDERS ?? 100);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 50);
/** How far the reference filter lags behind new documents (0: lists them at once). */
const LAG_MS = Number(process.env.LAG_MS ?? 0);

async function main(): Promise<void> {
	const shop = await startEPagesSandbox({ seed: 'empty' });
	const orders = Array.from({ length: ORDERS }, () => shop.addOrder() as unknown as Record<string, unknown>);
	await shop.close();
	const ix = await startInvoicExpressSandbox({ rateLimitPerWindow: 1_000_000, referenceLagMs: LAG_MS, faults: { latencyMs: LATENCY_MS } });
	const run = async (who: string) =>
		await runNode({
			type: 'invoicExpress',
			credentials: { invoicExpressApi: { accountName: 'x', apiKey: ix.apiKey, baseUrl: ix.url } },
			input: orders as never,
			continueOnFail: true,
			parameters: createFromOrderParameters({ sendEmail: false }, { date: '2026-11-28', taxExemption: 'M99', emailSubject: who }),
		});
	const calls = () => ix.requests.filter((r) => r.path !== '/taxes.json').length;
	const results: Record<string, unknown> = {};
	for (const [name, executions] of [['one execution', 1], ['two executions at once', 2]] as const) {
		ix.reset();
		const started = Date.now();
		const outs = await Promise.all(Array.from({ length: executions }, (_, k) => run(`E${k}`)));
		const ms = Date.now() - started;
		const outcomes: Record<string, number> = {};
		for (const o of outs) for (const item of o.items) outcomes[String(item.json.outcome ?? 'error')] = (outcomes[String(item.json.outcome ?? 'error')] ?? 0) + 1;
		const legal = ix.legalDocuments().length;
		results[name] = {
			calls_per_order: Math.round((calls() / ORDERS) * 100) / 100,
			ms_per_order: Math.round((ms / ORDERS) * 10) / 10,
			legal_documents: legal,
			drafts_left: ix.state.documents.filter((d) => d.status === 'draft').length,
			outcomes,
		};
	}
	await ix.close();
	process.stdout.write(`${JSON.stringify({ orders: ORDERS, latency_ms: LATENCY_MS, lag_ms: LAG_MS, results }, null, 2)}\n`);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${String(error)}\n`);
		process.exit(1);
	},
);
