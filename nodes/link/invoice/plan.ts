import type { IDataObject } from 'n8n-workflow';

import type { MatchBy } from '../../services/invoicexpress/api/clients';
import { InputError } from '../../services/invoicexpress/helpers/client';
import { addDays, toIxDate } from '../../services/invoicexpress/helpers/dates';
import type { IxTax } from '../../services/invoicexpress/helpers/document';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import { mapOrderToDocument, type MappedOrder, type MappingOptions } from '../mapping/orderToDocument';
import { readShipsFrom } from '../mapping/taxPlace';
import { documentTypeFor, invoiceDateFor, needsShopPaidDate, type DateFrom, type TypeRules } from '../documentRules';
import { invoiceUniqueKey } from '../orderLink';
import { orderLabel, UNNUMBERED_ORDER } from '../../shared/execute';

/**
 * What one order becomes, decided without I/O: the one-step operation asks here, and so must every
 * other path from an order to an invoice, so that they refuse, e-mail and write back by the same rules.
 * The executor (`execute.ts`) gathers what the plan depends on, runs its steps and reports back.
 * What follows the invoice is decided in `after.ts`; the chain's Create asks `orderLines.ts`.
 */

/** The "Order Options" collection as n8n gives it: every field may be absent. */
export interface OrderOptions {
	/** A date picker value, dd/mm/yyyy, or a Date or DateTime from an expression. */
	date?: unknown;
	dueDate?: unknown;
	dueDays?: number;
	itemName?: MappingOptions['itemName'];
	clientName?: MappingOptions['clientName'];
	discountStyle?: MappingOptions['discountStyle'];
	/** Where the goods leave from: PT, PT-AC or PT-MA (an expression may choose it per order). */
	shipsFrom?: string;
	taxMapping?: { mapping?: Array<{ rate: number; taxName: string }> };
	taxExemption?: string;
	exchangeRate?: number;
	commentInObservations?: boolean;
	sequenceId?: string;
	/** Where the invoice date comes from when no fixed date is set (documentRules.ts). */
	dateFrom?: DateFrom;
	/** A simplified invoice the law does not allow here (art. 40.º CIVA): refuse the order, or issue an invoice instead. */
	simplifiedNotAllowed?: 'refuse' | 'invoice';
	/** The shop sells goods at retail: the 1,000 € simplified-invoice limit for consumers (default on). */
	retailer?: boolean;
	invalidFiscalId?: 'error' | 'finalConsumer';
	/** Issue a new invoice for an order whose invoice was canceled or credited in full. */
	invoiceAgain?: boolean;
	shippingLabel?: string;
	paymentFeeLabel?: string;
	pickupLabel?: string;
	strictTotals?: boolean;
	emailSubject?: string;
	emailBody?: string;
	emailBcc?: string;
}


export interface OrderToInvoiceParams {
	documentType: DocumentTypeKey;
	finalize: boolean;
	sendEmail: boolean;
	attachPdf: boolean;
	dryRun: boolean;
	matchBy: MatchBy;
	connectEPages: boolean;
	/** The shop platform (services/shops.ts) the order is read from and written back to, when connected. */
	platform?: string;
	/** Ignored without Connect to ePages: the parameter is hidden then, and may keep an old value. */
	writeBack: boolean;
	options: OrderOptions;
}

export interface PlanInput {
	params: OrderToInvoiceParams;
	/** The order as the item gave it: an order, or an order list item without line items. */
	order: IDataObject;
	/** The full order behind a list item, once fetched. */
	fullOrder?: IDataObject;
	/** The account's taxes, once loaded. */
	taxes?: IxTax[];
	/** Today in Lisbon (dd/mm/yyyy): the invoice date when none is set. */
	today: string;
	/** With "Invoice Again": the order's invoices canceled or credited in full. */
	retired?: Array<string | number>;
	/** The paid date read from the shop (ISO 8601), for an order whose own status dates are not exact. */
	paidDate?: string;
}

/** Nothing is sent for this order: an error naming the order and the field. */
export interface Refusal {
	kind: 'refuse';
	/** `order`: the order cannot be mapped with these taxes (the executor reads the taxes again once). */
	stage: 'parameters' | 'order' | 'totals';
	message: string;
	description?: string;
}

