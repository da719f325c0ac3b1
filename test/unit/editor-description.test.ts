import { Workflow, type INodeTypes } from 'n8n-workflow';

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

	it("n8n's expression engine evaluates the subtitle to the sentence", () => {
		const node = new InvoicExpress();
		const nodeTypes = { getByName: () => node, getByNameAndVersion: () => node, getKnownTypes: () => ({}) } as unknown as INodeTypes;
		const instance = { id: '1', name: 'N', type: 'pkg.invoicExpress', typeVersion: 1, position: [0, 0] as [number, number], parameters: { resource: 'document', operation: 'createFromEPagesOrder' } };
		const workflow = new Workflow({ nodes: [instance], connections: {}, active: false, nodeTypes });
		expect(workflow.expression.getSimpleParameterValue(instance, node.description.subtitle!, 'internal', {})).toBe('Create an invoice from an ePages order');
	});

	it('ePages: likewise', () => {
		const table = subtitleTable(new EPages().description.subtitle);
		expect(table['order.get']).toBe('Get an order');
		expect(table['order.getAll']).toBe('Get many orders');
		expect(Object.values(table).every((t) => !/[a-z][A-Z]/.test(t.replace('ePages', '')))).toBe(true);
	});
});

describe('every dropdown has its choices (issue 15 item 2)', () => {
	type Prop = { name: string; type: string; options?: unknown[]; values?: Prop[]; typeOptions?: { loadOptionsMethod?: string } };
	const walk = (props: Prop[], out: Prop[] = []): Prop[] => {
		for (const p of props) {
			out.push(p);
			if (Array.isArray(p.options)) walk(p.options.filter((o): o is Prop => typeof o === 'object' && o !== null && 'type' in o), out);
			if (Array.isArray(p.values)) walk(p.values, out);
			if (Array.isArray(p.options)) for (const o of p.options as Array<{ values?: Prop[] }>) if (Array.isArray(o.values)) walk(o.values, out);
		}
		return out;
	};

	it.each([
		['InvoicExpress', new InvoicExpress()],
		['ePages', new EPages()],
	])('%s: every options parameter lists its options or loads them through the credential', (_name, node) => {
		const methods = Object.keys((node as { methods?: { loadOptions?: object } }).methods?.loadOptions ?? {});
		for (const p of walk(node.description.properties as unknown as Prop[]).filter((x) => x.type === 'options' || x.type === 'multiOptions')) {
			const method = p.typeOptions?.loadOptionsMethod;
			if (method) expect(methods).toContain(method);
			else expect([p.name, (p.options ?? []).length > 0]).toEqual([p.name, true]);
		}
	});

	it('Document → Create → Items → Tax loads the account taxes', () => {
		const items = walk(new InvoicExpress().description.properties as unknown as Prop[]).filter((p) => p.name === 'tax' && p.type === 'options');
		expect(items.length).toBeGreaterThan(0);
		for (const p of items) expect(p.typeOptions?.loadOptionsMethod).toBe('getTaxes');
	});
});
