/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- benchmark script; never shipped */
/**
 * Scenarios 1 (calls per order) and 3 (latency): the one-step example, the separate-steps example and
 * the baseline workflow, all imported into the SAME pinned real n8n and run with `n8n execute`
 * against both sandboxes.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { ensureN8n, exampleCredentials, N8nInstance, nodeOutput, packPackage, parseRunOutput, REPO, type RunJson } from '../../test/e2e/n8n';
import type { EPagesSandbox } from '../../test/sandbox/epages';
import type { IxSandbox } from '../../test/sandbox/invoicexpress';
import type { RecordedRequest } from '../../test/sandbox/recorder';
import { customerStats, seedOrders } from '../lib/orders';
import { countCalls, epEndpoint, ixEndpoint, round, type CallCount } from '../lib/requests';

export type FlowKey = 'one_step' | 'chain' | 'baseline';

interface WfNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: number[];
	parameters: Record<string, unknown>;
	[key: string]: unknown;
}
interface Connection {
	node: string;
	type: string;
	index: number;
}
interface Workflow {
	id: string;
	name: string;
	nodes: WfNode[];
	connections: Record<string, { main: Connection[][] }>;
	[key: string]: unknown;
}

const FLOWS: Record<FlowKey, { file: string; id: string; label: string; after: string; first: string; last: string[] }> = {
	one_step: {
		file: join(REPO, 'examples', '01-paid-orders-to-invoices-manual.json'),
		id: 'exPaidOrderMan01',
		label: '(a) one-step example',
		after: 'Get Paid Orders',
		first: 'Create Invoice',
		last: ['Create Invoice'],
	},
	chain: {
		file: join(REPO, 'examples', '02-separate-steps.json'),
		id: 'exSeparateSteps1',
		label: '(b) separate-steps example',
		after: 'Get Paid Orders',
		first: 'Find or Create Client',
		last: ['Send by Email'],
	},
	baseline: {
		file: join(REPO, 'bench', 'baseline.workflow.json'),
		id: 'benchBaseline0001',
		label: '(c) baseline (HTTP Request + If)',
		after: 'Split Orders',
		first: 'Get Order',
		last: ['Send by Email'],
	},
};

export const FLOW_KEYS: FlowKey[] = ['one_step', 'chain', 'baseline'];
export const FLOW_LABELS: Record<FlowKey, string> = {
	one_step: FLOWS.one_step.label,
	chain: FLOWS.chain.label,
	baseline: FLOWS.baseline.label,
};

function load(file: string): Workflow {
	return JSON.parse(readFileSync(file, 'utf8')) as Workflow;
}

/**
 * The same workflow processing one order at a time: n8n's Loop Over Items (batch size 1) between the
 * order source and the first per-order node, looping back from the last one. Each pass hands the
 * nodes a single order, so no node can work on two orders at once.
 */
function oneAtATime(wf: Workflow, key: FlowKey): Workflow {
	const spec = FLOWS[key];
	const out = JSON.parse(JSON.stringify(wf)) as Workflow;
	out.id = `${wf.id.slice(0, 12)}Seq1`;
	out.name = `${wf.name} [one order at a time]`;
	out.nodes.push({
		id: 'benchLoop',
		name: 'One Order at a Time',
		type: 'n8n-nodes-base.splitInBatches',
		typeVersion: 3,
		position: [0, 300],
		parameters: { batchSize: 1, options: {} },
	});
	out.connections[spec.after] = { main: [[{ node: 'One Order at a Time', type: 'main', index: 0 }]] };
	// Output 0 is "done", output 1 is "loop".
	out.connections['One Order at a Time'] = { main: [[], [{ node: spec.first, type: 'main', index: 0 }]] };
	const loopBack = (node: string, output: number) => {
		const existing = out.connections[node]?.main ?? [];
		while (existing.length <= output) existing.push([]);
		existing[output] = [...existing[output], { node: 'One Order at a Time', type: 'main', index: 0 }];
		out.connections[node] = { main: existing };
	};
	for (const last of spec.last) loopBack(last, 0);
	// An order that fails a step leaves on that step's error output: it must loop back too, or the loop stops.
	for (const node of out.nodes) if ((node as { onError?: string }).onError === 'continueErrorOutput') loopBack(node.name, 1);
	return out;
}

