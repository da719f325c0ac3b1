import type { IDataObject } from 'n8n-workflow';

/**
 * An ePages Beyond order (reference epages.md §2b) in the shape of a Base/Now order (§2a), the one
 * shape the invoice mapping, the planners and the credit notes read: a Beyond order then invoices
 * exactly as the same Now order does, and nothing downstream knows two platforms. Pure.
 *
 * Readings of what the reference leaves open, each checked downstream rather than trusted:
 * - VAT rates are fractions (0.23) and become percentages (23).
 * - A line's discount is `lineItemDiscount` when given; otherwise a line priced below unit price ×
 *   quantity carries the difference as its discount. An order-level coupon (`couponLineItem`, negative)
 *   is passed on as such; the mapping shares it across the lines. Whatever reading is wrong shows as a
 *   total that differs from the order's `grandTotal`, which the invoicing refuses (Strict Totals).
 * - The NIF is `vatId`, else `taxNumber`.
 * - Beyond says that an order is paid, cancelled or returned, not when: the status dates are the
 *   order's last change (`updatedAt`), and `_beyond.statusDatesExact` is false so that rules needing
 *   the real paid date refuse instead of guessing (documentRules.ts).
 */

const amountOf = (v: unknown): number | undefined => {
	if (v === null || v === undefined) return undefined;
	if (typeof v === 'number') return v;
	if (typeof v === 'string' && v.trim() !== '') return Number(v);
	if (typeof v === 'object' && 'amount' in (v as IDataObject)) return amountOf((v as IDataObject).amount);
	return NaN;
};

const round = (n: number, d: number) => Math.round(n * 10 ** d) / 10 ** d;

