/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Stateful stand-in for the ePages Base/Now REST API (`/rs/shops/{shopId}`), built from
 * /work/shared/reference/epages.md. Where the docs are silent, these choices were made, each the
 * reading that is harder on a client so that a node which passes here survives the real shop:
 *
 * - `createdAfter` is INCLUSIVE (creationDate >= value) and `createdBefore` exclusive (<). A poller
 *   that passes its last seen creationDate gets that order again and must dedupe by orderId.
 * - `/orders` is sorted newest first (creationDate descending, ties by orderId ascending), so new
 *   orders shift the pages under a client that is paging.
 * - `lastUpdatedOnDate` moves only on content changes (lines, addresses, shipping or payment), never
 *   on status stamps, notes or comments: the docs list no status change among the `updatedFrom`
 *   triggers. A trigger that wants "paid" events has to poll the status filters.
 * - The 1-year limit applies when `createdAfter` is given (window up to `createdBefore`, or now).
 * - `couponLineItem.lineItemPrice` is negative with taxType NONE, each line's `lineItemCouponDiscount`
 *   is positive, as in the docs' cart example. Tax is computed per rate on the discounted amounts.
 * - Top-level `grandTotal`/`totalBeforeTax`/`totalTax` are JS number strings ("55.6", "0"), not
 *   two-decimal strings, as in the docs' examples.
 * - JSON answers echo `application/vnd.epages.v1+json` when the client asked for it, else
 *   `application/json`. Gateway-level errors (401, 404 of a route or shop, 405, 406, 415, 429) are
 *   Jetty HTML pages; errors about a request's content (400, 403, 404 of an entity, 409) are JSON.
 * - Tax classes and tax model need no scope; `includeInvisible=true` on products needs products_write.
 * - The rate-limit window runs on real time (not `now`) so that tests can let a scaled window expire.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { FaultInjector, prng, type Fault, type FaultConfig } from './faults';
import { parseQuery, readBody, type RecordedRequest } from './recorder';

// ---------------------------------------------------------------------------------------------
// Types (documented field names; extra fields allowed)
// ---------------------------------------------------------------------------------------------

export type EPagesTaxType = 'GROSS' | 'NET' | 'NONE';

export interface EPagesPrice {
	taxType: EPagesTaxType;
	formatted: string;
	amount: number;
	currency: string;
}

export interface EPagesQuantity {
	amount: number;
	unit: string;
}

export interface EPagesLink {
	rel: string;
	href: string;
}

export interface EPagesTaxClass {
	taxClassId: string;
	name: string;
	percentage: number;
	[key: string]: unknown;
}

export interface EPagesAddress {
	company?: string | null;
	salutation?: string | null;
	title?: string | null;
	firstName?: string | null;
	middleName?: string | null;
	lastName?: string | null;
	displayName?: string | null;
	gender?: string | null;
	birthday?: string | null;
	street?: string | null;
	streetDetails?: string | null;
	addressExtension?: string | null;
	zipCode?: string | null;
	city?: string | null;
	state?: string | null;
	country?: string | null;
	doorCode?: string | null;
	vatId?: string | null;
	fiscalCode?: string | null;
	emailAddress?: string | null;
	businessEmailAddress?: string | null;
	privateEmailAddress?: string | null;
	phoneNumber?: string | null;
	mobilePhoneNumber?: string | null;
	businessPhoneNumber?: string | null;
	privatePhoneNumber?: string | null;
	faxNumber?: string | null;
	websiteUrl?: string | null;
	jobTitle?: string | null;
	department?: string | null;
	bankAccountHolder?: string | null;
	bankAccountNumber?: string | null;
	bankName?: string | null;
	bankSortCode?: string | null;
	[key: string]: unknown;
}

export interface EPagesLineItem {
	lineItemId: string;
	sku: string;
	name: string;
	productId: string | null;
	variationString: string | null;
	essentialFeatures?: string | null;
	quantity: EPagesQuantity;
	singleItemPrice: EPagesPrice;
	lineItemPrice: EPagesPrice;
	lineItemCouponDiscount?: EPagesPrice | null;
	taxClass: EPagesTaxClass;
	deliveryWeight?: EPagesQuantity | null;
	links?: EPagesLink[];
	[key: string]: unknown;
}

export interface EPagesCouponLineItem {
	couponLineItemId: string;
	couponCampaignId: string;
	/** Negative, taxType NONE. */
	lineItemPrice: EPagesPrice;
	validationErrors: string[];
	[key: string]: unknown;
}

export interface EPagesLineItemContainer {
	grandTotal: EPagesPrice;
	totalBeforeTax: EPagesPrice;
	totalTax: EPagesPrice;
	lineItemsSubTotal: EPagesPrice;
	shippingPrice: EPagesPrice;
	productLineItems: EPagesLineItem[];
	couponLineItem: EPagesCouponLineItem | null;
	deposits: unknown[];
	ecoParticipations: unknown[];
	shippingOptions: unknown[];
	basketDiscount: unknown;
	[key: string]: unknown;
}

export interface EPagesTaxEntry {
	taxClass: EPagesTaxClass;
	price: EPagesPrice;
}

export interface EPagesShippingData {
	shippingMethod: { id: string; name: string };
	price: EPagesPrice;
	taxes: EPagesTaxEntry[] | null;
	[key: string]: unknown;
}

export interface EPagesPaymentData {
	paymentMethod: {
		id: string;
		name: string;
		providerName: string | null;
		additionalData: unknown;
	};
	transactionId: string | null;
	price: EPagesPrice;
	status: 'CANCELED' | 'FAILED' | null;
	taxes: EPagesTaxEntry[] | null;
	[key: string]: unknown;
}

export const EPAGES_STATUS_FIELDS = [
	'viewedOn',
	'inProcessOn',
	'pendingOn',
	'readyForDispatchOn',
	'rejectedOn',
	'partiallyDispatchedOn',
	'dispatchedOn',
	'deliveredOn',
	'returnedOn',
	'partiallyInvoicedOn',
	'invoicedOn',
	'partiallyPaidOn',
	'paidOn',
	'closedOn',
	'archivedOn',
] as const;
export type EPagesStatusField = (typeof EPAGES_STATUS_FIELDS)[number];

/** The status flags `GET /orders` can filter by (the docs name no others). */
export const EPAGES_STATUS_FILTERS = [
	'viewedOn',
	'pendingOn',
	'archivedOn',
	'rejectedOn',
	'closedOn',
	'dispatchedOn',
	'paidOn',
	'returnedOn',
	'deliveredOn',
	'invoicedOn',
] as const;

/** An order as `GET /orders` lists it: everything but `lineItemContainer`. */
export interface EPagesOrderSummary {
	orderId: string;
	orderNumber: string;
	creationDate: string;
	customerId: string | null;
	customerNumber: string | null;
	locale: string;
	currencyId: string;
	taxModel: 'GROSS' | 'NET';
	grandTotal: string;
	totalBeforeTax: string;
	totalTax: string;
	customerComment: string | null;
	internalNote: string | null;
	billingAddress: EPagesAddress;
	shippingAddress: EPagesAddress | null;
	shippingData: EPagesShippingData | null;
	paymentData: EPagesPaymentData | null;
	viewedOn: string | null;
	inProcessOn: string | null;
	pendingOn: string | null;
	readyForDispatchOn: string | null;
	rejectedOn: string | null;
	partiallyDispatchedOn: string | null;
	dispatchedOn: string | null;
	deliveredOn: string | null;
	returnedOn: string | null;
	partiallyInvoicedOn: string | null;
	invoicedOn: string | null;
	partiallyPaidOn: string | null;
	paidOn: string | null;
	closedOn: string | null;
	archivedOn: string | null;
	lastUpdatedOnDate: string | null;
	links?: EPagesLink[];
	[key: string]: unknown;
}

