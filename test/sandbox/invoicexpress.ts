/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * A stateful stand-in for the InvoicExpress API v2 (see shared/reference/invoicexpress.md).
 *
 * Where the reference marks a behaviour as unknown, this sandbox takes the reading that is hardest on
 * the client (e.g. a repeated proprietary_uid is refused forever, drafts cannot be emailed), so that a
 * node that passes here should also survive the real service.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { FaultInjector, type FaultConfig } from './faults';
import { parseQuery, readBody, type RecordedRequest } from './recorder';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface IxTax {
	id: number;
	name: string;
	value: number;
	region: string;
	code: string;
	default_tax: number;
}

export interface IxClient {
	id: number;
	name: string;
	code: string;
	email: string;
	language: string;
	address: string;
	city: string;
	postal_code: string;
	country: string;
	fiscal_id: string;
	website: string;
	phone: string;
	fax: string;
	observations: string;
	send_options: string;
	payment_days: string;
	tax_exemption_code: string;
	preferred_contact: { name: string; email: string; phone: string };
}

export type IxDocumentTypeName =
	| 'Invoice'
	| 'InvoiceReceipt'
	| 'SimplifiedInvoice'
	| 'CreditNote'
	| 'DebitNote'
	/**
	 * A legacy cash sale (VD, "venda a dinheiro"): listed with this type, never created through the API,
	 * and served by no path (the reference documents none): tests put one in the state to see that the
	 * package never reads it as a simplified invoice nor guesses a path for it.
	 */
	| 'CashInvoice';

export type IxDocumentStatus = 'draft' | 'final' | 'settled' | 'canceled' | 'deleted';

export interface IxItem {
	name: string;
	description: string;
	/** Stored with 4 decimals, answered as a string like the real API. */
	unit_price: string;
	/** Stored with 2 decimals, answered as a string. */
	quantity: string;
	unit: string;
	discount: number;
	tax: { id: number; name: string; value: number };
	subtotal: number;
	discount_amount: number;
	/** Unrounded, as the real API returns it. */
	tax_amount: number;
	total: number;
}

export interface IxGlobalDiscount {
	value_type: 'percentage' | 'absolute';
	value: number;
}

export interface IxDocument {
	id: number;
	type: IxDocumentTypeName;
	status: IxDocumentStatus;
	archived: boolean;
	sequence_number: string;
	inverted_sequence_number: string | null;
	atcud: string | null;
	sequence_id: string;
	date: string;
	due_date: string;
	reference: string;
	observations: string;
	retention: string;
	tax_exemption: string;
	permalink: string;
	saft_hash: string | null;
	sum: number;
	discount: number;
	before_taxes: number;
	taxes: number;
	total: number;
	currency: string;
	currency_code: string | null;
	rate: string | null;
	global_discount: IxGlobalDiscount | null;
	client: { id: number; name: string; country: string };
	items: IxItem[];
	owner_invoice_id: number | null;
	proprietary_uid: string | null;
	// Sandbox bookkeeping below: kept in state for assertions, never sent in API answers.
	createdAt: number;
	updatedAt: number;
	/** First time the document got a legal number; null while it never left draft. */
	finalizedAt: number | null;
	canceledAt: number | null;
	/** The `message` of the last state change (cancel reason). */
	stateMessage: string | null;
	/** When the current `reference` became visible to the list filter (see referenceLagMs). */
	referenceIndexedAt: number;
	/** How many times its PDF was requested (drives the 202 → 200 sequence). */
	pdfRequests: number;
}

export interface IxEmail {
	documentId: number;
	to: string;
	subject: string;
	body: string;
	cc: string;
	bcc: string;
	logo: string;
	save: string;
	at: number;
}

/** Document types a series numbers separately. */
export type IxSeriesDocKey =
	| 'invoice'
	| 'invoice_receipt'
	| 'simplified_invoice'
	| 'credit_note'
	| 'debit_note'
	| 'receipt';

export interface IxSequence {
	id: number;
	serie: string;
	default_sequence: number;
	/** AT validation code of the series ('ABCD1234'); 'N/D' or 'N/A' when not registered. */
	validation_code: string;
	current_invoice_sequence_id: number;
	current_invoice_receipt_sequence_id: number;
	current_simplified_invoice_sequence_id: number;
	current_credit_note_sequence_id: number;
	current_debit_note_sequence_id: number;
	current_receipt_sequence_id: number;
	/** Last legal number issued per document type; the next finalize takes +1. */
	last_numbers: Partial<Record<IxSeriesDocKey, number>>;
	/** Date (dd/mm/yyyy) of the last finalized document per type, for the chronology rule. */
	last_dates: Partial<Record<IxSeriesDocKey, string>>;
}

export type IxSequenceInput = Omit<IxSequence, 'last_numbers' | 'last_dates'> &
	Partial<Pick<IxSequence, 'last_numbers' | 'last_dates'>>;

export interface IxSandboxOptions {
	apiKey?: string;
	/** Informational only: the sandbox answers on whatever URL it listens on. */
	accountName?: string;
	taxes?: IxTax[];
	sequences?: IxSequenceInput[];
	rateLimitPerWindow?: number;
	rateWindowMs?: number;
	faults?: FaultConfig;
	/** How many 202 answers a document's PDF gets before the 200 (default 1). */
	pdfPendingPolls?: number;
	/** A new document appears in the `reference` list filter only after this many ms (default 0). */
	referenceLagMs?: number;
	/**
	 * true (default, the weakest documented reading): 409 only while that creation is in flight;
	 * afterwards a repeat creates a NEW document.
	 * false: a proprietary_uid that created a document answers 409 forever.
	 */
	uidLockOnlyInFlight?: boolean;
	/** How long a document creation stays "in flight" (default 0). */
	createDelayMs?: number;
}

/** A change-state the service refused because the document was not in a state that allows it. */
export interface IxIllegalTransition {
	documentId: number;
	from: IxDocumentStatus;
	target: string;
	at: number;
}

export interface IxSandboxState {
	clients: IxClient[];
	documents: IxDocument[];
	emails: IxEmail[];
	/** Every change-state refused as an invalid transition (CantHandle): a client bug unless raced. */
	illegalTransitions: IxIllegalTransition[];
	taxes: IxTax[];
	sequences: IxSequence[];
}

