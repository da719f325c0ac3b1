import { delay } from '../sandbox/faults';
import {
	isValidPortugueseNif,
	roundHalfUp,
	startInvoicExpressSandbox,
	type IxSandbox,
	type IxSandboxOptions,
} from '../sandbox/invoicexpress';

// Answers are arbitrary JSON; the assertions below are the type checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

interface Reply {
	status: number;
	json: Loose;
	text: string;
	headers: Headers;
}

type Query = Record<string, string | string[]>;

async function call(
	sb: IxSandbox,
	method: string,
	path: string,
	body?: unknown,
	query: Query = {},
	init: { key?: string | null; signal?: AbortSignal } = {},
): Promise<Reply> {
	const url = new URL(sb.url + path);
	const key = init.key === undefined ? sb.apiKey : init.key;
	if (key !== null) url.searchParams.set('api_key', key);
	for (const [name, value] of Object.entries(query)) {
		for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, v);
	}
	const res = await fetch(url, {
		method,
		headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
		signal: init.signal,
	});
	const text = await res.text();
	let json: Loose;
	try {
		json = text === '' ? undefined : JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, json, text, headers: res.headers };
}

function invoiceBody(over: Loose = {}, items?: Loose[]): Loose {
	return {
		invoice: {
			date: '01/07/2026',
			due_date: '31/07/2026',
			client: { name: 'Ana Silva', code: 'C-1' },
			items: items ?? [
				{
					name: 'SKU-1',
					description: 'Caneca',
					unit_price: 24.3902,
					quantity: 1,
					tax: { name: 'IVA23' },
				},
			],
			...over,
		},
	};
}

async function createDoc(
	sb: IxSandbox,
	path = 'invoices',
	body: Loose = invoiceBody(),
): Promise<Loose> {
	const r = await call(sb, 'POST', `/${path}.json`, body);
	expect(r.status).toBe(201);
	return Object.values(r.json as Record<string, unknown>)[0];
}

async function setState(sb: IxSandbox, path: string, id: number, state: string, message?: string) {
	return call(sb, 'PUT', `/${path}/${id}/change-state.json`, { invoice: { state, message } });
}

async function withSandbox(opts: IxSandboxOptions, fn: (sb: IxSandbox) => Promise<void>) {
	const sb = await startInvoicExpressSandbox(opts);
	try {
		await fn(sb);
	} finally {
		await sb.close();
	}
}

