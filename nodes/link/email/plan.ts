import type { IDataObject } from 'n8n-workflow';

import { isFinalStatus, listedType } from '../../services/invoicexpress/api/documents';
import { summarizeDocument } from '../../services/invoicexpress/helpers/document';
import { DOCUMENT_TYPES, INVOICE_TYPES, type DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';
import { emailMarkOf, invoiceMarkOf } from '../orderLink';

/**
 * When a document is e-mailed, decided without I/O. Two rules:
 *  - right after issuing it (Create and Credit From ePages Order): only the execution whose finalize
 *    made it legal e-mails it, so it is e-mailed at most once ({@link emailAfterIssue});
 *  - later, on request (the merchant's button, a repair): once per invoice, by the durable mark in
 *    the order's note ({@link planEmailOnce}): the mark is written first, then the e-mail is sent.
 */

/** Whether an issued document is e-mailed now, to whom, or why not. */
export type AfterIssue = { send: true; to: string } | { send: false; skipped: string };

export function emailAfterIssue(facts: { isFinal: boolean; finalizedHere: boolean; to: string | undefined }): AfterIssue {
	if (!facts.isFinal) return { send: false, skipped: 'the document is a draft' };
	// Another run that finds it final (a re-run, a concurrent execution, the trigger offering the order
	// again before the write-back) cannot tell a run still e-mailing from one that stopped: it never
	// e-mails, so a document is e-mailed at most once (and after a crash between finalize and e-mail,
	// not at all: the reconciliation finds it, and Email Invoice of ePages Order sends it once).
	if (!facts.finalizedHere) return { send: false, skipped: 'finalized by an earlier or concurrent execution, which e-mails it; to send it (again), use Document → Send by Email' };
	if (!facts.to) return { send: false, skipped: 'the order has no e-mail address' };
	return { send: true, to: facts.to };
}

export interface EmailOnceInput {
	label: string;
	/** The documents the reference lookup lists for the order (alive ones). */
	listed?: IDataObject[];
	/** The order as the shop has it now. */
	fresh?: IDataObject;
	/** The order's e-mail address (of the fresh order). */
	to?: string;
}

export type EmailOncePlan =
	| { kind: 'gather'; step: 'listDocuments' | 'readOrder' }
	| { kind: 'refuse'; message: string; description: string }
	| { kind: 'pending'; reason: string }
	| { kind: 'already'; invoice: InvoiceRef; to: string }
	| { kind: 'send'; invoice: InvoiceRef; to: string };

export interface InvoiceRef {
	id: number | string;
	type: DocumentTypeKey;
	legalNumber: string;
}

/** The order's one final invoice among the listed documents, or why there is none to e-mail. */
function theInvoice(listed: IDataObject[], fresh: IDataObject | undefined, label: string): InvoiceRef | Exclude<EmailOncePlan, { kind: 'gather' | 'already' | 'send' }> {
	const invoices = listed.filter((d) => (INVOICE_TYPES as readonly string[]).includes(String(listedType(d))));
	const final = invoices.filter((d) => isFinalStatus(d.status));
	if (final.length > 1) {
		return {
			kind: 'refuse',
			message: `${label}: ${final.length} final invoices have the order's reference (ids ${final.map((d) => String(d.id)).join(', ')})`,
			description: 'Nothing was sent. One order has one invoice: correct the extra one with a credit note, then e-mail the right one with Document → Send by Email.',
		};
	}
	if (final.length === 0) {
		// The shop says it was invoiced but the lookup lists nothing yet: the reference filter can lag.
		if (fresh && invoiceMarkOf(fresh)) return { kind: 'pending', reason: 'the order is marked invoiced, but InvoicExpress does not list its invoice yet' };
		const draft = invoices.some((d) => d.status === 'draft');
		return {
			kind: 'refuse',
			message: `${label}: ${draft ? 'its invoice is still a draft' : 'the order has no invoice'}: nothing to e-mail`,
			description: draft ? 'A draft has no fiscal value: finalize it first (Create From ePages Order resumes it).' : 'Invoice the order first (Create From ePages Order).',
		};
	}
	const doc = final[0];
	const type = listedType(doc) as DocumentTypeKey;
	const legal = summarizeDocument(doc, DOCUMENT_TYPES[type].prefix).legal_number;
	return { id: doc.id as number, type, legalNumber: String(legal ?? doc.id) };
}

/** What to do to e-mail the order's invoice exactly once. Called again with each gathered answer. */
export function planEmailOnce(input: EmailOnceInput): EmailOncePlan {
	if (!input.listed) return { kind: 'gather', step: 'listDocuments' };
	if (!input.fresh) return { kind: 'gather', step: 'readOrder' };
	const invoice = theInvoice(input.listed, input.fresh, input.label);
	if (!('id' in invoice)) return invoice;
	const marked = emailMarkOf(input.fresh, invoice.id);
	if (marked) return { kind: 'already', invoice, to: marked };
	if (!input.to) {
		return { kind: 'refuse', message: `${input.label}: the order has no e-mail address`, description: 'Nothing was sent. Add the customer\'s e-mail address to the order in the shop, or send the invoice with Document → Send by Email to an address of your choice.' };
	}
	// InvoicExpress refuses a malformed address (reference §5: 422): said before anything is written.
	if (!EMAIL.test(input.to)) {
		return { kind: 'refuse', message: `${input.label}: the order's e-mail address "${input.to}" is not a valid address`, description: 'Nothing was sent. Correct the customer\'s e-mail address in the shop, then run again.' };
	}
	return { kind: 'send', invoice, to: input.to };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
