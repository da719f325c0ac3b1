import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { InvoicExpress } from '../../nodes/InvoicExpress/InvoicExpress.node';
import { fakeSecret } from '../harness/secrets';
import { loadOptions, runNode, testCredential, type RunNodeOptions } from '../harness/n8n';
import { useSettings, withSettings } from '../harness/settings';
import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';

let sandbox: IxSandbox;
let credentials: RunNodeOptions['credentials'];
/** Short back-off, through the package's test settings. */
const FAST = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
useSettings({ invoicExpress: FAST });

beforeAll(async () => {
	sandbox = await startInvoicExpressSandbox({ pdfPendingPolls: 2 });
	credentials = { invoicExpressApi: { accountName: 'sandboxshop', apiKey: sandbox.apiKey, baseUrl: sandbox.url } };
});
afterAll(async () => sandbox.close());
beforeEach(() => {
	sandbox.reset();
	sandbox.faults.configure({});
});

async function ix(parameters: INodeParameters, extra: Partial<RunNodeOptions> = {}) {
	return await runNode({ type: 'invoicExpress', parameters, credentials, ...extra });
}

/** Requests other than the tax list, which is read once per execution to validate tax names. */
function sent() {
	return sandbox.requests.filter((r) => r.path !== '/taxes.json');
}

const invoiceParams = (over: INodeParameters = {}): INodeParameters => ({
	resource: 'document',
	operation: 'create',
	documentType: 'invoice',
	date: '2026-11-28',
	dueDate: '2026-12-28',
	name: 'Maria Silva',
	code: 'C-1',
	clientFields: { country: 'PT', fiscalId: '501964843', email: 'maria@example.pt' },
	itemsInput: 'fields',
	items: {
		item: [
			{ name: 'SKU-1', description: 'Caneca', unitPrice: 24.3902, quantity: 1, unit: 'unit', discount: 0, tax: 'IVA23' },
			{ name: 'SKU-2', description: 'Livro', unitPrice: 10, quantity: 2, unit: 'unit', discount: 10, tax: 'IVA6' },
		],
	},
	additionalFields: { reference: 'ORD-1', finalize: true },
	...over,
});

