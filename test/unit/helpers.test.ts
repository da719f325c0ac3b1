import { buildClientPayload, shortenName } from '../../nodes/services/invoicexpress/helpers/client';
import { countryIso, toIxCountry } from '../../nodes/services/invoicexpress/helpers/countries';
import { addDays, ixDateKey, toIxDate, todayIx } from '../../nodes/services/invoicexpress/helpers/dates';
import { buildDocumentBody, roundHalfUp, type IxTax } from '../../nodes/services/invoicexpress/helpers/document';
import { isValidPtNif, normalizeFiscalId } from '../../nodes/services/invoicexpress/helpers/nif';
import { fakeSecret } from '../harness/secrets';
import { parseIxErrorBody } from '../../nodes/services/invoicexpress/transport/errors';
import { redactDeep, redactSecrets } from '../../nodes/shared/redact';
import { backoffDelay, parseRetryAfter } from '../../nodes/shared/retry';

describe('Portuguese NIF', () => {
	it.each(['501964843', '503504564', '123456789', '999999990', '245207791', '510000002'])('accepts %s', (nif) => {
		expect(isValidPtNif(nif)).toBe(true);
	});
	it.each(['501964844', '123456780', '12345678', '1234567890', 'abcdefghi', '000000000'])('rejects %s', (nif) => {
		expect(isValidPtNif(nif)).toBe(false);
	});
	it('strips PT prefixes, spaces, dots and dashes', () => {
		expect(normalizeFiscalId('PT 501 964 843')).toEqual({ kind: 'valid', fiscalId: '501964843' });
		expect(normalizeFiscalId('pt501-964.843', 'PT')).toEqual({ kind: 'valid', fiscalId: '501964843' });
	});
	it('reports why a Portuguese NIF is invalid', () => {
		expect(normalizeFiscalId('501964844', 'PT')).toEqual({
			kind: 'invalid',
			fiscalId: '501964844',
			reason: 'its check digit is wrong',
		});
		expect(normalizeFiscalId('PT12345', 'PT')).toMatchObject({ kind: 'invalid', reason: 'a Portuguese NIF has exactly 9 digits' });
	});
	it('passes foreign fiscal ids through (country or prefix)', () => {
		expect(normalizeFiscalId('ESB12345674', 'ES')).toEqual({ kind: 'valid', fiscalId: 'ESB12345674' });
		expect(normalizeFiscalId('DE 123456789')).toEqual({ kind: 'valid', fiscalId: 'DE123456789' });
		expect(normalizeFiscalId('12345', 'FR')).toEqual({ kind: 'valid', fiscalId: '12345' });
	});
	it('treats empty values as no NIF', () => {
		expect(normalizeFiscalId('')).toEqual({ kind: 'none' });
		expect(normalizeFiscalId(null)).toEqual({ kind: 'none' });
		expect(normalizeFiscalId('  ')).toEqual({ kind: 'none' });
	});
});

describe('countries', () => {
	it.each([
		['PT', 'Portugal'],
		['pt', 'Portugal'],
		['GB', 'Great Britain'],
		['UK', 'Great Britain'],
		['United Kingdom', 'Great Britain'],
		['US', 'United States'],
		['KR', 'Korea, South'],
		['MO', 'Macau'],
		['Macao', 'Macau'],
		['spain', 'Spain'],
		['Espanha', 'Spain'],
		['Deutschland', 'Germany'],
		['NA', 'Namibia'],
		['FO', 'Faeroe Islands (Føroyar)'],
		['FK', 'Falkland Islands'],
	])('%s → %s', (input, name) => {
		expect(toIxCountry(input)).toBe(name);
	});
	it('returns undefined for unknown countries, never a guess', () => {
		expect(toIxCountry('XX')).toBeUndefined();
		expect(toIxCountry('Atlantis')).toBeUndefined();
		expect(toIxCountry('')).toBeUndefined();
	});
	it('maps names back to ISO codes', () => {
		expect(countryIso('Portugal')).toBe('PT');
		expect(countryIso('UK')).toBe('GB');
		expect(countryIso('ES')).toBe('ES');
	});
});

