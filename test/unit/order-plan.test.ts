/**
 * What one order becomes (planOrder, planAfterInvoice), without I/O: which requests are needed
 * first, what is refused before anything is sent, and which steps follow the invoice.
 */
import type { IDataObject } from 'n8n-workflow';

import type { InvoiceOrderResult } from '../../nodes/services/invoicexpress/api/invoiceOrder';
import type { IxTax } from '../../nodes/services/invoicexpress/helpers/document';
import {
	documentFor,
	planAfterInvoice,
	planOrder,
	type InvoicePlan,
	type OrderPlan,
	type OrderToInvoiceParams,
	type PlanInput,
} from '../../nodes/link/invoice/plan';
import { loadOrderFixtures } from '../harness/orderFixtures';
import { DEFAULT_TAXES } from '../sandbox/invoicexpress';

const TAXES: IxTax[] = DEFAULT_TAXES.map((t) => ({ ...t }));
const fixtures = loadOrderFixtures();
const fixture = (prefix: string) => JSON.parse(JSON.stringify(fixtures.find((f) => f.file.startsWith(prefix))!.order)) as IDataObject;
/** Order 10301: three VAT rates, billing e-mail ines.carvalho@example.com, shop DemoShop. */
const ORDER = fixture('01-');
/** Order 10331 as GET /orders lists it: no line items. */
const LIST_ITEM = fixture('31-');

const PARAMS: OrderToInvoiceParams = {
	documentType: 'invoice',
	finalize: true,
	sendEmail: false,
	attachPdf: false,
	dryRun: false,
	matchBy: 'name',
	connectEPages: false,
	writeBack: false,
	options: {},
};

const plan = (params: Partial<OrderToInvoiceParams> = {}, input: Partial<PlanInput> = {}): OrderPlan =>
	planOrder({ params: { ...PARAMS, ...params }, order: ORDER, taxes: TAXES, today: '28/11/2026', ...input });

function invoicePlan(params: Partial<OrderToInvoiceParams> = {}, input: Partial<PlanInput> = {}): InvoicePlan {
	const planned = plan(params, input);
	if (planned.kind !== 'invoice') throw new Error(`expected an invoice plan, got ${JSON.stringify(planned)}`);
	return planned;
}

const kinds = (steps: Array<{ kind: string }>) => steps.map((s) => s.kind);

const invoiced = (over: Partial<InvoiceOrderResult> = {}, doc: IDataObject = {}): InvoiceOrderResult => ({
	outcome: 'created',
	finalizedHere: true,
	document: {
		id: 4001,
		status: 'final',
		inverted_sequence_number: 'A/17',
		total: 121.85,
		client: { id: 9, name: 'Inês Carvalho' },
		...doc,
	},
	...over,
});

function after(params: Partial<OrderToInvoiceParams>, result: InvoiceOrderResult, clientCreated: boolean | null = null) {
	const full = { ...PARAMS, ...params };
	return planAfterInvoice(invoicePlan(full), full, result, clientCreated);
}

describe('planOrder: what is needed before the order can be planned', () => {
	it('a full order needs only the taxes of the account', () => {
		expect(plan({}, { taxes: undefined })).toEqual({ kind: 'gather', steps: [{ kind: 'loadTaxes' }] });
	});

	it('a list item with Connect to ePages is fetched in full first, then the taxes are loaded', () => {
		expect(plan({ connectEPages: true }, { order: LIST_ITEM, taxes: undefined })).toEqual({
			kind: 'gather',
			steps: [{ kind: 'fetchFullOrder' }, { kind: 'loadTaxes' }],
		});
		// Once fetched, the full order is the one mapped and keyed; errors still name the item given.
		const fetched = invoicePlan({ connectEPages: true }, { order: { ...LIST_ITEM, orderNumber: 'AS-LISTED' }, fullOrder: ORDER });
		expect(fetched.order).toBe(ORDER);
		expect(fetched.mapped.orderNumber).toBe('10301');
		expect(fetched.label).toBe('order AS-LISTED');
	});

	it('a full order is never fetched again, connected or not', () => {
		expect(plan({ connectEPages: true }, { taxes: undefined })).toEqual({ kind: 'gather', steps: [{ kind: 'loadTaxes' }] });
	});

	it('a list item without Connect to ePages is refused as an order that cannot be mapped', () => {
		expect(plan({}, { order: LIST_ITEM })).toMatchObject({
			kind: 'refuse',
			stage: 'order',
			message: expect.stringMatching(/^order 10331: .*lineItemContainer/),
		});
	});
});