describe('InvoicExpress sandbox', () => {
	let sb: IxSandbox;

	beforeAll(async () => {
		sb = await startInvoicExpressSandbox();
	});
	afterAll(async () => {
		await sb.close();
	});
	beforeEach(() => {
		sb.reset();
		sb.faults.configure({});
		sb.setRateLimit(780, 60000);
	});

	describe('auth and routing', () => {
		it('refuses a missing or wrong api_key with 401 and records it', async () => {
			const missing = await call(sb, 'GET', '/taxes.json', undefined, {}, { key: null });
			expect(missing.status).toBe(401);
			expect(missing.json).toEqual({ errors: { error: 'Invalid API key' } });
			const wrong = await call(sb, 'GET', '/taxes.json', undefined, {}, { key: 'nope' });
			expect(wrong.status).toBe(401);
			const ok = await call(sb, 'GET', '/taxes.json');
			expect(ok.status).toBe(200);
			expect(ok.json.taxes.map((t: Loose) => t.name)).toEqual([
				'IVA23',
				'IVA13',
				'IVA6',
				'IVA0',
				'IVA22',
				'IVA16',
				'IVA21',
				'IE23',
				'IVA12',
				'IVA4-MA',
				'IVA4-AC',
			]);
			expect(sb.requests.map((r) => r.status)).toEqual([401, 401, 200]);
			expect(sb.requests[2].query.api_key).toBe(sb.apiKey);
		});

		it('answers unknown routes with an HTML 404', async () => {
			const r = await call(sb, 'GET', '/nothing-here.json');
			expect(r.status).toBe(404);
			expect(r.headers.get('content-type')).toContain('text/html');
			const listOfOtherType = await call(sb, 'GET', '/invoice_receipts.json');
			expect(listOfOtherType.status).toBe(404);
		});

		it('lists series with per-type sequence ids distinct from the series id', async () => {
			const r = await call(sb, 'GET', '/sequences.json');
			expect(r.status).toBe(200);
			const [a, b] = r.json.sequences;
			expect(a).toMatchObject({
				serie: 'A',
				default_sequence: 1,
				current_invoice_validation_code: 'ABCD1234',
				current_invoice_number: '0',
			});
			expect(b).toMatchObject({
				serie: 'B',
				default_sequence: 0,
				current_invoice_validation_code: 'EFGH5678',
			});
			const ids = [a, b].flatMap((s: Loose) => [
				s.id,
				s.current_invoice_sequence_id,
				s.current_invoice_receipt_sequence_id,
				s.current_simplified_invoice_sequence_id,
				s.current_credit_note_sequence_id,
				s.current_debit_note_sequence_id,
				s.current_receipt_sequence_id,
			]);
			expect(new Set(ids).size).toBe(ids.length);
		});
	});

	describe('rate limit', () => {
		it('answers 429 past the window quota and accepts again in the next window', async () => {
			sb.setRateLimit(5, 400);
			const statuses: number[] = [];
			for (let i = 0; i < 8; i++) statuses.push((await call(sb, 'GET', '/taxes.json')).status);
			expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
			const limited = await call(sb, 'GET', '/taxes.json');
			expect(limited.json).toEqual({ errors: [{ error: 'Too many requests' }] });
			expect(limited.headers.get('retry-after')).toBeNull();
			await delay(450);
			expect((await call(sb, 'GET', '/taxes.json')).status).toBe(200);
		});

		it('does not count refused requests toward the quota', async () => {
			sb.setRateLimit(3, 10000);
			for (let i = 0; i < 4; i++) {
				expect((await call(sb, 'GET', '/taxes.json', undefined, {}, { key: 'bad' })).status).toBe(
					401,
				);
			}
			const statuses: number[] = [];
			for (let i = 0; i < 5; i++) statuses.push((await call(sb, 'GET', '/taxes.json')).status);
			expect(statuses).toEqual([200, 200, 200, 429, 429]);
			sb.setRateLimit(3, 10000);
			expect((await call(sb, 'GET', '/taxes.json')).status).toBe(200);
		});
	});

	describe('clients', () => {
		const client = { name: 'Loja Azul', code: 'E-1', fiscal_id: '999999990', country: 'Portugal' };

		it('creates a client with all fields as strings and finds it by name and code', async () => {
			const created = await call(sb, 'POST', '/clients.json', {
				client: { ...client, postal_code: 1000, phone: 213456789 },
			});
			expect(created.status).toBe(201);
			expect(created.json.client).toMatchObject({
				...client,
				postal_code: '1000',
				phone: '213456789',
			});
			const id = created.json.client.id;

			const byName = await call(sb, 'GET', '/clients/find-by-name.json', undefined, {
				client_name: 'Loja Azul',
			});
			expect(byName.status).toBe(200);
			expect(byName.json.client.id).toBe(id);
			const partial = await call(sb, 'GET', '/clients/find-by-name.json', undefined, {
				client_name: 'Loja',
			});
			expect(partial.status).toBe(404);
			expect(partial.json).toEqual({ errors: [{ error: 'Client not found' }] });
			const byCode = await call(sb, 'GET', '/clients/find-by-code.json', undefined, {
				client_code: 'E-1',
			});
			expect(byCode.json.client.id).toBe(id);
			const noCode = await call(sb, 'GET', '/clients/find-by-code.json', undefined, {
				client_code: 'E-2',
			});
			expect(noCode.status).toBe(404);

			const get = await call(sb, 'GET', `/clients/${id}.json`);
			expect(get.json.client.name).toBe('Loja Azul');
			const missing = await call(sb, 'GET', '/clients/1.json');
			expect(missing.status).toBe(404);
			expect(missing.text).toBe('');
		});

		it('enforces required fields, unique names, name length, IX country names and the PT NIF', async () => {
			const blank = await call(sb, 'POST', '/clients.json', { client: { name: '' } });
			expect(blank.status).toBe(422);
			expect(blank.json).toEqual({ errors: ["Name can't be blank", "Code can't be blank"] });

			expect((await call(sb, 'POST', '/clients.json', { client })).status).toBe(201);
			const dup = await call(sb, 'POST', '/clients.json', { client: { ...client, code: 'E-9' } });
			expect(dup.status).toBe(422);
			expect(dup.json).toEqual({ errors: [{ error: 'Nome não está disponível' }] });
			// Names are matched exactly, so a different case is another name.
			const otherCase = { ...client, name: 'LOJA AZUL', code: 'E-10' };
			expect((await call(sb, 'POST', '/clients.json', { client: otherCase })).status).toBe(201);

			const long = await call(sb, 'POST', '/clients.json', {
				client: { name: 'x'.repeat(101), code: 'L' },
			});
			expect(long.json.errors).toContainEqual({ error: 'Nome é demasiado longo' });

			const iso = await call(sb, 'POST', '/clients.json', {
				client: { name: 'Iso', code: 'I', country: 'PT' },
			});
			expect(iso.status).toBe(422);
			expect(iso.json).toEqual({ errors: [{ error: 'Country PT was not found' }] });
			for (const country of ['Great Britain', 'UK', 'Korea, South', 'Macau', 'United States']) {
				const r = await call(sb, 'POST', '/clients.json', {
					client: { name: country, code: country, country },
				});
				expect(r.status).toBe(201);
			}

			const badNif = await call(sb, 'POST', '/clients.json', {
				client: { name: 'Nif', code: 'N', fiscal_id: '123456788' },
			});
			expect(badNif.json).toEqual({ errors: [{ error: 'Fiscal is invalid' }] });
			const prefixed = await call(sb, 'POST', '/clients.json', {
				client: { name: 'Nif2', code: 'N2', country: 'Portugal', fiscal_id: 'PT515640158' },
			});
			expect(prefixed.status).toBe(422);
			// The PT check only applies to Portuguese clients.
			const foreign = await call(sb, 'POST', '/clients.json', {
				client: { name: 'Nif3', code: 'N3', country: 'Spain', fiscal_id: '123456788' },
			});
			expect(foreign.status).toBe(201);
		});

		it('updates only with a name and answers 200 with an empty body', async () => {
			const id = (await call(sb, 'POST', '/clients.json', { client })).json.client.id;
			const noName = await call(sb, 'PUT', `/clients/${id}.json`, {
				client: { fiscal_id: '508025338' },
			});
			expect(noName.status).toBe(422);
			expect(noName.json).toEqual({ errors: ["Name can't be blank"] });
			const ok = await call(sb, 'PUT', `/clients/${id}.json`, {
				client: { name: 'Loja Azul', fiscal_id: '508025338' },
			});
			expect(ok.status).toBe(200);
			expect(ok.text).toBe('');
			expect(sb.state.clients[0].fiscal_id).toBe('508025338');
		});

		it('paginates with a per_page cap of 30', async () => {
			for (let i = 0; i < 35; i++) {
				expect(
					(await call(sb, 'POST', '/clients.json', { client: { name: `C${i}`, code: `K${i}` } }))
						.status,
				).toBe(201);
			}
			const first = await call(sb, 'GET', '/clients.json', undefined, {
				page: '1',
				per_page: '100',
			});
			expect(first.json.clients).toHaveLength(30);
			expect(first.json.pagination).toEqual({
				total_entries: 35,
				current_page: 1,
				total_pages: 2,
				per_page: 30,
			});
			const second = await call(sb, 'GET', '/clients.json', undefined, {
				page: '2',
				per_page: '100',
			});
			expect(second.json.clients).toHaveLength(5);
		});
	});

	describe('documents', () => {
		it('creates a draft keyed by the singular type and reuses an existing client by name', async () => {
			await call(sb, 'POST', '/clients.json', {
				client: { name: 'Ana Silva', code: 'C-1', city: 'Porto' },
			});
			const r = await call(sb, 'POST', '/invoice_receipts.json', {
				invoice_receipt: invoiceBody({ client: { name: 'Ana Silva', code: 'OTHER', city: 'Faro' } })
					.invoice,
			});
			expect(r.status).toBe(201);
			expect(Object.keys(r.json)).toEqual(['invoice_receipt']);
			const doc = r.json.invoice_receipt;
			expect(doc).toMatchObject({
				type: 'InvoiceReceipt',
				status: 'draft',
				sequence_number: 'rascunho',
				inverted_sequence_number: null,
				atcud: null,
				currency: 'Euro',
				client: { name: 'Ana Silva', country: 'Portugal' },
			});
			expect(doc.permalink).toMatch(
				/^https:\/\/www\.app\.invoicexpress\.com\/documents\/[0-9a-f]+$/,
			);
			expect(doc.createdAt).toBeUndefined();
			expect(sb.state.clients).toHaveLength(1);
			expect(sb.state.clients[0].city).toBe('Porto');

			const get = await call(sb, 'GET', `/invoice_receipts/${doc.id}.json`);
			expect(get.json.invoice_receipt.id).toBe(doc.id);
			const wrongType = await call(sb, 'GET', `/invoices/${doc.id}.json`);
			expect(wrongType.status).toBe(404);
			expect(wrongType.text).toBe('');
		});

		it('creates the embedded client when its name is new, with the client rules', async () => {
			await createDoc(
				sb,
				'invoices',
				invoiceBody({ client: { name: 'Novo', code: 'N-1', fiscal_id: '508025338' } }),
			);
			expect(sb.state.clients).toMatchObject([
				{ name: 'Novo', code: 'N-1', fiscal_id: '508025338' },
			]);
			const bad = await call(
				sb,
				'POST',
				'/invoices.json',
				invoiceBody({ client: { name: 'Outro', code: 'N-2', country: 'PT' } }),
			);
			expect(bad.status).toBe(422);
			expect(bad.json.errors).toEqual([
				{ error: 'Country PT was not found' },
				{ error: 'Client is invalid' },
			]);
		});

		it('computes totals from 4-decimal prices, rounding once per document', async () => {
			const one = await createDoc(sb);
			expect(one).toMatchObject({
				sum: 24.39,
				discount: 0,
				before_taxes: 24.39,
				taxes: 5.61,
				total: 30,
			});
			expect(one.items[0]).toMatchObject({
				unit_price: '24.3902',
				quantity: '1.00',
				tax: { name: 'IVA23', value: 23 },
			});

			const two = await createDoc(
				sb,
				'invoices',
				invoiceBody({}, [
					{
						name: 'A',
						description: 'a',
						unit_price: '16.0377',
						quantity: '2',
						tax: { name: 'IVA6' },
					},
					{ name: 'B', description: 'b', unit_price: 11.3208, quantity: 2, tax: { name: 'IVA6' } },
				]),
			);
			expect(two).toMatchObject({ before_taxes: 54.72, taxes: 3.28, total: 58 });

			const rounded = await createDoc(
				sb,
				'invoices',
				invoiceBody({}, [
					{ name: 'R', description: 'r', unit_price: 10.00005, quantity: 1.005, discount: 10 },
				]),
			);
			expect(rounded.items[0]).toMatchObject({
				unit_price: '10.0001',
				quantity: '1.01',
				discount: 10,
			});
			// 10.0001 × 1.01 = 10.100101; −10 % = 9.0900909; +23 % = 11.18081...
			expect(rounded).toMatchObject({
				sum: 10.1,
				discount: 1.01,
				before_taxes: 9.09,
				taxes: 2.09,
				total: 11.18,
			});
		});

		it('applies a global discount proportionally before tax', async () => {
			const doc = await createDoc(
				sb,
				'invoices',
				invoiceBody({ global_discount: { value_type: 'absolute', value: 10 } }, [
					{ name: 'A', description: 'a', unit_price: 60, quantity: 1, tax: { name: 'IVA23' } },
					{ name: 'B', description: 'b', unit_price: 40, quantity: 1, tax: { name: 'IVA6' } },
				]),
			);
			// Nets 54 and 36: taxes 12.42 + 2.16.
			expect(doc).toMatchObject({
				sum: 100,
				discount: 10,
				before_taxes: 90,
				taxes: 14.58,
				total: 104.58,
			});
			const pct = await createDoc(
				sb,
				'invoices',
				invoiceBody({ global_discount: { value_type: 'percentage', value: 50 } }),
			);
			expect(pct).toMatchObject({ before_taxes: 12.2, total: 15 });
		});

		it('silently applies the default tax to an unknown tax name, as the real API does', async () => {
			const doc = await createDoc(
				sb,
				'invoices',
				invoiceBody({}, [
					{ name: 'X', description: 'x', unit_price: 100, quantity: 1, tax: { name: 'VAT-6' } },
				]),
			);
			expect(doc.items[0].tax).toMatchObject({ name: 'IVA23', value: 23 });
			expect(doc.total).toBe(123);
		});

		it('validates dates, client and items', async () => {
			const early = await call(
				sb,
				'POST',
				'/invoices.json',
				invoiceBody({ due_date: '30/06/2026' }),
			);
			expect(early.status).toBe(422);
			expect(early.json).toEqual({
				errors: { error: 'Vencimento deve ser igual ou posterior à data do documento' },
			});
			expect(
				(await call(sb, 'POST', '/invoices.json', invoiceBody({ date: '2026-07-01' }))).status,
			).toBe(422);
			const noClient = await call(sb, 'POST', '/invoices.json', invoiceBody({ client: undefined }));
			expect(noClient.json).toEqual({ errors: { error: 'Elemento client não fornecido' } });
			expect((await call(sb, 'POST', '/invoices.json', invoiceBody({}, []))).status).toBe(422);
			const item = { name: 'A', description: 'a', unit_price: 1, quantity: 1 };
			const negative = await call(
				sb,
				'POST',
				'/invoices.json',
				invoiceBody({}, [{ ...item, unit_price: -1 }]),
			);
			expect(negative.json).toEqual({ errors: [{ error: 'Item price must be positive' }] });
			const extra = await call(
				sb,
				'POST',
				'/invoices.json',
				invoiceBody({}, [{ ...item, ixwc: 1 }]),
			);
			expect(extra.status).toBe(422);
			const noDescription = await call(
				sb,
				'POST',
				'/invoices.json',
				invoiceBody({}, [{ ...item, description: '' }]),
			);
			expect(noDescription.status).toBe(422);
			expect(
				(await call(sb, 'POST', '/invoices.json', invoiceBody({}, [{ ...item, quantity: 0 }])))
					.status,
			).toBe(422);
			expect(
				(await call(sb, 'POST', '/invoices.json', invoiceBody({}, [{ ...item, discount: 101 }])))
					.status,
			).toBe(422);
			// discount_amount is ignored by IX, not an error.
			expect(
				(
					await call(
						sb,
						'POST',
						'/invoices.json',
						invoiceBody({}, [{ ...item, discount_amount: 5 }]),
					)
				).status,
			).toBe(201);
		});

		it('updates drafts only, replacing client and items', async () => {
			const doc = await createDoc(sb);
			const noItems = await call(
				sb,
				'PUT',
				`/invoices/${doc.id}.json`,
				invoiceBody({ items: undefined }),
			);
			expect(noItems.status).toBe(422);
			const ok = await call(
				sb,
				'PUT',
				`/invoices/${doc.id}.json`,
				invoiceBody({ reference: 'ORD-9' }, [
					{ name: 'Z', description: 'z', unit_price: 10, quantity: 3 },
				]),
			);
			expect(ok.status).toBe(200);
			expect(ok.json.invoice).toMatchObject({ reference: 'ORD-9', total: 36.9 });
			await setState(sb, 'invoices', doc.id, 'finalized');
			const locked = await call(sb, 'PUT', `/invoices/${doc.id}.json`, invoiceBody());
			expect(locked.status).toBe(422);
			expect(locked.json.errors.error).toContain('já foi finalizado');
		});
	});

	describe('finalize, numbering and ATCUD', () => {
		it('numbers per series and per type, with the series validation code', async () => {
			const a1 = await createDoc(sb);
			const a2 = await createDoc(sb);
			const b1 = await createDoc(sb, 'invoices', invoiceBody({ sequence_id: '201' }));
			const fr = await createDoc(sb, 'invoice_receipts');

			const f1 = await setState(sb, 'invoices', a1.id, 'finalized');
			expect(f1.status).toBe(200);
			expect(f1.json.invoice).toMatchObject({
				status: 'final',
				sequence_number: '1/A',
				inverted_sequence_number: 'A/1',
				atcud: 'ABCD1234-1',
			});
			expect((await setState(sb, 'invoices', a2.id, 'finalized')).json.invoice.atcud).toBe(
				'ABCD1234-2',
			);
			expect((await setState(sb, 'invoices', b1.id, 'finalized')).json.invoice).toMatchObject({
				inverted_sequence_number: 'B/1',
				atcud: 'EFGH5678-1',
			});
			const settled = await setState(sb, 'invoice_receipts', fr.id, 'finalized');
			expect(Object.keys(settled.json)).toEqual(['invoice_receipt']);
			expect(settled.json.invoice_receipt).toMatchObject({
				status: 'settled',
				inverted_sequence_number: 'A/1',
			});

			const sequences = (await call(sb, 'GET', '/sequences.json')).json.sequences;
			expect(sequences[0].current_invoice_number).toBe('2');
			expect(sb.state.documents.find((d) => d.id === a1.id)?.finalizedAt).toEqual(
				expect.any(Number),
			);
			expect(sb.legalDocuments()).toHaveLength(4);
		});

		it('refuses the series id where the per-type sequence id is expected', async () => {
			const r = await call(sb, 'POST', '/invoices.json', invoiceBody({ sequence_id: '5002' }));
			expect(r.status).toBe(422);
			// The invoice's sequence id does not select a series for an invoice-receipt.
			expect(
				(await call(sb, 'POST', '/invoice_receipts.json', invoiceBody({ sequence_id: '201' })))
					.status,
			).toBe(422);
		});

		it('refuses to finalize a date earlier than the last document of the series', async () => {
			const later = await createDoc(
				sb,
				'invoices',
				invoiceBody({ date: '10/07/2026', due_date: '10/07/2026' }),
			);
			const earlier = await createDoc(
				sb,
				'invoices',
				invoiceBody({ date: '05/07/2026', due_date: '05/07/2026' }),
			);
			const otherSeries = await createDoc(
				sb,
				'invoices',
				invoiceBody({ date: '05/07/2026', due_date: '05/07/2026', sequence_id: '201' }),
			);
			await setState(sb, 'invoices', later.id, 'finalized');
			const refused = await setState(sb, 'invoices', earlier.id, 'finalized');
			expect(refused.status).toBe(422);
			expect(refused.json.errors.error).toBe(
				'Date cannot be earlier than the last invoice of this sequence[10 Jul 26]',
			);
			expect((await setState(sb, 'invoices', otherSeries.id, 'finalized')).status).toBe(200);
			expect(sb.state.documents.find((d) => d.id === earlier.id)?.status).toBe('draft');
		});

		it('requires an exemption reason to finalize a 0 % item', async () => {
			const items = [
				{ name: 'L', description: 'livro', unit_price: 10, quantity: 1, tax: { name: 'IVA0' } },
			];
			const without = await createDoc(sb, 'invoices', invoiceBody({}, items));
			const refused = await setState(sb, 'invoices', without.id, 'finalized');
			expect(refused.status).toBe(422);
			expect(refused.json).toEqual({
				errors: { error: 'É necessário indicar o motivo de isenção' },
			});
			const withReason = await createDoc(
				sb,
				'invoices',
				invoiceBody({ tax_exemption: 'M10' }, items),
			);
			expect((await setState(sb, 'invoices', withReason.id, 'finalized')).status).toBe(200);
		});
	});

	describe('state transitions', () => {
		it('refuses transitions outside the documented table', async () => {
			const draft = await createDoc(sb);
			const cancelDraft = await setState(sb, 'invoices', draft.id, 'canceled', 'x');
			expect(cancelDraft.status).toBe(422);
			expect(cancelDraft.json).toEqual({ errors: { error: 'CantHandle: canceled for Invoice' } });
			await setState(sb, 'invoices', draft.id, 'finalized');
			expect((await setState(sb, 'invoices', draft.id, 'deleted')).status).toBe(422);
			expect((await setState(sb, 'invoices', draft.id, 'finalized')).status).toBe(422);
			expect((await setState(sb, 'invoices', draft.id, 'settled')).json.invoice.status).toBe(
				'settled',
			);
			// settled → final only for credit and debit notes; settled → canceled only for invoice-receipts.
			expect((await setState(sb, 'invoices', draft.id, 'unsettled')).status).toBe(422);
			expect((await setState(sb, 'invoices', draft.id, 'canceled', 'x')).status).toBe(422);

			const note = await createDoc(sb, 'credit_notes', invoiceBody({ owner_invoice_id: draft.id }));
			await setState(sb, 'credit_notes', note.id, 'finalized');
			await setState(sb, 'credit_notes', note.id, 'settled');
			const unsettled = await setState(sb, 'credit_notes', note.id, 'unsettled');
			expect(unsettled.json.credit_note.status).toBe('final');

			const fr = await createDoc(sb, 'invoice_receipts');
			await setState(sb, 'invoice_receipts', fr.id, 'finalized');
			const frCancel = await setState(sb, 'invoice_receipts', fr.id, 'canceled', 'Erro no cliente');
			expect(frCancel.json.invoice_receipt.status).toBe('canceled');

			expect((await setState(sb, 'invoices', 999, 'finalized')).status).toBe(404);
		});

		it('requires a reason to cancel', async () => {
			const doc = await createDoc(sb);
			await setState(sb, 'invoices', doc.id, 'finalized');
			const silent = await setState(sb, 'invoices', doc.id, 'canceled');
			expect(silent.status).toBe(422);
			expect(silent.json).toEqual({
				errors: { error: 'When cancelling a document you must specify a reason' },
			});
			const ok = await setState(sb, 'invoices', doc.id, 'canceled', 'Valores errados');
			expect(ok.json.invoice.status).toBe('canceled');
			// A canceled document keeps its legal number.
			expect(sb.legalDocuments().map((d) => d.id)).toEqual([doc.id]);
		});

		it('deletes drafts, which then leave the list and never count as legal', async () => {
			const doc = await createDoc(sb);
			expect((await setState(sb, 'invoices', doc.id, 'deleted')).json.invoice.status).toBe(
				'deleted',
			);
			expect((await call(sb, 'GET', '/invoices.json')).json.invoices).toHaveLength(0);
			const deleted = await call(sb, 'GET', '/invoices.json', undefined, { 'status[]': 'deleted' });
			expect(deleted.json.invoices).toHaveLength(1);
			expect(sb.legalDocuments()).toHaveLength(0);
		});

		it('credit notes only for a finalized invoice, and never more than it (strict: the package must never send either)', async () => {
			const draft = await createDoc(sb);
			const onDraft = await call(sb, 'POST', '/credit_notes.json', invoiceBody({ owner_invoice_id: draft.id }));
			expect(onDraft.status).toBe(422);
			expect(onDraft.json).toEqual({ errors: { error: 'Owner invoice must be a finalized invoice (it is a draft Invoice)' } });
			await setState(sb, 'invoices', draft.id, 'finalized');
			// Two partial credits of one line each fit the invoice (30.00); a third is refused at finalize.
			const half = (q: number) => invoiceBody({ owner_invoice_id: draft.id }, [{ name: 'SKU-1', description: 'Caneca', unit_price: 24.3902, quantity: q, tax: { name: 'IVA23' } }]);
			const first = await createDoc(sb, 'credit_notes', half(0.5));
			expect((await setState(sb, 'credit_notes', first.id, 'finalized')).status).toBe(200);
			const second = await createDoc(sb, 'credit_notes', half(0.5));
			expect((await setState(sb, 'credit_notes', second.id, 'finalized')).status).toBe(200);
			const third = await createDoc(sb, 'credit_notes', half(0.1));
			const over = await setState(sb, 'credit_notes', third.id, 'finalized');
			expect(over.status).toBe(422);
			expect(over.json).toEqual({ errors: { error: 'The credited amount (33.00) exceeds the invoice total (30.00)' } });
			expect(sb.state.illegalTransitions.map((t) => t.documentId)).toEqual([third.id]);
		});

		it('lists related credit notes', async () => {
			const doc = await createDoc(sb);
			await setState(sb, 'invoices', doc.id, 'finalized');
			const note = await createDoc(sb, 'credit_notes', invoiceBody({ owner_invoice_id: doc.id }));
			const r = await call(sb, 'GET', `/document/${doc.id}/related_documents.json`);
			expect(r.json.documents.map((d: Loose) => d.id)).toEqual([note.id]);
		});
	});

	describe('listing', () => {
		it('filters by type[], status[], text and dates', async () => {
			const inv = await createDoc(sb, 'invoices', invoiceBody({ reference: 'ORD-1' }));
			const fr = await createDoc(sb, 'invoice_receipts', invoiceBody({ date: '15/07/2026' }));
			await setState(sb, 'invoice_receipts', fr.id, 'finalized');
			const list = async (query: Query) =>
				(await call(sb, 'GET', '/invoices.json', undefined, query)).json.invoices.map(
					(d: Loose) => d.id,
				);
			expect(await list({})).toEqual([fr.id, inv.id]);
			expect(await list({ 'type[]': 'InvoiceReceipt' })).toEqual([fr.id]);
			expect(await list({ 'type[]': ['Invoice', 'InvoiceReceipt'] })).toEqual([fr.id, inv.id]);
			// Only the documented bracket form filters: n8n's default `type[0]=` is ignored, as a Rails
			// app would parse it into a hash rather than a list.
			expect(await list({ 'type[0]': 'InvoiceReceipt' })).toEqual([fr.id, inv.id]);
			expect(await list({ 'status[]': 'draft' })).toEqual([inv.id]);
			expect(await list({ 'status[]': 'sent' })).toEqual([]);
			expect(await list({ 'status[]': 'settled' })).toEqual([fr.id]);
			expect(await list({ reference: 'ORD-1' })).toEqual([inv.id]);
			expect(await list({ reference: 'ORD' })).toEqual([]);
			expect(await list({ text: 'ord-' })).toEqual([inv.id]);
			expect(await list({ 'date[from]': '10/07/2026' })).toEqual([fr.id]);
			expect(await list({ 'date[to]': '10/07/2026' })).toEqual([inv.id]);
			const r = await call(sb, 'GET', '/invoices.json', undefined, { per_page: '1' });
			expect(r.json.pagination).toEqual({
				total_entries: 2,
				current_page: 1,
				total_pages: 2,
				per_page: 1,
			});
		});

		it('shows a new document in the reference filter only after referenceLagMs', async () => {
			await withSandbox({ referenceLagMs: 300 }, async (lagging) => {
				const doc = await createDoc(lagging, 'invoices', invoiceBody({ reference: 'ORD-7' }));
				const now = await call(lagging, 'GET', '/invoices.json', undefined, { reference: 'ORD-7' });
				expect(now.json.invoices).toHaveLength(0);
				// Other lookups see it at once.
				expect((await call(lagging, 'GET', `/invoices/${doc.id}.json`)).status).toBe(200);
				await delay(350);
				const later = await call(lagging, 'GET', '/invoices.json', undefined, {
					reference: 'ORD-7',
				});
				expect(later.json.invoices.map((d: Loose) => d.id)).toEqual([doc.id]);
			});
		});
	});

	describe('email and PDF', () => {
		const email = {
			message: {
				client: { email: 'ana@example.com', save: '0' },
				subject: 'Fatura',
				body: 'Segue a fatura',
				cc: '',
				bcc: 'arquivo@example.com',
				logo: '0',
			},
		};

		it('refuses drafts and a missing address, then records the email with an empty 200', async () => {
			const doc = await createDoc(sb);
			const draft = await call(sb, 'PUT', `/invoices/${doc.id}/email-document.json`, email);
			expect(draft.status).toBe(422);
			expect(draft.json).toEqual({ errors: { error: 'Document is a draft' } });
			await setState(sb, 'invoices', doc.id, 'finalized');
			const noAddress = await call(sb, 'PUT', `/invoices/${doc.id}/email-document.json`, {
				message: { ...email.message, client: { save: '0' } },
			});
			expect(noAddress.json).toEqual({ errors: { error: 'Email is a required field' } });
			const ok = await call(sb, 'PUT', `/invoices/${doc.id}/email-document.json`, email);
			expect(ok.status).toBe(200);
			expect(ok.text).toBe('');
			expect(sb.state.emails).toEqual([
				expect.objectContaining({
					documentId: doc.id,
					to: 'ana@example.com',
					subject: 'Fatura',
					bcc: 'arquivo@example.com',
				}),
			]);
		});

		it('answers 202 until the PDF is ready, then a URL to a real PDF', async () => {
			await withSandbox({ pdfPendingPolls: 2 }, async (s) => {
				const doc = await createDoc(s);
				const draft = await call(s, 'GET', `/api/pdf/${doc.id}.json`, undefined, {
					second_copy: 'false',
				});
				expect(draft.status).toBe(422);
				expect(draft.json).toEqual({
					error: { code: '422', message: `The ${doc.id} provided is in an invalid state.` },
				});
				await setState(s, 'invoices', doc.id, 'finalized');
				const polls: number[] = [];
				let last: Reply | undefined;
				for (let i = 0; i < 3; i++) {
					last = await call(s, 'GET', `/api/pdf/${doc.id}.json`, undefined, {
						second_copy: 'false',
					});
					polls.push(last.status);
				}
				expect(polls).toEqual([202, 202, 200]);
				const pdfUrl: string = last?.json.output.pdfUrl;
				expect(pdfUrl).toBe(`${s.url}/files/${doc.id}.pdf`);

				const file = await fetch(pdfUrl);
				expect(file.status).toBe(200);
				expect(file.headers.get('content-type')).toBe('application/pdf');
				const bytes = Buffer.from(await file.arrayBuffer()).toString('latin1');
				expect(bytes.startsWith('%PDF-1.4')).toBe(true);
				expect(bytes).toContain('FT A/1');
				expect(bytes).toContain('ABCD1234-1');
				expect(bytes.trimEnd().endsWith('%%EOF')).toBe(true);
				const xrefAt = Number(/startxref\n(\d+)/.exec(bytes)?.[1]);
				expect(bytes.slice(xrefAt, xrefAt + 4)).toBe('xref');

				expect((await call(s, 'GET', '/api/pdf/1.json')).status).toBe(404);
			});
		});
	});

	describe('proprietary_uid', () => {
		it('with uidLockOnlyInFlight: false, answers 409 to any repeat of a used uid', async () => {
			await withSandbox({ uidLockOnlyInFlight: false }, async (sb) => {
				const body = { ...invoiceBody(), proprietary_uid: 'order-1-invoice' };
				expect((await call(sb, 'POST', '/invoices.json', body)).status).toBe(201);
				const again = await call(sb, 'POST', '/invoices.json', body);
				expect(again.status).toBe(409);
				expect(again.json).toEqual({
					reason: "There's an ongoing document creation with the provided UID order-1-invoice",
				});
				expect(sb.state.documents).toHaveLength(1);
				// A refused (422) creation does not use up its uid.
				const invalid = { ...invoiceBody({ items: [] }), proprietary_uid: 'order-2-invoice' };
				expect((await call(sb, 'POST', '/invoices.json', invalid)).status).toBe(422);
				expect(
					(
						await call(sb, 'POST', '/invoices.json', {
							...invoiceBody(),
							proprietary_uid: 'order-2-invoice',
						})
					).status,
				).toBe(201);
			});
		});

		it('by default (the weakest documented reading), locks only while the creation is in flight', async () => {
			await withSandbox({ createDelayMs: 200 }, async (s) => {
				const body = { ...invoiceBody(), proprietary_uid: 'order-3-invoice' };
				const [first, second] = await Promise.all([
					call(s, 'POST', '/invoices.json', body),
					delay(50).then(() => call(s, 'POST', '/invoices.json', body)),
				]);
				expect([first.status, second.status]).toEqual([201, 409]);
				const third = await call(s, 'POST', '/invoices.json', body);
				expect(third.status).toBe(201);
				expect(third.json.invoice.id).not.toBe(first.json.invoice.id);
				expect(s.state.documents).toHaveLength(2);
			});
		});
	});

	describe('faults', () => {
		it.each([
			[
				'status429',
				429,
				(r: Reply) => expect(r.json).toEqual({ errors: [{ error: 'Too many requests' }] }),
			],
			['status500', 500, (r: Reply) => expect(r.json.error.code).toBe('500')],
			['status502', 502, (r: Reply) => expect(r.text).toContain('<center>nginx</center>')],
			[
				'status503',
				503,
				(r: Reply) => expect(r.headers.get('content-type')).toContain('text/html'),
			],
		] as const)('%s answers %i without processing', async (fault, status, check) => {
			sb.faults.configure({ rates: { [fault]: 1 } });
			const r = await call(sb, 'POST', '/invoices.json', invoiceBody());
			expect(r.status).toBe(status);
			check(r);
			expect(sb.state.documents).toHaveLength(0);
			expect(sb.requests[0]).toMatchObject({
				status,
				fault,
				method: 'POST',
				path: '/invoices.json',
			});
		});

		it('sends Retry-After on an injected 429 only when configured', async () => {
			sb.faults.configure({ rates: { status429: 1 }, retryAfterSeconds: 2 });
			expect((await call(sb, 'GET', '/taxes.json')).headers.get('retry-after')).toBe('2');
		});

		it('reset drops the connection before anything happens', async () => {
			sb.faults.configure({ rates: { reset: 1 } });
			await expect(call(sb, 'POST', '/invoices.json', invoiceBody())).rejects.toThrow();
			expect(sb.state.documents).toHaveLength(0);
			expect(sb.requests[0]).toMatchObject({ status: 0, fault: 'reset' });
		});

		it('lostResponse creates the document but the answer never arrives', async () => {
			sb.faults.configure({ rates: { lostResponse: 1 } });
			await expect(call(sb, 'POST', '/invoices.json', invoiceBody())).rejects.toThrow();
			expect(sb.state.documents).toHaveLength(1);
			expect(sb.requests[0]).toMatchObject({ status: 0, fault: 'lostResponse' });
		});

		it('slow processes at once but answers late', async () => {
			sb.faults.configure({ rates: { slow: 1 }, slowMs: 400 });
			await expect(
				call(sb, 'POST', '/invoices.json', invoiceBody(), {}, { signal: AbortSignal.timeout(100) }),
			).rejects.toThrow();
			expect(sb.state.documents).toHaveLength(1);
			const started = Date.now();
			expect((await call(sb, 'GET', '/taxes.json')).status).toBe(200);
			expect(Date.now() - started).toBeGreaterThanOrEqual(380);
		});

		it('adds latency to every answer and can target some requests only', async () => {
			sb.faults.configure({ latencyMs: 150 });
			const started = Date.now();
			await call(sb, 'GET', '/taxes.json');
			expect(Date.now() - started).toBeGreaterThanOrEqual(140);

			sb.faults.configure({ rates: { status503: 1 }, applies: (req) => req.method === 'POST' });
			expect((await call(sb, 'GET', '/taxes.json')).status).toBe(200);
			expect((await call(sb, 'POST', '/invoices.json', invoiceBody())).status).toBe(503);
		});
	});

	describe('reset', () => {
		it('clears data and numbering but keeps taxes and series', async () => {
			const doc = await createDoc(sb);
			await setState(sb, 'invoices', doc.id, 'finalized');
			const requests = sb.requests;
			sb.reset();
			expect(sb.requests).toBe(requests);
			expect(sb.requests).toHaveLength(0);
			expect(sb.state.documents).toHaveLength(0);
			expect(sb.state.clients).toHaveLength(0);
			expect(sb.state.taxes).toHaveLength(11);
			expect(sb.state.sequences.map((s) => s.serie)).toEqual(['A', 'B']);
			const again = await createDoc(sb);
			expect(again.id).toBeGreaterThan(doc.id);
			expect((await setState(sb, 'invoices', again.id, 'finalized')).json.invoice.atcud).toBe(
				'ABCD1234-1',
			);
		});
	});

	describe('helpers', () => {
		it('rounds half-up on decimals, not on binary floats', () => {
			expect(roundHalfUp(1.005, 2)).toBe(1.01);
			expect(roundHalfUp(2.675, 2)).toBe(2.68);
			expect(roundHalfUp(29.999946, 2)).toBe(30);
			expect(roundHalfUp(24.39024, 4)).toBe(24.3902);
			expect(roundHalfUp(0.00005, 4)).toBe(0.0001);
		});

		it('checks the Portuguese NIF check digit', () => {
			expect(isValidPortugueseNif('999999990')).toBe(true);
			expect(isValidPortugueseNif('508025338')).toBe(true);
			expect(isValidPortugueseNif('123456789')).toBe(true);
			expect(isValidPortugueseNif('123456788')).toBe(false);
			expect(isValidPortugueseNif('12345678')).toBe(false);
		});
	});
});
