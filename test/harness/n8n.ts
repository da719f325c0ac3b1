/**
 * Runs this package's nodes through n8n's own execution engine (n8n-core's WorkflowExecute and
 * PollContext), with a credentials helper that authenticates requests the way n8n's CLI does: the
 * credential type's `authenticate` block, expressions resolved by n8n-workflow. Requests go over
 * real HTTP to the sandboxes on 127.0.0.1.
 */
import { ExecutionLifecycleHooks, LoadOptionsContext, PollContext, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeListSearchResult,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowExecuteAdditionalData,
	type NodeExecutionHint,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { EPagesApi } from '../../credentials/EPagesApi.credentials';
import { EPagesBeyondApi } from '../../credentials/EPagesBeyondApi.credentials';
import { InvoicExpressApi } from '../../credentials/InvoicExpressApi.credentials';
import { PACKAGE_NODES } from './nodes';

export const PACKAGE = 'n8n-nodes-epages-invoicexpress';

const credentialTypes: Record<string, ICredentialType> = {
	invoicExpressApi: new InvoicExpressApi(),
	ePagesApi: new EPagesApi(),
	ePagesBeyondApi: new EPagesBeyondApi(),
};

/** Emits the items it is given: stands in for whatever node feeds the node under test. */
class SourceNode implements INodeType {
	description = {
		displayName: 'Source',
		name: 'source',
		group: ['input'],
		version: 1,
		description: 'test source',
		defaults: { name: 'Source' },
		inputs: [],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }] as INodeProperties[],
	} as unknown as INodeType['description'];

	async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as INodeExecutionData[];
		return [items];
	}
}

/**
 * Stands in for n8n-nodes-base's Manual Trigger (not installed here), so that an example workflow
 * exported from the editor runs with its own start node: one empty item, as "Execute Workflow" gives.
 */
class ManualTriggerStandIn implements INodeType {
	description = {
		displayName: 'When clicking "Execute Workflow"',
		name: 'manualTrigger',
		group: ['trigger', 'input'],
		version: 1,
		description: 'test stand-in for n8n-nodes-base.manualTrigger',
		defaults: { name: 'Start' },
		inputs: [],
		outputs: ['main'],
		properties: [] as INodeProperties[],
	} as unknown as INodeType['description'];

	async execute(): Promise<INodeExecutionData[][]> {
		return [[{ json: {} }]];
	}
}

/** Node types by full name, the way n8n registers a community package: `<package>.<name>`. */
export class TestNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType>();

	constructor(extra: Record<string, INodeType> = {}) {
		this.types.set('test.source', new SourceNode());
		this.types.set('n8n-nodes-base.manualTrigger', new ManualTriggerStandIn());
		for (const node of PACKAGE_NODES) this.types.set(`${PACKAGE}.${node.description.name}`, node);
		for (const [name, node] of Object.entries(extra)) this.types.set(name, node);
	}

	getByName(name: string): INodeType {
		const type = this.types.get(name);
		if (!type) throw new Error(`Unknown node type ${name}`);
		return type;
	}

	getByNameAndVersion(name: string): INodeType {
		return this.getByName(name);
	}

	getKnownTypes() {
		return {};
	}
}

/** Credentials by type name, with n8n's authentication logic for generic and function `authenticate`. */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const type = credentialTypes[typeName];
		if (!type?.authenticate) return requestOptions;
		if (typeof type.authenticate === 'function') {
			return await type.authenticate(credentials, requestOptions);
		}
		const auth = type.authenticate;
		if (auth.type !== 'generic') return requestOptions;
		const options = requestOptions as unknown as Record<string, IDataObject>;
		for (const [outerKey, outerValue] of Object.entries(auth.properties)) {
			for (const [key, value] of Object.entries(outerValue as IDataObject)) {
				const resolved = resolveCredentialExpression(value, credentials, workflow, node);
				options[outerKey] = { ...(options[outerKey] ?? {}), [key]: resolved } as IDataObject;
			}
		}
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: unknown,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.data[type];
		if (!data) throw new Error(`No test credentials of type ${type}`);
		return { ...data };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialTypes[type]?.properties ?? [];
	}
}

