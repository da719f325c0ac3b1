/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * The back-office button as a web page (examples/05-invoice-one-order-form.json as shipped, active in
 * a real n8n 2.41.1, driven by Chromium as the merchant would): sign in, pick an order, set the dates,
 * see the preview, generate, read the legal number, e-mail it, press E-mail again, reload; then the
 * sandboxes say what happened: one finalized invoice with those dates, one e-mail. A refused order
 * shows its reason and creates nothing. The same form switched to ePages Beyond as its sticky note
 * says invoices, writes back and e-mails a Beyond order. With UPDATE_DOCS_PICTURES=1 the pages'
 * pictures go to docs/.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { startBeyondSandbox, type BeyondOrder, type BeyondSandbox } from '../sandbox/beyond';
import { startEPagesSandbox, type EPagesOrder, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { BEYOND_CREDENTIAL_ID, beyondCredential, ownerEnv } from './beyond-flow';
import { endE2e, ensureN8n, exampleCredentials, freePort, N8nInstance, packPackage, REPO } from './n8n';
import { ensureDebianPackages } from './services';

interface WorkflowNode {
	name: string;
	webhookId?: string;
	parameters: Record<string, unknown> & { options?: Record<string, unknown> };
	credentials?: Record<string, { id: string; name: string }>;
}
interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
}
const WORKFLOW = JSON.parse(readFileSync(join(REPO, 'examples', '05-invoice-one-order-form.json'), 'utf8')) as Workflow;
const FORM_PATH = 'faturar-encomenda';
const BEYOND_FORM_PATH = 'faturar-encomenda-beyond';

/**
 * The form as a Beyond merchant switches it, following the "ePages Beyond" paragraph of its sticky note
 * word for word: the three ePages nodes to Order (Beyond) with the Beyond credential, and Platform
 * ePages Beyond in Preview, Generate Invoice and Email Invoice. Only for this test, beside the first
 * form in the same n8n: its own id, path and webhook id.
 */
function switchedToBeyond(original: Workflow): Workflow {
	const wf = JSON.parse(JSON.stringify(original)) as Workflow;
	const node = (name: string) => wf.nodes.find((n) => n.name === name)!;
	const beyondShop = { ePagesBeyondApi: { id: BEYOND_CREDENTIAL_ID, name: 'ePages Beyond shop' } };
	wf.id = 'exInvoiceFormB05';
	wf.name = `${wf.name} (ePages Beyond)`;
	const trigger = node('Invoice an Order');
	trigger.webhookId = 'f5f0a1c2-5e7d-4b1a-9c3e-0d1e2f3a4b5d';
	trigger.parameters.options = { ...trigger.parameters.options, path: BEYOND_FORM_PATH };
	const shopNode = (name: string, parameters: Record<string, unknown>) => Object.assign(node(name), { parameters, credentials: beyondShop });
	// "Paid Orders, Not Invoiced → Get Many, Payment Status Paid"
	shopNode('Paid Orders, Not Invoiced', { resource: 'beyondOrder', operation: 'getAll', returnAll: true, beyondFilters: { paymentStatus: 'PAID' } });
	// "Recent Orders → Get Many, Order Number {{ $('Which Order').first().json.number }}"
	shopNode('Recent Orders', { resource: 'beyondOrder', operation: 'getAll', returnAll: true, beyondFilters: { orderNumber: "={{ $('Which Order').first().json.number }}" } });
	// "Get Order → Get, Order {{ $json.orderId }}"
	shopNode('Get Order', { resource: 'beyondOrder', operation: 'get', beyondOrderId: { __rl: true, mode: 'id', value: '={{ $json.orderId }}' } });
	// "in Preview, Generate Invoice and Email Invoice set Platform to ePages Beyond with that credential"
	for (const name of ['Preview', 'Generate Invoice', 'Email Invoice']) {
		const ix = node(name);
		ix.parameters.platform = 'beyond';
		// The Now credential's slot is hidden for Beyond: the merchant's editor no longer shows it.
		ix.credentials = { ...Object.fromEntries(Object.entries(ix.credentials ?? {}).filter(([type]) => type !== 'ePagesApi')), ...beyondShop };
	}
	return wf;
}
const BEYOND_WORKFLOW = switchedToBeyond(WORKFLOW);
const OWNER = { email: 'merchant@example.com', password: ['Form', 'test', '2026'].join('-') };
const SHOTS = join(REPO, 'test-results', 'screenshots');
const DOCS = join(REPO, 'docs');
const UPDATE_DOCS = process.env.UPDATE_DOCS_PICTURES === '1';

