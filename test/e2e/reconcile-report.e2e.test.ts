/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Issue 23: the reconciliation's HTML report renders in a real browser (playwright-core driving
 * Debian's Chromium, as the editor test does; no n8n needed). The page of a planted month is loaded
 * with every request blocked (it must need none), and what a reader sees is checked: the title, the
 * counts, the findings' rows and the chart's bars. The screenshot goes to test-results/screenshots/,
 * and to docs/reconciliation-report.png only with UPDATE_DOCS_PICTURES=1.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

import { reportHtml } from '../../nodes/link/reconcile/report';
import { busyMonthResult } from '../fixtures/reconcileMonth';
import { REPO } from './n8n';
import { ensureDebianPackages } from './services';

const SHOTS = join(REPO, 'test-results', 'screenshots');
const DOCS = join(REPO, 'docs');
const UPDATE_DOCS = process.env.UPDATE_DOCS_PICTURES === '1';

let browser: Browser;
let page: Page;
const requests: string[] = [];
const errors: string[] = [];
const result = busyMonthResult();

beforeAll(async () => {
	const bin = '/usr/bin/chromium';
	ensureDebianPackages('reconcile report test', ['chromium'], () => existsSync(bin));
	browser = await chromium.launch({
		executablePath: bin,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
	});
	page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
	page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
	page.on('pageerror', (e) => errors.push(e.message));
	// The report must need nothing from the network: any request fails, and is counted.
	await page.route('**/*', async (route) => {
		requests.push(route.request().url());
		await route.abort();
	});
	await page.setContent(reportHtml(result), { waitUntil: 'load' });
	mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
	await browser?.close();
});

it('renders the title, the banner and the counts per kind, fetching nothing', async () => {
	expect(await page.title()).toBe('Reconciliation Loja da Ana — November 2026');
	expect(await page.textContent('[data-test=title]')).toBe('Reconciliation Loja da Ana — November 2026');
	expect(await page.textContent('[data-test=banner]')).toBe('13 findings: 7 need a person, 6 can be repaired.');
	const counts = await page.$$eval('table.counts tbody tr', (rows) => rows.map((r) => [r.getAttribute('data-kind'), r.querySelector('[data-test=count]')?.textContent]));
	expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(Object.entries(result.summary.counts).map(([k, n]) => [k, String(n)])));
	expect(requests).toEqual([]);
	expect(errors).toEqual([]);
});

it('lists one row per finding, with the order and what to do', async () => {
	const rows = await page.$$eval('table[data-test=findings] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as { innerText: string }).innerText.trim())));
	expect(rows).toHaveLength(result.findings.length);
	expect(rows[0].slice(0, 2)).toEqual(['Paid, not invoiced', '2001']);
	expect(rows[0][4]).toMatch(/order 2001 is paid \(2026-11-15\) but has no invoice/);
	const mismatch = rows.find((r) => r[1] === '2004') as string[];
	expect(mismatch[3]).toContain('difference -7.00 EUR');
});

it('draws the chart: a shop bar and a documents bar per day, visible, and marks the days that differ', async () => {
	const bars = await page.$$eval('svg[data-test=chart] rect.bar', (rects) =>
		rects.map((r) => ({ kind: r.getAttribute('data-kind'), day: r.getAttribute('data-day'), height: r.getBoundingClientRect().height })),
	);
	expect(bars.filter((b) => b.kind === 'shop')).toHaveLength(30);
	expect(bars.filter((b) => b.kind === 'documents')).toHaveLength(30);
	expect(bars.every((b) => b.height > 0)).toBe(true);
	const svg = await page.$eval('svg[data-test=chart]', (s) => s.getBoundingClientRect());
	expect(svg.width).toBeGreaterThan(900);
	expect(svg.height).toBeGreaterThan(200);
	const marked = await page.$$eval('svg[data-test=chart] circle.mismatch', (c) => c.length);
	expect(marked).toBe(result.summary.byDay[0].days.filter((d) => d.shopCents !== d.documentsCents).length);
	expect(marked).toBeGreaterThan(0);
});

it('shows the totals, the VAT per rate and the series as tables', async () => {
	const totals = await page.$$eval('table[data-test=totals] tbody td', (tds) => tds.map((td) => td.textContent));
	expect(totals.slice(0, 3)).toEqual(['EUR', String(result.summary.totals[0].shopOrders), '6,511.50 EUR']);
	const vat = await page.$$eval('table[data-test=vat] tbody tr', (trs) => trs.map((tr) => tr.children[1].textContent));
	expect(vat).toEqual(['23 %', '6 %', 'rate unknown']);
	expect(await page.$$eval('table[data-test=series] tbody tr', (trs) => trs.length)).toBe(result.summary.series.length);
});

it('writes the screenshot', async () => {
	const file = join(SHOTS, 'reconciliation-report.png');
	writeFileSync(join(SHOTS, 'reconciliation-report.html'), reportHtml(result));
	await page.screenshot({ path: file, fullPage: true });
	// The README's picture: the page down to the first findings (the summary, the chart, the tables).
	const top = join(SHOTS, 'reconciliation-report-top.png');
	const cut = await page.$eval('table[data-test=findings] tbody tr:nth-child(5)', (tr) => tr.getBoundingClientRect().bottom + 1);
	await page.screenshot({ path: top, fullPage: true, clip: { x: 0, y: 0, width: 1200, height: Math.ceil(cut) } });
	process.stderr.write(`[reconcile report test] screenshots: ${file}, ${top}\n`);
	if (UPDATE_DOCS) {
		mkdirSync(DOCS, { recursive: true });
		copyFileSync(top, join(DOCS, 'reconciliation-report.png'));
	}
	expect(existsSync(file) && existsSync(top)).toBe(true);
});
