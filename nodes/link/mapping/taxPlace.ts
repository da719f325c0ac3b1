import type { Order } from '../../shared/order';
import { InputError } from '../../services/invoicexpress/helpers/client';
import { countryIso } from '../../services/invoicexpress/helpers/countries';
import type { IxTax } from '../../services/invoicexpress/helpers/document';
import { describeRates, isPtRegion, legalRates, PT_REGION_NAMES, RATES_KNOWN_FROM, regionsWithRate, type PtRegion } from './vatRates';

export { PT_REGION_NAMES } from './vatRates';

/**
 * Which of the account's taxes a VAT rate of an order stands for. InvoicExpress taxes carry a region
 * (PT, PT-AC, PT-MA or a country code) and the same rate exists in several (22 % is Madeira's normal
 * rate and Slovenia's; 23 % mainland Portugal's and Ireland's; 4 % the Azores' and Madeira's), so a
 * rate alone says nothing about the place. The rules, in the order they apply:
 *  - A supply of goods is taxed where the goods are when their transport to the buyer begins (CIVA
 *    art. 6.º n.º 1), and within Portugal the mainland, the Azores and Madeira by the same criterion
 *    (art. 6.º n.º 16, added by Lei 12/2022; OCC technical opinion PT27981, 2024: "Se fornecedor envia
 *    os bens do Continente para a Região Autónoma da Madeira deve aplicar a taxa em vigor no
 *    Continente"). So every sale taxed in Portugal takes the taxes of the region the goods leave from
 *    ("Ships From", the mainland by default), wherever in Portugal they go: the destination postal
 *    code decides nothing.
 *  - Goods that go abroad, where the account has taxes of the destination country, are One-Stop-Shop
 *    sales: a rate that country's taxes have is that country's tax (an Irish 23 % is IE23, not mainland
 *    IVA23, when the account has both). Directive 2006/112/EC art. 33.
 *  - Otherwise (no taxes of that country: below the OSS threshold, or outside the EU; or a rate the
 *    country does not have, so the shop charged Portuguese VAT) the sale is taxed in Portugal, in the
 *    Ships From region — never in another region or country that happens to have the rate.
 *  - A rate taxed in a Portuguese region must be a legal rate of that region on the document's date
 *    (vatRates.ts, CIVA art. 18.º): 16 % on an order shipped from the mainland is refused, naming the
 *    rate and the region, even when the account has a 16 % tax (of the Azores). No silent remapping.
 *  - A 0 % line is exempt, not taxed somewhere else: it takes the exempt tax of the Ships From region.
 * An explicit rate → tax choice of the merchant wins, but only among the taxes of that place.
 * Anything the rules do not settle (no tax, two candidates, a rate the region does not have) is an
 * error that names the order, the rate and the place, before anything is sent.
 */

export interface TaxPlace {
	/** ISO 3166 code of the country the goods go to. */
	country: string;
	/** Where the goods leave from: the Portuguese region whose taxes a sale taxed in Portugal takes. */
	shipsFrom: PtRegion;
	/** The tax regions the rules above allow for a non-zero rate, the first that has the rate wins. */
	regions: string[];
	/** Why, in words for messages: "goods shipped from mainland Portugal to the Azores (postal code 9500-066)". */
	describe: string;
	/** Which address decided the destination, for messages: `shippingAddress` or `billingAddress`. */
	field: string;
}

/**
 * PT, PT-AC or PT-MA for a Portuguese postal code ("9000-042", "9500"), undefined when it is not one.
 * Only for messages now (where the goods go); the tax region is where they leave from.
 */
