import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { loadTaxes } from '../../../services/invoicexpress/api/accountData';
import { InputError } from '../../../services/invoicexpress/helpers/client';
import { todayIx } from '../../../services/invoicexpress/helpers/dates';
import { buildDocumentBody, summarizeDocument, type IxTax } from '../../../services/invoicexpress/helpers/document';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../../../services/invoicexpress/helpers/documentTypes';
import type { OrderLines } from '../../../link/invoice/orderLines';
import { asNodeError } from '../../../shared/execute';
import { toOperationError } from '../common';
import { readClient } from '../client/shared';
import { checkShipsFrom, itemsFromOrder, readItems, readOrderLines } from './createItems';
import { createOnce } from './createOnce';

/**
 * Document → Create: the separate-steps chain's document. The items come from the node's fields,
 * from JSON, or from an ePages order (createItems.ts, which asks the link's planner); the document is
 * created exactly once by its reference when it has one (createOnce.ts).
 */
export async function create(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const type = this.getNodeParameter('documentType', i) as DocumentTypeKey;
	const extra = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const { client, warnings } = readClient(this, i);
	const date = (this.getNodeParameter('date', i, '') as string) || todayIx();
	const dueDate = (this.getNodeParameter('dueDate', i, '') as string) || date;
	const fromOrder = itemsFromOrder(this, i);
	const items = fromOrder ? [] : readItems(this, i);
	if (fromOrder) checkShipsFrom(this, i, extra);
	const taxes = await loadTaxes(this, i);
	const orderLines = fromOrder ? readOrderLines(this, i, { taxes, date, dueDate, type, fiscalId: client.fiscal_id, extra }) : undefined;
	const document = documentBody(this, i, { date, dueDate, client, items: orderLines?.items ?? items, extra, orderLines }, taxes);
	const { doc, outcome, finalizedHere, finalizeTurn } = await createOnce(this, i, type, document, extra);
	return [
		{
			json: {
				...summarizeDocument(doc, DOCUMENT_TYPES[type].prefix),
				document_type: type,
				outcome,
				...(finalizedHere !== undefined ? { finalized_here: finalizedHere } : {}),
				// Read by Finalize: another execution's draft is left to that execution for a while first.
				...(finalizeTurn !== undefined && doc.status === 'draft' ? { finalize_turn: finalizeTurn } : {}),
				...(orderLines ? { totals_check: orderLines.totalsCheck } : {}),
				...(warnings.length ? { warnings } : {}),
			},
		},
	];
}

interface BodyFields {
	date: string;
	dueDate: string;
	client: Record<string, string>;
	items: unknown[];
	extra: IDataObject;
	/** With items from an order: its number is the reference unless one is set. */
	orderLines?: OrderLines;
}

/** The document body InvoicExpress takes, from the node's fields (a field it refuses is said before any request). */
function documentBody(ctx: IExecuteFunctions, i: number, f: BodyFields, taxes: IxTax[]): IDataObject {
	const { extra } = f;
	try {
		return buildDocumentBody(
			{
				date: f.date,
				dueDate: f.dueDate,
				client: f.client,
				items: f.items,
				reference: (extra.reference as string) || f.orderLines?.reference,
				observations: extra.observations as string,
				sequenceId: extra.sequenceId as string,
				taxExemption: extra.taxExemption as string,
				retention: extra.retention as number,
				currencyCode: extra.currencyCode as string,
				exchangeRate: extra.exchangeRate as number,
				ownerInvoiceId: extra.ownerInvoiceId as string,
				globalDiscountPercent: extra.globalDiscountPercent as number,
			},
			taxes,
		).document as IDataObject;
	} catch (error) {
		if (error instanceof InputError) throw toOperationError(ctx, error, i);
		throw asNodeError(ctx.getNode(), error, i);
	}
}
