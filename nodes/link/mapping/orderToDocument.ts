import { money, orderSchema, type Order } from '../../shared/order';
import { InputError, type ClientRules } from '../../services/invoicexpress/helpers/client';
import { buildDocumentBody, type IxTax } from '../../services/invoicexpress/helpers/document';
import { readShipsFrom, taxForRate, taxPlace } from './taxPlace';
import { dateKey, type PtRegion } from './vatRates';
import { components } from './components';
import { clientFromOrder } from './orderClient';
import { priceLines, type DiscountStyle, type PricedLine, type PricingResult } from './pricing';

/**
 * ePages order → InvoicExpress document, as pure code: every input problem is an InputError that
 * names the order and the field, thrown before anything is sent.
 */

export interface MappingOptions {
	/** dd/mm/yyyy or ISO. */
	date: string;
	dueDate: string;
	itemName: 'sku' | 'productName';
	clientName: 'company' | 'person';
	discountStyle: DiscountStyle;
	/**
	 * Where the goods leave from (PT, PT-AC, PT-MA): every sale taxed in Portugal takes that region's
	 * taxes, wherever the goods go (CIVA art. 6.º n.º 1 and 16; see taxPlace.ts).
	 */
	shipsFrom: string;
	/** Explicit VAT rate → tax name choices; they win over matching by value. */
	taxMapping: Array<{ rate: number; taxName: string }>;
	taxExemption?: string;
	exchangeRate?: number;
	commentInObservations: boolean;
	sequenceId?: string;
	clientRules: Omit<ClientRules, 'context'>;
	/** Labels of the shipping and payment-fee lines; empty: in the order's language (lineLabels). */
	shippingLabel: string;
	paymentFeeLabel: string;
	/** Label of the pickup-fee line (an order collected at a pickup point); empty: in the order's language. */
	pickupLabel?: string;
}

export const DEFAULT_MAPPING: MappingOptions = {
	date: '',
	dueDate: '',
	itemName: 'sku',
	clientName: 'company',
	discountStyle: 'lineDiscount',
	shipsFrom: 'PT',
	taxMapping: [],
	commentInObservations: true,
	clientRules: { invalidFiscalId: 'error' },
	shippingLabel: '',
	paymentFeeLabel: '',
	pickupLabel: '',
};

export interface TotalsCheck {
	order_total: number;
	document_total: number;
	difference: number;
	matches: boolean;
	adjusted_lines: number;
	document_before_taxes: number;
	document_taxes: number;
	order_taxes: number | null;
	vat_by_rate: Array<{ rate: number; base: number; tax: number }>;
}

export interface MappedOrder {
	orderNumber: string;
	orderId?: string;
	client: Record<string, string>;
	clientEmail?: string;
	document: Record<string, unknown>;
	/** The document's lines as priced, in the same order, with their kind (product, shipping …) and VAT rate. */
	lines: PricedLine[];
	totalsCheck: TotalsCheck;
	warnings: string[];
	currency: string;
	/** The order total in EUR (converted with the exchange rate): what the legal limits are in. */
	totalEur: number;
	/** Where the sale is taxed, for the document rules (documentRules.ts: simplified invoices). */
	taxation: Taxation;
}

/** The facts of where a sale is taxed, as the mapping found them (taxPlace.ts). */
export interface Taxation {
	/** ISO code of the country the goods go to. */
	country: string;
	/** The Portuguese region the goods leave from. */
	shipsFrom: PtRegion;
	/** Some line took a tax of the destination country (One-Stop-Shop): that VAT is due there. */
	oss: boolean;
	/** Some line is at 0 % (exempt; its reason is the exemption code). */
	zeroRated: boolean;
	/** The exemption reason the document carries (M16: intra-EU supply, RITI art. 14.º). */
	exemption?: string;
}

const OBSERVATIONS_MAX = 200;

/** Validates an order for invoicing: zod issues become "order 1033: billingAddress.lastName is missing". */
export function parseInvoiceableOrder(raw: unknown): Order {
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
		throw new InputError('The input item is not an ePages order (expected an object with orderNumber and lineItemContainer)');
	}
	const obj = raw as Record<string, unknown>;
	const label = obj.orderNumber ?? obj.orderId;
	const ctx = label !== undefined ? `order ${String(label)}: ` : 'order (no orderNumber): ';
	if (obj.lineItemContainer === undefined && (obj.orderId || obj.orderNumber)) {
		throw new InputError(
			`${ctx}the item has no line items (lineItemContainer); it looks like an order list item`,
			'Use the full order: ePages → Order → Get, or the trigger with "Emit" set to full orders, or set an ePages credential on this node so it fetches the order itself.',
		);
	}
	const parsed = orderSchema.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const path = issue.path.join('.');
		const message =
			issue.code === 'invalid_type' && issue.received === 'undefined' ? 'is missing' : issue.message === 'Required' ? 'is missing' : issue.message;
		throw new InputError(`${ctx}${path || 'order'} ${message}`);
	}
	return parsed.data;
}

