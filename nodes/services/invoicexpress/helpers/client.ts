import { z } from 'zod';

import { countryIso, toIxCountry } from './countries';
import { normalizeFiscalId } from './nif';
import { plainText } from '../../../shared/text';

/** A bad input found before any request; the node turns it into a NodeOperationError. */
export class InputError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
		this.name = 'InputError';
	}
}

export const IX_CLIENT_NAME_MAX = 100;

/** What users give for a client (n8n parameters or mapped shop data); every field optional but `name`. */
export const clientInputSchema = z.object({
	name: z.string(),
	code: z.string().optional(),
	email: z.string().optional(),
	address: z.string().optional(),
	postalCode: z.string().optional(),
	city: z.string().optional(),
	country: z.string().optional(),
	fiscalId: z.string().optional(),
	phone: z.string().optional(),
	fax: z.string().optional(),
	website: z.string().optional(),
	language: z.enum(['pt', 'en', 'es', '']).optional(),
	observations: z.string().optional(),
	sendOptions: z.enum(['1', '2', '3', '']).optional(),
});
export type ClientInput = z.infer<typeof clientInputSchema>;

export interface ClientRules {
	/** What to do with an invalid Portuguese NIF: stop, or issue to "Consumidor final" without it. */
	invalidFiscalId: 'error' | 'finalConsumer';
	/** Prefix of error messages, e.g. `order 1033: `. */
	context?: string;
}

export interface ClientPayload {
	/** The `client` object for InvoicExpress; every value a string, as the API needs. */
	client: Record<string, string>;
	warnings: string[];
}

/**
 * A client name within InvoicExpress's limit: cut at the last word boundary that fits (never inside a
 * word unless one word alone is longer than the limit), without trailing separators. `max` leaves room
 * for a suffix (the fiscal number of a distinct client).
 */
export function shortenName(name: string, max = IX_CLIENT_NAME_MAX): string {
	// A string has at least as many UTF-16 units as characters: only long ones need counting.
	if (name.length <= max || [...name].length <= max) return name;
	const chars = [...name];
	const head = chars.slice(0, max + 1).join('');
	const cut = head.search(/\s\S*$/);
	const words = cut > 0 && [...head.slice(0, cut)].length >= max / 2 ? head.slice(0, cut) : chars.slice(0, max).join('');
	return words.replace(/[\s,;:&/–-]+$/u, '').trim();
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Validates and converts a client to the InvoicExpress shape. Throws InputError naming the field,
 * so nothing is sent when the data cannot be right.
 */
export function buildClientPayload(input: ClientInput, rules: ClientRules): ClientPayload {
	const ctx = rules.context ?? '';
	const warnings: string[] = [];
	const client: Record<string, string> = {};
	// The same plain-text rule as the order schema, for clients built from expressions (the chain).
	const name = plainText(input.name);
	if (name === '') throw new InputError(`${ctx}client name is empty`, 'InvoicExpress needs a client name on every document.');
	client.name = shortenName(name);
	// A company's legal name can be longer than InvoicExpress allows: the invoice still goes out, under
	// the name shortened at a word boundary, and the full name stays on the client record.
	const fullName = client.name === name ? undefined : `Nome completo: ${name}`;
	if (fullName) warnings.push(`client name shortened to ${IX_CLIENT_NAME_MAX} characters ("${client.name}"); the full name is in the client's observations`);
	const code = input.code?.trim();
	if (code) client.code = code;

	const set = (key: string, value: string | undefined) => {
		const v = value === undefined ? undefined : plainText(value, key === 'observations');
		if (v) client[key] = v;
	};
	if (input.email?.trim()) {
		const email = input.email.trim();
		if (!EMAIL.test(email)) throw new InputError(`${ctx}client e-mail "${email}" is not a valid address`);
		client.email = email;
	}
	set('address', input.address);
	set('postal_code', input.postalCode);
	set('city', input.city);
	set('phone', input.phone);
	set('fax', input.fax);
	set('website', input.website);
	set('observations', [fullName, input.observations].filter((v) => v?.trim()).join('\n') || undefined);
	if (input.language) client.language = input.language;
	if (input.sendOptions) client.send_options = input.sendOptions;

	let iso: string | undefined;
	if (input.country?.trim()) {
		const ixCountry = toIxCountry(input.country);
		if (!ixCountry) {
			throw new InputError(
				`${ctx}client country "${input.country.trim()}" is unknown`,
				'Use an ISO code such as PT, ES, GB, or an English country name such as Portugal, Spain, Great Britain.',
			);
		}
		client.country = ixCountry;
		iso = countryIso(ixCountry);
	}

	const fiscal = normalizeFiscalId(input.fiscalId, iso);
	if (fiscal.kind === 'valid') client.fiscal_id = fiscal.fiscalId;
	if (fiscal.kind === 'invalid') {
		if (rules.invalidFiscalId === 'error') {
			throw new InputError(
				`${ctx}client fiscal number "${input.fiscalId}" is not a valid Portuguese NIF: ${fiscal.reason}`,
				'Correct the NIF, or set "Invalid NIF" to "Issue to Final Consumer" to invoice without it.',
			);
		}
		warnings.push(`invalid NIF "${input.fiscalId}" dropped: issued to final consumer`);
	}
	return { client, warnings };
}
