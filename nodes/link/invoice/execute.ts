import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeApiError } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { loadTaxes } from '../../services/invoicexpress/api/accountData';
import { findOrCreateClient } from '../../services/invoicexpress/api/clients';
import { emailDocument } from '../../services/invoicexpress/api/email';
import { pdfAttachment } from '../../services/invoicexpress/api/pdf';
import { invoiceOnce, retiredInvoices, type InvoiceOrderResult } from '../../services/invoicexpress/api/invoiceOrder';
import { todayIx } from '../../services/invoicexpress/helpers/dates';
import { InputError } from '../../services/invoicexpress/helpers/client';
import { DOCUMENT_TYPES } from '../../services/invoicexpress/helpers/documentTypes';
import { asNodeError, stepsFor, withPrefix } from '../../shared/execute';
import { chooseShop } from '../shops';
import { planAfterInvoice } from './after';
import { documentFor, labelOf, planOrder, type MappingFault, type OrderPlan, type OrderToInvoiceParams, type PlanInput, type Refusal } from './plan';

/**
 * Runs the plan of one order through the services' API modules; every decision is the planner's.
 * The I/O the plan depends on comes first, in this order: the full order (a list item, connected),
 * then the account's taxes (and canceled invoices), then the paid date of a Beyond order (connected); a mapping refused with cached taxes is planned once more with the taxes
 * read again, since the account may have changed since they were cached.
 */
export async function orderToInvoice(ctx: IExecuteFunctions, i: number, params: OrderToInvoiceParams, order: IDataObject): Promise<INodeExecutionData[]> {
	const label = labelOf(order);
	const step = stepsFor(ctx, i, label);
	const refused = (r: Refusal) => new NodeOperationError(ctx.getNode(), r.message, { itemIndex: i, description: r.description });
	const chosen = chooseShop(params.connectEPages, params.platform, order, label);
	if (!chosen.ok) throw new NodeOperationError(ctx.getNode(), chosen.message, { itemIndex: i, description: chosen.description });
	const shop = chosen.shop;
	const input: PlanInput = { params, order, today: todayIx() };
	// A mapping that failed, refused or thrown, is the one failure that reading the taxes again may cure.
	const plan = (): Exclude<OrderPlan, MappingFault> | { kind: 'unmapped'; error: NodeApiError | NodeOperationError } => {
		const planned = planOrder(input);
		if (planned.kind === 'fault') return { kind: 'unmapped', error: asNodeError(ctx.getNode(), planned.error, i) };
		return planned.kind === 'refuse' && planned.stage === 'order' ? { kind: 'unmapped', error: refused(planned) } : planned;
	};

	const gathered = async () => {
		let next = plan();
		while (next.kind === 'gather') {
			for (const gather of next.steps) {
				if (gather.kind === 'fetchFullOrder') {
					input.fullOrder = await step('getting the full order from ePages', async () => shop!.fullOrder(ctx, order, i));
				} else if (gather.kind === 'fetchPaidDate') {
					input.paidDate = await step(`reading the paid date from ${shop?.displayName ?? 'the shop'}`, async () => {
						if (!shop?.paidDate) throw new NodeOperationError(ctx.getNode(), `${shop?.displayName ?? 'The shop'} does not give the paid date of an order`, { itemIndex: i });
						return await shop.paidDate(ctx, input.fullOrder ?? order, i);
					});
				} else if (gather.kind === 'findRetired') {
					input.retired = await step('looking for canceled or credited invoices', async () => retiredInvoices(ctx, gather.reference, i));
				} else {
					input.taxes = await step('loading the taxes of the account', async () => loadTaxes(ctx, i));
				}
			}
			next = plan();
		}
		return next;
	};

	let current = await gathered();
	if (current.kind === 'unmapped') {
		const cached = input.taxes;
		input.taxes = await step('loading the taxes of the account', async () => loadTaxes(ctx, i, { fresh: true }));
		if (input.taxes === cached) throw current.error;
		current = await gathered();
	}
	if (current.kind === 'unmapped') throw current.error;
	if (current.kind === 'refuse') throw refused(current);
	if (current.kind === 'dryRun') return [{ json: current.json }];

	const invoicePlan = current;
	let found: IDataObject | undefined;
	let clientCreated: boolean | null = null;
	let clientNote: string | undefined;
	let result: InvoiceOrderResult | undefined;
	for (const s of invoicePlan.steps) {
		if (s.kind === 'findClient') {
			let match;
			try {
				match = await findOrCreateClient(ctx, invoicePlan.mapped.client, { matchBy: s.matchBy, updateExisting: false, itemIndex: i, context: `${label}: ` });
			} catch (error) {
				// The client rule refused (names taken by other NIFs): the order's fault, said as such.
				if (error instanceof InputError) throw new NodeOperationError(ctx.getNode(), error.message, { itemIndex: i, description: error.description });
				throw withPrefix(ctx.getNode(), error, `${label}: finding the client failed: `, i);
			}
			found = match.client;
			clientCreated = match.created;
			clientNote = match.note;
		} else if (s.kind === 'invoiceOnce') {
			const document = documentFor(invoicePlan, found);
			result = await step(`creating the ${DOCUMENT_TYPES[s.type].label.toLowerCase()}`, async () =>
				invoiceOnce(ctx, s.type, document, { reference: s.reference, uniqueKey: s.uniqueKey, finalize: s.finalize, itemIndex: i, retiredIds: s.retiredIds }),
			);
			break;
		}
	}
	if (!result) throw new NodeOperationError(ctx.getNode(), `${label}: the plan has no invoice step`, { itemIndex: i });

	const after = planAfterInvoice(invoicePlan, params, result, clientCreated);
	const out = after.json;
	if (clientNote) {
		out.client_note = clientNote;
		out.warnings = [...((out.warnings as string[] | undefined) ?? []), clientNote];
	}
	for (const s of after.steps) {
		if (s.kind === 'email') {
			await step(`e-mailing ${s.legalNumber} (the document exists and is final)`, async () =>
				emailDocument(ctx, invoicePlan.type, s.id, s.message, i),
			);
			out.emailed = true;
			out.email_to = s.to;
		} else if (s.kind === 'writeBack') {
			out.written_back = await step(`writing ${s.legalNumber} back to the ePages order (the document exists and is final)`, async () =>
				shop!.writeInvoiceBack(ctx, invoicePlan.order, s.noteLine, i),
			);
		} else {
			const pdf = await step('getting the PDF (the document exists and is final)', async () => pdfAttachment(ctx, s.id, s.fileName, { itemIndex: i }));
			out.pdf_url = pdf.url;
			return [{ json: out, binary: { data: pdf.binary } }];
		}
	}
	return [{ json: out }];
}
