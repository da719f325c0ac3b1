import { FINDING_KINDS, formatCents, type Finding, type FindingDocument, type FindingKind } from './findings';
import { isMonth, periodLabel, type Period } from './period';
import type { ReconcileResult } from './plan';
import type { CurrencyTotals, DayTotals, Summary } from './summary';

/**
 * The reconciliation as files the accountant opens without n8n: a CSV of the findings and a
 * self-contained HTML page (inline CSS, an inline SVG chart, no script, nothing fetched). Pure:
 * the result in, text out; the executor turns them into binary outputs named by {@link reportFileNames}.
 * Every text that came from the shop or InvoicExpress (order numbers, references, messages quoting
 * them) is escaped: order data is typed by customers.
 */

export const KIND_LABELS: Record<FindingKind, string> = {
	notInvoiced: 'Paid, not invoiced',
	duplicateInvoices: 'Two legal invoices for one order',
	canceledNotReinvoiced: 'Invoice canceled, order still paid',
	totalMismatch: 'Invoice total differs from the order',
	notCredited: 'Returned or cancelled, not credited',
	creditWithoutReturn: 'Credit note without a return',
	orphanDocument: 'Document without an order',
	unreadable: 'Could not be read',
	draftLeft: 'Draft left behind',
	writeBackMissing: 'Invoice not marked in the shop',
	notEmailed: 'Invoice not known to be e-mailed',
};