describe('planOrder: refusals, before anything is sent', () => {
	it('a date that cannot be read, before any request (no taxes, no full order yet)', () => {
		const refused = plan({ connectEPages: true, options: { date: '31/02/2026' } }, { order: LIST_ITEM, taxes: undefined });
		expect(refused).toEqual({
			kind: 'refuse',
			stage: 'parameters',
			message: 'order 10331: invoice date "31/02/2026" is not a date',
			description: 'Use the date picker, YYYY-MM-DD or DD/MM/YYYY.',
		});
		expect(plan({ options: { dueDate: 'soon' } })).toMatchObject({ stage: 'parameters', message: 'order 10301: due date "soon" is not a date' });
		// Empty is "not set", never an error.
		expect(plan({ options: { date: '  ', dueDate: '' } }).kind).toBe('invoice');
	});

	it('an order the mapping cannot invoice names the order and the field', () => {
		const noName = JSON.parse(JSON.stringify(ORDER)) as IDataObject & { billingAddress: IDataObject };
		noName.billingAddress.lastName = null;
		noName.billingAddress.company = null;
		expect(plan({}, { order: noName })).toMatchObject({ kind: 'refuse', stage: 'order', message: expect.stringMatching(/^order 10301: .*lastName/) });
	});

	it('a mapping that fails other than on the order is a fault, not a refusal blaming the order', () => {
		const broken = plan({}, { taxes: {} as unknown as IxTax[] });
		expect(broken).toMatchObject({ kind: 'fault', error: expect.any(TypeError) });
	});

	it('strict totals refuse a document that would not match the order total; off reports it', () => {
		const broken = JSON.parse(JSON.stringify(ORDER)) as IDataObject & { lineItemContainer: { grandTotal: { amount: number } } };
		broken.lineItemContainer.grandTotal = { ...broken.lineItemContainer.grandTotal, amount: 122.85 };
		expect(plan({}, { order: broken })).toEqual({
			kind: 'refuse',
			stage: 'totals',
			message: 'order 10301: the invoice total would be 121.85 but the order total is 122.85 (difference -1)',
			description: 'Nothing was created. Check the order amounts, or turn off "Strict Totals" to create it anyway with the difference reported.',
		});
		expect(plan({ documentType: 'invoiceReceipt' }, { order: broken })).toMatchObject({ message: expect.stringContaining('the invoice-receipt total') });
		const lenient = invoicePlan({ options: { strictTotals: false } }, { order: broken });
		expect(lenient.base.totals_check).toMatchObject({ matches: false, difference: -1 });
	});
});

