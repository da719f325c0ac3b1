/**
 * n8n's editor looks for an "authentication selector" among the parameters that the credentials'
 * `displayOptions.show` name: a parameter called `authentication`, or one whose every option value
 * (any parameter without options, such as a boolean) appears in those `show` lists. It shows that
 * parameter beside the credential and removes it, and every parameter it depends on, from the panel
 * (n8n editor-ui `utils/nodeTypesUtils.ts`: `getMainAuthField`, `findAlternativeAuthField`,
 * `isAuthRelatedParameter`). With the Platform in the slots' `show`, the InvoicExpress node's panel
 * lost Resource, Operation and Platform in n8n 2.41 (found by test/e2e/editor.e2e.test.ts).
 * This is the editor's rule, written out, held to every node of the package: none may have such a
 * parameter, so the panel shows every parameter where the description puts it.
 */
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { PACKAGE_NODES } from '../harness/nodes';

/** The parameter n8n's editor would take for the authentication selector, as its nodeTypesUtils decide. */
function editorAuthField(description: INodeTypeDescription): INodeProperties | null {
	const shown = (description.credentials ?? []).map((c) => c.displayOptions?.show ?? {});
	const values: Record<string, string[]> = {};
	for (const show of shown) for (const [name, list] of Object.entries(show)) values[name] = [...(values[name] ?? []), ...(list ?? []).map((v) => (v ? String(v) : ''))];
	const fields = description.properties.filter((p) => p.name in values);
	return fields.find((f) => f.name === 'authentication') ?? fields.find((f) => (f.options ?? []).every((o) => 'value' in o && values[f.name].includes(o.value as string))) ?? null;
}

describe("n8n's editor finds no authentication selector in the package's nodes", () => {
	it.each(PACKAGE_NODES.map((n) => [n.description.displayName, n.description] as const))('%s', (_name, description) => {
		expect(editorAuthField(description)?.name ?? null).toBeNull();
	});

	it('the rule as written finds the selector it is meant to catch', () => {
		const resource: INodeProperties = { displayName: 'Resource', name: 'resource', type: 'options', default: 'a', options: [{ name: 'A', value: 'a' }, { name: 'B', value: 'b' }] };
		const connect: INodeProperties = { displayName: 'Connect', name: 'connect', type: 'boolean', default: true };
		const node = (credentials: INodeTypeDescription['credentials']) => ({ properties: [resource, connect], credentials }) as unknown as INodeTypeDescription;
		// Every Resource value in some slot's show: Resource would leave the panel.
		expect(editorAuthField(node([{ name: 'x', displayOptions: { show: { resource: ['a'] } } }, { name: 'y', displayOptions: { show: { resource: ['b'] } } }]))?.name).toBe('resource');
		// A boolean in show has no options, so it is always taken: such conditions belong in hide.
		expect(editorAuthField(node([{ name: 'x', displayOptions: { show: { connect: [true] } } }]))?.name).toBe('connect');
		expect(editorAuthField(node([{ name: 'x', displayOptions: { show: { resource: ['a'] }, hide: { connect: [false] } } }, { name: 'y', displayOptions: { hide: { resource: ['a'] } } }]))).toBeNull();
	});
});
