/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * The editor, in a real browser (playwright-core driving Debian's Chromium): the package's nodes
 * render with their icons, the node panel finds them, and the InvoicExpress node loads the account's
 * taxes through the credential. Screenshots go to a folder outside git, printed below.
 */
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { endE2e, ensureN8n, exampleCredentials, freePort, N8nInstance, packPackage, REPO } from './n8n';
import { ensureDebianPackages } from './services';
import { EPages } from '../../nodes/EPages/EPages.node';
import { InvoicExpress } from '../../nodes/InvoicExpress/InvoicExpress.node';

type Described = { description: { properties: Array<{ name: string; options?: Array<{ value: unknown }>; displayOptions?: { show?: Record<string, unknown[]> } }> } };

/** Every resource and operation the node describes, as the editor's dropdowns offer them. */
function operationsOf(node: Described): Array<{ resource: string; operation: string }> {
	const props = node.description.properties;
	const resources = (props.find((p) => p.name === 'resource')?.options ?? []).map((o) => String(o.value));
	return resources.flatMap((resource) =>
		props
			.filter((p) => p.name === 'operation' && (p.displayOptions?.show?.resource ?? []).includes(resource))
			.flatMap((p) => (p.options ?? []).map((o) => ({ resource, operation: String(o.value) }))),
	);
}

const EVERY_OPERATION = [
	...operationsOf(new InvoicExpress() as unknown as Described).map((o) => ({ ...o, type: 'n8n-nodes-epages-invoicexpress.invoicExpress', credentials: { invoicExpressApi: { id: 'ixCredential0001', name: 'InvoicExpress account' } } })),
	...operationsOf(new EPages() as unknown as Described).map((o) => ({ ...o, type: 'n8n-nodes-epages-invoicexpress.ePages', credentials: { ePagesApi: { id: 'ePagesCredential', name: 'ePages account' } } })),
].map((o, i) => ({ ...o, name: `Op ${i + 1} ${o.type.endsWith('ePages') ? 'ePages' : 'IX'} ${o.resource} ${o.operation}` }));

const EVERY_OPERATION_WORKFLOW = {
	id: 'exEveryOperation',
	name: 'Every operation',
	active: false,
	connections: {},
	settings: {},
	nodes: EVERY_OPERATION.map((o, i) => ({
		id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
		name: o.name,
		type: o.type,
		typeVersion: 1,
		position: [(i % 8) * 200, Math.floor(i / 8) * 200],
		parameters: { resource: o.resource, operation: o.operation },
		credentials: o.credentials,
	})),
};

const OWNER = { email: 'editor-test@example.com', password: ['Editor', 'test', '2026'].join('-') };
const SHOTS = join(REPO, 'test-results', 'screenshots');
/** The curated pictures in docs/ are rewritten only on request, so CI never changes them. */
const DOCS = join(REPO, 'docs');
const UPDATE_DOCS = process.env.UPDATE_DOCS_PICTURES === '1';

let ix: IxSandbox;
let shop: EPagesSandbox;
let n8n: N8nInstance;
let browser: Browser;
let page: Page;
let base: string;

function ensureChromium(): string {
	const bin = '/usr/bin/chromium';
	ensureDebianPackages('editor test', ['chromium'], () => existsSync(bin));
	return bin;
}

beforeAll(async () => {
	const chromiumBin = ensureChromium();
	ix = await startInvoicExpressSandbox();
	shop = await startEPagesSandbox();
	const install = await ensureN8n();
	const bcrypt = createRequire(join(install.n8nDir, 'node_modules', 'n8n', 'package.json'))('bcryptjs') as { hashSync(p: string, r: number): string };
	n8n = new N8nInstance(install, {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: 'Editor',
		N8N_INSTANCE_OWNER_LAST_NAME: 'Test',
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(OWNER.password, 10),
	});
	await n8n.installPackage(await packPackage());
	await n8n.importCredentials(exampleCredentials(ix, shop));
	await n8n.importWorkflows(
		[
			...['02-separate-steps.json', '01-paid-order-to-invoice.json', '01-paid-orders-to-invoices-manual.json', '04-returned-order-to-credit-note.json'].map((f) => JSON.parse(readFileSync(join(REPO, 'examples', f), 'utf8'))),
			EVERY_OPERATION_WORKFLOW,
		],
	);
	const port = await freePort();
	base = `http://127.0.0.1:${port}`;
	await n8n.start(port);
	browser = await chromium.launch({
		executablePath: chromiumBin,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
	});
	page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
	mkdirSync(SHOTS, { recursive: true });
	process.stderr.write(`[editor test] screenshots: ${SHOTS}\n`);
});

afterAll(async () => {
	await endE2e({ n8n, first: [browser], services: [ix, shop], secrets: () => [ix.apiKey, shop.token] });
});

it('signs in, opens the example workflow, finds the nodes and loads the taxes', async () => {
	// /healthz answers before the editor's routes are mounted: reload until the sign-in page is there.
	for (let attempt = 0; attempt < 60; attempt++) {
		await page.goto(`${base}/signin`);
		if (!(await page.content()).includes('Cannot GET')) break;
		await page.waitForTimeout(2000);
	}
	await page.screenshot({ path: join(SHOTS, 'signin.png') });
	await page.locator('input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(OWNER.email);
	await page.locator('input[type="password"]').first().fill(OWNER.password);
	await page.locator('button:has-text("Sign in")').first().click();
	await page.waitForURL((url) => !url.pathname.includes('signin'), { timeout: 60000 });

	await page.goto(`${base}/workflow/exSeparateSteps1`);
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60000 });
	await page.waitForTimeout(2000);
	await page.screenshot({ path: join(SHOTS, 'canvas.png') });
	const nodes = page.locator('[data-test-id="canvas-node"]');
	const count = await nodes.count();
	const names: string[] = [];
	for (let i = 0; i < count; i++) {
		const node = nodes.nth(i);
		const name = (await node.getAttribute('data-node-name')) ?? (await node.innerText());
		names.push(name);
		const html = await node.innerHTML();
		if (name === 'Start') continue;
		// A package node shows its own icon; an unknown node shows a placeholder and no icon file.
		expect(html).toMatch(/n8n-nodes-epages-invoicexpress|icons\/n8n-nodes-epages-invoicexpress|\.svg/);
	}
	expect(names.length).toBe(7);
	expect(await page.locator('text=/install this node|unknown node/i').count()).toBe(0);

	// The node panel finds both services.
	for (const query of ['ePages', 'InvoicExpress']) {
		const plus = page.locator('[data-test-id="node-creator-plus-button"]');
		if ((await plus.count()) > 0) await plus.first().click();
		else await page.mouse.click(1366, 98);
		await page.waitForTimeout(1000);
		// The node panel opens with its search field focused.
		await page.keyboard.type(query);
		await page.waitForTimeout(1500);
		const panelLocator = page.locator('[data-test-id="node-creator"]');
		const panel = (await panelLocator.count()) > 0 ? await panelLocator.first().innerText() : await page.locator('body').innerText();
		await page.screenshot({ path: join(SHOTS, `node-panel-${query}.png`) });
		// The result list names the node (triggers are offered only where a workflow can start).
		expect(panel.split('\n').some((line) => line.trim() === query)).toBe(true);
		await page.keyboard.press('Escape');
		await page.keyboard.press('Escape');
		await page.waitForTimeout(500);
	}
	// Open the InvoicExpress node: the editor loads the account's tax list through the credential.
	await page.locator('[data-test-id="canvas-node"][data-node-name="Create Invoice"]').dblclick();
	await page.waitForSelector('[data-test-id="ndv"]', { timeout: 20000 });
	await page.waitForTimeout(1500);
	await page.screenshot({ path: join(SHOTS, 'invoicexpress-node.png') });
	const taxRequestsBefore = ix.requests.filter((r) => r.path === '/taxes.json').length;
	const options = await page.evaluate(async () => {
		const res = await fetch('/rest/dynamic-node-parameters/options', {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				'browser-id': (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('n8n-browserId') ?? '',
			},
			body: JSON.stringify({
				nodeTypeAndVersion: { name: 'n8n-nodes-epages-invoicexpress.invoicExpress', version: 1 },
				path: 'parameters.items.item[0].tax',
				methodName: 'getTaxes',
				currentNodeParameters: { resource: 'document', operation: 'create', documentType: 'invoice' },
				credentials: { invoicExpressApi: { id: 'ixCredential0001', name: 'InvoicExpress account' } },
			}),
		});
		return { status: res.status, body: await res.text() };
	});
	expect(options.status).toBe(200);
	expect(options.body).toContain('IVA23 (23 %, PT)');
	expect(ix.requests.filter((r) => r.path === '/taxes.json').length).toBeGreaterThan(taxRequestsBefore);
	expect(options.body).not.toContain(ix.apiKey);
});

