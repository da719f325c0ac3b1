import { docName, docRef, group, isFinal, names, type Finding, type FindingKind } from './findings';
import type { DocRecord, OrderRecord } from './records';

/**
 * The checks of the period's documents (dated in the period) that do not start from an order: a
 * document whose reference names no order of the shop, a credit note for an order neither returned
 * nor cancelled, a document of a type the package does not know. Pure. Documents dated after the
 * period (read only to answer for the period's orders) are the next period's to judge.
 */

function finding(kind: FindingKind, orderNumber: string, docs: DocRecord[], message: string, order?: OrderRecord): Finding {
	return {
		kind,
		orderNumber,
		...(order ? { orderId: order.id } : {}),
		documents: docs.map(docRef),
		currency: docs[0]?.currency ?? order?.currency ?? 'EUR',
		documentsCents: docs.filter((d) => d.status !== 'draft').reduce((s, d) => s + (d.type === 'creditNote' ? -d.totalCents : d.totalCents), 0),
		message,
		repairable: false,
		repairs: [],
	};
}

/** Groups documents by the order number their reference names. */
const byOrder = (docs: DocRecord[]): Map<string, DocRecord[]> => group(docs, (d) => d.orderNumber as string);

/**
 * Documents of the period whose reference names no order: created by hand or outside n8n with
 * another reference, or for an order deleted from the shop. `orphans` are only those the shop was
 * asked about (plan.ts looked them up when outside the orders window): never an order merely older.
 * Receipts (payments of invoices) and canceled documents are not sales to match.
 */
export function orphanFindings(orphans: DocRecord[]): Finding[] {
	const out: Finding[] = [];
	for (const [number, docs] of byOrder(orphans)) {
		const message = `${names(docs)} ${docs.length === 1 ? 'has' : 'have'} the reference "${docs[0].reference}", which matches no order of the shop. Check ${docs.length === 1 ? 'it' : 'them'} in InvoicExpress: made by hand or outside n8n, or for an order deleted from the shop?`;
		out.push(finding('orphanDocument', number, docs, message));
	}
	return out;
}

/** Whether a document is an order's: a sale or its correction (not a receipt) whose reference names an order. */
export const belongsToOrder = (d: DocRecord): boolean => d.type !== 'receipt' && d.orderNumber !== null;

/** Whether a document of the period needs its order found: an order's document, and not canceled. */
export const isMatchable = (d: DocRecord): boolean => belongsToOrder(d) && d.status !== 'canceled';

/**
 * Final credit notes of the period for an order the shop shows neither returned nor cancelled: a
 * refund without a return is possible, so this asks a person, never repairs.
 */
export function creditWithoutReturnFindings(docs: DocRecord[], orders: Map<string, OrderRecord>): Finding[] {
	const credits = docs.filter((d) => d.type === 'creditNote' && isFinal(d) && d.orderNumber !== null);
	const out: Finding[] = [];
	for (const [number, notes] of byOrder(credits)) {
		const order = orders.get(number);
		if (!order || order.returnedAt !== null || order.canceledAt !== null) continue;
		const message = `${names(notes)} ${notes.length === 1 ? 'corrects' : 'correct'} order ${number}, which the shop shows neither returned nor cancelled. Check the return or refund; if the goods came back, mark the order returned in the shop.`;
		out.push({ ...finding('creditWithoutReturn', number, notes, message, order), orderCents: order.totalCents });
	}
	return out;
}

/** A listed document of a type the package does not know, naming an order: it may be that order's invoice. */
export function unknownTypeFindings(docs: DocRecord[], orders: Map<string, OrderRecord>): Finding[] {
	return docs
		.filter((d) => d.type === 'other' && d.orderNumber !== null && orders.has(d.orderNumber))
		.map((d) => {
			const message = `${docName(d)} (type "${d.apiType}") names order ${String(d.orderNumber)}, and the package does not know that type. Check it in InvoicExpress: if it is the order's invoice, the package cannot see it.`;
			return finding('unreadable', d.orderNumber as string, [d], message, orders.get(d.orderNumber as string));
		});
}
