/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Every workflow in examples/ as the editor would read it: a workflow n8n imports (id, settings,
 * connections between existing nodes), the package's nodes with parameters their description shows
 * for those settings and no issue the editor would flag, and the two credentials the documentation and
 * the tests name. A parameter renamed in a node, or an option value dropped, breaks an example here
 * before a merchant imports it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Tournament } from '@n8n/tournament';
import { NodeHelpers, type INode, type INodeParameters, type INodeTypeDescription } from 'n8n-workflow';

import { EPagesApi } from '../../credentials/EPagesApi.credentials';
import { InvoicExpressApi } from '../../credentials/InvoicExpressApi.credentials';
import { EPages } from '../../nodes/EPages/EPages.node';
import { EPagesTrigger } from '../../nodes/EPages/EPagesTrigger.node';
import { InvoicExpress } from '../../nodes/InvoicExpress/InvoicExpress.node';

const REPO = resolve(__dirname, '..', '..');
const PACKAGE = 'n8n-nodes-epages-invoicexpress';

type ExampleNode = INode & { notes?: string; onError?: string };
type Example = { id: string; name: string; active: boolean; settings: Record<string, unknown>; nodes: ExampleNode[]; connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }> };

const FILES = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.json')).sort();
const load = (file: string) => JSON.parse(readFileSync(join(REPO, 'examples', file), 'utf8')) as Example;

const PACKAGE_NODES: Record<string, INodeTypeDescription> = Object.fromEntries(
	[new InvoicExpress(), new EPages(), new EPagesTrigger()].map((n) => {
		// As n8n-core's DirectoryLoader loads a node type: a polling trigger gets its Poll Times parameter.
		const properties = n.description.polling
			? [{ displayName: 'Poll Times', name: 'pollTimes', type: 'fixedCollection' as const, typeOptions: { multipleValues: true }, default: { item: [{ mode: 'everyMinute' }] }, options: NodeHelpers.cronNodeOptions }, ...n.description.properties]
			: n.description.properties;
		return [`${PACKAGE}.${n.description.name}`, { ...n.description, properties }];
	}),
);
/** n8n's own nodes the examples may use (they exist in n8n 2.41.1, which the e2e tests run). */
const CORE_NODES = [
	'n8n-nodes-base.manualTrigger',
	'n8n-nodes-base.stopAndError',
	'n8n-nodes-base.noOp',
	'n8n-nodes-base.filter',
	'n8n-nodes-base.stickyNote',
	// The form (example 05): its pages, and the steps between them.
	'n8n-nodes-base.formTrigger',
	'n8n-nodes-base.form',
	'n8n-nodes-base.set',
	'n8n-nodes-base.if',
	'n8n-nodes-base.switch',
	// The month-end reconciliation (example 06): the schedule, the e-mail to the accountant.
	'n8n-nodes-base.scheduleTrigger',
	'n8n-nodes-base.emailSend',
];
/** n8n's own credentials an example's core node may name (as test/e2e/n8n.ts smtpCredential() imports it). */
const CORE_CREDENTIALS: Record<string, Record<string, { id: string; name: string }>> = {
	'n8n-nodes-base.emailSend': { smtp: { id: 'smtpCredential01', name: 'SMTP account' } },
};

/** The credentials every example names, as test/e2e/n8n.ts exampleCredentials() imports them. */
const CREDENTIALS: Record<string, { id: string; name: string }> = {
	[new InvoicExpressApi().name]: { id: 'ixCredential0001', name: 'InvoicExpress account' },
	[new EPagesApi().name]: { id: 'ePagesCredential', name: 'ePages account' },
};

it('finds every example, the returns workflow (04) among them', () => {
	expect(FILES).toEqual(
		expect.arrayContaining([
			'01-paid-order-to-invoice.json',
			'01-paid-orders-to-invoices-manual.json',
			'02-separate-steps.json',
			'03-backfill-date-range.json',
			'04-returned-order-to-credit-note.json',
			'06-monthly-reconciliation.json',
		]),
	);
});

