import { z } from 'zod';

import { epBackoffPolicy } from '../../nodes/services/epagesNow/transport';
import { DEFAULT_INVOICE_TIMING, invoiceTiming } from '../../nodes/services/invoicexpress/api/invoiceOrder';
import { ixSettings } from '../../nodes/services/invoicexpress/transport';
import { backoffFields, durationMs, overrideSettings, settingsFor } from '../../nodes/shared/settings';
import { withSettings } from '../harness/settings';

const DEFAULTS = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30000, pauseMs: 8000 };
const schema = z.object({ ...backoffFields, pauseMs: durationMs.optional() }).strict();
const read = settingsFor('unit.backoff', DEFAULTS, schema);
const FAST = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

describe('the settings registry (nodes/shared/settings.ts)', () => {
	it('gives the defaults when nothing is overridden', () => {
		expect(read()).toBe(DEFAULTS);
	});

	it('replaces a section as a whole: a field the override leaves out is not taken from the defaults', () => {
		const restore = overrideSettings({ 'unit.backoff': FAST });
		expect(read()).toEqual(FAST);
		expect(read().pauseMs).toBeUndefined();
		restore();
		expect(read()).toBe(DEFAULTS);
	});

	it('keeps each override a layer of its own: the first run to finish removes only its own', () => {
		const first = overrideSettings({ 'unit.backoff': FAST });
		const second = overrideSettings({ 'unit.backoff': { ...FAST, maxAttempts: 2 } });
		first();
		expect(read().maxAttempts).toBe(2);
		second();
		second();
		expect(read()).toBe(DEFAULTS);
	});

	it('takes a section the newest layer does not give from the layer below', () => {
		const file = overrideSettings({ 'unit.backoff': FAST });
		const run = overrideSettings({ protocol: { ...DEFAULT_INVOICE_TIMING, budgetMs: 100 } });
		expect(read()).toEqual(FAST);
		expect(invoiceTiming().budgetMs).toBe(100);
		run();
		file();
		expect(invoiceTiming()).toBe(DEFAULT_INVOICE_TIMING);
	});

	it('keeps runs in flight at once apart: each withSettings removes its own layer', async () => {
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		const slow = withSettings({ invoicExpress: { ...FAST, timeoutMs: 300 } }, async () => {
			await gate;
			return ixSettings().timeoutMs;
		});
		const quick = withSettings({ invoicExpress: { ...FAST, timeoutMs: 300 } }, async () => ixSettings().timeoutMs);
		expect(await quick).toBe(300);
		// The quick run has ended: the slow one still reads its settings.
		expect(ixSettings().timeoutMs).toBe(300);
		release();
		expect(await slow).toBe(300);
		expect(ixSettings().timeoutMs).toBeUndefined();
		expect(ixSettings().rateLimitWaitMs).toBe(120000);
	});

	it('refuses an unknown section, naming the sections there are', () => {
		expect(() => overrideSettings({ invoiceExpress: FAST })).toThrow(/^There is no settings section "invoiceExpress": the sections are .*invoicExpress/);
	});

	it.each([
		['an unknown key', { ...FAST, maxDelay: 20 }, /^The settings section "unit\.backoff" is refused: \(the section\): Unrecognized key\(s\) in object: 'maxDelay'$/],
		['a negative number', { ...FAST, baseDelayMs: -1 }, /^The settings section "unit\.backoff" is refused: baseDelayMs: Number must be greater than or equal to 0$/],
		['an infinite number', { ...FAST, maxDelayMs: Infinity }, /^The settings section "unit\.backoff" is refused: maxDelayMs: Number must be finite$/],
		['not a number', { ...FAST, maxDelayMs: NaN }, /maxDelayMs: Expected number, received nan$/],
		['zero attempts', { ...FAST, maxAttempts: 0 }, /maxAttempts: Number must be greater than or equal to 1$/],
		['a missing required field', { maxAttempts: 3, baseDelayMs: 5 }, /maxDelayMs: Required$/],
		['a string', '5', /\(the section\): Expected object, received string$/],
	])('refuses %s, and sets nothing', (_what, value, message) => {
		expect(() => overrideSettings({ protocol: { ...DEFAULT_INVOICE_TIMING, budgetMs: 1 }, 'unit.backoff': value })).toThrow(message);
		expect(read()).toBe(DEFAULTS);
		expect(invoiceTiming()).toBe(DEFAULT_INVOICE_TIMING);
	});

	it('refuses a section declared twice, and defaults that are not a complete section', () => {
		expect(() => settingsFor('unit.backoff', DEFAULTS, schema)).toThrow('The settings section "unit.backoff" is declared twice');
		expect(() => settingsFor('unit.bad', { maxAttempts: 1, baseDelayMs: 1 } as never, schema)).toThrow(/"unit\.bad" is refused: maxDelayMs: Required/);
	});

	it('ePages Now: a back-off given without the ePages-only limits gets them scaled from its own delays', async () => {
		expect(epBackoffPolicy()).toEqual({ maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30000, conflictAttempts: 4, maxRateLimitWaitMs: 60000 });
		await withSettings({ ePages: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } }, async () => {
			expect(epBackoffPolicy()).toEqual({ maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, conflictAttempts: 3, maxRateLimitWaitMs: 1000 });
		});
		await withSettings({ ePages: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 20, conflictAttempts: 2, maxRateLimitWaitMs: 50 } }, async () => {
			expect(epBackoffPolicy()).toMatchObject({ conflictAttempts: 2, maxRateLimitWaitMs: 50 });
		});
	});
});
