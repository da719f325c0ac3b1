import type { Order } from '../../shared/order';
import { InputError } from '../../services/invoicexpress/helpers/client';
import { countryIso } from '../../services/invoicexpress/helpers/countries';
import type { IxTax } from '../../services/invoicexpress/helpers/document';

/**
 * Which of the account's taxes a VAT rate of an order stands for. InvoicExpress taxes carry a region
 * (PT, PT-AC, PT-MA or a country code) and the same rate exists in several (22 % is Madeira's normal
 * rate and Slovenia's; 23 % mainland Portugal's and Ireland's), so a rate alone says nothing about the
 * place. The rules, in the order they apply:
 *  - Goods that go to a Portuguese address are taxed where they go: the postal code tells the Azores
 *    (9500–9999) and Madeira (9000–9499, Porto Santo included) from the mainland.
 *  - Goods that go abroad, where the account has taxes of the destination country, are One-Stop-Shop
 *    sales: a rate that country's taxes have is that country's tax (an Irish 23 % is IE23, not mainland
 *    IVA23, when the account has both).
 *  - Otherwise (no taxes of that country: below the OSS threshold, or outside the EU; or a rate the
 *    country does not have, so the shop charged Portuguese VAT) the sale is taxed in Portugal, in the
 *    shop's home region ("Home Tax Region", mainland by default) — never in another Portuguese region
 *    or another country that happens to have the rate (Slovenia's 22 % is not Madeira's).
 *  - A 0 % line is exempt, not taxed somewhere else: it takes the exempt tax of the home region, unless
 *    the place is a Portuguese region that has its own.
 * An explicit rate → tax choice of the merchant wins, but only among the taxes of that place.
 * Anything the rules do not settle (no tax, two candidates, an unreadable postal code) is an error
 * that names the order, the rate and the place, before anything is sent.
 */

export interface TaxPlace {
	/** ISO 3166 code of the country the goods go to. */
	country: string;
	/** The tax regions the rules above allow for a non-zero rate, the first that has the rate wins. */
	regions: string[];
	/** Why, in words for messages: "Madeira (postal code 9000-042)". */
	describe: string;
	/** Which address decided, for messages: `shippingAddress` or `billingAddress`. */
	field: string;
}

export const PT_REGION_NAMES: Record<string, string> = { PT: 'mainland Portugal', 'PT-AC': 'the Azores', 'PT-MA': 'Madeira' };

/** PT, PT-AC or PT-MA for a Portuguese postal code ("9000-042", "9500"), undefined when it is not one. */
export function portugueseRegion(zipCode: string | undefined | null): 'PT' | 'PT-AC' | 'PT-MA' | undefined {
	const match = /^\s*(?:PT[\s-]*)?(\d{4})(?:\s*-?\s*\d{3})?\s*$/i.exec(zipCode ?? '');
	if (!match) return undefined;
	const code = Number(match[1]);
	if (code < 1000) return undefined;
	if (code >= 9500) return 'PT-AC';
	if (code >= 9000) return 'PT-MA';
	return 'PT';
}

const regionOf = (t: IxTax) => String(t.region ?? '').trim().toUpperCase();

/**
 * Where the goods of the order are taxed. The shipping address decides (distance sales are taxed where
 * the goods arrive); an order without one, or without its country, uses the billing address.
 */