it('every example has its own 16-character id (what `n8n import:workflow` needs) and name', () => {
	const all = FILES.map(load);
	for (const wf of all) {
		expect(wf.id).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(wf.name.length).toBeGreaterThan(10);
		expect(wf.active).toBe(false);
		expect(wf.settings).toEqual({ executionOrder: 'v1' });
	}
	expect(new Set(all.map((w) => w.id)).size).toBe(all.length);
	expect(new Set(all.map((w) => w.name)).size).toBe(all.length);
});

describe.each(FILES)('%s', (file) => {
	const wf = load(file);
	const names = wf.nodes.map((n) => n.name);

	it('names each node once and connects only nodes that exist', () => {
		expect(new Set(names).size).toBe(names.length);
		for (const [from, outputs] of Object.entries(wf.connections)) {
			expect(names).toContain(from);
			for (const output of outputs.main) for (const c of output) {
				expect({ from, to: c.node, exists: names.includes(c.node), type: c.type }).toEqual({ from, to: c.node, exists: true, type: 'main' });
			}
		}
	});

	it("uses only the package's nodes and a few of n8n's own, at versions they have", () => {
		for (const node of wf.nodes) {
			const description = PACKAGE_NODES[node.type];
			if (!description) {
				expect(CORE_NODES).toContain(node.type);
				continue;
			}
			const versions = ([] as number[]).concat(description.version);
			expect(versions).toContain(node.typeVersion);
		}
	});

	it("sets only parameters the node's description shows for these settings, with no issue the editor would flag", () => {
		for (const node of wf.nodes.filter((n) => PACKAGE_NODES[n.type])) {
			const description = PACKAGE_NODES[node.type];
			const shown = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description) ?? {};
			const hidden = Object.keys(node.parameters).filter((key) => !(key in shown));
			expect({ node: node.name, hidden }).toEqual({ node: node.name, hidden: [] });
			// Options of a collection or a fixed value of an options parameter that the node does not know.
			const unknown: string[] = [];
			for (const property of description.properties) {
				const value = (node.parameters as INodeParameters)[property.name];
				if (value === undefined || !NodeHelpers.displayParameter(node.parameters, property, node, description)) continue;
				if (property.type === 'collection' && value && typeof value === 'object') {
					const known = (property.options ?? []).map((o) => (o as { name: string }).name);
					for (const key of Object.keys(value)) if (!known.includes(key)) unknown.push(`${property.name}.${key}`);
				}
				if (property.type === 'options' && typeof value === 'string' && !value.startsWith('=')) {
					const values = (property.options ?? []).map((o) => (o as { value: unknown }).value);
					if (!values.includes(value)) unknown.push(`${property.name}=${value}`);
				}
			}
			expect({ node: node.name, unknown }).toEqual({ node: node.name, unknown: [] });
			const issues = NodeHelpers.getNodeParametersIssues(description.properties, node, description);
			expect({ node: node.name, issues }).toEqual({ node: node.name, issues: null });
		}
	});

	it('names the two documented credentials, only where the node takes them', () => {
		for (const node of wf.nodes) {
			const description = PACKAGE_NODES[node.type];
			if (!description) {
				expect(node.credentials).toEqual(CORE_CREDENTIALS[node.type]);
				continue;
			}
			const accepted = (description.credentials ?? []).map((c) => c.name);
			for (const [type, ref] of Object.entries(node.credentials ?? {})) {
				expect(accepted).toContain(type);
				expect(ref).toEqual(CREDENTIALS[type]);
			}
			for (const required of (description.credentials ?? []).filter((c) => c.required && NodeHelpers.displayParameter(node.parameters, c, node, description))) {
				expect({ node: node.name, credentials: Object.keys(node.credentials ?? {}) }).toEqual({ node: node.name, credentials: expect.arrayContaining([required.name]) });
			}
		}
	});
});

