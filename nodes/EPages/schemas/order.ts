import { z } from 'zod';

/**
 * The ePages Base/Now order, as `GET /orders` (list item, no line items) and `GET /orders/{id}` return
 * it. Every object is `.passthrough()`: fields the shop adds later survive untouched. Money arrives as
 * `{amount, currency, formatted, taxType}` objects, plain numbers, or strings ("250.94"), and becomes a
 * number in exactly one place, `money()`.
 */

/** Every status date of an order, in the shop's order (reference §2a). */
export const ORDER_STATUS_FIELDS = [
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
export type OrderStatusField = (typeof ORDER_STATUS_FIELDS)[number];

/** The status dates `GET /orders` can filter on (`paidOn=true` …); the docs name no others. */
export const ORDER_STATUS_FILTERS = [
	'viewedOn',
	'pendingOn',
	'paidOn',
	'dispatchedOn',
	'deliveredOn',
	'returnedOn',
	'invoicedOn',
	'rejectedOn',
	'closedOn',
	'archivedOn',
] as const satisfies readonly OrderStatusField[];
export type OrderStatusFilter = (typeof ORDER_STATUS_FILTERS)[number];

type MoneyResult = { ok: true; value: number | undefined } | { ok: false };

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const COMMA_DECIMAL = /^[+-]?\d+,\d+$/;

function parseMoney(value: unknown): MoneyResult {
	if (value === null || value === undefined) return { ok: true, value: undefined };
	if (typeof value === 'number') return Number.isFinite(value) ? { ok: true, value } : { ok: false };
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return { ok: true, value: undefined };
		if (DECIMAL.test(text)) return { ok: true, value: Number(text) };
		if (COMMA_DECIMAL.test(text)) return { ok: true, value: Number(text.replace(',', '.')) };
		return { ok: false };
	}
	if (typeof value === 'object' && !Array.isArray(value) && 'amount' in value) {
		return parseMoney((value as { amount: unknown }).amount);
	}
	return { ok: false };
}

/**
 * A money value as a number: `{amount, …}` objects, numbers and decimal strings ("250.94", "0",
 * "7,32"); null, undefined and '' are "no value". Anything else (a `formatted` display string such as
 * "7.32 €", an object without `amount`) is an error rather than a guess.
 */
export function money(value: unknown): number | undefined {
	const result = parseMoney(value);
	if (!result.ok) throw new Error(`${JSON.stringify(value)} is not a number`);
	return result.value;
}

const optionalMoney = z.unknown().transform((value, ctx): number | undefined => {
	const result = parseMoney(value);
	if (!result.ok) {
		ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is not a number' });
		return z.NEVER;
	}
	return result.value;
});

const requiredMoney = z.unknown().transform((value, ctx): number => {
	const result = parseMoney(value);
	if (!result.ok || result.value === undefined) {
		ctx.addIssue({ code: z.ZodIssueCode.custom, message: result.ok ? 'is missing' : 'is not a number' });
		return z.NEVER;
	}
	return result.value;
});

/** Text that some shops send as a number (customer numbers); null when absent. */
const optionalText = z
	.union([z.string(), z.number()])
	.nullable()
	.optional()
	.transform((v): string | null => (v === undefined || v === null ? null : String(v)));

const requiredText = z
	.union([z.string(), z.number()])
	.transform((v) => String(v))
	.refine((v) => v.trim() !== '', { message: 'is missing' });

const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: 'is not a date' });
const optionalDate = isoDate
	.nullable()
	.optional()
	.transform((v): string | null => v ?? null);

export const addressSchema = z
	.object({
		company: optionalText,
		salutation: optionalText,
		title: optionalText,
		firstName: optionalText,
		middleName: optionalText,
		lastName: optionalText,
		displayName: optionalText,
		street: optionalText,
		streetDetails: optionalText,
		addressExtension: optionalText,
		zipCode: optionalText,
		city: optionalText,
		state: optionalText,
		country: optionalText,
		vatId: optionalText,
		fiscalCode: optionalText,
		emailAddress: optionalText,
		phoneNumber: optionalText,
		mobilePhoneNumber: optionalText,
	})
	.passthrough();
export type OrderAddress = z.output<typeof addressSchema>;

const taxClassSchema = z
	.object({
		taxClassId: optionalText,
		name: optionalText,
		percentage: requiredMoney,
	})
	.passthrough();

