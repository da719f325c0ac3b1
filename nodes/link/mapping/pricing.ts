import { roundHalfUp } from '../../services/invoicexpress/helpers/document';

/**
 * Turning shop amounts into InvoicExpress lines whose total equals the order's total to the cent.
 *
 * InvoicExpress (reference §10) stores unit prices with 4 decimals and quantities with 2, computes
 * each line unrounded (price × qty × (1 − discount %) × (1 + VAT)) and rounds once per document.
 * `ixTotals` reproduces that arithmetic, so the document total is known before anything is sent,
 * and `priceLines` nudges unit prices by 0.0001 steps when the plain conversion misses by a cent.
 */

export type LineKind = 'product' | 'shipping' | 'pickup' | 'paymentFee' | 'deposit' | 'ecoParticipation';

export interface OrderComponent {
	kind: LineKind;
	name: string;
	description: string;
	quantity: number;
	unit?: string;
	/** Line amount before discounts, gross (GROSS shops) or net (NET shops). */
	amount: number;
	/** Discount on the line, same basis as `amount`, ≥ 0. */
	discount: number;
	/** VAT rate in percent (23, 6, 0 …). */
	taxRate: number;
}

export interface PricedLine {
	kind: LineKind;
	name: string;
	description: string;
	/** Net unit price, 4 decimals. */
	unitPrice: number;
	/** 2 decimals. */
	quantity: number;
	unit?: string;
	/** Percentage, 2 decimals (0 when none). */
	discount: number;
	taxRate: number;
}

export interface DocumentTotals {
	beforeTaxes: number;
	taxes: number;
	total: number;
	byRate: Array<{ rate: number; base: number; tax: number }>;
}

/** The document totals InvoicExpress will compute for these lines. */
export function ixTotals(lines: PricedLine[]): DocumentTotals {
	let net = 0;
	let tax = 0;
	const rates = new Map<number, { base: number; tax: number }>();
	for (const line of lines) {
		const lineNet = line.unitPrice * line.quantity * (1 - line.discount / 100);
		const lineTax = (lineNet * line.taxRate) / 100;
		net += lineNet;
		tax += lineTax;
		const r = rates.get(line.taxRate) ?? { base: 0, tax: 0 };
		r.base += lineNet;
		r.tax += lineTax;
		rates.set(line.taxRate, r);
	}
	return {
		beforeTaxes: roundHalfUp(net, 2),
		taxes: roundHalfUp(tax, 2),
		total: roundHalfUp(net + tax, 2),
		byRate: [...rates.entries()]
			.sort((a, b) => b[0] - a[0])
			.map(([rate, v]) => ({ rate, base: roundHalfUp(v.base, 2), tax: roundHalfUp(v.tax, 2) })),
	};
}

function unrounded(lines: PricedLine[]): number {
	return lines.reduce((sum, l) => sum + l.unitPrice * l.quantity * (1 - l.discount / 100) * (1 + l.taxRate / 100), 0);
}

export type DiscountStyle = 'lineDiscount' | 'netPrice';

export interface PricingResult {
	lines: PricedLine[];
	totals: DocumentTotals;
	expectedTotal: number;
	/** Document total − expected total, in euros (0 when it matches to the cent). */
	difference: number;
	/** Lines whose unit price was nudged to reach the exact total. */
	adjustedLines: number;
}

/**
 * Converts order components to priced lines whose InvoicExpress total equals `expectedTotal` when
 * that is reachable by sub-cent moves of unit prices; otherwise reports the difference.
 * Discounts are shown as a line discount percentage ('lineDiscount') or folded into the unit price
 * ('netPrice'); InvoicExpress refuses negative lines either way.
 */
export function priceLines(
	components: OrderComponent[],
	taxModel: 'GROSS' | 'NET',
	expectedTotal: number,
	discountStyle: DiscountStyle = 'lineDiscount',
): PricingResult {
	const lines: PricedLine[] = components.map((c) => {
		const quantity = roundHalfUp(c.quantity, 2);
		const toNet = taxModel === 'GROSS' ? 1 + c.taxRate / 100 : 1;
		const discounted = Math.max(0, c.amount - c.discount);
		let discount = 0;
		let lineNet: number;
		if (discountStyle === 'lineDiscount' && c.discount > 0 && c.amount > 0) {
			discount = roundHalfUp((c.discount / c.amount) * 100, 2);
			// The percentage has 2 decimals: 98.25 off 2 220.00 shows as 4.43 % (98.35). The unit price
			// absorbs that rounding so that the discounted line is still the shop's amount.
			lineNet = discount < 100 ? discounted / toNet / (1 - discount / 100) : c.amount / toNet;
		} else {
			lineNet = discounted / toNet;
		}
		return {
			kind: c.kind,
			name: c.name,
			description: c.description,
			unitPrice: roundHalfUp(lineNet / quantity, 4),
			quantity,
			unit: c.unit,
			discount,
			taxRate: c.taxRate,
		};
	});
	const target = roundHalfUp(expectedTotal, 2);
	let adjustedLines = 0;
	if (roundHalfUp(unrounded(lines), 2) !== target) {
		adjustedLines = nudge(lines, target);
	}
	const totals = ixTotals(lines);
	return {
		lines,
		totals,
		expectedTotal: target,
		difference: roundHalfUp(totals.total - target, 2),
		adjustedLines,
	};
}

/**
 * Moves the unit price of the most finely grained line(s) by 0.0001 steps until the rounded total
 * is the target. Bounded: only gaps of up to two cents (rounding) are closed, and a line moves at
 * most 0.5 % of its price, so a real mismatch (wrong data) is reported instead of hidden.
 */
function nudge(lines: PricedLine[], target: number): number {
	const step = (l: PricedLine) => 0.0001 * l.quantity * (1 - l.discount / 100) * (1 + l.taxRate / 100);
	const candidates = lines
		.map((line, index) => ({ line, index, s: step(line) }))
		.filter((c) => c.s > 0 && c.line.unitPrice > 0)
		.sort((a, b) => a.s - b.s);
	// Only rounding is absorbed: two cents (the shop's own rounding of VAT per rate) plus what 4-decimal
	// unit prices can shift (0.00005 per unit, so 0.06 on 1 000 units at 23 %). A larger gap is a real
	// difference to report.
	const quantization = lines.reduce((sum, l) => sum + 0.00005 * l.quantity * (1 - l.discount / 100) * (1 + l.taxRate / 100), 0);
	if (Math.abs(target - unrounded(lines)) > 0.02 + quantization) return 0;
	let adjusted = 0;
	for (const { line, s } of candidates) {
		const current = unrounded(lines);
		if (roundHalfUp(current, 2) === target) break;
		// Aim for the middle of the cent that rounds to the target.
		const needed = target - current;
		const k = Math.round(needed / s);
		const maxSteps = Math.max(1, Math.floor((line.unitPrice * 0.005) / 0.0001));
		const bounded = Math.max(-maxSteps, Math.min(maxSteps, k));
		if (bounded === 0) continue;
		const next = roundHalfUp(line.unitPrice + bounded * 0.0001, 4);
		if (next < 0) continue;
		line.unitPrice = next;
		adjusted++;
	}
	return adjusted;
}