describe('04: returns and cancellations to credit notes', () => {
	const wf = load('04-returned-order-to-credit-note.json');
	const node = (name: string) => wf.nodes.find((n) => n.name === name)!;

	it('both status triggers (one event per trigger) and the manual re-check feed the one credit node', () => {
		// List items carry what the credit needs (order number and id, links, internal note, invoiced
		// date, billing e-mail): the credit note is built from the invoice, so no line items are read.
		expect(node('Order Returned').parameters).toMatchObject({ event: 'orderReturned', options: { emit: 'listItems' } });
		expect(node('Order Cancelled').parameters).toMatchObject({ event: 'orderRejected', options: { emit: 'listItems' } });
		// Returns come weeks after the order: the default 14-day lookback would miss most of them.
		for (const trigger of ['Order Returned', 'Order Cancelled']) expect((node(trigger).parameters.options as { statusLookbackDays: number }).statusLookbackDays).toBe(90);
		const into = (target: string) =>
			Object.entries(wf.connections)
				.filter(([, o]) => o.main.some((out) => out.some((c) => c.node === target)))
				.map(([from]) => from)
				.sort();
		expect(into('Credit Note')).toEqual(['Order Cancelled', 'Order Returned', 'Returned or Cancelled']);
		expect(into('Returned or Cancelled')).toEqual(['Orders of the Last 90 Days']);
		expect(into('Orders of the Last 90 Days')).toEqual(['Check Again']);
		// One list, filtered: an order both returned and cancelled reaches the credit node once per run.
		expect(node('Orders of the Last 90 Days').parameters).toMatchObject({ operation: 'getAll', returnAll: true, filters: { createdAfter: '={{ $now.minus({ days: 90 }).toISO() }}' } });
		expect(JSON.stringify(node('Returned or Cancelled').parameters)).toContain('!!$json.returnedOn || !!$json.rejectedOn');
	});

	it('credits the whole invoice, e-mails it and writes it back; refused and pending returns stop the execution visibly, all in one message', () => {
		expect(node('Credit Note').parameters).toMatchObject({
			resource: 'document',
			operation: 'creditFromEPagesOrder',
			order: '={{ $json }}',
			correction: 'creditNote',
			creditScope: 'full',
			sendEmail: true,
			dryRun: false,
			connectEPages: true,
			writeBack: true,
		});
		// Refused items stay on the one output: a Stop and Error fed by two branches would stop the
		// execution at the first branch, before the other's items (or the next batch) are handled.
		expect(node('Credit Note').onError).toBe('continueRegularOutput');
		expect(wf.connections['Credit Note'].main.map((out) => out.map((c) => c.node))).toEqual([['Not Credited']]);
		expect(JSON.stringify(node('Not Credited').parameters)).toContain("!!$json.error || $json.outcome === 'pending'");
		expect(wf.connections['Not Credited'].main.map((out) => out.map((c) => c.node))).toEqual([['Returns Not Credited']]);
	});

	it('lists Check Again before the polling triggers, so that `n8n execute` starts there', () => {
		// n8n 2.41's `execute` command starts at the first node that has a trigger or poll method
		// (Workflow.getStartNode): a polling trigger listed first would run instead, emitting an empty item.
		const starts = wf.nodes.filter((n) => /manualTrigger$|Trigger$/.test(n.type)).map((n) => n.name);
		expect(starts).toEqual(['Check Again', 'Order Returned', 'Order Cancelled']);
	});

	it('its sticky note says what the merchant needs to know', () => {
		const note = String(node('Sticky Note').parameters.content);
		for (const rule of [/Full credit by default/, /Chosen Lines/, /Cancel.*only for an invoice issued in error/s, /draft.*deleted/s, /never invoiced.*gets nothing/s, /Exactly once per return/, /Check Again/]) {
			expect(note).toMatch(rule);
		}
	});
});

