/* eslint-disable @n8n/community-nodes/no-restricted-globals -- benchmark script; never shipped */
/**
 * Scenario 8: the month-end reconciliation (issue 23). A month of orders (10,000 by default) with their
 * invoices, written back and e-mailed as the invoicing leaves them, and a few % of planted faults of
 * every repairable kind and some of the others. InvoicExpress → Document → Reconcile With ePages
 * Orders runs through the n8n-core harness in a child process (so that the sandboxes holding the
 * month, served from this process, are not counted in its memory): once to report, once with Repair,
 * once more with Repair (which must find nothing to do). Measured: requests to each service per 100
 * orders, time, peak heap and RSS of the child. ePages Now and ePages Beyond.
 */
import type { IDataObject } from 'n8n-workflow';

import { invoiceNoteLine } from '../../nodes/link/orderLink';
import { addDays, lisbonDay, previousMonth, type Period } from '../../nodes/link/reconcile/period';
import { startBeyondSandbox, type BeyondSandbox } from '../../test/sandbox/beyond';
import { startEPagesSandbox, type EPagesSandbox } from '../../test/sandbox/epages';
import { startInvoicExpressSandbox, type IxDocument, type IxSandbox } from '../../test/sandbox/invoicexpress';
import { customer } from '../lib/orders';
import { round } from '../lib/requests';
import { runWorker } from '../lib/worker';

/** Shares of the orders that carry each planted fault (a few % in all). */
const FAULTS = { notInvoiced: 0.01, duplicateInvoices: 0.003, totalMismatch: 0.005, draftLeft: 0.005, writeBackMissing: 0.005, notEmailed: 0.005, notCredited: 0.003 } as const;
type Fault = keyof typeof FAULTS;
const ORPHANS = 10;

export interface ReconcilePass {
	pass: 'report' | 'repair' | 'repair again';
	shop_requests: number;
	invoicexpress_requests: number;
	shop_per_100_orders: number;
	invoicexpress_per_100_orders: number;
	/** Write requests (POST, PUT, PATCH, DELETE) to both services. */
	writes: number;
	duration_ms: number;
	findings: number;
	repaired: number;
	needs_person: number;
	peak_heap_mb: number;
	heap_growth_mb: number;
	max_rss_mb: number;
}

export interface ReconcileBenchResult {
	platform: 'now' | 'beyond';
	orders: number;
	documents: number;
	period: Period;
	planted: Record<string, number>;
	found: Record<string, number>;
	/** Every planted fault found as its kind, nothing else reported. */
	exact: boolean;
	passes: ReconcilePass[];
}

const ixDate = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

/** The fault of the i-th order: a deterministic spread over the month. */
function faultOf(i: number, count: number): Fault | undefined {
	let edge = 0;
	const position = ((i * 7919) % count) / count;
	for (const [fault, share] of Object.entries(FAULTS) as Array<[Fault, number]>) {
		edge += share;
		if (position < edge) return fault;
	}
	return undefined;
}

interface Planted {
	number: string;
	total: number;
	tax: number;
	day: string;
	email: string;
	setNote(note: string): void;
	markReturned(at: string): void;
}

let nextDocId = 5_000_000;