describe('planOrder: the plan', () => {
	it('dry run returns the preview and plans no request', () => {
		const preview = plan({ dryRun: true, sendEmail: true, writeBack: true, attachPdf: true });
		expect(preview.kind).toBe('dryRun');
		expect(preview).toMatchObject({
			json: { order_number: '10301', order_id: ORDER.orderId, document_type: 'invoice', outcome: 'dry run', totals_check: { matches: true } },
		});
		const json = (preview as { json: IDataObject }).json;
		expect(json.client).toMatchObject({ name: 'Inês Carvalho' });
		expect(json.document).toMatchObject({ date: '28/11/2026', reference: '10301' });
		expect(json).not.toHaveProperty('steps');
	});

	it('dates: today when unset, the due date from "Due in (Days)" when no due date is set', () => {
		expect(invoicePlan().mapped.document).toMatchObject({ date: '28/11/2026', due_date: '28/11/2026' });
		expect(invoicePlan({ options: { date: '2026-12-30', dueDays: 5 } }).mapped.document).toMatchObject({ date: '30/12/2026', due_date: '04/01/2027' });
		expect(invoicePlan({ options: { dueDate: '15/01/2027', dueDays: 5 } }).mapped.document).toMatchObject({ due_date: '15/01/2027' });
	});

	it('by name: the NIF-checked client, then the invoice keyed on the shop and the order', () => {
		const p = invoicePlan();
		expect(p.steps).toEqual([
			{ kind: 'findClient', matchBy: 'name' },
			{
				kind: 'invoiceOnce',
				type: 'invoice',
				reference: '10301',
				uniqueKey: `epages:DemoShop:${String(ORDER.orderId)}:invoice`,
				finalize: true,
			},
		]);
		expect(p.base).toEqual({
			order_number: '10301',
			order_id: ORDER.orderId,
			document_type: 'invoice',
			totals_check: p.mapped.totalsCheck,
		});
	});

	it.each([
		['name', 'name'],
		['code', 'code'],
		['fiscalId', 'fiscalId'],
	] as const)('Match By %s finds the client (by %s) before the invoice', (matchBy, by) => {
		expect(invoicePlan({ matchBy }).steps.slice(0, 2)).toEqual([{ kind: 'findClient', matchBy: by }, expect.objectContaining({ kind: 'invoiceOnce' })]);
	});

	it('asks for the e-mail, write-back and PDF in this order, after the invoice', () => {
		expect(kinds(invoicePlan({ sendEmail: true, connectEPages: true, writeBack: true, attachPdf: true, finalize: false }).steps)).toEqual([
			'findClient',
			'invoiceOnce',
			'email',
			'writeBack',
			'pdf',
		]);
		expect(invoicePlan({ finalize: false }).steps).toEqual([{ kind: 'findClient', matchBy: 'name' }, expect.objectContaining({ kind: 'invoiceOnce', finalize: false })]);
	});

	it('the document names the client found, else the order\'s', () => {
		const p = invoicePlan({ matchBy: 'code' });
		expect(documentFor(p)).toEqual(p.mapped.document);
		expect(documentFor(p, { id: 9, name: 'Inês Carvalho Lda', code: 'C-9' }).client).toEqual({ name: 'Inês Carvalho Lda', code: 'C-9' });
		expect(documentFor(p, { id: 9 }).client).toEqual({ name: p.mapped.client.name, code: p.mapped.client.code ?? p.mapped.client.name });
		expect(p.mapped.document.client).not.toEqual({ name: 'Inês Carvalho Lda', code: 'C-9' });
	});
});