const quantitySchema = z.object({ amount: requiredMoney, unit: optionalText }).passthrough();

export const lineItemSchema = z
	.object({
		lineItemId: optionalText,
		sku: optionalText,
		name: requiredText,
		productId: optionalText,
		variationString: optionalText,
		quantity: quantitySchema,
		singleItemPrice: requiredMoney,
		lineItemPrice: requiredMoney,
		lineItemCouponDiscount: optionalMoney,
		taxClass: taxClassSchema,
	})
	.passthrough();

const taxEntrySchema = z
	.object({
		taxClass: taxClassSchema.partial().passthrough().nullable().optional(),
		price: optionalMoney,
	})
	.passthrough();

const methodSchema = z.object({ id: optionalText, name: optionalText }).passthrough();

const shippingDataSchema = z
	.object({
		shippingMethod: methodSchema.nullable().optional(),
		price: optionalMoney,
		taxes: z.array(taxEntrySchema).nullable().optional(),
	})
	.passthrough();

const paymentDataSchema = z
	.object({
		paymentMethod: methodSchema.extend({ providerName: optionalText }).passthrough().nullable().optional(),
		transactionId: optionalText,
		price: optionalMoney,
		status: optionalText,
		taxes: z.array(taxEntrySchema).nullable().optional(),
	})
	.passthrough();

const couponSchema = z
	.object({
		couponLineItemId: optionalText,
		couponCampaignId: optionalText,
		lineItemPrice: requiredMoney,
	})
	.passthrough();

export const lineItemContainerSchema = z
	.object({
		grandTotal: optionalMoney,
		totalBeforeTax: optionalMoney,
		totalTax: optionalMoney,
		lineItemsSubTotal: optionalMoney,
		shippingPrice: optionalMoney,
		productLineItems: z.array(lineItemSchema),
		couponLineItem: couponSchema.nullable().optional(),
		basketDiscount: z.unknown().optional(),
	})
	.passthrough();

const statusShape = Object.fromEntries(ORDER_STATUS_FIELDS.map((field) => [field, optionalDate])) as Record<
	OrderStatusField,
	typeof optionalDate
>;

/** An order as `GET /orders` lists it. */
export const orderListItemSchema = z
	.object({
		orderId: requiredText,
		orderNumber: requiredText,
		creationDate: isoDate,
		lastUpdatedOnDate: optionalDate,
		customerId: optionalText,
		customerNumber: optionalText,
		locale: optionalText,
		currencyId: requiredText,
		taxModel: z.enum(['GROSS', 'NET']),
		grandTotal: requiredMoney,
		totalBeforeTax: optionalMoney,
		totalTax: optionalMoney,
		customerComment: optionalText,
		internalNote: optionalText,
		billingAddress: addressSchema,
		shippingAddress: addressSchema.nullable().optional(),
		shippingData: shippingDataSchema.nullable().optional(),
		paymentData: paymentDataSchema.nullable().optional(),
		lineItemContainer: lineItemContainerSchema.optional(),
		...statusShape,
	})
	.passthrough();

/** An order as `GET /orders/{orderId}` returns it: with `lineItemContainer`. */
export const fullOrderSchema = orderListItemSchema.extend({ lineItemContainer: lineItemContainerSchema });

export type ParsedOrder = z.output<typeof orderListItemSchema>;
export type ParsedLineItem = z.output<typeof lineItemSchema>;

export interface NormalizedLineItem {
	lineItemId: string | null;
	sku: string | null;
	name: string;
	productId: string | null;
	variationString: string | null;
	quantity: number;
	unit: string | null;
	singleItemPrice: number;
	lineItemPrice: number;
	/** Share of the order coupon on this line (positive, 0 when none). */
	couponDiscount: number;
	/** VAT rate in percent, from `taxClass.percentage` (ePages has no `taxRate` field). */
	taxRate: number;
	taxClassId: string | null;
	taxClassName: string | null;
	/** The line as the shop sent it (money as numbers), unknown fields included. */
	raw: ParsedLineItem;
}

export interface OrderTax {
	taxRate: number | undefined;
	amount: number | undefined;
}

export interface NormalizedShipping {
	methodId: string | null;
	methodName: string | null;
	price: number;
	/** Rate of the first tax entry; `taxes` has them all when the shop splits shipping tax. */
	taxRate: number | undefined;
	taxes: OrderTax[];
}

