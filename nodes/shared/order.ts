import { z } from 'zod';

import { plainText } from './text';

/**
 * The ePages Base/Now order as this package reads it (`GET /orders/{id}`): the one description of its
 * shape, which the invoice mapping validates against before anything is sent. Only the fields the
 * package uses are described; every object is `.passthrough()`, so fields the shop adds later survive
 * untouched. Money arrives as `{amount, currency, formatted, taxType}` objects, plain numbers, or
 * strings ("250.94"), and becomes a number in exactly one place, `money()`.
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


/** A money value the schema accepts: absent, or what `money()` reads without error. */
const isMoney = (v: unknown) => parseMoney(v).ok;
const optionalMoney = z.unknown().refine(isMoney, { message: 'is not an amount' });
const requiredMoney = z.unknown().refine((v) => {
	const result = parseMoney(v);
	return result.ok && result.value !== undefined;
}, { message: 'is not an amount' });
const optionalText = z.string().optional().nullable();
/** Text people typed in the shop, as plain text (see shared/text.ts): it reaches a legal document. */
const shopText = z.string().transform((v) => plainText(v)).optional().nullable();
const taxClassSchema = z.object({ percentage: z.coerce.number({ invalid_type_error: 'is not a number' }) }).passthrough();
const taxEntrySchema = z.object({ taxClass: taxClassSchema, price: optionalMoney }).passthrough();

const lineSchema = z
	.object({
		sku: shopText,
		name: z.string({ required_error: 'is missing' }).transform((v) => plainText(v)),
		variationString: shopText,
		quantity: z.object({ amount: z.coerce.number({ invalid_type_error: 'is not a number' }), unit: optionalText }).passthrough(),
		lineItemPrice: requiredMoney,
		lineItemCouponDiscount: optionalMoney,
		taxClass: taxClassSchema,
	})
	.passthrough();

export const addressSchema = z
	.object({
		company: shopText,
		firstName: shopText,
		middleName: shopText,
		lastName: shopText,
		street: shopText,
		streetDetails: shopText,
		addressExtension: shopText,
		zipCode: shopText,
		city: shopText,
		country: optionalText,
		vatId: optionalText,
		fiscalCode: optionalText,
		emailAddress: optionalText,
		businessEmailAddress: optionalText,
		privateEmailAddress: optionalText,
		phoneNumber: optionalText,
		mobilePhoneNumber: optionalText,
		businessPhoneNumber: optionalText,
		websiteUrl: optionalText,
	})
	.passthrough();

const extraLineSchema = z
	.object({ name: shopText, lineItemPrice: optionalMoney, price: optionalMoney, taxClass: taxClassSchema.optional().nullable() })
	.passthrough();

/** A charge of the order (shipping, payment fee, pickup fee) with its VAT entries. */
const chargeSchema = z.object({ price: optionalMoney, taxes: z.array(taxEntrySchema).optional().nullable() }).passthrough().optional().nullable();

/** A full order: with its line items, which the order list leaves out. */
export const orderSchema = z
	.object({
		orderId: z.string().optional(),
		orderNumber: z.union([z.string(), z.number()]).transform(String),
		customerNumber: z.union([z.string(), z.number()]).optional().nullable(),
		currencyId: optionalText,
		taxModel: z.enum(['GROSS', 'NET'], { errorMap: () => ({ message: 'must be GROSS or NET' }) }),
		grandTotal: optionalMoney,
		totalTax: optionalMoney,
		customerComment: z.string().transform((v) => plainText(v, true)).optional().nullable(),
		billingAddress: addressSchema,
		shippingAddress: addressSchema.optional().nullable(),
		shippingData: chargeSchema,
		paymentData: chargeSchema,
		/**
		 * The fee of an order collected at a pickup point, in the shape of `shippingData`. Now orders
		 * have none; an ePages Beyond order's `pickupLineItem` becomes it (services/epagesBeyond/order.ts).
		 */
		pickupData: chargeSchema,
		lineItemContainer: z
			.object({
				grandTotal: optionalMoney,
				totalTax: optionalMoney,
				shippingPrice: optionalMoney,
				productLineItems: z.array(lineSchema),
				couponLineItem: z.object({ lineItemPrice: optionalMoney }).passthrough().optional().nullable(),
				basketDiscount: z
					.object({ lineItemPrice: optionalMoney, amount: optionalMoney, price: optionalMoney })
					.passthrough()
					.optional()
					.nullable(),
				deposits: z.array(extraLineSchema).optional().nullable(),
				ecoParticipations: z.array(extraLineSchema).optional().nullable(),
			})
			.passthrough(),
	})
	.passthrough();
export type Order = z.infer<typeof orderSchema>;
