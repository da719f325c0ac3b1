import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { reconcileOrders, type ReconcileParams } from '../../../link/reconcile/execute';
import { reconcileHints, reconcileJson, repairText } from '../../../link/reconcile/output';
import { lisbonDay, periodOf, previousMonth, monthPeriod, type Period } from '../../../link/reconcile/period';
import { REPAIR_KINDS, type RepairKind } from '../../../link/reconcile/repair';
import { reportCsv, reportFileNames, reportHtml } from '../../../link/reconcile/report';
import { DEFAULT_PLATFORM, platformParameter } from '../../../services/shops';
import { addHints } from '../../../shared/execute';
import { show } from '../common';
import { invoicingProperties, readInvoicingOptions } from './createFromOrder';

/**
 * Document → Reconcile With ePages Orders (issue 23): the shop's orders of a period against their
 * InvoicExpress documents, a report (CSV and HTML files) and, only with Repair, the safe fixes.
 */

const op = show('document', ['reconcileEPagesOrders']);
const custom = { show: { resource: ['document'], operation: ['reconcileEPagesOrders'], period: ['custom'] } };
const repairOn = { show: { resource: ['document'], operation: ['reconcileEPagesOrders'], repair: [true] } };

export const reconcileDescription: INodeProperties[] = [
	platformParameter(op),
	{
		displayName: 'Period',
		name: 'period',
		type: 'options',
		options: [
			{ name: 'Custom', value: 'custom', description: 'From and To, at most 366 days' },
			{ name: 'Last Month', value: 'lastMonth', description: 'The calendar month before this one: for a run on the first day of each month' },
			{ name: 'This Month', value: 'thisMonth', description: 'From the first of this month to today' },
		],
		default: 'lastMonth',
		description: "The orders placed on these days (Lisbon time) are checked against their documents, and the documents dated on them against the shop's orders",
		displayOptions: op,
	},
	{ displayName: 'From', name: 'periodFrom', type: 'dateTime', default: '', required: true, description: 'The first day of the period (Lisbon time)', displayOptions: custom },
	{ displayName: 'To', name: 'periodTo', type: 'dateTime', default: '', required: true, description: 'The last day of the period, included', displayOptions: custom },
	{
		displayName: 'Repair',
		name: 'repair',
		type: 'boolean',
		default: false,
		description:
			'Whether to fix what the package can fix safely (invoice a paid order without an invoice, e-mail an invoice once, delete a draft that lost, write an invoice back to its order). Off: everything is only reported. Two invoices for one order, a wrong total, a missing credit note are never changed: the report says what to do.',
		displayOptions: op,
	},
	{
		displayName: 'Repairs',
		name: 'repairs',
		type: 'multiOptions',
		options: [
			{ name: 'Delete Drafts Left Behind', value: 'deleteDrafts', description: 'A draft beside the final invoice, or of a cancelled order; checked again before the delete' },
			{ name: 'Email Invoices Not Known to Be Sent', value: 'email', description: "Once: the order's note is marked first, then the invoice is sent" },
			{ name: 'Invoice Paid Orders Without an Invoice', value: 'invoice', description: 'Through Create From ePages Order (exactly once, written back), with the options below' },
			{ name: 'Write Invoices Back to the Orders', value: 'writeBack', description: "The invoice's line in the order's note (and ePages Now's invoiced date)" },
		],
		default: [...REPAIR_KINDS],
		description: 'Which findings to repair',
		displayOptions: repairOn,
	},
	...invoicingProperties(repairOn),
	{
		displayName: 'Check Options',
		name: 'checkOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: op,
		options: [
			{ displayName: 'Invoices Are Emailed', name: 'expectEmail', type: 'boolean', default: true, description: 'Whether your invoicing e-mails each invoice (Send by Email on): then an invoice whose order has no "e-mailed to" mark is a finding' },
			{ displayName: 'Invoices Are Written Back', name: 'expectWriteBack', type: 'boolean', default: true, description: "Whether your invoicing writes each invoice back to its order (Write Back to ePages on): then an invoice missing from its order's note is a finding" },
			{
				displayName: 'Too Recent to Judge (Minutes)',
				name: 'settleMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60,
				description: 'An order paid, returned, cancelled or changed this recently is not judged (your invoicing may still be at work on it): it is listed, not reported',
			},
		],
	},
	{
		displayName: 'Report Options',
		name: 'reportOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: op,
		options: [
			{
				displayName: 'CSV Separator',
				name: 'csvSeparator',
				type: 'options',
				options: [
					{ name: 'Comma', value: ',' },
					{ name: 'Semicolon (Spreadsheets Set to Portuguese)', value: ';' },
				],
				default: ',',
			},
			{ displayName: 'Max Rows in the HTML', name: 'maxRows', type: 'number', typeOptions: { minValue: 1 }, default: 1000, description: 'How many findings the HTML page lists; the CSV file lists them all' },
			{ displayName: 'Shop Name', name: 'shopName', type: 'string', default: '', description: "How the report's title names the shop. Empty: the platform." },
		],
	},
];

