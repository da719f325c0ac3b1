/**
 * InvoicExpress → Document → Reconcile With ePages Orders (issue 23), against the sandboxes over real
 * HTTP: every finding kind planted on its own order and found; a clean month reports nothing; Repair
 * fixes exactly the repairable kinds (invoice, e-mail, drafts, write-back) and nothing else, and a
 * second repair changes nothing (no write request, no new document or e-mail); two repairs at once
 * still give one invoice and one e-mail per order; ePages Now and ePages Beyond.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode } from '../harness/n8n';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { useSettings } from '../harness/settings';
import { startBeyondSandbox, type BeyondSandbox } from '../sandbox/beyond';
import { startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxDocument, type IxSandbox } from '../sandbox/invoicexpress';

const EP_FAST = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
useSettings({ invoicExpress: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 4000 }, ePages: EP_FAST, ePagesBeyond: EP_FAST });

let shop: EPagesSandbox;
let beyond: BeyondSandbox;
let ix: IxSandbox;
let account = 0;

beforeAll(async () => {
	shop = await startEPagesSandbox({ seed: 'empty' });
	beyond = await startBeyondSandbox({ seed: 'empty' });
	ix = await startInvoicExpressSandbox();
});
afterAll(async () => {
	await shop.close();
	await beyond.close();
	await ix.close();
});
beforeEach(() => {
	ix.reset();
	shop.reset('empty');
	beyond.reset('empty');
	account++;
});

const DAY = 86400000;
/** A day n days ago (UTC noon keeps it the same Lisbon day). */
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);
const PLACED = 10;

const credentials = () => ({
	invoicExpressApi: { accountName: `reconcile${account}`, apiKey: ix.apiKey, baseUrl: ix.url },
	ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token },
	ePagesBeyondApi: { apiUrl: beyond.apiUrl, clientId: beyond.clientId, clientSecret: beyond.clientSecret, _case: account },
});

/** The operation over the last 20 days (yesterday included), nothing too recent to judge. */
function reconcileParameters(over: IDataObject = {}): INodeParameters {
	return {
		resource: 'document',
		operation: 'reconcileEPagesOrders',
		platform: 'now',
		period: 'custom',
		periodFrom: `${daysAgo(20)}T00:00:00`,
		periodTo: `${daysAgo(1)}T00:00:00`,
		checkOptions: { settleMinutes: 0 },
		...over,
	} as INodeParameters;
}

const REPAIR = { repair: true, repairs: ['invoice', 'email', 'deleteDrafts', 'writeBack'], documentType: 'invoice', sendEmail: true, matchBy: 'name', orderOptions: { taxExemption: 'M99' } };

async function reconcile(over: IDataObject = {}) {
	const run = await runNode({ type: 'invoicExpress', parameters: reconcileParameters(over), credentials: credentials() });
	expect(run.error).toBeUndefined();
	return { ...run, out: run.items[0] };
}

const findingsOf = (item: INodeExecutionData) => (item.json.findings as IDataObject[]).map((f) => `${String(f.kind)} ${String(f.order_number)}`).sort();

// ---------------------------------------------------------------------------------------------
// Planting (ePages Now)
// ---------------------------------------------------------------------------------------------

const at = (day: string, time = '12:00:00') => `${day}T${time}.000Z`;

let customer = 0;
/** A paid ePages Now order placed 10 days ago, by a customer of her own with an e-mail address. */
function nowOrder(fields: IDataObject = {}): IDataObject {
	const day = daysAgo(PLACED);
	customer++;
	const billingAddress = { firstName: 'Cliente', lastName: `Número ${customer}`, street: 'Rua do Ouro 10', zipCode: '1100-060', city: 'Lisboa', country: 'PT', emailAddress: `cliente${customer}@example.com` };
	return shop.addOrder({ customerId: null, paidOn: at(day, '12:05:00'), billingAddress, ...fields } as never, { creationDate: at(day) }) as unknown as IDataObject;
}

