import type { IDataObject } from 'n8n-workflow';

import type { IxTax } from '../../services/invoicexpress/helpers/document';
import type { DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import { mapAndType, type MappingFault, type Refusal } from './plan';
import { orderLabel, UNNUMBERED_ORDER } from '../../shared/execute';

/**
 * Document → Create with Items Input "From ePages Order" (the separate-steps chain) asks here: the
 * order's lines by the one-step operation's own decisions (plan.ts: the mapping and the document
 * rules), so that both paths refuse and price an order alike.
 */

/** What the chain's Create maps an order with. */
export interface OrderLinesInput {
	/** The Order parameter as read (an object when it is an order; anything else is refused by the mapping). */
	order: unknown;
	taxes: IxTax[];
	date: string;
	dueDate: string;
	/** The document type chosen on the node: the merchant's explicit choice, so never switched. */
	requested: DocumentTypeKey;
	/** The NIF of the client the node's own fields name: the document's client. */
	fiscalId?: string;
	taxExemption?: string;
	exchangeRate?: number;
	shipsFrom?: string;
	retailer: boolean;
}

export interface OrderLines {
	kind: 'lines';
	items: unknown[];
	reference: string;
	totalsCheck: IDataObject;
}

/**
 * The lines of an ePages order for the chain's Create, mapped exactly as the one-step operation maps
 * them and refused by the same document rules ({@link mapAndType}). The client is chosen by the node's
 * own fields, so the order's address only has to be readable; a type the rules refuse is refused.
 */
export function planOrderLines(input: OrderLinesInput): Refusal | MappingFault | OrderLines {
	const { order } = input;
	// The label is used only once the order is mapped, when it is an object with its order number.
	const label = orderLabel(order, UNNUMBERED_ORDER);
	const typed = mapAndType(
		order,
		input.taxes,
		{
			date: input.date,
			dueDate: input.dueDate,
			taxExemption: input.taxExemption || undefined,
			exchangeRate: input.exchangeRate || undefined,
			// The same place-of-taxation rule as the one-step operation (taxPlace.ts): a value that is not a
			// region is refused by the mapping before any request.
			shipsFrom: input.shipsFrom ?? 'PT',
			// The client is chosen by this node's own fields; the order's address only has to be readable.
			clientRules: { invalidFiscalId: 'finalConsumer' },
		},
		{ requested: input.requested, fiscalId: () => input.fiscalId, rules: { notAllowed: 'refuse', retailer: input.retailer }, label },
	);
	if (typed.kind !== 'typed') return typed;
	const { mapped } = typed;
	return { kind: 'lines', items: mapped.document.items as unknown[], reference: mapped.orderNumber, totalsCheck: mapped.totalsCheck as unknown as IDataObject };
}