async function shot(name: string, docsName?: string): Promise<void> {
	const file = join(SHOTS, name);
	await page.screenshot({ path: file });
	if (docsName && UPDATE_DOCS) {
		mkdirSync(DOCS, { recursive: true });
		copyFileSync(file, join(DOCS, docsName));
	}
}

/** Calls the editor's own REST endpoint from the page (session cookie and browser id of the signed-in user). */
async function editorPost(path: string, body: unknown): Promise<{ status: number; body: string }> {
	return page.evaluate(
		async ({ path, body }) => {
			const res = await fetch(path, {
				method: 'POST',
				headers: {
					'Content-Type': 'application/json',
					'browser-id': (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('n8n-browserId') ?? '',
				},
				body: JSON.stringify(body),
			});
			return { status: res.status, body: await res.text() };
		},
		{ path, body },
	);
}

const IX_NODE = { name: 'n8n-nodes-epages-invoicexpress.invoicExpress', version: 1 };
const EPAGES_NODE = { name: 'n8n-nodes-epages-invoicexpress.ePages', version: 1 };
const IX_CRED = { invoicExpressApi: { id: 'ixCredential0001', name: 'InvoicExpress account' } };
const EPAGES_CRED = { ePagesApi: { id: 'ePagesCredential', name: 'ePages account' } };

type Listed = { name: string; value: string | number };

it('shows the merchant workflow and the one-step panel, and lists series, orders, clients and documents through the credentials', async () => {
	// The merchant workflow on the canvas.
	await page.goto(`${base}/workflow/exPaidOrderInv01`);
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60000 });
	await page.waitForTimeout(2000);
	const names = await page.locator('[data-test-id="canvas-node"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-name')));
	expect(names.sort()).toEqual(['Create Invoice', 'Orders Not Invoiced', 'Paid Order, Not Invoiced']);
	await shot('merchant-workflow.png', 'merchant-workflow.png');

	// The returns workflow (example 04) on the canvas: its nodes known to the editor, the credit node's panel without issues.
	await page.goto(`${base}/workflow/exReturnCredit04`);
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60000 });
	await page.waitForTimeout(2000);
	const returnNodes = await page.locator('[data-test-id="canvas-node"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-name')));
	// The sticky note may or may not count as a canvas node; its text shows either way.
	expect(await page.locator('text=Returns and cancellations → credit notes').count()).toBeGreaterThan(0);
	expect(returnNodes.filter((n) => n !== 'Sticky Note').sort()).toEqual(['Check Again', 'Credit Note', 'Not Credited', 'Order Cancelled', 'Order Returned', 'Orders of the Last 90 Days', 'Returned or Cancelled', 'Returns Not Credited']);
	expect(await page.locator('text=/install this node|unknown node/i').count()).toBe(0);
	await shot('returns-workflow.png');
	await page.locator('[data-test-id="canvas-node"][data-node-name="Credit Note"]').dblclick();
	await page.waitForSelector('[data-test-id="ndv"]', { timeout: 20000 });
	await page.waitForTimeout(2000);
	const creditPanel = await page.locator('[data-test-id="ndv"]').innerText();
	expect(creditPanel).toContain('Correction');
	expect(creditPanel).not.toMatch(/Issues:|could not be loaded|Error fetching options/i);
	await shot('credit-from-order-panel.png');
	await page.keyboard.press('Escape');
	await page.goto(`${base}/workflow/exPaidOrderInv01`);
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60000 });
	await page.waitForTimeout(1500);

	// The one-step node's panel.
	await page.locator('[data-test-id="canvas-node"][data-node-name="Create Invoice"]').dblclick();
	await page.waitForSelector('[data-test-id="ndv"]', { timeout: 20000 });
	await page.waitForTimeout(2000);
	const panelText = await page.locator('[data-test-id="ndv"]').innerText();
	expect(panelText).toContain('Document Type');
	expect(panelText).not.toMatch(/Issues:|could not be loaded|Error fetching options/i);
	await shot('create-from-order-panel.png', 'create-from-order-panel.png');
	await page.keyboard.press('Escape');

	// Series follow the chosen document type: each type lists its own sequence ids.
	const series = async (documentType: string): Promise<Listed[]> => {
		const res = await editorPost('/rest/dynamic-node-parameters/options', {
			nodeTypeAndVersion: IX_NODE,
			path: 'parameters.sequenceId',
			methodName: 'getSequences',
			currentNodeParameters: { resource: 'document', operation: 'createFromOrder', documentType },
			credentials: IX_CRED,
		});
		expect(res.status).toBe(200);
		expect(res.body).not.toContain(ix.apiKey);
		return (JSON.parse(res.body) as { data: Listed[] }).data;
	};
	const invoiceSeries = await series('invoice');
	const receiptSeries = await series('invoiceReceipt');
	expect(invoiceSeries.length).toBeGreaterThan(1);
	const expectedIds = (field: keyof (typeof ix.state.sequences)[number]) => ['', ...ix.state.sequences.map((s) => String(s[field]))];
	expect(invoiceSeries.map((o) => String(o.value))).toEqual(expectedIds('current_invoice_sequence_id'));
	expect(receiptSeries.map((o) => String(o.value))).toEqual(expectedIds('current_invoice_receipt_sequence_id'));
	expect(receiptSeries.map((o) => o.value)).not.toEqual(invoiceSeries.map((o) => o.value));

	// Seed the InvoicExpress sandbox with a client and a document, through its HTTP API.
	const post = async (path: string, body: unknown) => {
		const res = await fetch(`${ix.url}${path}?api_key=${ix.apiKey}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await res.text();
		expect({ path, status: res.status < 300 ? 'ok' : res.status, text: res.status < 300 ? '' : text }).toEqual({ path, status: 'ok', text: '' });
		return JSON.parse(text) as Record<string, { id: number }>;
	};
	await post('/clients.json', { client: { name: 'Picture Client Lda', code: 'PIC-1', email: 'pic@example.com', country: 'Portugal' } });
	await post('/invoices.json', {
		invoice: {
			date: '03/12/2026',
			due_date: '03/12/2026',
			reference: 'PIC-ORDER-1',
			client: { name: 'Picture Client Lda', code: 'PIC-1' },
			items: [{ name: 'Mug', description: 'Mug', unit_price: 10, quantity: 1 }],
		},
	});

	const search = async (node: typeof IX_NODE, methodName: string, credentials: unknown, currentNodeParameters: Record<string, unknown>) => {
		const res = await editorPost('/rest/dynamic-node-parameters/resource-locator-results', {
			nodeTypeAndVersion: node,
			path: 'parameters.x',
			methodName,
			currentNodeParameters,
			credentials,
		});
		expect(res.status).toBe(200);
		expect(res.body).not.toContain(ix.apiKey);
		expect(res.body).not.toContain(shop.token);
		return (JSON.parse(res.body) as { data: { results: Listed[] } }).data.results;
	};
	const orders = await search(EPAGES_NODE, 'searchOrders', EPAGES_CRED, { resource: 'order', operation: 'get' });
	expect(orders.length).toBeGreaterThan(0);
	// Each order is listed with its number.
	expect(orders.every((o) => /\d/.test(o.name))).toBe(true);
	const clients = await search(IX_NODE, 'searchClients', IX_CRED, { resource: 'client', operation: 'get' });
	expect(clients.map((c) => c.name).join('\n')).toContain('Picture Client Lda');
	const documents = await search(IX_NODE, 'searchDocuments', IX_CRED, { resource: 'document', operation: 'get', documentType: 'invoice' });
	expect(documents.map((d) => d.name).join('\n')).toContain('Picture Client Lda');
});

it('runs the manual one-step example from the editor and shows its hints when an order is refused', async () => {
	const todo = shop.orders.filter((o) => o.paidOn && !o.invoicedOn);
	expect(todo.length).toBeGreaterThan(2);
	// One order cannot be invoiced: a foreign currency with no exchange rate.
	const foreign = todo[1];
	shop.updateOrder(foreign.orderId, { currencyId: 'GBP' } as never);

	await page.goto(`${base}/workflow/exPaidOrderMan01`);
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60000 });
	await page.waitForTimeout(1500);
	// The canvas pane overlays the button in the page's layout; dispatch the click to it directly.
	await page.locator('[data-test-id^="execute-workflow-button"]').first().dispatchEvent('click');
	// The run is done when every other order has its document (and the editor has drawn the result).
	for (let i = 0; i < 120 && ix.legalDocuments().length < todo.length - 1; i++) await page.waitForTimeout(500);
	await page.waitForTimeout(3000);
	await shot('run-canvas.png');

	await page.locator('[data-test-id="canvas-node"][data-node-name="Create Invoice"]').dblclick();
	await page.waitForSelector('[data-test-id="ndv"]', { timeout: 20000 });
	const ndv = page.locator('[data-test-id="ndv"]');
	await page.waitForFunction('/refused/.test(document.body.innerText)', undefined, { timeout: 20000 });
	await page.waitForTimeout(1000);
	const text = await ndv.innerText();
	expect(text).toContain('1 order refused');
	expect(text).toContain(String(foreign.orderNumber));
	await shot('run-with-hints.png', 'run-with-hints.png');
	await page.keyboard.press('Escape');
	// The others were invoiced, each once.
	expect(ix.legalDocuments().length).toBeGreaterThanOrEqual(todo.length - 1);
});

it('opens every resource and operation of the InvoicExpress and ePages nodes without an error notice', async () => {
	expect(EVERY_OPERATION.filter((o) => o.type.endsWith('invoicExpress')).length).toBeGreaterThan(5);
	expect(EVERY_OPERATION.filter((o) => o.type.endsWith('ePages')).length).toBeGreaterThan(2);
	await page.goto(`${base}/workflow/exEveryOperation`);
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60000 });
	await page.waitForTimeout(1500);
	const opened: string[] = [];
	for (const op of EVERY_OPERATION) {
		await page.locator(`[data-test-id="canvas-node"][data-node-name="${op.name}"]`).dblclick({ force: true });
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.waitFor({ timeout: 20000 });
		await page.waitForTimeout(400);
		const text = await ndv.innerText();
		// The panel shows the operation's own fields, with no error notice.
		expect({ op: op.name, error: /Could not load|Error fetching|There was a problem|Unrecognized node/i.test(text) }).toEqual({ op: op.name, error: false });
		// Resource and Operation stay in the panel (n8n moves a parameter it takes for an authentication
		// selector out of it: test/unit/editorAuthField.test.ts).
		expect(text).toContain('Resource');
		expect(text).toContain('Operation');
		opened.push(op.name);
		await page.keyboard.press('Escape');
		await page.waitForTimeout(200);
	}
	await shot('every-operation.png');
	expect(opened).toHaveLength(EVERY_OPERATION.length);
});