export interface IxSandbox {
	/** 'http://127.0.0.1:<port>', to use as the credential's base URL override. */
	url: string;
	apiKey: string;
	requests: RecordedRequest[];
	state: IxSandboxState;
	faults: FaultInjector;
	setRateLimit(perWindow: number, windowMs: number): void;
	/** Clears clients, documents, emails, requests, uid locks and numbering; keeps taxes, series and faults. */
	reset(): void;
	/** Documents that received a legal number (finalized at least once), canceled ones included. */
	legalDocuments(): IxDocument[];
	/**
	 * Moves the clock of the reference filter forward: documents created up to `ms` ago become listed
	 * as if that time had passed. Lets a test simulate a lag of 30 s without waiting 30 s.
	 */
	advanceClock(ms: number): void;
	/** Changes the lag of the reference filter (see IxSandboxOptions.referenceLagMs). */
	setReferenceLag(ms: number): void;
	/**
	 * Makes email-document answer 422 with this message (undefined: e-mails are sent), as an account
	 * whose plan has no API e-mails does ("option not available on current user plan", reference §5).
	 */
	refuseEmails(message: string | undefined): void;
	/** Archives a document, as the web app's "Arquivar" does: lists then show it only when asked for archived ones. */
	archive(id: number): void;
	/**
	 * The other reading of the `archived` list filter (its semantics are not documented): 'all' makes
	 * `archived=true` list every document, archived or not; 'own' (default, and after reset) only the archived ones.
	 */
	setArchivedReading(reading: 'own' | 'all'): void;
	close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Defaults and constants
// ---------------------------------------------------------------------------------------------

// The name avoids the words the secret-detection lint rule looks for: this key is public test data.
const SANDBOX_DEFAULT_IDENTITY = 'ix-test-key-0123456789';

export const DEFAULT_TAXES: IxTax[] = [
	{ id: 31554, name: 'IVA23', value: 23, region: 'PT', code: 'NOR', default_tax: 1 },
	{ id: 31555, name: 'IVA13', value: 13, region: 'PT', code: 'INT', default_tax: 0 },
	{ id: 31556, name: 'IVA6', value: 6, region: 'PT', code: 'RED', default_tax: 0 },
	{ id: 31557, name: 'IVA0', value: 0, region: 'PT', code: 'ISE', default_tax: 0 },
	{ id: 31558, name: 'IVA22', value: 22, region: 'PT-MA', code: 'NOR', default_tax: 0 },
	{ id: 31559, name: 'IVA16', value: 16, region: 'PT-AC', code: 'NOR', default_tax: 0 },
	{ id: 31560, name: 'IVA21', value: 21, region: 'ES', code: 'NOR', default_tax: 0 },
	// An Irish tax for One-Stop-Shop sales: the same 23 % as mainland IVA23, another region.
	{ id: 31561, name: 'IE23', value: 23, region: 'IE', code: 'NOR', default_tax: 0 },
	// Madeira's rates are 4/12/22 % (4 % since 1 October 2024, CIVA art. 18.º): no 5 % tax. 4 % exists in
	// both island regions: the region decides, never the rate. The Azores' intermediate 9 % is missing on
	// purpose: an account without one of its region's taxes (fixture 37, a clear error).
	{ id: 31562, name: 'IVA12', value: 12, region: 'PT-MA', code: 'INT', default_tax: 0 },
	{ id: 31563, name: 'IVA4-MA', value: 4, region: 'PT-MA', code: 'RED', default_tax: 0 },
	{ id: 31564, name: 'IVA4-AC', value: 4, region: 'PT-AC', code: 'RED', default_tax: 0 },
];

// Series ids and per-type sequence ids are all different numbers, so that sending the series id where
// the per-type id is expected (a documented pitfall) is caught.
export const DEFAULT_SEQUENCES: IxSequenceInput[] = [
	{
		id: 5001,
		serie: 'A',
		default_sequence: 1,
		validation_code: 'ABCD1234',
		current_invoice_sequence_id: 101,
		current_invoice_receipt_sequence_id: 102,
		current_simplified_invoice_sequence_id: 103,
		current_credit_note_sequence_id: 104,
		current_debit_note_sequence_id: 105,
		current_receipt_sequence_id: 106,
	},
	{
		id: 5002,
		serie: 'B',
		default_sequence: 0,
		validation_code: 'EFGH5678',
		current_invoice_sequence_id: 201,
		current_invoice_receipt_sequence_id: 202,
		current_simplified_invoice_sequence_id: 203,
		current_credit_note_sequence_id: 204,
		current_debit_note_sequence_id: 205,
		current_receipt_sequence_id: 206,
	},
];

interface DocKind {
	path: string;
	singular: Exclude<IxSeriesDocKey, 'receipt'>;
	type: IxDocumentTypeName;
	/** Used in the chronology error message, as the real API words it. */
	label: string;
	/** Portuguese legal prefix, printed on the PDF. */
	prefix: string;
}

const KINDS: DocKind[] = [
	{ path: 'invoices', singular: 'invoice', type: 'Invoice', label: 'invoice', prefix: 'FT' },
	{
		path: 'invoice_receipts',
		singular: 'invoice_receipt',
		type: 'InvoiceReceipt',
		label: 'invoice-receipt',
		prefix: 'FR',
	},
	{
		path: 'simplified_invoices',
		singular: 'simplified_invoice',
		type: 'SimplifiedInvoice',
		label: 'simplified-invoice',
		prefix: 'FS',
	},
	{
		path: 'credit_notes',
		singular: 'credit_note',
		type: 'CreditNote',
		label: 'credit-note',
		prefix: 'NC',
	},
	{
		path: 'debit_notes',
		singular: 'debit_note',
		type: 'DebitNote',
		label: 'debit-note',
		prefix: 'ND',
	},
];
const KIND_BY_PATH = new Map(KINDS.map((k) => [k.path, k]));
const KIND_BY_TYPE = new Map(KINDS.map((k) => [k.type, k]));

/** IX's own English country names (IDX country list; OCA l10n_pt_account_invoicexpress data/res.country.csv). */
// prettier-ignore
export const IX_COUNTRIES: ReadonlySet<string> = new Set([
	'Afghanistan', 'Albania', 'Algeria', 'American Samoa', 'Andorra', 'Angola', 'Anguilla',
	'Antigua and Barbuda', 'Argentina', 'Armenia', 'Aruba', 'Australia', 'Austria', 'Azerbaijan',
	'Bahamas', 'Bahrain', 'Bangladesh', 'Barbados', 'Belarus', 'Belgium', 'Belize', 'Benin', 'Bermuda',
	'Bhutan', 'Bolivia', 'Bosnia-Herzegovina', 'Botswana', 'Brazil', 'British Indian Ocean Territory',
	'Brunei', 'Bulgaria', 'Burkina Faso', 'Burundi', 'Cambodia', 'Cameroon', 'Canada', 'Cape Verde',
	'Cayman Islands', 'Central African Republic', 'Chad', 'Chile', 'China', 'Christmas Island',
	'Cocos (Keeling) Islands', 'Colombia', 'Comoros', 'Congo', 'Cook Islands', 'Costa Rica', 'Croatia',
	'Cuba', 'Curaçao', 'Cyprus', 'Czech Republic', 'Côte d’Ivoire', 'Congo, Democratic Republic',
	'Denmark', 'Djibouti', 'Dominica', 'Dominican Republic', 'Ecuador', 'Egypt', 'El Salvador',
	'Equatorial Guinea', 'Eritrea', 'Estonia', 'Ethiopia', 'Faeroe Islands (Føroyar)', 'Falkland Islands',
	'Fiji', 'Finland', 'France', 'French Guiana', 'French Polynesia', 'Gabon', 'Gambia', 'Georgia',
	'Germany', 'Ghana', 'Gibraltar', 'Greece', 'Greenland', 'Grenada', 'Guadeloupe', 'Guam', 'Guatemala',
	'Guernsey', 'Guinea', 'Guinea-Bissau', 'Guyana', 'Haiti', 'Heard and McDonald Islands', 'Honduras',
	'Hong Kong', 'Hungary', 'Iceland', 'India', 'Indonesia', 'Iran', 'Iraq', 'Ireland', 'Isle of Man',
	'Israel', 'Italy', 'Jamaica', 'Japan', 'Jersey', 'Jordan', 'Kazakhstan', 'Kenya', 'Kiribati', 'Kuwait',
	'Kyrgyzstan', 'Laos', 'Latvia', 'Lebanon', 'Lesotho', 'Liberia', 'Libya', 'Liechtenstein', 'Lithuania',
	'Luxembourg', 'Macau', 'Madagascar', 'Malawi', 'Malaysia', 'Maldives', 'Mali', 'Malta',
	'Marshall Islands', 'Martinique', 'Mauritania', 'Mauritius', 'Mayotte', 'Mexico', 'Micronesia',
	'Moldova', 'Monaco', 'Mongolia', 'Montenegro', 'Montserrat', 'Morocco', 'Mozambique', 'Myanmar',
	'Nauru', 'Namibia', 'Nepal', 'Netherlands', 'New Caledonia', 'New Zealand', 'Nicaragua', 'Niger',
	'Nigeria', 'Niue', 'Norfolk Island', 'Korea, North', 'Macedonia (Former Yug. Rep.)',
	'Northern Mariana Islands', 'Norway', 'Oman', 'Pakistan', 'Palau', 'Panama', 'Papua New Guinea',
	'Paraguay', 'Peru', 'Philippines', 'Pitcairn Island', 'Poland', 'Portugal', 'Puerto Rico', 'Qatar',
	'Romania', 'Russia', 'Rwanda', 'Reunion', 'St. Helena', 'St. Kitts and Nevis', 'St. Lucia',
	'St. Vincent and the Grenadines', 'Samoa (Western)', 'San Marino', 'Saudi Arabia', 'Sénégal', 'Serbia',
	'Seychelles', 'Sierra Leone', 'Singapore', 'Slovakia', 'Slovenia', 'Solomon Islands', 'Somalia',
	'South Africa', 'Korea, South', 'Spain', 'Sri Lanka', 'Palestine', 'Sudan', 'Suriname',
	'Svalbard and Jan Mayen Islands', 'Swaziland', 'Sweden', 'Switzerland', 'Syria',
	'São Tomé and Príncipe', 'Taiwan', 'Tajikistan', 'Tanzania', 'Thailand', 'Timor-Leste', 'Togo',
	'Trinidad and Tobago', 'Tunisia', 'Turkey', 'Turkmenistan', 'Turks and Caicos Islands', 'Tuvalu',
	'Uganda', 'Ukraine', 'United Arab Emirates', 'Great Britain', 'UK', 'United States', 'Uruguay',
	'Uzbekistan', 'Vanuatu', 'Vatican', 'Venezuela', 'Vietnam', 'Virgin Islands',
	'Wallis and Futuna Islands', 'Western Sahara', 'Yemen', 'Zambia', 'Zimbabwe',
]);

/** Exemption codes from the IDX table; M00 is accepted but means "no reason" (see finalize). */
// prettier-ignore
const EXEMPTION_CODES = new Set([
	'M01', 'M02', 'M04', 'M05', 'M06', 'M07', 'M09', 'M10', 'M11', 'M12', 'M13', 'M14', 'M15', 'M16',
	'M19', 'M20', 'M21', 'M25', 'M30', 'M31', 'M32', 'M33', 'M40', 'M41', 'M42', 'M43', 'M44', 'M45',
	'M46', 'M99',
]);

/** Keys the API accepts inside items[]; `discount_amount` is silently ignored by IX, anything else is a 422. */
const ITEM_KEYS = new Set([
	'name',
	'description',
	'unit_price',
	'quantity',
	'unit',
	'discount',
	'tax',
	'discount_amount',
]);

const CLIENT_STRING_FIELDS = [
	'name',
	'code',
	'email',
	'language',
	'address',
	'city',
	'postal_code',
	'country',
	'fiscal_id',
	'website',
	'phone',
	'fax',
	'observations',
	'send_options',
	'payment_days',
	'tax_exemption_code',
] as const;
type ClientStringField = (typeof CLIENT_STRING_FIELDS)[number];

const PER_PAGE_DEFAULT = 10;
// The docs only say accounts use 10, 20 or 30; capping at 30 forces clients to follow pagination.
const PER_PAGE_MAX = 30;

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Client-side values arrive as strings or numbers; IX stores them as strings. */
function asString(v: unknown): string {
	if (typeof v === 'string') return v;
	if (typeof v === 'number' || typeof v === 'boolean') return String(v);
	return '';
}

function asDecimal(v: unknown): number {
	if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
	if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
	return NaN;
}

/**
 * Decimal half-up rounding. Float noise is removed at 10 decimals first so that a value that is
 * mathematically x.xx5 but computed as x.xx4999999 still rounds up, as IX's decimal arithmetic does.
 */
export function roundHalfUp(value: number, decimals: number): number {
	if (!Number.isFinite(value)) return value;
	const sign = value < 0 ? -1 : 1;
	const cleaned = Math.abs(value).toFixed(10);
	const rounded = Number(`${Math.round(Number(`${cleaned}e${decimals}`))}e-${decimals}`);
	return sign * rounded;
}

const round2 = (v: number): number => roundHalfUp(v, 2);
const clean = (v: number): number => roundHalfUp(v, 10);

/** Rails BigDecimal-like text: at least one decimal ("100.0", "24.3902"). */
function decimalText(v: number): string {
	const s = String(v);
	return s.includes('.') ? s : `${s}.0`;
}

/** dd/mm/yyyy → yyyymmdd as a number for comparisons, or null when not a real calendar date. */
function parseDate(v: unknown): number | null {
	if (typeof v !== 'string') return null;
	const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
	if (!m) return null;
	const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const d = new Date(Date.UTC(year, month - 1, day));
	if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
		return null;
	return year * 10000 + month * 100 + day;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "02 Aug 26", the form the real chronology error uses. */
function shortDate(ddmmyyyy: string): string {
	const [d, m, y] = ddmmyyyy.split('/');
	return `${d} ${MONTHS[Number(m) - 1]} ${y.slice(2)}`;
}

/** Portuguese NIF: 9 digits, mod-11 check digit (0 when the result is 10 or 11). */
export function isValidPortugueseNif(nif: string): boolean {
	if (!/^\d{9}$/.test(nif)) return false;
	let sum = 0;
	for (let i = 0; i < 8; i++) sum += Number(nif[i]) * (9 - i);
	let check = 11 - (sum % 11);
	if (check >= 10) check = 0;
	return check === Number(nif[8]);
}

function single(query: Record<string, string | string[]>, key: string): string | undefined {
	const v = query[key];
	return Array.isArray(v) ? v[0] : v;
}

function multi(query: Record<string, string | string[]>, key: string): string[] | undefined {
	const v = query[key];
	if (v === undefined) return undefined;
	return Array.isArray(v) ? v : [v];
}

function paginate<T>(
	all: T[],
	query: Record<string, string | string[]>,
): { page: T[]; pagination: Json } {
	const requested = parseInt(single(query, 'per_page') ?? '', 10);
	const perPage =
		Number.isFinite(requested) && requested > 0
			? Math.min(requested, PER_PAGE_MAX)
			: PER_PAGE_DEFAULT;
	const pageNo = Math.max(1, parseInt(single(query, 'page') ?? '', 10) || 1);
	const start = (pageNo - 1) * perPage;
	return {
		page: all.slice(start, start + perPage),
		pagination: {
			total_entries: all.length,
			current_page: pageNo,
			total_pages: Math.ceil(all.length / perPage),
			per_page: perPage,
		},
	};
}

function clone<T>(v: T): T {
	return JSON.parse(JSON.stringify(v)) as T;
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

interface Answer {
	status: number;
	contentType: string;
	body: string | Buffer;
	headers?: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function json(status: number, body: unknown): Answer {
	return { status, contentType: JSON_TYPE, body: JSON.stringify(body) };
}

// Real IX answers some 200s/404s with no body at all while still claiming JSON: clients must cope.
function empty(status: number): Answer {
	return { status, contentType: JSON_TYPE, body: '' };
}

function html(status: number, page: string): Answer {
	return { status, contentType: 'text/html; charset=utf-8', body: page };
}

/** `{"errors":{"error":"..."}}`: the single-object shape (documents, state changes, email). */
function errorObject(status: number, message: string): Answer {
	return json(status, { errors: { error: message } });
}

/** `{"errors":[{"error":"..."}]}`: the list shape (clients, items). */
function errorList(status: number, messages: string[]): Answer {
	return json(status, { errors: messages.map((error) => ({ error })) });
}

const NOT_FOUND_PAGE =
	"<!DOCTYPE html>\n<html>\n<head><title>The page you were looking for doesn't exist (404)</title></head>\n" +
	'<body><div class="dialog"><h1>The page you were looking for doesn\'t exist.</h1>' +
	'<p>You may have mistyped the address or the page may have moved.</p></div></body>\n</html>\n';

const BAD_GATEWAY_PAGE =
	'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
	'<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

const UNAVAILABLE_PAGE =
	'<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n' +
	'<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

const TOO_MANY = { errors: [{ error: 'Too many requests' }] };

// ---------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------

/** A one-page PDF with correct xref offsets, so PDF parsers (and `file`) accept it. */
function buildPdf(lines: string[]): Buffer {
	const escape = (s: string) =>
		s
			.replace(/[^\x20-\x7e]/g, '?')
			.replace(/\\/g, '\\\\')
			.replace(/\(/g, '\\(')
			.replace(/\)/g, '\\)');
	const text = lines
		.map((line, i) => `${i === 0 ? '' : '0 -22 Td '}(${escape(line)}) Tj`)
		.join('\n');
	const stream = `BT\n/F1 14 Tf\n50 780 Td\n${text}\nET`;
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
		`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
	];
	let out = '%PDF-1.4\n';
	const offsets: number[] = [];
	objects.forEach((body, i) => {
		offsets.push(Buffer.byteLength(out, 'latin1'));
		out += `${i + 1} 0 obj\n${body}\nendobj\n`;
	});
	const xrefAt = Buffer.byteLength(out, 'latin1');
	out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
	out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
	return Buffer.from(out, 'latin1');
}

// ---------------------------------------------------------------------------------------------
// The sandbox
// ---------------------------------------------------------------------------------------------

interface ItemInput {
	name: string;
	description: string;
	unitPrice: number;
	quantity: number;
	unit: string;
	discount: number;
	tax: IxTax;
}

interface DocumentInput {
	date: string;
	due_date: string;
	reference: string;
	observations: string;
	retention: string;
	tax_exemption: string;
	sequence_id: string;
	owner_invoice_id: number | null;
	currency: string;
	currency_code: string | null;
	rate: string | null;
	global_discount: IxGlobalDiscount | null;
	client: Partial<Record<ClientStringField, string>> & { name: string; code: string };
	items: IxItem[];
	totals: Pick<IxDocument, 'sum' | 'discount' | 'before_taxes' | 'taxes' | 'total'>;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; answer: Answer };

const BOOKKEEPING_KEYS = new Set([
	'createdAt',
	'updatedAt',
	'finalizedAt',
	'canceledAt',
	'stateMessage',
	'referenceIndexedAt',
	'pdfRequests',
]);

function documentForApi(doc: IxDocument): Json {
	const out: Json = {};
	for (const [key, value] of Object.entries(doc)) if (!BOOKKEEPING_KEYS.has(key)) out[key] = value;
	return out;
}

function clientForApi(client: IxClient): Json {
	return { ...client, open_account_link: '' };
}

function seriesSequenceId(series: IxSequence, key: IxSeriesDocKey): number {
	return series[`current_${key}_sequence_id`];
}

function sequenceForApi(series: IxSequence): Json {
	const out: Json = {
		id: series.id,
		serie: series.serie,
		default_sequence: series.default_sequence,
	};
	const keys: IxSeriesDocKey[] = [
		'invoice',
		'invoice_receipt',
		'simplified_invoice',
		'credit_note',
		'debit_note',
		'receipt',
	];
	for (const key of keys) {
		out[`current_${key}_number`] = String(series.last_numbers[key] ?? 0);
		out[`current_${key}_sequence_id`] = seriesSequenceId(series, key);
		out[`current_${key}_validation_code`] = series.validation_code;
	}
	return out;
}

function toSequence(input: IxSequenceInput): IxSequence {
	return {
		...clone(input),
		last_numbers: { ...input.last_numbers },
		last_dates: { ...input.last_dates },
	};
}

/** Totals per reference §10: full-precision lines, rounded once per document, half-up. */
function computeLines(
	inputs: ItemInput[],
	globalDiscount: IxGlobalDiscount | null,
): Parsed<{ items: IxItem[]; totals: DocumentInput['totals'] }> {
	const bases = inputs.map((i) => i.unitPrice * i.quantity);
	const lineNets = inputs.map((i, n) => bases[n] * (1 - i.discount / 100));
	const netBeforeGlobal = lineNets.reduce((a, b) => a + b, 0);
	let factor = 1;
	if (globalDiscount?.value_type === 'percentage') factor = 1 - globalDiscount.value / 100;
	if (globalDiscount?.value_type === 'absolute') {
		if (globalDiscount.value > clean(netBeforeGlobal)) {
			return {
				ok: false,
				answer: errorObject(422, 'Global discount cannot be greater than the document total'),
			};
		}
		// Spread the amount over the lines in proportion to their nets, before tax.
		factor = netBeforeGlobal > 0 ? 1 - globalDiscount.value / netBeforeGlobal : 1;
	}
	let sumBase = 0;
	let sumNet = 0;
	let sumTax = 0;
	const items = inputs.map((input, n): IxItem => {
		const net = lineNets[n] * factor;
		const tax = (net * input.tax.value) / 100;
		sumBase += bases[n];
		sumNet += net;
		sumTax += tax;
		return {
			name: input.name,
			description: input.description,
			unit_price: decimalText(input.unitPrice),
			quantity: input.quantity.toFixed(2),
			unit: input.unit,
			discount: input.discount,
			tax: { id: input.tax.id, name: input.tax.name, value: input.tax.value },
			subtotal: clean(bases[n]),
			discount_amount: clean(bases[n] - net),
			tax_amount: clean(tax),
			total: clean(net + tax),
		};
	});
	return {
		ok: true,
		value: {
			items,
			totals: {
				sum: round2(sumBase),
				discount: round2(sumBase - sumNet),
				before_taxes: round2(sumNet),
				taxes: round2(sumTax),
				total: round2(sumNet + sumTax),
			},
		},
	};
}

export async function startInvoicExpressSandbox(opts: IxSandboxOptions = {}): Promise<IxSandbox> {
	const apiKey = opts.apiKey ?? SANDBOX_DEFAULT_IDENTITY;
	const pdfPendingPolls = opts.pdfPendingPolls ?? 1;
	let referenceLagMs = opts.referenceLagMs ?? 0;
	/** Added to the filter's clock by advanceClock(). */
	let clockSkewMs = 0;
	let emailRefusal: string | undefined;
	let archivedReading: 'own' | 'all' = 'own';
	const createDelayMs = opts.createDelayMs ?? 0;
	const uidLockOnlyInFlight = opts.uidLockOnlyInFlight ?? true;
	const initialSequences = clone(opts.sequences ?? DEFAULT_SEQUENCES);

	const requests: RecordedRequest[] = [];
	const state: IxSandboxState = {
		clients: [],
		documents: [],
		emails: [],
		illegalTransitions: [],
		taxes: clone(opts.taxes ?? DEFAULT_TAXES),
		sequences: initialSequences.map(toSequence),
	};
	const faults = new FaultInjector(opts.faults);

	// Ids only ever grow, even across reset(), so a stale id from an earlier test is a 404.
	let nextClientId = 600001;
	let nextDocumentId = 2100001;

	const uids = new Map<string, 'inflight' | 'done'>();

	let perWindow = opts.rateLimitPerWindow ?? 780;
	let windowMs = opts.rateWindowMs ?? 60000;
	let windowStart = 0;
	let usedInWindow = 0;

	let closed = false;
	const pending = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

	/** A sleep that close() can cut short, so no timer outlives the sandbox. */
	function wait(ms: number): Promise<void> {
		if (ms <= 0 || closed) return Promise.resolve();
		return new Promise((resolve) => {
			const entry = {
				timer: setTimeout(() => {
					pending.delete(entry);
					resolve();
				}, ms),
				resolve,
			};
			pending.add(entry);
		});
	}

	function acceptByRateLimit(): boolean {
		const now = Date.now();
		if (now - windowStart >= windowMs) {
			windowStart = now;
			usedInWindow = 0;
		}
		if (usedInWindow >= perWindow) return false;
		usedInWindow++;
		return true;
	}

	function defaultTax(): IxTax {
		return state.taxes.find((t) => t.default_tax === 1) ?? state.taxes[0];
	}

	function defaultSeries(): IxSequence {
		return state.sequences.find((s) => s.default_sequence === 1) ?? state.sequences[0];
	}

	function seriesOf(doc: IxDocument, kind: DocKind): IxSequence {
		return (
			state.sequences.find((s) => String(seriesSequenceId(s, kind.singular)) === doc.sequence_id) ??
			defaultSeries()
		);
	}

	function findDocument(kind: DocKind, id: string): IxDocument | undefined {
		return state.documents.find((d) => String(d.id) === id && d.type === kind.type);
	}

	// ----- clients ------------------------------------------------------------------------------

	function clientFields(input: Json): Partial<Record<ClientStringField, string>> {
		const out: Partial<Record<ClientStringField, string>> = {};
		for (const key of CLIENT_STRING_FIELDS) if (key in input) out[key] = asString(input[key]);
		return out;
	}

	/** Rules shared by POST/PUT /clients and clients embedded in documents; returns messages. */
	function clientProblems(
		fields: Partial<Record<ClientStringField, string>>,
		selfId: number | null,
	): string[] {
		const problems: string[] = [];
		const name = fields.name ?? '';
		if (name.length > 100) problems.push('Nome é demasiado longo');
		if (state.clients.some((c) => c.name === name && c.id !== selfId)) {
			problems.push('Nome não está disponível');
		}
		// Codes are what find-by-code returns a single client for, so they are treated as unique.
		if (fields.code && state.clients.some((c) => c.code === fields.code && c.id !== selfId)) {
			problems.push('Código não está disponível');
		}
		const country = fields.country ?? '';
		if (country !== '' && !IX_COUNTRIES.has(country))
			problems.push(`Country ${country} was not found`);
		const fiscalId = fields.fiscal_id ?? '';
		if (
			(country === '' || country === 'Portugal') &&
			fiscalId !== '' &&
			!isValidPortugueseNif(fiscalId)
		) {
			problems.push('Fiscal is invalid');
		}
		if (fields.language && !['pt', 'en', 'es'].includes(fields.language)) {
			problems.push('Language is not included in the list');
		}
		return problems;
	}

	function newClient(
		fields: Partial<Record<ClientStringField, string>>,
		contact: unknown,
	): IxClient {
		const contactObj = isObj(contact) ? contact : {};
		const client: IxClient = {
			id: nextClientId++,
			name: fields.name ?? '',
			code: fields.code ?? '',
			email: fields.email ?? '',
			language: fields.language ?? 'pt',
			address: fields.address ?? '',
			city: fields.city ?? '',
			postal_code: fields.postal_code ?? '',
			country: fields.country || 'Portugal',
			fiscal_id: fields.fiscal_id ?? '',
			website: fields.website ?? '',
			phone: fields.phone ?? '',
			fax: fields.fax ?? '',
			observations: fields.observations ?? '',
			send_options: fields.send_options ?? '1',
			payment_days: fields.payment_days ?? '0',
			tax_exemption_code: fields.tax_exemption_code ?? '',
			preferred_contact: {
				name: asString(contactObj.name),
				email: asString(contactObj.email),
				phone: asString(contactObj.phone),
			},
		};
		state.clients.push(client);
		return client;
	}

	function createClient(body: Json): Answer {
		const input = isObj(body.client) ? body.client : {};
		const fields = clientFields(input);
		const blanks: string[] = [];
		if (!fields.name?.trim()) blanks.push("Name can't be blank");
		if (!fields.code?.trim()) blanks.push("Code can't be blank");
		if (blanks.length > 0) return json(422, { errors: blanks });
		const problems = clientProblems(fields, null);
		if (problems.length > 0) return errorList(422, problems);
		return json(201, { client: clientForApi(newClient(fields, input.preferred_contact)) });
	}

	function updateClient(id: string, body: Json): Answer {
		const client = state.clients.find((c) => String(c.id) === id);
		if (!client) return empty(404);
		const input = isObj(body.client) ? body.client : {};
		const fields = clientFields(input);
		// IX silently dropped updates sent without a name; refusing them makes that mistake visible.
		if (!fields.name?.trim()) return json(422, { errors: ["Name can't be blank"] });
		if ('code' in fields && !fields.code?.trim())
			return json(422, { errors: ["Code can't be blank"] });
		const merged = { ...client, ...fields };
		const problems = clientProblems(merged, client.id);
		if (problems.length > 0) return errorList(422, problems);
		Object.assign(client, fields);
		if (!client.country) client.country = 'Portugal';
		if (isObj(input.preferred_contact)) {
			const c = input.preferred_contact;
			client.preferred_contact = {
				name: asString(c.name),
				email: asString(c.email),
				phone: asString(c.phone),
			};
		}
		return empty(200);
	}

	// ----- documents ----------------------------------------------------------------------------

	function parseDocument(kind: DocKind, body: Json): Parsed<DocumentInput> {
		const fail = (answer: Answer): Parsed<DocumentInput> => ({ ok: false, answer });
		const payload = isObj(body[kind.singular]) ? body[kind.singular] : body.invoice;
		if (!isObj(payload)) return fail(errorObject(422, 'Elemento invoice não fornecido'));

		const date = parseDate(payload.date);
		if (date === null) return fail(errorObject(422, 'Data inválida: use o formato dd/mm/aaaa'));
		const due = parseDate(payload.due_date);
		if (due === null)
			return fail(errorObject(422, 'Data de vencimento inválida: use o formato dd/mm/aaaa'));
		if (due < date)
			return fail(errorObject(422, 'Vencimento deve ser igual ou posterior à data do documento'));

		if (!isObj(payload.client)) return fail(errorObject(422, 'Elemento client não fornecido'));
		const client = clientFields(payload.client);
		if (!client.name?.trim()) return fail(errorObject(422, "Client name can't be blank"));
		if (!client.code?.trim()) return fail(errorObject(422, "Client code can't be blank"));
		// Only a client that will be created is validated; an existing name is used as it is.
		if (!state.clients.some((c) => c.name === client.name)) {
			const problems = clientProblems(client, null);
			if (problems.length > 0) return fail(errorList(422, [...problems, 'Client is invalid']));
		}

		if (!Array.isArray(payload.items) || payload.items.length === 0) {
			return fail(errorObject(422, 'Elemento items não fornecido'));
		}
		const inputs: ItemInput[] = [];
		for (const raw of payload.items as unknown[]) {
			if (!isObj(raw)) return fail(errorList(422, ['Item is invalid']));
			const unknownKey = Object.keys(raw).find((k) => !ITEM_KEYS.has(k));
			if (unknownKey) return fail(errorList(422, [`Unknown attribute '${unknownKey}' for item`]));
			const name = asString(raw.name);
			if (!name.trim()) return fail(errorList(422, ["Item name can't be blank"]));
			const description = asString(raw.description);
			if (!description.trim()) return fail(errorList(422, ["Item description can't be blank"]));
			const price = asDecimal(raw.unit_price);
			if (Number.isNaN(price)) return fail(errorList(422, ['Item unit price is not a number']));
			if (price < 0) return fail(errorList(422, ['Item price must be positive']));
			const quantity = roundHalfUp(asDecimal(raw.quantity), 2);
			if (!(quantity > 0)) return fail(errorList(422, ['Item quantity must be greater than 0']));
			const discount =
				raw.discount === undefined || raw.discount === '' ? 0 : asDecimal(raw.discount);
			if (!(discount >= 0 && discount <= 100)) {
				return fail(errorList(422, ['Item discount must be between 0 and 100']));
			}
			if (raw.tax !== undefined && !isObj(raw.tax))
				return fail(errorList(422, ['Item tax is invalid']));
			// The real API silently applies the default tax to an unknown name: emulated on purpose.
			const taxName = isObj(raw.tax) ? asString(raw.tax.name) : '';
			const tax = state.taxes.find((t) => t.name === taxName) ?? defaultTax();
			inputs.push({
				name,
				description,
				unitPrice: roundHalfUp(price, 4),
				quantity,
				unit: asString(raw.unit),
				discount,
				tax,
			});
		}

		let globalDiscount: IxGlobalDiscount | null = null;
		if (payload.global_discount !== undefined && payload.global_discount !== null) {
			const gd = payload.global_discount;
			const value = isObj(gd) ? asDecimal(gd.value) : NaN;
			const valueType = isObj(gd) ? gd.value_type : undefined;
			if ((valueType !== 'percentage' && valueType !== 'absolute') || !(value >= 0)) {
				return fail(errorObject(422, 'Global discount is invalid'));
			}
			if (valueType === 'percentage' && value > 100) {
				return fail(errorObject(422, 'Global discount is invalid'));
			}
			globalDiscount = { value_type: valueType, value };
		}
		const lines = computeLines(inputs, globalDiscount);
		if (!lines.ok) return lines;

		let sequenceId = String(seriesSequenceId(defaultSeries(), kind.singular));
		const requestedSequence = asString(payload.sequence_id);
		if (requestedSequence !== '') {
			// The per-type id (current_<type>_sequence_id), not the series id, selects the series.
			const series = state.sequences.find(
				(s) => String(seriesSequenceId(s, kind.singular)) === requestedSequence,
			);
			if (!series) {
				return fail(errorObject(422, `Sequence ${requestedSequence} not found for ${kind.type}`));
			}
			sequenceId = requestedSequence;
		}

		let ownerId: number | null = null;
		if (
			payload.owner_invoice_id !== undefined &&
			payload.owner_invoice_id !== null &&
			payload.owner_invoice_id !== ''
		) {
			ownerId = Number(payload.owner_invoice_id);
			const owner = state.documents.find((d) => d.id === ownerId && d.status !== 'deleted');
			if (!owner) {
				return fail(errorObject(422, 'Owner invoice not found'));
			}
			// Portuguese law (inferred, strict on purpose): a credit or debit note corrects a legal invoice,
			// so its owner must be an invoice of some kind that is final or settled, never a draft or a
			// canceled one. The package must never send such a note; the sandbox says so loudly.
			const isNoteKind = kind.type === 'CreditNote' || kind.type === 'DebitNote';
			if (
				isNoteKind &&
				(!['Invoice', 'InvoiceReceipt', 'SimplifiedInvoice'].includes(owner.type) || !['final', 'settled'].includes(owner.status))
			) {
				return fail(errorObject(422, `Owner invoice must be a finalized invoice (it is a ${owner.status} ${owner.type})`));
			}
		}

		let currency = 'Euro';
		let currencyCode: string | null = null;
		let rate: string | null = null;
		const code = asString(payload.currency_code).trim().toUpperCase();
		if (code !== '' && code !== 'EUR') {
			const rateValue = asDecimal(payload.rate);
			if (!(rateValue > 0)) return fail(errorObject(422, "Rate can't be blank"));
			currency = code;
			currencyCode = code;
			rate = asString(payload.rate);
		}

		const exemption = asString(payload.tax_exemption);
		if (exemption !== '' && exemption !== 'M00' && !EXEMPTION_CODES.has(exemption)) {
			return fail(errorObject(422, `Tax exemption ${exemption} is not valid`));
		}
		const retention = asString(payload.retention);
		if (retention !== '' && !(asDecimal(retention) >= 0 && asDecimal(retention) < 100)) {
			return fail(errorObject(422, 'Retention is invalid'));
		}

		return {
			ok: true,
			value: {
				date: payload.date as string,
				due_date: payload.due_date as string,
				reference: asString(payload.reference),
				observations: asString(payload.observations),
				retention,
				tax_exemption: exemption,
				sequence_id: sequenceId,
				owner_invoice_id: ownerId,
				currency,
				currency_code: currencyCode,
				rate,
				global_discount: globalDiscount,
				client: client as DocumentInput['client'],
				items: lines.value.items,
				totals: lines.value.totals,
			},
		};
	}

	/** The embedded client is matched by exact name: an existing one is used untouched. */
	function resolveEmbeddedClient(input: DocumentInput['client'], raw: unknown): Parsed<IxClient> {
		const existing = state.clients.find((c) => c.name === input.name);
		if (existing) return { ok: true, value: existing };
		const problems = clientProblems(input, null);
		if (problems.length > 0)
			return { ok: false, answer: errorList(422, [...problems, 'Client is invalid']) };
		return { ok: true, value: newClient(input, isObj(raw) ? raw.preferred_contact : undefined) };
	}

	function embeddedClientRaw(kind: DocKind, body: Json): unknown {
		const payload = isObj(body[kind.singular]) ? body[kind.singular] : body.invoice;
		return isObj(payload) ? payload.client : undefined;
	}

	function applyInput(doc: IxDocument, input: DocumentInput, client: IxClient): void {
		const now = Date.now();
		if (doc.reference !== input.reference) doc.referenceIndexedAt = now;
		Object.assign(doc, {
			date: input.date,
			due_date: input.due_date,
			reference: input.reference,
			observations: input.observations,
			retention: input.retention,
			tax_exemption: input.tax_exemption,
			sequence_id: input.sequence_id,
			owner_invoice_id: input.owner_invoice_id,
			currency: input.currency,
			currency_code: input.currency_code,
			rate: input.rate,
			global_discount: input.global_discount,
			client: { id: client.id, name: client.name, country: client.country },
			items: input.items,
			...input.totals,
			updatedAt: now,
		});
	}

	async function createDocument(kind: DocKind, body: Json): Promise<Answer | null> {
		const uid = body.proprietary_uid === undefined ? '' : asString(body.proprietary_uid);
		if (uid !== '') {
			const lock = uids.get(uid);
			if (lock === 'inflight' || (lock === 'done' && !uidLockOnlyInFlight)) {
				return json(409, {
					reason: `There's an ongoing document creation with the provided UID ${uid}`,
				});
			}
		}
		const parsed = parseDocument(kind, body);
		if (!parsed.ok) return parsed.answer;

