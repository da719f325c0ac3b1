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
	return match ? match[1] : 'epages';
}

/** The document's unique key in InvoicExpress: one document of each type per order of a shop. */
export function invoiceUniqueKey(order: IDataObject, orderNumber: string, type: string): string {
	return `epages:${shopKey(order)}:${String(order.orderId ?? orderNumber)}:${type}`;
}

/** The line of the order's internal note that records the invoice (and to whom it was e-mailed). */
export function invoiceNoteLine(legalNumber: string, documentId: unknown, emailedTo?: string): string {
	return `InvoicExpress ${legalNumber} (id ${String(documentId)})${emailedTo ? ` e-mailed to ${emailedTo}` : ''}`;
}