export interface NormalizedPayment {
	methodId: string | null;
	methodName: string | null;
	providerName: string | null;
	transactionId: string | null;
	status: string | null;
	/** Payment fee (0 when none). */
	fee: number;
	taxRate: number | undefined;
	taxes: OrderTax[];
}

export interface NormalizedCoupon {
	couponLineItemId: string | null;
	couponCampaignId: string | null;
	/** As the shop gives it: negative for a discount. */
	amount: number;
}

export interface NormalizedOrder {
	orderId: string;
	orderNumber: string;
	creationDate: string;
	lastUpdatedOnDate: string | null;
	customerId: string | null;
	customerNumber: string | null;
	locale: string | null;
	currency: string;
	taxModel: 'GROSS' | 'NET';
	/** From the line item container when present (the detail), else the list's top-level totals. */
	grandTotal: number;
	totalBeforeTax: number | undefined;
	totalTax: number | undefined;
	lineItemsSubTotal: number | undefined;
	customerComment: string | null;
	internalNote: string | null;
	billingAddress: OrderAddress;
	/** null when the shop has none: deliver to the billing address. */
	shippingAddress: OrderAddress | null;
	/** False for a list item: the list omits line items. */
	hasLineItems: boolean;
	lineItems: NormalizedLineItem[];
	shipping: NormalizedShipping | null;
	payment: NormalizedPayment | null;
	coupon: NormalizedCoupon | null;
	basketDiscount: number | undefined;
	status: Record<OrderStatusField, string | null>;
	/** The order as the shop sent it (money as numbers), unknown fields included. */
	raw: ParsedOrder;
}

function formatPath(path: Array<string | number>): string {
	let out = '';
	for (const part of path) {
		if (typeof part === 'number') out += `[${part}]`;
		else out += out === '' ? part : `.${part}`;
	}
	return out;
}

function describeIssue(issue: z.ZodIssue): string {
	switch (issue.code) {
		case z.ZodIssueCode.invalid_type:
			if (issue.received === 'undefined' || issue.received === 'null') return 'is missing';
			if (issue.expected === 'number') return 'is not a number';
			if (issue.expected === 'string') return 'is not a text';
			if (issue.expected === 'array') return 'is not a list';
			if (issue.expected === 'object') return 'is not an object';
			return `is not a ${issue.expected}`;
		case z.ZodIssueCode.invalid_enum_value:
			return `is not one of ${issue.options.join(', ')}`;
		case z.ZodIssueCode.invalid_union: {
			// Text-or-number fields: what the first alternative says is what a user needs to know.
			const inner = issue.unionErrors[0]?.issues[0];
			return inner ? describeIssue(inner) : 'is not valid';
		}
		default:
			return issue.message;
	}
}

function orderLabel(raw: unknown): string {
	const obj = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
	for (const key of ['orderNumber', 'orderId']) {
		const v = obj[key];
		if ((typeof v === 'string' && v.trim() !== '') || typeof v === 'number') return String(v);
	}
	return '(without number)';
}

function taxesOf(entries: Array<z.output<typeof taxEntrySchema>> | null | undefined): OrderTax[] {
	return (entries ?? []).map((e) => ({ taxRate: e.taxClass?.percentage, amount: e.price }));
}

/** A basket discount may come as a money object, or nested in `lineItemPrice`/`price`; `{links: []}` means none. */
function basketDiscountOf(value: unknown): MoneyResult {
	if (value === null || value === undefined) return { ok: true, value: undefined };
	if (typeof value !== 'object') return parseMoney(value);
	const obj = value as Record<string, unknown>;
	for (const key of ['amount', 'lineItemPrice', 'price', 'discount']) {
		if (key in obj && obj[key] !== null && obj[key] !== undefined) {
			return key === 'amount' ? parseMoney(value) : parseMoney(obj[key]);
		}
	}
	return { ok: true, value: undefined };
}

/**
 * Checks and normalises an order. Throws an Error naming the order and every bad field, e.g.
 * "order 1033: billingAddress.lastName is missing; lineItemContainer.productLineItems[0].taxClass.percentage is not a number".
 */