export interface FlowRun {
	flow: FlowKey;
	mode: 'default' | 'one_at_a_time';
	orders: number;
	ok: boolean;
	error?: string;
	/** n8n's own execution time (startedAt → stoppedAt), without the CLI's start-up. */
	execution_ms: number;
	/** Wall time of the `n8n execute` command, start-up included. */
	command_ms: number;
	ms_per_order: number;
	invoicexpress: CallCount;
	epages: CallCount;
	legal_documents: number;
	duplicate_documents: number;
	missing_documents: number;
	emails: number;
	clients: number;
	/** Documents whose total differs from the order's grand total. */
	total_mismatches: number;
	/** n8n's execution time of each node, summed over its runs (a loop runs a node once per order). */
	node_ms: Record<string, number>;
}

export interface FlowBench {
	n8n: N8nInstance;
	ix: IxSandbox;
	shop: EPagesSandbox;
	ids: Record<FlowKey, { default: string; one_at_a_time: string }>;
}

/** Installs the packed package in a fresh n8n user folder, imports the credentials and all workflows. */
export async function setUpN8n(ix: IxSandbox, shop: EPagesSandbox, tarball?: string): Promise<FlowBench> {
	const n8n = new N8nInstance(await ensureN8n());
	await n8n.installPackage(tarball ?? (await packPackage()));
	await n8n.importCredentials([
		...exampleCredentials(ix, shop),
		{ id: 'ixQueryAuth00001', name: 'InvoicExpress API key (query)', type: 'httpQueryAuth', data: { name: 'api_key', value: ix.apiKey } },
		{ id: 'epHeaderAuth0001', name: 'ePages token (header)', type: 'httpHeaderAuth', data: { name: 'Authorization', value: `Bearer ${shop.token}` } },
	]);
	const workflows: Workflow[] = [];
	const ids = {} as FlowBench['ids'];
	for (const key of FLOW_KEYS) {
		const wf = load(FLOWS[key].file);
		if (key === 'baseline') {
			const config = wf.nodes.find((n) => n.name === 'Config');
			const assignments = (config?.parameters.assignments as { assignments: Array<{ name: string; value: string }> }).assignments;
			for (const a of assignments) {
				if (a.name === 'epagesApiUrl') a.value = shop.apiUrl;
				if (a.name === 'invoicexpressUrl') a.value = ix.url;
			}
		}
		const seq = oneAtATime(wf, key);
		workflows.push(wf, seq);
		ids[key] = { default: wf.id, one_at_a_time: seq.id };
	}
	await n8n.importWorkflows(workflows);
	return { n8n, ix, shop, ids };
}

function executionMs(run: RunJson | undefined): number | undefined {
	const r = run as unknown as { startedAt?: string; stoppedAt?: string } | undefined;
	if (!r?.startedAt || !r.stoppedAt) return undefined;
	return Date.parse(r.stoppedAt) - Date.parse(r.startedAt);
}

function nodeTimes(run: RunJson | undefined): Record<string, number> {
	const out: Record<string, number> = {};
	for (const [node, runs] of Object.entries(run?.data.resultData.runData ?? {})) {
		out[node] = runs.reduce((sum, r) => sum + ((r as { executionTime?: number }).executionTime ?? 0), 0);
	}
	return out;
}

function runError(run: RunJson | undefined, stdout: string, stderr: string, code: number): string | undefined {
	const error = run?.data.resultData.error?.message;
	if (error) return error;
	if (code !== 0 || !run) return `n8n execute exited ${code}: ${(stderr || stdout).slice(-400)}`;
	for (const [node, runs] of Object.entries(run.data.resultData.runData)) {
		for (const r of runs) if (r.error) return `${node}: ${r.error.message}`;
	}
	return undefined;
}

