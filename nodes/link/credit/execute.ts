import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getClient } from '../../services/invoicexpress/api/clients';
import { findOrderDocuments, getDocument, getRelatedDocuments } from '../../services/invoicexpress/api/documents';
import { cancelFinal, transitionDraft } from '../../services/invoicexpress/api/state';
import { emailDocument } from '../../services/invoicexpress/api/email';
import { pdfAttachment } from '../../services/invoicexpress/api/pdf';
import { invoiceOnce, retiredInvoices, type InvoiceOrderResult } from '../../services/invoicexpress/api/invoiceOrder';
import { pdfFileName, summarizeDocument } from '../../services/invoicexpress/helpers/document';
import { todayIx } from '../../services/invoicexpress/helpers/dates';
import { orderEmail } from '../mapping/orderToDocument';
import { asNodeError, stepsFor, type Step } from '../../shared/execute';
import { legalNumberOf, planCredit, type CreditInput, type CreditNotePlan, type CreditParams } from './plan';
import { cancelNoteLine, creditNoteLine } from '../orderLink';
import { labelOf } from '../invoice/plan';
import { chooseShop } from '../shops';
import { emailAfterIssue } from '../email/plan';
import { noteWithLine, type Shop } from '../../services/shop';

/**
 * Runs the correction plan of one order (creditPlan.ts decides): reads what the plan asks for, then
 * deletes a draft invoice, cancels the invoice, or issues the credit note by the invoices' own
 * exactly-once protocol, and e-mails, writes back and attaches the PDF as the invoice path does.
 */
export async function orderToCredit(ctx: IExecuteFunctions, i: number, params: CreditParams, order: IDataObject): Promise<INodeExecutionData[]> {
	const label = labelOf(order);
	const step = stepsFor(ctx, i, label);
	const chosen = chooseShop(params.connectEPages, params.platform, order, label);
	if (!chosen.ok) throw new NodeOperationError(ctx.getNode(), chosen.message, { itemIndex: i, description: chosen.description });
	const shop = chosen.shop;
	const input: CreditInput = { params, order, today: todayIx(), now: Date.now() };
	const base: IDataObject = { order_number: order.orderNumber ?? null, order_id: order.orderId ?? null, correction: params.correction };

	// A draft invoice may become final between the listing and its deletion (the invoicing run
	// finishing): the order is then planned again on a fresh listing, at most twice.
	for (let round = 0; round < 3; round++) {
		let plan = planCredit(input);
		while (plan.kind === 'gather') {
			if (plan.step === 'listDocuments') {
				input.listed = await step('looking up the invoice', async () => findOrderDocuments(ctx, String(order.orderNumber), i, { includeCanceled: true }));
			} else if (plan.step === 'findRetired') {
				input.retired = await step('looking for invoices credited in full', async () => retiredInvoices(ctx, String(order.orderNumber), i));
			} else if (plan.invoice) {
				const target = plan.invoice;
				if (plan.step === 'readRelated') {
					input.related = await step('reading the credit notes of the invoice', async () => getRelatedDocuments(ctx, target.id, i));
				} else {
					input.invoice = await step('reading the invoice', async () => getDocument(ctx, target.type, target.id, i));
				}
			}
			plan = planCredit(input);
		}
		switch (plan.kind) {
			case 'refuse':
				throw new NodeOperationError(ctx.getNode(), plan.message, { itemIndex: i, description: plan.description });
			case 'dryRun':
				return [{ json: { ...base, ...plan.json } }];
			case 'pending':
				return [{ json: { ...base, outcome: 'pending', pending: `${label}: pending: will complete on the next run`, pending_reason: plan.reason } }];
			case 'settled':
				return [
					{
						json: {
							...base,
							outcome: plan.outcome,
							note: plan.note,
							...(plan.invoice ? { invoice_id: plan.invoice.id, invoice_status: plan.invoice.status } : {}),
						},
					},
				];
			case 'deleteDrafts': {
				try {
					for (const draft of plan.drafts) await step(`deleting draft invoice ${draft.id}`, async () => transitionDraft(ctx, draft.type, draft.id, 'deleted', i));
				} catch (error) {
					if (!/could not delete .*: it is (final|settled|sent)/.test((error as Error).message)) throw asNodeError(ctx.getNode(), error, i);
					// Finalized in the meantime: it is a legal invoice now, corrected as one.
					input.listed = undefined;
					input.related = undefined;
					input.invoice = undefined;
					input.retired = undefined;
					continue;
				}
				return [{ json: { ...base, outcome: 'draft deleted', deleted_drafts: plan.drafts.map((d) => d.id), note: 'the invoice was still a draft, without fiscal value: it was deleted. If the order is invoiced later (it is paid), correct that invoice with a credit note' } }];
			}
			case 'cancel': {
				const done = await step(`canceling ${plan.legalNumber}`, async () => cancelFinal(ctx, plan.type, plan.invoice.id as number, plan.reason, i, plan.invoice));
				const out: IDataObject = {
					...base,
					outcome: done.changedHere === false ? 'already canceled' : 'canceled',
					invoice_id: plan.invoice.id,
					invoice_legal_number: plan.legalNumber,
					status: done.document.status ?? 'canceled',
					reason: plan.reason,
				};
				if (shop && params.writeBack) {
					const line = cancelNoteLine(plan.legalNumber, plan.invoice.id, plan.reason);
					out.written_back = await step(`writing the cancellation of ${plan.legalNumber} back to the ePages order (it is canceled)`, async () => shop.updateNote(ctx, order, (note) => noteWithLine(note, line), i));
				}
				return [{ json: out }];
			}
			case 'credit':
				return await creditNote(ctx, i, params, order, plan, base, step, shop);
		}
	}
	throw new NodeOperationError(ctx.getNode(), `${label}: its draft invoice kept changing while it was being corrected`, { itemIndex: i, description: 'Nothing was credited. Run again.' });
}