describe('dates', () => {
	it('formats ISO strings, dates and dd/mm/yyyy as dd/mm/yyyy without shifting the day', () => {
		expect(toIxDate('2026-11-28')).toBe('28/11/2026');
		expect(toIxDate('2026-11-28T23:30:00')).toBe('28/11/2026');
		expect(toIxDate('2026-11-28T00:00:00.000+01:00')).toBe('28/11/2026');
		expect(toIxDate('5/1/2026')).toBe('05/01/2026');
		expect(toIxDate(new Date(Date.UTC(2026, 0, 31)))).toBe('31/01/2026');
		expect(toIxDate({ toISODate: () => '2026-02-03' })).toBe('03/02/2026');
	});
	it('rejects impossible dates', () => {
		expect(toIxDate('2026-02-30')).toBeUndefined();
		expect(toIxDate('31/04/2026')).toBeUndefined();
		expect(toIxDate('tomorrow')).toBeUndefined();
		expect(toIxDate('')).toBeUndefined();
	});
	it('adds days across months and compares', () => {
		expect(addDays('28/02/2026', 1)).toBe('01/03/2026');
		expect(addDays('31/12/2026', 30)).toBe('30/01/2027');
		expect(ixDateKey('01/03/2026')).toBeGreaterThan(ixDateKey('28/02/2026'));
	});
	it("gives today's date in Lisbon", () => {
		expect(todayIx('Europe/Lisbon', new Date('2026-06-30T23:30:00Z'))).toBe('01/07/2026');
		expect(todayIx('Europe/Lisbon', new Date('2026-12-31T23:30:00Z'))).toBe('31/12/2026');
	});
});

describe('error bodies (every shape of reference §8)', () => {
	it.each([
		[{ errors: [{ error: 'Client not found' }] }, 'Client not found'],
		[{ errors: [{ error: 'Name is not available.' }, { error: 'Other' }] }, 'Name is not available.; Other'],
		[{ errors: { error: 'Invalid API key' } }, 'Invalid API key'],
		[{ errors: ["Name can't be blank"] }, "Name can't be blank"],
		[{ errors: { code: '001', message: 'Sequence name not allowed.' } }, 'Sequence name not allowed.'],
		[{ error: { code: '422', message: 'The 1 provided is in an invalid state.' } }, 'The 1 provided is in an invalid state.'],
		[{ error: 'Document not found' }, 'Document not found'],
		[{ name: ['is not available.'] }, 'name is not available.'],
		[{ reason: "There's an ongoing document creation with the provided UID x" }, "There's an ongoing document creation with the provided UID x"],
		['{"errors":{"error":"Vencimento deve ser igual ou posterior à data do documento"}}', 'Vencimento deve ser igual ou posterior à data do documento'],
		['<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>', '502 Bad Gateway'],
		[Buffer.from('{"errors":[{"error":"Nome não está disponível"}]}'), 'Nome não está disponível'],
	])('%j → %s', (body, message) => {
		expect(parseIxErrorBody(body)).toBe(message);
	});
	it('gives undefined for empty bodies', () => {
		expect(parseIxErrorBody('')).toBeUndefined();
		expect(parseIxErrorBody(undefined)).toBeUndefined();
		expect(parseIxErrorBody({})).toBeUndefined();
	});
});

describe('redaction', () => {
	const key = fakeSecret('redaction');
	it('removes api_key values, bearer tokens and known secrets', () => {
		const text = `GET https://x.app.invoicexpress.com/taxes.json?api_key=${key}&page=1 failed; Authorization: Bearer tok.en-123456; raw ${key}`;
		const out = redactSecrets(text, [key]);
		expect(out).not.toContain(key);
		expect(out).not.toContain('tok.en-123456');
		expect(out).toContain('api_key=***');
		expect(out).toContain('page=1');
	});
	it('redacts deep structures', () => {
		expect(JSON.stringify(redactDeep({ a: [{ url: `?api_key=${key}` }], b: key }, [key]))).not.toContain(key);
	});
});

