import { z } from 'zod';

import { countryIso, toIxCountry } from './countries';
import { normalizeFiscalId } from './nif';
import { plainText } from '../../shared/text';

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
	/** Names over 100 characters: stop, or cut at 100. */
	longName: 'error' | 'truncate';
	/** Prefix of error messages, e.g. `order 1033: `. */
	context?: string;
}

export interface ClientPayload {
	/** The `client` object for InvoicExpress; every value a string, as the API needs. */
	client: Record<string, string>;
	warnings: string[];
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
	// A string has at least as many UTF-16 units as characters: only long ones need counting.
	if (name.length > IX_CLIENT_NAME_MAX && [...name].length > IX_CLIENT_NAME_MAX) {
		if (rules.longName === 'error') {
			throw new InputError(
				`${ctx}client name is ${[...name].length} characters long; InvoicExpress accepts at most ${IX_CLIENT_NAME_MAX}`,
				'Shorten the name, or set "Long Names" to "Truncate".',
			);
		}
		client.name = [...name].slice(0, IX_CLIENT_NAME_MAX).join('').trim();
		warnings.push(`client name cut to ${IX_CLIENT_NAME_MAX} characters`);
	} else {
		client.name = name;
	}
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
	set('observations', input.observations);
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
