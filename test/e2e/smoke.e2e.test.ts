import { startInvoicExpressSandbox, type IxSandbox } from '../sandbox/invoicexpress';
import { endE2e, ensureN8n, N8nInstance, nodeOutput, packPackage } from './n8n';

let ix: IxSandbox;
let n8n: N8nInstance;

beforeAll(async () => {
	ix = await startInvoicExpressSandbox();
	n8n = new N8nInstance(await ensureN8n());
	await n8n.installPackage(await packPackage());
});
afterAll(async () => {
	await endE2e({
		n8n,
		services: [ix],
		secrets: () => [ix.apiKey],
		// The scan does read n8n's database: the workflow's id is found there.
		check: () => expect(n8n?.secretLeaks(['smokeWorkflow001']).some((w) => w.includes('database.sqlite'))).toBe(true),
	});
});

test('the packed package loads in n8n and lists the taxes through the credential', async () => {
	await n8n.importCredentials([
		{ id: 'ixCredential0001', name: 'InvoicExpress sandbox', type: 'invoicExpressApi', data: { accountName: 'sandboxshop', apiKey: ix.apiKey, baseUrl: ix.url } },
	]);
	await n8n.importWorkflows([
		{
			id: 'smokeWorkflow001',
			name: 'Smoke',
			active: false,
			settings: {},
			connections: { Start: { main: [[{ node: 'Taxes', type: 'main', index: 0 }]] } },
			nodes: [
				{ id: 'a', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'b',
					name: 'Taxes',
					type: 'n8n-nodes-epages-invoicexpress.invoicExpress',
					typeVersion: 1,
					position: [200, 0],
					parameters: { resource: 'tax', operation: 'getAll' },
					credentials: { invoicExpressApi: { id: 'ixCredential0001', name: 'InvoicExpress sandbox' } },
				},
			],
		},
	]);
	const result = await n8n.executeOk('smokeWorkflow001');
	expect(result.code).toBe(0);
	expect(nodeOutput(result.run, 'Taxes').map((t) => t.name)).toEqual(ix.state.taxes.map((t) => t.name));
	expect(ix.requests.every((r) => r.query.api_key === ix.apiKey)).toBe(true);
});
