import type { IDataObject } from 'n8n-workflow';

import type { EmailMessage } from '../../services/invoicexpress/api/email';
import type { InvoiceOrderResult } from '../../services/invoicexpress/api/invoiceOrder';
import { pdfFileName, summarizeDocument } from '../../services/invoicexpress/helpers/document';
import { DOCUMENT_TYPES } from '../../services/invoicexpress/helpers/documentTypes';
import { orderEmail } from '../mapping/orderClient';
import { emailAfterIssue } from '../email/plan';
import { creditNoteLine } from '../orderLink';
import { legalNumberOf } from './invoiceOfOrder';
import type { CreditNotePlan, CreditParams } from './plan';
import { orderLabel, UNNUMBERED_ORDER } from '../../shared/execute';

/**
 * What follows a credit note, decided without I/O from how it ended, as invoice/after.ts decides it
 * for invoices: the output, and the e-mail, write-back and PDF steps the parameters ask for.
 */

export type CreditAfterStep =
	| { kind: 'email'; to: string; id: number; legalNumber: string; message: EmailMessage }
	/** `line` names the e-mail when one is sent; `bare` is the same line without it. */
	| { kind: 'writeBack'; legalNumber: string; line: string; bare: string }
	| { kind: 'pdf'; id: number; fileName: string };

export interface AfterCredit {
	/** The output so far; the executor adds what its steps report (emailed, written_back, pdf_url). */
	json: IDataObject;
	steps: CreditAfterStep[];
}

/** `base`: the output fields every outcome of the order has. */
export function planAfterCredit(plan: CreditNotePlan, params: CreditParams, order: IDataObject, base: IDataObject, result: InvoiceOrderResult): AfterCredit {
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
		return {
			json: { ...common, outcome: 'pending', pending: `${orderLabel(order, UNNUMBERED_ORDER)}: pending: will complete on the next run`, pending_reason: result.pendingReason ?? null, document_id: doc.id ?? null, emailed: false },
			steps: [],
		};
	}
	const json: IDataObject = {
		...common,
		outcome: result.outcome === 'already invoiced' ? 'already credited' : 'credited',
		document_id: doc.id,
		status: doc.status,
		legal_number: summarizeDocument(doc, DOCUMENT_TYPES.creditNote.prefix).legal_number ?? null,
		atcud: doc.atcud ?? null,
		permalink: doc.permalink ?? null,
		date: doc.date,
		total: doc.total,
		currency: doc.currency,
		finalized_here: result.finalizedHere,
		emailed: false,
	};
	if (typeof doc.total === 'number' && Math.abs(doc.total - plan.total) > 0.0001) {
		json.warnings = [`the credit note's total ${doc.total} differs from the ${plan.total} computed from the invoice`];
	}
	return { json, steps: stepsAfterCredit(plan, params, order, result, json) };
}

/** The steps the parameters ask for; notes why an e-mail is skipped on `json`. */
function stepsAfterCredit(plan: CreditNotePlan, params: CreditParams, order: IDataObject, result: InvoiceOrderResult, json: IDataObject): CreditAfterStep[] {
	const doc = result.document;
	const legal = legalNumberOf(doc, 'creditNote');
	const steps: CreditAfterStep[] = [];
	let emailTo: string | undefined;
	if (params.sendEmail) {
		// As for invoices (email/plan.ts): only the execution whose finalize made it legal e-mails it.
		const email = emailAfterIssue({ isFinal: doc.status !== 'draft', finalizedHere: result.finalizedHere, to: orderEmail(order) });
		if (!email.send) json.email_skipped = email.skipped;
		else {
			const o = params.options;
			emailTo = email.to;
			steps.push({
				kind: 'email',
				to: email.to,
				id: doc.id as number,
				legalNumber: legal,
				message: { email: email.to, subject: o.emailSubject || undefined, body: o.emailBody || undefined, bcc: o.emailBcc || undefined, logo: true },
			});
		}
	}
	// The line names the address only once the e-mail went out: a failed e-mail stops the steps before it.
	// Another execution at once may have written the line without the e-mail: completed, not repeated.
	if (params.connectEPages && params.writeBack) {
		steps.push({ kind: 'writeBack', legalNumber: legal, line: creditNoteLine(legal, doc.id, plan.invoiceLegalNumber, emailTo), bare: creditNoteLine(legal, doc.id, plan.invoiceLegalNumber) });
	}
	if (params.attachPdf) steps.push({ kind: 'pdf', id: doc.id as number, fileName: pdfFileName('credit-note', doc) });
	return steps;
}