/**
 * `n8n execute --rawOutput` with stdout going to a file: n8n exits right after printing, and a large
 * run printed into a pipe can be cut short; a file is written synchronously.
 */
async function execute(n8n: N8nInstance, id: string): Promise<{ code: number; run?: RunJson; stdout: string; stderr: string }> {
	const outFile = join(n8n.userFolder, `execute-${id}.out`);
	const errFile = join(n8n.userFolder, `execute-${id}.err`);
	const out = openSync(outFile, 'w');
	const err = openSync(errFile, 'w');
	const child = spawn(n8n.install.nodeBin, [n8n.install.n8nBin, 'execute', `--id=${id}`, '--rawOutput'], {
		cwd: n8n.userFolder,
		env: n8n.env,
		stdio: ['ignore', out, err],
	});
	const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
	closeSync(out);
	closeSync(err);
	const stdout = readFileSync(outFile, 'utf8');
	const stderr = readFileSync(errFile, 'utf8');
	rmSync(outFile);
	rmSync(errFile);
	const run = parseRunOutput(stdout);
	return { code, run, stdout: run ? '' : stdout.slice(-2000), stderr: stderr.slice(-2000) };
}

/** Runs one flow over the orders now in the shop, from an empty InvoicExpress account. */
export async function runFlow(bench: FlowBench, flow: FlowKey, mode: FlowRun['mode']): Promise<FlowRun> {
	const { n8n, ix, shop } = bench;
	ix.reset();
	// The separate-steps example marks orders invoiced and then skips them: every flow starts from
	// the same uninvoiced shop.
	for (const order of shop.orders) if (order.invoicedOn) shop.setStatus(order.orderId, 'invoicedOn', null);
	shop.requests.length = 0;
	const paid = shop.orders.filter((o) => o.paidOn);
	const started = Date.now();
	const result = await execute(n8n, bench.ids[flow][mode]);
	const commandMs = Date.now() - started;
	const ixRequests: RecordedRequest[] = [...ix.requests];
	const epRequests: RecordedRequest[] = [...shop.requests];
	const docs = ix.legalDocuments();
	const byRef = new Map<string, number>();
	for (const d of docs) byRef.set(d.reference, (byRef.get(d.reference) ?? 0) + 1);
	// A run that invoiced fewer orders than it was given is a broken measurement, never a cheap one.
	const missing = paid.filter((o) => !byRef.has(o.orderNumber)).length;
	const error = runError(result.run, result.stdout, result.stderr, result.code) ?? (missing > 0 ? `${missing} of ${paid.length} orders without a legal document` : undefined);
	const totals = new Map(paid.map((o) => [o.orderNumber, o.lineItemContainer.grandTotal.amount]));
	const execMs = executionMs(result.run) ?? commandMs;
	return {
		flow,
		mode,
		orders: paid.length,
		ok: error === undefined && byRef.size === paid.length,
		...(error ? { error } : {}),
		execution_ms: execMs,
		command_ms: commandMs,
		ms_per_order: round(execMs / paid.length, 1),
		invoicexpress: countCalls(ixRequests, paid.length, ixEndpoint),
		epages: countCalls(epRequests, paid.length, epEndpoint),
		legal_documents: docs.length,
		duplicate_documents: [...byRef.values()].filter((n) => n > 1).reduce((s, n) => s + n - 1, 0),
		missing_documents: missing,
		emails: ix.state.emails.length,
		clients: ix.state.clients.length,
		node_ms: nodeTimes(result.run),
		total_mismatches: docs.filter((d) => totals.has(d.reference) && Math.abs(d.total - (totals.get(d.reference) ?? 0)) > 0.004).length,
	};
}

/** Fresh shop content: `count` paid orders with the given share of returning customers. */
export function reseed(shop: EPagesSandbox, count: number, returningShare: number): { distinct: number; returningOrders: number } {
	shop.reset('empty');
	const orders = seedOrders(shop, { count, returningShare });
	return customerStats(orders);
}

export { nodeOutput };
