/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
import type { IncomingMessage } from 'node:http';

/** One request as a sandbox saw it, for tests that assert exact request shapes and call counts. */
export interface RecordedRequest {
	method: string;
	/** Path without the query string. */
	path: string;
	query: Record<string, string | string[]>;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON body when it was JSON, else the raw text ('' when none). */
	body: unknown;
	/** Status answered (0 when the connection was dropped). */
	status: number;
	/** Fault injected on this request ('none' when none). */
	fault: string;
	at: number;
}

export async function readBody(req: IncomingMessage): Promise<{ raw: string; json: unknown }> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const raw = Buffer.concat(chunks).toString('utf8');
	if (raw.trim() === '') return { raw, json: undefined };
	try {
		return { raw, json: JSON.parse(raw) };
	} catch {
		return { raw, json: raw };
	}
}

export function parseQuery(url: URL): Record<string, string | string[]> {
	const out: Record<string, string | string[]> = {};
	for (const [key, value] of url.searchParams.entries()) {
		const existing = out[key];
		if (existing === undefined) out[key] = value;
		else if (Array.isArray(existing)) existing.push(value);
		else out[key] = [existing, value];
	}
	return out;
}
