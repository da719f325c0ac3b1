/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Stateful stand-in for the ePages **Beyond** REST API (`https://{shop}.beyondshop.cloud/api`),
 * built from /work/shared/reference/epages.md (§1b, §2b, §4b, §5). Where the reference marks a point
 * [I] or says nothing, the reading chosen is the one that is HARDER on a client, so that a node which
 * passes here survives the real shop:
 *
 * Auth
 * - `POST /api/oauth/token` takes `grant_type` from the query string (as documented) OR from an
 *   `application/x-www-form-urlencoded` body; the client must authenticate with HTTP Basic only
 *   (client_id/client_secret in the body are ignored, so such a request is a 401). No refresh token is
 *   issued for `client_credentials`: a client re-fetches when the token expires.
 * - A missing, unknown or expired bearer token is the same 401 `invalid_token` (with a
 *   `WWW-Authenticate: Bearer error="invalid_token"` header). `reset()` forgets issued tokens.
 * - Token expiry runs on real time (`Date.now()`), never on the `now` option.
 *
 * Format
 * - Every successful answer is `Content-Type: application/hal+json;charset=UTF-8`, even when the
 *   client asked for `application/json` (Spring HATEOAS does this); an Accept that allows no JSON at
 *   all is a 406. Errors are `application/json`: `{errorId, details, message, traceId}` for API
 *   errors, `{error, error_description}` for OAuth ones. The errorIds other than
 *   `no-signer-defined` and `webhook-overlapping-event-types` are invented.
 * - Dates look like the real example, `2023-09-26T09:52:57.567`: UTC with NO zone suffix. Date
 *   filters accept that form (read as UTC), a `Z`/offset form or a bare date; anything else is a 400.
 * - Money is `{taxModel?, currency, amount}`. Tax amounts (`lineItemTax`, `lineItemTaxes`, `taxes`,
 *   `taxTotal`) and a GROSS order's `netTotal` are unrounded, carried to 4 decimals as in the real
 *   example (7.9743, 53.2687). Rounding a 4-decimal tax to cents can differ by one cent from rounding
 *   the exact value (61/123 of a cent shows as .50): derive VAT from the per-rate bases, not by
 *   rounding these amounts twice. `grandTotal` and all prices are whole cents.
 * - `taxClass` is only REGULAR | REDUCED | EXEMPT (the documented enum): Portugal's 13 % and 6 % are
 *   BOTH `REDUCED`, so a client must key VAT on `taxRate` (a fraction, 0.23), never on the class.
 *   `taxes[]` has one entry per (class, rate).
 * - Product lines: `lineItemPrice` = `unitPrice` × `quantity`, BEFORE the coupon; the coupon shows only
 *   as `couponLineItem.lineItemPrice` (negative) and is not split onto the lines. `lineItemTax` is the
 *   tax of the line AFTER its share of the coupon, so Σ line prices + coupon + shipping + payment =
 *   `grandTotal` (GROSS) and the taxes add up per rate.
 * - NET orders: `grandTotal` = net + Σ per rate of the tax rounded to cents (the shop rounds per rate);
 *   `taxTotal` stays unrounded, so `netTotal + taxTotal` may miss `grandTotal` by under a cent.
 * - `shippingAddress` is present (a copy of the billing address when the buyer gave none), except
 *   on a pickup order, where it is null as in the real pickup example. Street and house number are
 *   separate fields.
 * - Pickup orders (BYD-OAS `GET /orders/{orderId}` example): `shippingLineItem` null and a
 *   `pickupLineItem{pickupOption{id, name, …}, lineItemPrice, initialLineItemPrice, lineItemTaxes,
 *   taxClass}` whose price is part of `grandTotal`. Its `lineItemTaxes` hold one entry per rate: one,
 *   or (`pickup.splitByRate`) the fee split over the basket's rates in proportion to the products'
 *   taxed amounts, each part's tax unrounded. Orders without one render `"pickupLineItem": null`.
 * - `paymentStatus` is PENDING | PAID (…), `shippingStatus` UNSHIPPED | SHIPPED | RETURNED (…); the
 *   setters accept any string. A canceled order keeps its statuses and has `canceled: true`.
 *
 * Orders list
 * - Spring paging: `page` 0-based (default 0), `size` default 20. A `size` above 100 is silently
 *   clamped to 100 (Spring clamps, it does not fail): read `page.size`/`totalPages` from the answer.
 *   A page past the end is an empty `_embedded.orders` list. Non-numeric or negative values are a 400.
 * - Default order: `createdAt,desc` (newest first), ties by `_id`: new orders shift the pages under a
 *   client that is paging. `sort=createdAt,asc|desc` and `updatedAt,asc|desc` are supported; any other
 *   sort is a 400.
 * - `createdAfter`/`updatedAfter` are INCLUSIVE (>=), `createdBefore`/`updatedBefore` exclusive (<): a
 *   poller that passes its last seen timestamp gets that order again and must dedupe by `_id`.
 * - `updatedAt` moves on EVERY change: status changes, cancel AND the order note (so a client's own
 *   write-back shows up in `updatedAfter` polls); it always moves forward by at least 1 ms.
 * - Status filters match exactly; several values may be given comma-separated or repeated.
 *   `customerEmail` matches case-insensitively, `orderNumber` exactly.
 *
 * Webhooks
 * - Creating a subscription checks, in this order: the body (400), a signer exists (401
 *   `no-signer-defined`), the scope each event type needs (403; `order.*` needs `ordr:r`,
 *   `product.*` needs `prod:r`), overlap with an existing subscription (400).
 * - The order payload is the order resource (as `GET /orders/{id}` renders it) with
 *   `"_payloadType":"order"` added as the LAST key [I, reference §4b].
 * - A status change, a cancel and an order-note change are each one `order.updated`; there is no
 *   other order event type.
 *
 * Order events (`GET /orders/{id}/events`, scope `orde:r`, BYD-OAS operation order-events-list)
 * - HAL `_embedded["order-events"]` of `{type, triggeredBy, comment, createdAt, details, _links?}`,
 *   newest first, Spring-paged like the orders (an order without events has no `_embedded`, as Spring
 *   HAL renders an empty list). `createdAt` has NINE fractional digits and no zone, as in the example
 *   (`2023-09-26T09:56:04.784611568`).
 * - Recorded: `order-created` when an order is added; `payment-created` + `payment-paid` (details
 *   `{amount, paymentProcessId}`) when it becomes PAID (at creation, at `paidAt`, or by
 *   `setPaymentStatus(id, 'PAID', {at})`); `payment-status-updated` for other payment changes;
 *   `order-canceled` with the cancel's comment. A fixture order paid in the Now fixture has its
 *   payment-paid at the Now order's `paidOn`. `orderEvents(id)` is the live list (tests may remove
 *   events from it, e.g. a paid order whose events lack payment-paid).
 *
 * Cancel (`POST /orders/{id}/cancel`, BYD-OAS operation cancel-order)
 * - Scope `clpr:c` (NOT ordr:u). The body is optional (`required: false`); when sent it must be a JSON
 *   object whose only documented property is `comment` (a string): anything else is a 400. The comment
 *   is kept in the `order-canceled` event. A second cancel is refused (400, inferred, strict).
 * - Each delivery carries one `X-EPAGES-SIGNATURE` per signer that exists when the event fires, each
 *   `Base64(HMAC-SHA1(sharedSecret, callbackUri + ":" + body))` over the registered callbackUri
 *   string exactly. Retries resend the same bytes, so a signer deleted meanwhile still signs them.
 * - Deliveries run independently: a retried `order.created` can arrive AFTER the `order.updated` of
 *   the same order. Retries of an event go on even if its subscription is deleted or deactivated.
 * - The sandbox only delivers to loopback hosts (127.0.0.1, ::1, localhost); other callbacks are
 *   accepted at subscription time but every attempt fails (no network in tests).
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
	createServer,
	request as httpRequest,
	type IncomingMessage,
	type Server,
	type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	loadEPagesFixture,
	type EPagesAddress,
	type EPagesOrder,
	type EPagesProduct,
} from './epages';
import { FaultInjector, prng, type Fault, type FaultConfig } from './faults';
import { parseQuery, readBody, type RecordedRequest } from './recorder';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export type BeyondTaxModel = 'GROSS' | 'NET';
export type BeyondTaxClass = 'REGULAR' | 'REDUCED' | 'EXEMPT';

export interface BeyondMoney {
	taxModel?: BeyondTaxModel;
	currency: string;
	amount: number;
}

export interface BeyondTax {
	taxClass: BeyondTaxClass;
	/** A fraction: 0.23 for 23 %. */
	taxRate: number;
	currency: string;
	/** Unrounded (4 decimals). */
	amount: number;
}

export interface BeyondProductLineItem {
	_id: string;
	product: { _id: string; sku: string; name: string };
	quantity: number;
	unitPrice: BeyondMoney;
	/** unitPrice × quantity, before any coupon. */
	lineItemPrice: BeyondMoney;
	/** Tax of the line after its share of the coupon. */
	lineItemTax: BeyondTax;
	[key: string]: unknown;
}

export interface BeyondShippingLineItem {
	lineItemPrice: BeyondMoney;
	taxClass: BeyondTaxClass;
	shippingMethod: { id: string; name: string };
	lineItemTaxes: BeyondTax[];
	[key: string]: unknown;
}

export interface BeyondPaymentLineItem {
	lineItemPrice: BeyondMoney;
	taxClass: BeyondTaxClass;
	paymentMethod: { id: string; name: string };
	lineItemTaxes: BeyondTax[];
	[key: string]: unknown;
}

export interface BeyondPickupLineItem {
	pickupOption: { id: string; name: string; taxClass?: BeyondTaxClass; [key: string]: unknown };
	lineItemPrice: BeyondMoney;
	initialLineItemPrice?: BeyondMoney;
	/** One entry per rate; several when the fee is split over the basket's rates. */
	lineItemTaxes: BeyondTax[];
	taxClass: BeyondTaxClass;
	[key: string]: unknown;
}