/**
 * I/O whose answers the plan depends on: run in this order, then plan again with the answers.
 * `fetchPaidDate`: the paid date of an order whose status dates are not exact (an ePages Beyond order:
 * its payment-paid event), read from the connected shop.
 */
export type GatherStep = { kind: 'fetchFullOrder' } | { kind: 'loadTaxes' } | { kind: 'findRetired'; reference: string } | { kind: 'fetchPaidDate' };

export interface DryRunPlan {
	kind: 'dryRun';
	json: IDataObject;
}

export type InvoiceStep =
	/** Find or create the client first (NIF-checked), the document then names it. */
	| { kind: 'findClient'; matchBy: MatchBy }
	| { kind: 'invoiceOnce'; type: DocumentTypeKey; reference: string; uniqueKey: string; finalize: boolean; retiredIds?: Array<string | number> }
	/** What follows the invoice; each is decided again by {@link planAfterInvoice} on its outcome. */
	| { kind: 'email' }
	| { kind: 'writeBack' }
	| { kind: 'pdf' };

export interface InvoicePlan {
	kind: 'invoice';
	/** The document type the rules allow (an invoice instead of a simplified invoice over the limit). */
	type: DocumentTypeKey;
	/** How errors of later steps name the order. */
	label: string;
	/** The order to key the document on and to write back to (the full one when fetched). */
	order: IDataObject;
	mapped: MappedOrder;
	/** The output fields every outcome has. */
	base: IDataObject;
	steps: InvoiceStep[];
}

/** The mapping failed other than on the order (a bug): reported as it is, never as the order's fault. */
export interface MappingFault {
	kind: 'fault';
	error: unknown;
}

export type OrderPlan = Refusal | MappingFault | { kind: 'gather'; steps: GatherStep[] } | DryRunPlan | InvoicePlan;

function mappingOptions(o: OrderOptions, date: string, dueDate: string): MappingOptions {
	return {
		date,
		dueDate,
		itemName: o.itemName ?? 'sku',
		clientName: o.clientName ?? 'company',
		discountStyle: o.discountStyle ?? 'lineDiscount',
		shipsFrom: o.shipsFrom ?? 'PT',
		taxMapping: o.taxMapping?.mapping ?? [],
		taxExemption: o.taxExemption || undefined,
		exchangeRate: o.exchangeRate || undefined,
		commentInObservations: o.commentInObservations !== false,
		sequenceId: o.sequenceId || undefined,
		clientRules: {
			invalidFiscalId: o.invalidFiscalId ?? 'error',
		},
		shippingLabel: o.shippingLabel ?? '',
		paymentFeeLabel: o.paymentFeeLabel ?? '',
		pickupLabel: o.pickupLabel ?? '',
	};
}

/**
 * The plan for one order. Called first with the order as given; a `gather` answer names the I/O to
 * do before calling again with its results.
 */
export function planOrder(input: PlanInput): OrderPlan {
	const { params, order } = input;
	const o = params.options;
	const label = orderLabel(order, UNNUMBERED_ORDER);
	const refused = dateRefusal(o, label) ?? shipsFromRefusal(o.shipsFrom, `${label}: `);
	if (refused) return refused;
	const first = gatherFirst(input);
	if (first.length > 0 || !input.taxes) return { kind: 'gather', steps: first };
	const full = input.fullOrder ?? order;
	const dates = documentDates(input, full, label);
	if (dates.kind !== 'dates') return dates;
	const typed = mapAndType(full, input.taxes, mappingOptions(o, dates.date, dates.dueDate), {
		requested: params.documentType,
		fiscalId: (mapped) => mapped.client.fiscal_id,
		rules: { notAllowed: o.simplifiedNotAllowed ?? 'refuse', retailer: o.retailer !== false },
		label,
	});
	if (typed.kind !== 'typed') return typed;
	const { mapped, warnings } = withTypeWarning(typed, params.documentType);
	const type = typed.type;
	const check = mapped.totalsCheck;
	const base: IDataObject = {
		order_number: mapped.orderNumber,
		order_id: mapped.orderId ?? null,
		document_type: type,
		totals_check: check as unknown as IDataObject,
		...(warnings.length ? { warnings } : {}),
	};
	const totals = totalsRefusal(mapped, type, o, label);
	if (totals) return totals;
	if (params.dryRun) {
		// The currency, as a created document's output has it: the run's hint sums the previews per currency.
		return { kind: 'dryRun', json: { ...base, outcome: 'dry run', currency: mapped.currency, client: mapped.client, document: mapped.document as IDataObject } };
	}
	return { kind: 'invoice', type, label, order: full, mapped, base, steps: invoiceSteps(params, full, mapped, type, input.retired ?? []) };
}

