import { money, orderSchema, type Order } from '../../shared/order';
import { buildClientPayload, InputError, type ClientRules } from '../../services/invoicexpress/helpers/client';
import { toIxCountry } from '../../services/invoicexpress/helpers/countries';
import { buildDocumentBody, roundHalfUp, type IxTax } from '../../services/invoicexpress/helpers/document';
import { readShipsFrom, taxForRate, taxPlace } from './taxPlace';
import { dateKey, type PtRegion } from './vatRates';
import { priceLines, type DiscountStyle, type LineKind, type OrderComponent, type PricedLine, type PricingResult } from './pricing';

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
	/**
	 * @deprecated The old name of {@link shipsFrom} (the node parameter `taxRegion` was renamed). Kept
	 * only for callers not yet renamed (test/unit/beyond.test.ts, owned by another change); ignored when
	 * `shipsFrom` is given.
	 */
	taxRegion?: string;
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

/**
 * The shipping, pickup-fee and payment-fee line labels in the order's language (its `locale`, as
 * pt_PT), so the customer reads the invoice in the language she shopped in; Portuguese for other or no
 * languages, the language of the Portuguese tax authority. The merchant's own labels win.
 */
export const LINE_LABELS: Record<string, { shipping: string; paymentFee: string; pickup: string }> = {
	pt: { shipping: 'Portes de envio', paymentFee: 'Taxa de pagamento', pickup: 'Taxa de recolha' },
	en: { shipping: 'Shipping', paymentFee: 'Payment fee', pickup: 'Pickup fee' },
	es: { shipping: 'Gastos de envío', paymentFee: 'Comisión de pago', pickup: 'Tarifa de recogida' },
	fr: { shipping: 'Frais de livraison', paymentFee: 'Frais de paiement', pickup: 'Frais de retrait' },
	de: { shipping: 'Versandkosten', paymentFee: 'Zahlungsgebühr', pickup: 'Abholgebühr' },
};

