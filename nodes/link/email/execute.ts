import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { noteReplacing, noteWithLine, type Shop } from '../../services/shop';
import { findOrderDocuments } from '../../services/invoicexpress/api/documents';
import { emailDocument, type EmailMessage } from '../../services/invoicexpress/api/email';
import { isAmbiguousFailure } from '../../services/invoicexpress/transport';
import { inTurn } from '../../shared/turns';
import { stepsFor, withPrefix, orderLabel, UNNUMBERED_ORDER } from '../../shared/execute';
import { orderEmail } from '../mapping/orderClient';
import { invoiceNoteLine } from '../orderLink';
import { planEmailOnce, type EmailOnceInput, type InvoiceRef } from './plan';

/**
 * E-mails the order's invoice exactly once (plan.ts decides). The durable mark, the invoice's note
 * line with " e-mailed to …", is written to the order first and the e-mail sent after it: a run that
 * finds the mark never sends, so a second press of the button, a repair run twice or two executions
 * at once send one e-mail. Those of one n8n process take turns on the order; between processes (queue
 * mode) the mark is what keeps them apart, read just before writing it.
 */
export async function emailInvoiceOnce(
	ctx: IExecuteFunctions,
	i: number,
	shop: Shop,
	order: IDataObject,
	message: Omit<EmailMessage, 'email'>,
): Promise<INodeExecutionData[]> {
	const label = orderLabel(order, UNNUMBERED_ORDER);
	const step = stepsFor(ctx, i, label);
	const base: IDataObject = { order_number: order.orderNumber ?? null, order_id: order.orderId ?? null };
	return await inTurn(`email:${shop.platform}:${String(order.orderId ?? order.orderNumber)}`, async () => {
		const input: EmailOnceInput = { label };
		let plan = planEmailOnce(input);
		while (plan.kind === 'gather') {
			if (plan.step === 'listDocuments') {
				input.listed = await step('looking up the invoice', async () => findOrderDocuments(ctx, String(order.orderNumber), i));
			} else {
				input.fresh = await step('reading the order', async () => shop.readOrder(ctx, order, i));
				input.to = orderEmail(input.fresh);
			}
			plan = planEmailOnce(input);
		}
		switch (plan.kind) {
			case 'refuse':
				throw new NodeOperationError(ctx.getNode(), plan.message, { itemIndex: i, description: plan.description });
			case 'pending':
				return [{ json: { ...base, outcome: 'pending', pending: `${label}: pending: will complete on the next run`, pending_reason: plan.reason, emailed: false } }];
			case 'already':
				return [{ json: { ...base, ...invoiceFields(plan.invoice), outcome: 'already e-mailed', email_to: plan.to, emailed: false } }];
			case 'send': {
				const sent = await markThenSend(ctx, i, shop, input.fresh!, plan.invoice, plan.to, message);
				return [{ json: { ...base, ...invoiceFields(plan.invoice), outcome: sent ? 'e-mailed' : 'already e-mailed', email_to: plan.to, emailed: sent } }];
			}
		}
	});
}

const invoiceFields = (invoice: InvoiceRef): IDataObject => ({ document_id: invoice.id, document_type: invoice.type, legal_number: invoice.legalNumber });

/**
 * The mark first, then the e-mail. Refused by InvoicExpress (it answered: nothing was sent), the mark
 * is taken back; without an answer the e-mail may have gone, so the mark stays: at most once.
 */
async function markThenSend(ctx: IExecuteFunctions, i: number, shop: Shop, order: IDataObject, invoice: InvoiceRef, to: string, message: Omit<EmailMessage, 'email'>): Promise<boolean> {
	const label = orderLabel(order, UNNUMBERED_ORDER);
	const bare = invoiceNoteLine(invoice.legalNumber, invoice.id);
	const marked = invoiceNoteLine(invoice.legalNumber, invoice.id, to);
	const step = stepsFor(ctx, i, label);
	const mark = await step(`marking ${invoice.legalNumber} e-mailed in the order (before sending it)`, async () => shop.updateNote(ctx, order, (note) => noteWithLine(note, marked, bare), i));
	// The note, read again to write the mark, has it already: another run marked it since, and sends it.
	if (mark === 'already written') return false;
	try {
		await emailDocument(ctx, invoice.type, invoice.id, { ...message, email: to }, i);
		return true;
	} catch (error) {
		if (isAmbiguousFailure(error)) {
			throw withPrefix(ctx.getNode(), error, `${label}: e-mailing ${invoice.legalNumber}: no answer, so the e-mail may have been sent; the order stays marked e-mailed so that it is never sent twice (send it again with Document → Send by Email if the customer did not get it): `, i);
		}
		await step(`taking back the e-mail mark of ${invoice.legalNumber} (InvoicExpress refused the e-mail)`, async () => shop.updateNote(ctx, order, (note) => noteReplacing(note, marked, bare), i));
		throw withPrefix(ctx.getNode(), error, `${label}: e-mailing ${invoice.legalNumber} failed (nothing was sent; the mark was taken back): `, i);
	}
}