/** A final invoice as InvoicExpress lists it, for an order: one line, 23 % VAT, the order's total. */
function invoiceFor(p: Planted, over: Partial<IxDocument> = {}): IxDocument {
	const id = ++nextDocId;
	const base = round(p.total - p.tax, 2);
	const now = Date.now();
	return {
		id,
		type: 'Invoice',
		status: 'final',
		archived: false,
		sequence_number: `${id}/A`,
		inverted_sequence_number: `A/${id}`,
		atcud: `ABCD1234-${id}`,
		sequence_id: '1',
		date: ixDate(p.day),
		due_date: ixDate(p.day),
		reference: p.number,
		observations: '',
		retention: '',
		tax_exemption: '',
		permalink: '',
		saft_hash: null,
		sum: base,
		discount: 0,
		before_taxes: base,
		taxes: p.tax,
		total: p.total,
		currency: 'Euro',
		currency_code: 'EUR',
		rate: null,
		global_discount: null,
		client: { id: 1, name: p.email, country: 'Portugal' },
		items: [{ name: 'SKU', description: 'line', unit_price: String(base), quantity: '1.00', unit: 'unit', discount: 0, tax: { id: 1, name: 'IVA23', value: 23 }, subtotal: base, discount_amount: 0, tax_amount: p.tax, total: p.total }],
		owner_invoice_id: null,
		proprietary_uid: null,
		createdAt: now,
		updatedAt: now,
		finalizedAt: now,
		canceledAt: null,
		stateMessage: null,
		referenceIndexedAt: 0,
		pdfRequests: 0,
		...over,
	};
}

/** What the month's invoicing left for an order, with its planted fault (if any). */
function invoiceAsLeft(ix: IxSandbox, p: Planted, fault: Fault | undefined): void {
	if (fault === 'notInvoiced') return;
	const doc = invoiceFor(p, fault === 'totalMismatch' ? { total: round(p.total + 1, 2), before_taxes: round(p.total + 1 - p.tax, 2) } : {});
	if (fault === 'totalMismatch') doc.items[0].subtotal = doc.before_taxes;
	ix.state.documents.push(doc);
	const legal = `FT ${String(doc.inverted_sequence_number)}`;
	if (fault === 'duplicateInvoices') ix.state.documents.push(invoiceFor(p));
	if (fault === 'draftLeft') ix.state.documents.push(invoiceFor(p, { status: 'draft', inverted_sequence_number: null, atcud: null, finalizedAt: null }));
	if (fault === 'notCredited') p.markReturned(`${addDays(p.day, 3)}T10:00:00.000Z`);
	if (fault !== 'writeBackMissing') p.setNote(invoiceNoteLine(legal, doc.id, fault === 'notEmailed' ? undefined : p.email));
}

function orphans(ix: IxSandbox, day: string): void {
	for (let k = 0; k < ORPHANS; k++) {
		ix.state.documents.push(invoiceFor({ number: `balcao-${k + 1}`, total: 12.3, tax: 2.3, day, email: 'balcao', setNote: () => undefined, markReturned: () => undefined }));
	}
}

/** Order creation instants spread over the period (Lisbon days, UTC noon-ish). */
function instants(period: Period, count: number): number[] {
	const start = Date.parse(`${period.from}T01:00:00.000Z`);
	const end = Date.parse(`${period.to}T20:00:00.000Z`);
	return Array.from({ length: count }, (_, i) => start + Math.floor(((end - start) * i) / Math.max(1, count - 1)));
}

function seedNow(shop: EPagesSandbox, ix: IxSandbox, period: Period, count: number): Record<string, number> {
	const planted: Record<string, number> = {};
	instants(period, count).forEach((ms, i) => {
		const created = new Date(ms).toISOString();
		const billing = { ...customer(i) };
		const order = shop.addOrder({ customerId: null, billingAddress: billing, paidOn: new Date(ms + 60_000).toISOString() } as never, { creationDate: created });
		const fault = faultOf(i, count);
		if (fault) planted[fault] = (planted[fault] ?? 0) + 1;
		invoiceAsLeft(ix, {
			number: order.orderNumber,
			total: Number(order.grandTotal),
			tax: Number(order.totalTax),
			day: lisbonDay(created) as string,
			email: billing.emailAddress,
			setNote: (note) => {
				order.internalNote = note;
				if (fault !== 'writeBackMissing') order.invoicedOn = new Date(ms + 120_000).toISOString();
			},
			markReturned: (at) => (order.returnedOn = at),
		}, fault);
	});
	return planted;
}

