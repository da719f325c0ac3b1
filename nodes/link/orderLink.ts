import type { IDataObject } from 'n8n-workflow';

/**
 * What ties an ePages order to its InvoicExpress document. Neither service knows the other: these
 * rules are the link, and every path from an order to an invoice (the one-step operation, the chain of
 * nodes, the credit notes to come) must use the same ones, or one run would not recognise the work of
 * another.
 */

/** The shop in the order's self link, so that two shops with the same order numbers get different keys. */
function shopKey(order: IDataObject): string {
	const links = Array.isArray(order.links) ? (order.links as IDataObject[]) : [];
	const self = links.find((l) => l.rel === 'self')?.href;
	const match = typeof self === 'string' ? /\/rs\/shops\/([^/]+)/.exec(self) : null;
	if (match) return match[1];
	// A Beyond shop is its host (https://myshop.beyondshop.cloud/api/orders/{id}).
	const beyond = typeof self === 'string' ? /^https?:\/\/([^/]+)\/api\/orders\//i.exec(self) : null;
	return beyond ? `beyond:${beyond[1].toLowerCase()}` : 'epages';
}

/** The document's unique key in InvoicExpress: one document of each type per order of a shop. */
export function invoiceUniqueKey(order: IDataObject, orderNumber: string, type: string): string {
	return `epages:${shopKey(order)}:${String(order.orderId ?? orderNumber)}:${type}`;
}

/** The line of the order's internal note that records the invoice (and to whom it was e-mailed). */
export function invoiceNoteLine(legalNumber: string, documentId: unknown, emailedTo?: string): string {
	return `InvoicExpress ${legalNumber} (id ${String(documentId)})${emailedTo ? ` e-mailed to ${emailedTo}` : ''}`;
}

/** An invoice line of the note: legal number, document id, and the address when it was e-mailed. */
const INVOICE_LINE = /^InvoicExpress (?!credit note )(.+?) \(id (\d+)\)(?: e-mailed to (\S+))?$/;

function invoiceLines(order: IDataObject): Array<{ legalNumber: string; id: string; emailedTo?: string }> {
	const note = typeof order.internalNote === 'string' ? order.internalNote : '';
	return note.split('\n').flatMap((line) => {
		const m = INVOICE_LINE.exec(line.trim());
		return m ? [{ legalNumber: m[1], id: m[2], emailedTo: m[3] }] : [];
	});
}

/**
 * The durable record that an invoice was e-mailed: the " e-mailed to <address>" of its line in the
 * order's note (written after the e-mail was accepted by Create From ePages Order, or before sending
 * by Email Invoice of ePages Order). The address, or undefined when the invoice is not known to be
 * e-mailed. A reader of the order in the back office sees the same line.
 */
export function emailMarkOf(order: IDataObject, documentId: unknown): string | undefined {
	return invoiceLines(order).find((l) => l.id === String(documentId) && l.emailedTo)?.emailedTo;
}

/** Whether the shop records the order as invoiced: ePages Now's invoiced date, or an invoice line in the note. */
export function invoiceMarkOf(order: IDataObject): boolean {
	const invoiced = order.invoicedOn;
	return (invoiced !== undefined && invoiced !== null && String(invoiced).trim() !== '') || invoiceLines(order).length > 0;
}

/**
 * The credit note of one return event: its reference (what the lookup finds it by, printed on the
 * note) and its unique key. Both name the invoice it corrects, so an order invoiced again after a full
 * credit gets new ones; `tag` names the event: empty for a full credit (one per invoice), the
 * merchant's return reference, or a hash of what is returned (the same return sent twice is the same
 * event; another return of other lines is another).
 */
export function creditLink(order: IDataObject, orderNumber: string, invoiceId: unknown, tag: string): { reference: string; uniqueKey: string } {
	const suffix = tag ? `:${tag}` : '';
	return {
		reference: `${orderNumber}:NC:${String(invoiceId)}${suffix}`,
		uniqueKey: `epages:${shopKey(order)}:${String(order.orderId ?? orderNumber)}:creditNote:${String(invoiceId)}${suffix}`,
	};
}

/** The line of the order's internal note that records a credit note. */
export function creditNoteLine(legalNumber: string, documentId: unknown, invoiceLegalNumber: string, emailedTo?: string): string {
	return `InvoicExpress credit note ${legalNumber} (id ${String(documentId)}) for ${invoiceLegalNumber}${emailedTo ? ` e-mailed to ${emailedTo}` : ''}`;
}

/** The line of the order's internal note that records a cancellation, with its reason. */
export function cancelNoteLine(invoiceLegalNumber: string, documentId: unknown, reason: string): string {
	return `InvoicExpress ${invoiceLegalNumber} (id ${String(documentId)}) canceled: ${reason}`;
}