export function parseOrder(raw: unknown, opts: { requireLineItems?: boolean } = {}): NormalizedOrder {
	const schema = opts.requireLineItems ? fullOrderSchema : orderListItemSchema;
	const result = schema.safeParse(raw);
	const problems: string[] = [];
	if (!result.success) {
		for (const issue of result.error.issues) {
			const path = formatPath(issue.path);
			problems.push(path === '' ? `the order ${describeIssue(issue)}` : `${path} ${describeIssue(issue)}`);
		}
	} else {
		const address = result.data.billingAddress;
		if (!address.lastName?.trim() && !address.company?.trim()) {
			problems.push('billingAddress.lastName is missing (and there is no company name)');
		}
	}
	if (problems.length > 0 || !result.success) {
		const unique = [...new Set(problems)];
		const shown = unique.slice(0, 8).join('; ') + (unique.length > 8 ? `; and ${unique.length - 8} more` : '');
		throw new Error(`order ${orderLabel(raw)}: ${shown}`);
	}
	const data = result.data;
	const container = data.lineItemContainer;
	const lineItems: NormalizedLineItem[] = (container?.productLineItems ?? []).map((line) => ({
		lineItemId: line.lineItemId,
		sku: line.sku,
		name: line.name,
		productId: line.productId,
		variationString: line.variationString,
		quantity: line.quantity.amount,
		unit: line.quantity.unit,
		singleItemPrice: line.singleItemPrice,
		lineItemPrice: line.lineItemPrice,
		couponDiscount: Math.abs(line.lineItemCouponDiscount ?? 0),
		taxRate: line.taxClass.percentage,
		taxClassId: line.taxClass.taxClassId,
		taxClassName: line.taxClass.name,
		raw: line,
	}));

	const shippingData = data.shippingData;
	const shippingPrice = shippingData?.price ?? container?.shippingPrice;
	const shipping: NormalizedShipping | null =
		shippingData || shippingPrice !== undefined
			? {
					methodId: shippingData?.shippingMethod?.id ?? null,
					methodName: shippingData?.shippingMethod?.name ?? null,
					price: shippingPrice ?? 0,
					taxRate: shippingData?.taxes?.[0]?.taxClass?.percentage,
					taxes: taxesOf(shippingData?.taxes),
				}
			: null;

	const paymentData = data.paymentData;
	const payment: NormalizedPayment | null = paymentData
		? {
				methodId: paymentData.paymentMethod?.id ?? null,
				methodName: paymentData.paymentMethod?.name ?? null,
				providerName: paymentData.paymentMethod?.providerName ?? null,
				transactionId: paymentData.transactionId,
				status: paymentData.status,
				fee: paymentData.price ?? 0,
				taxRate: paymentData.taxes?.[0]?.taxClass?.percentage,
				taxes: taxesOf(paymentData.taxes),
			}
		: null;

	const couponLine = container?.couponLineItem;
	const coupon: NormalizedCoupon | null = couponLine
		? {
				couponLineItemId: couponLine.couponLineItemId,
				couponCampaignId: couponLine.couponCampaignId,
				amount: couponLine.lineItemPrice,
			}
		: null;

	const basketDiscount = basketDiscountOf(container?.basketDiscount);
	if (!basketDiscount.ok) {
		throw new Error(`order ${data.orderNumber}: lineItemContainer.basketDiscount is not a number`);
	}

	const status = Object.fromEntries(ORDER_STATUS_FIELDS.map((f) => [f, data[f]])) as Record<
		OrderStatusField,
		string | null
	>;

	return {
		orderId: data.orderId,
		orderNumber: data.orderNumber,
		creationDate: data.creationDate,
		lastUpdatedOnDate: data.lastUpdatedOnDate,
		customerId: data.customerId,
		customerNumber: data.customerNumber,
		locale: data.locale,
		currency: data.currencyId,
		taxModel: data.taxModel,
		grandTotal: container?.grandTotal ?? data.grandTotal,
		totalBeforeTax: container?.totalBeforeTax ?? data.totalBeforeTax,
		totalTax: container?.totalTax ?? data.totalTax,
		lineItemsSubTotal: container?.lineItemsSubTotal,
		customerComment: data.customerComment,
		internalNote: data.internalNote,
		billingAddress: data.billingAddress,
		shippingAddress: data.shippingAddress ?? null,
		hasLineItems: container !== undefined,
		lineItems,
		shipping,
		payment,
		coupon,
		basketDiscount: basketDiscount.value,
		status,
		raw: data,
	};
}