function seedBeyond(beyond: BeyondSandbox, ix: IxSandbox, period: Period, count: number): Record<string, number> {
	const planted: Record<string, number> = {};
	instants(period, count).forEach((ms, i) => {
		const at = new Date(ms).toISOString().slice(0, 23);
		const billing = customer(i);
		const order = beyond.addOrder({
			createdAt: at,
			updatedAt: at,
			paymentStatus: 'PAID',
			paidAt: at,
			customerEmail: billing.emailAddress,
			customerNumber: null,
			customerId: null,
			billingAddress: { firstName: billing.firstName, lastName: billing.lastName, street: billing.street, postalCode: billing.zipCode, city: billing.city, country: 'PT', email: billing.emailAddress },
		} as never);
		const fault = faultOf(i, count);
		if (fault) planted[fault] = (planted[fault] ?? 0) + 1;
		invoiceAsLeft(ix, {
			number: order.orderNumber,
			total: order.grandTotal.amount,
			tax: order.taxTotal.amount,
			day: lisbonDay(`${at}Z`) as string,
			email: billing.emailAddress,
			setNote: (note) => (order.orderNote = note),
			markReturned: () => (order.shippingStatus = 'RETURNED'),
		}, fault);
	});
	return planted;
}

interface Services {
	platform: 'now' | 'beyond';
	credentials: Record<string, IDataObject>;
	shopRequests: () => Array<{ method: string; path?: string }>;
	ix: IxSandbox;
}

/** Requests that change something: not GETs, and not the Beyond token exchange (a POST that changes nothing). */
const writes = (requests: Array<{ method: string; path?: string }>) => requests.filter((r) => r.method !== 'GET' && !String(r.path).endsWith('/oauth/token')).length;

type PassOut = ReconcilePass & { found: Record<string, number>; not_repaired: IDataObject[] };

async function pass(s: Services, name: ReconcilePass['pass'], count: number): Promise<PassOut> {
	const shopBefore = s.shopRequests().length;
	const ixBefore = s.ix.requests.length;
	const out = (await runWorker('reconcile', { platform: s.platform, credentials: s.credentials, repair: name !== 'report' }, { exposeGc: true })) as IDataObject;
	const shopReqs = s.shopRequests().slice(shopBefore);
	const ixReqs = s.ix.requests.slice(ixBefore);
	return {
		pass: name,
		shop_requests: shopReqs.length,
		invoicexpress_requests: ixReqs.length,
		shop_per_100_orders: round((shopReqs.length * 100) / count, 2),
		invoicexpress_per_100_orders: round((ixReqs.length * 100) / count, 2),
		writes: writes(shopReqs) + writes(ixReqs),
		duration_ms: Number(out.duration_ms),
		findings: Number(out.findings),
		repaired: Number(out.repaired),
		needs_person: Number(out.needs_person),
		peak_heap_mb: Number(out.peak_heap_mb),
		heap_growth_mb: Number(out.heap_growth_mb),
		max_rss_mb: Number(out.max_rss_mb),
		found: out.counts as Record<string, number>,
		not_repaired: out.not_repaired as IDataObject[],
	};
}

