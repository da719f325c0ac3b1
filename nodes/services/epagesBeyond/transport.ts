import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { z } from 'zod';

import { serviceCredential } from '../../shared/credential';
import { apiError } from '../../shared/errors';
import { bodyJson, networkWords, sendAuthenticated, type ApiContext } from '../../shared/http';
import { requestWithRetries, type HttpResponse, type ServicePolicy } from '../../shared/request';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, type BackoffPolicy } from '../../shared/retry';
import { shortHash } from '../../shared/text';
import { backoffFields, settingsFor } from '../../shared/settings';

/**
 * The one way this package talks to an ePages Beyond shop (`{shop}/api`, reference epages.md §1b):
 * the access token obtained with the app's client id and secret (OAuth2 client credentials), renewed a
 * minute before it expires and once more when the shop answers 401 anyway, HAL JSON in and out, the
 * shared request loop with Beyond's policy as a value, and errors that never contain a secret.
 */

export const BEYOND_CREDENTIAL = 'ePagesBeyondApi';
export const BEYOND_ACCEPT = 'application/hal+json';
/**
 * Scopes the order operations and the webhook trigger need (reference §1b; BYD-OAS `security` of each
 * operation): orders are read with ordr:r, their note written and marked viewed with ordr:u, their
 * events read with orde:r (order-events-list), and an order is cancelled with clpr:c (cancel-order).
 */
export const BEYOND_SCOPES = { read: 'ordr:r', write: 'ordr:u', events: 'orde:r', cancel: 'clpr:c' } as const;
const RENEW_BEFORE_MS = 60 * 1000;

/**
 * The back-off of Beyond requests: the shared defaults (the package's tests shorten them through
 * nodes/shared/settings.ts; nothing in a workflow does). A complete `ePagesBeyond` section gives the
 * back-off's three fields.
 */
const beyondBackoff: () => BackoffPolicy = settingsFor('ePagesBeyond', DEFAULT_BACKOFF, z.object(backoffFields).strict());

const credentialSchema = z.object({
	apiUrl: z.string().optional().default(''),
	clientId: z.string().optional().default(''),
	clientSecret: z.string().optional().default(''),
});
export type BeyondCredential = z.infer<typeof credentialSchema>;

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
const API_URL = /^(https?):\/\/(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(:\d{1,5})?\/api$/i;

/**
 * The credential's API URL, checked, without a trailing slash. Plain http is refused for any host but
 * this machine: the client secret and the token travel in headers.
 */
export function beyondBaseUrl(apiUrl: string): string {
	const url = apiUrl.trim().replace(/\/+$/, '');
	const example = 'https://myshop.beyondshop.cloud/api';
	if (url === '') throw new Error(`The API URL in the ePages Beyond credential is empty: it is your shop address followed by /api (like ${example})`);
	if (/\/rs\/shops\//.test(url)) {
		throw new Error(`The API URL "${url}" belongs to an ePages Base/Now shop: use the "ePages API" credential for it (this one is for Beyond shops, like ${example})`);
	}
	const match = API_URL.exec(url);
	if (!match) throw new Error(`The API URL "${url}" in the ePages Beyond credential is not a Beyond API URL: it must look like ${example}`);
	if (match[1].toLowerCase() === 'http' && !LOOPBACK_HOST.test(match[2])) {
		throw new Error(`The API URL "${url}" uses http://, which would send the client secret unencrypted: use https://`);
	}
	return url;
}

/** The credential read once per execution, its API URL checked, the client secret kept out of every message. */
const beyondCredential = serviceCredential(BEYOND_CREDENTIAL, credentialSchema, {
	secrets: (c) => [c.clientSecret],
	baseUrl: (c) => beyondBaseUrl(c.apiUrl),
});

export interface BeyondToken {
	accessToken: string;
	expiresAt: number;
	/** The scopes granted, as the token answer lists them. */
	scopes: string[];
}

/** A token with what it was obtained with: the checked API URL and the credential's secrets. */
export interface BeyondSession {
	token: BeyondToken;
	baseUrl: string;
	secrets: string[];
}

/**
 * Tokens per shop and app, shared by the executions of this process: a token is valid for the app as
 * a whole (12 hours), and asking for one per execution would double the calls of a short run.
 */
const TOKENS = new Map<string, Promise<BeyondToken>>();

function tokenKey(baseUrl: string, c: BeyondCredential): string {
	// The secret is part of the key (a changed secret is a new app), never stored as such.
	return `${baseUrl}\n${c.clientId}\n${shortHash(c.clientSecret)}`;
}

/** What a token answer says, or why it is refused: the error names what to fix in the credential. */
export function readTokenAnswer(status: number, body: unknown, now: number): { token: BeyondToken } | { problem: string; field: 'API URL' | 'client ID or secret' | 'scopes' } {
	const json = bodyJson(body) as IDataObject | string | undefined;
	// An OAuth refusal ({"error": …}) is about the client; any other answer is not a Beyond shop's.
	if ((status === 401 || status === 400 || status === 403) && json && typeof json === 'object' && typeof json.error === 'string') {
		const said = String(json.error_description ?? json.error ?? '');
		return { problem: `the shop refused the client ID or secret${said ? ` ("${said}")` : ''}: copy both again from the custom app in the Cockpit`, field: 'client ID or secret' };
	}
	if (status === 404 || typeof json !== 'object' || json === null || typeof json.access_token !== 'string' || json.access_token === '') {
		return { problem: `no ePages Beyond shop answers at this API URL (HTTP ${status} from /oauth/token): it is your shop address followed by /api`, field: 'API URL' };
	}
	const seconds = Number(json.expires_in);
	const scopes = typeof json.scope === 'string' ? json.scope.split(/[\s,]+/).filter(Boolean) : [];
	// No lifetime said: the documented 12 hours, renewed early.
	const lifetimeMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 12 * 3600 * 1000;
	return { token: { accessToken: json.access_token, expiresAt: now + lifetimeMs, scopes } };
}

async function fetchToken(ctx: ApiContext, baseUrl: string, secrets: string[], itemIndex?: number): Promise<BeyondToken> {
	const options: IHttpRequestOptions = {
		method: 'POST',
		url: `${baseUrl}/oauth/token`,
		// The documented form is a query parameter; a form body is what RFC 6749 prescribes. Both are sent.
		qs: { grant_type: 'client_credentials' },
		body: 'grant_type=client_credentials',
		headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'n8n-nodes-epages-invoicexpress' },
		json: false,
		timeout: 30000,
	};
	const policy = beyondPolicy(ctx, { action: 'get an access token', itemIndex, secrets, repeatable: true, accept: [400, 401, 403, 404] });
	const res = await requestWithRetries(async () => await sendAuthenticated(ctx, BEYOND_CREDENTIAL, options), policy);
	const read = readTokenAnswer(res.status, res.body, Date.now());
	if ('problem' in read) {
		throw apiError(ctx, `ePages Beyond could not give an access token: ${read.problem}`, { status: res.status, itemIndex, secrets, description: `Fix the ${read.field} in the ePages Beyond credential.` });
	}
	return read.token;
}

