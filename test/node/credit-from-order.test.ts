/**
 * Issue 13: Credit From ePages Order against the InvoicExpress sandbox (which enforces the credit-note
 * rules: a note only for a finalized invoice, credits never above it, no cancel under credit notes).
 * Each case first invoices real-shaped orders with Create From ePages Order, then corrects them.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode, type RunNodeOptions } from '../harness/n8n';
import { createFromOrderParameters } from '../harness/orderFixtures';
import { useSettings, withSettings } from '../harness/settings';
import { loadEPagesFixture, startEPagesSandbox, type EPagesSandbox } from '../sandbox/epages';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

const fixture = loadEPagesFixture();
const orders = fixture.orders as unknown as IDataObject[];
const byNumber = (n: string) => structuredClone(orders.find((o) => o.orderNumber === n)!);

let ix: IxSandbox;
let credentials: RunNodeOptions['credentials'];
let caseNumber = 0;
const IX_FAST = { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20 };
useSettings({ invoicExpress: IX_FAST });

beforeAll(async () => {
	ix = await startInvoicExpressSandbox({ pdfPendingPolls: 1 });
});
afterAll(async () => ix.close());
beforeEach(() => {
	credentials = { invoicExpressApi: { accountName: `creditshop${++caseNumber}`, apiKey: ix.apiKey, baseUrl: ix.url } };
	ix.reset();
	ix.setReferenceLag(0);
	ix.faults.configure({});
});

async function invoice(input: IDataObject[], over: INodeParameters = {}) {
	const run = await runNode({
		type: 'invoicExpress',
		parameters: createFromOrderParameters({ sendEmail: false, ...over }, { date: '2026-11-28', taxExemption: 'M99' }),
		credentials,
		input,
	});
	expect(run.error).toBeUndefined();
	return run;
}

function creditParameters(over: INodeParameters = {}): INodeParameters {
	return { resource: 'document', operation: 'creditFromEPagesOrder', order: '={{ $json }}', correction: 'creditNote', creditScope: 'full', sendEmail: true, ...over };
}

async function credit(input: IDataObject[], over: INodeParameters = {}, extra: Partial<RunNodeOptions> = {}) {
	return await runNode({ type: 'invoicExpress', parameters: creditParameters(over), credentials, input, ...extra });
}

const creditNotes = () => ix.state.documents.filter((d) => d.type === 'CreditNote' && ['final', 'settled'].includes(d.status));
const invoiceOf = (n: string) => ix.legalDocuments().find((d) => d.type === 'Invoice' && d.reference === n)!;
const lines = (...l: Array<[string, number]>) => ({ line: l.map(([item, quantity]) => ({ item, quantity })) });

describe('Credit From ePages Order: the whole invoice', () => {
	it('issues one finalized credit note linked to the invoice, equal to it to the cent, with the same VAT per line, and e-mails it once', async () => {
		const picked = ['10232', '10234', '10236', '10238'].map(byNumber);
		await invoice(picked);
		const run = await credit(picked);
		expect(run.error).toBeUndefined();
		expect(run.items.map((i) => i.json.outcome)).toEqual(['credited', 'credited', 'credited', 'credited']);
		for (const [k, order] of picked.entries()) {
			const inv = invoiceOf(String(order.orderNumber));
			const note = creditNotes().find((d) => d.owner_invoice_id === inv.id)!;
			expect(note).toBeDefined();
			expect(note.total).toBe(inv.total);
			expect(note.taxes).toBe(inv.taxes);
			expect(note.items.map((i) => [i.name, i.quantity, i.unit_price, i.discount, i.tax.name])).toEqual(inv.items.map((i) => [i.name, i.quantity, i.unit_price, i.discount, i.tax.name]));
			expect(note.client.id).toBe(inv.client.id);
			expect(note.reference).toBe(`${String(order.orderNumber)}:NC:${inv.id}`);
			expect(note.tax_exemption).toBe(inv.tax_exemption);
			expect(run.items[k].json).toMatchObject({ order_number: order.orderNumber, invoice_id: inv.id, document_id: note.id, status: 'final', total: inv.total, credit_total: inv.total, finalized_here: true });
			expect(String(run.items[k].json.legal_number)).toMatch(/^NC /);
		}
		// 10236 has no e-mail address: the others get exactly one e-mail, of the credit note.
		expect(ix.state.emails.map((e) => e.documentId).sort()).toEqual(creditNotes().filter((n) => n.reference.startsWith('10236') === false).map((n) => n.id).sort());
		expect(run.items[2].json.email_skipped).toBe('the order has no e-mail address');
		expect(ix.state.documents.filter((d) => d.status === 'draft')).toEqual([]);
	});

	it('run again (the trigger offers the return twice): the same credit note, no second one, no second e-mail', async () => {
		const order = byNumber('10232');
		await invoice([order]);
		const before = ix.requests.length;
		await credit([order]);
		// Find the invoice, its credit notes, the invoice, its client; create, see it listed, the archived ones, check again, finalize, e-mail.
		expect(ix.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/\d+/g, 'N')}`)).toEqual([
			'GET /invoices.json',
			'GET /document/N/related_documents.json',
			'GET /invoices/N.json',
			'GET /clients/N.json',
			'POST /credit_notes.json',
			'GET /invoices.json',
			// The archived documents of the credit note's reference, before it becomes legal.
			'GET /invoices.json',
			'GET /document/N/related_documents.json',
			'PUT /credit_notes/N/change-state.json',
			'PUT /credit_notes/N/email-document.json',
		]);
		const rerun = ix.requests.length;
		const again = await credit([order]);
		expect(again.items[0].json).toMatchObject({ outcome: 'already credited', finalized_here: false, emailed: false });
		// A repeat reads four times and changes nothing.
		expect(ix.requests.slice(rerun).map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'GET']);
		expect(creditNotes()).toHaveLength(1);
		expect(ix.state.emails).toHaveLength(1);
		expect(ix.state.documents.filter((d) => d.status === 'draft')).toEqual([]);
	});

	it('is refused when the invoice already has other credit notes, naming them', async () => {
		const order = byNumber('10232');
		await invoice([order]);
		await credit([order], { creditScope: 'lines', returnedLines: lines(['CE-PR26', 1]) });
		const run = await credit([order]);
		expect(run.error?.message).toMatch(/^order 10232: FT .+ already has credit notes \(NC .+: \d+(\.\d+)?\), so it cannot be credited in full again$/);
		expect(creditNotes()).toHaveLength(1);
	});
});

describe('Credit From ePages Order: chosen lines, shipping and the payment fee', () => {
	it('credits returned lines at the invoice price, discount and VAT, to the cent, shipping included', async () => {
		const order = byNumber('10234'); // coupons on every line (line discounts), 23 %, 6 %, 13 %
		await invoice([order]);
		const inv = invoiceOf('10234');
		const run = await credit([order], { creditScope: 'lines', returnedLines: lines(['CF-250', 1], ['VV-ALV', 0]), creditShipping: true });
		expect(run.error).toBeUndefined();
		const note = creditNotes()[0];
		const cf = inv.items.find((i) => i.name === 'CF-250')!;
		const vv = inv.items.find((i) => i.name === 'VV-ALV')!;
		const ship = inv.items.find((i) => i.name === 'Portes de envio')!;
		expect(note.items.map((i) => [i.name, Number(i.quantity)])).toEqual([['CF-250', 1], ['VV-ALV', 3], ['Portes de envio', 1]]);
		expect(note.items[0].discount).toBe(cf.discount);
		expect(note.items.map((i) => i.tax.name)).toEqual([cf.tax.name, vv.tax.name, ship.tax.name]);
		// Half of CF-250's line, all of VV-ALV's and the shipping, as InvoicExpress computes them.
		const expected = Math.round((cf.total / 2 + vv.total + ship.total) * 100) / 100;
		expect(Math.abs(note.total - expected)).toBeLessThanOrEqual(0.01);
		expect(run.items[0].json.total).toBe(run.items[0].json.credit_total);
	});

	it('a second return of other lines is a second credit note; the same return again is the same one; beyond the invoice is refused', async () => {
		const order = byNumber('10236'); // 6 %, 23 %, 13 % lines, shipping and a payment fee
		await invoice([order]);
		const inv = invoiceOf('10236');
		const first = await credit([order], { creditScope: 'lines', returnedLines: lines(['SB-LAV', 1]) });
		const repeat = await credit([order], { creditScope: 'lines', returnedLines: lines(['SB-LAV', 1]) });
		const second = await credit([order], { creditScope: 'lines', returnedLines: lines(['ML-RS', 1]), creditPaymentFee: true });
		expect([first, repeat, second].map((r) => r.items[0]?.json.outcome)).toEqual(['credited', 'already credited', 'credited']);
		expect(creditNotes()).toHaveLength(2);
		expect(second.items[0].json.earlier_credit_notes).toEqual([expect.objectContaining({ id: first.items[0].json.document_id })]);
		// The same lines returned again are another return only with its own reference.
		const rma = await credit([order], { creditScope: 'lines', returnedLines: lines(['SB-LAV', 1]), returnReference: 'RMA 77' });
		expect(rma.items[0].json).toMatchObject({ outcome: 'credited', reference: `10236:NC:${inv.id}:RMA-77` });
		// Everything again would pass the invoice total: refused before anything is created.
		const requests = ix.requests.length;
		const over = await credit([order], { creditScope: 'amount', refundAmount: inv.total, refundVatRate: '23' });
		expect(over.error?.message).toMatch(/^order 10236: crediting \d+\.\d{2} would exceed what is left of FT .+: \d+\.\d{2} \(total 31\.81, credited before \d+\.\d{2}\)$/);
		expect(ix.requests.slice(requests).filter((r) => r.method !== 'GET')).toEqual([]);
		expect(creditNotes()).toHaveLength(3);
		const credited = creditNotes().reduce((s, n) => s + n.total, 0);
		expect(credited).toBeLessThanOrEqual(inv.total);
	});

	it('a line the invoice does not have, or more than was sold, is refused naming the order and the line', async () => {
		const order = byNumber('10232');
		await invoice([order]);
		const missing = await credit([order], { creditScope: 'lines', returnedLines: lines(['NOPE-1', 1]) });
		expect(missing.error?.message).toMatch(/^order 10232: invoice \d+ has no line "NOPE-1"$/);
		expect(missing.error?.description).toContain('CE-PR26 × 4');
		const tooMany = await credit([order], { creditScope: 'lines', returnedLines: lines(['CE-PR26', 5]) });
		expect(tooMany.error?.message).toBe('order 10232: the returned quantity of "CE-PR26" must be more than 0 and at most 4 (it is 5)');
		expect(creditNotes()).toHaveLength(0);
		expect(ix.state.documents.filter((d) => d.type === 'CreditNote')).toHaveLength(0);
	});
});

describe('Credit From ePages Order: an amount', () => {
	it('is refused without the VAT rate it belongs to, and credited to the cent with it', async () => {
		const order = byNumber('10232');
		await invoice([order]);
		const bare = await credit([order], { creditScope: 'amount', refundAmount: 10 });
		expect(bare.error?.message).toBe('order 10232: a refund of an amount needs the VAT rate it belongs to');
		const wrong = await credit([order], { creditScope: 'amount', refundAmount: 10, refundVatRate: '13' });
		expect(wrong.error?.message).toMatch(/^order 10232: invoice \d+ has no line at 13 % VAT \(its rates: 23 %, 6 %\)$/);
		const run = await credit([order], { creditScope: 'amount', refundAmount: 12.34, refundVatRate: '23 %', refundDescription: 'Desconto por atraso' });
		expect(run.items[0].json).toMatchObject({ outcome: 'credited', total: 12.34 });
		expect(creditNotes()[0].items.map((i) => [i.name, i.tax.value])).toEqual([['Desconto por atraso', 23]]);
	});
});

describe('Credit From ePages Order: what is not a legal invoice yet, and cancellations', () => {
	it('an order never invoiced gets nothing; an order marked invoiced whose invoice is not listed yet waits', async () => {
		const order = byNumber('10240');
		const run = await credit([order]);
		expect(run.items[0].json).toMatchObject({ outcome: 'not invoiced' });
		expect(run.hints.map((h) => h.message)).toEqual(['1 order has no legal invoice to correct, so nothing was issued: 10240. Their items say why.']);
		const marked = await credit([{ ...order, invoicedOn: '2026-11-28T10:00:00Z' }]);
		expect(marked.items[0].json).toMatchObject({ outcome: 'pending', pending: 'order 10240: pending: will complete on the next run' });
		// Paid, invoiced a moment ago, the lookup lagging: it waits, and completes once the invoice is listed.
		const paid = byNumber('10237');
		await invoice([paid]);
		ix.setReferenceLag(60_000);
		expect((await credit([paid])).items[0].json).toMatchObject({ outcome: 'pending', pending_reason: expect.stringContaining('can lag') });
		ix.advanceClock(60_000);
		expect((await credit([paid])).items[0].json).toMatchObject({ outcome: 'credited' });
		expect(creditNotes()).toHaveLength(1);
		expect(ix.state.documents.filter((d) => d.reference === '10240')).toEqual([]);
	});

	it('an invoice still a draft is deleted instead, whatever the correction', async () => {
		const order = byNumber('10232');
		await invoice([order], { finalize: false });
		const run = await credit([order]);
		expect(run.items[0].json).toMatchObject({ outcome: 'draft deleted' });
		expect(ix.state.documents.map((d) => d.status)).toEqual(['deleted']);
		expect(creditNotes()).toHaveLength(0);
	});

	it('cancels an invoice issued in error with its reason, once; then a credit has nothing left', async () => {
		const order = byNumber('10232');
		await invoice([order]);
		const noReason = await credit([order], { correction: 'cancel' });
		expect(noReason.error?.message).toBe('order 10232: a cancellation needs a reason');
		const run = await credit([order], { correction: 'cancel', reason: 'Encomenda duplicada' });
		expect(run.items[0].json).toMatchObject({ outcome: 'canceled', status: 'canceled', reason: 'Encomenda duplicada' });
		const doc = ix.state.documents[0];
		expect([doc.status, doc.stateMessage]).toEqual(['canceled', 'Encomenda duplicada']);
		const again = await credit([order], { correction: 'cancel', reason: 'Encomenda duplicada' });
		expect(again.items[0].json.outcome).toBe('already canceled');
		const afterwards = await credit([order]);
		expect(afterwards.items[0].json.outcome).toBe('nothing to credit');
		expect(ix.state.illegalTransitions).toEqual([]);
	});

	it('never cancels an invoice that has credit notes: refused before anything is sent', async () => {
		const order = byNumber('10232');
		await invoice([order]);
		await credit([order], { creditScope: 'lines', returnedLines: lines(['SD-120', 2]) });
		const run = await credit([order], { correction: 'cancel', reason: 'Erro' });
		expect(run.error?.message).toMatch(/^order 10232: FT .+ has credit notes \(NC .+\), so it cannot be canceled$/);
		expect(ix.state.illegalTransitions).toEqual([]);
		expect(invoiceOf('10232').status).toBe('final');
	});
});

describe('Credit From ePages Order: exactly once when runs overlap, lag and fail', () => {
	it('two executions at once with a lagging reference lookup: one credit note and one e-mail per order', async () => {
		const picked = ['10231', '10232', '10233', '10234'].map(byNumber);
		await invoice(picked);
		// The invoices are listed (returns come days after the sale); the credit notes lag.
		ix.setReferenceLag(300);
		ix.advanceClock(300);
		const protocol = { budgetMs: 2000, graceMs: 300, pollMs: 50, maxPollMs: 400, adoptJitterMs: 100 };
		// Each run's settings are a layer of its own: the first to end leaves the other's in place.
		const both = await Promise.all([0, 1].map(async () => await withSettings({ protocol }, async () => await credit(picked, {}, { continueOnFail: true }))));
		const outcomes = both.flatMap((r) => r.items.map((i) => String(i.json.outcome ?? i.json.error)));
		expect(outcomes.filter((o) => !['credited', 'already credited', 'pending'].includes(o))).toEqual([]);
		let left = picked.filter((_, k) => both.every((r) => r.items[k].json.outcome === 'pending'));
		for (let run = 0; run < 4 && left.length > 0; run++) {
			ix.advanceClock(300);
			const again = await withSettings({ protocol }, async () => await credit(left));
			left = left.filter((_, k) => again.items[k].json.outcome === 'pending');
		}
		expect(left).toEqual([]);
		for (const order of picked) {
			const inv = invoiceOf(String(order.orderNumber));
			expect(creditNotes().filter((n) => n.owner_invoice_id === inv.id)).toHaveLength(1);
		}
		const emailed = ix.state.emails.map((e) => e.documentId);
		expect(new Set(emailed).size).toBe(emailed.length);
		expect(emailed).toHaveLength(4);
		expect(ix.state.documents.filter((d) => d.status === 'draft')).toEqual([]);
	});

	it('under lost answers and refused requests, re-run until done: one credit note per order, no draft left, nothing refused, no e-mail twice', async () => {
		const picked = ['10231', '10232', '10233', '10237', '10238', '10239'].map(byNumber);
		await invoice(picked);
		ix.faults.configure({ seed: 13, rates: { status429: 0.04, status500: 0.02, status502: 0.02, status503: 0.02, lostResponse: 0.05 } });
		const tuned = { invoicExpress: { ...IX_FAST, maxAttempts: 6, timeoutMs: 300 }, protocol: { budgetMs: 1500, graceMs: 200, pollMs: 50, maxPollMs: 300, adoptJitterMs: 50 } };
		const done = new Set<string>();
		for (let run = 0; run < 8 && done.size < picked.length; run++) {
			if (run === 5) ix.faults.configure({});
			const left = picked.filter((o) => !done.has(String(o.orderNumber)));
			const r = await withSettings(tuned, async () => await credit(left, {}, { continueOnFail: true }));
			r.items.forEach((item, k) => {
				if (item.json.status === 'final') done.add(String(left[k].orderNumber));
			});
		}
		expect(done.size).toBe(picked.length);
		for (const order of picked) expect(creditNotes().filter((n) => n.owner_invoice_id === invoiceOf(String(order.orderNumber)).id)).toHaveLength(1);
		expect(ix.state.illegalTransitions).toEqual([]);
		expect(ix.state.documents.filter((d) => d.status === 'draft')).toEqual([]);
		const emailed = ix.state.emails.map((e) => e.documentId);
		expect(new Set(emailed).size).toBe(emailed.length);
	});
});

describe('Credit From ePages Order: write-back', () => {
	let shop: EPagesSandbox;
	beforeAll(async () => {
		shop = await startEPagesSandbox({ seed: 'empty' });
	});
	afterAll(async () => shop.close());

	it('adds the credit note to the order note read fresh, keeping the invoice line written since', async () => {
		const stale = shop.addOrder({ paidOn: new Date().toISOString() }) as unknown as IDataObject;
		const epCredentials = { ...credentials, ePagesApi: { apiUrl: shop.apiUrl, accessToken: shop.token } };
		const inv = await runNode({
			type: 'invoicExpress',
			parameters: createFromOrderParameters({ sendEmail: false, connectEPages: true, writeBack: true }, { date: '2026-11-28', taxExemption: 'M99' }),
			credentials: epCredentials,
			input: [stale],
		});
		expect(inv.error).toBeUndefined();
		const run = await runNode({ type: 'invoicExpress', parameters: creditParameters({ connectEPages: true, writeBack: true, sendEmail: false }), credentials: epCredentials, input: [stale] });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.written_back).toBe('written');
		const note = String(shop.orders.find((o) => o.orderId === stale.orderId)?.internalNote);
		expect(note.split('\n')).toEqual([
			expect.stringMatching(/^InvoicExpress FT .+ \(id \d+\)/),
			`InvoicExpress credit note ${String(run.items[0].json.legal_number)} (id ${String(run.items[0].json.document_id)}) for ${String(run.items[0].json.invoice_legal_number)}`,
		]);
	});
});

describe('Invoicing again after a cancellation or a full credit, only when asked', () => {
	const again = { orderOptions: { date: '2026-11-28', taxExemption: 'M99', invoiceAgain: true } };

	it('a canceled invoice is refused by default (nothing left behind), and replaced once with Invoice Again, under a key of its own', async () => {
		const order = byNumber('10232');
		await invoice([order]);
		await credit([order], { correction: 'cancel', reason: 'Cliente errado' });
		const plain = await runNode({ type: 'invoicExpress', parameters: createFromOrderParameters({ sendEmail: false }, { date: '2026-11-28', taxExemption: 'M99' }), credentials, input: [order] });
		expect(plain.error?.message).toMatch(/^order 10232: creating the invoice failed: the invoice with reference "10232" \(id \d+\) was canceled: a new one is issued only when asked$/);
		expect(ix.state.documents.filter((d) => d.status !== 'canceled').map((d) => d.status)).toEqual(['deleted']);
		const first = await invoice([order], again);
		expect(first.items[0].json).toMatchObject({ outcome: 'created', status: 'final' });
		const second = await invoice([order], again);
		expect(second.items[0].json).toMatchObject({ outcome: 'already invoiced', document_id: first.items[0].json.document_id });
		const live = ix.legalDocuments().filter((d) => d.reference === '10232' && d.status === 'final');
		expect(live).toHaveLength(1);
		expect(live[0].proprietary_uid).toMatch(/:invoice:again1$/);
	});

	it('a fully credited invoice stays the order\'s invoice by default; with Invoice Again a new one is issued, and its own return is credited anew', async () => {
		const order = byNumber('10233');
		await invoice([order]);
		await credit([order]);
		const plain = await invoice([order]);
		expect(plain.items[0].json.outcome).toBe('already invoiced');
		const renewed = await invoice([order], again);
		expect(renewed.items[0].json).toMatchObject({ outcome: 'created', status: 'final' });
		expect(await invoice([order], again).then((r) => r.items[0].json.outcome)).toBe('already invoiced');
		const returned = await credit([order]);
		expect(returned.items[0].json).toMatchObject({ outcome: 'credited', invoice_id: renewed.items[0].json.document_id });
		const invoices = ix.legalDocuments().filter((d) => d.type === 'Invoice');
		expect(invoices).toHaveLength(2);
		expect(creditNotes().map((n) => n.owner_invoice_id).sort()).toEqual(invoices.map((d) => d.id).sort());
	});

	it('under the strict reading (a unique key refused for good once used) the new attempt still goes through', async () => {
		const strict = await startInvoicExpressSandbox({ uidLockOnlyInFlight: false });
		try {
			const creds = { invoicExpressApi: { accountName: 'strictcredit', apiKey: strict.apiKey, baseUrl: strict.url } };
			const order = byNumber('10237');
			const run = (parameters: INodeParameters) => runNode({ type: 'invoicExpress', parameters, credentials: creds, input: [order] });
			expect((await run(createFromOrderParameters({ sendEmail: false }, { date: '2026-11-28', taxExemption: 'M99' }))).items[0].json.outcome).toBe('created');
			expect((await run(creditParameters({ correction: 'cancel', reason: 'Erro' }))).items[0].json.outcome).toBe('canceled');
			const renewed = await run(createFromOrderParameters({ sendEmail: false }, { date: '2026-11-28', taxExemption: 'M99', invoiceAgain: true }));
			expect(renewed.items[0].json).toMatchObject({ outcome: 'created', status: 'final' });
			expect(strict.state.documents.map((d) => d.status).sort()).toEqual(['canceled', 'final']);
		} finally {
			await strict.close();
		}
	});
});

describe('Credit From ePages Order: dry run and PDF', () => {
	it('a dry run reads and returns the credit note it would issue, with its total, and changes nothing', async () => {
		const order = byNumber('10232');
		await invoice([order]);
		const before = ix.requests.length;
		const run = await credit([order], { dryRun: true, creditScope: 'lines', returnedLines: lines(['SD-120', 6]) });
		const inv = invoiceOf('10232');
		expect(run.items[0].json).toMatchObject({ outcome: 'dry run', invoice_id: inv.id, reference: expect.stringMatching(new RegExp(`^10232:NC:${inv.id}:[0-9a-f]{8}$`)) });
		expect((run.items[0].json.document as IDataObject).items).toEqual([expect.objectContaining({ name: 'SD-120', quantity: 6 })]);
		expect(ix.requests.slice(before).every((r) => r.method === 'GET')).toBe(true);
		expect(ix.state.documents).toHaveLength(1);
	});

	it('attaches the credit note as a PDF when asked', async () => {
		const order = byNumber('10237');
		await invoice([order]);
		const run = await credit([order], { attachPdf: true });
		expect(run.items[0].json.pdf_url).toEqual(expect.stringContaining('http'));
		const binary = run.items[0].binary?.data;
		expect(binary).toMatchObject({ mimeType: 'application/pdf', fileName: expect.stringMatching(/^credit-note-.+\.pdf$/) });
		expect(Buffer.from(binary!.data, 'base64').subarray(0, 4).toString()).toBe('%PDF');
	});
});
