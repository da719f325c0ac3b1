/**
 * 500 orders through "Create From ePages Order" while InvoicExpress misbehaves on about half of the
 * requests: 429 bursts, 500/502/503, connection resets, answers slower than the timeout, and
 * documents created whose answer is lost. Runs are repeated (as a user would re-run, or n8n would
 * retry) until every order is done: exactly one legal document per order, nothing silent.
 */
import type { IDataObject } from 'n8n-workflow';

import { runNode } from '../harness/n8n';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { useSettings, withSettings } from '../harness/settings';
import { startEPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

const ORDERS = 500;
/**
 * Short back-off and timeout (shorter than the slow answers, 250 ms: what makes them time out), and
 * the protocol's waits scaled down (the sandbox lists new documents at once), through the package's
 * test settings.
 */
const PROTOCOL = { budgetMs: 400, graceMs: 30, pollMs: 5, maxPollMs: 40, adoptJitterMs: 10 };
useSettings({ invoicExpress: { maxAttempts: 6, baseDelayMs: 2, maxDelayMs: 20, timeoutMs: 100 }, protocol: PROTOCOL });
let ix: IxSandbox;
let orders: IDataObject[];

/**
 * Everything a user could see of these runs: the run data (every node output, error message and
 * description) and whatever was printed. Scanned for the API key at the end: zero occurrences.
 */
const shown: string[] = [];
const printed = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
	jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
		shown.push(args.map(String).join(' '));
	}),
);
function record(result: { run: unknown; error?: { message: string; description?: string } }): void {
	shown.push(JSON.stringify(result.run), result.error?.message ?? '', result.error?.description ?? '');
}

beforeAll(async () => {
	const shop = await startEPagesSandbox({ seed: 'empty' });
	orders = [];
	for (let n = 0; n < ORDERS; n++) orders.push(shop.addOrder() as unknown as IDataObject);
	await shop.close();
	// Injected 429s are the subject here; the sandbox's real 780/minute limit is the benchmark's.
	ix = await startInvoicExpressSandbox({ rateLimitPerWindow: 1_000_000 });
});
afterAll(async () => {
	await ix.close();
	printed.forEach((spy) => spy.mockRestore());
	// The figures of the runs, printed once the console is ours again.
	// eslint-disable-next-line no-console
	for (const line of shown.filter((s) => s.startsWith('fault run:'))) console.log(line);
});


const STEP = /^order [^:]+: (loading the taxes|getting the full order|creating the invoice|e-mailing|finding the client|getting the PDF|writing)[^:]* failed: /;

it('500 orders under faults: exactly one legal document each, failures are error items naming order and step', async () => {
	ix.faults.configure({
		seed: 42,
		slowMs: 250,
		rates: { status429: 0.1, status500: 0.034, status502: 0.033, status503: 0.033, reset: 0.1, slow: 0.1, lostResponse: 0.1 },
	});
	let pending = orders;
	const errorsPerRun: number[] = [];
	// Re-run while the faults last (6 runs, as a merchant or the trigger would), then with the service
	// healthy again: every order must be done within 2 more runs (a pending order completes on its draft).
	for (let run = 1; run <= 8 && pending.length > 0; run++) {
		if (run === 7) ix.faults.configure({});
		const result = await runNode({
			type: 'invoicExpress',
			credentials: { invoicExpressApi: { accountName: 'x', apiKey: ix.apiKey, baseUrl: ix.url } },
			input: pending,
			continueOnFail: true,
			parameters: createFromOrderParameters({ sendEmail: false }, { date: '2026-11-28', taxExemption: 'M99' }),
		});
		record(result);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(pending.length);
		const failed: IDataObject[] = [];
		result.items.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			if (item.json.error) {
				// Nothing silent: the message names the order and the step that failed.
				expect(String(item.json.error)).toMatch(new RegExp(`^order ${String(pending[i].orderNumber)}: `));
				expect(String(item.json.error)).toMatch(STEP);
				failed.push(pending[i]);
			} else if (item.json.outcome === 'pending') {
				// Not an error: the order is completed by the next run.
				expect(item.json.pending).toBe(`order ${String(pending[i].orderNumber)}: pending: will complete on the next run`);
				failed.push(pending[i]);
			} else {
				expect(item.json.status).toBe('final');
			}
		});
		errorsPerRun.push(failed.length);
		pending = failed;
	}
	expect(pending).toHaveLength(0);
	const legal = ix.legalDocuments();
	const refs = new Set(legal.map((d) => d.reference));
	expect(legal).toHaveLength(ORDERS);
	expect(refs.size).toBe(ORDERS);
	for (const order of orders) expect(refs.has(String(order.orderNumber))).toBe(true);
	// The faults really happened.
	const counts = ix.faults.counts;
	expect(counts.lostResponse).toBeGreaterThan(100);
	expect(counts.slow).toBeGreaterThan(100);
	expect(counts.reset).toBeGreaterThan(100);
	expect(counts.status429).toBeGreaterThan(100);
	// Retries leave nothing behind (issue 11): a draft of a run that failed half-way is removed by the
	// re-run that finds the order's final invoice.
	expect(ix.state.documents.filter((d) => d.status === 'draft')).toEqual([]);
	// eslint-disable-next-line no-console
	console.log(`fault run: errors per run ${errorsPerRun.join(' → ')}; faults ${JSON.stringify(counts)}; drafts left ${ix.state.documents.filter((d) => d.status === 'draft').length}`);
}, 600000);

it('under the account rate limit, 429s are waited out: every order gets its document', async () => {
	const limited = await startInvoicExpressSandbox({ rateLimitPerWindow: 20, rateWindowMs: 1000 });
	// No slow answers here: the timeout only has to be longer than an answer on a loaded machine.
	const patient = { invoicExpress: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 400, rateLimitWaitMs: 30000, timeoutMs: 5000 }, protocol: PROTOCOL };
	try {
		const some = orders.slice(0, 40);
		const result = await withSettings(patient, async () =>
			await runNode({
				type: 'invoicExpress',
				credentials: { invoicExpressApi: { accountName: 'x', apiKey: limited.apiKey, baseUrl: limited.url } },
				input: some,
				parameters: createFromOrderParameters({}, { date: '2026-11-28', taxExemption: 'M99' }),
			}),
		);
		record(result);
		expect(result.error).toBeUndefined();
		expect(limited.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
		expect(limited.legalDocuments()).toHaveLength(some.length);
		expect(new Set(limited.legalDocuments().map((d) => d.reference)).size).toBe(some.length);
	} finally {
		await limited.close();
	}
}, 120000);

it('the key appears nowhere in what the fault runs showed or printed', () => {
	expect(shown.length).toBeGreaterThan(2);
	expect(shown.join('\n')).toContain(String(orders[0].orderNumber));
	expect(shown.filter((text) => text.includes(ix.apiKey))).toEqual([]);
});
