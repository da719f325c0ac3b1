/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Issue 23 in a real n8n: examples/06-monthly-reconciliation.json as shipped (only the credentials
 * point at the sandboxes and at a mail sink on loopback), run from its "Reconcile Now" start over a
 * planted last month: two clean orders, a paid order never invoiced and a draft left beside an invoice
 * (both repaired), two invoices for one order and an invoice whose total differs (both for a person).
 * The accountant gets one e-mail with the CSV and the HTML report attached; the HTML names the
 * planted findings and what was repaired, and renders in Chromium fetching nothing; the run ends red
 * naming what needs a person.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { IDataObject } from 'n8n-workflow';

import { addDays, lisbonDay, periodLabel, previousMonth } from '../../nodes/link/reconcile/period';
import { runNode } from '../harness/n8n';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxDocument, type IxSandbox } from '../sandbox/invoicexpress';
import { endE2e, ensureN8n, exampleCredentials, N8nInstance, nodeOutput, packPackage, REPO, smtpCredential } from './n8n';
import { ensureDebianPackages } from './services';
import { mimeParts, startSmtpSink, type SmtpSink } from './smtpSink';

const WORKFLOW = 'exMonthlyRecon06';
const PERIOD = previousMonth(lisbonDay(new Date().toISOString()) as string);
const DAY = addDays(PERIOD.from, 9);
const LABEL = periodLabel(PERIOD);

let ix: IxSandbox;
let shop: EPagesSandbox;
let sink: SmtpSink;
let n8n: N8nInstance;

const credentials = () => ({
	invoicExpressApi: { accountName: 'sandboxshop', apiKey: ix.apiKey, baseUrl: ix.url },
	ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token },
});

let customer = 0;
function order(): IDataObject {
	customer++;
	const billingAddress = { firstName: 'Cliente', lastName: `Número ${customer}`, street: 'Rua do Ouro 10', zipCode: '1100-060', city: 'Lisboa', country: 'PT', emailAddress: `cliente${customer}@example.com` };
	return shop.addOrder({ customerId: null, paidOn: `${DAY}T12:05:00.000Z`, billingAddress } as never, { creationDate: `${DAY}T12:00:00.000Z` }) as unknown as IDataObject;
}

/** The month's invoicing as example 01 does it (e-mailed, written back), dated the day the orders were placed. */
async function invoice(o: IDataObject): Promise<IxDocument> {
	const run = await runNode({
		type: 'invoicExpress',
		parameters: createFromOrderParameters({ sendEmail: true, connectEPages: true, writeBack: true }, { date: DAY, taxExemption: 'M99' }),
		credentials: credentials(),
		input: [o],
	});
	if (run.error) throw run.error;
	return ix.state.documents.find((d) => d.id === run.items[0].json.document_id)!;
}

function copyOf(doc: IxDocument, over: Partial<IxDocument>): IxDocument {
	const copy = { ...(JSON.parse(JSON.stringify(doc)) as IxDocument), id: doc.id + 5000, proprietary_uid: null, ...over };
	ix.state.documents.push(copy);
	return copy;
}

const planted: Record<string, string> = {};

beforeAll(async () => {
	ix = await startInvoicExpressSandbox({ rateLimitPerWindow: 1_000_000 });
	shop = await startEPagesSandbox({ seed: 'empty' });
	sink = await startSmtpSink();
	await invoice(order());
	await invoice(order());
	planted.notInvoiced = String(order().orderNumber);
	const duplicate = order();
	copyOf(await invoice(duplicate), { inverted_sequence_number: 'A/90', sequence_number: '90/A' });
	planted.duplicateInvoices = String(duplicate.orderNumber);
	const mismatch = order();
	(await invoice(mismatch)).total += 5;
	planted.totalMismatch = String(mismatch.orderNumber);
	const drafted = order();
	copyOf(await invoice(drafted), { status: 'draft', inverted_sequence_number: null, sequence_number: 'rascunho', atcud: null });
	planted.draftLeft = String(drafted.orderNumber);

	n8n = new N8nInstance(await ensureN8n());
	await n8n.installPackage(await packPackage());
	await n8n.importCredentials([...exampleCredentials(ix, shop), smtpCredential(sink.port)]);
	await n8n.importWorkflows([JSON.parse(readFileSync(join(REPO, 'examples', '06-monthly-reconciliation.json'), 'utf8')) as object]);
});