describe('credential', () => {
	it('authenticates every request with api_key in the query', async () => {
		const run = await ix({ resource: 'tax', operation: 'getAll' });
		expect(run.error).toBeUndefined();
		expect(run.items.map((i) => i.json.name)).toEqual(sandbox.state.taxes.map((t) => t.name));
		expect(sandbox.requests[0].query.api_key).toBe(sandbox.apiKey);
		expect(sandbox.requests[0].headers.accept).toBe('application/json');
	});
	it('the test button passes with a good key and says what to fix with a bad one', async () => {
		const base = { accountName: 'sandboxshop', baseUrl: `${sandbox.url}/` };
		expect(await testCredential('invoicExpressApi', { ...base, apiKey: sandbox.apiKey })).toMatchObject({ ok: true });
		expect(await testCredential('invoicExpressApi', { ...base, apiKey: fakeSecret('bad') })).toEqual({
			ok: false,
			status: 401,
			message: 'InvoicExpress refused the API key: copy it again from Settings → API of this account',
		});
		expect(await testCredential('invoicExpressApi', { ...base, apiKey: sandbox.apiKey, baseUrl: `${sandbox.url}/nope` })).toMatchObject({
			ok: false,
			status: 404,
			message: expect.stringContaining('No InvoicExpress account answers at this address'),
		});
	});
	it('refuses an account name that is not a subdomain, before any request', async () => {
		const run = await runNode({
			type: 'invoicExpress',
			parameters: { resource: 'tax', operation: 'getAll' },
			credentials: { invoicExpressApi: { accountName: 'https://x.app.invoicexpress.com', apiKey: fakeSecret('account'), baseUrl: '' } },
		});
		expect(run.error?.message).toContain('is not valid: use only the subdomain');
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('secrets never leak', () => {
	const cases: Array<[string, () => void, INodeParameters]> = [
		['401', () => undefined, { resource: 'client', operation: 'get', clientId: '1' }],
		['404', () => undefined, { resource: 'client', operation: 'get', clientId: '999999' }],
		['422', () => undefined, { resource: 'document', operation: 'cancel', documentType: 'invoice', documentId: '1', reason: 'x' }],
		['429', () => sandbox.faults.configure({ rates: { status429: 1 } }), { resource: 'tax', operation: 'getAll' }],
		['503', () => sandbox.faults.configure({ rates: { status503: 1 } }), { resource: 'tax', operation: 'getAll' }],
		['502 html', () => sandbox.faults.configure({ rates: { status502: 1 } }), { resource: 'tax', operation: 'getAll' }],
		['reset', () => sandbox.faults.configure({ rates: { reset: 1 } }), { resource: 'tax', operation: 'getAll' }],
	];
	it.each(cases)('%s', async (name, arrange, parameters) => {
		arrange();
		const creds =
			name === '401'
				? { invoicExpressApi: { accountName: 'x', apiKey: fakeSecret('wrong'), baseUrl: sandbox.url } }
				: credentials;
		const key = String(creds.invoicExpressApi.apiKey);
		if (name === '422') {
			// a draft cannot be canceled: create one first
			const created = await ix(invoiceParams({ additionalFields: { reference: 'R' } }));
			parameters.documentId = String(created.items[0].json.id);
		}
		const run = await runNode({ type: 'invoicExpress', parameters, credentials: creds });
		expect(run.error).toBeDefined();
		expect(run.error!.message).toMatch(/InvoicExpress/);
		const everything = JSON.stringify(run.run) + String(run.error!.message) + String(run.error!.description ?? '') + String(run.error!.stack ?? '');
		expect(everything).not.toContain(key);
	});
	it('network errors (nothing listening) name the action and hide the key', async () => {
		const run = await runNode({
			type: 'invoicExpress',
			parameters: { resource: 'tax', operation: 'getAll' },
			credentials: { invoicExpressApi: { accountName: 'x', apiKey: fakeSecret('network'), baseUrl: 'http://127.0.0.1:9' } },
		});
		expect(run.error?.message).toMatch(/InvoicExpress could not be reached to load the taxes/);
		expect(JSON.stringify(run.run)).not.toContain(fakeSecret('network'));
	});
});

describe('transport retries', () => {
	it('rides out 429 bursts and 503s on reads', async () => {
		sandbox.faults.configure({ rates: { status429: 0.5, status503: 0.2 }, seed: 7 });
		const run = await ix({ resource: 'client', operation: 'getAll', returnAll: true });
		expect(run.error).toBeUndefined();
		expect(sandbox.requests.some((r) => r.status === 429 || r.status === 503)).toBe(true);
	});
	it('honours Retry-After on 429', async () => {
		sandbox.faults.configure({ rates: { status429: 1 }, retryAfterSeconds: 0 });
		const run = await ix({ resource: 'tax', operation: 'getAll' });
		expect(run.error?.message).toContain('HTTP 429');
		expect(run.error?.description).toContain('780 requests per minute');
		expect(sandbox.requests).toHaveLength(4);
	});
	it('repeats reads that time out, and names the timeout when it persists', async () => {
		// The timeout is shorter than the slow answers (400 ms): what makes them time out.
		await withSettings({ invoicExpress: { ...FAST, timeoutMs: 150 } }, async () => {
			sandbox.faults.configure({ rates: { slow: 0.5 }, slowMs: 400, seed: 8 });
			const ok = await ix({ resource: 'client', operation: 'getAll', returnAll: true });
			expect(ok.error).toBeUndefined();
			expect(sandbox.requests.some((r) => r.fault === 'slow')).toBe(true);
			sandbox.faults.configure({ rates: { slow: 1 }, slowMs: 400 });
			const failed = await ix({ resource: 'tax', operation: 'getAll' });
			expect(failed.error?.message).toBe('InvoicExpress could not be reached to load the taxes (no answer before the timeout)');
		});
	});

	it('never repeats a document creation blindly after a server error', async () => {
		sandbox.faults.configure({ rates: { status500: 1 }, applies: (r) => r.method === 'POST' });
		const run = await ix(invoiceParams({ additionalFields: {} }));
		expect(run.error?.message).toContain('may or may not have been created');
		expect(sandbox.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
	});
});

describe('client', () => {
	const clientParams = (over: INodeParameters = {}): INodeParameters => ({
		resource: 'client',
		operation: 'findOrCreate',
		name: 'Loja do Zé, Lda',
		code: '1028',
		matchBy: 'name',
		clientFields: { country: 'PT', fiscalId: 'PT 503 504 564', email: 'ze@example.pt', city: 'Porto', postalCode: '4000-001', address: 'Rua das Flores 1', phone: '220000000', language: 'pt' },
		...over,
	});

	it('Find or Create creates a missing client with all its data, in InvoicExpress shapes', async () => {
		const run = await ix(clientParams());
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ name: 'Loja do Zé, Lda', found: false, created: true, matched_by: null });
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
		const post = sandbox.requests.find((r) => r.method === 'POST')!;
		expect(post.body).toEqual({
			client: {
				name: 'Loja do Zé, Lda',
				code: '1028',
				country: 'Portugal',
				fiscal_id: '503504564',
				email: 'ze@example.pt',
				city: 'Porto',
				postal_code: '4000-001',
				address: 'Rua das Flores 1',
				phone: '220000000',
				language: 'pt',
			},
		});
		expect(sandbox.state.clients).toHaveLength(1);
	});

	it('Find or Create returns the existing client by exact name, as the original integration did', async () => {
		await ix(clientParams());
		sandbox.requests.length = 0;
		const run = await ix(clientParams({ code: 'other-code' }));
		expect(run.items[0].json).toMatchObject({ found: true, created: false, matched_by: 'name', updated: false });
		expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /clients/find-by-name.json']);
		expect(sandbox.state.clients).toHaveLength(1);
	});

	it('Find or Create can update the found client, always sending the name', async () => {
		await ix(clientParams());
		const run = await ix(clientParams({ updateExisting: true, clientFields: { email: 'new@example.pt', country: 'Spain', fiscalId: '503504564' } }));
		expect(run.items[0].json).toMatchObject({ found: true, updated: true });
		const put = sandbox.requests.find((r) => r.method === 'PUT')!;
		expect((put.body as IDataObject).client).toMatchObject({ name: 'Loja do Zé, Lda', email: 'new@example.pt', country: 'Spain' });
		expect(sandbox.state.clients[0].email).toBe('new@example.pt');
	});

	it('matches by code first when asked, then by name', async () => {
		await ix(clientParams());
		sandbox.requests.length = 0;
		const byCode = await ix(clientParams({ matchBy: 'code', name: 'Renamed in shop' }));
		expect(byCode.items[0].json).toMatchObject({ found: true, matched_by: 'code', name: 'Loja do Zé, Lda' });
		expect(sandbox.requests.map((r) => r.path)).toEqual(['/clients/find-by-code.json']);
		const byNif = await ix(clientParams({ matchBy: 'fiscalId', name: 'Another name' }));
		expect(byNif.items[0].json).toMatchObject({ found: true, matched_by: 'fiscalId' });
	});

	it('the NIF decides (issue 12): a same-name client with another NIF, or none, is another client', async () => {
		await ix(clientParams());
		sandbox.requests.length = 0;
		const consumer = await ix(clientParams({ clientFields: { country: 'PT', email: 'ze.pessoal@example.pt' } }));
		expect(consumer.items[0].json).toMatchObject({
			name: 'Loja do Zé, Lda (Consumidor final)',
			created: true,
			note: 'the name "Loja do Zé, Lda" belongs to a client with another fiscal number: invoiced to "Loja do Zé, Lda (Consumidor final)"',
		});
		const other = await ix(clientParams({ clientFields: { country: 'PT', fiscalId: '501964843' } }));
		expect(other.items[0].json).toMatchObject({ name: 'Loja do Zé, Lda (501964843)', created: true });
		// The same NIF again: the first record, found by name; the distinct ones are found again too.
		const again = await ix(clientParams({ clientFields: { country: 'PT', fiscalId: '503504564' } }));
		expect(again.items[0].json).toMatchObject({ name: 'Loja do Zé, Lda', found: true, matched_by: 'name' });
		const otherAgain = await ix(clientParams({ clientFields: { country: 'PT', fiscalId: '501964843' } }));
		expect(otherAgain.items[0].json).toMatchObject({ name: 'Loja do Zé, Lda (501964843)', found: true });
		expect(sandbox.state.clients.map((c) => [c.name, c.fiscal_id])).toEqual([
			['Loja do Zé, Lda', '503504564'],
			['Loja do Zé, Lda (Consumidor final)', ''],
			['Loja do Zé, Lda (501964843)', '501964843'],
		]);
		// Distinct records get their own codes: the shop's customer number belongs to the first one.
		expect(sandbox.state.clients.map((c) => c.code)).toEqual(['1028', '1028 (CF)', '1028 (501964843)']);
	});

	it('By Fiscal Number, Then Name never falls back to a same-name client of another NIF; By Code checks the NIF too', async () => {
		await ix(clientParams());
		const byNif = await ix(clientParams({ matchBy: 'fiscalId', clientFields: { country: 'PT', fiscalId: '501964843' } }));
		expect(byNif.items[0].json).toMatchObject({ name: 'Loja do Zé, Lda (501964843)', created: true });
		const byCode = await ix(clientParams({ matchBy: 'code', code: '1028', clientFields: { country: 'PT', fiscalId: '505956985' } }));
		expect(byCode.items[0].json).toMatchObject({ name: 'Loja do Zé, Lda (505956985)', created: true });
		expect(sandbox.state.clients.map((c) => c.fiscal_id)).toEqual(['503504564', '501964843', '505956985']);
	});

	it('a name taken between lookup and create is found, not duplicated', async () => {
		// The lookup answers 404, then the name appears (another workflow created it).
		await ix({ resource: 'client', operation: 'create', name: 'Race Lda', code: 'A' });
		const run = await ix({ resource: 'client', operation: 'create', name: 'Race Lda', code: 'B' });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ name: 'Race Lda', created: false });
		expect(sandbox.state.clients.filter((c) => c.name === 'Race Lda')).toHaveLength(1);
	});

	it.each([
		[{ clientFields: { country: 'Atlantis' } }, 'client country "Atlantis" is unknown'],
		[{ clientFields: { fiscalId: '123456780', country: 'PT' } }, 'client fiscal number "123456780" is not a valid Portuguese NIF: its check digit is wrong'],
		[{ name: '   ' }, 'client name is empty'],
	])('refuses bad data before any request: %j', async (over, message) => {
		const run = await ix(clientParams(over as INodeParameters));
		expect(run.error?.message).toBe(message);
		expect(sandbox.requests).toHaveLength(0);
	});

	it('issues to final consumer (no NIF) when asked, and truncates long names when asked', async () => {
		const run = await ix(
			clientParams({
				name: 'Ç'.repeat(130),
				clientFields: { fiscalId: '123456780', country: 'PT' },
				clientOptions: { invalidFiscalId: 'finalConsumer' },
			}),
		);
		expect(run.error).toBeUndefined();
		const created = sandbox.state.clients[0];
		expect([...created.name]).toHaveLength(100);
		expect(created.fiscal_id).toBe('');
		expect(run.items[0].json.warnings).toHaveLength(2);
	});

	it('Get, Update, Find by Name/Code and Get Many with Return All and Limit', async () => {
		for (let n = 0; n < 35; n++) {
			await ix({ resource: 'client', operation: 'create', name: `Client ${n}`, code: `K${n}` });
		}
		const id = String(sandbox.state.clients[3].id);
		expect((await ix({ resource: 'client', operation: 'get', clientId: id })).items[0].json).toMatchObject({ name: 'Client 3' });
		const upd = await ix({ resource: 'client', operation: 'update', clientId: id, name: 'Client 3', clientFields: { city: 'Braga' } });
		expect(upd.error).toBeUndefined();
		expect(sandbox.state.clients[3].city).toBe('Braga');
		expect((await ix({ resource: 'client', operation: 'findByName', name: 'Client 7' })).items[0].json).toMatchObject({ found: true, code: 'K7' });
		expect((await ix({ resource: 'client', operation: 'findByName', name: 'Nobody' })).items[0].json).toEqual({ found: false, name: 'Nobody' });
		expect((await ix({ resource: 'client', operation: 'findByCode', code: 'K9' })).items[0].json).toMatchObject({ found: true, name: 'Client 9' });
		expect((await ix({ resource: 'client', operation: 'findByCode', code: 'none' })).items[0].json).toEqual({ found: false, code: 'none' });
		sandbox.requests.length = 0;
		const all = await ix({ resource: 'client', operation: 'getAll', returnAll: true });
		expect(all.items).toHaveLength(35);
		expect(sandbox.requests.length).toBeGreaterThan(1); // the server caps pages at 30
		const some = await ix({ resource: 'client', operation: 'getAll', returnAll: false, limit: 5 });
		expect(some.items).toHaveLength(5);
	});
});

describe('document', () => {
	it('creates and finalizes an invoice: legal number, ATCUD, totals, request shape', async () => {
		const run = await ix(invoiceParams());
		expect(run.error).toBeUndefined();
		const out = run.items[0].json;
		expect(out).toMatchObject({
			status: 'final',
			document_type: 'invoice',
			outcome: 'created',
			inverted_sequence_number: 'A/1',
			legal_number: 'FT A/1',
			atcud: 'ABCD1234-1',
			reference: 'ORD-1',
			total: 30 + 19.08,
		});
		expect(String(out.permalink)).toMatch(/^https:\/\//);
		const post = sandbox.requests.find((r) => r.method === 'POST')!;
		expect(post.path).toBe('/invoices.json');
		expect(post.body).toEqual({
			invoice: {
				date: '28/11/2026',
				due_date: '28/12/2026',
				reference: 'ORD-1',
				client: { name: 'Maria Silva', code: 'C-1', country: 'Portugal', fiscal_id: '501964843', email: 'maria@example.pt' },
				items: [
					{ name: 'SKU-1', description: 'Caneca', unit_price: 24.3902, quantity: 1, unit: 'unit', tax: { name: 'IVA23' } },
					{ name: 'SKU-2', description: 'Livro', unit_price: 10, quantity: 2, unit: 'unit', discount: 10, tax: { name: 'IVA6' } },
				],
			},
		});
		expect(sandbox.legalDocuments()).toHaveLength(1);
	});

	it('parses answers keyed by the singular type (invoice_receipt) and items given as JSON', async () => {
		const run = await ix(
			invoiceParams({
				documentType: 'invoiceReceipt',
				itemsInput: 'json',
				itemsJson: JSON.stringify([{ name: 'X', description: 'x', unit_price: '8.1301', quantity: '1', tax: { name: 'IVA23' } }]),
			}),
		);
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ type: 'InvoiceReceipt', status: 'settled', legal_number: 'FR A/1', total: 10 });
		expect(sandbox.requests.find((r) => r.method === 'POST')!.path).toBe('/invoice_receipts.json');
	});

	it.each([
		[{ dueDate: '2026-11-01' }, 'reference ORD-1: due date 01/11/2026 is before the document date 28/11/2026'],
		[{ items: { item: [{ name: 'A', description: 'a', unitPrice: 1, quantity: 1, tax: 'VAT20' }] } }, 'reference ORD-1: item 1 (A): tax "VAT20" does not exist in this InvoicExpress account'],
		[{ items: { item: [{ name: 'A', description: 'a', unitPrice: 1, quantity: 1, tax: 'IVA0' }] } }, 'reference ORD-1: 1 item(s) have 0 % VAT but no tax exemption reason is set'],
		[{ items: { item: [{ name: 'A', description: 'a', unitPrice: -5, quantity: 1, tax: 'IVA23' }] } }, 'reference ORD-1: item 1 (A): unit price -5 is negative'],
		[{ additionalFields: { currencyCode: 'USD' } }, 'currency USD needs an exchange rate'],
		[{ itemsInput: 'json', itemsJson: '{not json' }, 'reference ORD-1: Items (JSON) is not valid JSON'],
		// Every error names the order (here by the document's reference) unless nothing identifies it.
	])('refuses %j with a clear message and creates nothing', async (over, message) => {
		const run = await ix(invoiceParams(over as INodeParameters));
		expect(run.error?.message).toBe(message);
		expect(sent()).toHaveLength(0);
		expect(run.error?.description === undefined || typeof run.error?.description === 'string').toBe(true);
	});

	it('an unknown tax is caught because the API would silently use its default tax', async () => {
		const run = await ix(invoiceParams({ items: { item: [{ name: 'A', description: 'a', unitPrice: 1, quantity: 1, tax: 'iva23' }] } }));
		expect(run.error?.description).toContain('IVA23 (23 %)');
		expect(sandbox.state.documents).toHaveLength(0);
	});

	it('Skip If Reference Exists returns the existing document instead of a second one', async () => {
		await ix(invoiceParams());
		const again = await ix(invoiceParams({ additionalFields: { reference: 'ORD-1', finalize: true, skipIfReferenceExists: true } }));
		expect(again.items[0].json).toMatchObject({ outcome: 'existing', legal_number: 'FT A/1' });
		expect(sandbox.state.documents).toHaveLength(1);
	});

	it('a lost create response is recovered through the reference: exactly one document', async () => {
		sandbox.faults.configure({ rates: { lostResponse: 1 }, applies: (r) => r.method === 'POST' });
		const run = await ix(invoiceParams({ additionalFields: { reference: 'ORD-LOST', finalize: true, uniqueKey: 'shop:ORD-LOST:invoice' } }));
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ outcome: 'recovered', status: 'final', reference: 'ORD-LOST' });
		expect(sandbox.state.documents).toHaveLength(1);
		expect(sandbox.legalDocuments()).toHaveLength(1);
	});

	it('a repeat with the same unique key converges on the existing draft (its own new draft is deleted)', async () => {
		const params = invoiceParams({ additionalFields: { reference: 'ORD-U', uniqueKey: 'shop:ORD-U:invoice' } });
		const first = await ix(params);
		expect(first.items[0].json.outcome).toBe('created');
		expect((sandbox.requests.find((r) => r.method === 'POST')!.body as IDataObject).proprietary_uid).toBe('shop:ORD-U:invoice');
		const second = await ix(params);
		expect(second.error).toBeUndefined();
		expect(second.items[0].json).toMatchObject({ id: first.items[0].json.id, outcome: 'existing' });
		expect(sandbox.state.documents.filter((d) => d.status !== 'deleted')).toHaveLength(1);
		expect(sandbox.state.illegalTransitions).toEqual([]);
	});

	it('Get, Get Many with filters, Finalize, Settle, Cancel (reason required), Delete Draft', async () => {
		const draft = await ix(invoiceParams({ additionalFields: { reference: 'D-1' } }));
		const draftId = String(draft.items[0].json.id);
		expect(draft.items[0].json).toMatchObject({ status: 'draft', legal_number: null });
		const got = await ix({ resource: 'document', operation: 'get', documentType: 'invoice', documentId: draftId });
		expect(got.items[0].json).toMatchObject({ id: Number(draftId), status: 'draft' });
		const fin = await ix({ resource: 'document', operation: 'finalize', documentType: 'invoice', documentId: draftId });
		expect(fin.items[0].json).toMatchObject({ status: 'final', legal_number: 'FT A/1' });
		const noReason = await ix({ resource: 'document', operation: 'cancel', documentType: 'invoice', documentId: draftId, reason: ' ' });
		expect(noReason.error?.message).toBe('Reason is empty');
		const settled = await ix({ resource: 'document', operation: 'settle', documentType: 'invoice', documentId: draftId });
		expect(settled.items[0].json.status).toBe('settled');
		const other = await ix(invoiceParams({ additionalFields: { reference: 'D-2' } }));
		const del = await ix({ resource: 'document', operation: 'deleteDraft', documentType: 'invoice', documentId: String(other.items[0].json.id), reason: 'Duplicate of D-1' });
		expect(del.items[0].json).toMatchObject({ deleted: true, reason: 'Duplicate of D-1' });
		const third = await ix(invoiceParams({ additionalFields: { reference: 'D-3', finalize: true } }));
		const canceled = await ix({ resource: 'document', operation: 'cancel', documentType: 'invoice', documentId: String(third.items[0].json.id), reason: 'Wrong totals' });
		expect(canceled.items[0].json.status).toBe('canceled');
		expect(sandbox.state.documents.find((d) => d.id === third.items[0].json.id)?.stateMessage).toBe('Wrong totals');

		const byRef = await ix({ resource: 'document', operation: 'getAll', returnAll: true, filters: { reference: 'D-1' } });
		expect(byRef.items.map((i) => i.json.reference)).toEqual(['D-1']);
		expect(byRef.items[0].json.document_type).toBe('invoice');
		const settledOnly = await ix({ resource: 'document', operation: 'getAll', returnAll: true, filters: { status: ['settled'], types: ['invoice'] } });
		expect(settledOnly.items.map((i) => i.json.reference)).toEqual(['D-1']);
		const listReq = sandbox.requests[sandbox.requests.length - 1];
		expect(listReq.query['status[]']).toBe('settled');
		expect(listReq.query['type[]']).toBe('Invoice');
		const limited = await ix({ resource: 'document', operation: 'getAll', returnAll: false, limit: 1 });
		expect(limited.items).toHaveLength(1);
	});

	it('Send by Email: to the client address, refuses drafts, clear error without address', async () => {
		const fin = await ix(invoiceParams());
		const id = String(fin.items[0].json.id);
		const run = await ix({ resource: 'document', operation: 'sendEmail', documentType: 'invoice', documentId: id, emailOptions: { subject: 'A sua fatura', body: '<b>Obrigado</b>' } });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ sent: true, email: 'maria@example.pt' });
		expect(sandbox.state.emails).toEqual([expect.objectContaining({ documentId: Number(id), to: 'maria@example.pt', subject: 'A sua fatura', body: '<b>Obrigado</b>', logo: '1', save: '0' })]);

		const draft = await ix(invoiceParams({ additionalFields: { reference: 'DR' } }));
		const refused = await ix({ resource: 'document', operation: 'sendEmail', documentType: 'invoice', documentId: String(draft.items[0].json.id), email: 'x@example.pt' });
		expect(refused.error?.message).toBe(`Invoice ${draft.items[0].json.id} is a draft and cannot be sent`);
		expect(sandbox.state.emails).toHaveLength(1);

		const noMail = await ix(invoiceParams({ name: 'Sem Email', code: 'SE', clientFields: {}, additionalFields: { reference: 'NM', finalize: true } }));
		const missing = await ix({ resource: 'document', operation: 'sendEmail', documentType: 'invoice', documentId: String(noMail.items[0].json.id) });
		expect(missing.error?.message).toBe(`The client of invoice ${noMail.items[0].json.id} has no e-mail address`);
	});

	it('Get PDF waits through 202 answers and outputs the PDF as binary data', async () => {
		const fin = await ix(invoiceParams());
		const run = await ix(
			{ resource: 'document', operation: 'getPdf', documentId: String(fin.items[0].json.id), download: true, binaryPropertyName: 'data' },
			{ input: [fin.items[0].json] },
		);
		expect(run.error).toBeUndefined();
		const item = run.items[0];
		expect(item.json).toMatchObject({ file_name: 'invoice-A-1.pdf', pdf_url: expect.stringContaining('/files/') });
		expect(item.binary?.data.mimeType).toBe('application/pdf');
		expect(item.binary?.data.fileName).toBe('invoice-A-1.pdf');
		const pdf = Buffer.from(item.binary!.data.data, 'base64').toString('latin1');
		expect(pdf.startsWith('%PDF')).toBe(true);
		expect(sandbox.requests.filter((r) => r.path.startsWith('/api/pdf/')).map((r) => r.status)).toEqual([202, 202, 200]);
		const fileRequest = sandbox.requests.find((r) => r.path.startsWith('/files/'))!;
		expect(fileRequest.query.api_key).toBeUndefined();
	});

	it('Get PDF of a draft is a readable error', async () => {
		const draft = await ix(invoiceParams({ additionalFields: { reference: 'PDF-D' } }));
		const run = await ix({ resource: 'document', operation: 'getPdf', documentId: String(draft.items[0].json.id), download: true });
		expect(run.error?.message).toContain('invalid state');
	});

	it('Get Related Documents lists credit notes of an invoice', async () => {
		const inv = await ix(invoiceParams());
		const invId = String(inv.items[0].json.id);
		await ix(invoiceParams({ documentType: 'creditNote', additionalFields: { reference: 'NC-1', ownerInvoiceId: invId, finalize: true } }));
		const related = await ix({ resource: 'document', operation: 'getRelated', documentId: invId });
		expect(related.items.map((i) => i.json.type)).toEqual(['CreditNote']);
	});
});