/** Create From ePages Order on the order, dated the day it was placed: e-mailed and written back unless told. */
async function invoice(order: IDataObject, over: IDataObject = {}, platform = 'now'): Promise<IxDocument> {
	const run = await runNode({
		type: 'invoicExpress',
		parameters: createFromOrderParameters({ sendEmail: true, connectEPages: true, writeBack: true, platform, ...over }, { date: daysAgo(PLACED), taxExemption: 'M99' }),
		credentials: credentials(),
		input: [order],
	});
	expect(run.error).toBeUndefined();
	return ix.state.documents.find((d) => d.id === run.items[0].json.document_id)!;
}

let nextId = 9_000_000;
/** A document put in InvoicExpress by hand (or by another tool): a copy of `doc` with changes. */
function copyOf(doc: IxDocument, over: Partial<IxDocument>): IxDocument {
	const copy = { ...(JSON.parse(JSON.stringify(doc)) as IxDocument), id: ++nextId, proprietary_uid: null, ...over };
	ix.state.documents.push(copy);
	return copy;
}

const draftOf = (doc: IxDocument) => copyOf(doc, { status: 'draft', inverted_sequence_number: null, sequence_number: 'rascunho', atcud: null });
const number = (o: IDataObject) => String(o.orderNumber);

/** Each finding kind on its own order, and a few clean orders: the order number of each kind. */
async function plantEveryKind(): Promise<Record<string, string>> {
	const clean = nowOrder();
	await invoice(clean);
	nowOrder({ paidOn: null });
	const notInvoiced = nowOrder();
	const duplicate = nowOrder();
	copyOf(await invoice(duplicate), { inverted_sequence_number: 'A/90', sequence_number: '90/A' });
	const canceled = nowOrder();
	(await invoice(canceled)).status = 'canceled';
	const mismatch = nowOrder();
	(await invoice(mismatch)).total += 5;
	const notCredited = nowOrder();
	await invoice(notCredited);
	shop.setStatus(String(notCredited.orderId), 'returnedOn', at(daysAgo(5)));
	const refund = nowOrder();
	const refunded = await invoice(refund);
	copyOf(refunded, { type: 'CreditNote', reference: `${number(refund)}:NC:${refunded.id}`, inverted_sequence_number: 'A/91', total: 5, before_taxes: 4.07, taxes: 0.93, items: [] });
	const orphan = copyOf(refunded, { reference: 'balcão-7', inverted_sequence_number: 'A/92' });
	const unknownType = nowOrder();
	copyOf(await invoice(unknownType), { type: 'Quote' as never, inverted_sequence_number: 'A/93' });
	const drafted = nowOrder();
	draftOf(await invoice(drafted));
	const unwritten = nowOrder({ billingAddress: { firstName: 'Rui', lastName: 'Lima', street: 'Rua A 1', zipCode: '1000-001', city: 'Lisboa', country: 'PT' } });
	await invoice(unwritten, { connectEPages: false, writeBack: false, sendEmail: false });
	const unmailed = nowOrder();
	await invoice(unmailed, { sendEmail: false });
	return {
		notInvoiced: number(notInvoiced),
		duplicateInvoices: number(duplicate),
		canceledNotReinvoiced: number(canceled),
		totalMismatch: number(mismatch),
		notCredited: number(notCredited),
		creditWithoutReturn: number(refund),
		orphanDocument: orphan.reference,
		unreadable: number(unknownType),
		draftLeft: number(drafted),
		writeBackMissing: number(unwritten),
		notEmailed: number(unmailed),
	};
}

const writes = (requests: Array<{ method: string }>) => requests.filter((r) => r.method !== 'GET').length;

// ---------------------------------------------------------------------------------------------
// ePages Now
// ---------------------------------------------------------------------------------------------