		if (uid !== '') uids.set(uid, 'inflight');
		await wait(createDelayMs);
		if (closed) return null;

		const client = resolveEmbeddedClient(parsed.value.client, embeddedClientRaw(kind, body));
		if (!client.ok) {
			if (uid !== '') uids.delete(uid);
			return client.answer;
		}
		const now = Date.now();
		const doc: IxDocument = {
			id: nextDocumentId++,
			type: kind.type,
			status: 'draft',
			archived: false,
			sequence_number: 'rascunho',
			inverted_sequence_number: null,
			atcud: null,
			sequence_id: '',
			date: '',
			due_date: '',
			reference: '',
			observations: '',
			retention: '',
			tax_exemption: '',
			permalink: `https://www.app.invoicexpress.com/documents/${randomBytes(20).toString('hex')}`,
			saft_hash: null,
			sum: 0,
			discount: 0,
			before_taxes: 0,
			taxes: 0,
			total: 0,
			currency: 'Euro',
			currency_code: null,
			rate: null,
			global_discount: null,
			client: { id: 0, name: '', country: '' },
			items: [],
			owner_invoice_id: null,
			proprietary_uid: uid === '' ? null : uid,
			createdAt: now,
			updatedAt: now,
			finalizedAt: null,
			canceledAt: null,
			stateMessage: null,
			referenceIndexedAt: now,
			pdfRequests: 0,
		};
		applyInput(doc, parsed.value, client.value);
		doc.referenceIndexedAt = now;
		state.documents.push(doc);
		if (uid !== '') uids.set(uid, 'done');
		return json(201, { [kind.singular]: documentForApi(doc) });
	}

	function updateDocument(kind: DocKind, id: string, body: Json): Answer {
		const doc = findDocument(kind, id);
		if (!doc) return empty(404);
		if (doc.status === 'deleted')
			return errorObject(422, 'O documento foi apagado e não pode ser editado');
		if (doc.status !== 'draft')
			return errorObject(422, 'O documento já foi finalizado e não pode ser editado');
		// A PUT replaces the document: client and items must be sent again in full.
		const parsed = parseDocument(kind, body);
		if (!parsed.ok) return parsed.answer;
		const client = resolveEmbeddedClient(parsed.value.client, embeddedClientRaw(kind, body));
		if (!client.ok) return client.answer;
		applyInput(doc, parsed.value, client.value);
		return json(200, { [kind.singular]: documentForApi(doc) });
	}

	function finalize(kind: DocKind, doc: IxDocument): Answer | null {
		const hasZeroRate = doc.items.some((i) => i.tax.value === 0);
		if (hasZeroRate && (doc.tax_exemption === '' || doc.tax_exemption === 'M00')) {
			return errorObject(422, 'É necessário indicar o motivo de isenção');
		}
		const series = seriesOf(doc, kind);
		if (!/^[A-Z0-9]{8}$/.test(series.validation_code)) {
			return errorObject(422, `A série ${series.serie} não está registada na AT`);
		}
		const lastDate = series.last_dates[kind.singular];
		if (lastDate && (parseDate(doc.date) ?? 0) < (parseDate(lastDate) ?? 0)) {
			return errorObject(
				422,
				`Date cannot be earlier than the last ${kind.label} of this sequence[${shortDate(lastDate)}]`,
			);
		}
		const number = (series.last_numbers[kind.singular] ?? 0) + 1;
		series.last_numbers[kind.singular] = number;
		series.last_dates[kind.singular] = doc.date;
		doc.sequence_number = `${number}/${series.serie}`;
		doc.inverted_sequence_number = `${series.serie}/${number}`;
		doc.atcud = `${series.validation_code}-${number}`;
		doc.saft_hash = randomBytes(3).toString('base64').slice(0, 4);
		doc.finalizedAt ??= Date.now();
		return null;
	}

	function changeState(kind: DocKind, id: string, body: Json): Answer {
		const doc = findDocument(kind, id);
		if (!doc) return errorObject(404, 'Document not found');
		// The body is wrapped in `invoice` whatever the document type (CS-DOC).
		const payload = isObj(body.invoice) ? body.invoice : {};
		const target = asString(payload.state);
		const message = asString(payload.message).trim();
		const cantHandle = () => errorObject(422, `CantHandle: ${target} for ${kind.type}`);
		const isNote = kind.type === 'CreditNote' || kind.type === 'DebitNote';

		let next: IxDocumentStatus;
		if (doc.status === 'draft' && target === 'finalized') {
			next = kind.type === 'InvoiceReceipt' ? 'settled' : 'final';
		} else if (doc.status === 'draft' && target === 'deleted') {
			next = 'deleted';
		} else if (
			target === 'canceled' &&
			(doc.status === 'final' || (doc.status === 'settled' && kind.type === 'InvoiceReceipt'))
		) {
			if (message === '')
				return errorObject(422, 'When cancelling a document you must specify a reason');
			// A credited invoice is corrected by its credit notes, never canceled under them (inferred,
			// strict on purpose: the package must check before it asks).
			const credited = state.documents.some((d) => d.type === 'CreditNote' && d.owner_invoice_id === doc.id && ['final', 'settled'].includes(d.status));
			if (credited) {
				state.illegalTransitions.push({ documentId: doc.id, from: doc.status, target, at: Date.now() });
				return errorObject(422, 'Document has credit notes and cannot be canceled');
			}
			next = 'canceled';
		} else if (doc.status === 'final' && target === 'settled') {
			next = 'settled';
		} else if (doc.status === 'settled' && target === 'unsettled' && isNote) {
			next = 'final';
		} else {
			state.illegalTransitions.push({ documentId: doc.id, from: doc.status, target, at: Date.now() });
			return cantHandle();
		}

		if (target === 'finalized') {
			// The credited total of an invoice never exceeds the invoice (inferred from the law; strict).
			if (kind.type === 'CreditNote' && doc.owner_invoice_id !== null) {
				const owner = state.documents.find((d) => d.id === doc.owner_invoice_id);
				const earlier = state.documents
					.filter((d) => d.type === 'CreditNote' && d.owner_invoice_id === doc.owner_invoice_id && d.id !== doc.id && ['final', 'settled'].includes(d.status))
					.reduce((sum, d) => sum + d.total, 0);
				if (owner && earlier + doc.total > owner.total + 0.005) {
					state.illegalTransitions.push({ documentId: doc.id, from: doc.status, target, at: Date.now() });
					return errorObject(422, `The credited amount (${(earlier + doc.total).toFixed(2)}) exceeds the invoice total (${owner.total.toFixed(2)})`);
				}
			}
			const refused = finalize(kind, doc);
			if (refused) return refused;
		}
		doc.status = next;
		doc.stateMessage = message === '' ? null : message;
		doc.updatedAt = Date.now();
		if (next === 'canceled') doc.canceledAt = doc.updatedAt;
		return json(200, { [kind.singular]: documentForApi(doc) });
	}

	function emailDocument(kind: DocKind, id: string, body: Json): Answer {
		const doc = findDocument(kind, id);
		if (!doc) return errorObject(404, 'Document not found');
		if (emailRefusal !== undefined) return errorObject(422, emailRefusal);
		const message = isObj(body.message) ? body.message : {};
		const client = isObj(message.client) ? message.client : {};
		const to = asString(client.email).trim();
		if (to === '') return errorObject(422, 'Email is a required field');
		if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(to)) return errorObject(422, 'Email is invalid');
		// Unknown in the docs whether IX refuses drafts; a draft has no legal value, so refuse.
		if (doc.status === 'draft') return errorObject(422, 'Document is a draft');
		if (doc.status === 'deleted') return errorObject(422, 'Document is deleted');
		const save = asString(client.save);
		state.emails.push({
			documentId: doc.id,
			to,
			subject: asString(message.subject),
			body: asString(message.body),
			cc: asString(message.cc),
			bcc: asString(message.bcc),
			logo: asString(message.logo),
			save,
			at: Date.now(),
		});
		if (save === '1') {
			const stored = state.clients.find((c) => c.id === doc.client.id);
			if (stored) stored.email = to;
		}
		return empty(200);
	}

	function pdf(id: string, baseUrl: string): Answer {
		const doc = state.documents.find((d) => String(d.id) === id);
		if (!doc) return empty(404);
		if (doc.status === 'draft' || doc.status === 'deleted') {
			return json(422, {
				error: { code: '422', message: `The ${id} provided is in an invalid state.` },
			});
		}
		doc.pdfRequests++;
		if (doc.pdfRequests <= pdfPendingPolls) {
			return json(202, {
				accepted: { code: '202', message: 'PDF is being generated, keep requesting' },
			});
		}
		return json(200, { output: { pdfUrl: `${baseUrl}/files/${doc.id}.pdf` } });
	}

	function pdfFile(id: string): Answer {
		const doc = state.documents.find((d) => String(d.id) === id);
		if (!doc || doc.status === 'draft' || doc.status === 'deleted')
			return html(404, NOT_FOUND_PAGE);
		const kind = KIND_BY_TYPE.get(doc.type) as DocKind;
		const lines = [
			`${kind.prefix} ${doc.inverted_sequence_number ?? ''}`,
			`ATCUD: ${doc.atcud ?? ''}`,
			`Data: ${doc.date}`,
			`Cliente: ${doc.client.name}`,
			`Total: ${doc.total.toFixed(2)} ${doc.currency_code ?? 'EUR'}`,
		];
		if (doc.status === 'canceled') lines.push('ANULADO');
		return { status: 200, contentType: 'application/pdf', body: buildPdf(lines) };
	}

	function listDocuments(query: Record<string, string | string[]>): Answer {
		const now = Date.now() + clockSkewMs;
		const types = multi(query, 'type[]');
		// Only the documented filter values (reference: SimplifiedInvoice is not one): anything else is
		// refused loudly, so the package never relies on a value the service may ignore.
		const documented = ['Invoice', 'InvoiceReceipt', 'CreditNote', 'DebitNote', 'Receipt', 'CashInvoice'];
		const undocumented = types?.find((t) => !documented.includes(t));
		if (undocumented) return errorList(422, [`type[] "${undocumented}" is not a documented filter value`]);
		const statuses = multi(query, 'status[]')?.map((s) => (s === 'sent' ? 'final' : s));
		const reference = single(query, 'reference');
		const text = single(query, 'text')?.toLowerCase();
		const from = parseDate(single(query, 'date[from]'));
		const to = parseDate(single(query, 'date[to]'));
		// `non_archived` / `archived` (reference §3 list filters; semantics inferred, read strictly): each
		// flag selects its own set, both select both, neither the non-archived (what the web app shows).
		// An archived document is therefore invisible to a list that asks only for non-archived ones.
		const wantArchived = single(query, 'archived') === 'true';
		const wantLive = single(query, 'non_archived') === 'true' || !wantArchived || archivedReading === 'all';
		const matches = state.documents.filter((doc) => {
			if (doc.archived ? !wantArchived : !wantLive) return false;
			if (types && !types.includes(doc.type)) return false;
			if (statuses ? !statuses.includes(doc.status) : doc.status === 'deleted') return false;
			if (reference !== undefined) {
				if (doc.reference !== reference) return false;
				// Emulates the search index lagging behind writes (seen by SQB).
				if (now - doc.referenceIndexedAt < referenceLagMs) return false;
			}
			if (
				text &&
				!doc.client.name.toLowerCase().includes(text) &&
				!doc.reference.toLowerCase().includes(text)
			) {
				return false;
			}
			const date = parseDate(doc.date) ?? 0;
			if (from !== null && date < from) return false;
			if (to !== null && date > to) return false;
			return true;
		});
		matches.sort((a, b) => b.id - a.id);
		const { page, pagination } = paginate(matches, query);
		return json(200, { invoices: page.map(documentForApi), pagination });
	}

	function relatedDocuments(id: string): Answer {
		const doc = state.documents.find((d) => String(d.id) === id);
		if (!doc) return empty(404);
		const related = state.documents.filter(
			(d) => d.owner_invoice_id === doc.id && d.status !== 'deleted',
		);
		return json(200, { documents: related.map(documentForApi) });
	}

	// ----- routing ------------------------------------------------------------------------------

	async function route(
		method: string,
		path: string,
		query: Record<string, string | string[]>,
		body: Json,
		baseUrl: string,
	): Promise<Answer | null> {
		let m: RegExpExecArray | null;
		if (path === '/taxes.json' && method === 'GET') return json(200, { taxes: state.taxes });
		if (path === '/sequences.json' && method === 'GET') {
			return json(200, { sequences: state.sequences.map(sequenceForApi) });
		}
		if ((m = /^\/sequences\/(\d+)\.json$/.exec(path)) && method === 'GET') {
			const series = state.sequences.find((s) => String(s.id) === m?.[1]);
			return series ? json(200, { sequence: sequenceForApi(series) }) : empty(404);
		}

		if (path === '/clients.json') {
			if (method === 'GET') {
				const { page, pagination } = paginate(state.clients, query);
				return json(200, { clients: page.map(clientForApi), pagination });
			}
			if (method === 'POST') return createClient(body);
		}
		if (path === '/clients/find-by-name.json' || path === '/clients/find-by-code.json') {
			if (method === 'GET') {
				const byName = path.endsWith('find-by-name.json');
				const wanted = single(query, byName ? 'client_name' : 'client_code');
				// Exact match only: the docs warn that partial search is not supported.
				const client = state.clients.find((c) => (byName ? c.name : c.code) === wanted);
				return client
					? json(200, { client: clientForApi(client) })
					: errorList(404, ['Client not found']);
			}
		}
		if ((m = /^\/clients\/(\d+)\.json$/.exec(path))) {
			if (method === 'GET') {
				const client = state.clients.find((c) => String(c.id) === m?.[1]);
				return client ? json(200, { client: clientForApi(client) }) : empty(404);
			}
			if (method === 'PUT') return updateClient(m[1], body);
		}

		if (path === '/invoices.json' && method === 'GET') return listDocuments(query);
		if ((m = /^\/([a-z_]+)\.json$/.exec(path)) && method === 'POST') {
			const kind = KIND_BY_PATH.get(m[1]);
			if (kind) return createDocument(kind, body);
		}
		if ((m = /^\/([a-z_]+)\/(\d+)\.json$/.exec(path))) {
			const kind = KIND_BY_PATH.get(m[1]);
			if (kind && method === 'GET') {
				const doc = findDocument(kind, m[2]);
				return doc ? json(200, { [kind.singular]: documentForApi(doc) }) : empty(404);
			}
			if (kind && method === 'PUT') return updateDocument(kind, m[2], body);
		}
		if (
			(m = /^\/([a-z_]+)\/(\d+)\/(change-state|email-document)\.json$/.exec(path)) &&
			method === 'PUT'
		) {
			const kind = KIND_BY_PATH.get(m[1]);
			if (kind && m[3] === 'change-state') return changeState(kind, m[2], body);
			if (kind) return emailDocument(kind, m[2], body);
		}
		if ((m = /^\/api\/pdf\/(\d+)\.json$/.exec(path)) && method === 'GET') return pdf(m[1], baseUrl);
		if ((m = /^\/files\/(\d+)\.pdf$/.exec(path)) && method === 'GET') return pdfFile(m[1]);
		if ((m = /^\/document\/(\d+)\/related_documents\.json$/.exec(path)) && method === 'GET') {
			return relatedDocuments(m[1]);
		}
		return html(404, NOT_FOUND_PAGE);
	}

	// ----- transport ----------------------------------------------------------------------------

	function drop(record: RecordedRequest, res: ServerResponse): void {
		record.status = 0;
		res.socket?.destroy();
	}

	async function answer(record: RecordedRequest, res: ServerResponse, a: Answer): Promise<void> {
		await wait(faults.latencyMs);
		if (closed || res.destroyed) return drop(record, res);
		record.status = a.status;
		const body = typeof a.body === 'string' ? Buffer.from(a.body, 'utf8') : a.body;
		res.writeHead(a.status, {
			'Content-Type': a.contentType,
			'Content-Length': String(body.length),
			...a.headers,
		});
		res.end(body);
	}

	async function handle(req: IncomingMessage, res: ServerResponse, baseUrl: string): Promise<void> {
		const method = req.method ?? 'GET';
		const url = new URL(req.url ?? '/', baseUrl);
		const path = url.pathname;
		const query = parseQuery(url);
		const { raw, json: parsed } = await readBody(req);
		const record: RecordedRequest = {
			method,
			path,
			query,
			headers: { ...req.headers },
			body: parsed === undefined ? '' : parsed,
			status: 0,
			fault: 'none',
			at: Date.now(),
		};
		requests.push(record);

		// pdfUrl points at file storage, which needs no API key and is not rate-limited.
		const isFile = /^\/files\/\d+\.pdf$/.test(path);
		if (!isFile) {
			if (single(query, 'api_key') !== apiKey || Array.isArray(query.api_key)) {
				return answer(record, res, errorObject(401, 'Invalid API key'));
			}
			if (!acceptByRateLimit()) return answer(record, res, json(429, TOO_MANY));
		}

		const fault = faults.decide({ method, path });
		record.fault = fault;
		switch (fault) {
			case 'status429': {
				const a = json(429, TOO_MANY);
				const retryAfter = faults.retryAfterSeconds;
				if (retryAfter !== undefined) a.headers = { 'Retry-After': String(retryAfter) };
				return answer(record, res, a);
			}
			case 'status500':
				return answer(
					record,
					res,
					json(500, { error: { code: '500', message: 'Internal Server Error' } }),
				);
			case 'status502':
				return answer(record, res, html(502, BAD_GATEWAY_PAGE));
			case 'status503':
				return answer(record, res, html(503, UNAVAILABLE_PAGE));
			case 'reset':
				await wait(faults.latencyMs);
				return drop(record, res);
			default:
				break;
		}

		// Like Rails, a body not declared as JSON is not parsed into parameters.
		const declaredJson = /application\/json/i.test(req.headers['content-type'] ?? '');
		if (declaredJson && raw.trim() !== '' && typeof parsed === 'string') {
			return answer(record, res, errorObject(400, 'Invalid JSON in request body'));
		}
		const body = declaredJson && isObj(parsed) ? parsed : {};

		const result = await route(method, path, query, body, baseUrl);
		if (result === null || closed) return drop(record, res);
		if (fault === 'lostResponse') {
			await wait(faults.latencyMs);
			return drop(record, res);
		}
		if (fault === 'slow') await wait(faults.slowMs);
		return answer(record, res, result);
	}

	const server = createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	const url = `http://127.0.0.1:${port}`;

	server.on('request', (req: IncomingMessage, res: ServerResponse) => {
		handle(req, res, url).catch((error: unknown) => {
			if (res.headersSent || res.destroyed) return;
			const message = error instanceof Error ? error.message : String(error);
			res.writeHead(500, { 'Content-Type': JSON_TYPE });
			res.end(JSON.stringify({ error: { code: '500', message: `Sandbox error: ${message}` } }));
		});
	});

	return {
		url,
		apiKey,
		requests,
		state,
		faults,
		setRateLimit(newPerWindow: number, newWindowMs: number): void {
			perWindow = newPerWindow;
			windowMs = newWindowMs;
			windowStart = 0;
			usedInWindow = 0;
		},
		reset(): void {
			// Arrays are emptied in place: tests may hold references to them.
			state.clients.length = 0;
			state.documents.length = 0;
			state.emails.length = 0;
			state.illegalTransitions.length = 0;
			clockSkewMs = 0;
			archivedReading = 'own';
			emailRefusal = undefined;
			requests.length = 0;
			uids.clear();
			windowStart = 0;
			usedInWindow = 0;
			state.sequences.splice(0, state.sequences.length, ...initialSequences.map(toSequence));
		},
		advanceClock(ms: number): void {
			clockSkewMs += ms;
		},
		setReferenceLag(ms: number): void {
			referenceLagMs = ms;
		},
		refuseEmails(message: string | undefined): void {
			emailRefusal = message;
		},
		setArchivedReading(reading: 'own' | 'all'): void {
			archivedReading = reading;
		},
		archive(id: number): void {
			const doc = state.documents.find((d) => d.id === id);
			if (!doc) throw new Error(`no document ${id}`);
			doc.archived = true;
		},
		legalDocuments(): IxDocument[] {
			return state.documents.filter((d) => d.finalizedAt !== null && d.status !== 'deleted');
		},
		async close(): Promise<void> {
			closed = true;
			for (const entry of pending) {
				clearTimeout(entry.timer);
				entry.resolve();
			}
			pending.clear();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
