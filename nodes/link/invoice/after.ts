import type { IDataObject } from 'n8n-workflow';

import type { EmailMessage } from '../../services/invoicexpress/api/email';
import type { InvoiceOrderResult } from '../../services/invoicexpress/api/invoiceOrder';
import { pdfFileName, summarizeDocument } from '../../services/invoicexpress/helpers/document';
import { DOCUMENT_TYPES } from '../../services/invoicexpress/helpers/documentTypes';
import { emailAfterIssue } from '../email/plan';
import { invoiceNoteLine } from '../orderLink';
import type { InvoicePlan, InvoiceStep, OrderToInvoiceParams } from './plan';

/**
 * What follows an order's invoice, decided without I/O from how the invoice ended: the output, and
 * the e-mail, write-back and PDF steps the plan asked for that the outcome allows.
 */

export type AfterStep =
	| { kind: 'email'; to: string; id: number; message: EmailMessage; legalNumber: string }
	| { kind: 'writeBack'; legalNumber: string; noteLine: string }
	| { kind: 'pdf'; id: number; fileName: string };

export interface AfterInvoice {
	/** The output so far; the executor adds what its steps report (emailed, written_back, pdf_url). */
	json: IDataObject;
	steps: AfterStep[];
}

/**
 * What follows the invoice, given how it ended. `clientCreated`: from the client step, null without one.
 */
export function planAfterInvoice(plan: InvoicePlan, params: OrderToInvoiceParams, result: InvoiceOrderResult, clientCreated: boolean | null): AfterInvoice {
	if (result.outcome === 'pending') return { json: pendingOutput(plan, result), steps: [] };
	const json = invoicedOutput(plan, result, clientCreated);
	return { json, steps: stepsAfter(plan, params, result, json) };
}

/** Not an error: nothing legal was issued, and the next run completes the order on the same draft. */
function pendingOutput(plan: InvoicePlan, result: InvoiceOrderResult): IDataObject {
	const doc = result.document;
	return {
		...plan.base,
		outcome: 'pending',
		pending: `${plan.label}: pending: will complete on the next run`,
		pending_reason: result.pendingReason ?? null,
		document_id: doc.id ?? null,
		status: doc.status ?? null,
		legal_number: null,
		emailed: false,
	};
}

/** The output of an order with its invoice (created now, resumed, or made before). */
function invoicedOutput(plan: InvoicePlan, result: InvoiceOrderResult, clientCreated: boolean | null): IDataObject {
	const { mapped, base } = plan;
	const doc = result.document;
	const check = mapped.totalsCheck;
	const json: IDataObject = {
		...base,
		outcome: result.outcome,
		client_id: ((doc.client as IDataObject | undefined)?.id as number | undefined) ?? null,
		client_name: ((doc.client as IDataObject | undefined)?.name as string | undefined) ?? mapped.client.name,
		client_created: clientCreated,
		document_id: doc.id,
		status: doc.status,
		legal_number: summarizeDocument(doc, DOCUMENT_TYPES[result.documentType ?? plan.type].prefix).legal_number as string | null,
		inverted_sequence_number: doc.inverted_sequence_number ?? null,
		atcud: doc.atcud ?? null,
		permalink: doc.permalink ?? null,
		date: doc.date,
		due_date: doc.due_date,
		total: doc.total,
		before_taxes: doc.before_taxes,
		taxes: doc.taxes,
		currency: doc.currency ?? mapped.currency,
		emailed: false,
		finalized_here: result.finalizedHere,
	};
	if (result.documentType) {
		// The order was invoiced before with another type (the type was changed since): that is its invoice.
		json.document_type = result.documentType;
		json.warnings = [...((json.warnings as string[] | undefined) ?? []), `already invoiced as ${DOCUMENT_TYPES[result.documentType].label.toLowerCase()}: no ${DOCUMENT_TYPES[plan.type].label.toLowerCase()} was created`];
	}
	if (typeof doc.total === 'number') {
		const difference = Math.round((doc.total - check.order_total) * 100) / 100;
		json.totals_check = { ...(check as unknown as IDataObject), document_total: doc.total, difference, matches: difference === 0 };
	}
	return json;
}

/** The steps the plan asked for that the invoice allows: each needs a final document. Notes why an e-mail is skipped on `json`. */
function stepsAfter(plan: InvoicePlan, params: OrderToInvoiceParams, result: InvoiceOrderResult, json: IDataObject): AfterStep[] {
	const doc = result.document;
	const isFinal = doc.status !== 'draft';
	const legal = String(json.legal_number ?? doc.id);
	const wants = (kind: InvoiceStep['kind']) => plan.steps.some((s) => s.kind === kind);
	const steps: AfterStep[] = [];
	let emailTo: string | undefined;
	// When an issued document is e-mailed: email/plan.ts (only by the execution that made it legal).
	if (wants('email')) {
		const email = emailAfterIssue({ isFinal, finalizedHere: result.finalizedHere, to: plan.mapped.clientEmail });
		if (!email.send) {
			json.email_skipped = email.skipped;
		} else {
			emailTo = email.to;
			const o = params.options;
			steps.push({
				kind: 'email',
				to: emailTo,
				id: doc.id as number,
				legalNumber: String(json.legal_number),
				message: { email: emailTo, subject: o.emailSubject || undefined, body: o.emailBody || undefined, bcc: o.emailBcc || undefined, logo: true },
			});
		}
	}
	// The note names the address only once the e-mail went out: a failed e-mail stops the steps before it.
	if (wants('writeBack') && isFinal) steps.push({ kind: 'writeBack', legalNumber: legal, noteLine: invoiceNoteLine(legal, doc.id, emailTo) });
	if (wants('pdf') && isFinal) {
		steps.push({ kind: 'pdf', id: doc.id as number, fileName: pdfFileName('invoice', doc) });
	}
	return steps;
}