export function taxPlace(order: Order, taxes: IxTax[], homeRegion: string, ctx: string): TaxPlace {
	const shipping = order.shippingAddress?.country?.trim() ? order.shippingAddress : undefined;
	const address = shipping ?? order.billingAddress;
	const field = shipping ? 'shippingAddress' : 'billingAddress';
	const raw = address.country?.trim();
	const home = homeRegion || 'PT';
	if (!raw) {
		// No country anywhere: the shop's own country is the only reading that is not a guess about
		// another state's VAT, and the home region's taxes are then the ones it charged.
		return { country: 'PT', regions: [home], describe: `${PT_REGION_NAMES[home] ?? home} (the order names no country)`, field };
	}
	const country = countryIso(raw);
	if (!country) throw new InputError(`${ctx}${field}.country "${raw}" is unknown`, 'ePages sends ISO 3166 codes such as PT or ES.');
	if (country === 'PT') {
		const zip = address.zipCode?.trim();
		const region = portugueseRegion(zip);
		if (!region) {
			throw new InputError(
				`${ctx}${field}.zipCode "${zip ?? ''}" is not a Portuguese postal code (NNNN-NNN): it decides between the VAT of the mainland, the Azores and Madeira`,
				'Correct the postal code in the order, then run again.',
			);
		}
		return { country, regions: [region], describe: `${PT_REGION_NAMES[region]} (postal code ${zip})`, field };
	}
	const oss = taxes.some((t) => regionOf(t) === country);
	return oss
		? { country, regions: [country, home], describe: `a sale to ${country} (the account has taxes of ${country}, else ${PT_REGION_NAMES[home] ?? home})`, field }
		: { country, regions: [home], describe: `${PT_REGION_NAMES[home] ?? home} (a sale to ${country} taxed in Portugal: the account has no taxes of ${country})`, field };
}

export interface TaxChoice {
	taxRegion: string;
	taxMapping: Array<{ rate: number; taxName: string }>;
}

/** The account tax for a VAT rate at a place: the merchant's mapping, else the one tax of that value and region. */
export function taxForRate(rate: number, taxes: IxTax[], place: TaxPlace, opts: TaxChoice, ctx: string): string {
	// 0 % is an exemption, whose tax is the home region's unless the Portuguese region has its own.
	const home = opts.taxRegion || 'PT';
	const regions = rate === 0 ? [...new Set([...place.regions.filter((r) => r.startsWith('PT')), home])] : place.regions;
	const list = (ts: IxTax[]) => ts.map((t) => `${t.name} (${t.value} %${t.region ? ` ${t.region}` : ''})`).join(', ') || 'none';
	const where = `${rate} % VAT for ${place.describe}`;
	const mapped = opts.taxMapping.find((m) => Number(m.rate) === rate);
	if (mapped) {
		const tax = taxes.find((t) => t.name === mapped.taxName);
		if (!tax) throw new InputError(`${ctx}the tax mapping for ${rate} % names "${mapped.taxName}", which does not exist in this InvoicExpress account`);
		if (!regions.includes(regionOf(tax))) {
			throw new InputError(
				`${ctx}${where}: the tax mapping names "${tax.name}", a tax of region ${regionOf(tax) || '(none)'}`,
				`The goods go to ${place.country} (${place.field}); a tax of region ${regions.join(' or ')} is needed. Change "Tax Mapping", or add the tax in InvoicExpress.`,
			);
		}
		return tax.name;
	}
	const sameValue = taxes.filter((t) => Math.abs(t.value - rate) < 1e-9);
	for (const region of regions) {
		const candidates = sameValue.filter((t) => regionOf(t) === region);
		if (candidates.length === 1) return candidates[0].name;
		if (candidates.length > 1) {
			throw new InputError(
				`${ctx}${where}: several taxes of ${rate} % exist for region ${region} (${candidates.map((t) => t.name).join(', ')})`,
				'Choose one under "Tax Mapping".',
			);
		}
	}
	const elsewhere = sameValue.length ? ` Taxes of ${rate} % exist only for other regions: ${list(sameValue)}, which do not apply to this sale.` : '';
	throw new InputError(
		`${ctx}no tax of ${rate} % for region ${regions.join(' or ')} in this InvoicExpress account (${where}, from ${place.field})`,
		`Add a ${rate} % tax of region ${regions[0]} in InvoicExpress${place.country !== 'PT' && regions[0] === place.country ? ' (One-Stop-Shop)' : ''}, or check the order's VAT.${elsewhere} Taxes: ${list(taxes)}.`,
	);
}
