/* eslint-disable @n8n/community-nodes/no-restricted-globals -- benchmark script; never shipped */
/**
 * Scenario 4: the package's own cost. (1) mapOrderToDocument over generated orders, in-process, no
 * I/O. (2) Peak memory of a back-fill of many orders, each path in a child process of its own (so
 * that the sandbox holding the orders, which runs in the parent, is not counted): the ePages Trigger
 * with "Start From" (the back-fill path of the package: portions per poll) and, for comparison,
 * ePages → Order → Get Many with Return All and Full Orders (one execution whose output holds them all).
 */
import type { IDataObject } from 'n8n-workflow';

import type { IxTax } from '../../nodes/services/invoicexpress/helpers/document';
import { mapOrderToDocument, type MappingOptions } from '../../nodes/link/mapping/orderToDocument';
import { isErrorFixture, loadOrderFixtures } from '../../test/harness/orderFixtures';
import { startEPagesSandbox, type EPagesSandbox } from '../../test/sandbox/epages';
import { DEFAULT_TAXES } from '../../test/sandbox/invoicexpress';
import { seedOrders } from '../lib/orders';
import { round } from '../lib/requests';
import { runWorker } from '../lib/worker';

export interface MappingResult {
	orders: number;
	/** Distinct order shapes: the sandbox's generated orders plus the real-shaped fixtures. */
	distinct_orders: number;
	ms_per_order: number;
	/** Slowest and fastest of the timed passes. */
	ms_per_order_worst_pass: number;
	ms_per_order_best_pass: number;
	/**
	 * CPU time of this process per order (user + system, median pass): what the mapping costs even when
	 * other processes compete for the cores (GC helper threads included).
	 */
	cpu_ms_per_order: number;
	passes: number;
	mismatched_totals: number;
}

export async function runMapping(count: number): Promise<MappingResult> {
	const taxes: IxTax[] = DEFAULT_TAXES.map((t) => ({ ...t }));
	const fixtures = loadOrderFixtures().filter((f) => !isErrorFixture(f));
	const shop = await startEPagesSandbox({ seed: 'empty' });
	const generated = seedOrders(shop, { count: Math.min(2000, count), returningShare: 0.4 });
	await shop.close();
	const cases: Array<{ order: unknown; options: Partial<MappingOptions> }> = [
		...fixtures.map((f) => ({ order: f.order, options: { date: '2026-11-28', ...(f.options as Partial<MappingOptions>) } })),
		...generated.map((o) => ({ order: JSON.parse(JSON.stringify(o)) as unknown, options: { date: '2026-11-28', taxExemption: 'M99' } })),
	];
	const work = Array.from({ length: count }, (_, i) => cases[i % cases.length]);
	let mismatched = 0;
	// Warm-up: the JIT compiles the hot paths, as it would after the first orders of a real run.
	for (const c of work.slice(0, 1000)) mapOrderToDocument(c.order, taxes, c.options);
	const perPass: number[] = [];
	const cpuPerPass: number[] = [];
	const passes = 3;
	for (let p = 0; p < passes; p++) {
		const cpu = process.cpuUsage();
		const started = process.hrtime.bigint();
		for (const c of work) {
			const mapped = mapOrderToDocument(c.order, taxes, c.options);
			if (p === 0 && !mapped.totalsCheck.matches) mismatched++;
		}
		perPass.push(Number(process.hrtime.bigint() - started) / 1e6 / count);
		const used = process.cpuUsage(cpu);
		cpuPerPass.push((used.user + used.system) / 1000 / count);
	}
	perPass.sort((a, b) => a - b);
	cpuPerPass.sort((a, b) => a - b);
	return {
		orders: count,
		distinct_orders: cases.length,
		ms_per_order: round(perPass[Math.floor(passes / 2)], 4),
		ms_per_order_worst_pass: round(perPass[passes - 1], 4),
		ms_per_order_best_pass: round(perPass[0], 4),
		cpu_ms_per_order: round(cpuPerPass[Math.floor(passes / 2)], 4),
		passes,
		mismatched_totals: mismatched,
	};
}