/** A full order, as `GET /orders/{orderId}` returns it. */
export interface EPagesOrder extends EPagesOrderSummary {
	lineItemContainer: EPagesLineItemContainer;
}

export interface EPagesCustomer {
	customerId: string;
	customerNumber: string;
	creationDate: string;
	billingAddress: EPagesAddress;
	internalNote: string | null;
	links?: EPagesLink[];
	[key: string]: unknown;
}

export interface EPagesProduct {
	productId: string;
	productNumber: string;
	name: string;
	shortDescription: string | null;
	description: string | null;
	priceInfo: {
		price: EPagesPrice;
		taxClass: EPagesTaxClass;
		quantity: EPagesQuantity;
		[key: string]: unknown;
	};
	visible: boolean;
	forSale: boolean;
	stocklevel?: number | null;
	ean?: string | null;
	upc?: string | null;
	manufacturer?: string | null;
	deliveryWeight?: EPagesQuantity | null;
	productVariationType?: string;
	links?: EPagesLink[];
	[key: string]: unknown;
}

export interface EPagesShopInfo {
	name: string;
	email: string;
	slogan: string | null;
	logoUrl: string | null;
	sfUrl: string;
	mboUrl: string;
	isInEU: boolean;
	countryCode2: string;
	[key: string]: unknown;
}

export interface EPagesDocument {
	orderId: string;
	documentType: 'Invoice' | 'CreditNote';
	documentNumber: string;
	issueDate: string;
	creationDate: string;
	address: EPagesAddress;
	lineItemContainer: EPagesLineItemContainer;
	documentPdf?: string;
	links?: EPagesLink[];
}

/** The seed file `test/fixtures/epages/shop.json`. */
export interface EPagesShopFixture {
	shop: EPagesShopInfo;
	taxModel: Record<string, unknown>;
	taxClasses: EPagesTaxClass[];
	shippingMethods: Array<{ id: string; name: string; price: number; taxClassId: string }>;
	paymentMethods: Array<{
		id: string;
		name: string;
		providerName: string | null;
		fee: number;
		taxClassId: string;
	}>;
	customers: EPagesCustomer[];
	products: EPagesProduct[];
	orders: EPagesOrder[];
}

/** A line for `addOrder`/`updateOrder`: give a product (`sku` or `productId`) and the rest is filled in. */
export interface EPagesLineItemInput {
	lineItemId?: string;
	sku?: string;
	name?: string;
	productId?: string | null;
	variationString?: string | null;
	quantity?: number | EPagesQuantity;
	/** A price object, or a plain amount in the order's tax model. */
	singleItemPrice?: EPagesPrice | number;
	taxClass?: EPagesTaxClass;
	[key: string]: unknown;
}

/** What `addOrder`/`updateOrder` accept: any `Partial<EPagesOrder>`, with looser line items. */
export interface EPagesOrderInput extends Partial<EPagesOrderSummary> {
	lineItemContainer?: {
		productLineItems?: EPagesLineItemInput[];
		couponLineItem?: EPagesCouponLineItem | null;
		[key: string]: unknown;
	};
}

export type EPagesSeed = 'shop' | 'empty' | EPagesOrder[];

export interface EPagesSandboxOptions {
	/** Default 'DemoShop'. */
	shopId?: string;
	/** Default 'ep-test-token-0123456789abcdef'. */
	token?: string;
	/** Scopes of `token`; default orders_read, orders_write, customers_read, products_read. */
	scopes?: string[];
	/** More valid tokens with their scopes. */
	extraTokens?: Record<string, string[]>;
	/** Default 'shop' (the fixture). 'empty' keeps the fixture's customers and products, no orders. */
	seed?: EPagesSeed;
	/** Default 6000 per `rateWindowMs`. */
	rateLimitPerHour?: number;
	/** Default 3600000. */
	rateWindowMs?: number;
	faults?: FaultConfig;
	/** Clock for new orders, `lastUpdatedOnDate` and the 1-year window; default real time. */
	now?: () => Date;
}

export interface EPagesSandbox {
	url: string;
	apiUrl: string;
	token: string;
	shopId: string;
	requests: RecordedRequest[];
	faults: FaultInjector;
	orders: EPagesOrder[];
	/**
	 * Runs as each request arrives, before it is answered: the shop changing between the pages a
	 * client reads. Unset by default.
	 */
	onRequest?: (req: RecordedRequest) => void;
	addOrder(order?: EPagesOrderInput, opts?: { creationDate?: string }): EPagesOrder;
	updateOrder(orderId: string, changes: EPagesOrderInput): EPagesOrder;
	setStatus(orderId: string, field: EPagesStatusField, value: string | null): void;
	setEditMode(orderId: string, on: boolean): void;
	/**
	 * How the list reads `flag=false`: as "not set" (the inferred reading), not at all, or the wrong
	 * way round. The documentation shows it only in an example, so clients must cope with all three.
	 */
	falseFilter: 'honoured' | 'ignored' | 'inverted';
	setRateLimit(perWindow: number, windowMs: number): void;
	reset(seed?: EPagesSeed): void;
	close(): Promise<void>;
}

// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- fixed sandbox token, valid only against this local server
export const EPAGES_DEFAULT_TOKEN = 'ep-test-token-0123456789abcdef';
export const EPAGES_DEFAULT_SCOPES = [
	'orders_read',
	'orders_write',
	'customers_read',
	'products_read',
];
export const EPAGES_FIXTURE_PATH = join(__dirname, '..', 'fixtures', 'epages', 'shop.json');

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

const CURRENCY_SYMBOLS: Record<string, string> = { EUR: '€', USD: '$', GBP: '£', CHF: 'CHF' };

export function toCents(amount: number): number {
	return Math.round(amount * 100);
}

export function makePrice(cents: number, taxType: EPagesTaxType, currency = 'EUR'): EPagesPrice {
	const symbol = CURRENCY_SYMBOLS[currency] ?? currency;
	return {
		taxType,
		formatted: `${(cents / 100).toFixed(2)} ${symbol}`,
		amount: cents / 100,
		currency,
	};
}

/** Tax contained in (GROSS) or due on (NET) an amount, rounded half-up to the cent. */
export function taxOf(cents: number, rate: number, model: 'GROSS' | 'NET'): number {
	if (rate === 0 || cents === 0) return 0;
	return Math.round((cents * rate) / (model === 'GROSS' ? 100 + rate : 100));
}

/**
 * Recomputes every derived amount of an order in place: line prices from single price × quantity,
 * coupon shares, container totals, shipping/payment tax entries and the top-level strings. Tax is
 * summed per rate before rounding, as a shop computes an invoice's VAT summary.
 */