/** An entry of `GET /orders/{id}/events` (BYD-OAS order-events-list). */
export interface BeyondOrderEvent {
	type: string;
	triggeredBy: string | null;
	comment: string | null;
	/** Nine fractional digits, no zone: `2023-09-26T09:56:04.784611568`. */
	createdAt: string;
	details: Record<string, unknown>;
	_links?: Record<string, { href: string }>;
}

export interface BeyondCouponLineItem {
	code: string;
	/** Negative. */
	lineItemPrice: BeyondMoney;
	couponCampaign?: { _id: string; name?: string } | null;
	[key: string]: unknown;
}

export interface BeyondAddress {
	salutation?: string | null;
	gender?: string | null;
	company?: string | null;
	title?: string | null;
	firstName?: string | null;
	middleName?: string | null;
	lastName?: string | null;
	street?: string | null;
	houseNumber?: string | null;
	street2?: string | null;
	addressExtension?: string | null;
	postalCode?: string | null;
	dependentLocality?: string | null;
	city?: string | null;
	country?: string | null;
	state?: string | null;
	email?: string | null;
	phone?: string | null;
	mobile?: string | null;
	vatId?: string | null;
	taxNumber?: string | null;
	birthDate?: string | null;
	[key: string]: unknown;
}

export type BeyondPaymentStatus =
	| 'PENDING'
	| 'PAID'
	| 'PARTIALLY_PAID'
	| 'REFUNDED'
	| 'PARTIALLY_REFUNDED'
	| (string & {});
export type BeyondShippingStatus =
	| 'UNSHIPPED'
	| 'PARTIALLY_SHIPPED'
	| 'SHIPPED'
	| 'RETURNED'
	| 'PARTIALLY_RETURNED'
	| (string & {});

export interface BeyondOrder {
	_id: string;
	orderNumber: string;
	/** UTC, no zone suffix: `2023-09-26T09:52:57.567`. */
	createdAt: string;
	updatedAt: string;
	currency: string;
	taxModel: BeyondTaxModel;
	testOrder: boolean;
	viewed: boolean;
	productLineItems: BeyondProductLineItem[];
	shippingLineItem: BeyondShippingLineItem | null;
	paymentLineItem: BeyondPaymentLineItem | null;
	/** Absent (older inputs) renders as null. */
	pickupLineItem?: BeyondPickupLineItem | null;
	couponLineItem: BeyondCouponLineItem | null;
	grandTotal: { currency: string; amount: number };
	netTotal: { currency: string; amount: number };
	taxTotal: { currency: string; amount: number };
	taxes: BeyondTax[];
	billingAddress: BeyondAddress;
	/** Null on a pickup order. */
	shippingAddress: BeyondAddress | null;
	paymentStatus: BeyondPaymentStatus;
	shippingStatus: BeyondShippingStatus;
	canceled: boolean;
	customerId: string | null;
	customerEmail: string | null;
	customerNumber: string | null;
	customerComment: string | null;
	orderNote: string | null;
	_links?: Record<string, { href: string }>;
	[key: string]: unknown;
}

/** A line for `addOrder`: a catalogue `sku` (the Now fixture's products) or an explicit price. */
export interface BeyondLineInput {
	sku?: string;
	name?: string;
	productId?: string;
	quantity?: number;
	/** In the order's tax model. */
	unitPrice?: number;
	/** Fraction (0.23) or percent (23). */
	taxRate?: number;
}

/**
 * What `addOrder` accepts. An input that already has `grandTotal` (e.g. `beyondOrderFromNow(...)`) is
 * taken as a complete order: its amounts are kept as given. Otherwise the amounts are computed from
 * `lines`, `coupon`, `shipping` and `paymentFee`.
 */
export interface BeyondOrderInput extends Partial<BeyondOrder> {
	lines?: BeyondLineInput[];
	coupon?: { code: string; amount: number };
	shipping?: { name?: string; price: number; taxRate?: number } | null;
	paymentFee?: { name?: string; price: number; taxRate?: number } | null;
	/**
	 * A pickup order: its fee (shipping then defaults to none). `taxRate` (default 0.23) or
	 * `splitByRate`: the fee's VAT split over the basket's rates.
	 */
	pickup?: { name?: string; price: number; taxRate?: number; splitByRate?: boolean } | null;
	/** When a PAID order was paid (its payment-paid event); default its creation. */
	paidAt?: string;
}

export type BeyondEventType =
	| 'order.created'
	| 'order.updated'
	| 'product.created'
	| 'product.updated'
	| 'app.uninstalled';

export const BEYOND_EVENT_TYPES: readonly BeyondEventType[] = [
	'order.created',
	'order.updated',
	'product.created',
	'product.updated',
	'app.uninstalled',
];

export interface BeyondSigner {
	_id: string;
	sharedSecret: string;
	createdAt: string;
}

export interface BeyondSubscription {
	_id: string;
	callbackUri: string;
	eventTypes: BeyondEventType[];
	active: boolean;
}

export interface BeyondDeliveryAttempt {
	at: number;
	/** HTTP status answered by the callback. */
	status?: number;
	/** Connection error or 'timeout'. */
	error?: string;
}

export interface BeyondDelivery {
	id: string;
	subscriptionId: string;
	eventType: BeyondEventType;
	/** The registered callbackUri, exactly. */
	uri: string;
	/** The exact body bytes sent (UTF-8). */
	body: string;
	/** One per signer, in the order the X-EPAGES-SIGNATURE headers are sent. */
	signatures: string[];
	headers: Record<string, string | string[]>;
	attempts: BeyondDeliveryAttempt[];
	/** No more attempts will be made. */
	done: boolean;
	/** 'pending' while attempts remain. */
	outcome: 'pending' | 'delivered' | 'failed';
	/** Set on a `redeliver` copy: the delivery it replays. */
	replayOf?: string;
}

export type BeyondSeed = 'empty' | 'fixtures';

export interface BeyondRecordedRequest extends RecordedRequest {
	/** Token requests only: where grant_type came from. */
	grantTypeIn?: 'query' | 'body';
}

export interface BeyondSandboxOptions {
	clientId?: string;
	clientSecret?: string;
	/** Default 43199. */
	tokenTtlSeconds?: number;
	/** Scopes granted to the app; default ordr:r ordr:u orde:r clpr:c cust:r prod:r. */
	scopes?: string[];
	/** Default 135. */
	tenantId?: number;
	/** Default 'fixtures': every Now fixture order translated. */
	seed?: BeyondSeed;
	/** Clock for new orders and `updatedAt`; default real time. */
	now?: () => Date;
	faults?: FaultConfig;
	/** Requests allowed per `rateWindowMs` per token (the token endpoint per client); default none. */
	rateLimit?: number;
	/** Default 60000. */
	rateWindowMs?: number;
	/** Delays between delivery attempts; default [50, 100, 200, 400] (so 5 attempts in all). */
	retryDelaysMs?: number[];
	/** How long a callback may take to answer; default 2000. */
	deliveryTimeoutMs?: number;
}

export interface BeyondSandbox {
	url: string;
	apiUrl: string;
	clientId: string;
	clientSecret: string;
	tenantId: number;
	requests: BeyondRecordedRequest[];
	faults: FaultInjector;
	orders: BeyondOrder[];
	signers: BeyondSigner[];
	subscriptions: BeyondSubscription[];
	deliveries: BeyondDelivery[];
	readonly tokensIssued: number;
	/** Scopes the app holds; change to simulate a re-consented app (affects new tokens only). */
	scopes: string[];
	/** Runs as each request arrives, before it is answered. */
	onRequest?: (req: BeyondRecordedRequest) => void;
	expireTokens(): void;
	addOrder(input?: BeyondOrderInput): BeyondOrder;
	/** `at`: when a payment that becomes PAID was paid (its payment-paid event); default now. */
	setPaymentStatus(orderId: string, status: BeyondPaymentStatus, opts?: { at?: string | Date; comment?: string }): BeyondOrder;
	setShippingStatus(orderId: string, status: BeyondShippingStatus): BeyondOrder;
	cancelOrder(orderId: string, comment?: string): BeyondOrder;
	/** The order's events, oldest first: the live list (see the header). */
	orderEvents(orderId: string): BeyondOrderEvent[];
	/**
	 * Delivers any payload, as is, to the active subscriptions of `eventType` (e.g. `product.updated`
	 * or `app.uninstalled`, which the sandbox never fires by itself). Returns the new deliveries.
	 */
	fireEvent(eventType: BeyondEventType, payload: unknown): BeyondDelivery[];
	/** Sends the exact same request (headers and bytes) again, as a new delivery record. */
	redeliver(deliveryId: string): BeyondDelivery;
	/** Resolves when no delivery is in flight or waiting for a retry. */
	waitForDeliveries(): Promise<void>;
	setRateLimit(perWindow: number, windowMs: number): void;
	reset(seed?: BeyondSeed): void;
	close(): Promise<void>;
}

export const BEYOND_DEFAULT_CLIENT_ID = 'beyond-sandbox-client';
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- fixed sandbox secret, valid only against this local server
export const BEYOND_DEFAULT_CLIENT_SECRET = 'beyond-sandbox-secret-0123456789abcdef';
export const BEYOND_DEFAULT_SCOPES = ['ordr:r', 'ordr:u', 'orde:r', 'clpr:c', 'cust:r', 'prod:r'];
export const BEYOND_MAX_SIGNERS = 5;
export const BEYOND_MAX_PAGE_SIZE = 100;

// ---------------------------------------------------------------------------------------------
// Money and tax
// ---------------------------------------------------------------------------------------------

function cents(amount: number): number {
	return Math.round(amount * 100);
}

/** Rounds to 4 decimals, the precision of the real API's unrounded amounts. */
function r4(value: number): number {
	return Math.round(value * 10000) / 10000 + 0;
}

/** Percent (23) or fraction (0.23) → fraction. */
function asFraction(rate: number): number {
	return rate > 1 ? Math.round(rate * 100) / 10000 : rate;
}

/** The documented enum has three classes: every non-zero rate below the top one is REDUCED. */
export function beyondTaxClassOf(rate: number): BeyondTaxClass {
	const fraction = asFraction(rate);
	if (fraction === 0) return 'EXEMPT';
	return fraction >= 0.19 ? 'REGULAR' : 'REDUCED';
}

