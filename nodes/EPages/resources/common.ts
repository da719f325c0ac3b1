import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toInstant } from '../helpers/dates';

import { requiredValue } from '../../shared/descriptions';

export { asItems, getLimit, returnAllFields, show, type OperationHandler } from '../../shared/descriptions';

export const YEAR_MS = 365 * 24 * 3600 * 1000;

/** Required ePages ID (see requiredValue), which must also be a single path segment. */
export function requiredId(ctx: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	const value = requiredValue(ctx, name, label, itemIndex);
	if (/[/?#\s]/.test(value)) {
		throw new NodeOperationError(ctx.getNode(), `${label} "${value}" is not a valid ePages ID`, {
			itemIndex,
			description: 'ePages IDs look like 5639C509-092F-7704-77D3-D5809AB321D8.',
		});
	}
	return value;
}

export function isLocale(value: string): boolean {
	return /^[a-z]{2}_[A-Z]{2}$/.test(value);
}

/** The optional `locale` of an options collection, checked. */
export function localeOption(ctx: IExecuteFunctions, options: IDataObject, itemIndex: number): IDataObject {
	const locale = typeof options.locale === 'string' ? options.locale.trim() : '';
	if (locale === '') return {};
	if (!isLocale(locale)) {
		throw new NodeOperationError(ctx.getNode(), `The locale "${locale}" is not valid`, {
			itemIndex,
			description: 'Use language_COUNTRY, such as pt_PT, de_DE or en_GB.',
		});
	}
	return { locale };
}

/**
 * A date parameter as an ISO instant (undefined when empty); a bad date is an error before any
 * request. A value without a zone is read in the workflow's time zone.
 */
export function dateParam(ctx: IExecuteFunctions, value: unknown, label: string, itemIndex: number): string | undefined {
	const ms = toInstant(value, ctx.getTimezone());
	if (ms === undefined) return undefined;
	if (!Number.isFinite(ms)) {
		throw new NodeOperationError(ctx.getNode(), `${label} "${String(value)}" is not a date`, {
			itemIndex,
			description: 'Use a date such as 2026-01-31 or 2026-01-31T08:00:00Z.',
		});
	}
	return new Date(ms).toISOString();
}

export const localeField: INodeProperties = {
	displayName: 'Locale',
	name: 'locale',
	type: 'string',
	default: '',
	placeholder: 'pt_PT',
	description: 'Language of the texts, as language_COUNTRY. Empty: the shop\'s default language.',
};