/** Issues this return's credit note: the client as the invoice's record reads now, the invoices' protocol. */
async function issueCreditNote(
	ctx: IExecuteFunctions,
	i: number,
	params: CreditParams,
	order: IDataObject,
	plan: CreditNotePlan,
	step: Step,
): Promise<InvoiceOrderResult> {
	const label = labelOf(order);
	// The credit note names the invoice's client as its record reads now (name and code), never the order's.
	const clientId = (plan.invoice.client as IDataObject | undefined)?.id;
	if (clientId === undefined || clientId === null) {
		throw new NodeOperationError(ctx.getNode(), `${label}: ${plan.invoiceLegalNumber} as InvoicExpress answered it names no client id`, { itemIndex: i, description: 'Nothing was created.' });
	}
	const client = await step('reading the client of the invoice', async () => getClient(ctx, String(clientId), i));
	const document: IDataObject = { ...plan.document, client: { name: String(client.name), code: String(client.code ?? client.name) } };
	// Right before finalizing: the invoice not credited by another return since it was read.
	const beforeFinalize = async () => {
		const related = await getRelatedDocuments(ctx, plan.invoice.id as number, i);
		const again = planCredit({ params: { ...params, dryRun: false }, order, listed: [plan.invoice], related, invoice: plan.invoice, today: String(plan.document.date) });
		if (again.kind === 'refuse') throw new NodeOperationError(ctx.getNode(), again.message, { itemIndex: i, description: `${again.description ?? ''} Another return was credited meanwhile; the draft of this one was deleted.`.trim() });
	};
	// Create first: whether this return has its note was read from the invoice's related documents.
	return await step('creating the credit note', async () =>
		invoiceOnce(ctx, 'creditNote', document, { reference: plan.reference, uniqueKey: plan.uniqueKey, finalize: true, itemIndex: i, beforeFinalize }),
	);
}

async function creditNote(
	ctx: IExecuteFunctions,
	i: number,
	params: CreditParams,
	order: IDataObject,
	plan: CreditNotePlan,
	base: IDataObject,
	step: Step,
	shop: Shop | undefined,
): Promise<INodeExecutionData[]> {
	const label = labelOf(order);
	const result: InvoiceOrderResult =
		plan.existingId !== undefined
			? // This return was credited before (a re-run, the trigger offering it again): read it, create nothing.
				{ document: await step('reading the credit note', async () => getDocument(ctx, 'creditNote', plan.existingId!, i)), outcome: 'already invoiced', finalizedHere: false }
			: await issueCreditNote(ctx, i, params, order, plan, step);
	const doc = result.document;
	const common: IDataObject = {
		...base,
		invoice_id: plan.invoice.id,
		invoice_legal_number: plan.invoiceLegalNumber,
		reference: plan.reference,
		credit_total: plan.total,
		creditable_before: plan.creditable,
		earlier_credit_notes: plan.earlier as unknown as IDataObject[],
	};
	if (result.outcome === 'pending') {
		return [{ json: { ...common, outcome: 'pending', pending: `${label}: pending: will complete on the next run`, pending_reason: result.pendingReason ?? null, document_id: doc.id ?? null, emailed: false } }];
	}
	const legal = legalNumberOf(doc, 'creditNote');
	const out: IDataObject = {
		...common,
		outcome: result.outcome === 'already invoiced' ? 'already credited' : 'credited',
		document_id: doc.id,
		status: doc.status,
		legal_number: summarizeDocument(doc, 'NC').legal_number ?? null,
		atcud: doc.atcud ?? null,
		permalink: doc.permalink ?? null,
		date: doc.date,
		total: doc.total,
		currency: doc.currency,
		finalized_here: result.finalizedHere,
		emailed: false,
	};
	if (typeof doc.total === 'number' && Math.abs(doc.total - plan.total) > 0.0001) {
		out.warnings = [`the credit note's total ${doc.total} differs from the ${plan.total} computed from the invoice`];
	}
	let emailTo: string | undefined;
	if (params.sendEmail) {
		const to = orderEmail(order);
		// As for invoices (email/plan.ts): only the execution whose finalize made it legal e-mails it.
		const email = emailAfterIssue({ isFinal: doc.status !== 'draft', finalizedHere: result.finalizedHere, to });
		if (!email.send) out.email_skipped = email.skipped;
		else {
			const o = params.options;
			await step(`e-mailing ${legal} (the credit note exists and is final)`, async () =>
				emailDocument(ctx, 'creditNote', doc.id as number, { email: email.to, subject: o.emailSubject || undefined, body: o.emailBody || undefined, bcc: o.emailBcc || undefined, logo: true }, i),
			);
			emailTo = email.to;
			out.emailed = true;
			out.email_to = email.to;
		}
	}
	if (shop && params.writeBack) {
		const line = creditNoteLine(legal, doc.id, plan.invoiceLegalNumber, emailTo);
		// Another execution at once may have written the line without the e-mail: completed, not repeated.
		const bare = creditNoteLine(legal, doc.id, plan.invoiceLegalNumber);
		out.written_back = await step(`writing ${legal} back to the ePages order (the credit note exists and is final)`, async () => shop.updateNote(ctx, order, (note) => noteWithLine(note, line, bare), i));
	}
	if (params.attachPdf) {
		const pdf = await step('getting the PDF (the credit note exists and is final)', async () => pdfAttachment(ctx, doc.id as number, pdfFileName('credit-note', doc), { itemIndex: i }));
		out.pdf_url = pdf.url;
		return [{ json: out, binary: { data: pdf.binary } }];
	}
	return [{ json: out }];
}