/** Tax contained in (GROSS) or due on (NET) an amount of whole cents, unrounded (4 decimals). */
function taxAmount(amountCents: number, rate: number, model: BeyondTaxModel): number {
	if (rate === 0 || amountCents === 0) return 0;
	const value = model === 'GROSS' ? (amountCents * rate) / (1 + rate) : amountCents * rate;
	return r4(value / 100);
}

function tax(
	amountCents: number,
	rate: number,
	model: BeyondTaxModel,
	currency: string,
): BeyondTax {
	return {
		taxClass: beyondTaxClassOf(rate),
		taxRate: rate,
		currency,
		amount: taxAmount(amountCents, rate, model),
	};
}

function money(amountCents: number, model: BeyondTaxModel | undefined, currency: string) {
	const out: BeyondMoney = { currency, amount: amountCents / 100 };
	return model ? { taxModel: model, ...out } : out;
}

/**
 * Fills `lineItemTax`, shipping/payment `lineItemTaxes`, `taxes`, `grandTotal`, `netTotal`,
 * `taxTotal` from the prices. `couponShares` are the positive parts of the coupon (cents) that each
 * product line carries; absent, the coupon is split in proportion to the line prices.
 */
function computeTotals(order: BeyondOrder, couponShares?: number[]): void {
	const model = order.taxModel;
	const currency = order.currency;
	const lines = order.productLineItems;
	const couponCents = order.couponLineItem
		? -Math.abs(cents(order.couponLineItem.lineItemPrice.amount))
		: 0;
	const lineCents = lines.map((line) => cents(line.lineItemPrice.amount));
	let shares = couponShares;
	if (!shares || shares.length !== lines.length) {
		const subTotal = lineCents.reduce((a, b) => a + b, 0);
		let left = -couponCents;
		shares = lineCents.map((c, i) => {
			const share =
				i === lines.length - 1 || subTotal === 0 ? left : Math.round((-couponCents * c) / subTotal);
			left -= share;
			return share;
		});
	}
	const bases = new Map<number, number>();
	const add = (rate: number, c: number) => bases.set(rate, (bases.get(rate) ?? 0) + c);
	lines.forEach((line, i) => {
		const rate = line.lineItemTax.taxRate;
		const base = lineCents[i] - (shares?.[i] ?? 0);
		line.lineItemTax = tax(base, rate, model, currency);
		add(rate, base);
	});
	let extras = 0;
	const productBases = new Map(bases);
	for (const item of [order.shippingLineItem, order.paymentLineItem, order.pickupLineItem]) {
		if (!item) continue;
		const c = cents(item.lineItemPrice.amount);
		extras += c;
		if (item.lineItemTaxes.length > 1) {
			// Split over the rates listed, in proportion to the products' taxed amounts at each.
			const rates = item.lineItemTaxes.map((t) => t.taxRate);
			const weight = rates.reduce((sum, r) => sum + (productBases.get(r) ?? 0), 0);
			item.lineItemTaxes = rates.map((rate) => {
				const part = weight > 0 ? (c * (productBases.get(rate) ?? 0)) / weight : c / rates.length;
				if (part !== 0) add(rate, part);
				return tax(part, rate, model, currency);
			});
			continue;
		}
		const rate = item.lineItemTaxes[0]?.taxRate ?? 0;
		item.lineItemTaxes = [tax(c, rate, model, currency)];
		if (c !== 0) add(rate, c);
	}
	const sortedRates = [...bases.keys()].sort((a, b) => b - a);
	order.taxes = sortedRates.map((rate) => tax(bases.get(rate) ?? 0, rate, model, currency));
	const taxTotal = r4(order.taxes.reduce((sum, t) => sum + t.amount, 0));
	const roundedTaxCents = sortedRates.reduce(
		(sum, rate) =>
			sum + Math.round(((bases.get(rate) ?? 0) * rate) / (model === 'GROSS' ? 1 + rate : 1)),
		0,
	);
	const base = lineCents.reduce((a, b) => a + b, 0) + couponCents + extras;
	if (model === 'GROSS') {
		order.grandTotal = { currency, amount: base / 100 };
		order.netTotal = { currency, amount: r4(base / 100 - taxTotal) };
	} else {
		order.grandTotal = { currency, amount: (base + roundedTaxCents) / 100 };
		order.netTotal = { currency, amount: base / 100 };
	}
	order.taxTotal = { currency, amount: taxTotal };
}

// ---------------------------------------------------------------------------------------------
// Dates and ids
// ---------------------------------------------------------------------------------------------

/** `2023-09-26T09:52:57.567`: UTC, no zone, as the real API shows it. */
export function beyondDate(date: Date | string | number): string {
	return new Date(date).toISOString().replace(/Z$/, '');
}

/** Reads a Beyond date (no zone = UTC) or a filter value; undefined if it is not one. */
export function parseBeyondDate(value: string): number | undefined {
	const text = value.trim();
	if (
		!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)
	) {
		return undefined;
	}
	const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) || text.length === 10 ? text : `${text}Z`;
	const ms = Date.parse(zoned.replace(' ', 'T'));
	return Number.isNaN(ms) ? undefined : ms;
}

function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

// ---------------------------------------------------------------------------------------------
// Now → Beyond
// ---------------------------------------------------------------------------------------------

/** Splits "Rua Augusta 132" / "8 Rue des Écoles" into street and house number. */
function splitStreet(street: string | null | undefined): {
	street: string | null;
	houseNumber: string | null;
} {
	if (!street) return { street: street ?? null, houseNumber: null };
	const trailing = /^(.*\D)[\s,]+(\d+[A-Za-z]?(?:[-/]\d+[A-Za-z]?)?)$/.exec(street.trim());
	if (trailing) return { street: trailing[1].trim(), houseNumber: trailing[2] };
	const leading = /^(\d+[A-Za-z]?),?\s+(.+)$/.exec(street.trim());
	if (leading) return { street: leading[2].trim(), houseNumber: leading[1] };
	return { street, houseNumber: null };
}

function addressFromNow(address: EPagesAddress): BeyondAddress {
	const { street, houseNumber } = splitStreet(address.street);
	const vatId = address.vatId ?? address.fiscalCode ?? null;
	return {
		salutation: address.salutation ?? null,
		gender: address.gender ?? null,
		company: address.company ?? null,
		title: address.title ?? null,
		firstName: address.firstName ?? null,
		middleName: address.middleName ?? null,
		lastName: address.lastName ?? null,
		street,
		houseNumber,
		street2: address.streetDetails ?? null,
		addressExtension: address.addressExtension ?? null,
		postalCode: address.zipCode ?? null,
		dependentLocality: null,
		city: address.city ?? null,
		country: address.country ?? null,
		state: address.state ?? null,
		email:
			address.emailAddress ?? address.businessEmailAddress ?? address.privateEmailAddress ?? null,
		phone: address.phoneNumber ?? null,
		mobile: address.mobilePhoneNumber ?? null,
		vatId,
		taxNumber:
			address.fiscalCode && address.vatId && address.fiscalCode !== address.vatId
				? address.fiscalCode
				: null,
		birthDate: address.birthday ?? null,
	};
}

/**
 * The Beyond order equivalent to an ePages Now order (as in test/fixtures/epages): same lines,
 * prices, VAT rates (as fractions), coupon, shipping, payment fee and addresses; the NIF (vatId, else
 * fiscalCode) in `vatId`; paidOn → PAID, rejectedOn → canceled, returnedOn → RETURNED,
 * dispatchedOn/deliveredOn → SHIPPED. Pure: ids are derived from the Now ids.
 */
