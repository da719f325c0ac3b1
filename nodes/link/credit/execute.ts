import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getClient } from '../../services/invoicexpress/api/clients';
import { findOrderDocuments, getDocument, getRelatedDocuments } from '../../services/invoicexpress/api/documents';
import { cancelFinal, transitionDraft } from '../../services/invoicexpress/api/state';
import { emailDocument } from '../../services/invoicexpress/api/email';
import { pdfAttachment } from '../../services/invoicexpress/api/pdf';
import { invoiceOnce, retiredInvoices, type InvoiceOrderResult } from '../../services/invoicexpress/api/invoiceOrder';
import type { DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import { todayIx } from '../../services/invoicexpress/helpers/dates';
import { asNodeError, orderLabel, UNNUMBERED_ORDER, type Step } from '../../shared/execute';
import { planCredit, type CreditInput, type CreditNotePlan, type CreditParams, type CreditPlan } from './plan';
import { planAfterCredit } from './after';
import { cancelNoteLine } from '../orderLink';
import { startOrderRun } from '../orderRun';
import { noteWithLine, type Shop } from '../../services/shop';

/**
 * Runs the correction plan of one order (plan.ts decides): reads what the plan asks for, then
 * deletes a draft invoice, cancels the invoice, or issues the credit note by the invoices' own
 * exactly-once protocol, and e-mails, writes back and attaches the PDF as the invoice path does.
 */
export async function orderToCredit(ctx: IExecuteFunctions, i: number, params: CreditParams, order: IDataObject): Promise<INodeExecutionData[]> {
	const run = new CreditRun(ctx, i, params, order);
	// A draft invoice may become final between the listing and its deletion (the invoicing run
	// finishing): the order is then planned again on a fresh listing, at most twice.
	for (let round = 0; round < 3; round++) {
		const done = await run.perform(await run.gathered());
		if (done) return done;
	}
	throw new NodeOperationError(ctx.getNode(), `${orderLabel(order, UNNUMBERED_ORDER)}: its draft invoice kept changing while it was being corrected`, { itemIndex: i, description: 'Nothing was credited. Run again.' });
}

/** One order's correction: the plan's I/O as short named actions, each failure naming the order and the step. */
class CreditRun {
	private readonly label: string;
	private readonly step: Step;
	private readonly shop: Shop | undefined;
	private readonly input: CreditInput;
	/** The output fields every outcome has. */
	private readonly base: IDataObject;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly i: number,
		private readonly params: CreditParams,
		private readonly order: IDataObject,
	) {
		({ label: this.label, step: this.step, shop: this.shop } = startOrderRun(ctx, i, params, order));
		this.input = { params, order, today: todayIx(), now: Date.now() };
		this.base = { order_number: order.orderNumber ?? null, order_id: order.orderId ?? null, correction: params.correction };
	}

	/** Plans again after each read the plan asks for, until it asks for none. */
	async gathered(): Promise<Exclude<CreditPlan, { kind: 'gather' }>> {
		let plan = planCredit(this.input);
		while (plan.kind === 'gather') {
			await this.gather(plan);
			plan = planCredit(this.input);
		}
		return plan;
	}

	private async gather(plan: Extract<CreditPlan, { kind: 'gather' }>): Promise<void> {
		const { ctx, i, input, order } = this;
		if (plan.step === 'listDocuments') {
			input.listed = await this.step('looking up the invoice', async () => findOrderDocuments(ctx, String(order.orderNumber), i, { includeCanceled: true }));
		} else if (plan.step === 'findRetired') {
			input.retired = await this.step('looking for invoices credited in full', async () => retiredInvoices(ctx, String(order.orderNumber), i));
		} else if (plan.invoice) {
			const target = plan.invoice;
			if (plan.step === 'readRelated') {
				input.related = await this.step('reading the credit notes of the invoice', async () => getRelatedDocuments(ctx, target.id, i));
			} else {
				input.invoice = await this.step('reading the invoice', async () => getDocument(ctx, target.type, target.id, i));
			}
		}
	}

	/** The plan's one step; undefined when the order must be planned again on a fresh listing. */
	async perform(plan: Exclude<CreditPlan, { kind: 'gather' }>): Promise<INodeExecutionData[] | undefined> {
		const { base } = this;
		switch (plan.kind) {
			case 'refuse':
				throw new NodeOperationError(this.ctx.getNode(), plan.message, { itemIndex: this.i, description: plan.description });
			case 'dryRun':
				return [{ json: { ...base, ...plan.json } }];
			case 'pending':
				return [{ json: { ...base, outcome: 'pending', pending: `${this.label}: pending: will complete on the next run`, pending_reason: plan.reason } }];
			case 'settled':
				return [{ json: { ...base, outcome: plan.outcome, note: plan.note, ...(plan.invoice ? { invoice_id: plan.invoice.id, invoice_status: plan.invoice.status } : {}) } }];
			case 'deleteDrafts':
				return await this.deleteDrafts(plan.drafts);
			case 'cancel':
				return await this.cancel(plan);
			case 'credit':
				return await this.creditNote(plan);
		}
	}

	private async deleteDrafts(drafts: Array<{ id: number | string; type: DocumentTypeKey }>): Promise<INodeExecutionData[] | undefined> {
		const { ctx, i, input } = this;
		try {
			for (const draft of drafts) await this.step(`deleting draft invoice ${draft.id}`, async () => transitionDraft(ctx, draft.type, draft.id, 'deleted', i));
		} catch (error) {
			if (!/could not delete .*: it is (final|settled|sent)/.test((error as Error).message)) throw asNodeError(ctx.getNode(), error, i);
			// Finalized in the meantime: it is a legal invoice now, corrected as one.
			input.listed = undefined;
			input.related = undefined;
			input.invoice = undefined;
			input.retired = undefined;
			return undefined;
		}
		return [{ json: { ...this.base, outcome: 'draft deleted', deleted_drafts: drafts.map((d) => d.id), note: 'the invoice was still a draft, without fiscal value: it was deleted. If the order is invoiced later (it is paid), correct that invoice with a credit note' } }];
	}

	private async cancel(plan: Extract<CreditPlan, { kind: 'cancel' }>): Promise<INodeExecutionData[]> {
		const { ctx, i, order, shop } = this;
		const done = await this.step(`canceling ${plan.legalNumber}`, async () => cancelFinal(ctx, plan.type, plan.invoice.id as number, plan.reason, i, plan.invoice));
		const out: IDataObject = {
			...this.base,
			outcome: done.changedHere === false ? 'already canceled' : 'canceled',
			invoice_id: plan.invoice.id,
			invoice_legal_number: plan.legalNumber,
			status: done.document.status ?? 'canceled',
			reason: plan.reason,
		};
		if (shop && this.params.writeBack) {
			const line = cancelNoteLine(plan.legalNumber, plan.invoice.id, plan.reason);
			out.written_back = await this.step(`writing the cancellation of ${plan.legalNumber} back to the ePages order (it is canceled)`, async () => shop.updateNote(ctx, order, (note) => noteWithLine(note, line), i));
		}
		return [{ json: out }];
	}

	/** This return's credit note (read when it exists, else issued), then what planAfterCredit says follows. */
	private async creditNote(plan: CreditNotePlan): Promise<INodeExecutionData[]> {
		const { ctx, i } = this;
		const result: InvoiceOrderResult =
			plan.existingId !== undefined
				? // This return was credited before (a re-run, the trigger offering it again): read it, create nothing.
					{ document: await this.step('reading the credit note', async () => getDocument(ctx, 'creditNote', plan.existingId!, i)), outcome: 'already invoiced', finalizedHere: false }
				: await this.issueCreditNote(plan);
		const after = planAfterCredit(plan, this.params, this.order, this.base, result);
		const out = after.json;
		for (const s of after.steps) {
			if (s.kind === 'email') {
				await this.step(`e-mailing ${s.legalNumber} (the credit note exists and is final)`, async () => emailDocument(ctx, 'creditNote', s.id, s.message, i));
				out.emailed = true;
				out.email_to = s.to;
			} else if (s.kind === 'writeBack') {
				out.written_back = await this.step(`writing ${s.legalNumber} back to the ePages order (the credit note exists and is final)`, async () =>
					this.shop!.updateNote(ctx, this.order, (note) => noteWithLine(note, s.line, s.bare), i),
				);
			} else {
				const pdf = await this.step('getting the PDF (the credit note exists and is final)', async () => pdfAttachment(ctx, s.id, s.fileName, { itemIndex: i }));
				out.pdf_url = pdf.url;
				return [{ json: out, binary: { data: pdf.binary } }];
			}
		}
		return [{ json: out }];
	}

	/** Issues this return's credit note: the client as the invoice's record reads now, the invoices' protocol. */
	private async issueCreditNote(plan: CreditNotePlan): Promise<InvoiceOrderResult> {
		const { ctx, i, params, order } = this;
		// The credit note names the invoice's client as its record reads now (name and code), never the order's.
		const clientId = (plan.invoice.client as IDataObject | undefined)?.id;
		if (clientId === undefined || clientId === null) {
			throw new NodeOperationError(ctx.getNode(), `${this.label}: ${plan.invoiceLegalNumber} as InvoicExpress answered it names no client id`, { itemIndex: i, description: 'Nothing was created.' });
		}
		const client = await this.step('reading the client of the invoice', async () => getClient(ctx, String(clientId), i));
		const document: IDataObject = { ...plan.document, client: { name: String(client.name), code: String(client.code ?? client.name) } };
		// Right before finalizing: the invoice not credited by another return since it was read.
		const beforeFinalize = async () => {
			const related = await getRelatedDocuments(ctx, plan.invoice.id as number, i);
			const again = planCredit({ params: { ...params, dryRun: false }, order, listed: [plan.invoice], related, invoice: plan.invoice, today: String(plan.document.date) });
			if (again.kind === 'refuse') throw new NodeOperationError(ctx.getNode(), again.message, { itemIndex: i, description: `${again.description ?? ''} Another return was credited meanwhile; the draft of this one was deleted.`.trim() });
		};
		// Create first: whether this return has its note was read from the invoice's related documents.
		return await this.step('creating the credit note', async () =>
			invoiceOnce(ctx, 'creditNote', document, { reference: plan.reference, uniqueKey: plan.uniqueKey, finalize: true, itemIndex: i, beforeFinalize }),
		);
	}
}
