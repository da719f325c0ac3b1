/**
 * Scenario 2: many orders in ONE execution of "Create from ePages Order" against an InvoicExpress
 * sandbox that enforces the account limit (780 per minute, here as 78 per 6 s), through n8n-core's
 * WorkflowExecute (the in-process harness), with the package's default retry and concurrency.
 */
import type { IDataObject } from 'n8n-workflow';

import { runNode } from '../../test/harness/n8n';
import { createFromOrderParameters } from '../../test/harness/orderFixtures';
import { startEPagesSandbox } from '../../test/sandbox/epages';
import { startInvoicExpressSandbox } from '../../test/sandbox/invoicexpress';
import { seedOrders } from '../lib/orders';
import { countCalls, ixEndpoint, round, type CallCount } from '../lib/requests';

export interface RateLimitResult {
	orders: number;
	per_window: number;
	window_ms: number;
	elapsed_ms: number;
	/** Windows of `window_ms` from the first request to the last one (a started window counts whole). */
	windows: number;
	successful_requests: number;
	answers_429: number;
	utilization: number;
	/** Utilisation if the request count stayed the same but the limit were used from the first window to the last. */
	best_possible_utilization: number;
	orders_per_minute: number;
	failed_documents: number;
	duplicate_documents: number;
	missing_documents: number;
	failures: string[];
	invoicexpress: CallCount;
}

export async function runRateLimit(opts: { orders: number; perWindow: number; windowMs: number; returningShare: number }): Promise<RateLimitResult> {
	const shop = await startEPagesSandbox({ seed: 'empty' });
	const orders = seedOrders(shop, { count: opts.orders, returningShare: opts.returningShare });
	const input = JSON.parse(JSON.stringify(orders)) as IDataObject[];
	await shop.close();

	const ix = await startInvoicExpressSandbox({ rateLimitPerWindow: opts.perWindow, rateWindowMs: opts.windowMs });
	try {
		const started = Date.now();
		const run = await runNode({
			type: 'invoicExpress',
			parameters: createFromOrderParameters({}, {
				dueDays: 30,
				taxExemption:
					"={{ $json.lineItemContainer.productLineItems.some(l => l.taxClass.percentage === 0) || ($json.shippingData?.taxes || []).some(t => t.taxClass.percentage === 0 && $json.shippingData.price.amount > 0) ? ($json.taxModel === 'NET' ? 'M16' : 'M99') : '' }}",
				emailSubject: '=Fatura da sua encomenda {{ $json.orderNumber }}',
			}),
			credentials: { invoicExpressApi: { accountName: 'sandboxshop', apiKey: ix.apiKey, baseUrl: ix.url } },
			input,
			// Every order is tried even when one fails, so that each failure is counted.
			continueOnFail: true,
		});
		const nodeMs = Date.now() - started;
		const requests = [...ix.requests];
		const first = Math.min(...requests.map((r) => r.at));
		const last = Math.max(...requests.map((r) => r.at));
		const windows = Math.floor((last - first) / opts.windowMs) + 1;
		const successful = requests.filter((r) => r.status >= 200 && r.status < 400).length;
		const failures = run.items.filter((i) => i.json.error !== undefined).map((i) => String(i.json.error));
		if (run.error) failures.push(`execution: ${run.error.message}`);
		const docs = ix.legalDocuments();
		const byRef = new Map<string, number>();
		for (const d of docs) byRef.set(d.reference, (byRef.get(d.reference) ?? 0) + 1);
		return {
			orders: opts.orders,
			per_window: opts.perWindow,
			window_ms: opts.windowMs,
			elapsed_ms: nodeMs,
			windows,
			successful_requests: successful,
			answers_429: requests.filter((r) => r.status === 429).length,
			utilization: round(successful / (opts.perWindow * windows), 4),
			best_possible_utilization: round(successful / (opts.perWindow * Math.ceil(successful / opts.perWindow)), 4),
			orders_per_minute: round((opts.orders / nodeMs) * 60000, 1),
			failed_documents: failures.length,
			duplicate_documents: [...byRef.values()].filter((n) => n > 1).reduce((s, n) => s + n - 1, 0),
			missing_documents: orders.filter((o) => !byRef.has(o.orderNumber)).length,
			failures: [...new Set(failures)].slice(0, 5),
			invoicexpress: countCalls(requests, opts.orders, ixEndpoint),
		};
	} finally {
		await ix.close();
	}
}