export function beyondOrderFromNow(now: EPagesOrder): BeyondOrder {
	const model = now.taxModel;
	const currency = now.currencyId;
	const container = now.lineItemContainer;
	const lines: BeyondProductLineItem[] = container.productLineItems.map((line) => ({
		_id: line.lineItemId.toLowerCase(),
		product: {
			_id: (line.productId ?? line.lineItemId).toLowerCase(),
			sku: line.sku,
			name: line.name,
		},
		quantity: line.quantity.amount,
		unitPrice: money(cents(line.singleItemPrice.amount), model, currency),
		lineItemPrice: money(cents(line.lineItemPrice.amount), model, currency),
		lineItemTax: tax(0, line.taxClass.percentage / 100, model, currency),
	}));
	const shares = container.productLineItems.map((line) =>
		Math.abs(cents(line.lineItemCouponDiscount?.amount ?? 0)),
	);
	const coupon = container.couponLineItem;
	const shippingRate = (now.shippingData?.taxes?.[0]?.taxClass.percentage ?? 0) / 100;
	const paymentRate = (now.paymentData?.taxes?.[0]?.taxClass.percentage ?? 0) / 100;
	const billing = addressFromNow(now.billingAddress);
	const paid = now.paidOn !== null && now.paidOn !== undefined;
	const shipped = Boolean(now.dispatchedOn || now.deliveredOn);
	const order: BeyondOrder = {
		_id: now.orderId.toLowerCase(),
		orderNumber: now.orderNumber,
		createdAt: beyondDate(now.creationDate),
		updatedAt: beyondDate(now.lastUpdatedOnDate ?? now.creationDate),
		currency,
		taxModel: model,
		testOrder: false,
		viewed: Boolean(now.viewedOn),
		productLineItems: lines,
		shippingLineItem: now.shippingData
			? {
					lineItemPrice: money(cents(now.shippingData.price.amount), model, currency),
					taxClass: beyondTaxClassOf(shippingRate),
					shippingMethod: {
						id: now.shippingData.shippingMethod.id.toLowerCase(),
						name: now.shippingData.shippingMethod.name,
					},
					lineItemTaxes: [tax(0, shippingRate, model, currency)],
				}
			: null,
		paymentLineItem: now.paymentData
			? {
					lineItemPrice: money(cents(now.paymentData.price.amount), model, currency),
					taxClass: beyondTaxClassOf(paymentRate),
					paymentMethod: {
						id: now.paymentData.paymentMethod.id.toLowerCase(),
						name: now.paymentData.paymentMethod.name,
					},
					lineItemTaxes: [tax(0, paymentRate, model, currency)],
				}
			: null,
		pickupLineItem: null,
		couponLineItem: coupon
			? {
					code: String(coupon.code ?? `CUPAO-${coupon.couponCampaignId.slice(0, 8)}`).toUpperCase(),
					lineItemPrice: money(-Math.abs(cents(coupon.lineItemPrice.amount)), model, currency),
					couponCampaign: { _id: coupon.couponCampaignId.toLowerCase() },
				}
			: null,
		grandTotal: { currency, amount: 0 },
		netTotal: { currency, amount: 0 },
		taxTotal: { currency, amount: 0 },
		taxes: [],
		billingAddress: billing,
		shippingAddress: now.shippingAddress ? addressFromNow(now.shippingAddress) : clone(billing),
		paymentStatus: paid ? 'PAID' : 'PENDING',
		shippingStatus: now.returnedOn ? 'RETURNED' : shipped ? 'SHIPPED' : 'UNSHIPPED',
		canceled: Boolean(now.rejectedOn),
		customerId: now.customerId ? now.customerId.toLowerCase() : null,
		customerEmail: billing.email ?? null,
		customerNumber: now.customerNumber,
		customerComment: now.customerComment,
		orderNote: now.internalNote,
	};
	computeTotals(order, coupon ? shares : undefined);
	return order;
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------

interface Answer {
	status: number;
	headers: Record<string, string>;
	body: string;
}

const HAL = 'application/hal+json;charset=UTF-8';
const JSON_TYPE = 'application/json;charset=UTF-8';

function hal(status: number, payload: unknown): Answer {
	return { status, headers: { 'Content-Type': HAL }, body: JSON.stringify(payload) };
}

function plainJson(status: number, payload: unknown): Answer {
	return { status, headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(payload) };
}

function apiError(
	status: number,
	errorId: string,
	message: string,
	details: Record<string, unknown> = {},
): Answer {
	return plainJson(status, {
		errorId,
		details,
		message,
		traceId: randomBytes(8).toString('hex'),
	});
}

function oauthError(status: number, error: string, description: string): Answer {
	const answer = plainJson(status, { error, error_description: description });
	if (status === 401)
		answer.headers['WWW-Authenticate'] =
			`Bearer error="${error}", error_description="${description}"`;
	return answer;
}

class HttpError extends Error {
	constructor(readonly answer: Answer) {
		super(`HTTP ${answer.status}`);
	}
}

function first(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

function all(value: string | string[] | undefined): string[] {
	if (value === undefined) return [];
	return ([] as string[])
		.concat(value)
		.flatMap((v) => v.split(','))
		.map((v) => v.trim())
		.filter(Boolean);
}

function acceptsJson(accept: string | undefined): boolean {
	if (accept === undefined || accept.trim() === '') return true;
	return accept
		.split(',')
		.map((part) => part.split(';')[0].trim().toLowerCase())
		.some(
			(t) =>
				t === 'application/hal+json' ||
				t === 'application/json' ||
				t === '*/*' ||
				t === 'application/*',
		);
}

function isLoopback(uri: string): boolean {
	try {
		const host = new URL(uri).hostname.replace(/^\[|\]$/g, '');
		return host === '127.0.0.1' || host === '::1' || host === 'localhost';
	} catch {
		return false;
	}
}

export function beyondSignature(sharedSecret: string, uri: string, body: string): string {
	return createHmac('sha1', sharedSecret)
		.update(body === '' ? uri : `${uri}:${body}`, 'utf8')
		.digest('base64');
}

// ---------------------------------------------------------------------------------------------
// The sandbox
// ---------------------------------------------------------------------------------------------

interface TokenState {
	expiresAt: number;
	scopes: Set<string>;
}

interface Bucket {
	windowStart: number;
	used: number;
}

class BeyondSandboxImpl implements BeyondSandbox {
	url = '';
	apiUrl = '';
	readonly clientId: string;
	readonly clientSecret: string;
	readonly tenantId: number;
	readonly requests: BeyondRecordedRequest[] = [];
	readonly faults: FaultInjector;
	readonly orders: BeyondOrder[] = [];
	readonly signers: BeyondSigner[] = [];
	readonly subscriptions: BeyondSubscription[] = [];
	readonly deliveries: BeyondDelivery[] = [];
	scopes: string[];
	onRequest?: (req: BeyondRecordedRequest) => void;

	private issued = 0;
	private readonly events = new Map<string, BeyondOrderEvent[]>();
	private eventCount = 0;
	private idRandom = prng(0xbe7011d);
	/** Ids of payment processes: their own sequence, so that the order ids stay what they were. */
	private processRandom = prng(0x9a1d);
	private generation = 0;
	private readonly tokens = new Map<string, TokenState>();
	private readonly ttlSeconds: number;
	private readonly now: () => Date;
	private readonly retryDelaysMs: number[];
	private readonly deliveryTimeoutMs: number;
	private rateLimit: number;
	private rateWindowMs: number;
	private readonly buckets = new Map<string, Bucket>();
	private readonly inflight = new Set<Promise<void>>();
	private readonly timers = new Map<NodeJS.Timeout, () => void>();
	private nextOrderNumber = 10001;
	private addedCount = 0;
	private deliveryCount = 0;
	private catalogue: EPagesProduct[] = [];
	private customers: ReturnType<typeof loadEPagesFixture>['customers'] = [];
	private closed = false;
	private server: Server | undefined;

	constructor(opts: BeyondSandboxOptions) {
		this.clientId = opts.clientId ?? BEYOND_DEFAULT_CLIENT_ID;
		this.clientSecret = opts.clientSecret ?? BEYOND_DEFAULT_CLIENT_SECRET;
		this.tenantId = opts.tenantId ?? 135;
		this.ttlSeconds = opts.tokenTtlSeconds ?? 43199;
		this.scopes = [...(opts.scopes ?? BEYOND_DEFAULT_SCOPES)];
		this.now = opts.now ?? (() => new Date());
		this.retryDelaysMs = opts.retryDelaysMs ?? [50, 100, 200, 400];
		this.deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 2000;
		this.rateLimit = opts.rateLimit ?? Infinity;
		this.rateWindowMs = opts.rateWindowMs ?? 60000;
		this.faults = new FaultInjector(opts.faults ?? {});
		this.reset(opts.seed ?? 'fixtures');
	}

	get tokensIssued(): number {
		return this.issued;
	}

	async listen(): Promise<void> {
		const server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				if (res.headersSent || res.destroyed) return;
				const answer = apiError(500, 'internal-server-error', `Sandbox failure: ${String(error)}`);
				res.writeHead(answer.status, answer.headers).end(answer.body);
			});
		});
		this.server = server;
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		this.url = `http://127.0.0.1:${port}`;
		this.apiUrl = `${this.url}/api`;
	}

	// ----- state -------------------------------------------------------------------------------

	reset(seed: BeyondSeed = 'fixtures'): void {
		for (const [timer, resolve] of this.timers) {
			clearTimeout(timer);
			resolve();
		}
		this.timers.clear();
		this.idRandom = prng(0xbe7011d);
		this.processRandom = prng(0x9a1d);
		this.generation++;
		const fixture = loadEPagesFixture();
		this.catalogue = fixture.products.filter((p) => p.visible && p.forSale);
		this.customers = fixture.customers;
		const orders = seed === 'fixtures' ? fixture.orders.map(beyondOrderFromNow) : [];
		this.orders.splice(0, this.orders.length, ...orders);
		this.events.clear();
		this.eventCount = 0;
		// A fixture order paid in the Now fixture was paid then; cancelled when it was rejected.
		orders.forEach((order, k) => {
			const now = fixture.orders[k];
			this.seedEvents(order, now.paidOn ?? undefined);
			if (order.canceled) this.recordEvent(order, 'order-canceled', parseBeyondDate(now.rejectedOn ?? '') ?? 0, { triggeredBy: 'user' });
		});
		this.signers.length = 0;
		this.subscriptions.length = 0;
		this.deliveries.length = 0;
		this.requests.length = 0;
		this.tokens.clear();
		this.buckets.clear();
		this.issued = 0;
		this.addedCount = 0;
		this.deliveryCount = 0;
		const numbers = orders.map((o) => Number(o.orderNumber)).filter(Number.isFinite);
		this.nextOrderNumber = numbers.length > 0 ? Math.max(...numbers) + 1 : 10001;
	}

	expireTokens(): void {
		for (const state of this.tokens.values()) state.expiresAt = 0;
	}

	setRateLimit(perWindow: number, windowMs: number): void {
		this.rateLimit = perWindow;
		this.rateWindowMs = windowMs;
		this.buckets.clear();
	}

	addOrder(input: BeyondOrderInput = {}): BeyondOrder {
		const order =
			input.grandTotal !== undefined ? this.completeOrder(input) : this.buildOrder(input);
		if (this.orders.some((o) => o._id === order._id)) {
			throw new Error(`An order ${order._id} is already in the Beyond sandbox`);
		}
		const numeric = Number(order.orderNumber);
		if (Number.isFinite(numeric))
			this.nextOrderNumber = Math.max(this.nextOrderNumber, numeric + 1);
		this.orders.push(order);
		this.seedEvents(order, input.paidAt);
		if (order.canceled) this.recordEvent(order, 'order-canceled', parseBeyondDate(order.createdAt) ?? 0, { triggeredBy: 'user' });
		this.fire('order.created', order);
		return order;
	}

	setPaymentStatus(orderId: string, status: BeyondPaymentStatus, opts: { at?: string | Date; comment?: string } = {}): BeyondOrder {
		return this.change(orderId, (order) => {
			const before = order.paymentStatus;
			order.paymentStatus = status;
			if (status === before) return;
			if (status === 'PAID') {
				const at = opts.at === undefined ? this.now().getTime() : typeof opts.at === 'string' ? parseBeyondDate(opts.at) : opts.at.getTime();
				if (at === undefined) throw new Error(`Not a date: ${String(opts.at)}`);
				this.recordPaid(order, at, opts.comment ?? null);
			} else {
				this.recordEvent(order, 'payment-status-updated', this.now().getTime(), { triggeredBy: 'user', comment: opts.comment ?? null });
			}
		});
	}

	orderEvents(orderId: string): BeyondOrderEvent[] {
		if (!this.orders.some((o) => o._id === orderId)) throw new Error(`No order ${orderId} in the Beyond sandbox`);
		let list = this.events.get(orderId);
		if (!list) this.events.set(orderId, (list = []));
		return list;
	}

	/** Nine fractional digits, as the real events show: the milliseconds, then a counter. */
	private eventTime(ms: number): string {
		return `${beyondDate(ms)}${String(++this.eventCount % 1000000).padStart(6, '0')}`;
	}

	private recordEvent(
		order: BeyondOrder,
		type: string,
		ms: number,
		over: Partial<Omit<BeyondOrderEvent, 'type' | 'createdAt'>> = {},
	): BeyondOrderEvent {
		const event: BeyondOrderEvent = { type, triggeredBy: null, comment: null, createdAt: this.eventTime(ms), details: {}, ...over };
		this.orderEvents(order._id).push(event);
		return event;
	}

	/** A payment process created and paid at `ms`: payment-created, then payment-paid. */
	private recordPaid(order: BeyondOrder, ms: number, comment: string | null): void {
		const processId = this.uuid(this.processRandom);
		const process = { 'payment-process': this.link(`/orders/${order._id}/processes/payments/${processId}`) };
		const details = { amount: { currency: order.grandTotal.currency, amount: order.grandTotal.amount }, paymentProcessId: processId };
		this.recordEvent(order, 'payment-created', ms, { details: { ...details, paymentId: null }, _links: process });
		this.recordEvent(order, 'payment-paid', ms, { triggeredBy: 'user', comment, details, _links: process });
	}

	/** A new order's events: created, and paid (at `paidAt`, else its creation) when it is PAID. */
	private seedEvents(order: BeyondOrder, paidAt?: string): void {
		const created = parseBeyondDate(order.createdAt) ?? 0;
		this.recordEvent(order, 'order-created', created, {
			details: { lineItems: order.productLineItems.map((l) => ({ quantity: l.quantity, productLineItemId: l._id })) },
		});
		if (order.paymentStatus !== 'PAID') return;
		const at = paidAt === undefined ? created : parseBeyondDate(paidAt);
		if (at === undefined) throw new Error(`Not a date: paidAt ${paidAt}`);
		this.recordPaid(order, at, null);
	}

	setShippingStatus(orderId: string, status: BeyondShippingStatus): BeyondOrder {
		return this.change(orderId, (order) => {
			order.shippingStatus = status;
		});
	}

	cancelOrder(orderId: string, comment?: string): BeyondOrder {
		return this.change(orderId, (order) => {
			order.canceled = true;
			this.recordEvent(order, 'order-canceled', this.now().getTime(), { triggeredBy: 'user', comment: comment ?? null });
		});
	}

	redeliver(deliveryId: string): BeyondDelivery {
		const original = this.deliveries.find((d) => d.id === deliveryId);
		if (!original) throw new Error(`No delivery ${deliveryId} in the Beyond sandbox`);
		const copy: BeyondDelivery = {
			...clone(original),
			id: `dlv-${++this.deliveryCount}`,
			attempts: [],
			done: false,
			outcome: 'pending',
			replayOf: original.id,
		};
		this.deliveries.push(copy);
		this.track(this.run(copy));
		return copy;
	}

	async waitForDeliveries(): Promise<void> {
		while (this.inflight.size > 0) await Promise.all([...this.inflight]);
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		for (const [timer, resolve] of this.timers) {
			clearTimeout(timer);
			resolve();
		}
		this.timers.clear();
		const server = this.server;
		if (!server) return;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	/** Deterministic per sandbox (restarted by reset), so that runs can be compared. */
	private uuid(random = this.idRandom): string {
		const hex = (count: number) => {
			let out = '';
			for (let i = 0; i < count; i++) out += '0123456789abcdef'[Math.floor(random() * 16)];
			return out;
		};
		return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
	}

	private change(orderId: string, apply: (order: BeyondOrder) => void): BeyondOrder {
		const order = this.orders.find((o) => o._id === orderId);
		if (!order) throw new Error(`No order ${orderId} in the Beyond sandbox`);
		apply(order);
		this.touch(order);
		this.fire('order.updated', order);
		return order;
	}

	/** updatedAt always moves forward, even under a frozen clock. */
	private touch(order: BeyondOrder): void {
		const previous = parseBeyondDate(order.updatedAt) ?? 0;
		order.updatedAt = beyondDate(Math.max(this.now().getTime(), previous + 1));
	}

	private completeOrder(input: BeyondOrderInput): BeyondOrder {
		const order = clone(input) as BeyondOrder & {
			lines?: unknown;
			coupon?: unknown;
			shipping?: unknown;
			paymentFee?: unknown;
			pickup?: unknown;
			paidAt?: unknown;
		};
		delete order.lines;
		delete order.coupon;
		delete order.shipping;
		delete order.paymentFee;
		delete order.pickup;
		delete order.paidAt;
		delete order._links;
		order._id ??= this.uuid();
		order.orderNumber ??= String(this.nextOrderNumber);
		order.createdAt = beyondDate(parseBeyondDate(order.createdAt ?? '') ?? this.now().getTime());
		order.updatedAt = beyondDate(
			parseBeyondDate(order.updatedAt ?? '') ?? parseBeyondDate(order.createdAt) ?? 0,
		);
		order.productLineItems ??= [];
		order.pickupLineItem ??= null;
		if (order.shippingAddress === undefined) order.shippingAddress = clone(order.billingAddress ?? {});
		order.customerEmail ??= order.billingAddress?.email ?? null;
		return order;
	}

	private buildOrder(input: BeyondOrderInput): BeyondOrder {
		const n = this.addedCount++;
		const model = input.taxModel ?? 'GROSS';
		const currency = input.currency ?? 'EUR';
		const customer =
			this.customers.length > 0 ? this.customers[n % this.customers.length] : undefined;
		const billing: BeyondAddress = input.billingAddress
			? clone(input.billingAddress)
			: customer
				? addressFromNow(customer.billingAddress)
				: {
						firstName: 'Cliente',
						lastName: 'Ocasional',
						street: 'Rua do Ouro',
						houseNumber: '10',
						postalCode: '1100-060',
						city: 'Lisboa',
						country: 'PT',
						email: 'cliente.ocasional@example.com',
						vatId: null,
						taxNumber: null,
					};
		const domestic = (billing.country ?? 'PT') === 'PT';
		const lineInputs = input.lines ?? this.defaultLines(n);
		const lines = input.productLineItems
			? clone(input.productLineItems)
			: lineInputs.map((line) => this.line(line, model, currency));
		const pickup = input.pickup ?? null;
		const shipping =
			input.shipping === undefined && !pickup
				? {
						name: domestic ? 'CTT Expresso 48h' : 'Envio internacional (CTT)',
						price: domestic ? 4.9 : 9.9,
						taxRate: 0.23,
					}
				: (input.shipping ?? null);
		const fee =
			input.paymentFee === undefined
				? { name: 'MB WAY', price: 0, taxRate: 0.23 }
				: input.paymentFee;
		const createdAt = beyondDate(parseBeyondDate(input.createdAt ?? '') ?? this.now().getTime());
		const shippingRate = asFraction(shipping?.taxRate ?? 0.23);
		const feeRate = asFraction(fee?.taxRate ?? 0.23);
		const pickupRate = asFraction(pickup?.taxRate ?? 0.23);
		const order: BeyondOrder = {
			_id: input._id ?? this.uuid(),
			orderNumber: input.orderNumber ?? String(this.nextOrderNumber),
			createdAt,
			updatedAt: createdAt,
			currency,
			taxModel: model,
			testOrder: false,
			viewed: false,
			productLineItems: lines,
			shippingLineItem: shipping
				? {
						lineItemPrice: money(cents(shipping.price), model, currency),
						taxClass: beyondTaxClassOf(shippingRate),
						shippingMethod: { id: this.uuid(), name: shipping.name ?? 'CTT Expresso 48h' },
						lineItemTaxes: [tax(0, shippingRate, model, currency)],
					}
				: null,
			paymentLineItem: fee
				? {
						lineItemPrice: money(cents(fee.price), model, currency),
						taxClass: beyondTaxClassOf(feeRate),
						paymentMethod: { id: this.uuid(), name: fee.name ?? 'MB WAY' },
						lineItemTaxes: [tax(0, feeRate, model, currency)],
					}
				: null,
			pickupLineItem: pickup ? this.pickupLine(pickup, pickupRate, lines, model, currency) : null,
			couponLineItem: input.coupon
				? {
						code: input.coupon.code,
						lineItemPrice: money(-Math.abs(cents(input.coupon.amount)), model, currency),
						couponCampaign: { _id: this.uuid() },
					}
				: (input.couponLineItem ?? null),
			grandTotal: { currency, amount: 0 },
			netTotal: { currency, amount: 0 },
			taxTotal: { currency, amount: 0 },
			taxes: [],
			billingAddress: billing,
			shippingAddress: input.shippingAddress ? clone(input.shippingAddress) : pickup ? null : clone(billing),
			paymentStatus: 'PENDING',
			shippingStatus: pickup ? 'NOT_PICKED_UP' : 'UNSHIPPED',
			canceled: false,
			customerId: customer ? customer.customerId.toLowerCase() : null,
			customerEmail: billing.email ?? null,
			customerNumber: customer?.customerNumber ?? null,
			customerComment: null,
			orderNote: null,
		};
		const rest: Record<string, unknown> = clone(input);
		for (const key of ['lines', 'coupon', 'shipping', 'paymentFee', 'pickup', 'paidAt']) delete rest[key];
		Object.assign(order, rest, { createdAt });
		if (input.updatedAt === undefined) order.updatedAt = createdAt;
		computeTotals(order);
		return order;
	}

	/** A pickup line: one rate, or one entry per rate of the products (split by computeTotals). */
	private pickupLine(
		pickup: NonNullable<BeyondOrderInput['pickup']>,
		rate: number,
		lines: BeyondProductLineItem[],
		model: BeyondTaxModel,
		currency: string,
	): BeyondPickupLineItem {
		const price = money(cents(pickup.price), model, currency);
		const rates = pickup.splitByRate
			? [...new Set(lines.map((l) => l.lineItemTax.taxRate))].sort((a, b) => b - a)
			: [rate];
		return {
			pickupOption: { id: this.uuid(), name: pickup.name ?? 'Loja do Chiado', taxClass: beyondTaxClassOf(rate) },
			lineItemPrice: price,
			initialLineItemPrice: clone(price),
			lineItemTaxes: rates.map((r) => tax(0, r, model, currency)),
			taxClass: beyondTaxClassOf(rate),
		};
	}

	private defaultLines(n: number): BeyondLineInput[] {
		if (this.catalogue.length === 0) return [{ name: 'Artigo', unitPrice: 10, taxRate: 0.23 }];
		const count = 1 + (n % 3);
		const lines: BeyondLineInput[] = [];
		for (let i = 0; i < count; i++) {
			const product = this.catalogue[(n * 2 + i * 5) % this.catalogue.length];
			if (lines.some((l) => l.sku === product.productNumber)) continue;
			lines.push({ sku: product.productNumber, quantity: 1 + ((n + i) % 2) });
		}
		return lines;
	}

	private line(
		input: BeyondLineInput,
		model: BeyondTaxModel,
		currency: string,
	): BeyondProductLineItem {
		const product = this.catalogue.find(
			(p) =>
				(input.sku !== undefined && p.productNumber === input.sku) ||
				(input.productId !== undefined &&
					p.productId.toLowerCase() === input.productId.toLowerCase()),
		);
		const rate = asFraction(
			input.taxRate ?? (product ? product.priceInfo.taxClass.percentage / 100 : 0.23),
		);
		let unitCents: number;
		if (input.unitPrice !== undefined) unitCents = cents(input.unitPrice);
		else if (product) {
			const gross = cents(product.priceInfo.price.amount);
			unitCents = model === 'GROSS' ? gross : Math.round(gross / (1 + rate));
		} else throw new Error('A Beyond line needs a catalogue sku/productId or a unitPrice');
		const quantity = input.quantity ?? 1;
		return {
			_id: this.uuid(),
			product: {
				_id: (product?.productId ?? input.productId ?? this.uuid()).toLowerCase(),
				sku: product?.productNumber ?? input.sku ?? 'CUSTOM',
				name: product?.name ?? input.name ?? 'Artigo',
			},
			quantity,
			unitPrice: money(unitCents, model, currency),
			lineItemPrice: money(Math.round(unitCents * quantity), model, currency),
			lineItemTax: tax(0, rate, model, currency),
		};
	}

	// ----- webhooks ----------------------------------------------------------------------------

	fireEvent(eventType: BeyondEventType, payload: unknown): BeyondDelivery[] {
		if (!(BEYOND_EVENT_TYPES as readonly string[]).includes(eventType)) {
			throw new Error(`Not a Beyond event type: ${eventType}`);
		}
		return this.deliver(eventType, JSON.stringify(payload));
	}

	private fire(eventType: BeyondEventType, order: BeyondOrder): void {
		this.deliver(eventType, JSON.stringify({ ...this.renderOrder(order), _payloadType: 'order' }));
	}

	private deliver(eventType: BeyondEventType, body: string): BeyondDelivery[] {
		const created: BeyondDelivery[] = [];
		for (const subscription of this.subscriptions) {
			if (!subscription.active || !subscription.eventTypes.includes(eventType)) continue;
			const uri = subscription.callbackUri;
			const signatures = this.signers.map((s) => beyondSignature(s.sharedSecret, uri, body));
			const delivery: BeyondDelivery = {
				id: `dlv-${++this.deliveryCount}`,
				subscriptionId: subscription._id,
				eventType,
				uri,
				body,
				signatures,
				headers: {
					'Content-Type': 'application/json',
					'X-EPAGES-WEBHOOK-EVENT-TYPE': eventType,
					'X-EPAGES-SIGNATURE': signatures,
				},
				attempts: [],
				done: false,
				outcome: 'pending',
			};
			this.deliveries.push(delivery);
			created.push(delivery);
			this.track(this.run(delivery));
		}
		return created;
	}

	private track(promise: Promise<void>): void {
		this.inflight.add(promise);
		void promise.finally(() => this.inflight.delete(promise));
	}

	private wait(ms: number): Promise<void> {
		if (this.closed) return Promise.resolve();
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				resolve();
			}, ms);
			this.timers.set(timer, resolve);
		});
	}

	private async run(delivery: BeyondDelivery): Promise<void> {
		// Let the API answer that caused the event go out first.
		const generation = this.generation;
		await new Promise((resolve) => setImmediate(resolve));
		for (let attempt = 0; ; attempt++) {
			// close() and reset() end the retries (reset: the delivery is no longer listed anyway).
			if (this.closed || generation !== this.generation) break;
			const result = await this.attempt(delivery);
			delivery.attempts.push(result);
			if (result.status !== undefined && result.status >= 200 && result.status < 300) {
				delivery.outcome = 'delivered';
				break;
			}
			if (attempt >= this.retryDelaysMs.length) {
				delivery.outcome = 'failed';
				break;
			}
			await this.wait(this.retryDelaysMs[attempt]);
		}
		if (delivery.outcome === 'pending') delivery.outcome = 'failed';
		delivery.done = true;
	}

	private attempt(delivery: BeyondDelivery): Promise<BeyondDeliveryAttempt> {
		const at = Date.now();
		if (!isLoopback(delivery.uri)) {
			return Promise.resolve({
				at,
				error: 'callback host is not loopback: the sandbox does not use the network',
			});
		}
		return new Promise((resolve) => {
			let settled = false;
			const settle = (result: BeyondDeliveryAttempt) => {
				if (settled) return;
				settled = true;
				resolve(result);
			};
			const bytes = Buffer.from(delivery.body, 'utf8');
			let req;
			try {
				req = httpRequest(delivery.uri, {
					method: 'POST',
					headers: { ...delivery.headers, 'Content-Length': String(bytes.length) },
				});
			} catch (error) {
				settle({ at, error: String(error) });
				return;
			}
			const timer = setTimeout(() => {
				settle({ at, error: 'timeout' });
				req.destroy();
			}, this.deliveryTimeoutMs);
			req.on('response', (res) => {
				res.resume();
				res.on('end', () => {
					clearTimeout(timer);
					settle({ at, status: res.statusCode ?? 0 });
				});
				res.on('error', (error) => {
					clearTimeout(timer);
					settle({ at, error: error.message });
				});
			});
			req.on('error', (error) => {
				clearTimeout(timer);
				settle({ at, error: (error as NodeJS.ErrnoException).code ?? error.message });
			});
			req.end(bytes);
		});
	}

	// ----- rendering ---------------------------------------------------------------------------

	private link(path: string): { href: string } {
		return { href: `${this.apiUrl}${path}` };
	}

	private renderOrder(order: BeyondOrder): BeyondOrder {
		const out = clone(order);
		const self = `/orders/${order._id}`;
		out._links = {
			self: this.link(self),
			order: this.link(self),
			'order-note': this.link(`${self}/order-note`),
			processes: this.link(`${self}/processes`),
			events: this.link(`${self}/events`),
		};
		return out;
	}

	private renderSubscription(s: BeyondSubscription) {
		const self = `/webhook-subscriptions/${s._id}`;
		return {
			callbackUri: s.callbackUri,
			eventTypes: [...s.eventTypes],
			active: s.active,
			_id: s._id,
			_links: {
				self: this.link(self),
				'webhook-subscription': this.link(self),
				activate: this.link(`${self}/activate`),
				deactivate: this.link(`${self}/deactivate`),
			},
		};
	}

	private renderSigner(s: BeyondSigner) {
		return {
			_id: s._id,
			sharedSecret: s.sharedSecret,
			_links: { self: this.link(`/signers/${s._id}`) },
		};
	}

	// ----- request handling --------------------------------------------------------------------

	private consumeRate(key: string): { over: boolean; resetAt: number } {
		const nowMs = Date.now();
		let bucket = this.buckets.get(key);
		if (!bucket || nowMs >= bucket.windowStart + this.rateWindowMs) {
			bucket = { windowStart: nowMs, used: 0 };
			this.buckets.set(key, bucket);
		}
		bucket.used++;
		return { over: bucket.used > this.rateLimit, resetAt: bucket.windowStart + this.rateWindowMs };
	}

	private tooMany(resetAt: number): Answer {
		const answer = apiError(429, 'too-many-requests', 'Rate limit exceeded');
		answer.headers['Retry-After'] = String(Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)));
		return answer;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const method = (req.method ?? 'GET').toUpperCase();
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const path = url.pathname;
		const record: BeyondRecordedRequest = {
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
		if (this.faults.latencyMs > 0) await this.wait(this.faults.latencyMs);

		let answer: Answer;
		if (fault === 'status429') {
			answer = apiError(429, 'too-many-requests', 'Rate limit exceeded');
			const retryAfter = this.faults.retryAfterSeconds;
			if (retryAfter !== undefined) answer.headers['Retry-After'] = String(retryAfter);
		} else if (fault === 'status500' || fault === 'status502' || fault === 'status503') {
			const status = Number(fault.slice(6));
			answer =
				status === 500
					? apiError(500, 'internal-server-error', 'Internal Server Error')
					: {
							status,
							headers: { 'Content-Type': 'text/html' },
							body: `<html><body><h1>${status} ${status === 502 ? 'Bad Gateway' : 'Service Unavailable'}</h1></body></html>\n`,
						};
		} else {
			try {
				answer = this.route(req, method, url, raw, json, record);
			} catch (error) {
				answer =
					error instanceof HttpError
						? error.answer
						: apiError(500, 'internal-server-error', `Sandbox failure: ${String(error)}`);
			}
		}

		if (fault === 'slow') await this.wait(this.faults.slowMs);
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

	private route(
		req: IncomingMessage,
		method: string,
		url: URL,
		raw: string,
		json: unknown,
		record: BeyondRecordedRequest,
	): Answer {
		const path = url.pathname.replace(/\/+$/, '');
		if (!path.startsWith('/api/') && path !== '/api') {
			return apiError(404, 'resource-not-found', `No resource at ${url.pathname}`);
		}
		const segments = path.slice(4).split('/').filter(Boolean).map(decodeURIComponent);
		if (segments[0] === 'oauth' && segments[1] === 'token' && segments.length === 2) {
			return this.token(req, method, url, raw, record);
		}

		// Bearer token
		const header = first(req.headers.authorization) ?? '';
		const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
		const state = match ? this.tokens.get(match[1]) : undefined;
		if (!match) {
			return oauthError(
				401,
				'invalid_token',
				'Full authentication is required to access this resource',
			);
		}
		if (!state) return oauthError(401, 'invalid_token', 'Cannot convert access token to JSON');
		if (state.expiresAt <= Date.now()) {
			return oauthError(401, 'invalid_token', `Access token expired: ${match[1].slice(0, 12)}...`);
		}
		const rate = this.consumeRate(match[1]);
		if (rate.over) return this.tooMany(rate.resetAt);
		if (!acceptsJson(first(req.headers.accept))) {
			return apiError(406, 'not-acceptable', 'Could not find acceptable representation');
		}
		const need = (scope: string) => {
			if (!state.scopes.has(scope)) {
				throw new HttpError(
					plainJson(403, {
						error: 'insufficient_scope',
						error_description: 'Insufficient scope for this resource',
						scope,
					}),
				);
			}
		};
		const only = (...allowed: string[]) => {
			if (!allowed.includes(method)) {
				const answer = apiError(
					405,
					'method-not-allowed',
					`Request method '${method}' not supported`,
				);
				answer.headers.Allow = allowed.join(', ');
				throw new HttpError(answer);
			}
		};
		const body = () => {
			const type = (first(req.headers['content-type']) ?? '').split(';')[0].trim().toLowerCase();
			if (type !== 'application/json' && type !== 'application/hal+json') {
				throw new HttpError(
					apiError(415, 'unsupported-media-type', `Content type '${type}' not supported`),
				);
			}
			if (raw.trim() === '' || typeof json !== 'object' || json === null || Array.isArray(json)) {
				throw new HttpError(
					apiError(400, 'message-not-readable', 'The request body is not a JSON object'),
				);
			}
			return json as Record<string, unknown>;
		};
		const [resource, id, sub, ...more] = segments;
		if (more.length > 0)
			return apiError(404, 'resource-not-found', `No resource at ${url.pathname}`);

		if (resource === 'orders') {
			if (id === undefined) {
				only('GET');
				need('ordr:r');
				return hal(200, this.listOrders(url));
			}
			const order = this.orders.find((o) => o._id === id);
			if (sub === undefined) {
				only('GET');
				need('ordr:r');
				if (!order) return apiError(404, 'resource-not-found', `Order ${id} not found`);
				return hal(200, this.renderOrder(order));
			}
			if (sub === 'order-note') {
				only('PUT');
				need('ordr:u');
				const input = body();
				if (!order) return apiError(404, 'resource-not-found', `Order ${id} not found`);
				const note = input.orderNote;
				if (note !== null && typeof note !== 'string') {
					return apiError(400, 'validation-failed', 'orderNote must be a string', {
						field: 'orderNote',
					});
				}
				if (typeof note === 'string' && note.length > 4000) {
					return apiError(400, 'validation-failed', 'orderNote is longer than 4000 characters', {
						field: 'orderNote',
					});
				}
				this.change(order._id, (o) => {
					o.orderNote = note;
				});
				return hal(200, this.renderOrder(order));
			}
			// GET /orders/{id}/events (BYD-OAS order-events-list, orde:r): newest first, paged.
			if (sub === 'events') {
				only('GET');
				need('orde:r');
				if (!order) return apiError(404, 'resource-not-found', `Order ${id} not found`);
				return hal(200, this.listEvents(order, url));
			}
			// POST /orders/{id}/cancel (BYD-OAS cancel-order: clpr:c, optional body {comment}). Inferred,
			// strict: a second cancel is refused (400), never a silent success, so a client must read first.
			if (sub === 'cancel') {
				only('POST');
				need('clpr:c');
				const comment = this.cancelComment(req, raw, json);
				if (!order) return apiError(404, 'resource-not-found', `Order ${id} not found`);
				if (order.canceled) return apiError(400, 'order-already-canceled', `Order ${id} is already canceled`);
				this.change(order._id, (o) => {
					o.canceled = true;
					this.recordEvent(o, 'order-canceled', this.now().getTime(), { triggeredBy: this.clientId, comment });
				});
				return hal(200, this.renderOrder(order));
			}
			// POST /orders/{id}/mark-as-viewed (reference §2b, ordr:u).
			if (sub === 'mark-as-viewed') {
				only('POST');
				need('ordr:u');
				if (!order) return apiError(404, 'resource-not-found', `Order ${id} not found`);
				if (!order.viewed) {
					this.change(order._id, (o) => {
						o.viewed = true;
					});
				}
				return hal(200, this.renderOrder(order));
			}
			return apiError(404, 'resource-not-found', `No resource at ${url.pathname}`);
		}

		if (resource === 'signers') {
			if (sub !== undefined)
				return apiError(404, 'resource-not-found', `No resource at ${url.pathname}`);
			if (id === undefined) {
				only('GET', 'POST');
				if (method === 'GET') {
					return hal(200, {
						_embedded: { signers: this.signers.map((s) => this.renderSigner(s)) },
						_links: { self: this.link('/signers') },
					});
				}
				if (this.signers.length >= BEYOND_MAX_SIGNERS) {
					return apiError(
						400,
						'signer-limit-exceeded',
						`No more than ${BEYOND_MAX_SIGNERS} signers can be defined. Delete one first.`,
						{
							maxSigners: BEYOND_MAX_SIGNERS,
						},
					);
				}
				const signer: BeyondSigner = {
					_id: this.uuid(),
					sharedSecret: randomBytes(16)
						.toString('base64')
						.replace(/[^a-z0-9]/gi, '')
						.toLowerCase()
						.slice(0, 26),
					createdAt: beyondDate(Date.now()),
				};
				this.signers.push(signer);
				const answer = hal(201, this.renderSigner(signer));
				answer.headers.Location = this.link(`/signers/${signer._id}`).href;
				return answer;
			}
			only('DELETE');
			const index = this.signers.findIndex((s) => s._id === id);
			if (index < 0) return apiError(404, 'resource-not-found', `Signer ${id} not found`);
			if (this.signers.length === 1) {
				return apiError(400, 'last-signer-cannot-be-deleted', 'The last signer cannot be deleted.');
			}
			this.signers.splice(index, 1);
			return { status: 204, headers: {}, body: '' };
		}

		if (resource === 'webhook-subscriptions') {
			if (id === undefined) {
				only('GET', 'POST');
				if (method === 'GET') return hal(200, this.listSubscriptions(url));
				return this.createSubscription(body(), need);
			}
			const subscription = this.subscriptions.find((s) => s._id === id);
			if (sub === 'activate' || sub === 'deactivate') {
				only('POST');
				if (!subscription)
					return apiError(404, 'resource-not-found', `Webhook subscription ${id} not found`);
				subscription.active = sub === 'activate';
				return hal(200, this.renderSubscription(subscription));
			}
			if (sub !== undefined)
				return apiError(404, 'resource-not-found', `No resource at ${url.pathname}`);
			only('GET', 'DELETE');
			if (!subscription)
				return apiError(404, 'resource-not-found', `Webhook subscription ${id} not found`);
			if (method === 'GET') return hal(200, this.renderSubscription(subscription));
			this.subscriptions.splice(this.subscriptions.indexOf(subscription), 1);
			return { status: 204, headers: {}, body: '' };
		}
		return apiError(404, 'resource-not-found', `No resource at ${url.pathname}`);
	}

	private token(
		req: IncomingMessage,
		method: string,
		url: URL,
		raw: string,
		record: BeyondRecordedRequest,
	): Answer {
		if (method !== 'POST') {
			const answer = apiError(
				405,
				'method-not-allowed',
				`Request method '${method}' not supported`,
			);
			answer.headers.Allow = 'POST';
			return answer;
		}
		const rate = this.consumeRate(`token:${this.clientId}`);
		if (rate.over) return this.tooMany(rate.resetAt);
		const header = first(req.headers.authorization) ?? '';
		const basic = /^Basic\s+(\S+)\s*$/i.exec(header);
		if (!basic) {
			return oauthError(
				401,
				'unauthorized',
				'Full authentication is required to access this resource',
			);
		}
		const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		const id = colon < 0 ? decoded : decoded.slice(0, colon);
		const secret = colon < 0 ? '' : decoded.slice(colon + 1);
		if (id !== this.clientId || secret !== this.clientSecret) {
			return oauthError(401, 'unauthorized', 'Bad credentials');
		}
		let grantType = url.searchParams.get('grant_type') ?? undefined;
		if (grantType !== undefined) record.grantTypeIn = 'query';
		else {
			const type = (first(req.headers['content-type']) ?? '').split(';')[0].trim().toLowerCase();
			if (type === 'application/x-www-form-urlencoded') {
				grantType = new URLSearchParams(raw).get('grant_type') ?? undefined;
				if (grantType !== undefined) record.grantTypeIn = 'body';
			}
		}
		if (grantType === undefined) return oauthError(400, 'invalid_request', 'Missing grant type');
		if (grantType === 'authorization_code' || grantType === 'refresh_token') {
			return oauthError(
				400,
				'invalid_grant',
				grantType === 'refresh_token' ? 'Invalid refresh token' : 'Invalid authorization code',
			);
		}
		if (grantType !== 'client_credentials') {
			return oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
		}
		const iat = Math.floor(Date.now() / 1000);
		const jti = randomBytes(12).toString('base64url');
		const scope = this.scopes.join(' ');
		const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
		const accessToken = [
			b64({ alg: 'RS256', typ: 'JWT' }),
			b64({
				sub: this.clientId,
				tenantId: this.tenantId,
				scope,
				iat,
				exp: iat + this.ttlSeconds,
				jti,
				clientId: this.clientId,
			}),
			randomBytes(64).toString('base64url'),
		].join('.');
		this.tokens.set(accessToken, {
			expiresAt: Date.now() + this.ttlSeconds * 1000,
			scopes: new Set(this.scopes),
		});
		this.issued++;
		return plainJson(200, {
			access_token: accessToken,
			token_type: 'bearer',
			expires_in: this.ttlSeconds,
			scope,
			tenantId: this.tenantId,
			iat,
			jti,
		});
	}

	private paging(url: URL): { page: number; size: number } {
		const pageRaw = url.searchParams.get('page') ?? '0';
		const sizeRaw = url.searchParams.get('size') ?? '20';
		if (!/^\d+$/.test(pageRaw)) {
			throw new HttpError(
				apiError(400, 'invalid-request-parameter', `Invalid page '${pageRaw}'`, {
					parameter: 'page',
				}),
			);
		}
		if (!/^\d+$/.test(sizeRaw) || Number(sizeRaw) < 1) {
			throw new HttpError(
				apiError(400, 'invalid-request-parameter', `Invalid size '${sizeRaw}'`, {
					parameter: 'size',
				}),
			);
		}
		return { page: Number(pageRaw), size: Math.min(Number(sizeRaw), BEYOND_MAX_PAGE_SIZE) };
	}

	private pageOf<T>(items: T[], url: URL, path: string, key: string) {
		const { page, size } = this.paging(url);
		const totalPages = Math.ceil(items.length / size);
		const href = (n: number) => {
			const params = new URLSearchParams(url.searchParams);
			params.set('page', String(n));
			params.set('size', String(size));
			return { href: `${this.apiUrl}${path}?${params.toString()}` };
		};
		const links: Record<string, { href: string }> = {};
		if (totalPages > 0) links.first = href(0);
		if (page > 0 && totalPages > 0) links.prev = href(Math.min(page - 1, totalPages - 1));
		links.self = href(page);
		if (page + 1 < totalPages) links.next = href(page + 1);
		if (totalPages > 0) links.last = href(totalPages - 1);
		return {
			_embedded: { [key]: items.slice(page * size, page * size + size) },
			_links: links,
			page: { size, totalElements: items.length, totalPages, number: page },
		};
	}

	private listOrders(url: URL) {
		const query = parseQuery(url);
		let list = [...this.orders];
		const date = (name: string): number | undefined => {
			const raw = first(query[name]);
			if (raw === undefined) return undefined;
			const ms = parseBeyondDate(raw);
			if (ms === undefined) {
				throw new HttpError(
					apiError(
						400,
						'invalid-request-parameter',
						`Invalid value '${raw}' for ${name}: expected an ISO 8601 date-time`,
						{ parameter: name },
					),
				);
			}
			return ms;
		};
		const at = (value: string) => parseBeyondDate(value) ?? 0;
		const createdAfter = date('createdAfter');
		const createdBefore = date('createdBefore');
		const updatedAfter = date('updatedAfter');
		const updatedBefore = date('updatedBefore');
		if (createdAfter !== undefined) list = list.filter((o) => at(o.createdAt) >= createdAfter);
		if (createdBefore !== undefined) list = list.filter((o) => at(o.createdAt) < createdBefore);
		if (updatedAfter !== undefined) list = list.filter((o) => at(o.updatedAt) >= updatedAfter);
		if (updatedBefore !== undefined) list = list.filter((o) => at(o.updatedAt) < updatedBefore);
		for (const flag of ['canceled', 'viewed', 'testOrder'] as const) {
			const raw = first(query[flag]);
			if (raw === undefined) continue;
			if (raw !== 'true' && raw !== 'false') {
				throw new HttpError(
					apiError(
						400,
						'invalid-request-parameter',
						`Invalid value '${raw}' for ${flag}: expected true or false`,
						{ parameter: flag },
					),
				);
			}
			list = list.filter((o) => o[flag] === (raw === 'true'));
		}
		for (const field of ['paymentStatus', 'shippingStatus'] as const) {
			const wanted = all(query[field]).map((v) => v.toUpperCase());
			if (wanted.length > 0) list = list.filter((o) => wanted.includes(String(o[field])));
		}
		const orderNumber = first(query.orderNumber);
		if (orderNumber !== undefined) list = list.filter((o) => o.orderNumber === orderNumber);
		const email = first(query.customerEmail);
		if (email !== undefined) {
			list = list.filter((o) => (o.customerEmail ?? '').toLowerCase() === email.toLowerCase());
		}
		const customerNumber = first(query.customerNumber);
		if (customerNumber !== undefined)
			list = list.filter((o) => o.customerNumber === customerNumber);
		const customerId = first(query.customerId);
		if (customerId !== undefined) list = list.filter((o) => o.customerId === customerId);

		const sort = first(query.sort) ?? 'createdAt,desc';
		const sortMatch = /^(createdAt|updatedAt)(?:,(asc|desc))?$/i.exec(sort.trim());
		if (!sortMatch || (sortMatch[1] !== 'createdAt' && sortMatch[1] !== 'updatedAt')) {
			throw new HttpError(
				apiError(400, 'invalid-request-parameter', `Unsupported sort '${sort}'`, {
					parameter: 'sort',
				}),
			);
		}
		const field = sortMatch[1] as 'createdAt' | 'updatedAt';
		const sign = (sortMatch[2] ?? 'asc').toLowerCase() === 'desc' ? -1 : 1;
		list.sort((a, b) => sign * (at(a[field]) - at(b[field])) || a._id.localeCompare(b._id));
		const page = this.pageOf(list, url, '/orders', 'orders');
		return {
			...page,
			_embedded: {
				orders: (page._embedded.orders as BeyondOrder[]).map((o) => this.renderOrder(o)),
			},
		};
	}

	/** The events, newest first; an empty list has no `_embedded`, as Spring HAL renders it. */
	private listEvents(order: BeyondOrder, url: URL) {
		const list = [...this.orderEvents(order._id)].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
		const page = this.pageOf(list, url, `/orders/${order._id}/events`, 'order-events');
		if (list.length > 0) return page;
		return { _links: page._links, page: page.page };
	}

	/** The optional cancel body: nothing, or a JSON object whose only property is a string `comment`. */
	private cancelComment(req: IncomingMessage, raw: string, json: unknown): string | null {
		if (raw.trim() === '') return null;
		const type = (first(req.headers['content-type']) ?? '').split(';')[0].trim().toLowerCase();
		if (type !== 'application/json' && type !== 'application/hal+json') {
			throw new HttpError(apiError(415, 'unsupported-media-type', `Content type '${type}' not supported`));
		}
		if (typeof json !== 'object' || json === null || Array.isArray(json)) {
			throw new HttpError(apiError(400, 'message-not-readable', 'The request body is not a JSON object'));
		}
		const body = json as Record<string, unknown>;
		const unknown = Object.keys(body).filter((k) => k !== 'comment');
		if (unknown.length > 0) {
			throw new HttpError(apiError(400, 'message-not-readable', `Unrecognized field(s) ${unknown.join(', ')}: the body is {"comment": "…"}`, { fields: unknown }));
		}
		if (body.comment !== undefined && body.comment !== null && typeof body.comment !== 'string') {
			throw new HttpError(apiError(400, 'validation-failed', 'comment must be a string', { field: 'comment' }));
		}
		return typeof body.comment === 'string' ? body.comment : null;
	}

	private listSubscriptions(url: URL) {
		return this.pageOf(
			this.subscriptions.map((s) => this.renderSubscription(s)),
			url,
			'/webhook-subscriptions',
			'subscriptions',
		);
	}

	private createSubscription(
		input: Record<string, unknown>,
		need: (scope: string) => void,
	): Answer {
		const { callbackUri, eventTypes } = input;
		if (typeof callbackUri !== 'string' || !/^https?:\/\/[^\s/]+/i.test(callbackUri)) {
			return apiError(400, 'validation-failed', 'callbackUri must be an absolute http(s) URI', {
				field: 'callbackUri',
			});
		}
		if (
			!Array.isArray(eventTypes) ||
			eventTypes.length === 0 ||
			eventTypes.some((t) => typeof t !== 'string')
		) {
			return apiError(
				400,
				'validation-failed',
				'eventTypes must be a non-empty list of event types',
				{ field: 'eventTypes' },
			);
		}
		const unknown = (eventTypes as string[]).filter(
			(t) => !(BEYOND_EVENT_TYPES as readonly string[]).includes(t),
		);
		if (unknown.length > 0) {
			return apiError(400, 'unknown-event-type', `Unknown event type(s): ${unknown.join(', ')}`, {
				eventTypes: unknown,
			});
		}
		if (this.signers.length === 0) {
			return apiError(
				401,
				'no-signer-defined',
				`A signer is required. No signer has been defined for clientId=${this.clientId}`,
			);
		}
		const types = [...new Set(eventTypes as BeyondEventType[])];
		for (const type of types) {
			if (type.startsWith('order.')) need('ordr:r');
			if (type.startsWith('product.')) need('prod:r');
		}
		const overlapping = types.filter((t) =>
			this.subscriptions.some((s) => s.eventTypes.includes(t)),
		);
		if (overlapping.length > 0) {
			return apiError(
				400,
				'webhook-overlapping-event-types',
				`There is already a subscription for event type(s) ${overlapping.join(', ')} of clientId=${this.clientId}`,
				{
					eventTypes: overlapping,
				},
			);
		}
		const subscription: BeyondSubscription = {
			_id: this.uuid(),
			callbackUri,
			eventTypes: types,
			active: true,
		};
		this.subscriptions.push(subscription);
		const answer = hal(201, this.renderSubscription(subscription));
		answer.headers.Location = this.link(`/webhook-subscriptions/${subscription._id}`).href;
		return answer;
	}
}

export async function startBeyondSandbox(opts: BeyondSandboxOptions = {}): Promise<BeyondSandbox> {
	const sandbox = new BeyondSandboxImpl(opts);
	await sandbox.listen();
	return sandbox;
}