export interface BackfillPath {
	path: string;
	orders: number;
	emitted: number;
	polls: number;
	requests: number;
	duration_ms: number;
	/** heapUsed after loading the nodes and a GC, before the back-fill. */
	heap_before_mb: number;
	/** Highest heapUsed sampled every 10 ms: live objects plus garbage not yet collected. */
	peak_heap_mb: number;
	peak_heap_growth_mb: number;
	/**
	 * Live memory held for the back-fill: heapUsed after a full GC, taken while a poll's items (or the
	 * Get Many output) are still referenced, minus heap_before_mb; the largest over the polls.
	 */
	retained_mb: number;
	/** Peak resident set size of the child process (the whole process, Node itself included). */
	max_rss_mb: number;
}

export interface BackfillResult {
	paths: BackfillPath[];
}

/** Memory of one back-fill path, measured inside a child process against the shop served from here. */
async function measure(shop: EPagesSandbox, path: 'trigger' | 'getMany', orders: number, startFrom: string): Promise<BackfillPath> {
	const before = shop.requests.length;
	const out = (await runWorker('backfill', { path, apiUrl: shop.apiUrl, token: shop.token, startFrom }, { exposeGc: true })) as Omit<BackfillPath, 'requests' | 'orders' | 'path'>;
	return {
		path: path === 'trigger' ? `ePages Trigger, New Order, Start From (${orders} orders)` : `ePages Get Many, Return All, Full Orders (${orders} orders)`,
		orders,
		...out,
		requests: shop.requests.length - before,
	};
}

export async function runBackfill(count: number): Promise<BackfillResult> {
	const shop = await startEPagesSandbox({ seed: 'empty' });
	shop.setRateLimit(1e9, 3600_000);
	try {
		// Orders over the last ~200 days (the shop lists at most a year per request).
		const spacing = Math.floor((200 * 24 * 3600_000) / count);
		const orders = seedOrders(shop, { count, returningShare: 0.4, lastCreatedAt: Date.now() - 3600_000, spacingMs: spacing });
		const from = (index: number) => new Date(Date.parse(orders[index].creationDate) - 1000).toISOString();
		const small = Math.min(count, Math.max(1, Math.round(count / 5)));
		const paths = [
			await measure(shop, 'trigger', small, from(count - small)),
			await measure(shop, 'trigger', count, from(0)),
			await measure(shop, 'getMany', count, from(0)),
		];
		return { paths };
	} finally {
		await shop.close();
	}
}

/** Runs inside the child process: one back-fill, with heap sampling. */
export async function backfillWorker(args: IDataObject): Promise<IDataObject> {
	const { Poller, runNode } = await import('../../test/harness/n8n');
	const credentials = { ePagesApi: { apiUrl: String(args.apiUrl), accessToken: String(args.token) } };
	const gc = (global as { gc?: () => void }).gc;
	gc?.();
	const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
	const heapBefore = process.memoryUsage().heapUsed;
	let peak = heapBefore;
	const sample = () => {
		peak = Math.max(peak, process.memoryUsage().heapUsed);
	};
	const timer = setInterval(sample, 10);
	const started = Date.now();
	let emitted = 0;
	let polls = 0;
	let retained = 0;
	/** Live heap while `held` is still referenced (the argument keeps it alive across the GC). */
	const live = (held: unknown[]) => {
		gc?.();
		retained = Math.max(retained, process.memoryUsage().heapUsed - heapBefore);
		return held.length;
	};
	try {
		if (args.path === 'trigger') {
			const trigger = new Poller({
				type: 'ePagesTrigger',
				parameters: { event: 'newOrder', options: { startFrom: String(args.startFrom) } },
				credentials,
			});
			// Poll until a poll emits nothing (the back-fill has caught up); each poll's items are
			// handed on and dropped, as n8n starts one execution per poll.
			for (;;) {
				const items = await trigger.poll();
				polls++;
				sample();
				emitted += live(items);
				if (items.length === 0 && polls > 1) break;
			}
		} else {
			const run = await runNode({
				type: 'ePages',
				parameters: { resource: 'order', operation: 'getAll', returnAll: true, filters: {}, options: { fullOrders: true } },
				credentials,
			});
			sample();
			if (run.error) throw run.error;
			emitted = live(run.items);
			polls = 1;
		}
	} finally {
		clearInterval(timer);
	}
	return {
		emitted,
		polls,
		duration_ms: Date.now() - started,
		heap_before_mb: mb(heapBefore),
		peak_heap_mb: mb(peak),
		peak_heap_growth_mb: mb(peak - heapBefore),
		retained_mb: mb(retained),
		max_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
	};
}
