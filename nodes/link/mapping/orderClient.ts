import type { Order } from '../../shared/order';
import { buildClientPayload, InputError } from '../../services/invoicexpress/helpers/client';
import { toIxCountry } from '../../services/invoicexpress/helpers/countries';
import { text } from './components';
import type { MappingOptions } from './orderToDocument';

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

/** The order's client as InvoicExpress takes it, from the billing address (the shipping address fills gaps). */
export function clientFromOrder(order: Order, opts: MappingOptions, ctx: string) {
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