export function lineLabels(locale: unknown): { shipping: string; paymentFee: string; pickup: string } {
	const language = /^([a-z]{2})(?:[_-]|$)/i.exec(String(locale ?? '').trim())?.[1]?.toLowerCase() ?? '';
	return LINE_LABELS[language] ?? LINE_LABELS.pt;
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

function text(...parts: Array<string | null | undefined>): string {
	return parts
		.map((p) => (p ?? '').trim())
		.filter((p) => p !== '')
		.join(' ');
}

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

interface TaxedAmount {
	amount: number;
	rate: number;
}

/**
 * Shipping, pickup and payment fees carry their VAT as a list of {taxClass, price (the tax)}: one rate,
 * or several when the shop splits the charge's VAT by the basket's rates. Each tax is rounded to the cent, so
 * the part of the charge it stands for is only known to ±0.005 × (100 + rate) / rate (about ±0.09 at
 * 6 %): the parts are scaled to add up to the charge when the gap is within that rounding.
 */
type ChargeTaxes = Array<{ taxClass: { percentage: number }; price?: unknown }> | null | undefined;

function splitByTaxes(
	gross: number,
	taxes: ChargeTaxes,
	taxModel: 'GROSS' | 'NET',
	ctx: string,
	field: string,
): TaxedAmount[] {
	if (!taxes || taxes.length === 0) {
		throw new InputError(`${ctx}${field}.taxes is missing: the VAT rate of this charge is unknown`);
	}
	if (taxes.length === 1) return [{ amount: gross, rate: taxes[0].taxClass.percentage }];
	const parts: TaxedAmount[] = [];
	let assigned = 0;
	let tolerance = 0.005;
	for (const t of taxes) {
		const rate = t.taxClass.percentage;
		const tax = money(t.price) ?? 0;
		if (rate > 0) {
			// The amount (gross or net, as the charge) whose VAT is `tax`.
			const factor = taxModel === 'GROSS' ? (100 + rate) / rate : 100 / rate;
			const amount = tax * factor;
			parts.push({ amount, rate });
			assigned += amount;
			tolerance += 0.005 * factor;
		}
	}
	const rest = gross - assigned;
	const zero = taxes.find((t) => t.taxClass.percentage === 0);
	if (zero && rest > 0.005) {
		parts.push({ amount: rest, rate: 0 });
	} else if (rest !== 0) {
		if (Math.abs(rest) > tolerance || assigned <= 0) throw new InputError(`${ctx}${field}.taxes do not add up to the charge of ${gross}`);
		for (const p of parts) p.amount *= gross / assigned;
	}
	return parts.filter((p) => p.amount > 0);
}

/**
 * The order's charges, each its own line per VAT rate (split as its taxes say), in this order:
 * shipping, the pickup fee of an order collected at a pickup point (an ePages Beyond order's
 * `pickupLineItem`, BYD-OAS: price and `lineItemTaxes` like shipping), the payment fee.
 */
function chargeComponents(order: Order, opts: MappingOptions, ctx: string): OrderComponent[] {
	const labels = lineLabels((order as { locale?: unknown }).locale);
	const charges: Array<{ kind: LineKind; amount: number; taxes: ChargeTaxes; field: string; label: string }> = [
		{
			kind: 'shipping',
			amount: money(order.shippingData?.price) ?? money(order.lineItemContainer.shippingPrice) ?? 0,
			taxes: order.shippingData?.taxes,
			field: 'shippingData',
			label: opts.shippingLabel.trim() || labels.shipping,
		},
		{ kind: 'pickup', amount: money(order.pickupData?.price) ?? 0, taxes: order.pickupData?.taxes, field: 'pickupData', label: opts.pickupLabel?.trim() || labels.pickup },
		{ kind: 'paymentFee', amount: money(order.paymentData?.price) ?? 0, taxes: order.paymentData?.taxes, field: 'paymentData', label: opts.paymentFeeLabel.trim() || labels.paymentFee },
	];
	const out: OrderComponent[] = [];
	for (const c of charges) {
		if (!(c.amount > 0)) continue;
		for (const part of splitByTaxes(c.amount, c.taxes, order.taxModel, ctx, c.field)) {
			out.push({ kind: c.kind, name: c.label, description: c.label, quantity: 1, unit: 'service', amount: part.amount, discount: 0, taxRate: part.rate });
		}
	}
	return out;
}

function components(order: Order, opts: MappingOptions, ctx: string): OrderComponent[] {
	const container = order.lineItemContainer;
	if (container.productLineItems.length === 0) throw new InputError(`${ctx}the order has no product lines`);
	const out: OrderComponent[] = [];
	container.productLineItems.forEach((line, i) => {
		const field = `lineItemContainer.productLineItems.${i}`;
		const sku = line.sku?.trim();
		const name = opts.itemName === 'sku' && sku ? sku : line.name.trim();
		if (!name) throw new InputError(`${ctx}${field}.name is missing`);
		const unit = line.quantity.unit?.trim();
		const isPiece = !unit || /^(piece|pc|pcs|stk|st(ü|u)ck|unidade|un|unit)/i.test(unit);
		const quantity = line.quantity.amount;
		if (!(quantity > 0)) throw new InputError(`${ctx}${field}.quantity.amount must be greater than 0`);
		const amount = money(line.lineItemPrice)!;
		if (amount < 0) throw new InputError(`${ctx}${field}.lineItemPrice is negative`);
		const description = text(line.name, line.variationString ? `(${line.variationString})` : undefined, isPiece ? undefined : `[${unit}]`);
		out.push({
			kind: 'product',
			name,
			description: opts.itemName === 'sku' ? description : text(description, sku ? `SKU ${sku}` : undefined),
			quantity,
			unit: isPiece ? 'unit' : undefined,
			amount,
			discount: Math.abs(money(line.lineItemCouponDiscount) ?? 0),
			taxRate: line.taxClass.percentage,
		});
	});
	// An order-level coupon without per-line amounts, and basket discounts, are shared across the
	// product lines in proportion to their value: that is how the shop computes their VAT share.
	const lineDiscounts = out.reduce((s, c) => s + c.discount, 0);
	const coupon = Math.abs(money(container.couponLineItem?.lineItemPrice) ?? 0);
	const basket = Math.abs(
		money(container.basketDiscount?.lineItemPrice) ?? money(container.basketDiscount?.amount) ?? money(container.basketDiscount?.price) ?? 0,
	);
	const undistributed = (lineDiscounts > 0 ? 0 : coupon) + basket;
	if (undistributed > 0) {
		const base = out.reduce((s, c) => s + c.amount - c.discount, 0);
		if (undistributed > base + 0.005) throw new InputError(`${ctx}the discounts (${undistributed}) exceed the value of the products (${roundHalfUp(base, 2)})`);
		for (const c of out) c.discount += ((c.amount - c.discount) / base) * undistributed;
	}
	out.push(...chargeComponents(order, opts, ctx));
	const extras: Array<[('deposit' | 'ecoParticipation'), typeof container.deposits]> = [
		['deposit', container.deposits],
		['ecoParticipation', container.ecoParticipations],
	];
	for (const [kind, list] of extras) {
		(list ?? []).forEach((entry, i) => {
			const amount = money(entry.lineItemPrice) ?? money(entry.price) ?? 0;
			if (amount <= 0) return;
			if (!entry.taxClass) throw new InputError(`${ctx}lineItemContainer.${kind === 'deposit' ? 'deposits' : 'ecoParticipations'}.${i}.taxClass is missing`);
			const label = entry.name?.trim() || (kind === 'deposit' ? 'Depósito' : 'Ecovalor');
			out.push({ kind, name: label, description: label, quantity: 1, unit: 'service', amount, discount: 0, taxRate: entry.taxClass.percentage });
		});
	}
	return out;
}

/** The customer's e-mail address: billing first, then shipping, the first of its e-mail fields that is set. */
export function orderEmail(order: Record<string, unknown>): string | undefined {
	const addresses = [order.billingAddress, order.shippingAddress].filter((a): a is Record<string, unknown> => !!a && typeof a === 'object');
	for (const key of ['emailAddress', 'businessEmailAddress', 'privateEmailAddress']) {
		for (const address of addresses) {
			const v = address[key];
			if (typeof v === 'string' && v.trim() !== '') return v.trim();
		}
	}
	return undefined;
}

function clientFromOrder(order: Order, opts: MappingOptions, ctx: string) {
	const billing = order.billingAddress;
	const shipping = order.shippingAddress ?? undefined;
	const pick = (key: keyof typeof billing) => {
		const v = billing[key] ?? shipping?.[key];
		return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
	};
	// A first name alone is no client name for an invoice (and matching clients by name would merge
	// every "Maria"): without a last name the company is needed.
	const person = billing.lastName?.trim() ? text(billing.firstName, billing.middleName, billing.lastName) : '';
	const company = billing.company?.trim();
	let name = opts.clientName === 'company' && company ? company : person;
	if (!name) name = company ?? '';
	if (!name) throw new InputError(`${ctx}billingAddress.lastName is missing`, 'The client name comes from the billing company or first and last name.');
	const country = pick('country');
	if (country && !toIxCountry(country)) {
		throw new InputError(`${ctx}billingAddress.country "${country}" is unknown`, 'ePages sends ISO 3166 codes such as PT or ES.');
	}
	const fiscalRaw = pick('vatId') ?? pick('fiscalCode');
	const email = orderEmail(order as unknown as Record<string, unknown>);
	const payload = buildClientPayload(
		{
			name,
			// InvoicExpress requires a code; guests have no customer number, and the name is unique anyway.
			code: order.customerNumber !== undefined && order.customerNumber !== null && String(order.customerNumber).trim() !== '' ? String(order.customerNumber) : name,
			email,
			address: text(pick('street'), pick('streetDetails'), pick('addressExtension')) || undefined,
			postalCode: pick('zipCode'),
			city: pick('city'),
			country,
			fiscalId: fiscalRaw,
			phone: pick('phoneNumber') ?? pick('mobilePhoneNumber') ?? pick('businessPhoneNumber'),
			website: pick('websiteUrl'),
		},
		{ ...opts.clientRules, context: ctx },
	);
	return { ...payload, email };
}

export function mapOrderToDocument(raw: unknown, taxes: IxTax[], options: Partial<MappingOptions> = {}): MappedOrder {
	const opts: MappingOptions = { ...DEFAULT_MAPPING, ...options, clientRules: { ...DEFAULT_MAPPING.clientRules, ...options.clientRules } };
	const order = parseInvoiceableOrder(raw);
	const ctx = `order ${order.orderNumber}: `;
	const warnings: string[] = [];
	const client = clientFromOrder(order, opts, ctx);
	warnings.push(...client.warnings);
	const currency = (order.currencyId ?? ((order.lineItemContainer.grandTotal as { currency?: string } | undefined)?.currency) ?? 'EUR').toUpperCase();
	if (currency !== 'EUR' && !(opts.exchangeRate && opts.exchangeRate > 0)) {
		throw new InputError(`${ctx}the order is in ${currency} and no exchange rate is set`, 'Set "Exchange Rate" (units of the currency per 1 EUR), for example with an expression.');
	}
	const parts = components(order, opts, ctx);
	const grandTotal = money(order.lineItemContainer.grandTotal) ?? money(order.grandTotal);
	if (grandTotal === undefined) throw new InputError(`${ctx}lineItemContainer.grandTotal is missing`);
	const topLevel = money(order.grandTotal);
	if (topLevel !== undefined && Math.abs(topLevel - grandTotal) >= 0.005) {
		warnings.push(`the order's grandTotal (${topLevel}) differs from its line item total (${grandTotal}); the line items were invoiced`);
	}
	const pricing: PricingResult = priceLines(parts, order.taxModel, grandTotal, opts.discountStyle);
	const shipsFrom = readShipsFrom(options.shipsFrom ?? options.taxRegion ?? opts.shipsFrom, ctx);
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
	const observations = opts.commentInObservations && order.customerComment?.trim() ? order.customerComment.trim() : undefined;
	const cappedObservations =
		observations && [...observations].length > OBSERVATIONS_MAX ? `${[...observations].slice(0, OBSERVATIONS_MAX - 1).join('')}…` : observations;
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
			observations: cappedObservations,
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
		totalsCheck: {
			order_total: pricing.expectedTotal,
			document_total: pricing.totals.total,
			difference: pricing.difference,
			matches: pricing.difference === 0,
			adjusted_lines: pricing.adjustedLines,
			document_before_taxes: pricing.totals.beforeTaxes,
			document_taxes: pricing.totals.taxes,
			order_taxes: money((order.lineItemContainer as Record<string, unknown>).totalTax) ?? money(order.totalTax) ?? null,
			vat_by_rate: pricing.totals.byRate,
		},
	};
}
