import { money, type Order } from '../../shared/order';
import { InputError } from '../../services/invoicexpress/helpers/client';
import { roundHalfUp } from '../../services/invoicexpress/helpers/document';
import type { LineKind, OrderComponent } from './pricing';
import type { MappingOptions } from './orderToDocument';

/**
 * An order's lines before pricing, as pure code: its products (with their share of the order's
 * coupons and basket discounts), its charges (shipping, pickup, payment fee: one line per VAT rate)
 * and its deposits and eco-participations. Every input problem is an InputError naming the order
 * and the field.
 */

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

/** Words joined by a space, the empty ones left out. */
export function text(...parts: Array<string | null | undefined>): string {
	return parts
		.map((p) => (p ?? '').trim())
		.filter((p) => p !== '')
		.join(' ');
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

export function components(order: Order, opts: MappingOptions, ctx: string): OrderComponent[] {
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