export function mapOrderToDocument(raw: unknown, taxes: IxTax[], options: Partial<MappingOptions> = {}): MappedOrder {
	const opts: MappingOptions = { ...DEFAULT_MAPPING, ...options, clientRules: { ...DEFAULT_MAPPING.clientRules, ...options.clientRules } };
	const order = parseInvoiceableOrder(raw);
	const ctx = `order ${order.orderNumber}: `;
	const warnings: string[] = [];
	const client = clientFromOrder(order, opts, ctx);
	warnings.push(...client.warnings);
	const currency = currencyOf(order, opts, ctx);
	const parts = components(order, opts, ctx);
	const grandTotal = grandTotalOf(order, ctx, warnings);
	const pricing: PricingResult = priceLines(parts, order.taxModel, grandTotal, opts.discountStyle);
	const shipsFrom = readShipsFrom(options.shipsFrom ?? opts.shipsFrom, ctx);
	const { taxByRate, taxation } = taxesOf(order, pricing, taxes, shipsFrom, opts, ctx);
	const { document } = buildDocumentBody(
		{
			date: opts.date,
			dueDate: opts.dueDate || opts.date,
			client: client.client,
			items: pricing.lines.map((l) => ({
				name: l.name,
				description: l.description,
				unitPrice: l.unitPrice,
				quantity: l.quantity,
				unit: l.unit,
				discount: l.discount || undefined,
				tax: taxByRate.get(l.taxRate),
			})),
			reference: order.orderNumber,
			observations: observationsOf(order, opts),
			sequenceId: opts.sequenceId,
			taxExemption: opts.taxExemption,
			currencyCode: currency,
			exchangeRate: opts.exchangeRate,
		},
		taxes,
		ctx,
	);
	return {
		orderNumber: order.orderNumber,
		orderId: order.orderId,
		client: client.client,
		clientEmail: client.email,
		document,
		lines: pricing.lines,
		currency,
		totalEur: currency === 'EUR' ? pricing.expectedTotal : pricing.expectedTotal / opts.exchangeRate!,
		taxation,
		warnings,
		totalsCheck: totalsCheckOf(order, pricing),
	};
}

/** The order's currency; another than the euro needs the exchange rate. */
function currencyOf(order: Order, opts: MappingOptions, ctx: string): string {
	const currency = (order.currencyId ?? ((order.lineItemContainer.grandTotal as { currency?: string } | undefined)?.currency) ?? 'EUR').toUpperCase();
	if (currency !== 'EUR' && !(opts.exchangeRate && opts.exchangeRate > 0)) {
		throw new InputError(`${ctx}the order is in ${currency} and no exchange rate is set`, 'Set "Exchange Rate" (units of the currency per 1 EUR), for example with an expression.');
	}
	return currency;
}

/** The total the document must reach: the line items' (a different top-level total is warned about). */
function grandTotalOf(order: Order, ctx: string, warnings: string[]): number {
	const grandTotal = money(order.lineItemContainer.grandTotal) ?? money(order.grandTotal);
	if (grandTotal === undefined) throw new InputError(`${ctx}lineItemContainer.grandTotal is missing`);
	const topLevel = money(order.grandTotal);
	if (topLevel !== undefined && Math.abs(topLevel - grandTotal) >= 0.005) {
		warnings.push(`the order's grandTotal (${topLevel}) differs from its line item total (${grandTotal}); the line items were invoiced`);
	}
	return grandTotal;
}

/** The account's tax for each rate of the order, at the place of taxation and the document's date, and what that taxation is. */
function taxesOf(order: Order, pricing: PricingResult, taxes: IxTax[], shipsFrom: PtRegion, opts: MappingOptions, ctx: string): { taxByRate: Map<number, string>; taxation: Taxation } {
	const place = taxPlace(order, taxes, shipsFrom, ctx);
	// The rate table is read at the document's date (vatRates.ts says why); no date, no document.
	const day = dateKey(opts.date);
	if (day === undefined) throw new InputError(`${ctx}date "${opts.date}" is not a date`, 'Use the date picker, YYYY-MM-DD or DD/MM/YYYY.');
	const taxByRate = new Map<number, string>();
	for (const line of pricing.lines) {
		if (!taxByRate.has(line.taxRate)) taxByRate.set(line.taxRate, taxForRate(line.taxRate, taxes, place, opts, ctx, day));
	}
	const regionOfTax = (name: string | undefined) => String(taxes.find((t) => t.name === name)?.region ?? '').trim().toUpperCase();
	const taxation: Taxation = {
		country: place.country,
		shipsFrom,
		oss: place.country !== 'PT' && [...taxByRate.values()].some((name) => regionOfTax(name) === place.country),
		zeroRated: pricing.lines.some((l) => l.taxRate === 0),
		...(opts.taxExemption ? { exemption: opts.taxExemption } : {}),
	};
	return { taxByRate, taxation };
}

/** The shopper's comment, when asked for, within the field's limit. */
function observationsOf(order: Order, opts: MappingOptions): string | undefined {
	const observations = opts.commentInObservations && order.customerComment?.trim() ? order.customerComment.trim() : undefined;
	return observations && [...observations].length > OBSERVATIONS_MAX ? `${[...observations].slice(0, OBSERVATIONS_MAX - 1).join('')}…` : observations;
}

/** The order's totals beside the document's, for the output (to the cent). */
function totalsCheckOf(order: Order, pricing: PricingResult): TotalsCheck {
	return {
		order_total: pricing.expectedTotal,
		document_total: pricing.totals.total,
		difference: pricing.difference,
		matches: pricing.difference === 0,
		adjusted_lines: pricing.adjustedLines,
		document_before_taxes: pricing.totals.beforeTaxes,
		document_taxes: pricing.totals.taxes,
		order_taxes: money((order.lineItemContainer as Record<string, unknown>).totalTax) ?? money(order.totalTax) ?? null,
		vat_by_rate: pricing.totals.byRate,
	};
}