/** A Beyond date ("2023-09-26T09:52:57.567", no zone: UTC) as ISO 8601 with its zone. */
export function beyondDate(v: unknown): string | null {
	if (typeof v !== 'string' || v.trim() === '') return null;
	const text = v.trim();
	const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
	const ms = Date.parse(zoned);
	return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function percent(rate: unknown, where: string): number {
	const r = Number(rate);
	if (!Number.isFinite(r)) throw new Error(`${where}: the VAT rate "${String(rate)}" is not a number`);
	// A fraction (0.23) as the API documents it; a percentage (23) is taken as it is.
	return round(r <= 1 ? r * 100 : r, 4);
}

function price(amount: number | undefined, currency: string, taxModel: string): IDataObject | undefined {
	return amount === undefined ? undefined : { amount, currency, taxType: taxModel };
}

function address(a: IDataObject | null | undefined, fallbackEmail: unknown): IDataObject | null {
	if (!a || typeof a !== 'object') return null;
	const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
	const street = [text(a.street), text(a.houseNumber)].filter(Boolean).join(' ');
	return {
		salutation: a.salutation ?? null,
		title: a.title ?? null,
		company: text(a.company) ?? null,
		firstName: text(a.firstName) ?? null,
		middleName: text(a.middleName) ?? null,
		lastName: text(a.lastName) ?? null,
		street: street || null,
		streetDetails: text(a.street2) ?? null,
		addressExtension: text(a.addressExtension) ?? null,
		zipCode: text(a.postalCode) ?? null,
		city: text(a.city) ?? null,
		state: text(a.state) ?? null,
		country: text(a.country) ?? null,
		vatId: text(a.vatId) ?? null,
		fiscalCode: text(a.taxNumber) ?? null,
		emailAddress: text(a.email) ?? text(fallbackEmail) ?? null,
		phoneNumber: text(a.phone) ?? null,
		mobilePhoneNumber: text(a.mobile) ?? null,
	};
}

/**
 * A charge line (shipping, payment, pickup) as `{price, taxes[{taxClass{percentage}, price}]}`: its
 * `lineItemTaxes` hold one entry per tax class (BYD-OAS, pickupLineItem.lineItemTaxes: "one item per
 * tax class"), each kept, so that the mapping splits the charge by rate as it splits Now's shipping.
 */
function charge(line: IDataObject | null | undefined, currency: string, taxModel: string, where: string): IDataObject | null {
	if (!line || typeof line !== 'object') return null;
	const total = amountOf(line.lineItemPrice);
	const taxes = Array.isArray(line.lineItemTaxes)
		? (line.lineItemTaxes as IDataObject[]).map((t) => ({ taxClass: { percentage: percent(t.taxRate, where) }, price: price(amountOf(t.amount ?? t), currency, 'NONE') }))
		: null;
	const method = (line.shippingMethod ?? line.paymentMethod ?? null) as IDataObject | null;
	const option = line.pickupOption as IDataObject | null | undefined;
	return {
		price: price(total, currency, taxModel),
		taxes,
		...(line.shippingMethod ? { shippingMethod: method } : {}),
		...(line.paymentMethod ? { paymentMethod: method } : {}),
		...(option && typeof option === 'object' ? { pickupOption: { id: option.id ?? option._id ?? null, name: option.name ?? null } } : {}),
	};
}

/**
 * The shop's own share of an order-level coupon per line, when its line taxes tell it: each line's
 * tax is on its price after its share (as the shop computed it), so the share is the line price minus
 * the price that tax belongs to. Used only when that holds for every line to the cent (the shares add
 * up to the coupon) and no line is untaxed; else undefined, and the invoice mapping shares the coupon
 * out itself, with the same total.
 */
function couponShares(raw: IDataObject, lines: Array<{ lineItemPrice?: IDataObject; taxClass: { percentage: number } }>): number[] | undefined {
	const coupon = Math.abs(amountOf((raw.couponLineItem as IDataObject | undefined)?.lineItemPrice) ?? 0);
	if (!(coupon > 0) || lines.length === 0) return undefined;
	const items = Array.isArray(raw.productLineItems) ? (raw.productLineItems as IDataObject[]) : [];
	if (items.some((i) => amountOf(i.lineItemDiscount))) return undefined;
	const gross = raw.taxModel !== 'NET';
	const shares: number[] = [];
	for (const [n, line] of lines.entries()) {
		const rate = line.taxClass.percentage / 100;
		const tax = amountOf((items[n]?.lineItemTax as IDataObject | undefined)?.amount);
		const before = amountOf(line.lineItemPrice);
		if (!(rate > 0) || tax === undefined || !Number.isFinite(tax) || before === undefined) return undefined;
		const after = gross ? (tax * (1 + rate)) / rate : tax / rate;
		shares.push(round(before - after, 2));
	}
	const total = round(shares.reduce((a, b) => a + b, 0), 2);
	if (shares.some((x) => x < 0) || Math.abs(total - coupon) > 0.005) return undefined;
	return shares;
}

export function orderFromBeyond(raw: IDataObject): IDataObject {
	const id = raw._id;
	const number = raw.orderNumber;
	if (typeof id !== 'string' || id === '') throw new Error('the Beyond order has no _id');
	if (number === undefined || number === null || String(number).trim() === '') throw new Error(`Beyond order ${id} has no orderNumber`);
	const where = `order ${String(number)}`;
	const money: Money = { currency: String(raw.currency ?? (raw.grandTotal as IDataObject | undefined)?.currency ?? 'EUR'), taxModel: String(raw.taxModel ?? 'GROSS') };
	const lines = productLines(raw, id, money, where);
	const updated = beyondDate(raw.updatedAt);
	const shipping = charge(raw.shippingLineItem as IDataObject | undefined, money.currency, money.taxModel, `${where}, shipping`);
	const payment = charge(raw.paymentLineItem as IDataObject | undefined, money.currency, money.taxModel, `${where}, payment`);
	// A pickup order's fee (BYD-OAS order.pickupLineItem: lineItemPrice, lineItemTaxes, pickupOption),
	// part of its grandTotal: its own charge beside shipping, invoiced as its own line.
	const pickup = charge(raw.pickupLineItem as IDataObject | undefined, money.currency, money.taxModel, `${where}, pickup`);
	const self = ((raw._links as IDataObject | undefined)?.self as IDataObject | undefined)?.href;
	return {
		orderId: id,
		orderNumber: String(number),
		creationDate: beyondDate(raw.createdAt) ?? beyondDate(raw.entryDate),
		lastUpdatedOnDate: updated,
		customerNumber: raw.customerNumber ?? null,
		currencyId: money.currency,
		taxModel: money.taxModel,
		customerComment: raw.customerComment ?? null,
		internalNote: raw.orderNote ?? null,
		billingAddress: address(raw.billingAddress as IDataObject | undefined, raw.customerEmail),
		shippingAddress: address(raw.shippingAddress as IDataObject | undefined, undefined),
		shippingData: shipping,
		paymentData: payment,
		...(pickup ? { pickupData: pickup } : {}),
		...statusDates(raw, updated),
		lineItemContainer: lineItemContainer(raw, money, lines, shipping),
		links: self ? [{ rel: 'self', href: String(self) }] : [],
		_beyond: {
			paymentStatus: raw.paymentStatus ?? null,
			shippingStatus: raw.shippingStatus ?? null,
			canceled: raw.canceled ?? null,
			testOrder: raw.testOrder ?? null,
			/** Status dates are the order's last change, not when each status was set. */
			statusDatesExact: false,
		},
	};
}

/** The order's currency and whether its prices include VAT (GROSS) or not (NET). */
interface Money {
	currency: string;
	taxModel: string;
}

type ProductLine = ReturnType<typeof productLine>;

/** The product lines in the Now shape, each with its share of an order-level coupon when the shop's taxes tell it. */
function productLines(raw: IDataObject, id: string, money: Money, where: string): ProductLine[] {
	const lines = (Array.isArray(raw.productLineItems) ? (raw.productLineItems as IDataObject[]) : []).map((line, n) => productLine(line, n, id, money, where));
	const shares = couponShares(raw, lines);
	if (shares) {
		lines.forEach((line, n) => {
			if (shares[n] > 0) (line as IDataObject).lineItemCouponDiscount = price(shares[n], money.currency, money.taxModel);
		});
	}
	return lines;
}

/** One product line: its price before discount, and the discount given or read from the price. */
function productLine(line: IDataObject, n: number, id: string, money: Money, where: string) {
	const { currency, taxModel } = money;
	const product = (line.product ?? {}) as IDataObject;
	const quantity = Number(typeof line.quantity === 'object' && line.quantity !== null ? (line.quantity as IDataObject).amount : line.quantity);
	const unit = amountOf(line.unitPrice);
	const total = amountOf(line.lineItemPrice);
	const before = unit !== undefined && Number.isFinite(unit) && Number.isFinite(quantity) ? round(unit * quantity, 4) : total;
	const given = amountOf(line.lineItemDiscount);
	const discount = given !== undefined && Number.isFinite(given) && given !== 0 ? Math.abs(given) : before !== undefined && total !== undefined && before - total > 0.005 ? round(before - total, 4) : 0;
	const tax = (line.lineItemTax ?? {}) as IDataObject;
	return {
		lineItemId: String(line._id ?? `${id}-${n}`),
		sku: product.sku ?? null,
		name: product.name ?? product.sku ?? null,
		productId: product._id ?? null,
		quantity: { amount: quantity, unit: null },
		singleItemPrice: price(unit, currency, taxModel),
		lineItemPrice: price(before, currency, taxModel),
		...(discount > 0 ? { lineItemCouponDiscount: price(discount, currency, taxModel) } : {}),
		taxClass: { taxClassId: String(tax.taxClass ?? ''), name: String(tax.taxClass ?? ''), percentage: percent(tax.taxRate, `${where}, line ${n + 1}`) },
	};
}

/** The Now status dates: Beyond says only that a status holds, so each is the order's last change (or null). */
function statusDates(raw: IDataObject, updated: string | null): IDataObject {
	const shippingStatus = String(raw.shippingStatus ?? '');
	return {
		paidOn: raw.paymentStatus === 'PAID' ? updated : null,
		rejectedOn: raw.canceled === true ? updated : null,
		returnedOn: shippingStatus === 'RETURNED' ? updated : null,
		dispatchedOn: ['SHIPPED', 'DELIVERED', 'RETURNED', 'PARTIALLY_RETURNED'].includes(shippingStatus) ? updated : null,
		deliveredOn: shippingStatus === 'DELIVERED' ? updated : null,
		viewedOn: raw.viewed === true ? updated : null,
		invoicedOn: null,
	};
}

/** The totals, the product lines and the coupon, as a Now order's lineItemContainer holds them. */
function lineItemContainer(raw: IDataObject, money: Money, lines: ProductLine[], shipping: IDataObject | null): IDataObject {
	const { currency, taxModel } = money;
	const coupon = raw.couponLineItem as IDataObject | null | undefined;
	return {
		grandTotal: price(amountOf(raw.grandTotal), currency, taxModel),
		totalBeforeTax: price(amountOf(raw.netTotal), currency, 'NET'),
		totalTax: price(amountOf(raw.taxTotal), currency, 'NONE'),
		shippingPrice: shipping?.price ?? null,
		productLineItems: lines,
		couponLineItem: coupon ? { code: coupon.code ?? null, lineItemPrice: price(amountOf(coupon.lineItemPrice), currency, taxModel) } : null,
	};
}