export function portugueseRegion(zipCode: string | undefined | null): PtRegion | undefined {
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
 * "Ships From" as given (an option, or an expression per order): PT, PT-AC or PT-MA, case and spaces
 * aside. Anything else is refused before any request, never read as the mainland.
 */
export function readShipsFrom(value: unknown, ctx: string): PtRegion {
	const code = value === undefined || value === null || value === '' ? 'PT' : String(value).trim().toUpperCase();
	if (isPtRegion(code)) return code;
	throw new InputError(
		`${ctx}"Ships From" is "${String(value)}": it must be PT (mainland Portugal), PT-AC (the Azores) or PT-MA (Madeira)`,
		'Nothing was sent. Set where the goods of this order leave from; an expression must give one of these codes.',
	);
}

/** Where the goods go (shipping address, else billing) and which taxes a sale there takes. */
export function taxPlace(order: Order, taxes: IxTax[], shipsFrom: PtRegion, ctx: string): TaxPlace {
	const shipping = order.shippingAddress?.country?.trim() ? order.shippingAddress : undefined;
	if (!shipping && order.pickupData) {
		// Collected at a pickup point (ePages Beyond): no transport, so the goods are taxed where they are
		// put at the buyer's disposal (CIVA art. 6.º n.º 1), whatever the billing address says. Inferred:
		// the pickup point is in the Ships From region (the shop's own stock); a point elsewhere needs
		// "Ships From" set to its region, and a rate that region lacks is refused (checkLegalRate).
		return { country: 'PT', shipsFrom, regions: [shipsFrom], describe: `goods collected at a pickup point in ${PT_REGION_NAMES[shipsFrom]}`, field: 'pickupData' };
	}
	const address = shipping ?? order.billingAddress;
	const field = shipping ? 'shippingAddress' : 'billingAddress';
	const raw = address.country?.trim();
	const from = `goods shipped from ${PT_REGION_NAMES[shipsFrom]}`;
	if (!raw) {
		// No country anywhere: the shop's own country is the only reading that is not a guess about
		// another state's VAT.
		return { country: 'PT', shipsFrom, regions: [shipsFrom], describe: `${from} (the order names no country)`, field };
	}
	const country = countryIso(raw);
	if (!country) throw new InputError(`${ctx}${field}.country "${raw}" is unknown`, 'ePages sends ISO 3166 codes such as PT or ES.');
	if (country === 'PT') {
		const zip = address.zipCode?.trim();
		const to = portugueseRegion(zip);
		const where = to === shipsFrom ? ` within ${PT_REGION_NAMES[to]} (postal code ${zip})` : to ? ` to ${PT_REGION_NAMES[to]} (postal code ${zip})` : ' to Portugal';
		return { country, shipsFrom, regions: [shipsFrom], describe: `goods shipped${to === shipsFrom ? '' : ` from ${PT_REGION_NAMES[shipsFrom]}`}${where}`, field };
	}
	const oss = taxes.some((t) => regionOf(t) === country);
	return oss
		? { country, shipsFrom, regions: [country, shipsFrom], describe: `a sale to ${country} (the account has taxes of ${country}, else ${PT_REGION_NAMES[shipsFrom]}, where the goods leave from)`, field }
		: { country, shipsFrom, regions: [shipsFrom], describe: `${from} to ${country}, taxed in Portugal (the account has no taxes of ${country})`, field };
}

export interface TaxChoice {
	taxMapping: Array<{ rate: number; taxName: string }>;
}

/**
 * A rate taxed in the Ships From region must be one of its legal rates on the document's day: else
 * the order is refused, naming the rate, the region and what to fix. Never remapped to another region.
 */
function checkLegalRate(rate: number, place: TaxPlace, day: number, ctx: string): void {
	const region = place.shipsFrom;
	const rates = legalRates(region, day);
	if (!rates) {
		throw new InputError(
			`${ctx}the document date is before 1 January 2024, from which the package knows the VAT rates of the Portuguese regions`,
			`Nothing was sent. Issue it with a later date, or in InvoicExpress directly (RATES_KNOWN_FROM ${RATES_KNOWN_FROM}).`,
		);
	}
	if (rates.some((r) => Math.abs(r - rate) < 1e-9)) return;
	const others = regionsWithRate(rate, day);
	const whose = others.length ? `${rate} % is a rate of ${others.map((r) => PT_REGION_NAMES[r]).join(' and of ')}` : `${rate} % is no Portuguese VAT rate`;
	const abroad = place.country !== 'PT' ? ` If it is the VAT of ${place.country} (One-Stop-Shop), add the ${place.country} taxes in InvoicExpress.` : '';
	throw new InputError(
		`${ctx}${rate} % is not a VAT rate of ${PT_REGION_NAMES[region]}, where the goods leave from ("Ships From" ${region}): its rates are ${describeRates(rates)} (CIVA art. 18.º); ${place.describe}`,
		`Nothing was sent. Goods are taxed at the rates of the region they leave from, wherever in Portugal they go (CIVA art. 6.º n.º 1 and n.º 16); ${whose}. Correct the VAT of this order in the shop's tax settings, or set "Ships From" to the region these goods leave from.${abroad}`,
	);
}

/**
 * The account tax for a VAT rate at a place: the merchant's mapping, else the one tax of that value
 * and region. `day`: the document's date as yyyymmdd (vatRates.ts says why that date).
 */
export function taxForRate(rate: number, taxes: IxTax[], place: TaxPlace, opts: TaxChoice, ctx: string, day: number): string {
	// 0 % is an exemption (its reason is the M-code), taxed nowhere else: the Ships From region's exempt tax.
	const regions = rate === 0 ? [place.shipsFrom] : place.regions;
	const list = (ts: IxTax[]) => ts.map((t) => `${t.name} (${t.value} %${t.region ? ` ${t.region}` : ''})`).join(', ') || 'none';
	const where = `${rate} % VAT for ${place.describe}`;
	const sameValue = taxes.filter((t) => Math.abs(t.value - rate) < 1e-9);
	// The first region that takes the rate: a foreign one only when the account has that rate there (OSS).
	const mapped = opts.taxMapping.find((m) => Number(m.rate) === rate);
	if (mapped) {
		const tax = taxes.find((t) => t.name === mapped.taxName);
		if (!tax) throw new InputError(`${ctx}the tax mapping for ${rate} % names "${mapped.taxName}", which does not exist in this InvoicExpress account`);
		if (!regions.includes(regionOf(tax))) {
			throw new InputError(
				`${ctx}${where}: the tax mapping names "${tax.name}", a tax of region ${regionOf(tax) || '(none)'}`,
				`The goods go to ${place.country} (${place.field}) from ${PT_REGION_NAMES[place.shipsFrom]}; a tax of region ${regions.join(' or ')} is needed. Change "Tax Mapping", or add the tax in InvoicExpress.`,
			);
		}
		// The mapping chooses the tax, never the rate: a rate the region does not have stays refused.
		if (rate !== 0 && isPtRegion(regionOf(tax))) checkLegalRate(rate, place, day, ctx);
		return tax.name;
	}
	const region = rate === 0 ? place.shipsFrom : regions.find((r) => isPtRegion(r) || sameValue.some((t) => regionOf(t) === r)) ?? place.shipsFrom;
	if (rate !== 0 && isPtRegion(region)) checkLegalRate(rate, place, day, ctx);
	const candidates = sameValue.filter((t) => regionOf(t) === region);
	if (candidates.length === 1) return candidates[0].name;
	if (candidates.length > 1) {
		throw new InputError(`${ctx}${where}: several taxes of ${rate} % exist for region ${region} (${candidates.map((t) => t.name).join(', ')})`, 'Choose one under "Tax Mapping".');
	}
	const elsewhere = sameValue.length ? ` Taxes of ${rate} % exist only for other regions: ${list(sameValue)}, which do not apply to this sale.` : '';
	throw new InputError(
		`${ctx}no tax of ${rate} % for region ${regions.join(' or ')} in this InvoicExpress account (${where}, from ${place.field})`,
		`Add a ${rate} % tax of region ${region} in InvoicExpress, or check the order's VAT.${elsewhere} Taxes: ${list(taxes)}.`,
	);
}