/** A day from a date parameter: the editor's "2026-11-01T00:00:00", an ISO string, or a Luxon date from an expression. */
function dayParameter(ctx: IExecuteFunctions, i: number, name: string, label: string): string {
	const value = ctx.getNodeParameter(name, i, '') as unknown;
	const text = value && typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function' ? String((value as { toISO: () => string }).toISO()) : String(value ?? '');
	const day = /^\d{4}-\d{2}-\d{2}/.exec(text.trim())?.[0];
	if (!day) throw new NodeOperationError(ctx.getNode(), `"${label}" is not a date: "${text}"`, { itemIndex: i, description: 'Set the period\'s first and last day (From and To).' });
	return day;
}

function periodParameter(ctx: IExecuteFunctions, i: number): Period {
	const kind = ctx.getNodeParameter('period', i, 'lastMonth') as string;
	const today = lisbonDay(new Date().toISOString()) as string;
	if (kind === 'lastMonth') return previousMonth(today);
	if (kind === 'thisMonth') return { from: monthPeriod(today.slice(0, 7)).from, to: today };
	if (kind !== 'custom') throw new NodeOperationError(ctx.getNode(), `"${kind}" is not a period`, { itemIndex: i, description: 'Set "Period" to Last Month, This Month or Custom.' });
	const from = dayParameter(ctx, i, 'periodFrom', 'From');
	const to = dayParameter(ctx, i, 'periodTo', 'To');
	let problem = '';
	try {
		return periodOf(from, to);
	} catch (error) {
		problem = (error as Error).message;
	}
	throw new NodeOperationError(ctx.getNode(), problem, { itemIndex: i, description: 'Set From and To: the first and last day of the period, at most 366 days apart.' });
}

/** The repair's setup, or undefined with Repair off. Invoices are made as Create From ePages Order makes them, connected and written back. */
function repairParameter(ctx: IExecuteFunctions, i: number, platform: string): ReconcileParams['repair'] {
	if (!(ctx.getNodeParameter('repair', i, false) as boolean)) return undefined;
	const kinds = (ctx.getNodeParameter('repairs', i, [...REPAIR_KINDS]) as string[]).filter((k): k is RepairKind => (REPAIR_KINDS as readonly string[]).includes(k));
	const invoicing = readInvoicingOptions(ctx, i);
	const o = invoicing.options;
	const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
	return {
		kinds,
		invoicing: { ...invoicing, connectEPages: true, platform, writeBack: true, finalize: true, attachPdf: false, dryRun: false },
		email: { subject: text(o.emailSubject), body: text(o.emailBody), bcc: text(o.emailBcc), logo: true },
	};
}

export async function reconcileEPagesOrders(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const period = periodParameter(this, i);
	const platform = this.getNodeParameter('platform', i, DEFAULT_PLATFORM) as string;
	const check = this.getNodeParameter('checkOptions', i, {}) as IDataObject;
	const report = this.getNodeParameter('reportOptions', i, {}) as IDataObject;
	const repair = repairParameter(this, i, platform);
	const run = await reconcileOrders(this, i, {
		period,
		platform,
		shopName: typeof report.shopName === 'string' ? report.shopName.trim() : undefined,
		options: { writeBack: check.expectWriteBack !== false, emailInvoices: check.expectEmail !== false, settleMinutes: typeof check.settleMinutes === 'number' ? check.settleMinutes : 60 },
		repair,
	});
	const files = reportFileNames(period);
	const repairOf = (f: Parameters<typeof repairText>[0]) => repairText(f, run.repairs);
	const csv = reportCsv(run.result, { separator: report.csvSeparator === ';' ? ';' : ',', repairOf });
	const html = reportHtml(run.result, { maxRows: typeof report.maxRows === 'number' ? report.maxRows : 1000, repairOf });
	addHints(this, reconcileHints(run, repair !== undefined));
	return [
		{
			json: reconcileJson(run, files, repair !== undefined),
			binary: {
				csv: await this.helpers.prepareBinaryData(Buffer.from(csv, 'utf8'), files.csv, 'text/csv'),
				html: await this.helpers.prepareBinaryData(Buffer.from(html, 'utf8'), files.html, 'text/html'),
			},
		},
	];
}
