import type { IDataObject } from 'n8n-workflow';

import type { ApiContext } from '../shared/http';

/**
 * A shop platform as the link (nodes/link/) sees it. The link turns orders into documents and writes
 * what it did back to the order; it never knows which platform the order came from. Each platform is
 * one folder under nodes/services/ that implements this interface and gives its orders in the
 * package's one order shape (nodes/shared/order.ts); nodes/services/shops.ts registers it.
 *
 * Every method that writes is safe to repeat: it reads what is there first (or is told what was read)
 * and reports `already written` instead of writing the same thing twice.
 */
export interface Shop {
	/** The value of the nodes' Platform parameter (`now`, `beyond`): a public name, never renamed. */
	readonly platform: string;
	/** The platform as the editor names it ("ePages Now"). */
	readonly displayName: string;
	/** The n8n credential type the platform's requests authenticate with. */
	readonly credential: string;
	/** Whether an order in the package's shape came from this platform (an adapter marks its orders). */
	owns(order: IDataObject): boolean;
	/** The order with its line items: the item itself when it has them, else read from the shop. */
	fullOrder(ctx: ApiContext, order: IDataObject, itemIndex?: number): Promise<IDataObject>;
	/** The order as the shop has it now (a note written since the item was read included). */
	readOrder(ctx: ApiContext, order: IDataObject, itemIndex?: number): Promise<IDataObject>;
	/**
	 * The orders created in [from, to) (ISO 8601 instants), page by page in the package's shape (list
	 * items, which may lack line items), each page handed to `onPage` before the next is read, so that
	 * a month of orders is never held in memory as such. Returns the number of requests made.
	 */
	listOrders(ctx: ApiContext, period: { from: string; to: string }, onPage: (orders: IDataObject[]) => Promise<void> | void, itemIndex?: number): Promise<number>;
	/**
	 * The same orders as the shop's list gives them, NOT in the package's shape (raw list items), page
	 * by page: for a reader that must see every item, one the package's shape cannot read included
	 * (the month-end reconciliation reports such an item instead of stopping; its readers, one per
	 * platform, are in link/reconcile/records.ts). Returns the number of requests made.
	 */
	listOrderItems(ctx: ApiContext, period: { from: string; to: string }, onPage: (items: IDataObject[]) => Promise<void> | void, itemIndex?: number): Promise<number>;
	/**
	 * The raw list items of the orders with these numbers, created before `before` (ISO 8601): through
	 * the list's filter by order number where the platform has one, else by reading the orders of the
	 * year before `before` back, month by month, until every number is found. A number without an item
	 * is not an order created in `searched` (`'all'`: not an order of the shop).
	 */
	findOrderItems(ctx: ApiContext, orderNumbers: string[], before: string, itemIndex?: number): Promise<OrderItemsFound>;
	/**
	 * Records an issued invoice on the order: the line in its note (and the platform's own invoiced
	 * mark where it has one). `order` is the order as read for invoicing.
	 */
	writeInvoiceBack(ctx: ApiContext, order: IDataObject, noteLine: string, itemIndex?: number): Promise<'written' | 'already written'>;
	/**
	 * Changes the order's note: reads it fresh from the shop (the note is replaced as a whole, so a
	 * stale copy would drop lines written since), applies `change`, and writes the result unless
	 * `change` answers undefined (nothing to change).
	 */
	updateNote(ctx: ApiContext, order: IDataObject, change: (note: string) => string | undefined, itemIndex?: number): Promise<'written' | 'already written'>;
	/**
	 * When the order was paid (ISO 8601), for a platform whose orders say that they are paid but not
	 * when (their status dates are not the times the statuses were set: ePages Beyond). Read only for a
	 * paid order; a shop that cannot tell fails naming the order, never guesses. Absent where the order
	 * carries its paid date itself (ePages Now's `paidOn`).
	 */
	paidDate?(ctx: ApiContext, order: IDataObject, itemIndex?: number): Promise<string>;
}

/** What {@link Shop.findOrderItems} found, what it cost, and where it looked. */
export interface OrderItemsFound {
	items: IDataObject[];
	requests: number;
	searched: { from: string; to: string } | 'all';
}

/** The note of an order in the package's shape (ePages Now's internal note, Beyond's order note). */
export const noteOf = (order: IDataObject): string => (typeof order.internalNote === 'string' ? order.internalNote : '');

/**
 * The note with `noteLine` added, or undefined when it is there already. `bareLine`: see
 * the same record without what only one execution knows, such as " e-mailed to …") is completed
 * instead of repeated. Pure, so that every platform merges notes the same way.
 */
export function noteWithLine(note: string, noteLine: string, bareLine?: string): string | undefined {
	// A substring test, not a line test: the full line contains the bare one, so a bare line is never
	// added after the full one, and a line someone extended by hand still counts as written.
	if (note.includes(noteLine)) return undefined;
	const lines = note ? note.split('\n') : [];
	const bare = bareLine !== undefined && bareLine !== noteLine ? lines.indexOf(bareLine) : -1;
	if (bare >= 0) lines[bare] = noteLine;
	else lines.push(noteLine);
	return lines.join('\n');
}

/** The note with the line `from` replaced by `to`, or undefined when `from` is not one of its lines. */
export function noteReplacing(note: string, from: string, to: string): string | undefined {
	const lines = note.split('\n');
	const at = lines.indexOf(from);
	if (at < 0) return undefined;
	lines[at] = to;
	return lines.join('\n');
}
