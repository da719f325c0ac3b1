/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * The editor, in a real browser (playwright-core driving Debian's Chromium): the package's nodes
 * render with their icons, the node panel finds them, and the InvoicExpress node loads the account's
 * taxes through the credential. Screenshots go to a folder outside git, printed below.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { ensureN8n, exampleCredentials, freePort, N8nInstance, packPackage, REPO } from './n8n';
import { ensureDebianPackages } from './services';

const OWNER = { email: 'editor-test@example.com', password: ['Editor', 'test', '2026'].join('-') };
const SHOTS = join(REPO, 'test-results', 'screenshots');

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
	await n8n.importWorkflows([JSON.parse(readFileSync(join(REPO, 'examples', '02-separate-steps.json'), 'utf8'))]);
	const port = await freePort();
	base = `http://127.0.0.1:${port}`;
	await n8n.start(port);
	browser = await chromium.launch({
		executablePath: chromiumBin,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
	});
	page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
	mkdirSync(SHOTS, { recursive: true });
	process.stderr.write(`[editor test] screenshots: ${SHOTS}\n`);
});

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
	await ix?.close();
	await shop?.close();
	expect(n8n?.secretLeaks([ix.apiKey, shop.token])).toEqual([]);
	expect(n8n?.externalHostAttempts()).toEqual([]);
	n8n?.cleanup();
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
		else await page.mouse.click(1566, 98);
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