export function recomputeTotals(order: EPagesOrder): void {
	const model = order.taxModel;
	const currency = order.currencyId;
	const container = order.lineItemContainer;
	const lines = container.productLineItems;
	for (const line of lines) {
		const cents = Math.round(toCents(line.singleItemPrice.amount) * line.quantity.amount);
		line.singleItemPrice = makePrice(toCents(line.singleItemPrice.amount), model, currency);
		line.lineItemPrice = makePrice(cents, model, currency);
	}
	const subTotal = lines.reduce((sum, line) => sum + toCents(line.lineItemPrice.amount), 0);

	const coupon = container.couponLineItem;
	const couponCents = coupon ? -Math.abs(toCents(coupon.lineItemPrice.amount)) : 0;
	if (coupon) {
		coupon.lineItemPrice = makePrice(couponCents, 'NONE', currency);
		const given = lines.reduce((sum, l) => sum + toCents(l.lineItemCouponDiscount?.amount ?? 0), 0);
		if (given !== -couponCents) distributeCoupon(lines, -couponCents, model, currency);
	} else {
		for (const line of lines) line.lineItemCouponDiscount = null;
	}

	const byRate = new Map<number, number>();
	const add = (rate: number, cents: number) => byRate.set(rate, (byRate.get(rate) ?? 0) + cents);
	for (const line of lines) {
		add(
			line.taxClass.percentage,
			toCents(line.lineItemPrice.amount) - toCents(line.lineItemCouponDiscount?.amount ?? 0),
		);
	}
	let shippingCents = 0;
	if (order.shippingData) {
		shippingCents = toCents(order.shippingData.price.amount);
		order.shippingData.price = makePrice(shippingCents, model, currency);
		const entry = order.shippingData.taxes?.[0];
		add(entry?.taxClass.percentage ?? 0, shippingCents);
		if (entry) {
			entry.price = makePrice(
				taxOf(shippingCents, entry.taxClass.percentage, model),
				'NONE',
				currency,
			);
		}
	}
	let feeCents = 0;
	if (order.paymentData) {
		feeCents = toCents(order.paymentData.price.amount);
		order.paymentData.price = makePrice(feeCents, model, currency);
		const entry = order.paymentData.taxes?.[0];
		if (feeCents !== 0) add(entry?.taxClass.percentage ?? 0, feeCents);
		if (entry) {
			entry.price = makePrice(taxOf(feeCents, entry.taxClass.percentage, model), 'NONE', currency);
		}
	}
	let taxCents = 0;
	for (const [rate, cents] of byRate) taxCents += taxOf(cents, rate, model);

	const base = subTotal + couponCents + shippingCents + feeCents;
	const grand = model === 'GROSS' ? base : base + taxCents;
	const before = model === 'GROSS' ? base - taxCents : base;
	container.grandTotal = makePrice(grand, 'GROSS', currency);
	container.totalBeforeTax = makePrice(before, 'NET', currency);
	container.totalTax = makePrice(taxCents, 'NONE', currency);
	container.lineItemsSubTotal = makePrice(subTotal, model, currency);
	container.shippingPrice = makePrice(shippingCents, model, currency);
	order.grandTotal = String(grand / 100);
	order.totalBeforeTax = String(before / 100);
	order.totalTax = String(taxCents / 100);
}

/** Splits a coupon over the lines in proportion to their price; the last line takes the remainder. */
function distributeCoupon(
	lines: EPagesLineItem[],
	couponCents: number,
	model: 'GROSS' | 'NET',
	currency: string,
): void {
	const subTotal = lines.reduce((sum, line) => sum + toCents(line.lineItemPrice.amount), 0);
	let left = couponCents;
	lines.forEach((line, index) => {
		const share =
			index === lines.length - 1 || subTotal === 0
				? left
				: Math.round((couponCents * toCents(line.lineItemPrice.amount)) / subTotal);
		left -= share;
		line.lineItemCouponDiscount = makePrice(share, model, currency);
	});
}

// ---------------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------------

let fixtureCache: EPagesShopFixture | undefined;

export function loadEPagesFixture(): EPagesShopFixture {
	fixtureCache ??= JSON.parse(readFileSync(EPAGES_FIXTURE_PATH, 'utf8')) as EPagesShopFixture;
	return clone(fixtureCache);
}

function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

const ADDRESS_KEYS = [
	'company',
	'salutation',
	'title',
	'firstName',
	'middleName',
	'lastName',
	'displayName',
	'gender',
	'birthday',
	'street',
	'streetDetails',
	'addressExtension',
	'zipCode',
	'city',
	'state',
	'country',
	'doorCode',
	'vatId',
	'fiscalCode',
	'emailAddress',
	'businessEmailAddress',
	'privateEmailAddress',
	'phoneNumber',
	'mobilePhoneNumber',
	'businessPhoneNumber',
	'privatePhoneNumber',
	'faxNumber',
	'websiteUrl',
	'jobTitle',
	'department',
	'bankAccountHolder',
	'bankAccountNumber',
	'bankName',
	'bankSortCode',
];