describe('operations that cancel or delete a document (the node is usable as an AI agent tool)', () => {
	const node = new InvoicExpress();
	const operations = node.description.properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes('document'))!;
	const option = (value: string) => (operations.options as Array<{ value: string; description?: string }>).find((o) => o.value === value)!;
	const reasonOf = (operation: string) =>
		node.description.properties.filter((p) => p.name === 'reason' && p.displayOptions?.show?.operation?.includes(operation));

	it('each requires a reason and says what it does to the legal record', () => {
		expect(node.description.usableAsTool).toBe(true);
		for (const operation of ['cancel', 'deleteDraft']) {
			expect(reasonOf(operation)).toEqual([expect.objectContaining({ type: 'string', required: true, default: '' })]);
		}
		expect(option('cancel').description).toBe(
			'Cancels a finalized document: it keeps its legal number and stays in its series as canceled, with the reason; this cannot be undone. To undo a sale, issue a credit note instead.',
		);
		expect(option('deleteDraft').description).toBe(
			'Deletes a draft, which has no legal number yet: it is removed from InvoicExpress and cannot be restored. A finalized document is refused, never deleted. The reason is recorded in the output.',
		);
	});

	// n8n itself refuses to start a workflow whose required parameter is empty or missing; a reason that
	// is blank, or an expression (an agent's $fromAI, a field of the item) that gives nothing, reaches the node.
	it.each([
		['an empty', '', 'The \'Node\' node has issues:\n- Parameter "Reason" is required.'],
		['a missing', undefined, 'The \'Node\' node has issues:\n- Parameter "Reason" is required.'],
		['a blank', '   ', 'Reason is empty'],
		['an expression-empty', '={{ $json.reason }}', 'Reason is empty'],
	])('Delete Draft with %s reason is refused before any request; the draft stays', async (_, reason, message) => {
		const draft = await ix(invoiceParams({ additionalFields: { reference: 'DEL-1' } }));
		const id = String(draft.items[0].json.id);
		const before = sandbox.requests.length;
		// The engine's refusal rejects the whole run; the node's is the node's error.
		const failure = await ix({ resource: 'document', operation: 'deleteDraft', documentType: 'invoice', documentId: id, ...(reason === undefined ? {} : { reason }) }).then(
			(run) => run.error,
			(error: Error & { description?: string }) => error,
		);
		expect(failure?.message).toBe(message);
		if (message === 'Reason is empty') {
			expect(failure?.description).toBe('Say why the draft is deleted: the reason is recorded in the output, since InvoicExpress keeps none.');
		}
		expect(sandbox.requests.slice(before)).toEqual([]);
		expect(sandbox.state.documents.find((d) => String(d.id) === id)?.status).toBe('draft');
	});

	it('Delete Draft records the reason in the output, also when the draft was already deleted', async () => {
		const draft = await ix(invoiceParams({ additionalFields: { reference: 'DEL-2' } }));
		const id = String(draft.items[0].json.id);
		const params = { resource: 'document', operation: 'deleteDraft', documentType: 'invoice', documentId: id, reason: '  Duplicate of order 1001 ' };
		const first = await ix(params);
		expect(first.items.map((i) => i.json)).toEqual([{ id, document_type: 'invoice', deleted: true, reason: 'Duplicate of order 1001' }]);
		expect(sandbox.state.documents.find((d) => String(d.id) === id)?.status).toBe('deleted');
		const again = await ix(params);
		expect(again.items.map((i) => i.json)).toEqual([{ id, document_type: 'invoice', deleted: true, reason: 'Duplicate of order 1001', already_deleted: true }]);
	});

	it('two executions finalizing (or canceling) one document at the same moment send the change once; the other finds it done', async () => {
		const draft = await ix(invoiceParams({ additionalFields: { reference: 'T-1' } }));
		const id = String(draft.items[0].json.id);
		const both = await Promise.all([0, 1].map(async () => await ix({ resource: 'document', operation: 'finalize', documentType: 'invoice', documentId: id })));
		const changes = () => sandbox.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/${id}/change-state.json`));
		expect(changes()).toHaveLength(1);
		expect(both.map((r) => [r.items[0].json.finalized_here, r.items[0].json.already_final]).sort()).toEqual([
			[false, true],
			[true, false],
		]);
		const cancels = await Promise.all([0, 1].map(async () => await ix({ resource: 'document', operation: 'cancel', documentType: 'invoice', documentId: id, reason: 'Duplicada' })));
		expect(changes()).toHaveLength(2);
		expect(cancels.map((r) => r.items[0].json.already_canceled ?? false).sort()).toEqual([false, true]);
		expect(sandbox.state.illegalTransitions).toEqual([]);
	});

	it('Finalize under Retry On Fail: a finalize whose answer was lost in the first try is said again by the retry, never reported silently as already final', async () => {
		const a = String((await ix(invoiceParams({ additionalFields: { reference: 'R-1' } }))).items[0].json.id);
		const b = String((await ix(invoiceParams({ additionalFields: { reference: 'R-2' } }))).items[0].json.id);
		// First try: A's finalize reaches the service and its answer is lost; B cannot be read at all
		// (every attempt refused), so the node fails and n8n runs it again, when B reads fine.
		let lostA = 0;
		let refusedB = 0;
		sandbox.faults.configure({
			seed: 1,
			rates: { lostResponse: 0.5, status503: 0.5 },
			applies: (req) =>
				(req.method === 'PUT' && req.path.endsWith(`/${a}/change-state.json`) && lostA++ === 0) || (req.method === 'GET' && req.path.endsWith(`/${b}.json`) && refusedB++ < 5),
		});
		const run = await ix(
			{ resource: 'document', operation: 'finalize', documentType: 'invoice', documentId: '={{ $json.id }}' },
			{ input: [{ id: a }, { id: b }], retryOnFail: { maxTries: 2, waitBetweenTries: 10 } },
		);
		sandbox.faults.configure({});
		expect(run.run.data.resultData.runData.Node).toHaveLength(1);
		expect(run.error).toBeUndefined();
		const [first, second] = run.items.map((item) => item.json);
		// A: final, its finalize answer lost in the first try: not "here" (never e-mailed twice), and said so.
		expect(first).toMatchObject({ id: Number(a), status: 'final', finalized_here: false });
		expect(String(first.warning)).toMatch(/^the answer to the finalize request was lost/);
		expect(second).toMatchObject({ id: Number(b), status: 'final', finalized_here: true });
		expect(sandbox.state.illegalTransitions).toEqual([]);
	});

	it('Delete Draft of a finalized document is refused and the document stays final, reason or not', async () => {
		const final = await ix(invoiceParams({ additionalFields: { reference: 'DEL-3', finalize: true } }));
		const id = String(final.items[0].json.id);
		const run = await ix({ resource: 'document', operation: 'deleteDraft', documentType: 'invoice', documentId: id, reason: 'Wrong customer' });
		expect(run.error?.message).toBe(`InvoicExpress could not delete invoice ${id}: it is final, not a draft`);
		expect(sandbox.state.documents.find((d) => String(d.id) === id)?.status).toBe('final');
		// The state is read first: no delete request is sent for a final document.
		expect(sandbox.requests.filter((r) => ((r.body as IDataObject | undefined)?.invoice as IDataObject | undefined)?.state === 'deleted')).toEqual([]);
	});

	it('Cancel with a reason that comes out empty is refused before any request; the document stays final', async () => {
		const final = await ix(invoiceParams({ additionalFields: { reference: 'CAN-1', finalize: true } }));
		const id = String(final.items[0].json.id);
		const before = sandbox.requests.length;
		const run = await ix({ resource: 'document', operation: 'cancel', documentType: 'invoice', documentId: id, reason: "={{ '' }}" });
		expect(run.error?.message).toBe('Reason is empty');
		expect(sandbox.requests.slice(before)).toEqual([]);
		expect(sandbox.state.documents.find((d) => String(d.id) === id)?.status).toBe('final');
	});
});

describe('n8n item semantics', () => {
	it('pairs outputs with inputs, reads parameters per item, and turns failures into error items with Continue On Fail', async () => {
		const run = await ix(
			{
				resource: 'client',
				operation: 'findOrCreate',
				matchBy: 'name',
				name: '={{ $json.name }}',
				code: '',
				clientFields: { country: '={{ $json.country }}' },
			},
			{ input: [{ name: 'Ana', country: 'PT' }, { name: 'Bob', country: 'Narnia' }, { name: 'Carla', country: 'ES' }], continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(run.items[0].json).toMatchObject({ name: 'Ana', created: true });
		expect(run.items[1].json).toEqual({
			error: 'client country "Narnia" is unknown',
			description: 'Use an ISO code such as PT, ES, GB, or an English country name such as Portugal, Spain, Great Britain.',
		});
		expect(run.items[2].json).toMatchObject({ name: 'Carla', created: true });
		expect(sandbox.state.clients.map((c) => [c.name, c.country])).toEqual([
			['Ana', 'Portugal'],
			['Carla', 'Spain'],
		]);
	});

	it('loads the tax and series lists for the editor through the credential', async () => {
		const taxes = await loadOptions({ type: 'invoicExpress', method: 'getTaxes', parameters: {}, credentials });
		expect(taxes[0]).toEqual({ name: 'IVA23 (23 %, PT)', value: 'IVA23' });
		const series = await loadOptions({ type: 'invoicExpress', method: 'getSequences', parameters: { documentType: 'invoiceReceipt' }, credentials });
		expect(series[0]).toEqual({ name: 'Default Series', value: '' });
		expect(series.length).toBeGreaterThan(1);
		expect(series.map((s) => s.value)).toContain(String(sandbox.state.sequences[0].current_invoice_receipt_sequence_id));
	});

	it('lists the series of the document type chosen in Create From ePages Order, not invoice series', async () => {
		// The parameters as that operation saves them: the series must be of the type being issued.
		const series = await loadOptions({
			type: 'invoicExpress',
			method: 'getSequences',
			parameters: { resource: 'document', operation: 'createFromEPagesOrder', documentType: 'simplifiedInvoice' },
			credentials,
		});
		const values = series.map((s) => s.value);
		expect(values).toEqual(['', ...sandbox.state.sequences.map((s) => String(s.current_simplified_invoice_sequence_id))]);
		expect(values).not.toContain(String(sandbox.state.sequences[0].current_invoice_sequence_id));
	});

	it('Series: Get Many lists sequences', async () => {
		const run = await ix({ resource: 'sequence', operation: 'getAll' });
		expect(run.items.map((i) => i.json.serie)).toEqual(sandbox.state.sequences.map((s) => s.serie));
	});
});

describe('base URL override', () => {
	it('refuses plain http to another host before any request, since the key is in the URL', async () => {
		const run = await runNode({
			type: 'invoicExpress',
			parameters: { resource: 'tax', operation: 'getAll' },
			credentials: { invoicExpressApi: { accountName: 'x', apiKey: fakeSecret('http'), baseUrl: 'http://example.com' } },
		});
		expect(run.error?.message).toBe('The InvoicExpress base URL must use https (http is allowed only for localhost): http://example.com');
		expect(JSON.stringify(run.run)).not.toContain(fakeSecret('http'));
	});
});
