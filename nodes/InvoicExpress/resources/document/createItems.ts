import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { IxTax } from '../../../services/invoicexpress/helpers/document';
import type { DocumentTypeKey } from '../../../services/invoicexpress/helpers/documentTypes';
import { shipsFromRefusal, type Refusal } from '../../../link/invoice/plan';
import { planOrderLines, type OrderLines } from '../../../link/invoice/orderLines';
import { asNodeError } from '../../../shared/execute';

/**
 * Document → Create's items, as the node reads them: from its fields, from JSON, or from an ePages
 * order. An order's lines are what the link's planner says (link/invoice/plan.ts, the same mapping and
 * document rules as "Create From ePages Order"): this module only reads the parameters and reports.
 */

export const itemsFromOrder = (ctx: IExecuteFunctions, i: number): boolean => ctx.getNodeParameter('itemsInput', i, 'fields') === 'ePagesOrder';

/** The items from the node's fields or its JSON parameter (Items Input "Fields" or "JSON"). */
export function readItems(ctx: IExecuteFunctions, i: number): unknown[] {
	if (ctx.getNodeParameter('itemsInput', i, 'fields') === 'json') {
		let raw = ctx.getNodeParameter('itemsJson', i, '[]') as unknown;
		if (typeof raw === 'string') {
			try {
				raw = JSON.parse(raw);
			} catch {
				throw new NodeOperationError(ctx.getNode(), 'Items (JSON) is not valid JSON', { itemIndex: i });
			}
		}
		if (!Array.isArray(raw)) throw new NodeOperationError(ctx.getNode(), 'Items (JSON) must be an array of items', { itemIndex: i });
		return raw;
	}
	const collection = ctx.getNodeParameter('items', i, {}) as { item?: IDataObject[] };
	return (collection.item ?? []).map((it) => ({ ...it, tax: it.tax === '' ? undefined : it.tax }));
}

const refused = (ctx: IExecuteFunctions, r: Refusal, i: number) => new NodeOperationError(ctx.getNode(), r.message, { itemIndex: i, description: r.description });

/** Before any request: a "Ships From" that is not a region is refused, never taken for the mainland. */
export function checkShipsFrom(ctx: IExecuteFunctions, i: number, extra: IDataObject): void {
	const refusal = shipsFromRefusal(extra.shipsFrom, '');
	if (refusal) throw refused(ctx, refusal, i);
}

export interface OrderLinesFacts {
	taxes: IxTax[];
	date: string;
	dueDate: string;
	type: DocumentTypeKey;
	/** The NIF of the client the node's own fields name. */
	fiscalId?: string;
	extra: IDataObject;
}

/** Lines of an ePages order, mapped exactly as the one-step operation maps them, or the planner's refusal. */
export function readOrderLines(ctx: IExecuteFunctions, i: number, facts: OrderLinesFacts): OrderLines {
	let raw = ctx.getNodeParameter('order', i, {}) as unknown;
	if (typeof raw === 'string') {
		try {
			raw = JSON.parse(raw);
		} catch {
			throw new NodeOperationError(ctx.getNode(), 'The order is not valid JSON', { itemIndex: i });
		}
	}
	const { extra } = facts;
	const plan = planOrderLines({
		order: raw,
		taxes: facts.taxes,
		date: facts.date,
		dueDate: facts.dueDate,
		requested: facts.type,
		fiscalId: facts.fiscalId,
		taxExemption: extra.taxExemption as string,
		exchangeRate: extra.exchangeRate as number,
		shipsFrom: extra.shipsFrom as string | undefined,
		retailer: extra.retailer !== false,
	});
	if (plan.kind === 'fault') throw asNodeError(ctx.getNode(), plan.error, i);
	if (plan.kind === 'refuse') throw refused(ctx, plan, i);
	return plan;
}
