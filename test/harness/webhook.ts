/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * A webhook trigger node of the package hosted the way n8n hosts it, over real HTTP on 127.0.0.1:
 * activation and deactivation run its webhookMethods in n8n-core's HookContext, and every request to
 * its URL runs its `webhook()` in n8n-core's WebhookContext, with the raw body as n8n keeps it. The
 * workflow's static data lives as long as the host, as it does across n8n restarts.
 *
 * `staticData: 'n8n'` keeps it as a real n8n 2.41 does for a production webhook (seen in
 * test/e2e/beyond.e2e.test.ts, read in n8n's live-webhooks.js and workflow-runner.js): each request
 * works on its own copy loaded when the request arrives, and the copy is saved after `webhook()` only
 * when the request starts no execution (starting one builds the run's Workflow over the same object,
 * which clears its "changed" flag before the answer would save it). So writes of a delivery that starts
 * a run are lost, and of two deliveries handled at once the last save wins.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { HookContext, WebhookContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData, INodeParameters, IWebhookData, IWebhookDescription } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { additionalData, PACKAGE, TestNodeTypes } from './n8n';

export interface TriggerHost {
	/** The webhook URL n8n would show (what the trigger subscribes with). */
	webhookUrl: string;
	/** Where the host really listens (the webhook URL may be a proxy's public one). */
	address: string;
	/** Each started execution's items. */
	executions: INodeExecutionData[][];
	/** Every answer the webhook gave: status and body. */
	answers: Array<{ status: number; body: unknown }>;
	staticData: IDataObject;
	activate(): Promise<boolean>;
	deactivate(): Promise<boolean>;
	checkExists(): Promise<boolean>;
	close(): Promise<void>;
}

export async function startTriggerHost(opts: {
	type: string;
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** The public base n8n shows (WEBHOOK_URL), when it differs from where requests arrive (a proxy). */
	publicBaseUrl?: string;
	/** 'shared' (default): one static data object for every request. 'n8n': as n8n 2.41 keeps it (above). */
	staticData?: 'shared' | 'n8n';
}): Promise<TriggerHost> {
	const nodeTypes = new TestNodeTypes();
	const node: INode = {
		id: 'trigger',
		name: 'Trigger',
		type: `${PACKAGE}.${opts.type}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: opts.parameters,
		webhookId: 'beyond-hook',
		credentials: Object.fromEntries(Object.keys(opts.credentials).map((t) => [t, { id: `${t}-id`, name: t }])),
	};
	const staticData: IDataObject = {};
	const workflow = new Workflow({ id: 'webhook-workflow', name: 'Webhook', nodes: [node], connections: {}, active: true, nodeTypes, staticData, settings: {} });
	const nodeType = nodeTypes.getByName(node.type);
	const description = nodeType.description.webhooks![0] as IWebhookDescription;
	const host: TriggerHost = {
		webhookUrl: '',
		address: '',
		executions: [],
		answers: [],
		staticData,
		activate: async () => false,
		deactivate: async () => false,
		checkExists: async () => false,
		close: async () => {},
	};

	const server: Server = createServer((req, res) => void handle(req, res));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	const base = opts.publicBaseUrl ?? `http://127.0.0.1:${port}/webhook`;
	host.address = `http://127.0.0.1:${port}`;

	const data = () => {
		const d = additionalData(opts.credentials, { id: 'webhook-workflow', name: 'Webhook', nodes: [node], connections: {} }, 'webhook');
		d.webhookBaseUrl = base;
		return d;
	};
	const hook = (mode: 'activate' | 'init') => new HookContext(workflow, node, data(), 'webhook', mode === 'activate' ? 'activate' : 'init');
	const methods = nodeType.webhookMethods!.default!;
	host.webhookUrl = `${base}/${node.webhookId}/${description.path as string}`;
	host.checkExists = async () => await methods.checkExists!.call(hook('init'));
	host.activate = async () => {
		if (await methods.checkExists!.call(hook('init'))) return true;
		return await methods.create!.call(hook('activate'));
	};
	host.deactivate = async () => await methods.delete!.call(hook('init'));
	host.close = async () => await new Promise<void>((resolve) => server.close(() => resolve()));

	async function handle(req: IncomingMessage, res: ServerResponse) {
		// n8n loads the workflow (and its static data) from the database before it reads the body.
		const asN8n = opts.staticData === 'n8n';
		const requestStaticData = asN8n ? (JSON.parse(JSON.stringify(staticData)) as IDataObject) : staticData;
		const requestWorkflow = asN8n
			? new Workflow({ id: 'webhook-workflow', name: 'Webhook', nodes: [node], connections: {}, active: true, nodeTypes, staticData: requestStaticData, settings: {} })
			: workflow;
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		let parsed: unknown = {};
		try {
			parsed = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : {};
		} catch {
			parsed = rawBody.toString('utf8');
		}
		let status = 200;
		let answered: unknown;
		let sent = false;
		const reply = {
			status(code: number) {
				status = code;
				return reply;
			},
			json(body: unknown) {
				answered = body;
				sent = true;
				return reply;
			},
			send(body: unknown) {
				answered = body;
				sent = true;
				return reply;
			},
			end() {
				sent = true;
				return reply;
			},
		};
		const request = { headers: req.headers, body: parsed, rawBody, params: {}, query: {}, method: req.method, url: req.url };
		try {
			const d = data();
			(d as unknown as IDataObject).httpRequest = request as unknown as IDataObject;
			(d as unknown as IDataObject).httpResponse = reply as unknown as IDataObject;
			const webhookData: IWebhookData = { httpMethod: 'POST', node: node.name, path: description.path as string, webhookDescription: description, workflowId: 'webhook-workflow', workflowExecuteAdditionalData: d, webhookId: node.webhookId };
			const ctx = new WebhookContext(requestWorkflow, node, d, 'webhook', webhookData, [], null);
			const result = await nodeType.webhook!.call(ctx);
			if (asN8n && !result.workflowData) {
				// Saved (whole) only when nothing starts: the last request to save wins.
				for (const key of Object.keys(staticData)) delete staticData[key];
				Object.assign(staticData, JSON.parse(JSON.stringify(requestStaticData)) as IDataObject);
			}
			if (!result.noWebhookResponse) {
				if (result.workflowData) {
					host.executions.push(result.workflowData[0]);
					answered = { message: 'Workflow was started' };
				} else {
					answered = result.webhookResponse ?? { message: 'Workflow was started' };
				}
				status = 200;
				sent = true;
			}
		} catch (error) {
			status = 500;
			answered = { message: (error as Error).message };
			sent = true;
		}
		host.answers.push({ status, body: answered });
		res.writeHead(status, { 'Content-Type': 'application/json' });
		res.end(sent && answered !== undefined ? JSON.stringify(answered) : '');
	}

	return host;
}