let ix: IxSandbox;
let shop: EPagesSandbox;
let beyond: BeyondSandbox;
let n8n: N8nInstance;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;

beforeAll(async () => {
	// Chromium with its Portuguese texts: the date fields then read dd/mm/aaaa, as a merchant in Portugal sees them.
	ensureDebianPackages('form test', ['chromium', 'chromium-l10n'], () => existsSync('/usr/bin/chromium') && existsSync('/usr/lib/chromium/locales/pt-PT.pak'));
	ix = await startInvoicExpressSandbox();
	shop = await startEPagesSandbox();
	beyond = await startBeyondSandbox({ seed: 'empty' });
	const install = await ensureN8n();
	n8n = new N8nInstance(install, ownerEnv(install, { email: OWNER.email, password: OWNER.password, firstName: 'Ana', lastName: 'Lojista' }));
	await n8n.installPackage(await packPackage());
	await n8n.importCredentials([...exampleCredentials(ix, shop), beyondCredential(beyond)]);
	await n8n.importWorkflows([WORKFLOW, BEYOND_WORKFLOW]);
	// Published (active): the form answers at its production URL, /form/<path>.
	for (const wf of [WORKFLOW, BEYOND_WORKFLOW]) {
		const published = await n8n.cli(['publish:workflow', `--id=${wf.id}`]);
		if (published.code !== 0) throw new Error(`publish failed: ${published.stdout}\n${published.stderr}`);
	}
	const port = await freePort();
	base = `http://127.0.0.1:${port}`;
	await n8n.start(port);
	browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		// A Portuguese browser: the date fields show dd/mm/aaaa, as the merchant sees them.
		// (the date field's format follows the browser process's language, not the page's locale).
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--lang=pt-PT'],
		env: { ...process.env, LANG: 'pt_PT.UTF-8', LANGUAGE: 'pt_PT:pt' },
	});
	context = await browser.newContext({ viewport: { width: 860, height: 900 }, locale: 'pt-PT', timezoneId: 'Europe/Lisbon' });
	page = await context.newPage();
	mkdirSync(SHOTS, { recursive: true });
	process.stderr.write(`[form test] screenshots: ${SHOTS}\n`);
});

afterAll(async () => {
	await endE2e({ n8n, first: [browser], services: [ix, shop, beyond],
		// Every token the Beyond shop issued too.
		secrets: () => [ix.apiKey, shop.token, beyond.clientSecret, ...new Set(beyond.requests.map((r) => String(r.headers.authorization ?? '')).filter((h) => h.startsWith('Bearer ')).map((h) => h.slice(7)))],
	});
});

/** The form's card with a margin around it (the rest of the page is empty). */
async function shot(name: string, toDocs = true): Promise<void> {
	const file = join(SHOTS, name);
	const card = (await page.locator('.card').first().boundingBox())!;
	const width = page.viewportSize()!.width;
	const left = Math.max(0, card.x - 24);
	await page.screenshot({ path: file, fullPage: true, clip: { x: left, y: 0, width: Math.min(width - left, card.width + 48), height: card.y + card.height + 24 } });
	if (toDocs && UPDATE_DOCS) {
		mkdirSync(DOCS, { recursive: true });
		copyFileSync(file, join(DOCS, name));
	}
}

/** The page's title (the form's h1) and its whole text. */
const heading = async () => ((await page.locator('h1').first().textContent()) ?? '').trim();
const text = async () => page.locator('body').innerText();

/**
 * Presses the page's button and waits for the next page to be loaded: every page of an n8n form lives
 * at the same URL, so the wait is for a new document, not for another address.
 */