/** A date that cannot be read is an error, never silently "today". */
function dateRefusal(o: OrderOptions, label: string): Refusal | undefined {
	for (const [key, words] of [['date', 'invoice date'], ['dueDate', 'due date']] as const) {
		const value = o[key];
		if (value !== undefined && value !== null && String(value).trim() !== '' && toIxDate(value) === undefined) {
			return {
				kind: 'refuse',
				stage: 'parameters',
				message: `${label}: ${words} "${String(value)}" is not a date`,
				description: 'Use the date picker, YYYY-MM-DD or DD/MM/YYYY.',
			};
		}
	}
	return undefined;
}

/**
 * Where the goods leave from decides every Portuguese tax of the order: a value that is not a region
 * is refused before anything is read or sent, never taken for the mainland. `prefix` names the order.
 */
export function shipsFromRefusal(shipsFrom: unknown, prefix: string): Refusal | undefined {
	try {
		readShipsFrom(shipsFrom, prefix);
		return undefined;
	} catch (error) {
		return { kind: 'refuse', stage: 'parameters', message: (error as InputError).message, description: (error as InputError).description };
	}
}

/** The I/O every order needs before it can be mapped: the full order of a list item (connected), the taxes, the retired invoices. */
function gatherFirst(input: PlanInput): GatherStep[] {
	const { params, order } = input;
	const listItem = order.lineItemContainer === undefined;
	const fetch = params.connectEPages && listItem && !input.fullOrder;
	const findRetired = params.options.invoiceAgain === true && !params.dryRun && !input.retired;
	const steps: GatherStep[] = fetch ? [{ kind: 'fetchFullOrder' }] : [];
	if (!input.taxes) steps.push({ kind: 'loadTaxes' });
	if (findRetired) steps.push({ kind: 'findRetired', reference: String(order.orderNumber ?? '') });
	return steps;
}

/** The invoice date and due date by the date rules (documentRules.ts), or what to read or refuse first. */
function documentDates(input: PlanInput, full: IDataObject, label: string): Refusal | { kind: 'gather'; steps: GatherStep[] } | { kind: 'dates'; date: string; dueDate: string } {
	const o = input.params.options;
	// Read from the shop only when connected (to the order's own platform: link/shops.ts refuses
	// another before any request); otherwise the date rule says what to set.
	if (needsShopPaidDate(full, toIxDate(o.date), o.dateFrom ?? 'today') && input.paidDate === undefined && input.params.connectEPages) {
		return { kind: 'gather', steps: [{ kind: 'fetchPaidDate' }] };
	}
	const dated = invoiceDateFor(full, toIxDate(o.date), o.dateFrom ?? 'today', input.today, label, input.paidDate);
	if (!dated.ok) return { kind: 'refuse', stage: 'parameters', message: dated.message, description: dated.description };
	const date = dated.value;
	return { kind: 'dates', date, dueDate: toIxDate(o.dueDate) ?? addDays(date, Number(o.dueDays ?? 0)) };
}

/** What decides the document type of a mapped order (documentRules.ts): the type asked for, the buyer's NIF, the merchant's rules. */
export interface TypeRequest {
	requested: DocumentTypeKey;
	/** The fiscal number the document will carry: the order's (one step), or the client the node's own fields name (the chain). */
	fiscalId: (mapped: MappedOrder) => string | undefined;
	rules: TypeRules;
	/** How a refusal names the order. */
	label: string;
}

export interface TypedOrder {
	kind: 'typed';
	mapped: MappedOrder;
	/** The document type the rules allow. */
	type: DocumentTypeKey;
	/** Why the type is not the one asked for (an invoice instead of a simplified invoice), when it is not. */
	warning?: string;
}

/**
 * The order mapped to the cent (mapping/orderToDocument.ts) and the document type the law allows for
 * it (documentRules.ts): every path from an order to a document asks here, so that all refuse alike.
 * A mapping that fails on the order is a refusal naming it; any other failure is a fault (a bug).
 */
