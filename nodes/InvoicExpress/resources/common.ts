import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InputError } from '../../services/invoicexpress/helpers/client';
import { requiredValue as requiredString, show } from '../../shared/descriptions';
import { DOCUMENT_TYPES, TAX_EXEMPTION_CODES, type DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';

export { asItems, getLimit, requiredValue as requiredString, returnAllFields, show, type OperationHandler } from '../../shared/descriptions';

export const documentTypeOptions = (Object.keys(DOCUMENT_TYPES) as DocumentTypeKey[]).map((key) => ({
	name: DOCUMENT_TYPES[key].label,
	value: key,
}));

export const taxExemptionOptions = [
	{ name: 'None', value: '' },
	...TAX_EXEMPTION_CODES.map((c) => ({ name: `${c.code} – ${c.description}`, value: c.code })),
];

/**
 * Where the goods leave from (Create From ePages Order, and Document → Create from an ePages order):
 * the Portuguese region whose taxes a sale taxed in Portugal takes (CIVA art. 6.º n.º 1 and 16; see
 * link/mapping/taxPlace.ts). Options, so an expression can choose it per order.
 */
export const shipsFromOption: INodeProperties = {
	displayName: 'Ships From',
	name: 'shipsFrom',
	type: 'options',
	options: [
		{ name: 'Portugal Mainland (PT)', value: 'PT' },
		{ name: 'Azores (PT-AC)', value: 'PT-AC' },
		{ name: 'Madeira (PT-MA)', value: 'PT-MA' },
	],
	default: 'PT',
	description:
		'Where the goods leave from on their way to the buyer. Every sale taxed in Portugal takes the taxes of this region, wherever in Portugal the buyer is (CIVA art. 6.º n.º 1 and 16): a shop shipping from Lisbon charges mainland rates to the Azores and Madeira. An order charged at a rate this region does not have is refused. With stock in several regions, use an expression giving PT, PT-AC or PT-MA per order.',
};

/** The simplified-invoice limit that applies (art. 40.º n.º 1 a) or b) CIVA). */
export const retailerOption: INodeProperties = {
	displayName: 'Retailer',
	name: 'retailer',
	type: 'boolean',
	default: true,
	description:
		'Whether the shop sells goods at retail: a simplified invoice is then allowed up to 1,000 € for a buyer who is not a taxable person (art. 40.º n.º 1 a) CIVA). Off, or for a business buyer: up to 100 € (n.º 1 b)).',
};

/** What a simplified invoice the law does not allow for an order becomes. */
export const simplifiedNotAllowedOption: INodeProperties = {
	displayName: 'When a Simplified Invoice Is Not Allowed',
	name: 'simplifiedNotAllowed',
	type: 'options',
	options: [
		{ name: 'Refuse the Order', value: 'refuse', description: 'Nothing is created; the error names the order and the rule' },
		{ name: 'Issue an Invoice Instead', value: 'invoice', description: 'An invoice (default series), said in the output warnings' },
	],
	default: 'refuse',
	description:
		'A simplified invoice is legal only where the VAT is due in Portugal (never for One-Stop-Shop sales, exports or intra-EU supplies to businesses), up to 1,000 € for a retail sale to a consumer and 100 € otherwise (art. 40.º n.º 1 CIVA).',
};

/** Client fields shared by Client → Create/Update/Find or Create and Document → Create. */
export const clientFieldOptions: INodeProperties[] = [
	{ displayName: 'Address', name: 'address', type: 'string', default: '' },
	{ displayName: 'City', name: 'city', type: 'string', default: '' },
	{
		displayName: 'Country',
		name: 'country',
		type: 'string',
		default: '',
		placeholder: 'PT',
		description: 'ISO code (PT, ES, GB …) or English name; sent as InvoicExpress\'s own country name',
	},
	{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '' },
	{ displayName: 'Fax', name: 'fax', type: 'string', default: '' },
	{
		displayName: 'Fiscal Number (NIF)',
		name: 'fiscalId',
		type: 'string',
		default: '',
		description: 'Portuguese NIFs are checked (a "PT" prefix and spaces are removed); foreign VAT numbers pass as given',
	},
	{
		displayName: 'Language',
		name: 'language',
		type: 'options',
		options: [
			{ name: 'English', value: 'en' },
			{ name: 'Portuguese', value: 'pt' },
			{ name: 'Spanish', value: 'es' },
		],
		default: 'pt',
	},
	{ displayName: 'Observations', name: 'observations', type: 'string', default: '' },
	{ displayName: 'Phone', name: 'phone', type: 'string', default: '' },
	{ displayName: 'Postal Code', name: 'postalCode', type: 'string', default: '' },
	{
		displayName: 'Send Options',
		name: 'sendOptions',
		type: 'options',
		options: [
			{ name: 'Original', value: '1' },
			{ name: 'Original and Duplicate', value: '2' },
			{ name: 'Original, Duplicate and Triplicate', value: '3' },
		],
		default: '1',
		description: 'Copies of each document sent to this client',
	},
	{ displayName: 'Website', name: 'website', type: 'string', default: '' },
];

export const clientRuleOptions: INodeProperties[] = [
	{
		displayName: 'Invalid NIF',
		name: 'invalidFiscalId',
		type: 'options',
		options: [
			{ name: 'Stop With an Error', value: 'error' },
			{ name: 'Issue to Final Consumer', value: 'finalConsumer', description: 'Drop the NIF and go on without it' },
		],
		default: 'error',
		description: 'What to do when a Portuguese NIF fails its check digit',
	},
];

/** InvoicExpress ids are numbers (the legal number such as "FT A/1" is not an id). */
const NUMERIC_ID = '^\\s*\\d+\\s*$';

/*
 * No "By URL" mode: the reference documents the API paths (/{type}/{id}.json) and a document's
 * permalink, which holds a hash rather than the id, but not the addresses of the web app's pages.
 */

export function documentIdField(resource: string, operations: string[]): INodeProperties {
	return {
		displayName: 'Document',
		name: 'documentId',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: 'The document, picked from the list or by its internal InvoicExpress ID (not its legal number)',
		displayOptions: show(resource, operations),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a document...',
				typeOptions: { searchListMethod: 'searchDocuments', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 12345678',
				validation: [
					{
						type: 'regex',
						properties: { regex: NUMERIC_ID, errorMessage: 'A document ID is a number (not the legal number such as FT A/1)' },
					},
				],
			},
		],
	};
}

export const clientIdField: INodeProperties = {
	displayName: 'Client',
	name: 'clientId',
	type: 'resourceLocator',
	required: true,
	default: { mode: 'list', value: '' },
	description: 'The client, picked from the list (by name or code) or by its InvoicExpress ID',
	displayOptions: show('client', ['get', 'update']),
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a client...',
			typeOptions: { searchListMethod: 'searchClients', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 1234567',
			validation: [{ type: 'regex', properties: { regex: NUMERIC_ID, errorMessage: 'A client ID is a number' } }],
		},
	],
};

/** An InvoicExpress document id: digits only (the legal number such as "FT A/1" is not an id). */
export function requiredDocumentId(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = requiredString(ctx, 'documentId', 'Document ID', itemIndex);
	if (!/^\d+$/.test(value)) {
		throw new NodeOperationError(ctx.getNode(), `Document ID "${value}" is not a number`, {
			itemIndex,
			description: 'Use the id of the document (the "id" or "document_id" field of an earlier step), not its legal number.',
		});
	}
	return value;
}

export function toOperationError(ctx: IExecuteFunctions, error: InputError, itemIndex: number): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: error.description });
}