describe('planAfterInvoice: what follows the invoice', () => {
	const EMAIL = { sendEmail: true, options: { emailSubject: 'Fatura', emailBody: '', emailBcc: 'acc@example.com' } };

	it('e-mails only what this execution finalized, to the order\'s address', () => {
		const next = after(EMAIL, invoiced());
		expect(next.steps).toEqual([
			{
				kind: 'email',
				to: 'ines.carvalho@example.com',
				id: 4001,
				legalNumber: 'FT A/17',
				message: { email: 'ines.carvalho@example.com', subject: 'Fatura', body: undefined, bcc: 'acc@example.com', logo: true },
			},
		]);
		expect(next.json).toMatchObject({ emailed: false, finalized_here: true, legal_number: 'FT A/17' });
		expect(next.json).not.toHaveProperty('email_skipped');
	});

	it('never e-mails a document finalized by another execution, and says how to send it', () => {
		const next = after(EMAIL, invoiced({ outcome: 'already invoiced', finalizedHere: false }));
		expect(next.steps).toEqual([]);
		expect(next.json.email_skipped).toBe(
			'finalized by an earlier or concurrent execution, which e-mails it; to send it (again), use Document → Send by Email',
		);
		expect(after(EMAIL, invoiced({ outcome: 'resumed', finalizedHere: false })).json.email_skipped).toMatch(/^finalized by an earlier/);
	});

	it('never e-mails a draft, nor an order without an address', () => {
		const draft = after({ ...EMAIL, finalize: false }, invoiced({ outcome: 'draft', finalizedHere: false }, { status: 'draft', inverted_sequence_number: null }));
		expect(draft.steps).toEqual([]);
		expect(draft.json.email_skipped).toBe('the document is a draft');
		const noAddress = JSON.parse(JSON.stringify(ORDER)) as IDataObject & { billingAddress: IDataObject };
		delete noAddress.billingAddress.emailAddress;
		const full = { ...PARAMS, ...EMAIL };
		const next = planAfterInvoice(invoicePlan(full, { order: noAddress }), full, invoiced(), null);
		expect(next.steps).toEqual([]);
		expect(next.json.email_skipped).toBe('the order has no e-mail address');
	});

	it('without Send by Email: no e-mail and no reason given', () => {
		const next = after({}, invoiced());
		expect(next.steps).toEqual([]);
		expect(next.json).not.toHaveProperty('email_skipped');
	});

	it('writes back a final document, naming the address only when this execution e-mails it', () => {
		expect(after({ connectEPages: true, writeBack: true }, invoiced()).steps).toEqual([
			{ kind: 'writeBack', legalNumber: 'FT A/17', noteLine: 'InvoicExpress FT A/17 (id 4001)' },
		]);
		expect(after({ ...EMAIL, connectEPages: true, writeBack: true }, invoiced()).steps).toEqual([
			expect.objectContaining({ kind: 'email' }),
			{ kind: 'writeBack', legalNumber: 'FT A/17', noteLine: 'InvoicExpress FT A/17 (id 4001) e-mailed to ines.carvalho@example.com' },
		]);
		expect(after({ ...EMAIL, connectEPages: true, writeBack: true }, invoiced({ outcome: 'already invoiced', finalizedHere: false })).steps).toEqual([
			{ kind: 'writeBack', legalNumber: 'FT A/17', noteLine: 'InvoicExpress FT A/17 (id 4001)' },
		]);
		// Write Back keeps its value when Connect to ePages is turned off, hidden: off is off.
		expect(after({ writeBack: true }, invoiced()).steps).toEqual([]);
		// A document without a legal number is named by its id.
		expect(after({ connectEPages: true, writeBack: true }, invoiced({}, { inverted_sequence_number: null })).steps).toEqual([
			{ kind: 'writeBack', legalNumber: '4001', noteLine: 'InvoicExpress 4001 (id 4001)' },
		]);
	});

	it('attaches the PDF of a final document, last', () => {
		expect(after({ attachPdf: true, connectEPages: true, writeBack: true }, invoiced()).steps).toEqual([
			expect.objectContaining({ kind: 'writeBack' }),
			{ kind: 'pdf', id: 4001, fileName: 'invoice-A-17.pdf' },
		]);
	});

	it('a draft is neither written back nor attached', () => {
		const draft = invoiced({ outcome: 'draft', finalizedHere: false }, { status: 'draft', inverted_sequence_number: null });
		expect(after({ finalize: false, attachPdf: true, connectEPages: true, writeBack: true }, draft).steps).toEqual([]);
	});

	it('a pending order: nothing after it, and the output says so', () => {
		const pending: InvoiceOrderResult = {
			outcome: 'pending',
			finalizedHere: false,
			pendingReason: 'the reference lookup lists no document yet',
			document: { id: 77, status: 'draft', reference: '10301' },
		};
		const next = after({ ...EMAIL, attachPdf: true, connectEPages: true, writeBack: true }, pending);
		expect(next.steps).toEqual([]);
		expect(next.json).toEqual({
			...invoicePlan().base,
			outcome: 'pending',
			pending: 'order 10301: pending: will complete on the next run',
			pending_reason: 'the reference lookup lists no document yet',
			document_id: 77,
			status: 'draft',
			legal_number: null,
			emailed: false,
		});
	});

	it('the output: the document as InvoicExpress answered, its totals checked again', () => {
		const next = after({ matchBy: 'code' }, invoiced({}, { total: 121.84, currency: undefined, atcud: 'ABCD-17' }), true);
		expect(next.json).toMatchObject({
			outcome: 'created',
			client_id: 9,
			client_name: 'Inês Carvalho',
			client_created: true,
			document_id: 4001,
			status: 'final',
			legal_number: 'FT A/17',
			inverted_sequence_number: 'A/17',
			atcud: 'ABCD-17',
			permalink: null,
			currency: 'EUR',
			emailed: false,
			finalized_here: true,
			totals_check: { document_total: 121.84, order_total: 121.85, difference: -0.01, matches: false },
		});
	});
});