describe('05: invoice one order by hand (the form)', () => {
	const wf = load('05-invoice-one-order-form.json');
	const node = (name: string) => wf.nodes.find((n) => n.name === name)!;
	const outputs = (name: string) => wf.connections[name].main.map((out) => out.map((c) => c.node));
	/** Every expression of a node, with where it is. */
	const expressions = (value: unknown, where: string): Array<[string, string]> =>
		typeof value === 'string'
			? value.startsWith('=') && value.includes('{{')
				? [[where, value.slice(1)]]
				: []
			: value && typeof value === 'object'
				? Object.entries(value).flatMap(([k, v]) => expressions(v, `${where}.${k}`))
				: [];

	it('every expression is one n8n can read, and none ends early for the form pages\' own resolver', () => {
		const tournament = new Tournament(() => undefined);
		const all = wf.nodes.flatMap((n) => expressions(n.parameters, n.name));
		expect(all.length).toBeGreaterThan(30);
		const broken = all.filter(([, text]) => {
			try {
				tournament.getExpressionCode(text);
				return false;
			} catch {
				return true;
			}
		});
		expect(broken.map(([where]) => where)).toEqual([]);
		// The Form node resolves its JSON fields with /{{[\s\S]*?}}/ (n8n-nodes-base Form/utils/utils.js
		// resolveRawData): a "}}" inside the code would cut it short.
		for (const [where, text] of all) expect({ where, inner: text.trim().slice(2, -2).includes('}}') }).toEqual({ where, inner: false });
	});

	it('is for signed-in n8n users only, at /form/faturar-encomenda, and every page gives up after a day without issuing anything', () => {
		expect(node('Invoice an Order')).toMatchObject({ type: 'n8n-nodes-base.formTrigger', typeVersion: 2.6, parameters: { authentication: 'n8nUserAuth', options: { path: 'faturar-encomenda' } } });
		const pages = wf.nodes.filter((n) => n.type === 'n8n-nodes-base.form' && n.parameters.operation !== 'completion');
		expect(pages.map((p) => p.name).sort()).toEqual(['Choose Order', 'Confirm', 'Result']);
		for (const p of pages) expect(p.parameters).toMatchObject({ defineForm: 'json', limitWaitTime: true, resumeUnit: 'days', resumeAmount: 1 });
		// A page that times out passes its input on (n8n-core WorkflowExecute.handleWaitingState): the
		// step after each page routes anything that is not its own answer away from what it guards.
		expect(outputs('Where Is the Order?')).toEqual([['Get Order'], ['Recent Orders'], ['Done']]);
		expect(outputs('Confirmed?')).toEqual([['Generate Invoice'], ['Confirm'], ['Done']]);
		expect(outputs('Send?')).toEqual([['Email Invoice'], ['Result'], ['Done']]);
		expect(JSON.stringify(node('Confirmed?').parameters)).toContain("$json.confirm === $('Preview Page').first().json.token");
		expect(JSON.stringify(node('Send?').parameters)).toContain("$json.send === $('Result Page').last().json.token");
	});

	it('previews with a dry run, then issues with the same operation and dates as the automatic flow, written back', () => {
		const preview = node('Preview').parameters;
		const generate = node('Generate Invoice').parameters;
		expect(preview).toMatchObject({ operation: 'createFromEPagesOrder', dryRun: true, connectEPages: false });
		expect(generate).toMatchObject({ operation: 'createFromEPagesOrder', dryRun: false, finalize: true, attachPdf: true, connectEPages: true, writeBack: true });
		expect(generate.orderOptions).toEqual(preview.orderOptions);
		expect(generate.documentType).toBe(preview.documentType);
		expect(String(generate.sendEmail)).toContain("$('Which Order').first().json.emailNow");
		// Only the confirmed answer reaches Generate Invoice.
		const into = Object.entries(wf.connections).filter(([, o]) => o.main.some((out) => out.some((c) => c.node === 'Generate Invoice')));
		expect(into.map(([from]) => from)).toEqual(['Confirmed?']);
		// Refusals of either step, and the shop's own "already invoiced", end on the page that says why.
		for (const step of ['Preview', 'Generate Invoice', 'Get Order']) {
			expect(node(step).onError).toBe('continueErrorOutput');
			expect(outputs(step)[1]).toEqual(['Why Not Invoiced']);
		}
		expect(outputs('Not Invoiced Yet?')[1]).toEqual(['Why Not Invoiced']);
		expect(outputs('Why Not Invoiced')).toEqual([['Not Invoiced']]);
		expect(node('Not Invoiced').parameters).toMatchObject({ operation: 'completion' });
	});

	it('e-mails with Email Invoice of ePages Order (once, by the mark in the order note), then shows the result page again', () => {
		const email = node('Email Invoice');
		expect(email.parameters).toMatchObject({ resource: 'document', operation: 'emailFromEPagesOrder', platform: 'now', order: "={{ $('Get Order').first().json }}" });
		expect(Object.keys(email.credentials ?? {}).sort()).toEqual(['ePagesApi', 'invoicExpressApi']);
		// A refusal (no address, an invalid one) is told on the result page rather than ending the form.
		expect(email.onError).toBe('continueRegularOutput');
		expect(outputs('Email Invoice')).toEqual([['Email Result']]);
		expect(outputs('Email Result')).toEqual([['Result Page']]);
		expect(outputs('Result Page')).toEqual([['Result']]);
		const result = JSON.stringify(node('Email Result').parameters);
		for (const outcome of ["'e-mailed'", "'already e-mailed'", "'pending'"]) expect(result).toContain(outcome);
		// The only e-mail step: the invoice is otherwise e-mailed only by Generate Invoice, when asked.
		expect(wf.nodes.filter((n) => ['sendEmail', 'emailFromEPagesOrder'].includes(String(n.parameters.operation))).map((n) => n.name)).toEqual(['Email Invoice']);
	});
});