async function submit(button: 'click' | 'dblclick' = 'click'): Promise<string> {
	await page.evaluate(() => ((globalThis as unknown as { formPageBefore: boolean }).formPageBefore = true));
	await page.locator('#submit-btn')[button]();
	await page.waitForFunction(
		() => {
			const g = globalThis as unknown as { formPageBefore?: boolean; document: { readyState: string; querySelector(s: string): unknown } };
			return !g.formPageBefore && g.document.readyState === 'complete' && g.document.querySelector('h1') !== null;
		},
		undefined,
		{ timeout: 120000 },
	);
	return heading();
}

/**
 * Opens the form's production URL. The form asks for an n8n login (Authentication: n8n User Auth), the
 * first time also for the user's consent; then its first page shows.
 */
async function openForm(path = FORM_PATH): Promise<void> {
	// /healthz answers before every route is mounted: retry until the form route redirects to the login.
	for (let attempt = 0; ; attempt++) {
		const res = await page.goto(`${base}/form/${path}`);
		if (res && res.status() < 400) break;
		if (attempt > 60) throw new Error(`the form did not answer: ${res?.status()}`);
		await page.waitForTimeout(2000);
	}
	const signIn = page.locator('input[type="password"]');
	const allow = page.locator('button:has-text("Allow access")');
	const form = page.locator('#submit-btn');
	await signIn.or(allow).or(form).first().waitFor({ timeout: 60000 });
	if (await signIn.isVisible()) {
		await page.locator('input[type="email"], input[name="emailOrLdapLoginId"]').first().fill(OWNER.email);
		await signIn.fill(OWNER.password);
		await page.locator('button:has-text("Sign in")').first().click();
		await allow.or(form).first().waitFor({ timeout: 60000 });
	}
	if (await allow.isVisible()) await allow.click();
	await form.waitFor({ timeout: 60000 });
}

/** Polls the execution's status, as the form's own script does before it moves to the next page. */
async function waitUntilFormWaits(formUrl: string): Promise<void> {
	const status = formUrl.replace('?', '/n8n-execution-status?');
	for (let i = 0; i < 240; i++) {
		if ((await (await context.request.get(status)).text()).trim() === 'form-waiting') return;
		await page.waitForTimeout(250);
	}
	throw new Error('the form did not wait for an answer again');
}

const lisbonDay = (offsetDays = 0) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Lisbon' }).format(new Date(Date.now() + offsetDays * 86400000));
const ixDate = (iso: string) => iso.split('-').reverse().join('/');
const who = (o: EPagesOrder) => [o.billingAddress.firstName, o.billingAddress.lastName].filter(Boolean).join(' ');
const label = (o: EPagesOrder) => `${o.orderNumber} · ${who(o)} · ${Number(o.grandTotal).toFixed(2)} €`;
const todo = () => shop.orders.filter((o) => o.paidOn && !o.invoicedOn).sort((a, b) => b.creationDate.localeCompare(a.creationDate));
const emailsOf = (documentId: number) => ix.state.emails.filter((e) => e.documentId === documentId);

let invoiced: EPagesOrder;

