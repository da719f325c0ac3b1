import type { IDataObject } from 'n8n-workflow';

import { comparableNif } from '../services/invoicexpress/helpers/clientMatch';
import { todayIx } from '../services/invoicexpress/helpers/dates';
import type { DocumentTypeKey } from '../services/invoicexpress/helpers/documentTypes';

/**
 * The legal rules of the document itself, decided from the order before anything is sent (issue 12):
 * which type the law allows, and which date it carries. Pure: the order and the options in, a choice
 * or a refusal naming the order and the field out.
 */

/**
 * Art. 40.º n.º 1 CIVA: a simplified invoice only for supplies whose VAT is due in Portugal, and only
 * a) for goods sold by a retailer (or street seller) to a buyer who is not a taxable person, up to
 * 1,000 €; b) for any other supply of goods or services, up to 100 €.
 */
export const SIMPLIFIED_LIMIT_CONSUMER_EUR = 1000;
export const SIMPLIFIED_LIMIT_OTHER_EUR = 100;

export type RuleResult<T> = { ok: true; value: T; warning?: string } | { ok: false; message: string; description: string };

/**
 * Whether the buyer is a business (a taxable person): a foreign VAT number, or a Portuguese NIF of a
 * company or other entity (first digit 5–9, but not 45…, the non-resident individuals). Portuguese
 * individuals (1–3, 45) are consumers, also when they ask for their NIF on the invoice. Inferred from
 * the NIF's first digit (the AT's numbering): a sole trader's NIF starts with 1–3 like a consumer's,
 * so a sole trader buying for the business counts as a consumer here (the 1,000 € limit, not 100 €).
 */
export function isBusinessBuyer(fiscalId: string | undefined): boolean {
	const nif = comparableNif(fiscalId);
	if (!nif) return false;
	if (!/^\d{9}$/.test(nif)) return true;
	return /^[5-9]/.test(nif) && !nif.startsWith('45');
}

/**
 * The EU member states (ISO 3166-1 alpha-2; Greece is GR here, EL in VAT numbers). A destination
 * outside them is an export (CIVA art. 14.º). Special territories outside the EU VAT area (the Canary
 * Islands, the Åland Islands, …) share their state's code and are not told apart: inferred, see
 * docs/rules.md.
 */
export const EU_MEMBER_STATES = new Set(
	'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
);

/** Where the sale is taxed, as the mapping found it (MappedOrder.taxation). */
export interface TaxationFacts {
	country: string;
	oss: boolean;
	zeroRated: boolean;
	exemption?: string;
}

/**
 * Whether the VAT of the sale is due in Portugal, the condition of art. 40.º n.º 1 CIVA, and if not,
 * why. Due in Portugal: goods sent to a Portuguese address (from any region), or to another EU state
 * taxed with Portuguese taxes (distance sales below the One-Stop-Shop threshold: CIVA/RITI as amended
 * by Lei 47/2020). Not due in Portugal: a line taxed with the destination country's tax (One-Stop-Shop,
 * Directive 2006/112/EC art. 33), a destination outside the EU (an export, exempt under CIVA art. 14.º),
 * an intra-EU supply to a business (exempt, RITI art. 14.º a): the exemption reason M16, or a 0 % line
 * sold to a buyer with a VAT number in another EU state).
 */
export function vatDueInPortugal(t: TaxationFacts, fiscalId: string | undefined): { due: true } | { due: false; why: string } {
	if (t.country === 'PT') return { due: true };
	if (!EU_MEMBER_STATES.has(t.country)) return { due: false, why: `the goods go to ${t.country}, outside the EU: an export (exempt, art. 14.º CIVA)` };
	if (t.oss) return { due: false, why: `the VAT of this sale is due in ${t.country} (One-Stop-Shop)` };
	if (t.exemption === 'M16' || (t.zeroRated && isBusinessBuyer(fiscalId))) {
		return { due: false, why: `the sale to a business in ${t.country} is an exempt intra-EU supply (art. 14.º RITI)` };
	}
	return { due: true };
}

export interface TypeFacts {
	/** The order total in EUR (converted with the exchange rate for other currencies). */
	totalEur: number;
	/** The fiscal number the document will carry. */
	fiscalId?: string;
	/** Where the sale is taxed. */
	taxation: TaxationFacts;
}

export interface TypeRules {
	/** A simplified invoice the law does not allow for this order: refuse it, or issue an invoice instead. */
	notAllowed: 'refuse' | 'invoice';
	/** The merchant sells goods at retail (art. 40.º n.º 1 a)): the 1,000 € limit for buyers who are not taxable persons. */
	retailer: boolean;
}

/** Why a simplified invoice is not allowed for this order, or undefined when it is. */
function simplifiedRefusal(facts: TypeFacts, rules: TypeRules): string | undefined {
	const place = vatDueInPortugal(facts.taxation, facts.fiscalId);
	if (!place.due) return `a simplified invoice is only allowed where the VAT is due in Portugal (art. 40.º n.º 1 CIVA), and ${place.why}`;
	const consumer = !isBusinessBuyer(facts.fiscalId);
	const limit = rules.retailer && consumer ? SIMPLIFIED_LIMIT_CONSUMER_EUR : SIMPLIFIED_LIMIT_OTHER_EUR;
	if (facts.totalEur <= limit + 1e-9) return undefined;
	const who = !rules.retailer
		? 'when the shop is not a retailer ("Retailer" is off; art. 40.º n.º 1 b) CIVA)'
		: consumer
			? 'for a retail sale to a buyer who is not a taxable person (art. 40.º n.º 1 a) CIVA)'
			: 'for a business buyer (art. 40.º n.º 1 b) CIVA)';
	return `a simplified invoice is only allowed up to ${limit} € ${who}, and the order total is ${round2(facts.totalEur)} €`;
}

