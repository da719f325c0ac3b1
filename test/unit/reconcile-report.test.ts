/**
 * Issue 23: the reconciliation's report files (nodes/link/reconcile/report.ts): the CSV's quoting
 * and byte order mark, the HTML's escaping of what customers typed, and the files' names. The page's
 * rendering in a browser is test/e2e/reconcile-report.e2e.test.ts.
 */
import { monthPeriod } from '../../nodes/link/reconcile/period';
import { dayChart, esc, KIND_LABELS, periodTitle, reportCsv, reportFileNames, reportHtml } from '../../nodes/link/reconcile/report';
import type { ReconcileResult } from '../../nodes/link/reconcile/plan';
import type { Finding } from '../../nodes/link/reconcile/findings';
import { cleanMonth, everyKindResult, ixItem, nowItem, reconcile } from '../fixtures/reconcileMonth';

/** A minimal RFC 4180 reader: enough to prove that what the writer quoted reads back whole. */
function parseCsv(text: string, sep = ','): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (c === '"') quoted = false;
			else cell += c;
		} else if (c === '"') quoted = true;
		else if (c === sep) {
			row.push(cell);
			cell = '';
		} else if (c === '\r' && text[i + 1] === '\n') {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
			i++;
		} else cell += c;
	}
	return rows;
}

const hostile = (result: ReconcileResult, change: Partial<Finding>): ReconcileResult => ({ ...result, findings: [{ ...result.findings[0], ...change }, ...result.findings.slice(1)] });

describe('file names', () => {
	it('name the period: a month, or its first and last day', () => {
		expect(reportFileNames(monthPeriod('2026-11'))).toEqual({ csv: 'reconciliation-2026-11.csv', html: 'reconciliation-2026-11.html' });
		expect(reportFileNames({ from: '2026-11-03', to: '2026-11-20' })).toEqual({ csv: 'reconciliation-2026-11-03_2026-11-20.csv', html: 'reconciliation-2026-11-03_2026-11-20.html' });
		expect(periodTitle(monthPeriod('2026-02'))).toBe('February 2026');
		expect(periodTitle({ from: '2026-11-03', to: '2026-11-20' })).toBe('2026-11-03 – 2026-11-20');
	});
});

describe('reportCsv', () => {
	const result = everyKindResult();

	it('starts with a UTF-8 byte order mark and a header, one CRLF line per finding', () => {
		const csv = reportCsv(result);
		expect(csv.charCodeAt(0)).toBe(0xfeff);
		expect(csv.endsWith('\r\n')).toBe(true);
		const rows = parseCsv(csv.slice(1));
		expect(rows[0]).toEqual(['period', 'kind', 'problem', 'order_number', 'order_id', 'documents', 'document_ids', 'statuses', 'currency', 'order_total', 'documents_total', 'difference', 'repairable', 'what_to_do', 'repair']);
		expect(rows).toHaveLength(result.findings.length + 1);
		const mismatch = rows.find((r) => r[1] === 'totalMismatch') as string[];
		expect(mismatch.slice(0, 4)).toEqual(['2026-11', 'totalMismatch', KIND_LABELS.totalMismatch, '2004']);
		expect(mismatch.slice(8, 13)).toEqual(['EUR', '130.00', '123.00', '-7.00', 'no']);
		expect(rows.find((r) => r[1] === 'notInvoiced')?.[12]).toBe('yes');
	});

	it('quotes commas, quotes and line breaks, and keeps accents, so every cell reads back whole', () => {
		const text = 'Devolução, "urgente"\nlinha 2; fim';
		const csv = reportCsv(hostile(result, { orderNumber: 'Nº 1,5', message: text }));
		expect(csv).toContain('"Devolução, ""urgente""\nlinha 2; fim"');
		const row = parseCsv(csv.slice(1))[1];
		expect(row[3]).toBe('Nº 1,5');
		expect(row[13]).toBe(text);
		// With ';' (a spreadsheet set to Portuguese): the ';' in the text is what gets quoted.
		const semi = parseCsv(reportCsv(hostile(result, { message: text }), { separator: ';' }).slice(1), ';');
		expect(semi[0][0]).toBe('period');
		expect(semi[1][13]).toBe(text);
	});

	it('never lets a cell typed by a customer run as a spreadsheet formula', () => {
		const csv = reportCsv(hostile(result, { orderNumber: '=HYPERLINK("http://x.example","click")', orderId: '+1', message: '@SUM(A1)' }));
		const row = parseCsv(csv.slice(1))[1];
		expect(row[3]).toBe('\'=HYPERLINK("http://x.example","click")');
		expect(row[4]).toBe("'+1");
		expect(row[13]).toBe("'@SUM(A1)");
	});

	it('of a clean month is the header alone', () => {
		expect(reportCsv(reconcile(cleanMonth()))).toBe(`\uFEFF${'period,kind,problem,order_number,order_id,documents,document_ids,statuses,currency,order_total,documents_total,difference,repairable,what_to_do,repair'}\r\n`);
	});
});