describe('back-off', () => {
	const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
	it('grows exponentially with jitter inside [ceiling/2, ceiling]', () => {
		expect(backoffDelay(1, policy, undefined, () => 0)).toBe(50);
		expect(backoffDelay(1, policy, undefined, () => 1)).toBe(100);
		expect(backoffDelay(3, policy, undefined, () => 1)).toBe(400);
		expect(backoffDelay(10, policy, undefined, () => 1)).toBe(1000);
	});
	it('honours Retry-After (seconds or date), capped', () => {
		expect(parseRetryAfter('3', 0)).toBe(3000);
		expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', 0)).toBe(5000);
		expect(parseRetryAfter('soon', 0)).toBeUndefined();
		expect(backoffDelay(1, policy, 2500)).toBe(2500);
		expect(backoffDelay(1, policy, 3600000)).toBe(4000);
	});
});

describe('client payload', () => {
	const rules = { invalidFiscalId: 'error' as const, context: 'order 1033: ' };
	it('converts to InvoicExpress field names, country names and clean NIFs, all strings', () => {
		const { client } = buildClientPayload(
			{ name: '  João   Conceição ', code: '1028', email: 'joao@example.pt', country: 'PT', fiscalId: 'PT 501 964 843', postalCode: '1000-001', city: 'Lisboa', address: 'Rua A 1' },
			rules,
		);
		expect(client).toEqual({
			name: 'João Conceição',
			code: '1028',
			email: 'joao@example.pt',
			country: 'Portugal',
			fiscal_id: '501964843',
			postal_code: '1000-001',
			city: 'Lisboa',
			address: 'Rua A 1',
		});
	});
	it('names the order and the field in errors', () => {
		expect(() => buildClientPayload({ name: 'A', fiscalId: '123456780', country: 'PT' }, rules)).toThrow(
			'order 1033: client fiscal number "123456780" is not a valid Portuguese NIF: its check digit is wrong',
		);
		expect(() => buildClientPayload({ name: 'A', country: 'Atlantis' }, rules)).toThrow('order 1033: client country "Atlantis" is unknown');
		expect(() => buildClientPayload({ name: ' ' }, rules)).toThrow('order 1033: client name is empty');
		expect(() => buildClientPayload({ name: 'A', email: 'not-an-email' }, rules)).toThrow('order 1033: client e-mail "not-an-email" is not a valid address');
	});
	it('drops an invalid NIF when asked', () => {
		const { client, warnings } = buildClientPayload({ name: 'Ana Lima', fiscalId: '123456780' }, { invalidFiscalId: 'finalConsumer' });
		expect(client.fiscal_id).toBeUndefined();
		expect(warnings).toEqual(['invalid NIF "123456780" dropped: issued to final consumer']);
	});
	it('a name over 100 characters is shortened at a word boundary, the full name kept in the observations (issue 12)', () => {
		const full = 'Sociedade Agrícola e Comercial de Produtos Tradicionais da Serra da Estrela e Beira Interior, Unipessoal Lda.';
		expect([...full].length).toBeGreaterThan(100);
		const { client, warnings } = buildClientPayload({ name: full, observations: 'Cliente desde 2019' }, rules);
		expect(client.name).toBe('Sociedade Agrícola e Comercial de Produtos Tradicionais da Serra da Estrela e Beira Interior');
		expect(client.observations).toBe(`Nome completo: ${full}\nCliente desde 2019`);
		expect(warnings).toEqual([`client name shortened to 100 characters ("${client.name}"); the full name is in the client's observations`]);
		// One word longer than the limit is cut inside it; multi-byte characters count as one.
		expect([...buildClientPayload({ name: 'é'.repeat(120) }, rules).client.name]).toHaveLength(100);
		expect(buildClientPayload({ name: 'x'.repeat(100) }, rules).client.name).toBe('x'.repeat(100));
	});
	it('shortenName leaves room for a suffix and drops trailing separators', () => {
		expect(shortenName('Alpha Beta - Gamma Delta', 12)).toBe('Alpha Beta');
		expect(shortenName('Alpha, Beta', 7)).toBe('Alpha');
		expect(shortenName('Short', 12)).toBe('Short');
	});
});