/**
 * The shop's access token for this credential (cached, renewed a minute before it expires), with the
 * API URL checked once: an API URL the check refuses fails here, before any request.
 */
export async function beyondToken(ctx: ApiContext, itemIndex?: number, opts: { renew?: boolean } = {}): Promise<BeyondSession> {
	const { credential, secrets, baseUrl } = await beyondCredential.access(
		ctx,
		(message) => new NodeOperationError(ctx.getNode(), message, { itemIndex, description: 'Fix the API URL in the ePages Beyond credential.' }),
	);
	const key = tokenKey(baseUrl, credential);
	const cached = TOKENS.get(key);
	if (cached && !opts.renew) {
		const token = await cached.catch(() => undefined);
		if (token && token.expiresAt - RENEW_BEFORE_MS > Date.now()) return { token, baseUrl, secrets };
	}
	// One request for every caller waiting at this moment; a failure is not cached.
	const pending = fetchToken(ctx, baseUrl, secrets, itemIndex);
	TOKENS.set(key, pending);
	pending.catch(() => {
		if (TOKENS.get(key) === pending) TOKENS.delete(key);
	});
	return { token: await pending, baseUrl, secrets };
}

export interface BeyondRequest {
	qs?: IDataObject;
	body?: IDataObject;
	accept?: number[];
	itemIndex?: number;
	action?: string;
	/** The scope the request needs, named in a 403. */
	scope?: string;
}

function beyondPolicy(
	ctx: ApiContext,
	o: { action: string; itemIndex?: number; secrets: string[]; repeatable: boolean; accept?: number[]; scope?: string; renewOn401?: boolean },
): ServicePolicy {
	const backoff = beyondBackoff();
	const fail = (message: string, status?: number, description?: string) => apiError(ctx, message, { status, description, itemIndex: o.itemIndex, secrets: o.secrets });
	const said = (body: unknown): string => {
		const json = bodyJson(body) as IDataObject | string | undefined;
		if (json && typeof json === 'object') return String(json.error_description ?? json.message ?? json.error ?? json.errorId ?? '');
		return typeof json === 'string' ? json.slice(0, 200) : '';
	};
	let renewed = false;
	return {
		backoff,
		gate: { enter: async () => () => {} },
		repeatable: o.repeatable,
		accept: o.accept,
		refuseHtml: true,
		special: (response) => {
			// A token the shop no longer takes (revoked, expired early): a new one, once.
			if (response.status === 401 && o.renewOn401 && !renewed) {
				renewed = true;
				return { retry: true, delayMs: 0 };
			}
			return undefined;
		},
		retryDelay: ({ headers }, { attempt }) => backoffDelay(attempt, backoff, parseRetryAfter(headers['retry-after'], Date.now())),
		networkError: (outcome, { attempt }) =>
			fail(`ePages Beyond could not be reached to ${o.action} (${networkWords(outcome.code)})`, undefined, `${outcome.message} [${outcome.code}]. Tried ${attempt} time(s). Check the API URL in the ePages Beyond credential.`),
		htmlError: (status, page) => fail(`ePages Beyond could not ${o.action}: the API URL answered an HTML page ("${page}"), not the shop's API`, status, 'Check the API URL in the ePages Beyond credential (your shop address followed by /api).'),
		statusError: ({ status, body }) => {
			const words = said(body);
			const hint =
				status === 401
					? 'The shop refused the access token: check the client ID and secret in the ePages Beyond credential, and that the app is still installed.'
					: status === 403
						? `The app lacks a scope${o.scope ? `: this needs ${o.scope}` : ''}. Add it to the custom app in the Cockpit, then save the credential again.`
						: status === 404
							? 'Not found in this shop.'
							: undefined;
			return fail(`ePages Beyond could not ${o.action} (HTTP ${status})${words ? `: ${words}` : ''}`, status, hint);
		},
	};
}