/**
 * The document type the law allows for this order, given the one the merchant chose:
 *  - an invoice-receipt states that the order is paid: only for orders with a payment date (`paidOn`);
 *  - a simplified invoice only within art. 40.º n.º 1 CIVA (VAT due in Portugal, within its limit);
 *    otherwise refused or (when the merchant chose so) an invoice instead, said in the output.
 * Every fact comes from the order as placed, so a re-run decides the same way.
 */
export function documentTypeFor(
	order: IDataObject,
	requested: DocumentTypeKey,
	facts: TypeFacts,
	rules: TypeRules,
	label: string,
): RuleResult<DocumentTypeKey> {
	if (requested === 'invoiceReceipt' && !isSet(order.paidOn)) {
		return {
			ok: false,
			message: `${label}: an invoice-receipt says the order is paid, but the order has no payment date (paidOn)`,
			description: 'Nothing was created. Choose "Invoice" for orders not paid yet, or invoice the order once it is paid (the trigger event "Order Paid, Not Yet Invoiced").',
		};
	}
	if (requested === 'simplifiedInvoice') {
		const why = simplifiedRefusal(facts, rules);
		if (why) {
			if (rules.notAllowed === 'invoice') return { ok: true, value: 'invoice', warning: `${why}: an invoice was issued instead` };
			return {
				ok: false,
				message: `${label}: ${why}`,
				description: 'Nothing was created. Choose "Invoice", or set "When a Simplified Invoice Is Not Allowed" to "Issue an Invoice Instead".',
			};
		}
	}
	return { ok: true, value: requested };
}

export type DateFrom = 'today' | 'paid' | 'created';

/**
 * Whether the paid date must be read from the shop before the invoice date can be decided: "Invoice
 * Date From" is the paid date, no fixed date is set, and the order is paid but its status dates are
 * not the times the statuses were set (an ePages Beyond order: services/epagesBeyond/order.ts; its
 * paid date is the payment-paid event of its events, reference api-fidelity.md).
 */
export function needsShopPaidDate(order: IDataObject, fixed: string | undefined, from: DateFrom): boolean {
	return from === 'paid' && !fixed && (order._beyond as IDataObject | undefined)?.statusDatesExact === false && isSet(order.paidOn);
}

/**
 * The invoice date: a date the merchant set, or the order's paid or created date (Lisbon calendar
 * day), or today. The original ePages button let the merchant choose it per order; here it is chosen
 * once for the workflow. A date that the order does not have is a refusal, never "today" instead.
 * `paidDate`: the paid date read from the shop for an order that {@link needsShopPaidDate} (an ePages
 * Beyond order's payment-paid event); without it such an order is refused, never dated by its last change.
 */
export function invoiceDateFor(order: IDataObject, fixed: string | undefined, from: DateFrom, today: string, label: string, paidDate?: string): RuleResult<string> {
	if (from === 'today') return { ok: true, value: fixed ?? today };
	if (fixed) {
		return {
			ok: false,
			message: `${label}: both "Invoice Date" and "Invoice Date From" are set`,
			description: 'Clear one of them: a fixed date, or the date taken from each order.',
		};
	}
	const field = from === 'paid' ? 'paidOn' : 'creationDate';
	// A Beyond order says that it is paid, not when (its paidOn is its last change): the paid date is
	// its payment-paid event, which only a node connected to the shop can read.
	const fromShop = needsShopPaidDate(order, fixed, from);
	if (fromShop && paidDate === undefined) {
		return {
			ok: false,
			message: `${label}: "Invoice Date From" is the paid date, and an ePages Beyond order says when it was paid only in its events in the shop`,
			description:
				'Nothing was created. Turn on "Connect to ePages" with Platform "ePages Beyond" and an ePages Beyond credential whose app has the scope orde:r (order events), or choose Today or Order Date.',
		};
	}
	const raw = fromShop ? paidDate : order[field];
	const when = isSet(raw) ? new Date(String(raw)) : undefined;
	if (!when || Number.isNaN(when.getTime())) {
		return {
			ok: false,
			message: `${label}: "Invoice Date From" is the ${from === 'paid' ? 'paid' : 'created'} date, but the order has ${isSet(raw) ? `an unreadable ${field} "${String(raw)}"` : `no ${field}`}`,
			description: from === 'paid' ? 'Invoice the order once it is paid, or choose another "Invoice Date From".' : 'Choose another "Invoice Date From".',
		};
	}
	return { ok: true, value: todayIx('Europe/Lisbon', when) };
}

const isSet = (v: unknown) => v !== undefined && v !== null && String(v).trim() !== '';
const round2 = (n: number) => Math.round(n * 100) / 100;
