import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeApiError } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { loadTaxes } from '../../services/invoicexpress/api/accountData';
import { findOrCreateClient, type MatchBy } from '../../services/invoicexpress/api/clients';
import { emailDocument } from '../../services/invoicexpress/api/email';
import { pdfAttachment } from '../../services/invoicexpress/api/pdf';
import { invoiceOnce, retiredInvoices, type InvoiceOrderResult } from '../../services/invoicexpress/api/invoiceOrder';
import { todayIx } from '../../services/invoicexpress/helpers/dates';
import { InputError } from '../../services/invoicexpress/helpers/client';
import { DOCUMENT_TYPES } from '../../services/invoicexpress/helpers/documentTypes';
import { asNodeError, withPrefix, type Step } from '../../shared/execute';
import type { Shop } from '../../services/shop';
import { startOrderRun } from '../orderRun';
import { planAfterInvoice } from './after';
import { documentFor, planOrder, type DryRunPlan, type GatherStep, type InvoicePlan, type MappingFault, type OrderPlan, type OrderToInvoiceParams, type PlanInput, type Refusal } from './plan';

/**
 * Runs the plan of one order through the services' API modules; every decision is the planner's.
 * The I/O the plan depends on comes first, in this order: the full order (a list item, connected),
 * then the account's taxes (and canceled invoices), then the paid date of a Beyond order (connected); a mapping refused with cached taxes is planned once more with the taxes
 * read again, since the account may have changed since they were cached.
 */
export async function orderToInvoice(ctx: IExecuteFunctions, i: number, params: OrderToInvoiceParams, order: IDataObject): Promise<INodeExecutionData[]> {
	const run = new OrderRun(ctx, i, params, order);
	const plan = await run.settledPlan();
	if (plan.kind === 'dryRun') return [{ json: plan.json }];
	const invoiced = await run.invoice(plan);
	return await run.after(plan, invoiced);
}

/** A plan the executor can act on, or the mapping's failure that reading the taxes again may cure. */
type Planned = Exclude<OrderPlan, MappingFault> | { kind: 'unmapped'; error: NodeApiError | NodeOperationError };

/** How the invoice step ended, with what the client step found. */
interface Invoiced {
	result: InvoiceOrderResult;
	clientCreated: boolean | null;
	clientNote?: string;
}