describe('06: month-end reconciliation to the accountant', () => {
	const wf = load('06-monthly-reconciliation.json');
	const node = (name: string) => wf.nodes.find((n) => n.name === name)!;
	const next = (from: string) => wf.connections[from].main.map((out) => out.map((c) => c.node));

	it('on the first day of each month and by hand, last month is reconciled, repaired where safe, and e-mailed with both files', () => {
		expect(node('First Day of the Month').parameters).toEqual({ rule: { interval: [{ field: 'months', monthsInterval: 1, triggerAtDayOfMonth: 1, triggerAtHour: 7, triggerAtMinute: 0 }] } });
		expect(next('First Day of the Month')).toEqual([['Settings']]);
		expect(next('Reconcile Now')).toEqual([['Settings']]);
		expect(next('Settings')).toEqual([['Reconcile Last Month']]);
		expect(node('Reconcile Last Month').parameters).toMatchObject({ resource: 'document', operation: 'reconcileEPagesOrders', period: 'lastMonth', repair: true, repairs: ['invoice', 'email', 'deleteDrafts', 'writeBack'] });
		expect(next('Reconcile Last Month')).toEqual([['Email the Accountant']]);
		// The node's binary properties are named csv and html (the files carry the period in their names).
		expect(node('Email the Accountant').parameters).toMatchObject({ toEmail: "={{ $('Settings').item.json.accountantEmail }}", options: { fileAttachments: 'csv,html' } });
	});

	it('ends red, naming the findings, when something needs a person', () => {
		expect(next('Email the Accountant')).toEqual([['Needs a Person?']]);
		expect(JSON.stringify(node('Needs a Person?').parameters)).toContain("$('Reconcile Last Month').item.json.needs_person");
		expect(next('Needs a Person?')).toEqual([['Findings Need a Person'], []]);
		expect(node('Findings Need a Person').parameters).toEqual({ errorType: 'errorMessage', errorMessage: "={{ $('Reconcile Last Month').item.json.needs_person_text }}" });
	});

	it('lists Reconcile Now before the schedule, so that `n8n execute` starts there', () => {
		const starts = wf.nodes.filter((n) => /manualTrigger$|Trigger$/.test(n.type)).map((n) => n.name);
		expect(starts).toEqual(['Reconcile Now', 'First Day of the Month']);
	});

	it('its sticky note says what it does, what it repairs and what it never changes', () => {
		const note = String(node('Sticky Note').parameters.content);
		for (const rule of [/first day of each month/, /CSV/, /HTML/, /Repair/, /Never changed/, /Findings Need a Person/, /Reconcile Now/]) expect(note).toMatch(rule);
	});
});
