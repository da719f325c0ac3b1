import type { z } from 'zod';

import { credentialReader } from './errors';
import type { ApiContext } from './http';
import { redactSecrets } from './redact';

/**
 * What every transport does before its first request: read its credential (once per execution,
 * checked with a zod schema), collect the values no message may show, and check the base URL the
 * credential gives. One shape for every service, so that a new service cannot forget the redaction.
 */

/**
 * Hosts a secret may reach over plain http: this machine only (the tests' sandboxes, the demo).
 * Anywhere else a key or token in a header or the query string would be readable on the way.
 */
export function isLoopbackHost(host: string): boolean {
	return /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(host);
}

export interface ServiceAccess<T> {
	credential: T;
	/** The credential's values that no error, output or log may show. */
	secrets: string[];
	/** The service's base URL, checked. */
	baseUrl: string;
}

export interface ServiceCredential<T> {
	/** The credential as the schema reads it; the same promise for every request of an execution. */
	read: (ctx: ApiContext) => Promise<T>;
	/** The credential's values to redact, for a request that needs no base URL (a public file). */
	secrets: (ctx: ApiContext) => Promise<string[]>;
	/**
	 * The credential with its secrets and its checked base URL. A base URL the check refuses becomes
	 * the error `refuse` makes of the check's message (already free of secrets): each node says in its
	 * own words what to fix.
	 */
	access: (ctx: ApiContext, refuse: (message: string) => Error) => Promise<ServiceAccess<T>>;
}

export function serviceCredential<T>(
	name: string,
	schema: z.ZodType<T, z.ZodTypeDef, unknown>,
	shape: { secrets: (credential: T) => string[]; baseUrl: (credential: T) => string },
): ServiceCredential<T> {
	const read = credentialReader(name, (raw) => schema.parse(raw));
	const access = async (ctx: ApiContext, refuse: (message: string) => Error): Promise<ServiceAccess<T>> => {
		const credential = await read(ctx);
		const secrets = shape.secrets(credential);
		let baseUrl: string;
		try {
			baseUrl = shape.baseUrl(credential);
		} catch (error) {
			throw refuse(redactSecrets((error as Error).message, secrets));
		}
		return { credential, secrets, baseUrl };
	};
	return { read, secrets: async (ctx) => shape.secrets(await read(ctx)), access };
}