function resolveCredentialExpression(
	value: unknown,
	credentials: ICredentialDataDecryptedObject,
	workflow?: Workflow,
	node?: INode,
): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	if (!workflow || !node) throw new Error('expression needs a workflow');
	return workflow.expression.getSimpleParameterValue(
		node,
		value,
		'internal',
		{ $credentials: credentials } as never,
		undefined,
		'',
	);
}

/** Each execution gets its own id, as in n8n (nodes may tell the tries of one execution apart from another execution). */
let executions = 0;

export function additionalData(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	workflowData: { id: string; name: string; nodes: INode[]; connections: IDataObject },
	mode: WorkflowExecuteMode = 'manual',
): IWorkflowExecuteAdditionalData {
	const hooks = new ExecutionLifecycleHooks(mode, 'test-execution', {
		...workflowData,
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as never);
	return {
		executionId: `test-execution-${++executions}`,
		credentialsHelper: new TestCredentialsHelper(credentials),
		hooks,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not used');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface RunNodeOptions {
	/** Node type name without the package prefix: 'invoicExpress', 'ePages'. */
	type: string;
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Input items (plain JSON objects or full items). */
	input?: Array<IDataObject | INodeExecutionData>;
	continueOnFail?: boolean;
	/** "On Error: Continue (using error output)": error items go to a second output (`errorItems`). Implies continueOnFail. */
	errorOutput?: boolean;
	retryOnFail?: { maxTries: number; waitBetweenTries: number };
	typeVersion?: number;
}

export interface RunNodeResult {
	/** Output items of the node's first output (error items included when continueOnFail). */
	items: INodeExecutionData[];
	/** Items of the error output, with `errorOutput`. */
	errorItems: INodeExecutionData[];
	/** The execution hints the node reported in its last run (addExecutionHints), as n8n stores them. */
	hints: NodeExecutionHint[];
	/** The node's error when the execution failed. */
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject };
	run: IRun;
}

function toItem(value: IDataObject | INodeExecutionData): INodeExecutionData {
	if ('json' in value && typeof value.json === 'object') return value as INodeExecutionData;
	return { json: value as IDataObject };
}

/** Runs Source → node under test in a real WorkflowExecute and returns the node's output. */
export async function runNode(opts: RunNodeOptions): Promise<RunNodeResult> {
	const input = (opts.input ?? [{}]).map(toItem);
	const testNode: INode = {
		id: 'node-under-test',
		name: 'Node',
		type: `${PACKAGE}.${opts.type}`,
		typeVersion: opts.typeVersion ?? 1,
		position: [200, 0],
		parameters: opts.parameters,
		credentials: Object.fromEntries(
			Object.keys(opts.credentials).map((type) => [type, { id: `${type}-id`, name: type }]),
		),
		continueOnFail: opts.continueOnFail || opts.errorOutput,
		onError: opts.errorOutput ? 'continueErrorOutput' : opts.continueOnFail ? 'continueRegularOutput' : undefined,
		retryOnFail: opts.retryOnFail !== undefined,
		maxTries: opts.retryOnFail?.maxTries,
		waitBetweenTries: opts.retryOnFail?.waitBetweenTries,
	};
	const sourceNode: INode = {
		id: 'source',
		name: 'Source',
		type: 'test.source',
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(input) },
	};
	const connections = { Source: { main: [[{ node: 'Node', type: 'main', index: 0 }]] } };
	const nodeTypes = new TestNodeTypes();
	const workflow = new Workflow({
		id: 'test-workflow',
		name: 'Test',
		nodes: [sourceNode, testNode],
		connections: connections as never,
		active: false,
		nodeTypes,
		staticData: {},
		settings: {},
	});
	const data = additionalData(opts.credentials, {
		id: 'test-workflow',
		name: 'Test',
		nodes: [sourceNode, testNode],
		connections,
	});
	const execute = new WorkflowExecute(data, 'manual');
	const run = await execute.run({ workflow, startNode: sourceNode });
	const nodeRuns = run.data.resultData.runData.Node ?? [];
	const lastRun = nodeRuns[nodeRuns.length - 1];
	const items = lastRun?.data?.main?.[0] ?? [];
	const errorItems = lastRun?.data?.main?.[1] ?? [];
	const error = (run.data.resultData.error ?? lastRun?.error) as RunNodeResult['error'];
	return { items, errorItems, hints: lastRun?.hints ?? [], error, run };
}