/** One Beyond API call: `path` below the API URL, the token in a Bearer header. */
export async function beyondRequest(ctx: ApiContext, method: IHttpRequestMethods, path: string, req: BeyondRequest = {}): Promise<HttpResponse> {
	const session = await beyondToken(ctx, req.itemIndex);
	let token = session.token;
	// The access token is a secret as much as the credential's: a renewed one joins the list.
	const secrets = [...session.secrets, token.accessToken];
	const action = req.action ?? `${method} ${path}`;
	const options = (): IHttpRequestOptions => ({
		method,
		url: `${session.baseUrl}${path.startsWith('/') ? path : `/${path}`}`,
		qs: req.qs ? { ...req.qs } : undefined,
		body: req.body,
		headers: {
			Accept: BEYOND_ACCEPT,
			Authorization: `Bearer ${token.accessToken}`,
			'User-Agent': 'n8n-nodes-epages-invoicexpress',
			...(req.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
		},
		json: true,
		timeout: 30000,
		arrayFormat: 'repeat',
	});
	let expired = false;
	const policy = beyondPolicy(ctx, {
		action,
		itemIndex: req.itemIndex,
		secrets,
		repeatable: method === 'GET' || method === 'PUT' || method === 'DELETE',
		accept: req.accept,
		scope: req.scope,
		renewOn401: true,
	});
	return await requestWithRetries(async () => {
		if (expired) {
			token = (await beyondToken(ctx, req.itemIndex, { renew: true })).token;
			secrets.push(token.accessToken);
		}
		const outcome = await sendAuthenticated(ctx, BEYOND_CREDENTIAL, options());
		expired = outcome.kind === 'response' && outcome.status === 401;
		return outcome;
	}, policy);
}

/** A Spring page of a HAL list: `_embedded.<key>` and `page{number,totalPages}`. */
export function parseBeyondPage(body: unknown, key: string): { items: IDataObject[]; number: number; totalPages?: number } | undefined {
	const json = bodyJson(body) as IDataObject | undefined;
	if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
	const embedded = (json._embedded ?? {}) as IDataObject;
	const items = embedded[key] ?? (json.page && !json._embedded ? [] : undefined);
	if (!Array.isArray(items)) return undefined;
	const page = (json.page ?? {}) as IDataObject;
	const totalPages = Number(page.totalPages);
	return { items: items as IDataObject[], number: Number(page.number ?? 0), totalPages: Number.isFinite(totalPages) ? totalPages : undefined };
}

/** A HAL list page by page (0-based pages of `size` ≤ 100), until its last page. */
export async function* beyondPages(
	ctx: ApiContext,
	path: string,
	key: string,
	qs: IDataObject = {},
	opts: { size?: number; itemIndex?: number; action?: string; scope?: string } = {},
): AsyncGenerator<IDataObject[]> {
	const size = Math.min(Math.max(Math.floor(opts.size ?? 100), 1), 100);
	for (let page = 0; ; page++) {
		const res = await beyondRequest(ctx, 'GET', path, { qs: { ...qs, page, size }, itemIndex: opts.itemIndex, action: opts.action, scope: opts.scope });
		const parsed = parseBeyondPage(res.body, key);
		if (!parsed) throw apiError(ctx, `ePages Beyond answered an unexpected list shape to ${opts.action ?? `GET ${path}`}`, { itemIndex: opts.itemIndex });
		yield parsed.items;
		const last = parsed.items.length === 0 || (parsed.totalPages !== undefined ? page + 1 >= parsed.totalPages : parsed.items.length < size);
		if (last) return;
	}
}

/** Every item of a HAL list, or the first `limit`, page by page (0-based pages of up to 100). */
export async function beyondGetAll(
	ctx: ApiContext,
	path: string,
	key: string,
	qs: IDataObject = {},
	limit?: number,
	opts: { itemIndex?: number; action?: string; scope?: string } = {},
): Promise<IDataObject[]> {
	const out: IDataObject[] = [];
	const size = limit !== undefined ? Math.min(Math.max(limit, 1), 100) : 100;
	for await (const items of beyondPages(ctx, path, key, qs, { ...opts, size })) {
		out.push(...items);
		if (limit !== undefined && out.length >= limit) return out.slice(0, limit);
	}
	return out;
}