/** `reconciliation-2026-11.csv` for a month, `reconciliation-2026-11-03_2026-11-20.csv` otherwise. */
export function reportFileNames(period: Period): { csv: string; html: string } {
	const base = `reconciliation-${periodLabel(period)}`;
	return { csv: `${base}.csv`, html: `${base}.html` };
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

const CSV_COLUMNS = ['period', 'kind', 'problem', 'order_number', 'order_id', 'documents', 'document_ids', 'statuses', 'currency', 'order_total', 'documents_total', 'difference', 'repairable', 'what_to_do', 'repair'];

/**
 * What the run's repair did for a finding, in words ("repaired", "failed: …"); '' when no repair ran
 * for it. The executor knows (link/reconcile/output.ts repairText); the report only shows it.
 */
export type RepairOf = (f: Finding) => string;

/** An amount as a plain decimal ("-1234.50"), or empty. */
const decimal = (cents: number | undefined) => (cents === undefined ? '' : `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`);

/**
 * A text cell: RFC 4180 quoting (a cell with the separator, a quote or a line break is quoted, its
 * quotes doubled), and a cell a spreadsheet would run as a formula (=, +, -, @ first: "CSV injection",
 * OWASP) gets a leading apostrophe, since order data is typed by customers. Amount cells are written
 * by this module and never pass here.
 */
function cell(value: string, separator: string): string {
	const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return safe.includes(separator) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const docLabel = (d: FindingDocument) => d.legalNumber ?? `${d.status === 'draft' ? 'draft ' : ''}${d.id}`;

function csvRow(f: Finding, label: string, repairOf: RepairOf): Array<{ text: string } | { amount: number | undefined }> {
	return [
		{ text: label },
		{ text: f.kind },
		{ text: KIND_LABELS[f.kind] },
		{ text: f.orderNumber },
		{ text: f.orderId ?? '' },
		{ text: f.documents.map(docLabel).join('; ') },
		{ text: f.documents.map((d) => d.id).join('; ') },
		{ text: f.documents.map((d) => d.status).join('; ') },
		{ text: f.currency },
		{ amount: f.orderCents },
		{ amount: f.documentsCents },
		{ amount: f.differenceCents },
		{ text: f.repairable ? 'yes' : 'no' },
		{ text: f.message },
		{ text: repairOf(f) },
	];
}

/**
 * One row per finding after a header row, lines ending in CRLF (RFC 4180). It starts with a UTF-8
 * byte order mark: without it Excel reads a CSV in the system's legacy code page, and "Devolução"
 * shows as "DevoluÃ§Ã£o". `separator` ';' suits a spreadsheet set to Portuguese, which splits on ';'.
 */
export function reportCsv(result: ReconcileResult, opts: { separator?: ',' | ';'; repairOf?: RepairOf } = {}): string {
	const sep = opts.separator ?? ',';
	const repairOf = opts.repairOf ?? (() => '');
	const label = periodLabel(result.period);
	const lines = [CSV_COLUMNS.join(sep)];
	for (const f of result.findings) {
		lines.push(csvRow(f, label, repairOf).map((c) => ('text' in c ? cell(c.text, sep) : decimal(c.amount))).join(sep));
	}
	return `\uFEFF${lines.join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text as HTML text or attribute value. */
export const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "November 2026", or "3 – 20 November 2026" style ranges as plain days. */
export function periodTitle(period: Period): string {
	if (isMonth(period)) return `${MONTHS[Number(period.from.slice(5, 7)) - 1]} ${period.from.slice(0, 4)}`;
	return `${period.from} – ${period.to}`;
}

const STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2933;margin:0;background:#f5f7fa}
main{max-width:1100px;margin:0 auto;padding:24px 28px 40px;background:#fff;min-height:100vh}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 10px;border-bottom:1px solid #e4e7eb;padding-bottom:4px}
.sub{color:#616e7c;margin:0}
.banner{margin:18px 0 0;padding:12px 16px;border-radius:6px;font-weight:600}
.banner.ok{background:#e3f9e5;color:#0e5814}.banner.bad{background:#ffe3e3;color:#8a041a}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e4e7eb;vertical-align:top}
th{background:#f5f7fa;font-weight:600;color:#3e4c59}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.diff td{background:#fff5f5}
.counts td.n{width:90px}
.tag{display:inline-block;padding:1px 6px;border-radius:10px;font-size:12px;white-space:nowrap}
.tag.fix{background:#e3f9e5;color:#0e5814}.tag.person{background:#fff3c4;color:#8d2b0b}
.note{color:#616e7c;font-size:12px;margin:6px 0 0}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px;vertical-align:middle}
svg{display:block;margin-top:8px}
footer{margin-top:28px;color:#616e7c;font-size:12px}
`;

const isDone = (text: string) => text === 'repaired' || text === 'already done';

function banner(result: ReconcileResult, repairOf: RepairOf | undefined): string {
	const { summary } = result;
	if (summary.findings === 0) return '<p class="banner ok" data-test="banner">Everything agrees: no order or document needs attention.</p>';
	const s = (n: number) => (n === 1 ? '' : 's');
	if (repairOf) {
		const repaired = result.findings.filter((f) => isDone(repairOf(f))).length;
		const person = summary.findings - repaired;
		const cls = person === 0 ? 'ok' : 'bad';
		const asFound = repaired > 0 ? '<p class="note">The figures below are as they were found, before this run\'s repairs; the Repair column of each finding says what was done.</p>' : '';
		return `<p class="banner ${cls}" data-test="banner">${summary.findings} finding${s(summary.findings)}: ${repaired} repaired, ${person} need${person === 1 ? 's' : ''} a person.</p>${asFound}`;
	}
	const person = summary.findings - summary.repairable;
	return `<p class="banner bad" data-test="banner">${summary.findings} finding${s(summary.findings)}: ${person} need${person === 1 ? 's' : ''} a person, ${summary.repairable} can be repaired.</p>`;
}

/** Per kind: how many, and how many of them repair can fix (a draft beside its invoice can; a draft alone cannot). */
function countsTable(result: ReconcileResult): string {
	const rows = FINDING_KINDS.map((k) => {
		const repairable = result.findings.filter((f) => f.kind === k && f.repairable).length;
		return `<tr data-kind="${k}"><td>${esc(KIND_LABELS[k])}</td><td class="n" data-test="count">${result.summary.counts[k]}</td><td class="n">${repairable}</td></tr>`;
	});
	return `<h2>Findings per kind</h2><table class="counts"><thead><tr><th>Kind</th><th class="n">Count</th><th class="n">Repair can fix</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function repairTag(fixable: boolean, done: string): string {
	if (isDone(done)) return `<span class="tag fix" data-test="repair">${esc(done)}</span>`;
	if (done) return `<span class="tag person" data-test="repair">repair ${esc(done.split(':')[0])}</span><br><span class="note">${esc(done.slice(done.indexOf(':') + 1).trim())}</span>`;
	return fixable ? '<span class="tag fix">repair can fix</span>' : '<span class="tag person">needs a person</span>';
}
const money = (cents: number | null | undefined, currency: string) => (cents === null || cents === undefined ? '—' : esc(formatCents(cents, currency)));

function totalsTable(totals: CurrencyTotals[]): string {
	const rows = totals.map(
		(t) =>
			`<tr class="${t.differenceCents !== 0 ? 'diff' : ''}"><td>${esc(t.currency)}</td><td class="n">${t.shopOrders}</td><td class="n">${money(t.shopPaidCents, t.currency)}</td><td class="n">${money(t.invoicedCents, t.currency)}</td><td class="n">${money(t.creditedCents, t.currency)}</td><td class="n">${money(t.netCents, t.currency)}</td><td class="n">${money(t.differenceCents, t.currency)}</td><td class="n">${money(t.shopTaxCents, t.currency)}</td><td class="n">${money(t.documentsTaxCents, t.currency)}</td></tr>`,
	);
	return `<h2>Totals of the period's orders</h2><table data-test="totals"><thead><tr><th>Currency</th><th class="n">Paid orders</th><th class="n">Shop: paid</th><th class="n">Invoiced</th><th class="n">Credited</th><th class="n">Invoiced − credited</th><th class="n">Difference</th><th class="n">Shop VAT</th><th class="n">Documents VAT</th></tr></thead><tbody>${rows.join('') || '<tr><td colspan="9">No orders in the period.</td></tr>'}</tbody></table>
<p class="note">Shop: the orders created in the period, paid and neither cancelled nor returned. Documents: every order of the period, its final invoices and debit notes minus its final credit notes, wherever they are dated in the window read. Each currency on its own, never converted.</p>`;
}

/** The currency with the most money in the period: the one the chart shows. */
function mainCurrency(summary: Summary): string | undefined {
	const size = (t: CurrencyTotals) => Math.abs(t.shopPaidCents) + Math.abs(t.netCents);
	return [...summary.totals].sort((a, b) => size(b) - size(a))[0]?.currency;
}

/** A round step for about four grid lines over `range` cents: 1, 2 or 5 times a power of ten. */
function niceStep(range: number): number {
	const raw = Math.max(1, range / 4);
	const pow = 10 ** Math.floor(Math.log10(raw));
	const n = raw / pow;
	return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * pow;
}

function chartScale(days: DayTotals[], width: number, height: number, pad: { left: number; bottom: number; top: number }) {
	const values = days.flatMap((d) => [d.shopCents, d.documentsCents]);
	const step = niceStep(Math.max(1, ...values) - Math.min(0, ...values));
	const max = Math.ceil(Math.max(1, ...values) / step) * step;
	const min = Math.floor(Math.min(0, ...values) / step) * step;
	const plot = height - pad.top - pad.bottom;
	const slot = (width - pad.left - 8) / Math.max(1, days.length);
	const y = (cents: number) => pad.top + ((max - cents) / (max - min)) * plot;
	const ticks: number[] = [];
	for (let t = min; t <= max; t += step) ticks.push(t);
	return { x: (i: number) => pad.left + i * slot, y, barWidth: Math.max(1, (slot - 2) / 2), zero: y(0), ticks };
}

function bar(kind: 'shop' | 'documents', x: number, cents: number, s: ReturnType<typeof chartScale>, day: string, currency: string): string {
	const top = Math.min(s.y(cents), s.zero);
	const h = Math.abs(s.y(cents) - s.zero);
	const label = `${day} ${kind === 'shop' ? 'shop paid' : 'documents'}: ${formatCents(cents, currency)}`;
	return `<rect class="bar ${kind}" data-kind="${kind}" data-day="${day}" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${s.barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${kind === 'shop' ? '#3f6ad8' : '#2f9e44'}"><title>${esc(label)}</title></rect>`;
}

/** Bars per day of the period: the shop's paid orders against their documents, a red mark where they differ. */
export function dayChart(days: DayTotals[], currency: string): string {
	const width = 1040;
	const height = 260;
	const s = chartScale(days, width, height, { left: 86, bottom: 34, top: 12 });
	const parts: string[] = [];
	for (const cents of s.ticks) {
		parts.push(`<line x1="${s.x(0) - 4}" x2="${width - 8}" y1="${s.y(cents).toFixed(1)}" y2="${s.y(cents).toFixed(1)}" stroke="#e4e7eb"/><text x="${s.x(0) - 8}" y="${(s.y(cents) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#616e7c">${esc(formatCents(cents, currency))}</text>`);
	}
	days.forEach((d, i) => {
		const x = s.x(i);
		parts.push(bar('shop', x, d.shopCents, s, d.day, currency), bar('documents', x + s.barWidth, d.documentsCents, s, d.day, currency));
		if (d.shopCents !== d.documentsCents) parts.push(`<circle class="mismatch" cx="${(x + s.barWidth).toFixed(1)}" cy="${height - 24}" r="3.5" fill="#e03131"><title>${esc(`${d.day}: differs by ${formatCents(d.documentsCents - d.shopCents, currency)}`)}</title></circle>`);
		if (i % 5 === 0 || i === days.length - 1) parts.push(`<text x="${(x + s.barWidth).toFixed(1)}" y="${height - 6}" text-anchor="middle" font-size="11" fill="#616e7c">${esc(d.day.slice(5))}</text>`);
	});
	parts.push(`<line x1="${s.x(0) - 4}" x2="${width - 8}" y1="${s.zero.toFixed(1)}" y2="${s.zero.toFixed(1)}" stroke="#9aa5b1"/>`);
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`Shop paid against documents per day, ${currency}`)}" data-test="chart">${parts.join('')}</svg>`;
}

function chartSection(summary: Summary): string {
	const currency = mainCurrency(summary);
	const days = summary.byDay.find((b) => b.currency === currency)?.days;
	if (!currency || !days) return '';
	const others = summary.byDay.length > 1 ? ` Other currencies are in the totals above.` : '';
	return `<h2>Per day (${esc(currency)})</h2><div class="legend"><span style="background:#3f6ad8"></span>Shop: paid orders of the day<span style="background:#2f9e44"></span>Their documents: invoiced − credited<span style="background:#e03131;border-radius:50%"></span>The two differ</div>${dayChart(days, currency)}<p class="note">Each order counts on the day it was placed (Lisbon time), with its documents whatever their date.${others}</p>`;
}

function vatSection(summary: Summary): string {
	const rows = summary.byVatRate.flatMap((c) =>
		c.rows.map(
			(r) => `<tr><td>${esc(c.currency)}</td><td class="n">${r.rate === null ? 'rate unknown' : `${esc(r.rate)} %`}</td><td class="n">${money(r.shopTaxCents, c.currency)}</td><td class="n">${money(r.documentsBaseCents, c.currency)}</td><td class="n">${money(r.documentsTaxCents, c.currency)}</td></tr>`,
		),
	);
	const note = summary.vatNote ? `<p class="note">${esc(summary.vatNote)}</p>` : '';
	return `<h2>VAT per rate (the period's orders)</h2><table data-test="vat"><thead><tr><th>Currency</th><th class="n">Rate</th><th class="n">Shop VAT</th><th class="n">Documents: base</th><th class="n">Documents: VAT</th></tr></thead><tbody>${rows.join('') || '<tr><td colspan="5">No documents.</td></tr>'}</tbody></table>${note}`;
}

function seriesSection(summary: Summary): string {
	const rows = summary.series.map(
		(r) => `<tr><td>${esc(r.series || '(draft)')}</td><td>${esc(r.apiType)}</td><td>${esc(r.currency)}</td><td class="n">${r.documents}</td><td class="n">${r.final}</td><td class="n">${r.drafts}</td><td class="n">${r.canceled}</td><td class="n">${money(r.totalCents, r.currency)}</td></tr>`,
	);
	const unlinked = summary.documents.withoutReference.map((u) => `${u.count} document${u.count === 1 ? '' : 's'} without a reference (${money(u.totalCents, u.currency)}): not from the shop, not matched.`).join(' ');
	return `<h2>Documents dated in the period, per series</h2><table data-test="series"><thead><tr><th>Series</th><th>Type</th><th>Currency</th><th class="n">Documents</th><th class="n">Final</th><th class="n">Drafts</th><th class="n">Canceled</th><th class="n">Total (final)</th></tr></thead><tbody>${rows.join('') || '<tr><td colspan="8">No documents.</td></tr>'}</tbody></table>${unlinked ? `<p class="note">${unlinked}</p>` : ''}`;
}

function findingRow(f: Finding, repairOf: RepairOf): string {
	const docs = f.documents.map((d) => `${esc(docLabel(d))} <span class="note">(${esc(d.status)}, ${esc(d.day)})</span>`).join('<br>');
	const amounts = [
		f.orderCents !== undefined ? `order ${money(f.orderCents, f.currency)}` : '',
		f.documentsCents !== undefined ? `documents ${money(f.documentsCents, f.currency)}` : '',
		f.differenceCents !== undefined ? `difference ${money(f.differenceCents, f.currency)}` : '',
	].filter(Boolean);
	return `<tr data-kind="${f.kind}"><td>${esc(KIND_LABELS[f.kind])}</td><td>${esc(f.orderNumber)}</td><td>${docs}</td><td class="n">${amounts.join('<br>')}</td><td>${esc(f.message)}</td><td>${repairTag(f.repairable, repairOf(f))}</td></tr>`;
}

/** The HTML table holds the first `maxRows` findings (a browser stays quick); the CSV holds them all. */
function findingsSection(findings: Finding[], maxRows: number, repairOf: RepairOf): string {
	const shown = findings.slice(0, maxRows);
	const more = findings.length > shown.length ? `<p class="note">${findings.length - shown.length} more findings are in the CSV file.</p>` : '';
	const body = shown.map((f) => findingRow(f, repairOf)).join('') || '<tr><td colspan="6">None.</td></tr>';
	return `<h2>Findings</h2><table data-test="findings"><thead><tr><th>Kind</th><th>Order</th><th>Documents</th><th class="n">Amounts</th><th>What is wrong, what to do</th><th>Repair</th></tr></thead><tbody>${body}</tbody></table>${more}`;
}

function footer(result: ReconcileResult): string {
	const { windows, summary } = result;
	const notes = [
		`Read: orders created ${windows.orders.from} – ${windows.orders.to} (${summary.orders.read}), documents dated ${windows.documents.from} – ${windows.documents.to} (${summary.documents.read}).`,
		summary.orders.tooRecent.length ? `Too recent to judge (changed within the last minutes, or invoiced today): orders ${summary.orders.tooRecent.join(', ')}.` : '',
		summary.orders.afterWindow.length ? `Not judged, their event falls after the documents read: orders ${summary.orders.afterWindow.join(', ')}.` : '',
		result.unresolved.length ? `Documents whose order could not be looked up: ${result.unresolved.map((u) => u.orderNumber).join(', ')}.` : '',
		`Generated ${result.generatedAt}.`,
	].filter(Boolean);
	return `<footer>${notes.map((n) => `<p>${esc(n)}</p>`).join('')}</footer>`;
}

const PLATFORM = { now: 'ePages Now', beyond: 'ePages Beyond' } as const;

export function reportHtml(result: ReconcileResult, opts: { maxRows?: number; repairOf?: RepairOf } = {}): string {
	const { summary, period, shop } = result;
	const title = `Reconciliation ${shop.name} — ${periodTitle(period)}`;
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main>
<h1 data-test="title">${esc(title)}</h1>
<p class="sub">${esc(PLATFORM[shop.platform])} orders against InvoicExpress documents, ${esc(period.from)} – ${esc(period.to)}, ${summary.orders.inPeriod} orders, ${summary.documents.inPeriod} documents dated in the period.</p>
${banner(result, opts.repairOf)}
${countsTable(result)}
${totalsTable(summary.totals)}
${chartSection(summary)}
${vatSection(summary)}
${seriesSection(summary)}
${findingsSection(result.findings, opts.maxRows ?? 1000, opts.repairOf ?? (() => ''))}
${footer(result)}
</main></body></html>
`;
}