describe('reportHtml', () => {
	const result = everyKindResult();

	it('is one self-contained page: inline style, no script, nothing fetched', () => {
		const html = reportHtml(result);
		expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
		expect(html).toContain('<meta charset="utf-8">');
		expect(html).toContain('<style>');
		expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|@import|url\(/i);
		expect(html).toMatch(/<title>Reconciliation Loja da Ana — November 2026<\/title>/);
	});

	it('escapes every text that came from the shop or InvoicExpress', () => {
		const evil = '<script>alert("x")</script>';
		const html = reportHtml(
			hostile({ ...result, shop: { platform: 'now', name: `<b>${evil}</b>` } }, {
				orderNumber: evil,
				message: `reference "${evil}" & more`,
				documents: [{ id: '<img src=x onerror=alert(1)>', type: 'invoice', legalNumber: null, status: 'final"><script>', day: '2026-11-05', totalCents: 1, currency: 'EUR' }],
			}),
		);
		expect(html).not.toMatch(/<script|<img|<b>/i);
		expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
		expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(html).toContain('final&quot;&gt;&lt;script&gt;');
		expect(esc(`a&b<c>"d'`)).toBe('a&amp;b&lt;c&gt;&quot;d&#39;');
	});

	it('holds the summary, the chart and one row per finding', () => {
		const html = reportHtml(result);
		expect(html).toContain(`${result.summary.findings} findings: 7 need a person, 6 can be repaired.`);
		expect((html.match(/<tr data-kind="/g) ?? []).length).toBe(11 + result.findings.length);
		expect(html).toMatch(/<svg [^>]*data-test="chart"/);
		expect((html.match(/class="bar shop"/g) ?? []).length).toBe(30);
		expect(html).toContain('class="mismatch"');
	});

	it('of a clean month says that everything agrees', () => {
		const html = reportHtml(reconcile(cleanMonth()));
		expect(html).toContain('Everything agrees');
		expect(html).not.toContain('class="mismatch"');
	});

	it('shows at most maxRows findings and sends the reader to the CSV for the rest', () => {
		const html = reportHtml(result, { maxRows: 2 });
		expect(html).toContain(`${result.findings.length - 2} more findings are in the CSV file.`);
	});

	it('draws negative days below the axis (credited more than invoiced that day)', () => {
		const svg = dayChart(
			[
				{ day: '2026-11-01', shopCents: 10000, documentsCents: -5000 },
				{ day: '2026-11-02', shopCents: 0, documentsCents: 0 },
			],
			'EUR',
		);
		const bars = [...svg.matchAll(/<rect class="bar (\w+)"[^>]* y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g)].map((m) => ({ kind: m[1], y: Number(m[2]), h: Number(m[3]) }));
		expect(bars[0].h).toBeGreaterThan(0);
		expect(bars[1].h).toBeCloseTo(bars[0].h / 2, 0);
		expect(bars[1].y).toBeGreaterThan(bars[0].y);
	});

	it('lists the days of a month in other currencies only in the totals', () => {
		const r = reconcile({ orders: [nowItem('1', { currencyId: 'USD' }), nowItem('2')], docs: [ixItem(1, '1', { currency_code: 'USD' }), ixItem(2, '2')] });
		const html = reportHtml(r);
		expect(html).toContain('Other currencies are in the totals above.');
	});
});
