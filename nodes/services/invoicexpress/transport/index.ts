import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { z } from 'zod';

import { isLoopbackHost, serviceCredential } from '../../../shared/credential';
import { errorStatus } from '../../../shared/errors';
import { bodyJson, networkWords, sendAuthenticated, type ApiContext, type HttpOutcome } from '../../../shared/http';
import { OPEN_GATE, requestWithRetries, type HttpResponse, type ServicePolicy } from '../../../shared/request';
import { backoffDelay } from '../../../shared/retry';
import { ixError, ixServicePolicy, ixSettings, type IxCall, type RetryMode } from './policy';

export {
	isAmbiguousFailure,
	ixError,
	ixServerWaitMs,
	ixSettings,
	IX_LIMITS,
	type IxRatePolicy,
	type IxSettings,
	type RetryMode,
} from './policy';

export const IX_CREDENTIAL = 'invoicExpressApi';

const credentialSchema = z.object({
	accountName: z.string().optional().default(''),
	apiKey: z.string().optional().default(''),
	baseUrl: z.string().optional().default(''),
});
export type IxCredential = z.infer<typeof credentialSchema>;

export function ixBaseUrl(credential: IxCredential): string {
	const override = credential.baseUrl.trim();
	if (override !== '') {
		// The API key travels in the query string: plain http only to this machine (tests, demo).
		const match = /^(https?):\/\/([^/:?#]+|\[[^\]]+\])/i.exec(override);
		if (!match) throw new Error(`The InvoicExpress base URL "${override}" is not an http(s) address`);
		if (match[1].toLowerCase() !== 'https' && !isLoopbackHost(match[2])) {
			throw new Error(`The InvoicExpress base URL must use https (http is allowed only for localhost): ${override}`);
		}
		return override.replace(/\/+$/, '');
	}
	const account = credential.accountName.trim();
	if (!/^[a-z0-9][a-z0-9-]*$/i.test(account)) {
		throw new Error(
			`The InvoicExpress account name "${account}" is not valid: use only the subdomain (for https://mycompany.app.invoicexpress.com enter "mycompany")`,
		);
	}
	return `https://${account}.app.invoicexpress.com`;
}

export interface IxRequest {
	qs?: IDataObject;
	body?: IDataObject;
	/** Statuses handed back to the caller instead of thrown (404 for "find"). */
	accept?: number[];
	retry?: RetryMode;
	timeoutMs?: number;
	/** Download raw bytes (the PDF). */
	binary?: boolean;
	/** Request an absolute URL (the PDF file) instead of a path under the account. */
	absoluteUrl?: string;
	itemIndex?: number;
	/** What the request is doing, for error messages ("create the invoice"). */
	action?: string;
}

export type IxResponse = HttpResponse;

export const DEFAULT_TIMEOUT_MS = 30000;

const ixCredential = serviceCredential(IX_CREDENTIAL, credentialSchema, {
	secrets: (c) => [c.apiKey],
	baseUrl: ixBaseUrl,
});
export const getIxCredential = ixCredential.read;

export { errorStatus };

/**
 * The one way this package talks to InvoicExpress: JSON in and out, the credential's base URL, retries
 * with back-off for what is safe to repeat, and errors whose text never contains the API key.
 */
export async function ixRequest(
	ctx: ApiContext,
	method: IHttpRequestMethods,
	path: string,
	req: IxRequest = {},
): Promise<IxResponse> {
	const { secrets, baseUrl } = await ixCredential.access(ctx, (message) => ixError(ctx, message, { itemIndex: req.itemIndex }));
	const options = ixOptions(method, path, baseUrl, req);
	const call: IxCall = {
		action: req.action ?? `${method} ${path}`,
		retry: req.retry ?? (method === 'POST' ? 'rateLimitOnly' : 'idempotent'),
		binary: req.binary,
		accept: req.accept,
		itemIndex: req.itemIndex,
		secrets,
	};
	return await requestWithRetries(async () => await sendAuthenticated(ctx, IX_CREDENTIAL, options), ixServicePolicy(ctx, call));
}

/** JSON in and out, or raw bytes for a PDF; a path under the account, or the absolute URL of a file. */
function ixOptions(method: IHttpRequestMethods, path: string, baseURL: string, req: IxRequest): IHttpRequestOptions {
	const options: IHttpRequestOptions = {
		method,
		url: req.absoluteUrl ?? (path.startsWith('/') ? path : `/${path}`),
		headers: req.binary
			? { Accept: 'application/pdf, application/octet-stream, */*' }
			: { Accept: 'application/json', 'Content-Type': 'application/json' },
		qs: req.qs ? { ...req.qs } : undefined,
		body: req.body,
		json: !req.binary,
		timeout: req.timeoutMs ?? ixSettings().timeoutMs ?? DEFAULT_TIMEOUT_MS,
		// Filters such as `status[]` repeat the key for each value.
		arrayFormat: 'repeat',
	};
	if (!req.absoluteUrl) options.baseURL = baseURL;
	if (req.binary) options.encoding = 'arraybuffer';
	return options;
}

const paginationSchema = z
	.object({
		total_pages: z.coerce.number().optional(),
		current_page: z.coerce.number().optional(),
		total_entries: z.coerce.number().optional(),
		per_page: z.coerce.number().optional(),
	})
	.passthrough();

/**
 * Every "Get Many": follows `pagination.total_pages` whatever page size the server chose (accounts cap
 * it at 10, 20 or 30), and stops as soon as `limit` items are in hand.
 */
export async function ixGetAll(
	ctx: ApiContext,
	path: string,
	rootKey: string,
	qs: IDataObject = {},
	limit?: number,
	itemIndex?: number,
): Promise<IDataObject[]> {
	const out: IDataObject[] = [];
	const perPage = limit !== undefined ? Math.min(Math.max(limit, 1), 100) : 100;
	for (let page = 1; ; page++) {
		const { body } = await ixRequest(ctx, 'GET', path, {
			qs: { ...qs, page, per_page: perPage },
			itemIndex,
			action: `list ${rootKey}`,
		});
		const json = bodyJson(body) as IDataObject | undefined;
		const items = (json?.[rootKey] ?? []) as IDataObject[];
		if (!Array.isArray(items)) {
			throw ixError(ctx, `InvoicExpress answered an unexpected list shape for ${rootKey}`, { itemIndex });
		}
		out.push(...items);
		if (limit !== undefined && out.length >= limit) return out.slice(0, limit);
		const pagination = paginationSchema.safeParse(json?.pagination ?? {});
		const totalPages = pagination.success ? pagination.data.total_pages : undefined;
		if (items.length === 0 || totalPages === undefined || page >= totalPages) return out;
	}
}

/** Create and change-state answers are keyed by the singular type (`invoice_receipt`, ...), not always `invoice`. */
export function unwrapRoot(body: unknown): IDataObject | undefined {
	const json = bodyJson(body);
	if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
	const entries = Object.entries(json as IDataObject);
	if (entries.length === 1 && entries[0][1] && typeof entries[0][1] === 'object' && !Array.isArray(entries[0][1])) {
		return entries[0][1] as IDataObject;
	}
	return json as IDataObject;
}

/** GET of a public file (no credential) with the same retry rules as idempotent API calls. */
export async function downloadFile(
	ctx: ApiContext,
	url: string,
	opts: { itemIndex?: number; action: string; timeoutMs?: number },
): Promise<Buffer> {
	const secrets = await ixCredential.secrets(ctx);
	const backoff = ixSettings();
	const fail = (detail: string, description?: string) =>
		ixError(ctx, `Could not ${opts.action} (${detail})`, { itemIndex: opts.itemIndex, description, secrets });
	// A public file: no credential, no account budget, and every failure may be repeated.
	const policy: ServicePolicy = {
		backoff,
		gate: OPEN_GATE,
		repeatable: true,
		refuseHtml: false,
		retryDelay: (_response, { attempt }) => backoffDelay(attempt, backoff),
		networkError: (outcome) => fail(networkWords(outcome.code), `${outcome.message} [${outcome.code}]`),
		htmlError: (status) => fail(`HTTP ${status}`),
		statusError: ({ status }) => fail(`HTTP ${status}`),
	};
	const send = async (): Promise<HttpOutcome> => {
		try {
			const res = (await ctx.helpers.httpRequest({
				method: 'GET',
				url,
				encoding: 'arraybuffer',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: opts.timeoutMs ?? backoff.timeoutMs ?? DEFAULT_TIMEOUT_MS,
			})) as { statusCode: number; headers?: IDataObject; body: unknown };
			return { kind: 'response', status: res.statusCode, headers: res.headers ?? {}, body: res.body };
		} catch (error) {
			return { kind: 'network', code: String((error as { code?: unknown }).code ?? 'UNKNOWN'), message: (error as Error).message };
		}
	};
	const { body } = await requestWithRetries(send, policy);
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	return Buffer.from(String(body ?? ''), 'binary');
}