/** One order's run: the plan's I/O as short named actions, each failure naming the order and the step. */
class OrderRun {
	private readonly label: string;
	private readonly step: Step;
	private readonly shop: Shop | undefined;
	private readonly input: PlanInput;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly i: number,
		private readonly params: OrderToInvoiceParams,
		private readonly order: IDataObject,
	) {
		({ label: this.label, step: this.step, shop: this.shop } = startOrderRun(ctx, i, params, order));
		this.input = { params, order, today: todayIx() };
	}

	private refused(r: Refusal): NodeOperationError {
		return new NodeOperationError(this.ctx.getNode(), r.message, { itemIndex: this.i, description: r.description });
	}

	/** The plan to act on: an invoice or a dry run; a refusal or a mapping that fails again is thrown. */
	async settledPlan(): Promise<DryRunPlan | InvoicePlan> {
		let current = await this.gathered();
		if (current.kind === 'unmapped') {
			const cached = this.input.taxes;
			this.input.taxes = await this.step('loading the taxes of the account', async () => loadTaxes(this.ctx, this.i, { fresh: true }));
			if (this.input.taxes === cached) throw current.error;
			current = await this.gathered();
		}
		if (current.kind === 'unmapped') throw current.error;
		if (current.kind === 'refuse') throw this.refused(current);
		return current;
	}

	/** A mapping that failed, refused or thrown, is the one failure that reading the taxes again may cure. */
	private plan(): Planned {
		const planned = planOrder(this.input);
		if (planned.kind === 'fault') return { kind: 'unmapped', error: asNodeError(this.ctx.getNode(), planned.error, this.i) };
		return planned.kind === 'refuse' && planned.stage === 'order' ? { kind: 'unmapped', error: this.refused(planned) } : planned;
	}

	/** Plans again after each round of the I/O the plan asks for, until it asks for none. */
	private async gathered(): Promise<Exclude<Planned, { kind: 'gather' }>> {
		let next = this.plan();
		while (next.kind === 'gather') {
			for (const gather of next.steps) await this.gather(gather);
			next = this.plan();
		}
		return next;
	}

	private async gather(gather: GatherStep): Promise<void> {
		const { ctx, i, input, order, shop } = this;
		if (gather.kind === 'fetchFullOrder') {
			input.fullOrder = await this.step('getting the full order from ePages', async () => shop!.fullOrder(ctx, order, i));
		} else if (gather.kind === 'fetchPaidDate') {
			input.paidDate = await this.step(`reading the paid date from ${shop?.displayName ?? 'the shop'}`, async () => {
				if (!shop?.paidDate) throw new NodeOperationError(ctx.getNode(), `${shop?.displayName ?? 'The shop'} does not give the paid date of an order`, { itemIndex: i });
				return await shop.paidDate(ctx, input.fullOrder ?? order, i);
			});
		} else if (gather.kind === 'findRetired') {
			input.retired = await this.step('looking for canceled or credited invoices', async () => retiredInvoices(ctx, gather.reference, i));
		} else {
			input.taxes = await this.step('loading the taxes of the account', async () => loadTaxes(ctx, i));
		}
	}

	/** The plan's steps up to the invoice: the client, then the invoice exactly once. */
	async invoice(plan: InvoicePlan): Promise<Invoiced> {
		let found: { client: IDataObject; created: boolean; note?: string } | undefined;
		for (const s of plan.steps) {
			if (s.kind === 'findClient') {
				found = await this.findClient(plan, s.matchBy);
			} else if (s.kind === 'invoiceOnce') {
				const document = documentFor(plan, found?.client);
				const result = await this.step(`creating the ${DOCUMENT_TYPES[s.type].label.toLowerCase()}`, async () =>
					invoiceOnce(this.ctx, s.type, document, { reference: s.reference, uniqueKey: s.uniqueKey, finalize: s.finalize, itemIndex: this.i, retiredIds: s.retiredIds }),
				);
				return { result, clientCreated: found ? found.created : null, clientNote: found?.note };
			}
		}
		throw new NodeOperationError(this.ctx.getNode(), `${this.label}: the plan has no invoice step`, { itemIndex: this.i });
	}

	private async findClient(plan: InvoicePlan, matchBy: MatchBy): Promise<{ client: IDataObject; created: boolean; note?: string }> {
		try {
			return await findOrCreateClient(this.ctx, plan.mapped.client, { matchBy, updateExisting: false, itemIndex: this.i, context: `${this.label}: ` });
		} catch (error) {
			// The client rule refused (names taken by other NIFs): the order's fault, said as such.
			if (error instanceof InputError) throw new NodeOperationError(this.ctx.getNode(), error.message, { itemIndex: this.i, description: error.description });
			throw withPrefix(this.ctx.getNode(), error, `${this.label}: finding the client failed: `, this.i);
		}
	}

	/** What follows the invoice, as planAfterInvoice decides it on the outcome. */
	async after(plan: InvoicePlan, invoiced: Invoiced): Promise<INodeExecutionData[]> {
		const after = planAfterInvoice(plan, this.params, invoiced.result, invoiced.clientCreated);
		const out = after.json;
		if (invoiced.clientNote) {
			out.client_note = invoiced.clientNote;
			out.warnings = [...((out.warnings as string[] | undefined) ?? []), invoiced.clientNote];
		}
		for (const s of after.steps) {
			if (s.kind === 'email') {
				await this.step(`e-mailing ${s.legalNumber} (the document exists and is final)`, async () => emailDocument(this.ctx, plan.type, s.id, s.message, this.i));
				out.emailed = true;
				out.email_to = s.to;
			} else if (s.kind === 'writeBack') {
				out.written_back = await this.step(`writing ${s.legalNumber} back to the ePages order (the document exists and is final)`, async () =>
					this.shop!.writeInvoiceBack(this.ctx, plan.order, s.noteLine, this.i),
				);
			} else {
				const pdf = await this.step('getting the PDF (the document exists and is final)', async () => pdfAttachment(this.ctx, s.id, s.fileName, { itemIndex: this.i }));
				out.pdf_url = pdf.url;
				return [{ json: out, binary: { data: pdf.binary } }];
			}
		}
		return [{ json: out }];
	}
}
