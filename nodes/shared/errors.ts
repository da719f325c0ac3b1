import type { JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { ApiContext } from './http';
import { redactSecrets } from './redact';
import { oncePerContext } from './request';

/**
 * The API error both transports throw: only redacted, user-facing text, the HTTP status when there is
 * one, and `flags` for what callers must know beyond the text (InvoicExpress: "ambiguous", the server
 * may have done it). NodeApiError keeps the payload at `errorResponse`.
 */
export function apiError(
	ctx: ApiContext,
	message: string,
	opts: { status?: number; description?: string; itemIndex?: number; secrets?: string[]; flags?: JsonObject },
): NodeApiError {
	const secrets = opts.secrets ?? [];
	const safeMessage = redactSecrets(message, secrets);
	const safeDescription = opts.description ? redactSecrets(opts.description, secrets) : undefined;
	const payload: JsonObject = { message: safeMessage, ...opts.flags };
	if (opts.status) payload.httpCode = String(opts.status);
	return new NodeApiError(ctx.getNode(), payload, {
		message: safeMessage,
		description: safeDescription,
		httpCode: opts.status ? String(opts.status) : undefined,
		itemIndex: opts.itemIndex,
	});
}

/** The HTTP status of an error thrown by either transport, if it has one. */
export function errorStatus(error: unknown): number | undefined {
	const code = (error as { httpCode?: unknown } | undefined)?.httpCode;
	const n = typeof code === 'string' ? parseInt(code, 10) : typeof code === 'number' ? code : NaN;
	return Number.isFinite(n) ? n : undefined;
}

/**
 * Reads a credential once per execution context and checks its shape: every request of an execution
 * needs it, and n8n decrypts it on each `getCredentials` call.
 */
export function credentialReader<T>(name: string, parse: (raw: unknown) => T): (ctx: ApiContext) => Promise<T> {
	return async (ctx) => await oncePerContext(ctx, `credential:${name}`, async () => parse(await ctx.getCredentials(name)));
}
