import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult, IDataObject } from 'n8n-workflow';

import { BEYOND_SCOPES, beyondBaseUrl, readTokenAnswer } from './transport';

/**
 * The "ePages Beyond API" credential test, in the editor: the token request first (names a wrong API
 * URL or a wrong client id or secret), then the scopes the token carries (names the missing ones),
 * then one order read with the token. A credential test runs outside any workflow, with only this
 * legacy request helper, so it asks directly instead of through the nodes' transport.
 */
export async function ePagesBeyondApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const data = (credential.data ?? {}) as IDataObject;
	let base: string;
	try {
		base = beyondBaseUrl(String(data.apiUrl ?? ''));
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	const secret = String(data.clientSecret ?? '');
	const hide = (text: string) => (secret ? text.split(secret).join('***') : text);
	let answer: { statusCode: number; body: unknown };
	try {
		answer = await requestToken.call(this, base, String(data.clientId ?? ''), secret);
	} catch (error) {
		return { status: 'Error', message: hide(`No ePages Beyond shop could be reached at ${base}: ${(error as Error).message}. Check the API URL.`) };
	}
	const read = readTokenAnswer(answer.statusCode, answer.body, Date.now());
	if ('problem' in read) return { status: 'Error', message: hide(`The ${read.field} is wrong: ${read.problem}`) };
	const wanted = [BEYOND_SCOPES.read, BEYOND_SCOPES.write, BEYOND_SCOPES.events, BEYOND_SCOPES.cancel];
	const missing = read.token.scopes.length > 0 ? wanted.filter((s) => !read.token.scopes.includes(s)) : [];
	if (missing.includes(BEYOND_SCOPES.read)) {
		return {
			status: 'Error',
			message: `The app lacks the scopes ${missing.join(', ')}: add them to the custom app in the Cockpit (orders need ordr:r, notes ordr:u, order events orde:r, cancelling clpr:c)`,
		};
	}
	let orders: { statusCode: number };
	try {
		orders = await readOneOrder.call(this, base, read.token.accessToken);
	} catch (error) {
		return { status: 'Error', message: hide(`The token was given, but the orders could not be read: ${(error as Error).message}`) };
	}
	if (orders.statusCode === 403) return { status: 'Error', message: 'The app lacks the scope ordr:r (read orders): add it to the custom app in the Cockpit' };
	if (orders.statusCode >= 300) return { status: 'Error', message: `The token was given, but reading orders answered HTTP ${orders.statusCode}` };
	return connected(missing);
}

/** The client-credentials token request, answered whatever its status (the caller reads it). */
async function requestToken(this: ICredentialTestFunctions, base: string, clientId: string, secret: string): Promise<{ statusCode: number; body: unknown }> {
	const basic = Buffer.from(`${clientId}:${secret}`).toString('base64');
	// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions -- a credential test gets only `request` (ICredentialTestFunctions)
	return (await this.helpers.request({
		method: 'POST',
		uri: `${base}/oauth/token`,
		qs: { grant_type: 'client_credentials' },
		body: 'grant_type=client_credentials',
		headers: { Authorization: `Basic ${basic}`, Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
		resolveWithFullResponse: true,
		simple: false,
		timeout: 20000,
	})) as { statusCode: number; body: unknown };
}

/** One order read with the token: whether it may read orders. */
async function readOneOrder(this: ICredentialTestFunctions, base: string, accessToken: string): Promise<{ statusCode: number }> {
	// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions -- a credential test gets only `request` (ICredentialTestFunctions)
	return (await this.helpers.request({
		method: 'GET',
		uri: `${base}/orders`,
		qs: { page: 0, size: 1 },
		headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/hal+json' },
		resolveWithFullResponse: true,
		simple: false,
		timeout: 20000,
	})) as { statusCode: number };
}

/** Connected; the scopes the app lacks name what will be refused. */
function connected(missing: string[]): INodeCredentialTestResult {
	const uses: Record<string, string> = {
		[BEYOND_SCOPES.write]: 'order notes and Mark as Viewed',
		[BEYOND_SCOPES.events]: 'the paid date from the order events',
		[BEYOND_SCOPES.cancel]: 'Cancel',
	};
	if (missing.length > 0) {
		return { status: 'OK', message: `Connected. The app lacks ${missing.join(', ')}: ${missing.map((s) => uses[s]).join(', ')} will be refused` };
	}
	return { status: 'OK', message: 'Connected' };
}
