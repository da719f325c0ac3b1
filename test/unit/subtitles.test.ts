import { EPages } from '../../nodes/EPages/EPages.node';
import { InvoicExpress } from '../../nodes/InvoicExpress/InvoicExpress.node';

/** Issue 15: the canvas shows what a node does as a sentence, never raw operation values. */
function subtitleTable(subtitle: string | undefined): Record<string, string> {
	const json = /^=\{\{ \((\{.*\})\)\[\$parameter\["resource"\] \+ "\." \+ \$parameter\["operation"\]\] \|\| "" \}\}$/s.exec(subtitle ?? '')?.[1];
	if (!json) throw new Error(`unexpected subtitle ${subtitle}`);
	return JSON.parse(json) as Record<string, string>;
}

describe('node subtitles', () => {
	it('InvoicExpress: every operation of every resource reads as a sentence', () => {
		const table = subtitleTable(new InvoicExpress().description.subtitle);
		expect(table['document.createFromEPagesOrder']).toBe('Create an invoice from an ePages order');
		expect(table['document.deleteDraft']).toBe('Delete a draft document');
		expect(table['client.findOrCreate']).toBe('Find or create a client');
		expect(Object.keys(table).length).toBeGreaterThanOrEqual(20);
		for (const text of Object.values(table)) expect(text).toMatch(/^[A-Z][a-z]+ .+/);
	});

	it('ePages: likewise', () => {
		const table = subtitleTable(new EPages().description.subtitle);
		expect(table['order.get']).toBe('Get an order');
		expect(table['order.getAll']).toBe('Get many orders');
		expect(Object.values(table).every((t) => !/[a-z][A-Z]/.test(t.replace('ePages', '')))).toBe(true);
	});
});
