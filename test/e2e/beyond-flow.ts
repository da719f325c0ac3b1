/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test infrastructure; never shipped */
/**
 * The ePages Beyond story in a real n8n, shared by the e2e test, the demo and the benchmark:
 * workflows "Beyond order paid → InvoicExpress Create From ePages Order (finalize, e-mail)" started by
 * the ePages Beyond Trigger (webhooks) or by the ePages Trigger polling Beyond, the credentials that
 * point them at the Beyond fake and an InvoicExpress sandbox, and the few calls of n8n's own REST API
 * the tests need (sign in, list executions, deactivate a workflow).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { createFromOrderParameters } from '../harness/orderFixtures';
import type { BeyondSandbox } from '../sandbox/beyond';
import type { CredentialImport, N8nInstall } from './n8n';

export const BEYOND_CREDENTIAL_ID = 'beyondCredential';
export const BEYOND_WEBHOOK_WORKFLOW_ID = 'exBeyondPaidHook';
export const BEYOND_POLLING_WORKFLOW_ID = 'exBeyondPaidPoll';
/** The trigger's webhook id: n8n's production URL is <base>/webhook/<id>/webhook. */
export const BEYOND_WEBHOOK_ID = '6e0c1a52-4d1b-4a7e-9b8f-b0e7d0000001';

export function beyondCredential(beyond: BeyondSandbox): CredentialImport {
	return { id: BEYOND_CREDENTIAL_ID, name: 'ePages Beyond shop', type: 'ePagesBeyondApi', data: { apiUrl: beyond.apiUrl, clientId: beyond.clientId, clientSecret: beyond.clientSecret } };
}

export function invoicExpressCredential(id: string, ix: { apiKey: string; url: string }, name = 'InvoicExpress account'): CredentialImport {
	return { id, name, type: 'invoicExpressApi', data: { accountName: 'sandboxshop', apiKey: ix.apiKey, baseUrl: ix.url } };
}

/** Create From ePages Order: a finalized invoice, e-mailed to the buyer (the trigger gives the Now order shape). */
function createInvoiceNode(ixCredentialId: string, x: number) {
	return {
		id: 'b2',
		name: 'Create Invoice',
		type: 'n8n-nodes-epages-invoicexpress.invoicExpress',
		typeVersion: 1,
		position: [x, 0],
		// The examples' parameters (one place for them), with this story's options.
		parameters: createFromOrderParameters(
			{},
			{
				dueDays: 30,
				taxExemption:
					"={{ $json.lineItemContainer.productLineItems.some(l => l.taxClass.percentage === 0) || ($json.shippingData?.taxes || []).some(t => t.taxClass.percentage === 0 && $json.shippingData.price.amount > 0) ? ($json.taxModel === 'NET' ? 'M16' : 'M99') : '' }}",
				emailSubject: '=Fatura da sua encomenda {{ $json.orderNumber }}',
			},
		),
		credentials: { invoicExpressApi: { id: ixCredentialId, name: 'InvoicExpress account' } },
	};
}

const connections = (trigger: string) => ({ [trigger]: { main: [[{ node: 'Create Invoice', type: 'main', index: 0 }]] } });

/** ePages Beyond Trigger (Order Paid) → InvoicExpress Create From ePages Order (finalize, send e-mail). */
export function beyondWebhookWorkflow(ixCredentialId: string, id = BEYOND_WEBHOOK_WORKFLOW_ID, webhookId = BEYOND_WEBHOOK_ID) {
	const trigger = 'Beyond Order Paid';
	return {
		id,
		name: 'ePages Beyond paid order → InvoicExpress invoice (webhook)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'b1',
				name: trigger,
				type: 'n8n-nodes-epages-invoicexpress.ePagesBeyondTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters: { events: ['orderPaid'] },
				credentials: { ePagesBeyondApi: { id: BEYOND_CREDENTIAL_ID, name: 'ePages Beyond shop' } },
			},
			createInvoiceNode(ixCredentialId, 260),
		],
		connections: connections(trigger),
	};
}

/** ePages Trigger polling Beyond (Order Paid, n8n's default poll time: every minute) → the same invoice step. */
export function beyondPollingWorkflow(ixCredentialId: string, id = BEYOND_POLLING_WORKFLOW_ID) {
	const trigger = 'Beyond Order Paid (polling)';
	return {
		id,
		name: 'ePages Beyond paid order → InvoicExpress invoice (polling)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'p1',
				name: trigger,
				type: 'n8n-nodes-epages-invoicexpress.ePagesTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, platform: 'beyond', beyondEvents: ['orderPaid'] },
				credentials: { ePagesBeyondApi: { id: BEYOND_CREDENTIAL_ID, name: 'ePages Beyond shop' } },
			},
			createInvoiceNode(ixCredentialId, 260),
		],
		connections: connections(trigger),
	};
}

/** The instance owner, set through n8n's environment so that the REST API can be signed in to. */
export function ownerEnv(install: N8nInstall, owner: { email: string; password: string; firstName?: string; lastName?: string }): Record<string, string> {
	const bcrypt = createRequire(join(install.n8nDir, 'node_modules', 'n8n', 'package.json'))('bcryptjs') as { hashSync(p: string, r: number): string };
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: owner.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName ?? 'Beyond',
		N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName ?? 'Merchant',
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(owner.password, 10),
	};
}

export interface N8nExecution {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	finished: boolean;
	startedAt: string;
	stoppedAt?: string | null;
}

/** n8n's internal REST API (what the editor uses), signed in as the owner. */
export class N8nRest {
	private cookie = '';

	constructor(readonly base: string) {}

	async login(email: string, password: string): Promise<void> {
		// /healthz answers before every route is mounted: retry until the login route is there.
		const deadline = Date.now() + 60000;
		for (;;) {
			const res = await fetch(`${this.base}/rest/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ emailOrLdapLoginId: email, password }) });
			if (res.ok) {
				const set = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
				if (!set) throw new Error('n8n signed in without an n8n-auth cookie');
				this.cookie = set.split(';')[0];
				return;
			}
			if (Date.now() > deadline) throw new Error(`n8n login failed: ${res.status} ${await res.text()}`);
			await new Promise((r) => setTimeout(r, 1000));
		}
	}

	async call<T>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.base}/rest${path}`, {
			method,
			headers: { Cookie: this.cookie, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`n8n ${method} ${path}: ${res.status} ${text}`);
		return (JSON.parse(text) as { data: T }).data;
	}

	/** Every execution of a workflow (newest first), as the Executions list shows them. */
	async executions(workflowId: string): Promise<N8nExecution[]> {
		const out: N8nExecution[] = [];
		let lastId: string | undefined;
		for (;;) {
			const qs = new URLSearchParams({ filter: JSON.stringify({ workflowId }), limit: '100', ...(lastId ? { lastId } : {}) });
			const page = await this.call<{ results: N8nExecution[] }>('GET', `/executions?${qs.toString()}`);
			out.push(...page.results);
			if (page.results.length < 100) return out;
			lastId = page.results[page.results.length - 1].id;
		}
	}

	async deactivate(workflowId: string): Promise<void> {
		await this.call('POST', `/workflows/${workflowId}/deactivate`, {});
	}
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, everyMs));
	}
}