export function mapAndType(order: unknown, taxes: IxTax[], options: Partial<MappingOptions>, request: TypeRequest): Refusal | MappingFault | TypedOrder {
	let mapped: MappedOrder;
	try {
		mapped = mapOrderToDocument(order, taxes, options);
	} catch (error) {
		if (error instanceof InputError) return { kind: 'refuse', stage: 'order', message: error.message, description: error.description };
		return { kind: 'fault', error };
	}
	const allowed = documentTypeFor(
		order as IDataObject,
		request.requested,
		{ totalEur: mapped.totalEur, fiscalId: request.fiscalId(mapped), taxation: mapped.taxation },
		request.rules,
		request.label,
	);
	if (!allowed.ok) return { kind: 'refuse', stage: 'parameters', message: allowed.message, description: allowed.description };
	return { kind: 'typed', mapped, type: allowed.value, ...(allowed.warning ? { warning: allowed.warning } : {}) };
}

/** The mapping's warnings and the type rule's; an invoice issued instead of a simplified invoice leaves the simplified series. */
function withTypeWarning(typed: TypedOrder, requested: DocumentTypeKey): { mapped: MappedOrder; warnings: string[] } {
	let mapped = typed.mapped;
	const warnings = [...mapped.warnings];
	if (typed.warning) {
		warnings.push(typed.warning);
		// The chosen series holds the other type's numbering: the invoice takes the default series.
		if (typed.type !== requested && mapped.document.sequence_id !== undefined) {
			mapped = { ...mapped, document: { ...mapped.document } };
			delete mapped.document.sequence_id;
			warnings.push('the chosen series is for simplified invoices: the invoice took the default series');
		}
	}
	return { mapped, warnings };
}

/** A document total that differs from the order's is refused unless "Strict Totals" is off. */
function totalsRefusal(mapped: MappedOrder, type: DocumentTypeKey, o: OrderOptions, label: string): Refusal | undefined {
	const check = mapped.totalsCheck;
	if (check.matches || (o.strictTotals ?? true) === false) return undefined;
	return {
		kind: 'refuse',
		stage: 'totals',
		message: `${label}: the ${DOCUMENT_TYPES[type].label.toLowerCase()} total would be ${check.document_total} but the order total is ${check.order_total} (difference ${check.difference})`,
		description: 'Nothing was created. Check the order amounts, or turn off "Strict Totals" to create it anyway with the difference reported.',
	};
}

/** The steps of an order to invoice: the client, the invoice exactly once, then what the parameters ask for. */
function invoiceSteps(params: OrderToInvoiceParams, full: IDataObject, mapped: MappedOrder, type: DocumentTypeKey, retired: Array<string | number>): InvoiceStep[] {
	// Always a client step: the document must carry exactly the order's NIF, which only a lookup proves
	// (an existing record of the same name keeps its own NIF; see clientMatch.ts).
	const steps: InvoiceStep[] = [{ kind: 'findClient', matchBy: params.matchBy }];
	// A new attempt after invoices were taken out of effect gets a key of its own (the old key may be
	// refused for good); every run that sees the same retired invoices names the same attempt.
	const key = invoiceUniqueKey(full, mapped.orderNumber, type);
	steps.push({
		kind: 'invoiceOnce',
		type,
		reference: mapped.orderNumber,
		uniqueKey: retired.length > 0 ? `${key}:again${retired.length}` : key,
		finalize: params.finalize,
		...(retired.length > 0 ? { retiredIds: retired } : {}),
	});
	if (params.sendEmail) steps.push({ kind: 'email' });
	if (params.connectEPages && params.writeBack) steps.push({ kind: 'writeBack' });
	if (params.attachPdf) steps.push({ kind: 'pdf' });
	return steps;
}

/** The document body, naming the client found or created for it instead of the order's. */
export function documentFor(plan: InvoicePlan, found?: IDataObject): IDataObject {
	const document: IDataObject = { ...(plan.mapped.document as IDataObject) };
	if (found) {
		const client = plan.mapped.client;
		document.client = { name: String(found.name ?? client.name), code: String(found.code ?? client.code ?? client.name) };
	}
	return document;
}

// What follows the invoice is its own module; the plan's callers find it here too.
export { planAfterInvoice, type AfterInvoice, type AfterStep } from './after';