it('invoices the order picked, with the dates chosen, once; e-mails it once, however often E-mail is pressed', async () => {
	await openForm();
	expect(await heading()).toBe('Faturar uma encomenda');
	await shot('form-1-start.png');

	// Page 1: the paid orders not yet invoiced, newest first, as "10242 · Beatriz Fonseca · 42.40 €".
	expect(await submit()).toBe('Faturar uma encomenda');
	const orders = todo();
	expect(orders.length).toBeGreaterThan(2);
	const select = page.getByLabel('Encomenda paga por faturar');
	const offered = (await select.locator('option').allTextContents()).map((s) => s.trim()).filter((s) => !s.startsWith('Select'));
	expect(offered).toEqual(orders.map(label));
	// Not the newest (the default): the second one, with a due date of 15 days instead of the usual 30.
	invoiced = orders[1];
	await select.selectOption({ label: label(invoiced) });
	expect(await page.getByLabel('Data da fatura').inputValue()).toBe(lisbonDay());
	expect(await page.getByLabel('Data de vencimento').inputValue()).toBe(lisbonDay(30));
	await page.getByLabel('Data de vencimento').fill(lisbonDay(15));
	await page.locator('h1').first().click();
	await shot('form-2-choose.png');
	const requestsBefore = ix.requests.length;

	// Page 2: the preview, from a dry run: nothing legal is issued yet.
	expect(await submit()).toBe(`Fatura da encomenda ${invoiced.orderNumber}`);
	const preview = await text();
	expect(preview).toContain(who(invoiced));
	expect(preview).toMatch(new RegExp(`Total\\s+${Number(invoiced.grandTotal).toFixed(2)} €`));
	expect(preview).toMatch(/IVA \d+ % sobre/);
	expect(preview).toContain(`data ${ixDate(lisbonDay())} · vencimento ${ixDate(lisbonDay(15))}`);
	expect(preview).toContain('Nada foi emitido ainda');
	expect(ix.state.documents).toHaveLength(0);
	expect(ix.requests.slice(requestsBefore).filter((r) => r.method !== 'GET')).toEqual([]);
	await shot('form-3-preview.png');
	// What this page sends, kept to send it again later (a back button, a second tab, a re-post).
	const confirmFields = await page.evaluate(() => {
		const form = (globalThis as unknown as { document: { querySelector(s: string): { elements: Iterable<{ name: string; value: string }> } } }).document.querySelector('#n8n-form');
		return [...form.elements].filter((e) => e.name).map((e) => [e.name, e.value] as [string, string]);
	});
	const formUrl = page.url();

	// Generate, with a double click: one invoice.
	const title = await submit('dblclick');
	const documents = ix.legalDocuments().filter((d) => d.reference === invoiced.orderNumber);
	expect(documents).toHaveLength(1);
	const doc = documents[0];
	const legal = `FT ${doc.inverted_sequence_number}`;
	expect(title).toBe(`Fatura ${legal} emitida`);
	const result = await text();
	expect(result).toContain(legal);
	expect(result).toContain(String(doc.atcud));
	expect(result).toMatch(new RegExp(`Total\\s+${doc.total.toFixed(2)} €`));
	expect(result).toContain(`${who(invoiced)} (cliente criado no InvoicExpress)`);
	expect(result).toContain('Ainda não foi enviada');
	expect(await page.locator('a', { hasText: 'Abrir o PDF' }).getAttribute('href')).toBe(`${ix.url}/files/${doc.id}.pdf`);
	expect({ date: doc.date, due: doc.due_date, status: doc.status }).toEqual({ date: ixDate(lisbonDay()), due: ixDate(lisbonDay(15)), status: 'final' });
	expect(shop.orders.find((o) => o.orderId === invoiced.orderId)!.invoicedOn).toBeTruthy();
	expect(ix.state.emails).toHaveLength(0);
	await shot('form-4-result.png');

	// The preview page sent again once the invoice exists: it reaches the result page's step, whose
	// token it does not carry, and the result page shows again. Nothing is issued or sent.
	const again = await context.request.post(formUrl, { multipart: Object.fromEntries(confirmFields) });
	expect(again.status()).toBe(200);
	// n8n answers a page's POST before the run is stored as waiting again, and leaves a GET of a
	// running execution unanswered (waiting-forms.js): reload once the form waits, as n8n's own page script does.
	await waitUntilFormWaits(formUrl);
	await page.reload();
	await page.locator('#submit-btn').waitFor();
	expect(await heading()).toBe(`Fatura ${legal} emitida`);
	expect(ix.state.documents.filter((d) => d.reference === invoiced.orderNumber)).toHaveLength(1);
	expect(ix.state.emails).toHaveLength(0);

	// E-mail: sent once, to the order's address.
	expect(await submit()).toBe(`Fatura ${legal} emitida`);
	const to = invoiced.billingAddress.emailAddress;
	expect(await text()).toContain(`Enviada por e-mail para ${to}`);
	expect(emailsOf(doc.id).map((e) => e.to)).toEqual([to]);
	// Marked in the order's note before it was sent: what makes it once, in any run.
	expect(String(shop.orders.find((o) => o.orderId === invoiced.orderId)!.internalNote)).toContain(`(id ${doc.id}) e-mailed to ${to}`);
	await shot('form-5-emailed.png', false);

	// Pressed again: already sent, nothing sent.
	await submit();
	expect(await text()).toContain(`Esta fatura já foi enviada para ${to}: não foi enviada de novo.`);
	expect(emailsOf(doc.id)).toHaveLength(1);
	await shot('form-6-already-sent.png');

	// Reloaded: the same result page, and still one invoice, one e-mail.
	await page.reload();
	await page.locator('#submit-btn').waitFor();
	expect(await heading()).toBe(`Fatura ${legal} emitida`);
	expect(await text()).toContain('já foi enviada');
	expect(ix.legalDocuments().filter((d) => d.reference === invoiced.orderNumber)).toHaveLength(1);
	expect(ix.state.documents).toHaveLength(1);
	expect(emailsOf(doc.id)).toHaveLength(1);
	expect(ix.state.emails).toHaveLength(1);
});