describe('document body', () => {
	const taxes: IxTax[] = [
		{ name: 'IVA23', value: 23, region: 'PT', default_tax: 1 },
		{ name: 'IVA0', value: 0, region: 'PT' },
	];
	const base = { date: '2026-11-28', dueDate: '2026-12-28', client: { name: 'A', code: 'A' } };
	it('builds dates, items with 4-decimal prices and 2-decimal quantities', () => {
		const { document } = buildDocumentBody(
			{ ...base, items: [{ name: 'SKU', unitPrice: 24.390243, quantity: 1.005, tax: 'IVA23' }], reference: '1033' },
			taxes,
		);
		expect(document).toEqual({
			date: '28/11/2026',
			due_date: '28/12/2026',
			client: { name: 'A', code: 'A' },
			items: [{ name: 'SKU', description: 'SKU', unit_price: 24.3902, quantity: 1.01, tax: { name: 'IVA23' } }],
			reference: '1033',
		});
	});
	it('accepts pasted API-shaped items', () => {
		const { document } = buildDocumentBody({ ...base, items: [{ name: 'X', unit_price: '10', quantity: '2', tax: { name: 'IVA23' } }] }, taxes);
		expect((document.items as unknown[])[0]).toMatchObject({ unit_price: 10, quantity: 2, tax: { name: 'IVA23' } });
	});
	it.each([
		[{ dueDate: '2026-11-27' }, 'due date 27/11/2026 is before the document date 28/11/2026'],
		[{ date: 'soon' }, 'date "soon" is not a date'],
		[{ items: [] }, 'the document has no items'],
		[{ items: [{ name: 'X', unitPrice: -1, quantity: 1 }] }, 'item 1 (X): unit price -1 is negative'],
		[{ items: [{ name: 'X', unitPrice: 1, quantity: 0 }] }, 'item 1 (X): quantity must be greater than 0'],
		[{ items: [{ name: 'X', unitPrice: 1, quantity: 1, tax: 'VAT20' }] }, 'item 1 (X): tax "VAT20" does not exist in this InvoicExpress account'],
		[{ items: [{ name: 'X', unitPrice: 1, quantity: 1, tax: 'IVA0' }] }, '1 item(s) have 0 % VAT but no tax exemption reason is set'],
		[{ items: [{ name: 'X', unitPrice: 1, quantity: 1 }], currencyCode: 'USD' }, 'currency USD needs an exchange rate'],
		[{ items: [{ name: 'X', unitPrice: 1, quantity: 1 }], taxExemption: 'M03' }, 'tax exemption reason "M03" is not a valid code (M01 … M99)'],
		[{ items: [{ unitPrice: 1, quantity: 1 }] }, 'item 1: name is missing'],
	])('refuses %j', (change, message) => {
		expect(() => buildDocumentBody({ ...base, items: [{ name: 'X', unitPrice: 1, quantity: 1 }], ...change }, taxes)).toThrow(message);
	});
	it('sends currency, rate and exemption when valid', () => {
		const { document } = buildDocumentBody(
			{ ...base, items: [{ name: 'X', unitPrice: 1, quantity: 1, tax: 'IVA0' }], taxExemption: 'M16', currencyCode: 'usd', exchangeRate: 1.08 },
			taxes,
		);
		expect(document).toMatchObject({ tax_exemption: 'M16', currency_code: 'USD', rate: '1.08' });
	});
	it('rounds half-up without binary artefacts', () => {
		expect(roundHalfUp(1.005, 2)).toBe(1.01);
		expect(roundHalfUp(2.675, 2)).toBe(2.68);
		expect(roundHalfUp(-1.005, 2)).toBe(-1.01);
		expect(roundHalfUp(24.39024390, 4)).toBe(24.3902);
	});
});

describe('adaptive limiter', () => {
	it('never exceeds its limit, halves on 429 and grows after successes', async () => {
		const { AdaptiveLimiter } = await import('../../nodes/shared/limiter');
		const limiter = new AdaptiveLimiter({ initial: 4, min: 1, max: 6 });
		let inFlight = 0;
		let peak = 0;
		await Promise.all(
			Array.from({ length: 20 }, async () => {
				const release = await limiter.acquire();
				inFlight++;
				peak = Math.max(peak, inFlight);
				await Promise.resolve();
				await Promise.resolve();
				inFlight--;
				release();
				limiter.onSuccess();
			}),
		);
		expect(peak).toBeLessThanOrEqual(6);
		expect(limiter.currentLimit).toBeGreaterThan(4);
		limiter.onThrottle();
		limiter.onThrottle();
		limiter.onThrottle();
		expect(limiter.currentLimit).toBe(1);
		expect(limiter.throttled).toBe(3);
	});
});
