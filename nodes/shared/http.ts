import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';

/** Every n8n context from which the transports are called. */
export type ApiContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions | IHookFunctions;

/** What one HTTP exchange gave: a response of any status, or a network-level failure. */
export type HttpOutcome =
	| { kind: 'response'; status: number; headers: IDataObject; body: unknown }
	| { kind: 'network'; code: string; message: string };

interface FullResponse {
	statusCode: number;
	headers?: IDataObject;
	body: unknown;
}

/**
 * One authenticated exchange. HTTP error statuses come back as values (not exceptions) so that the
 * caller decides about retries and builds its own error from the body; n8n's own error for a failed
 * request carries the request URL, which for InvoicExpress contains the API key.
 */
export async function sendAuthenticated(
	ctx: ApiContext,
	credentialType: string,
	options: IHttpRequestOptions,
): Promise<HttpOutcome> {
	try {
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, {
			...options,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as FullResponse;
		return {
			kind: 'response',
			status: response.statusCode,
			headers: response.headers ?? {},
			body: response.body,
		};
	} catch (error) {
		return { kind: 'network', code: networkCode(error), message: networkMessage(error) };
	}
}

function networkCode(error: unknown): string {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	const message = networkMessage(error);
	if (/timeout/i.test(message)) return 'ETIMEDOUT';
	if (/socket hang up|reset/i.test(message)) return 'ECONNRESET';
	return 'UNKNOWN';
}

function networkMessage(error: unknown): string {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const message = (current as { message?: unknown }).message;
		if (typeof message === 'string' && message !== '') return message;
		current = (current as { cause?: unknown }).cause;
	}
	return String(error);
}

/** Body as text whatever the HTTP client produced (string, Buffer, parsed JSON). */
export function bodyText(body: unknown): string {
	if (body === undefined || body === null) return '';
	if (typeof body === 'string') return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
	try {
		return JSON.stringify(body);
	} catch {
		return String(body);
	}
}

/** Parsed JSON body, whether the client already parsed it or left text. */
export function bodyJson(body: unknown): unknown {
	if (body === undefined || body === null || body === '') return undefined;
	if (typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
		const text = bodyText(body).trim();
		if (text === '') return undefined;
		try {
			return JSON.parse(text);
		} catch {
			return text;
		}
	}
	return body;
}

/** Human text of an HTML error page (Jetty, nginx): the title or first heading, tags stripped. */
export function htmlSummary(html: string): string | undefined {
	if (!/<\s*(html|body|head|title|h1|p)\b/i.test(html)) return undefined;
	const pick = (re: RegExp) => re.exec(html)?.[1]?.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
	return pick(/<h[12][^>]*>([\s\S]*?)<\/h[12]>/i) || pick(/<title[^>]*>([\s\S]*?)<\/title>/i) || 'HTML error page';
}

/**
 * Plain words for a socket error code. n8n replaces a whole error message that contains such a code
 * with generic text, so messages carry these words and the code goes in the description.
 */
export function networkWords(code: string): string {
	if (code === 'ECONNREFUSED') return 'connection refused';
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
	if (/TIMEDOUT|ECONNABORTED/.test(code)) return 'no answer before the timeout';
	if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return 'connection closed before the answer';
	return 'network failure';
}