export interface RunWorkflowOptions {
	/** Nodes as in an exported workflow (full type names, e.g. `n8n-nodes-epages-invoicexpress.ePages`). */
	nodes: INode[];
	connections: IDataObject;
	/** Decrypted credential data by credential type; the nodes' credential ids are not looked at. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Name of the node to start from; default: the first node without incoming connections. */
	startNode?: string;
	settings?: IDataObject;
}

export interface RunWorkflowResult {
	run: IRun;
	/** Every run of every node that ran, in n8n's own shape (a node inside a loop runs more than once). */
	runData: IRun['data']['resultData']['runData'];
	/** Items of a node's first output in its last run; empty when the node did not run. */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** The error that stopped the execution, if one did (a node without "On Error: Continue" failed). */
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject; node?: INode };
}

/**
 * Runs a whole workflow (nodes + connections) through n8n-core's WorkflowExecute, so that the node
 * settings the engine implements (Retry On Fail, Max Tries, Wait Between Tries, On Error) and the
 * paired-item expressions between nodes (`$('Get Paid Orders').item`) work as in n8n.
 */
export async function runWorkflow(opts: RunWorkflowOptions): Promise<RunWorkflowResult> {
	const targets = new Set<string>();
	for (const outputs of Object.values(opts.connections) as Array<Record<string, Array<Array<{ node: string }> | null>>>) {
		for (const branches of Object.values(outputs)) for (const branch of branches) for (const c of branch ?? []) targets.add(c.node);
	}
	const startName = opts.startNode ?? opts.nodes.find((n) => !targets.has(n.name))?.name;
	const startNode = opts.nodes.find((n) => n.name === startName);
	if (!startNode) throw new Error(`No start node ${String(startName)} in the workflow`);
	const workflow = new Workflow({
		id: 'test-workflow',
		name: 'Test',
		nodes: opts.nodes,
		connections: opts.connections as never,
		active: false,
		nodeTypes: new TestNodeTypes(),
		staticData: {},
		settings: (opts.settings ?? {}) as never,
	});
	const data = additionalData(opts.credentials, {
		id: 'test-workflow',
		name: 'Test',
		nodes: opts.nodes,
		connections: opts.connections,
	});
	const run = await new WorkflowExecute(data, 'manual').run({ workflow, startNode });
	const runData = run.data.resultData.runData;
	return {
		run,
		runData,
		output(nodeName: string, outputIndex = 0) {
			const runs = runData[nodeName] ?? [];
			return runs[runs.length - 1]?.data?.main?.[outputIndex] ?? [];
		},
		error: run.data.resultData.error as RunWorkflowResult['error'],
	};
}

export interface PollerOptions {
	type: string;
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Static data persisted between polls (what n8n saves with the workflow). */
	staticData?: IDataObject;
}

/**
 * A polling trigger kept "active" across polls, as n8n keeps it: the same workflow static data
 * between calls, mode 'trigger' (or 'manual' for the editor's "Fetch Test Event").
 */
export class Poller {
	readonly workflow: Workflow;
	readonly node: INode;
	private readonly data: IWorkflowExecuteAdditionalData;
	private readonly nodeType: INodeType;

	constructor(opts: PollerOptions) {
		this.node = {
			id: 'trigger',
			name: 'Trigger',
			type: `${PACKAGE}.${opts.type}`,
			typeVersion: 1,
			position: [0, 0],
			parameters: opts.parameters,
			credentials: Object.fromEntries(
				Object.keys(opts.credentials).map((type) => [type, { id: `${type}-id`, name: type }]),
			),
		};
		const nodeTypes = new TestNodeTypes();
		this.nodeType = nodeTypes.getByName(this.node.type);
		this.workflow = new Workflow({
			id: 'poll-workflow',
			name: 'Poll',
			nodes: [this.node],
			connections: {},
			active: true,
			nodeTypes,
			staticData: opts.staticData ?? {},
			settings: {},
		});
		this.data = additionalData(opts.credentials, {
			id: 'poll-workflow',
			name: 'Poll',
			nodes: [this.node],
			connections: {},
		});
	}