/** The shop fills every address key (null when unknown); clients must not rely on absence. */
function fullAddress(address: EPagesAddress): EPagesAddress {
	const out: EPagesAddress = {};
	for (const key of ADDRESS_KEYS) out[key] = address[key] ?? null;
	for (const [key, value] of Object.entries(address)) if (!(key in out)) out[key] = value;
	if (!out.displayName) {
		out.displayName = [out.firstName, out.lastName].filter(Boolean).join(' ') || null;
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------

interface Answer {
	status: number;
	headers: Record<string, string>;
	body: string;
}

const REASONS: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	406: 'Not Acceptable',
	409: 'Conflict',
	415: 'Unsupported Media Type',
	429: 'Too Many Requests',
	500: 'Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
};

const JSON_5XX_MESSAGES: Record<number, string> = {
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
};

function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function jettyPage(status: number, path: string): Answer {
	const reason = REASONS[status] ?? 'Error';
	const body =
		`<html><head><title>Error ${status} ${reason}</title></head><body><h2>HTTP ERROR ${status}</h2>\n` +
		`<p>Problem accessing ${escapeHtml(path)}. Reason:\n<pre>    ${reason}</pre></p>` +
		`<hr/><a href="https://eclipse.org/jetty">Powered by Jetty:// 9.4.53.v20231009</a><hr/>\n` +
		`</body></html>\n`;
	return { status, headers: { 'Content-Type': 'text/html;charset=iso-8859-1' }, body };
}

type Mime = 'vnd' | 'json';

function jsonAnswer(status: number, payload: unknown, mime: Mime = 'json'): Answer {
	const type = mime === 'vnd' ? 'application/vnd.epages.v1+json' : 'application/json';
	return {
		status,
		headers: { 'Content-Type': `${type};charset=UTF-8` },
		body: JSON.stringify(payload),
	};
}

function jsonError(status: number, message: string, mime: Mime = 'json'): Answer {
	return jsonAnswer(status, { message, status: String(status) }, mime);
}

/** null: nothing acceptable (406); otherwise the media type to answer with. */
function negotiate(accept: string | undefined): Mime | null {
	if (accept === undefined || accept.trim() === '') return 'json';
	const types = accept
		.split(',')
		.map((part) => part.split(';')[0].trim().toLowerCase())
		.filter(Boolean);
	if (types.includes('application/vnd.epages.v1+json')) return 'vnd';
	if (types.some((t) => t === 'application/json' || t === '*/*' || t === 'application/*')) {
		return 'json';
	}
	return null;
}

function first(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

function parseIso(value: string): number | undefined {
	// Date-only values are accepted by the shop; anything Date.parse cannot read is not.
	if (!/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
		return undefined;
	}
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? undefined : ms;
}

function addYear(ms: number): number {
	const date = new Date(ms);
	date.setUTCFullYear(date.getUTCFullYear() + 1);
	return date.getTime();
}

class HttpError extends Error {
	constructor(readonly answer: Answer) {
		super(`HTTP ${answer.status}`);
	}
}

function badRequest(message: string, mime: Mime): HttpError {
	return new HttpError(jsonError(400, message, mime));
}

function parseBool(
	query: Record<string, string | string[]>,
	name: string,
	mime: Mime,
): boolean | undefined {
	const raw = first(query[name]);
	if (raw === undefined) return undefined;
	if (raw === 'true') return true;
	if (raw === 'false') return false;
	throw badRequest(
		`Invalid value '${raw}' for query parameter ${name}: expected true or false`,
		mime,
	);
}

function paginate<T>(
	items: T[],
	query: Record<string, string | string[]>,
	mime: Mime,
): { results: number; page: number; resultsPerPage: number; items: T[] } {
	const pageRaw = first(query.page) ?? '1';
	const sizeRaw = first(query.resultsPerPage) ?? '10';
	if (!/^\d+$/.test(pageRaw) || Number(pageRaw) < 1) {
		throw badRequest(
			`Invalid value '${pageRaw}' for query parameter page: must be 1 or greater`,
			mime,
		);
	}
	if (!/^\d+$/.test(sizeRaw) || Number(sizeRaw) < 1 || Number(sizeRaw) > 100) {
		throw badRequest(
			`Invalid value '${sizeRaw}' for query parameter resultsPerPage: must be between 1 and 100`,
			mime,
		);
	}
	const page = Number(pageRaw);
	const resultsPerPage = Number(sizeRaw);
	const start = (page - 1) * resultsPerPage;
	return {
		results: items.length,
		page,
		resultsPerPage,
		items: items.slice(start, start + resultsPerPage),
	};
}

/** A one-page PDF, valid enough for a PDF reader and for magic-number checks. */
export function buildPdf(lines: string[]): Buffer {
	const text = lines
		.map((line, i) => {
			const safe = line.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1');
			return `BT /F1 12 Tf 50 ${790 - i * 18} Td (${safe}) Tj ET`;
		})
		.join('\n');
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
		`<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`,
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
	];
	let out = '%PDF-1.4\n';
	const offsets: number[] = [];
	objects.forEach((body, i) => {
		offsets.push(Buffer.byteLength(out, 'latin1'));
		out += `${i + 1} 0 obj\n${body}\nendobj\n`;
	});
	const xref = Buffer.byteLength(out, 'latin1');
	out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
	out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(out, 'latin1');
}

// ---------------------------------------------------------------------------------------------
// PATCH rules
// ---------------------------------------------------------------------------------------------

const ADD_ONLY_PATHS = new Set(['/orderNumber', '/billingAddress', '/shippingAddress', '/payment']);
const PATCHABLE_PATHS = new Set([
	'/customerComment',
	'/internalNote',
	...EPAGES_STATUS_FIELDS.map((field) => `/${field}`),
	...ADD_ONLY_PATHS,
]);
/** Fields whose change does not count as an update for `updatedFrom` / `lastUpdatedOnDate`. */
const NON_CONTENT_FIELDS = new Set<string>([
	...EPAGES_STATUS_FIELDS,
	'customerComment',
	'internalNote',
	'orderNumber',
	'lastUpdatedOnDate',
	'links',
]);

interface PatchOp {
	op: string;
	path: string;
	value?: unknown;
}

// ---------------------------------------------------------------------------------------------
// The sandbox
// ---------------------------------------------------------------------------------------------

interface Bucket {
	windowStart: number;
	used: number;
}

interface RateState {
	limit: number;
	remaining: number;
	resetAt: number;
}

class EPagesSandboxImpl implements EPagesSandbox {
	url = '';
	apiUrl = '';
	readonly token: string;
	readonly shopId: string;
	readonly requests: RecordedRequest[] = [];
	readonly faults: FaultInjector;
	readonly orders: EPagesOrder[] = [];
	onRequest?: (req: RecordedRequest) => void;

	private readonly scopes = new Map<string, Set<string>>();
	private readonly now: () => Date;
	private rateLimit: number;
	private rateWindowMs: number;
	private readonly buckets = new Map<string, Bucket>();
	private readonly editMode = new Set<string>();
	private readonly invoiceNumbers = new Map<string, string>();
	private nextInvoiceNumber = 5001;
	private nextOrderNumber = 10001;
	private addedCount = 0;
	private idRandom = prng(0xe9a6e5);
	private errorPageCount = 0;
	falseFilter: 'honoured' | 'ignored' | 'inverted' = 'honoured';
	private readonly pendingSleeps = new Map<NodeJS.Timeout, () => void>();
	private closed = false;
	private server: Server | undefined;

	shop!: EPagesShopInfo;
	taxModel: Record<string, unknown> = {};
	taxClasses: EPagesTaxClass[] = [];
	customers: EPagesCustomer[] = [];
	products: EPagesProduct[] = [];
	private fixture!: EPagesShopFixture;

	constructor(opts: EPagesSandboxOptions) {
		this.shopId = opts.shopId ?? 'DemoShop';
		this.token = opts.token ?? EPAGES_DEFAULT_TOKEN;
		this.scopes.set(this.token, new Set(opts.scopes ?? EPAGES_DEFAULT_SCOPES));
		for (const [token, scopes] of Object.entries(opts.extraTokens ?? {})) {
			this.scopes.set(token, new Set(scopes));
		}
		this.now = opts.now ?? (() => new Date());
		this.rateLimit = opts.rateLimitPerHour ?? 6000;
		this.rateWindowMs = opts.rateWindowMs ?? 3600000;
		this.faults = new FaultInjector(opts.faults ?? {});
		this.reset(opts.seed ?? 'shop');
	}

	async listen(): Promise<void> {
		const server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				if (res.headersSent || res.destroyed) return;
				const answer = jsonError(500, `Sandbox failure: ${String(error)}`);
				res.writeHead(answer.status, answer.headers).end(answer.body);
			});
		});
		this.server = server;
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		this.url = `http://127.0.0.1:${port}`;
		this.apiUrl = `${this.url}/rs/shops/${this.shopId}`;
	}

	// ----- state helpers -------------------------------------------------------------------

	reset(seed: EPagesSeed = 'shop'): void {
		this.fixture = loadEPagesFixture();
		this.shop = this.fixture.shop;
		this.taxModel = this.fixture.taxModel;
		this.taxClasses = this.fixture.taxClasses;
		this.customers = this.fixture.customers;
		this.products = this.fixture.products;
		const orders = seed === 'shop' ? this.fixture.orders : seed === 'empty' ? [] : clone(seed);
		this.orders.splice(0, this.orders.length, ...orders);
		this.editMode.clear();
		this.invoiceNumbers.clear();
		this.nextInvoiceNumber = 5001;
		this.addedCount = 0;
		this.idRandom = prng(0xe9a6e5);
		const numbers = orders.map((o) => Number(o.orderNumber)).filter(Number.isFinite);
		this.nextOrderNumber = numbers.length > 0 ? Math.max(...numbers) + 1 : 10001;
		this.assignInvoiceNumbers();
	}

	setRateLimit(perWindow: number, windowMs: number): void {
		this.rateLimit = perWindow;
		this.rateWindowMs = windowMs;
		this.buckets.clear();
	}

	setEditMode(orderId: string, on: boolean): void {
		this.mustFind(orderId);
		if (on) this.editMode.add(orderId);
		else this.editMode.delete(orderId);
	}

	setStatus(orderId: string, field: EPagesStatusField, value: string | null): void {
		if (!(EPAGES_STATUS_FIELDS as readonly string[]).includes(field)) {
			throw new Error(`Not an ePages status field: ${field}`);
		}
		const order = this.mustFind(orderId);
		order[field] = value === null ? null : new Date(value).toISOString();
	}

	addOrder(input: EPagesOrderInput = {}, opts: { creationDate?: string } = {}): EPagesOrder {
		const n = this.addedCount++;
		const customer = this.pickCustomer(input, n);
		const taxModel = input.taxModel ?? 'GROSS';
		const currencyId = input.currencyId ?? 'EUR';
		const creationDate = new Date(
			opts.creationDate ?? input.creationDate ?? this.now().toISOString(),
		).toISOString();
		const billingAddress = fullAddress(
			input.billingAddress ??
				customer?.billingAddress ?? {
					firstName: 'Cliente',
					lastName: 'Ocasional',
					street: 'Rua do Ouro 10',
					zipCode: '1100-060',
					city: 'Lisboa',
					country: 'PT',
					emailAddress: 'cliente.ocasional@example.com',
				},
		);
		const domestic = (billingAddress.country ?? 'PT') === 'PT';
		const shippingMethod = this.fixture.shippingMethods[domestic ? 0 : 1];
		const paymentMethod = this.fixture.paymentMethods[0];
		const lineInputs = input.lineItemContainer?.productLineItems ?? this.defaultLines(n);

		const order: EPagesOrder = {
			orderId: this.newId(),
			orderNumber: String(this.nextOrderNumber),
			creationDate,
			customerId: customer?.customerId ?? null,
			customerNumber: customer?.customerNumber ?? null,
			locale: 'pt_PT',
			currencyId,
			taxModel,
			grandTotal: '0',
			totalBeforeTax: '0',
			totalTax: '0',
			customerComment: null,
			internalNote: null,
			billingAddress,
			shippingAddress: null,
			shippingData: {
				shippingMethod: { id: shippingMethod.id, name: shippingMethod.name },
				price: makePrice(
					this.inModel(toCents(shippingMethod.price), shippingMethod.taxClassId, taxModel),
					taxModel,
					currencyId,
				),
				taxes: [
					{
						taxClass: this.taxClass(shippingMethod.taxClassId),
						price: makePrice(0, 'NONE', currencyId),
					},
				],
			},
			paymentData: {
				paymentMethod: {
					id: paymentMethod.id,
					name: paymentMethod.name,
					providerName: paymentMethod.providerName,
					additionalData: null,
				},
				transactionId: null,
				price: makePrice(
					this.inModel(toCents(paymentMethod.fee), paymentMethod.taxClassId, taxModel),
					taxModel,
					currencyId,
				),
				status: null,
				taxes:
					paymentMethod.fee > 0
						? [
								{
									taxClass: this.taxClass(paymentMethod.taxClassId),
									price: makePrice(0, 'NONE', currencyId),
								},
							]
						: null,
			},
			viewedOn: null,
			inProcessOn: null,
			pendingOn: null,
			readyForDispatchOn: null,
			rejectedOn: null,
			partiallyDispatchedOn: null,
			dispatchedOn: null,
			deliveredOn: null,
			returnedOn: null,
			partiallyInvoicedOn: null,
			invoicedOn: null,
			partiallyPaidOn: null,
			paidOn: null,
			closedOn: null,
			archivedOn: null,
			lastUpdatedOnDate: creationDate,
			lineItemContainer: this.emptyContainer(currencyId),
		};
		const { lineItemContainer: containerInput, ...rest } = input;
		Object.assign(order, rest, { creationDate });
		if (input.lastUpdatedOnDate === undefined) order.lastUpdatedOnDate = creationDate;
		this.fillAddresses(order);
		order.lineItemContainer = {
			...order.lineItemContainer,
			...(containerInput ?? {}),
			productLineItems: lineInputs.map((line) => this.normalizeLine(line, order)),
			couponLineItem: containerInput?.couponLineItem ?? null,
		} as EPagesLineItemContainer;
		if (input.grandTotal === undefined) recomputeTotals(order);

		const numeric = Number(order.orderNumber);
		this.nextOrderNumber = Math.max(
			this.nextOrderNumber,
			Number.isFinite(numeric) ? numeric + 1 : 0,
		);
		this.orders.push(order);
		this.assignInvoiceNumbers();
		return order;
	}

	updateOrder(orderId: string, changes: EPagesOrderInput): EPagesOrder {
		const order = this.mustFind(orderId);
		const before = clone(order);
		const { lineItemContainer: containerInput, ...rest } = changes;
		Object.assign(order, rest);
		this.fillAddresses(order);
		if (containerInput) {
			const container = {
				...order.lineItemContainer,
				...containerInput,
			} as EPagesLineItemContainer;
			if (containerInput.productLineItems) {
				container.productLineItems = containerInput.productLineItems.map((line) =>
					this.normalizeLine(line, order),
				);
			}
			order.lineItemContainer = container;
		}
		const touchesAmounts =
			containerInput !== undefined ||
			'shippingData' in changes ||
			'paymentData' in changes ||
			'taxModel' in changes;
		if (touchesAmounts && changes.grandTotal === undefined) recomputeTotals(order);
		if (changes.lastUpdatedOnDate === undefined && this.contentChanged(before, order)) {
			order.lastUpdatedOnDate = this.now().toISOString();
		}
		this.assignInvoiceNumbers();
		return order;
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		for (const [timer, resolve] of this.pendingSleeps) {
			clearTimeout(timer);
			resolve();
		}
		this.pendingSleeps.clear();
		const server = this.server;
		if (!server) return;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	private fillAddresses(order: EPagesOrder): void {
		order.billingAddress = fullAddress(order.billingAddress ?? {});
		if (order.shippingAddress) order.shippingAddress = fullAddress(order.shippingAddress);
	}

	private contentChanged(before: EPagesOrder, after: EPagesOrder): boolean {
		const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
		for (const key of keys) {
			if (NON_CONTENT_FIELDS.has(key)) continue;
			if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) return true;
		}
		return false;
	}

	private mustFind(orderId: string): EPagesOrder {
		const order = this.orders.find((o) => o.orderId === orderId);
		if (!order) throw new Error(`No order ${orderId} in the ePages sandbox`);
		return order;
	}

	private newId(): string {
		const hex = (count: number) => {
			let out = '';
			for (let i = 0; i < count; i++) out += '0123456789ABCDEF'[Math.floor(this.idRandom() * 16)];
			return out;
		};
		return `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
	}

	private taxClass(taxClassId: string): EPagesTaxClass {
		const found = this.taxClasses.find((t) => t.taxClassId === taxClassId);
		if (!found) throw new Error(`Unknown tax class ${taxClassId}`);
		return clone(found);
	}

	/** Catalogue prices are gross; a NET order carries them without VAT. */
	private inModel(grossCents: number, taxClassId: string, model: 'GROSS' | 'NET'): number {
		if (model === 'GROSS') return grossCents;
		const rate = this.taxClass(taxClassId).percentage;
		return Math.round(grossCents / (1 + rate / 100));
	}

	private pickCustomer(input: EPagesOrderInput, n: number): EPagesCustomer | undefined {
		if (input.customerId === null) return undefined;
		if (input.customerId !== undefined) {
			return this.customers.find((c) => c.customerId === input.customerId);
		}
		return this.customers.length > 0 ? this.customers[n % this.customers.length] : undefined;
	}

	private defaultLines(n: number): EPagesLineItemInput[] {
		const catalogue = this.products.filter((p) => p.visible && p.forSale);
		if (catalogue.length === 0) return [];
		const count = 1 + (n % 3);
		const lines: EPagesLineItemInput[] = [];
		for (let i = 0; i < count; i++) {
			const product = catalogue[(n * 2 + i * 5) % catalogue.length];
			if (lines.some((l) => l.productId === product.productId)) continue;
			const unit = product.priceInfo.quantity.unit;
			lines.push({
				productId: product.productId,
				quantity: unit === 'kg' ? 0.5 * (1 + (n % 3)) : 1 + ((n + i) % 2),
			});
		}
		return lines;
	}

	private normalizeLine(input: EPagesLineItemInput, order: EPagesOrder): EPagesLineItem {
		const product = this.products.find(
			(p) =>
				(input.productId !== undefined && p.productId === input.productId) ||
				(input.sku !== undefined && p.productNumber === input.sku),
		);
		const model = order.taxModel;
		const currency = order.currencyId;
		const quantity: EPagesQuantity =
			typeof input.quantity === 'number'
				? { amount: input.quantity, unit: product?.priceInfo.quantity.unit ?? 'piece(s)' }
				: (input.quantity ?? { amount: 1, unit: product?.priceInfo.quantity.unit ?? 'piece(s)' });
		const taxClass =
			input.taxClass ??
			(product ? clone(product.priceInfo.taxClass) : this.taxClass(this.taxClasses[0].taxClassId));
		let singleCents: number;
		if (typeof input.singleItemPrice === 'number') singleCents = toCents(input.singleItemPrice);
		else if (input.singleItemPrice) singleCents = toCents(input.singleItemPrice.amount);
		else if (product) {
			singleCents = this.inModel(
				toCents(product.priceInfo.price.amount),
				product.priceInfo.taxClass.taxClassId,
				model,
			);
		} else throw new Error('A line item needs a known sku/productId or a singleItemPrice');
		const extra: Record<string, unknown> = { ...input };
		delete extra.singleItemPrice;
		delete extra.quantity;
		const line: EPagesLineItem = {
			lineItemId: this.newId(),
			sku: product?.productNumber ?? input.sku ?? 'CUSTOM',
			name: product?.name ?? input.name ?? 'Artigo',
			productId: product?.productId ?? null,
			variationString: null,
			essentialFeatures: null,
			quantity,
			singleItemPrice: makePrice(singleCents, model, currency),
			lineItemPrice: makePrice(Math.round(singleCents * quantity.amount), model, currency),
			lineItemCouponDiscount: null,
			taxClass,
			deliveryWeight: product?.deliveryWeight
				? {
						amount: Math.round(product.deliveryWeight.amount * quantity.amount),
						unit: product.deliveryWeight.unit,
					}
				: null,
			...extra,
		};
		return line;
	}

	private emptyContainer(currency: string): EPagesLineItemContainer {
		const zero = (type: EPagesTaxType) => makePrice(0, type, currency);
		return {
			grandTotal: zero('GROSS'),
			totalBeforeTax: zero('NET'),
			totalTax: zero('NONE'),
			lineItemsSubTotal: zero('GROSS'),
			shippingPrice: zero('GROSS'),
			productLineItems: [],
			couponLineItem: null,
			deposits: [],
			ecoParticipations: [],
			shippingOptions: [],
			basketDiscount: { links: [] },
		};
	}

	/** Invoice numbers come from their own counter, in the order the orders were invoiced. */
	private assignInvoiceNumbers(): void {
		const pending = this.orders
			.filter((o) => o.invoicedOn && !this.invoiceNumbers.has(o.orderId))
			.sort((a, b) => String(a.invoicedOn).localeCompare(String(b.invoicedOn)));
		for (const order of pending) {
			this.invoiceNumbers.set(order.orderId, String(this.nextInvoiceNumber++));
		}
	}

	// ----- rendering -----------------------------------------------------------------------

	private link(path: string): string {
		return `${this.apiUrl}${path}`;
	}

	private renderOrder(order: EPagesOrder, full: boolean): EPagesOrderSummary | EPagesOrder {
		// List items leave the line items out: not copying them keeps large lists cheap.
		const summary: Partial<EPagesOrder> = { ...order };
		if (!full) delete summary.lineItemContainer;
		const out = clone(summary) as EPagesOrderSummary & {
			lineItemContainer?: EPagesLineItemContainer;
		};
		out.links = [{ rel: 'self', href: this.link(`/orders/${order.orderId}`) }];
		if (order.customerId) {
			out.links.push({ rel: 'customer', href: this.link(`/customers/${order.customerId}`) });
		}
		if (order.shippingData) {
			out.links.push({
				rel: 'shipping-method',
				href: this.link(`/shipping-methods/${order.shippingData.shippingMethod.id}`),
			});
		}
		if (!full) {
			delete out.lineItemContainer;
			return out;
		}
		if (out.lineItemContainer) this.linkLines(out.lineItemContainer);
		return out;
	}

	private linkLines(container: EPagesLineItemContainer): void {
		for (const line of container.productLineItems) {
			line.links = [
				...(line.productId
					? [{ rel: 'product', href: this.link(`/products/${line.productId}`) }]
					: []),
				{ rel: 'taxClass', href: this.link(`/tax-classes/${line.taxClass.taxClassId}`) },
			];
		}
	}

	private documentsOf(order: EPagesOrder, includePdf: boolean): EPagesDocument[] {
		if (!order.invoicedOn) return [];
		this.assignInvoiceNumbers();
		const documentNumber = this.invoiceNumbers.get(order.orderId) ?? '0';
		const container = clone(order.lineItemContainer);
		this.linkLines(container);
		const doc: EPagesDocument = {
			orderId: order.orderId,
			documentType: 'Invoice',
			documentNumber,
			issueDate: order.invoicedOn,
			creationDate: order.invoicedOn,
			address: clone(order.billingAddress),
			lineItemContainer: container,
			links: [{ rel: 'order', href: this.link(`/orders/${order.orderId}`) }],
		};
		if (includePdf) {
			doc.documentPdf = buildPdf([
				`${this.shop.name} - Invoice ${documentNumber}`,
				`Order ${order.orderNumber} of ${order.creationDate.slice(0, 10)}`,
				`Total ${container.grandTotal.amount.toFixed(2)} ${order.currencyId}`,
			]).toString('base64');
		}
		return [doc];
	}

	private renderCustomer(customer: EPagesCustomer): EPagesCustomer {
		return {
			...clone(customer),
			links: [
				{ rel: 'self', href: this.link(`/customers/${customer.customerId}`) },
				{ rel: 'orders', href: this.link(`/orders?customerId=${customer.customerId}`) },
			],
		};
	}

	private renderProduct(product: EPagesProduct): EPagesProduct {
		return {
			...clone(product),
			sfUrl: `${this.shop.sfUrl}/?ObjectPath=/Shops/${this.shopId}/Products/${encodeURIComponent(product.productNumber)}`,
			links: [
				{ rel: 'self', href: this.link(`/products/${product.productId}`) },
				{ rel: 'categories', href: this.link(`/products/${product.productId}/categories`) },
			],
		};
	}

	// ----- request handling ----------------------------------------------------------------

	private sleep(ms: number): Promise<void> {
		if (ms <= 0 || this.closed) return Promise.resolve();
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.pendingSleeps.delete(timer);
				resolve();
			}, ms);
			this.pendingSleeps.set(timer, resolve);
		});
	}

	private consumeRate(key: string): RateState & { over: boolean } {
		const nowMs = Date.now();
		let bucket = this.buckets.get(key);
		if (!bucket || nowMs >= bucket.windowStart + this.rateWindowMs) {
			bucket = { windowStart: nowMs, used: 0 };
			this.buckets.set(key, bucket);
		}
		bucket.used++;
		return {
			limit: this.rateLimit,
			remaining: Math.max(0, this.rateLimit - bucket.used),
			resetAt: bucket.windowStart + this.rateWindowMs,
			over: bucket.used > this.rateLimit,
		};
	}

	private rateHeaders(state: RateState): Record<string, string> {
		return {
			'X-RateLimit-Limit': String(state.limit),
			'X-RateLimit-Remaining': String(state.remaining),
			'X-RateLimit-Reset': new Date(state.resetAt).toISOString(),
		};
	}

	private bearer(req: IncomingMessage): string {
		const header = first(req.headers.authorization);
		const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
		return match ? match[1].trim() : '';
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const method = (req.method ?? 'GET').toUpperCase();
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const path = url.pathname;
		const record: RecordedRequest = {
			method,
			path,
			query: parseQuery(url),
			headers: { ...req.headers },
			body: '',
			status: 0,
			fault: 'none',
			at: Date.now(),
		};
		this.requests.push(record);
		this.onRequest?.(record);
		const fault: Fault = this.faults.decide({ method, path });
		record.fault = fault;
		if (fault === 'reset') {
			req.socket.destroy();
			return;
		}
		const { raw, json } = await readBody(req);
		record.body = json === undefined ? '' : json;
		await this.sleep(this.faults.latencyMs);

		let answer: Answer;
		if (fault === 'status429') {
			answer = jettyPage(429, path);
			Object.assign(
				answer.headers,
				this.rateHeaders({ limit: this.rateLimit, remaining: 0, resetAt: Date.now() + 1000 }),
			);
			const retryAfter = this.faults.retryAfterSeconds;
			if (retryAfter !== undefined) answer.headers['Retry-After'] = String(retryAfter);
		} else if (fault === 'status500' || fault === 'status502' || fault === 'status503') {
			const status = Number(fault.slice(6));
			const rate = this.consumeRate(this.bearer(req));
			answer =
				this.errorPageCount++ % 2 === 0
					? jettyPage(status, path)
					: jsonError(status, `${JSON_5XX_MESSAGES[status]}, Request: ${method} ${path}`);
			Object.assign(answer.headers, this.rateHeaders(rate));
		} else {
			answer = this.process(req, method, url, raw, json);
		}

		if (fault === 'slow') await this.sleep(this.faults.slowMs);
		record.status = answer.status;
		if (fault === 'lostResponse') {
			record.status = 0;
			req.socket.destroy();
			return;
		}
		if (res.destroyed || req.socket.destroyed) return;
		const body = Buffer.from(answer.body, 'utf8');
		res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(body.length) });
		res.end(body);
	}

	private process(
		req: IncomingMessage,
		method: string,
		url: URL,
		raw: string,
		json: unknown,
	): Answer {
		const token = this.bearer(req);
		const rate = this.consumeRate(token);
		let answer: Answer;
		if (rate.over) {
			answer = jettyPage(429, url.pathname);
		} else {
			try {
				answer = this.route(req, method, url, token, raw, json);
			} catch (error) {
				// A sandbox bug must show up as an answer the test can see, not as a hung socket.
				answer =
					error instanceof HttpError
						? error.answer
						: jsonError(500, `Sandbox failure: ${String(error)}`, 'json');
			}
		}
		Object.assign(answer.headers, this.rateHeaders(rate));
		return answer;
	}

	private route(
		req: IncomingMessage,
		method: string,
		url: URL,
		token: string,
		raw: string,
		json: unknown,
	): Answer {
		const path = url.pathname.replace(/\/+$/, '');
		const match = /^\/rs\/shops\/([^/]+)((?:\/[^/]+)*)$/.exec(path);
		if (!match || decodeURIComponent(match[1]) !== this.shopId) return jettyPage(404, url.pathname);
		const scopes = this.scopes.get(token);
		if (!scopes) return jettyPage(401, url.pathname);
		const mime = negotiate(first(req.headers.accept));
		if (mime === null) return jettyPage(406, url.pathname);

		const segments = match[2].split('/').filter(Boolean).map(decodeURIComponent);
		const query = parseQuery(url);
		const need = (scope: string) => {
			if (!scopes.has(scope)) {
				throw new HttpError(
					jsonAnswer(403, { error: 'Forbidden', message: `Missing scope ${scope}` }, mime),
				);
			}
		};
		const only = (...allowed: string[]) => {
			if (!allowed.includes(method)) {
				const page = jettyPage(405, url.pathname);
				page.headers.Allow = allowed.join(', ');
				throw new HttpError(page);
			}
		};
		const [resource, id, sub, ...more] = segments;
		if (more.length > 0) return jettyPage(404, url.pathname);

		if (resource === undefined) {
			only('GET');
			need('products_read');
			return jsonAnswer(200, this.shop, mime);
		}
		if (resource === 'orders') {
			if (id === undefined) {
				only('GET');
				need('orders_read');
				return jsonAnswer(200, this.listOrders(query, mime), mime);
			}
			if (sub === 'documents') {
				only('GET');
				need('orders_read');
				const order = this.findOrder(id, mime);
				const includePdf = parseBool(query, 'includePdf', mime) ?? false;
				return jsonAnswer(200, paginate(this.documentsOf(order, includePdf), query, mime), mime);
			}
			if (sub !== undefined) return jettyPage(404, url.pathname);
			only('GET', 'PATCH');
			if (method === 'GET') {
				need('orders_read');
				return jsonAnswer(200, this.renderOrder(this.findOrder(id, mime), true), mime);
			}
			need('orders_write');
			return this.patchOrder(req, id, raw, json, mime);
		}
		if (sub !== undefined) return jettyPage(404, url.pathname);
		if (resource === 'customers') {
			only('GET');
			need('customers_read');
			if (id === undefined) {
				return jsonAnswer(
					200,
					paginate(
						this.customers.map((c) => this.renderCustomer(c)),
						query,
						mime,
					),
					mime,
				);
			}
			const customer = this.customers.find((c) => c.customerId === id);
			if (!customer) throw new HttpError(jsonError(404, `Customer with id ${id} not found`, mime));
			return jsonAnswer(200, this.renderCustomer(customer), mime);
		}
		if (resource === 'products') {
			only('GET');
			need('products_read');
			if (id === undefined) return jsonAnswer(200, this.listProducts(query, scopes, mime), mime);
			const product = this.products.find((p) => p.productId === id);
			if (!product) throw new HttpError(jsonError(404, `Product with id ${id} not found`, mime));
			return jsonAnswer(200, this.renderProduct(product), mime);
		}
		if (resource === 'tax-classes') {
			only('GET');
			const render = (t: EPagesTaxClass) => ({
				...clone(t),
				links: [{ rel: 'self', href: this.link(`/tax-classes/${t.taxClassId}`) }],
			});
			if (id === undefined)
				return jsonAnswer(200, paginate(this.taxClasses.map(render), query, mime), mime);
			const taxClass = this.taxClasses.find((t) => t.taxClassId === id);
			if (!taxClass) throw new HttpError(jsonError(404, `Tax class with id ${id} not found`, mime));
			return jsonAnswer(200, render(taxClass), mime);
		}
		if (resource === 'tax-model' && id === undefined) {
			only('GET');
			return jsonAnswer(200, this.taxModel, mime);
		}
		return jettyPage(404, url.pathname);
	}

	private findOrder(id: string, mime: Mime): EPagesOrder {
		const order = this.orders.find((o) => o.orderId === id);
		if (!order) throw new HttpError(jsonError(404, `Order with id ${id} not found`, mime));
		return order;
	}

	private listOrders(query: Record<string, string | string[]>, mime: Mime) {
		let list = [...this.orders];
		for (const flag of EPAGES_STATUS_FILTERS) {
			let wanted = parseBool(query, flag, mime);
			if (wanted === false && this.falseFilter !== 'honoured') wanted = this.falseFilter === 'inverted' ? true : undefined;
			if (wanted !== undefined) list = list.filter((o) => (o[flag] !== null) === wanted);
		}
		const customerId = first(query.customerId);
		if (customerId !== undefined) list = list.filter((o) => o.customerId === customerId);
		const productId = first(query.productId);
		if (productId !== undefined) {
			list = list.filter((o) =>
				o.lineItemContainer.productLineItems.some((line) => line.productId === productId),
			);
		}
		const currency = first(query.currency);
		if (currency !== undefined) list = list.filter((o) => o.currencyId === currency.toUpperCase());

		const date = (name: string): number | undefined => {
			const raw = first(query[name]);
			if (raw === undefined) return undefined;
			const ms = parseIso(raw);
			if (ms === undefined) {
				throw badRequest(
					`Invalid value '${raw}' for query parameter ${name}: expected an ISO 8601 date`,
					mime,
				);
			}
			return ms;
		};
		const createdAfter = date('createdAfter');
		const createdBefore = date('createdBefore');
		const updatedFrom = date('updatedFrom');
		// Orders of one burst share their timestamps: parse each distinct one once per request, so
		// that a shop of ten thousand orders still answers in milliseconds.
		const parsed = new Map<string, number>();
		const time = (value: string): number => {
			let ms = parsed.get(value);
			if (ms === undefined) {
				ms = Date.parse(value);
				parsed.set(value, ms);
			}
			return ms;
		};
		if (createdAfter !== undefined) {
			const end = createdBefore ?? this.now().getTime();
			if (end > addYear(createdAfter)) {
				throw new HttpError(
					jsonAnswer(
						400,
						{ message: 'The maximum time frame for displaying orders is 1 year', status: '400' },
						mime,
					),
				);
			}
			list = list.filter((o) => time(o.creationDate) >= createdAfter);
		}
		if (createdBefore !== undefined) {
			list = list.filter((o) => time(o.creationDate) < createdBefore);
		}
		if (updatedFrom !== undefined) {
			list = list.filter(
				(o) => o.lastUpdatedOnDate !== null && time(o.lastUpdatedOnDate) >= updatedFrom,
			);
		}

		const byLastUpdated = parseBool(query, 'lastUpdated', mime) ?? false;
		const key = (o: EPagesOrder) =>
			byLastUpdated
				? o.lastUpdatedOnDate
					? time(o.lastUpdatedOnDate)
					: -Infinity
				: time(o.creationDate);
		list.sort((a, b) => key(b) - key(a) || a.orderId.localeCompare(b.orderId));
		const page = paginate(list, query, mime);
		return { ...page, items: page.items.map((o) => this.renderOrder(o, false)) };
	}

	private listProducts(query: Record<string, string | string[]>, scopes: Set<string>, mime: Mime) {
		const includeInvisible = parseBool(query, 'includeInvisible', mime) ?? false;
		if (includeInvisible && !scopes.has('products_write')) {
			throw new HttpError(
				jsonAnswer(403, { error: 'Forbidden', message: 'Missing scope products_write' }, mime),
			);
		}
		let list = this.products.filter((p) => includeInvisible || p.visible);
		const ids = query.id === undefined ? [] : ([] as string[]).concat(query.id);
		if (ids.length > 12) throw badRequest('At most 12 id parameters are allowed', mime);
		if (ids.length > 0) list = list.filter((p) => ids.includes(p.productId));
		const q = first(query.q);
		if (q !== undefined && q !== '') {
			const needle = q.toLocaleLowerCase('pt-PT');
			list = list.filter(
				(p) =>
					p.name.toLocaleLowerCase('pt-PT').includes(needle) ||
					p.productNumber.toLocaleLowerCase('pt-PT').includes(needle),
			);
		}
		const sort = first(query.sort);
		const direction = first(query.direction) ?? 'asc';
		if (sort !== undefined && sort !== 'name' && sort !== 'price') {
			throw badRequest(
				`Invalid value '${sort}' for query parameter sort: expected name or price`,
				mime,
			);
		}
		if (direction !== 'asc' && direction !== 'desc') {
			throw badRequest(
				`Invalid value '${direction}' for query parameter direction: expected asc or desc`,
				mime,
			);
		}
		if (sort !== undefined) {
			const sign = direction === 'asc' ? 1 : -1;
			list.sort((a, b) =>
				sort === 'name'
					? sign * a.name.localeCompare(b.name, 'pt-PT')
					: sign * (a.priceInfo.price.amount - b.priceInfo.price.amount) ||
						a.name.localeCompare(b.name, 'pt-PT'),
			);
		}
		const page = paginate(list, query, mime);
		return { ...page, items: page.items.map((p) => this.renderProduct(p)) };
	}

	private patchOrder(
		req: IncomingMessage,
		id: string,
		raw: string,
		json: unknown,
		mime: Mime,
	): Answer {
		const order = this.findOrder(id, mime);
		const contentType = (first(req.headers['content-type']) ?? '')
			.split(';')[0]
			.trim()
			.toLowerCase();
		if (contentType !== 'application/json-patch+json') {
			return jettyPage(415, (req.url ?? '').split('?')[0]);
		}
		if (this.editMode.has(id)) {
			return jsonError(
				409,
				`The order ${order.orderNumber} is currently being edited and cannot be changed`,
				mime,
			);
		}
		if (raw.trim() === '' || typeof json === 'string' || json === undefined) {
			throw badRequest('The request body is not valid JSON', mime);
		}
		if (!Array.isArray(json)) throw badRequest('The request body must be a JSON Patch array', mime);
		const ops = json.map((entry, index) => this.validateOp(entry, index, mime));

		const before = clone(order);
		let amountsChanged = false;
		for (const { op, path, value } of ops) {
			const field = path.slice(1);
			if (op === 'remove') {
				order[field] = null;
				continue;
			}
			if ((EPAGES_STATUS_FIELDS as readonly string[]).includes(field)) {
				order[field] = new Date(value as string).toISOString();
			} else if (field === 'billingAddress') {
				order.billingAddress = fullAddress(value as EPagesAddress);
			} else if (field === 'shippingAddress') {
				order.shippingAddress = fullAddress(value as EPagesAddress);
			} else if (field === 'payment') {
				order.paymentData = null;
				amountsChanged = true;
			} else {
				order[field] = value;
			}
		}
		if (amountsChanged) recomputeTotals(order);
		if (this.contentChanged(before, order)) order.lastUpdatedOnDate = this.now().toISOString();
		this.assignInvoiceNumbers();
		return jsonAnswer(200, this.renderOrder(order, true), mime);
	}

	private validateOp(entry: unknown, index: number, mime: Mime): PatchOp {
		if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
			throw badRequest(`Operation ${index} is not an object`, mime);
		}
		const { op, path, value } = entry as Record<string, unknown>;
		if (typeof op !== 'string' || typeof path !== 'string') {
			throw badRequest(`Operation ${index} needs the members op and path`, mime);
		}
		if (op !== 'add' && op !== 'remove') {
			throw badRequest(
				`Operation '${op}' is not supported. Supported operations are add and remove`,
				mime,
			);
		}
		if (!PATCHABLE_PATHS.has(path)) throw badRequest(`The path '${path}' cannot be patched`, mime);
		if (op === 'remove') {
			if (ADD_ONLY_PATHS.has(path)) {
				throw badRequest(`The operation remove is not allowed on the path '${path}'`, mime);
			}
			return { op, path };
		}
		if (!('value' in (entry as object)))
			throw badRequest(`Operation ${index} (add ${path}) needs a value`, mime);
		const field = path.slice(1);
		if ((EPAGES_STATUS_FIELDS as readonly string[]).includes(field)) {
			if (typeof value !== 'string' || parseIso(value) === undefined) {
				throw badRequest(`The value of '${path}' must be an ISO 8601 date`, mime);
			}
		} else if (field === 'customerComment' || field === 'internalNote' || field === 'orderNumber') {
			if (typeof value !== 'string' || (field === 'orderNumber' && value.trim() === '')) {
				throw badRequest(`The value of '${path}' must be a string`, mime);
			}
		} else if (field === 'billingAddress' || field === 'shippingAddress') {
			if (!value || typeof value !== 'object' || Array.isArray(value)) {
				throw badRequest(`The value of '${path}' must be an address object`, mime);
			}
		}
		return { op, path, value };
	}
}

export async function startEPagesSandbox(opts: EPagesSandboxOptions = {}): Promise<EPagesSandbox> {
	const sandbox = new EPagesSandboxImpl(opts);
	await sandbox.listen();
	return sandbox;
}
