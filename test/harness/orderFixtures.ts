/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import type { MappingOptions } from '../../nodes/link/mapping/orderToDocument';
import type { LineKind } from '../../nodes/link/mapping/pricing';

/** test/fixtures/orders/NN-name.json: an ePages order and what an accountant expects of its invoice. */
export interface ExpectedLine {
	name: string;
	quantity: number;
	tax: string;
	kind: LineKind;
}

export interface ExpectedDocument {
	total: number;
	lines: ExpectedLine[];
	client: Record<string, string>;
	vatByRate?: Array<{ rate: number; tax: number }>;
	taxExemption?: string;
	currency?: string;
	/** The document's observations, where the fixture checks them (plain text from a comment with markup). */
	observations?: string;
}

export interface OrderFixture {
	file: string;
	description: string;
	options: Partial<Omit<MappingOptions, 'clientRules'>> & { clientRules?: Partial<MappingOptions['clientRules']> };
	order: Record<string, unknown>;
	expected: ExpectedDocument | { error: string };
}

export const ORDER_FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'orders');

export function loadOrderFixtures(): OrderFixture[] {
	return readdirSync(ORDER_FIXTURE_DIR)
		.filter((f) => /^\d\d-.*\.json$/.test(f))
		.sort()
		.map((file) => ({ file, ...(JSON.parse(readFileSync(join(ORDER_FIXTURE_DIR, file), 'utf8')) as Omit<OrderFixture, 'file'>) }));
}

export function isErrorFixture(f: OrderFixture): f is OrderFixture & { expected: { error: string } } {
	return 'error' in f.expected;
}

/** Mapping options of a fixture as the node's "Order Options" collection names them. */
export function nodeOrderOptions(options: OrderFixture['options']): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(options)) {
		if (key === 'clientRules') Object.assign(out, value);
		else if (key === 'taxMapping') out.taxMapping = { mapping: value };
		else out[key] = value;
	}
	return out;
}

/**
 * The parameters of InvoicExpress → Create From ePages Order as the examples set them (the order from
 * the input item, a finalized invoice, client matched by name); tests and the benchmark change only
 * what they are about.
 */
export function createFromOrderParameters(over: Record<string, unknown> = {}, orderOptions: Record<string, unknown> = {}): INodeParameters {
	return {
		resource: 'document',
		operation: 'createFromEPagesOrder',
		order: '={{ $json }}',
		documentType: 'invoice',
		finalize: true,
		sendEmail: true,
		attachPdf: false,
		dryRun: false,
		matchBy: 'name',
		orderOptions,
		...over,
	} as INodeParameters;
}