export async function runReconcile(opts: { orders: number; platforms: Array<'now' | 'beyond'>; log: (m: string) => void }): Promise<ReconcileBenchResult[]> {
	const period = previousMonth(lisbonDay(new Date().toISOString()) as string);
	const results: ReconcileBenchResult[] = [];
	for (const platform of opts.platforms) {
		const ix = await startInvoicExpressSandbox({ rateLimitPerWindow: 1e9, rateWindowMs: 60_000 });
		const shop = platform === 'now' ? await startEPagesSandbox({ seed: 'empty' }) : undefined;
		const beyond = platform === 'beyond' ? await startBeyondSandbox({ seed: 'empty' }) : undefined;
		shop?.setRateLimit(1e9, 3600_000);
		try {
			const seeding = Date.now();
			const planted = shop ? seedNow(shop, ix, period, opts.orders) : seedBeyond(beyond as BeyondSandbox, ix, period, opts.orders);
			orphans(ix, addDays(period.from, 3));
			planted.orphanDocument = ORPHANS;
			opts.log(`8 reconcile ${platform}: ${opts.orders} orders, ${ix.state.documents.length} documents seeded in ${round((Date.now() - seeding) / 1000, 1)} s; planted ${JSON.stringify(planted)}`);
			const services: Services = {
				platform,
				ix,
				credentials: {
					invoicExpressApi: { accountName: `bench${platform}`, apiKey: ix.apiKey, baseUrl: ix.url },
					...(shop ? { ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token } } : {}),
					...(beyond ? { ePagesBeyondApi: { apiUrl: beyond.apiUrl, clientId: beyond.clientId, clientSecret: beyond.clientSecret } } : {}),
				},
				shopRequests: () => (shop ? shop.requests : (beyond as BeyondSandbox).requests),
			};
			const passes: PassOut[] = [];
			for (const name of ['report', 'repair', 'repair again'] as const) {
				const p = await pass(services, name, opts.orders);
				if (p.not_repaired.length) opts.log(`8 reconcile ${platform} ${name}: not repaired ${JSON.stringify(p.not_repaired)}`);
				opts.log(`8 reconcile ${platform} ${name}: ${p.findings} findings, ${p.repaired} repaired, ${p.shop_requests} shop + ${p.invoicexpress_requests} InvoicExpress requests, ${round(p.duration_ms / 1000, 1)} s, peak heap ${p.peak_heap_mb} MB`);
				passes.push(p);
			}
			const found = Object.fromEntries(Object.entries(passes[0].found).filter(([, n]) => n > 0));
			// An order never written back has no e-mail mark either: it is also "not known to be e-mailed".
			const expected = { ...planted, notEmailed: (planted.notEmailed ?? 0) + (planted.writeBackMissing ?? 0) };
			results.push({
				platform,
				orders: opts.orders,
				documents: ix.state.documents.length,
				period,
				planted,
				found,
				exact: JSON.stringify(Object.entries(found).sort()) === JSON.stringify(Object.entries(expected).sort()),
				passes: passes.map((p): ReconcilePass => {
					const { found: _f, not_repaired: _n, ...figures } = p;
					void _f;
					void _n;
					return figures;
				}),
			});
		} finally {
			await ix.close();
			await shop?.close();
			await beyond?.close();
		}
	}
	return results;
}

/** Runs inside the child process: one reconciliation of last month through the node, with heap sampling. */
export async function reconcileWorker(args: IDataObject): Promise<IDataObject> {
	const { runNode } = await import('../../test/harness/n8n');
	const gc = (global as { gc?: () => void }).gc;
	gc?.();
	const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
	const heapBefore = process.memoryUsage().heapUsed;
	let peak = heapBefore;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 10);
	const started = Date.now();
	try {
		const run = await runNode({
			type: 'invoicExpress',
			parameters: {
				resource: 'document',
				operation: 'reconcileEPagesOrders',
				platform: String(args.platform),
				period: 'lastMonth',
				repair: args.repair === true,
				...(args.repair === true ? { repairs: ['invoice', 'email', 'deleteDrafts', 'writeBack'], documentType: 'invoice', sendEmail: true, matchBy: 'name', orderOptions: { taxExemption: 'M99' } } : {}),
			},
			credentials: args.credentials as Record<string, IDataObject> as never,
		});
		if (run.error) throw run.error;
		const json = run.items[0].json;
		return {
			duration_ms: Date.now() - started,
			findings: json.findings_count,
			repaired: json.repaired,
			needs_person: json.needs_person,
			counts: (json.summary as IDataObject).counts,
			not_repaired: (json.repairs as IDataObject[]).filter((r) => r.outcome !== 'repaired').slice(0, 5),
			heap_before_mb: mb(heapBefore),
			peak_heap_mb: mb(peak),
			heap_growth_mb: mb(peak - heapBefore),
			max_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
		};
	} finally {
		clearInterval(timer);
	}
}

