/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Issue 22: the layers of docs/architecture.md, checked on every import of the shipped code. A file
 * may import its own folder's unit, a lower layer, and nodes/shared/:
 *   4 nodes      nodes/InvoicExpress/, nodes/EPages/        (never each other)
 *   3 link       nodes/link/
 *   2 services   nodes/services/<service>/ (a service never imports another service), and the
 *                layer's root nodes/services/*.ts (the shop interface and the registry of platforms)
 *   1 shared     nodes/shared/
 *   credentials/ may import services and shared (a credential test), never a node or the link.
 * And: no node description has a hidden parameter (the parameters a user saves are the ones they see).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

import type { INodeProperties } from 'n8n-workflow';

import { PACKAGE_NODES } from '../harness/nodes';
import { measure } from '../../scripts/code-size';

const ROOT = join(__dirname, '..', '..');

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
	});
}

interface Place {
	layer: number;
	/** Which unit of the layer: a node folder, a service folder, or '' for a layer that is one unit. */
	unit: string;
}

/** The layer of a file, by its path below the repository. */
export function placeOf(path: string): Place {
	const parts = path.split('/');
	if (parts[0] === 'credentials') return { layer: 4, unit: 'credentials' };
	if (parts[1] === 'shared') return { layer: 1, unit: '' };
	if (parts[1] === 'services') return { layer: 2, unit: parts.length > 3 ? parts[2] : '' };
	if (parts[1] === 'link') return { layer: 3, unit: '' };
	return { layer: 4, unit: parts[1] };
}

/** Whether `from` may import `to` (both repository paths). */
export function allowed(from: string, to: string): boolean {
	const a = placeOf(from);
	const b = placeOf(to);
	if (b.layer > a.layer) return false;
	if (a.unit === 'credentials') return b.layer <= 2;
	if (b.layer < a.layer) return true;
	// Same layer: the same unit, or the layer's root (services/shop.ts, the interface every shop
	// implements, and services/shops.ts, the registry that names each platform).
	return a.unit === b.unit || b.unit === '' || a.unit === '';
}

const IMPORT = /(?:from\s+|import\(\s*|require\(\s*)'(\.{1,2}\/[^']+)'/g;

function importsOf(path: string): string[] {
	const text = readFileSync(join(ROOT, path), 'utf8');
	return [...text.matchAll(IMPORT)].map((m) => normalize(join(dirname(path), m[1])));
}

describe('the layers (docs/architecture.md)', () => {
	const shipped = [...files(join(ROOT, 'nodes')), ...files(join(ROOT, 'credentials'))].map((f) => relative(ROOT, f));

	it('every import of the shipped code points down a layer or stays in its unit', () => {
		const wrong = shipped.flatMap((from) => importsOf(from).filter((to) => !allowed(from, to)).map((to) => `${from} → ${to}`));
		expect(wrong).toEqual([]);
	});

	it('the check itself refuses what runs up or across', () => {
		expect(allowed('nodes/services/invoicexpress/api/documents.ts', 'nodes/link/orderLink')).toBe(false);
		expect(allowed('nodes/link/invoice/plan.ts', 'nodes/InvoicExpress/resources/common')).toBe(false);
		expect(allowed('nodes/services/epagesNow/orders.ts', 'nodes/services/invoicexpress/api/documents')).toBe(false);
		expect(allowed('nodes/InvoicExpress/InvoicExpress.node.ts', 'nodes/EPages/EPages.node')).toBe(false);
		expect(allowed('nodes/shared/order.ts', 'nodes/services/shop')).toBe(false);
		expect(allowed('credentials/EPagesApi.credentials.ts', 'nodes/link/orderLink')).toBe(false);
		expect(allowed('nodes/link/invoice/execute.ts', 'nodes/services/shops')).toBe(true);
		expect(allowed('nodes/services/epagesBeyond/shop.ts', 'nodes/services/shop')).toBe(true);
		expect(allowed('nodes/EPages/trigger/runner.ts', 'nodes/services/epagesNow/orders')).toBe(true);
	});
});

/**
 * Every property of a description, at any depth: a collection's options are properties, a
 * fixedCollection's options are groups whose `values` are properties. Paths name where each one is.
 */
export function everyProperty(properties: INodeProperties[], at = ''): Array<{ path: string; property: INodeProperties }> {
	return properties.flatMap((property) => {
		const path = `${at}${property.name}`;
		const nested = (property.options ?? []).flatMap((option) => {
			if ('values' in option && Array.isArray(option.values)) return everyProperty(option.values, `${path}.${option.name}.`);
			if ('type' in option && 'displayName' in option) return everyProperty([option as INodeProperties], `${path}.`);
			return [];
		});
		return [{ path, property }, ...nested];
	});
}

describe('issue 22: no hidden parameter in saved workflows', () => {
	it('every node of package.json is checked', () => {
		const listed = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } }).n8n.nodes;
		expect(new Set(PACKAGE_NODES.map((n) => n.description.name)).size).toBe(listed.length);
		expect(files(join(ROOT, 'nodes')).filter((f) => f.endsWith('.node.ts'))).toHaveLength(listed.length);
	});

	it.each(PACKAGE_NODES.map((n) => [n.description.name, n] as const))('%s has no property of type hidden, at any depth', (_name, node) => {
		const all = everyProperty(node.description.properties);
		expect(all.length).toBeGreaterThanOrEqual(node.description.properties.length);
		expect(all.filter(({ property }) => property.type === 'hidden').map(({ path }) => path)).toEqual([]);
	});

	it('the walk reaches into collections and fixedCollections', () => {
		// In the package's own descriptions: options collections and the fixedCollections of lines.
		const nested = PACKAGE_NODES.flatMap((n) => everyProperty(n.description.properties)).filter(({ path }) => path.includes('.'));
		expect(nested.length).toBeGreaterThan(50);
		const hidden: INodeProperties = { displayName: 'Tuning', name: 'tuning', type: 'hidden', default: {} };
		const description: INodeProperties[] = [
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [hidden] },
			{
				displayName: 'Lines',
				name: 'lines',
				type: 'fixedCollection',
				default: {},
				options: [{ displayName: 'Line', name: 'line', values: [{ displayName: 'Inner', name: 'inner', type: 'collection', default: {}, options: [hidden] }] }],
			},
			{ displayName: 'Mode', name: 'mode', type: 'options', default: 'a', options: [{ name: 'A', value: 'a' }] },
		];
		expect(everyProperty(description).filter(({ property }) => property.type === 'hidden').map(({ path }) => path)).toEqual(['options.tuning', 'lines.line.inner.tuning']);
	});
});

describe('issue 22: short functions, files split by concern', () => {
	// The same measure as `npx ts-node --transpile-only scripts/code-size.ts` (the figures of the closing notes).
	const { functions, files } = measure(ROOT);
	it('no function of the shipped code is over 60 lines (decisions in planners, performing in short executors)', () => {
		expect(functions.length).toBeGreaterThan(1000);
		expect(functions.filter((f) => f.lines > 60).map((f) => `${f.name} (${f.file}): ${f.lines} lines`)).toEqual([]);
	});
	it('no file of the shipped code is over 400 lines (countries.ts is a table)', () => {
		expect(files.filter((f) => f.lines > 400).map((f) => `${f.file}: ${f.lines} lines`)).toEqual([]);
	});
});