it('e-mailed as soon as it is issued when asked, then the button says it was sent already', async () => {
	const order = todo()[0];
	await openForm();
	await submit();
	await page.getByLabel('Encomenda paga por faturar').selectOption({ label: label(order) });
	await page.getByLabel('Enviar a fatura ao cliente por e-mail logo que emitida').check();
	await submit();
	const title = await submit();
	const doc = ix.legalDocuments().find((d) => d.reference === order.orderNumber)!;
	expect(title).toBe(`Fatura FT ${doc.inverted_sequence_number} emitida`);
	const to = order.billingAddress.emailAddress;
	expect(await text()).toContain(`Enviada por e-mail para ${to}.`);
	expect(emailsOf(doc.id).map((e) => e.to)).toEqual([to]);
	// The write-back marked the note with the address; Email Invoice of ePages Order reads that mark.
	expect(String(shop.orders.find((o) => o.orderId === order.orderId)!.internalNote)).toContain(`(id ${doc.id}) e-mailed to ${to}`);
	await submit();
	expect(await text()).toContain(`Esta fatura já foi enviada para ${to}: não foi enviada de novo.`);
	expect(emailsOf(doc.id)).toHaveLength(1);
});

it('a refused order (an invalid NIF) shows what to fix, and nothing is created', async () => {
	const bad = todo()[0];
	shop.updateOrder(bad.orderId, { billingAddress: { ...bad.billingAddress, country: 'PT', vatId: '123456780' } } as never);
	const documents = ix.state.documents.length;
	const clients = ix.state.clients.length;
	await openForm();
	await submit();
	await page.getByLabel('Encomenda paga por faturar').selectOption({ label: label(bad) });
	expect(await submit()).toBe(`Encomenda ${bad.orderNumber} não faturada`);
	const refusal = await text();
	expect(refusal).toContain('O NIF 123456780 da encomenda não é um NIF português válido. Corrija-o na morada de faturação da encomenda');
	expect(refusal).toContain('Nada foi emitido.');
	expect(refusal).not.toMatch(/at \w+ \(|stack|Problem submitting/i);
	expect(ix.state.documents).toHaveLength(documents);
	expect(ix.state.clients).toHaveLength(clients);
	expect(shop.orders.find((o) => o.orderId === bad.orderId)!.invoicedOn).toBeNull();
	await shot('form-7-refused.png');
});

it('an order number typed in that is already invoiced is refused with its invoice, before any preview', async () => {
	const requests = ix.requests.length;
	await openForm();
	await submit();
	await page.getByLabel('Ou o número de outra encomenda').fill(invoiced.orderNumber);
	expect(await submit()).toBe(`Encomenda ${invoiced.orderNumber} não faturada`);
	const doc = ix.legalDocuments().find((d) => d.reference === invoiced.orderNumber)!;
	expect(await text()).toContain(`A encomenda ${invoiced.orderNumber} já foi faturada (FT ${doc.inverted_sequence_number})`);
	// Refused from the shop's own mark: InvoicExpress was not asked.
	expect(ix.requests.length).toBe(requests);
	expect(ix.state.documents).toHaveLength(2);
});

it('switched to ePages Beyond as its sticky note says: offers the paid orders not invoiced, invoices the one picked once, writes it into the order note, e-mails it once', async () => {
	// Paid orders with an e-mail address (the sandbox leaves some guests without one), and one unpaid.
	const paid: BeyondOrder[] = [];
	while (paid.length < 3) {
		const order = beyond.addOrder();
		if (order.billingAddress.email) paid.push(beyond.setPaymentStatus(order._id, 'PAID'));
	}
	const unpaid = beyond.addOrder();
	const documentsBefore = ix.state.documents.length;
	await openForm(BEYOND_FORM_PATH);
	expect(await submit()).toBe('Faturar uma encomenda');
	const select = page.getByLabel('Encomenda paga por faturar');
	const offered = (await select.locator('option').allTextContents()).map((s) => s.trim()).filter((s) => !s.startsWith('Select'));
	const numberOf = (option: string) => option.split(' · ')[0];
	expect(offered.map(numberOf).sort()).toEqual(paid.map((o) => o.orderNumber).sort());
	expect(offered.map(numberOf)).not.toContain(unpaid.orderNumber);
	const picked = paid[1];
	const option = offered.find((o) => numberOf(o) === picked.orderNumber)!;
	expect(option).toContain(`${picked.billingAddress.firstName} ${picked.billingAddress.lastName}`);
	expect(option).toContain(`${picked.grandTotal.amount.toFixed(2)} €`);
	await select.selectOption({ label: option });

	// The preview (a dry run), then Gerar fatura: one legal invoice, of the order's total.
	expect(await submit()).toBe(`Fatura da encomenda ${picked.orderNumber}`);
	expect(await text()).toMatch(new RegExp(`Total\\s+${picked.grandTotal.amount.toFixed(2)} €`));
	expect(ix.state.documents).toHaveLength(documentsBefore);
	const title = await submit();
	const docs = ix.legalDocuments().filter((d) => d.reference === picked.orderNumber);
	expect(docs).toHaveLength(1);
	const doc = docs[0];
	expect(title).toBe(`Fatura FT ${doc.inverted_sequence_number} emitida`);
	expect(doc.total).toBeCloseTo(picked.grandTotal.amount, 2);
	// Written back into the Beyond order's note.
	const note = () => String(beyond.orders.find((o) => o._id === picked._id)!.orderNote);
	expect(note()).toContain(`InvoicExpress FT ${doc.inverted_sequence_number} (id ${doc.id})`);

	// E-mailed once to the order's address; pressed again, nothing is sent.
	const to = picked.billingAddress.email!;
	expect(await submit()).toBe(`Fatura FT ${doc.inverted_sequence_number} emitida`);
	expect(await text()).toContain(`Enviada por e-mail para ${to}`);
	expect(emailsOf(doc.id).map((e) => e.to)).toEqual([to]);
	expect(note()).toContain(`(id ${doc.id}) e-mailed to ${to}`);
	await submit();
	expect(await text()).toContain(`Esta fatura já foi enviada para ${to}: não foi enviada de novo.`);
	expect(emailsOf(doc.id)).toHaveLength(1);

	// Opened again: the invoiced order is no longer offered.
	await openForm(BEYOND_FORM_PATH);
	await submit();
	const left = (await page.getByLabel('Encomenda paga por faturar').locator('option').allTextContents()).map((s) => numberOf(s.trim()));
	expect(left).not.toContain(picked.orderNumber);
	expect(left).toContain(paid[0].orderNumber);
	expect(ix.legalDocuments().filter((d) => d.reference === picked.orderNumber)).toHaveLength(1);
});

it('the workflow opens in the editor with every node known', async () => {
	// The browser is signed in to n8n (the form asked for it).
	await page.setViewportSize({ width: 1600, height: 1000 });
	await page.goto(`${base}/workflow/${WORKFLOW.id}`);
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60000 });
	// The editor's first-visit checklist covers the sticky note.
	const checklist = page.locator('text=Production Checklist');
	if (await checklist.isVisible()) await checklist.locator('xpath=..').locator('button, [role=button], svg').last().click().catch(() => undefined);
	const names = await page.locator('[data-test-id="canvas-node"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-name')));
	expect(names).toEqual(expect.arrayContaining(['Invoice an Order', 'Choose Order', 'Preview', 'Confirm', 'Generate Invoice', 'Result', 'Email Invoice', 'Not Invoiced']));
	expect(await page.locator('text=/install this node|unknown node/i').count()).toBe(0);
	await page.locator('[data-test-id="canvas-node"][data-node-name="Generate Invoice"]').waitFor();
	await page.waitForTimeout(1500);
	await page.screenshot({ path: join(SHOTS, 'form-workflow.png') });
	if (UPDATE_DOCS) copyFileSync(join(SHOTS, 'form-workflow.png'), join(DOCS, 'form-workflow.png'));
});