describe('Reconcile With ePages Orders: ePages Now', () => {
	it('a clean month reports nothing, and its report says so', async () => {
		for (let k = 0; k < 3; k++) await invoice(nowOrder());
		nowOrder({ paidOn: null });
		const { out, hints } = await reconcile();
		expect(out.json).toMatchObject({ findings_count: 0, needs_person: 0, needs_person_text: '', findings: [], unresolved: [], repairs: [] });
		expect((out.json.summary as IDataObject).orders).toMatchObject({ in_period: 4, paid: 3 });
		expect(hints.map((h) => h.message)).toEqual([expect.stringMatching(/everything agrees \(4 orders, 3 documents\)/)]);
		const html = Buffer.from(out.binary!.html.data, 'base64').toString('utf8');
		expect(html).toContain('Everything agrees: no order or document needs attention.');
		expect(out.binary!.csv.fileName).toBe(`reconciliation-${daysAgo(20)}_${daysAgo(1)}.csv`);
		expect(out.binary!.html.mimeType).toBe('text/html');
	});

	it('finds each kind planted, on its own order, and changes nothing without Repair', async () => {
		const planted = await plantEveryKind();
		const docs = JSON.stringify(ix.state.documents);
		const notes = JSON.stringify(shop.orders.map((o) => [o.internalNote, o.invoicedOn]));
		const ixWrites = writes(ix.requests);
		const shopWrites = writes(shop.requests);
		const { out, hints } = await reconcile();
		expect(findingsOf(out)).toEqual(Object.entries(planted).map(([kind, order]) => `${kind} ${order}`).sort());
		expect(out.json).toMatchObject({ findings_count: 11, needs_person: 11, repair: false, repaired: 0, repairs: [] });
		// Nothing was changed: no write request to either service, documents and orders as they were.
		expect(writes(ix.requests)).toBe(ixWrites);
		expect(writes(shop.requests)).toBe(shopWrites);
		expect(JSON.stringify(ix.state.documents)).toBe(docs);
		expect(JSON.stringify(shop.orders.map((o) => [o.internalNote, o.invoicedOn]))).toBe(notes);
		const danger = hints.find((h) => h.type === 'danger')!.message;
		expect(danger).toMatch(/11 findings need a person: Paid, not invoiced \(1: \d+\); Two legal invoices/);
		expect(hints.map((h) => h.message)).toContainEqual('4 findings of these can be repaired by the package: run again with "Repair" on.');
		// The report names every planted order and kind.
		const html = Buffer.from(out.binary!.html.data, 'base64').toString('utf8');
		for (const order of Object.values(planted)) expect(html).toContain(`<td>${order === 'balcão-7' ? 'balcão-7' : order}</td>`);
		const csv = Buffer.from(out.binary!.csv.data, 'base64').toString('utf8');
		expect(csv.split('\r\n').filter(Boolean)).toHaveLength(12);
		// The orphan's reference was looked up in the shop (a year back, a month at a time) before it was called orphan.
		expect(shop.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/orders')).length).toBeGreaterThanOrEqual(13);
	});

	it('Repair fixes exactly the repairable kinds, and a second repair does nothing', async () => {
		const planted = await plantEveryKind();
		const emailsBefore = ix.state.emails.length;
		const first = await reconcile(REPAIR);
		const outcomes = (first.out.json.repairs as IDataObject[]).map((r) => `${String(r.repair)} ${String(r.order_number)} ${String(r.outcome)}`).sort();
		expect(outcomes).toEqual(
			[`invoice ${planted.notInvoiced} repaired`, `email ${planted.notEmailed} repaired`, `deleteDrafts ${planted.draftLeft} repaired`, `writeBack ${planted.writeBackMissing} repaired`].sort(),
		);
		expect(first.out.json).toMatchObject({ findings_count: 11, repaired: 4, needs_person: 7 });
		expect(first.hints.map((h) => h.message)).toContainEqual(expect.stringMatching(/^Repaired: Paid, not invoiced \(1: \d+\); Draft left behind .*; Invoice not marked in the shop .*; Invoice not known to be e-mailed/));

		// What the repairs did, in the services.
		const legal = (order: string) => ix.legalDocuments().filter((d) => d.reference === order && d.type === 'Invoice' && d.status === 'final');
		const order = (n: string) => shop.orders.find((o) => o.orderNumber === n)!;
		const invoiced = legal(planted.notInvoiced);
		expect(invoiced).toHaveLength(1);
		expect(order(planted.notInvoiced).internalNote).toContain(`InvoicExpress FT ${String(invoiced[0].inverted_sequence_number)} (id ${invoiced[0].id})`);
		expect(ix.state.documents.filter((d) => d.reference === planted.draftLeft && d.status === 'draft')).toEqual([]);
		expect(order(planted.writeBackMissing).internalNote).toBe(`InvoicExpress FT ${String(legal(planted.writeBackMissing)[0].inverted_sequence_number)} (id ${legal(planted.writeBackMissing)[0].id})`);
		expect(order(planted.writeBackMissing).invoicedOn).not.toBeNull();
		const unmailed = legal(planted.notEmailed)[0];
		const newEmails = ix.state.emails.slice(emailsBefore).map((e) => e.documentId).sort();
		expect(newEmails).toEqual([invoiced[0].id, unmailed.id].sort());
		expect(order(planted.notEmailed).internalNote).toMatch(/ e-mailed to \S+@example\.com$/);

		// The non-repairable kinds are untouched: their documents are as planted.
		expect(legal(planted.duplicateInvoices)).toHaveLength(2);
		expect(ix.state.documents.find((d) => d.reference === planted.canceledNotReinvoiced)!.status).toBe('canceled');
		expect(ix.state.documents.filter((d) => d.reference === planted.canceledNotReinvoiced)).toHaveLength(1);

		// A second repair: only what needs a person is left, and nothing is written anywhere.
		const docs = JSON.stringify(ix.state.documents);
		const emails = ix.state.emails.length;
		const ixWrites = writes(ix.requests);
		const shopWrites = writes(shop.requests);
		const second = await reconcile(REPAIR);
		expect(findingsOf(second.out)).toEqual(
			['duplicateInvoices', 'canceledNotReinvoiced', 'totalMismatch', 'notCredited', 'creditWithoutReturn', 'orphanDocument', 'unreadable'].map((k) => `${k} ${planted[k]}`).sort(),
		);
		expect(second.out.json).toMatchObject({ repairs: [], repaired: 0, needs_person: 7 });
		expect(writes(ix.requests)).toBe(ixWrites);
		expect(writes(shop.requests)).toBe(shopWrites);
		expect(JSON.stringify(ix.state.documents)).toBe(docs);
		expect(ix.state.emails).toHaveLength(emails);
	});

	it('only the repairs chosen run; the report shows what each did', async () => {
		const planted = await plantEveryKind();
		const { out } = await reconcile({ ...REPAIR, repairs: ['writeBack'] });
		expect((out.json.repairs as IDataObject[]).map((r) => [r.repair, r.order_number, r.outcome])).toEqual([['writeBack', planted.writeBackMissing, 'repaired']]);
		expect(ix.state.documents.filter((d) => d.reference === planted.notInvoiced)).toEqual([]);
		const html = Buffer.from(out.binary!.html.data, 'base64').toString('utf8');
		expect(html).toContain('11 findings: 1 repaired, 10 need a person.');
		const csv = Buffer.from(out.binary!.csv.data, 'base64').toString('utf8');
		expect(csv).toMatch(new RegExp(`writeBackMissing,.*,${planted.writeBackMissing},.*,repaired\\r\\n`));
	});

	it('a repair that fails is reported for its order; the others go on', async () => {
		const refused = nowOrder({ billingAddress: { firstName: 'Ana', lastName: 'Lima', street: 'Rua A 1', zipCode: '1000-001', city: 'Lisboa', country: 'PT', emailAddress: 'ana@example.com', vatId: '123456788' } });
		const fine = nowOrder();
		const { out, hints } = await reconcile(REPAIR);
		const repairs = out.json.repairs as IDataObject[];
		expect(repairs.find((r) => r.order_number === number(refused))).toMatchObject({ repair: 'invoice', outcome: 'failed', message: expect.stringMatching(new RegExp(`^order ${number(refused)}: .*NIF`)) });
		expect(repairs.find((r) => r.order_number === number(fine))).toMatchObject({ repair: 'invoice', outcome: 'repaired' });
		expect(out.json).toMatchObject({ repaired: 1, needs_person: 1 });
		expect((out.json.findings as IDataObject[]).find((f) => f.order_number === number(refused))).toMatchObject({ needs_person: true, repair: expect.stringMatching(/^failed: order /) });
		expect(hints.find((h) => h.type === 'danger')!.message).toContain(`Paid, not invoiced (1: ${number(refused)})`);
		expect(ix.legalDocuments().map((d) => d.reference)).toEqual([number(fine)]);
	});

	it('an invoice the merchant archived in InvoicExpress is still the order\'s: nothing reported, and Repair issues no second one', async () => {
		const archived = nowOrder();
		const doc = await invoice(archived);
		ix.archive(doc.id);
		const { out } = await reconcile(REPAIR);
		expect(out.json).toMatchObject({ findings_count: 0, repaired: 0, repairs: [] });
		// The period was listed twice: the documents that are not archived, then the archived ones.
		const listings = ix.requests.filter((r) => r.method === 'GET' && r.path === '/invoices.json' && r.query['date[from]'] !== undefined);
		expect(listings.some((r) => r.query.archived === 'true' && r.query.non_archived === undefined)).toBe(true);
		expect(listings.some((r) => r.query.non_archived === 'true')).toBe(true);
		expect(ix.state.documents.filter((d) => d.reference === number(archived) && d.status !== 'draft')).toHaveLength(1);
	});

	it('read the other way (archived=true listing every document), the archived filter still counts each document once', async () => {
		const archived = nowOrder();
		ix.archive((await invoice(archived)).id);
		const live = nowOrder();
		await invoice(live);
		ix.setArchivedReading('all');
		const { out } = await reconcile(REPAIR);
		// Without counting each document once, the live order's invoice would be read twice: "Two legal invoices".
		expect(out.json).toMatchObject({ findings_count: 0, repaired: 0 });
		expect((out.json.summary as IDataObject).orders).toMatchObject({ paid: 2 });
		expect(ix.state.documents.filter((d) => d.status !== 'draft')).toHaveLength(2);
	});

	it('two repairs at once give one invoice and one e-mail per order', async () => {
		const unpaid = [nowOrder(), nowOrder(), nowOrder()];
		const unmailed = [nowOrder(), nowOrder()];
		for (const o of unmailed) await invoice(o, { sendEmail: false });
		const emailsBefore = ix.state.emails.length;
		const runs = await Promise.all([reconcile(REPAIR), reconcile(REPAIR)]);
		for (const o of unpaid) {
			const docs = ix.state.documents.filter((d) => d.reference === number(o) && d.status !== 'deleted');
			expect({ order: number(o), docs: docs.map((d) => d.status) }).toEqual({ order: number(o), docs: ['final'] });
			expect(ix.state.emails.filter((e) => e.documentId === docs[0].id)).toHaveLength(1);
		}
		for (const o of unmailed) {
			const doc = ix.state.documents.find((d) => d.reference === number(o))!;
			expect(ix.state.emails.filter((e) => e.documentId === doc.id)).toHaveLength(1);
		}
		expect(ix.state.emails.length - emailsBefore).toBe(5);
		expect(ix.state.illegalTransitions).toEqual([]);
		// Between them, every repair was done once and found done (or under way) by the other.
		const outcomes = runs.flatMap((r) => (r.out.json.repairs as IDataObject[]).map((x) => String(x.outcome)));
		expect(outcomes.filter((o) => o === 'repaired')).toHaveLength(5);
		expect(outcomes.every((o) => ['repaired', 'already done', 'pending'].includes(o))).toBe(true);
	});

	it('Last Month and This Month are calendar months in Lisbon; a wrong custom period is refused before any request', async () => {
		const last = await reconcile({ period: 'lastMonth' });
		const label = String((last.out.json.period as IDataObject).label);
		expect(label).toMatch(/^\d{4}-\d{2}$/);
		expect(last.out.binary!.html.fileName).toBe(`reconciliation-${label}.html`);
		const requests = ix.requests.length + shop.requests.length;
		const wrong = await runNode({ type: 'invoicExpress', parameters: reconcileParameters({ periodFrom: `${daysAgo(1)}T00:00:00`, periodTo: `${daysAgo(3)}T00:00:00` }), credentials: credentials() });
		expect(wrong.error?.message).toBe(`the period ends (${daysAgo(3)}) before it starts (${daysAgo(1)})`);
		expect(ix.requests.length + shop.requests.length).toBe(requests);
	});
});

// ---------------------------------------------------------------------------------------------
// ePages Beyond
// ---------------------------------------------------------------------------------------------

/** A Beyond order placed and paid 10 days ago, as the ePages node's Get gives it (the package's shape). */
async function beyondOrder(fields: IDataObject = {}): Promise<IDataObject> {
	const created = `${daysAgo(PLACED)}T12:00:00.000`;
	const raw = beyond.addOrder({ createdAt: created, updatedAt: created, paymentStatus: 'PAID', paidAt: `${daysAgo(PLACED)}T12:05:00.000`, ...fields } as never);
	const got = await runNode({ type: 'ePages', parameters: { resource: 'beyondOrder', operation: 'get', beyondOrderId: { __rl: true, mode: 'id', value: raw._id } }, credentials: credentials() });
	expect(got.error).toBeUndefined();
	return got.items[0].json;
}

describe('Reconcile With ePages Orders: ePages Beyond', () => {
	it('finds and repairs on a Beyond shop; the orphan is looked up by its number', async () => {
		const clean = await beyondOrder();
		await invoice(clean, {}, 'beyond');
		const notInvoiced = await beyondOrder();
		const unmailed = await beyondOrder();
		await invoice(unmailed, { sendEmail: false }, 'beyond');
		const drafted = await beyondOrder();
		draftOf(await invoice(drafted, {}, 'beyond'));
		const orphan = copyOf(ix.state.documents[0], { reference: '99999', inverted_sequence_number: 'A/95' });
		const before = beyond.requests.length;
		const report = await reconcile({ platform: 'beyond' });
		expect(findingsOf(report.out)).toEqual([`draftLeft ${number(drafted)}`, `notEmailed ${number(unmailed)}`, `notInvoiced ${number(notInvoiced)}`, `orphanDocument ${orphan.reference}`].sort());
		// One list page of orders, one lookup by order number.
		const reads = beyond.requests.slice(before).filter((r) => r.path.endsWith('/orders'));
		expect(reads.map((r) => (r.query as Record<string, unknown>)?.orderNumber ?? 'list')).toEqual(['list', '99999']);

		const repaired = await reconcile({ ...REPAIR, platform: 'beyond' });
		expect((repaired.out.json.repairs as IDataObject[]).map((r) => `${String(r.repair)} ${String(r.outcome)}`).sort()).toEqual(['deleteDrafts repaired', 'email repaired', 'invoice repaired']);
		const invoiceOf = (o: IDataObject) => ix.legalDocuments().filter((d) => d.reference === number(o) && d.status === 'final');
		expect(invoiceOf(notInvoiced)).toHaveLength(1);
		const note = (o: IDataObject) => String(beyond.orders.find((x) => x._id === o.orderId)?.orderNote ?? '');
		expect(note(notInvoiced)).toContain(`(id ${invoiceOf(notInvoiced)[0].id}) e-mailed to`);
		expect(note(unmailed)).toMatch(/ e-mailed to \S+$/);
		expect(ix.state.documents.filter((d) => d.reference === number(drafted) && d.status === 'draft')).toEqual([]);

		const again = await reconcile({ ...REPAIR, platform: 'beyond' });
		expect(findingsOf(again.out)).toEqual([`orphanDocument ${orphan.reference}`]);
		expect(again.out.json.repairs).toEqual([]);
	});
});