	/** One poll; returns the emitted items (empty when the trigger returned null). */
	async poll(mode: 'trigger' | 'manual' = 'trigger'): Promise<INodeExecutionData[]> {
		const ctx = new PollContext(this.workflow, this.node, this.data, mode, mode === 'manual' ? 'manual' : 'activate');
		const result = await this.nodeType.poll!.call(ctx);
		return result?.[0] ?? [];
	}

	/** The static data n8n would persist for this node. */
	get staticData(): IDataObject {
		return this.workflow.staticData;
	}
}

function singleNodeWorkflow(node: INode, staticData: IDataObject = {}): Workflow {
	return new Workflow({
		id: 'single-node',
		name: 'Single',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new TestNodeTypes(),
		staticData,
		settings: {},
	});
}

interface EditorCall {
	type: string;
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
}

/** The context the editor gives a node's list methods: its current parameters and credentials. */
function editorContext(opts: EditorCall) {
	const node: INode = {
		id: 'node',
		name: 'Node',
		type: `${PACKAGE}.${opts.type}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: opts.parameters,
		credentials: Object.fromEntries(
			Object.keys(opts.credentials).map((type) => [type, { id: `${type}-id`, name: type }]),
		),
	};
	const workflow = singleNodeWorkflow(node);
	const data = additionalData(opts.credentials, { id: 'single-node', name: 'Single', nodes: [node], connections: {} });
	data.currentNodeParameters = opts.parameters;
	return { ctx: new LoadOptionsContext(workflow, node, data, 'parameters'), nodeType: new TestNodeTypes().getByName(node.type) };
}

/** Calls a node's loadOptions method as the editor does (e.g. the tax list of a dropdown). */
export async function loadOptions(opts: EditorCall & { method: string }): Promise<Array<{ name: string; value: string | number | boolean }>> {
	const { ctx, nodeType } = editorContext(opts);
	const method = nodeType.methods?.loadOptions?.[opts.method];
	if (!method) throw new Error(`No loadOptions method ${opts.method}`);
	return (await method.call(ctx)) as Array<{ name: string; value: string | number | boolean }>;
}

/**
 * Calls a node's listSearch method as the editor does for a resource locator's "From List" mode: the
 * node's current parameters, the typed filter, and the token of the previous batch.
 */
export async function listSearch(opts: EditorCall & { method: string; filter?: string; paginationToken?: string }): Promise<INodeListSearchResult> {
	const { ctx, nodeType } = editorContext(opts);
	const method = nodeType.methods?.listSearch?.[opts.method];
	if (!method) throw new Error(`No listSearch method ${opts.method}`);
	return await method.call(ctx, opts.filter, opts.paginationToken);
}

/**
 * The credential "Test" button: n8n resolves the credential's test request, authenticates it,
 * sends it and maps failing statuses through the credential's rules to the message shown.
 */
export async function testCredential(
	type: string,
	data: ICredentialDataDecryptedObject,
): Promise<{ ok: boolean; message: string; status?: number }> {
	const credentialType = credentialTypes[type];
	const test = credentialType.test;
	if (!test) throw new Error(`${type} has no test request`);
	const node: INode = {
		id: 'cred',
		name: 'Credential Test',
		type: 'test.source',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const workflow = singleNodeWorkflow(node);
	const resolve = (value: unknown) => resolveCredentialExpression(value, data, workflow, node);
	const request = {
		...test.request,
		baseURL: resolve(test.request.baseURL) as string,
		url: resolve(test.request.url ?? '') as string,
	} as IHttpRequestOptions;
	const helper = new TestCredentialsHelper({ [type]: data });
	const authed = await helper.authenticate(data, type, request, workflow, node);
	const url = new URL(`${authed.baseURL ?? ''}${authed.url}`);
	for (const [k, v] of Object.entries((authed.qs ?? {}) as IDataObject)) url.searchParams.set(k, String(v));
	let status: number;
	try {
		const res = await fetch(url, { method: authed.method ?? 'GET', headers: authed.headers as Record<string, string> });
		status = res.status;
	} catch (error) {
		return { ok: false, message: `Connection failed: ${(error as Error).message}` };
	}
	if (status < 400) return { ok: true, message: 'Connection tested successfully', status };
	const rule = (test.rules ?? []).find(
		(r) => r.type === 'responseCode' && (r.properties as { value: number }).value === status,
	);
	return { ok: false, status, message: rule ? (rule.properties as { message: string }).message : `HTTP ${status}` };
}