afterAll(async () => {
	await endE2e({ n8n, services: [ix, shop, sink], secrets: () => [ix.apiKey, shop.token] });
});

it('e-mails the report with both files, repairs what is safe, and ends red naming what needs a person', async () => {
	const { code, run } = await n8n.executeOk(WORKFLOW);
	const [result] = nodeOutput(run, 'Reconcile Last Month');
	expect(result).toMatchObject({ period: { from: PERIOD.from, to: PERIOD.to, label: LABEL }, findings_count: 4, repaired: 2, needs_person: 2 });
	const kinds = (result.findings as IDataObject[]).map((f) => `${String(f.kind)} ${String(f.order_number)} ${String(f.repair)}`).sort();
	expect(kinds).toEqual(
		[`notInvoiced ${planted.notInvoiced} repaired`, `duplicateInvoices ${planted.duplicateInvoices} null`, `totalMismatch ${planted.totalMismatch} null`, `draftLeft ${planted.draftLeft} repaired`].sort(),
	);
	// The repairs happened in the services: the order invoiced once, the draft deleted.
	expect(ix.legalDocuments().filter((d) => d.reference === planted.notInvoiced && d.status === 'final')).toHaveLength(1);
	expect(ix.state.documents.filter((d) => d.reference === planted.draftLeft && d.status === 'draft')).toEqual([]);

	// Red: the Stop and Error names what needs a person.
	expect(code).not.toBe(0);
	const error = run.data.resultData.error?.message ?? '';
	expect(error).toMatch(new RegExp(`^Reconciliation .*: 2 findings need a person: Two legal invoices for one order \\(1: ${planted.duplicateInvoices}\\); Invoice total differs from the order \\(1: ${planted.totalMismatch}\\)\\. The report says what to do\\.$`));

	// One e-mail, to the accountant, with the two files.
	expect(sink.messages).toHaveLength(1);
	const mail = sink.messages[0];
	expect(mail).toMatchObject({ from: 'loja@example.com', to: ['contabilista@example.com'] });
	expect(mail.data).toMatch(new RegExp(`^Subject: Reconciliation ${LABEL}: 2 finding\\(s\\) need a person`, 'm'));
	const parts = mimeParts(mail.data);
	const file = (name: string) => parts.find((p) => p.fileName === name);
	const csv = file(`reconciliation-${LABEL}.csv`)?.body.toString('utf8') ?? '';
	const html = file(`reconciliation-${LABEL}.html`)?.body.toString('utf8') ?? '';
	expect(csv.startsWith('\uFEFFperiod;kind;problem;order_number;')).toBe(true);
	expect(csv.split('\r\n').filter(Boolean)).toHaveLength(5);
	expect(html).toContain('4 findings: 2 repaired, 2 need a person.');
	for (const [kind, number] of Object.entries(planted)) expect(html).toMatch(new RegExp(`<tr data-kind="${kind}"><td>[^<]+</td><td>${number}</td>`));
	const body = parts.find((p) => !p.fileName)?.body.toString('utf8') ?? '';
	expect(body).toContain('Findings: 4, repaired by the workflow: 2.');

	// The attachment as the accountant opens it: Chromium, every request blocked.
	const bin = '/usr/bin/chromium';
	ensureDebianPackages('reconcile e2e test', ['chromium'], () => existsSync(bin));
	const browser = await chromium.launch({ executablePath: bin, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
	try {
		const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
		const requests: string[] = [];
		await page.route('**/*', async (route) => {
			requests.push(route.request().url());
			await route.abort();
		});
		await page.setContent(html, { waitUntil: 'load' });
		expect(await page.textContent('[data-test=banner]')).toBe('4 findings: 2 repaired, 2 need a person.');
		expect(await page.$$eval('[data-test=repair]', (tags) => tags.map((t) => t.textContent))).toEqual(['repaired', 'repaired']);
		const shots = join(REPO, 'test-results', 'screenshots');
		mkdirSync(shots, { recursive: true });
		await page.screenshot({ path: join(shots, 'reconcile-emailed-report.png'), fullPage: true });
		expect(requests).toEqual([]);
	} finally {
		await browser.close();
	}
});
