import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { listDocumentsDated } from '../../services/invoicexpress/api/documents';
import type { Shop } from '../../services/shop';
import { stepsFor } from '../../shared/execute';
import { documentDateFilter, shopCreatedRange, type ReadWindows } from './period';
import type { ReconcileInput } from './plan';
import { beyondOrderRecord, documentRecord, nowOrderRecord, RecordError, type DocRecord, type OrderRecord, type Platform } from './records';

/**
 * Reading a reconciliation's two lists into records (records.ts), page by page: each page becomes
 * records and is dropped before the next is read, so memory grows with the number of orders and
 * documents (a few hundred bytes each), never with the size of the lists' answers. An item a reader
 * cannot read is kept as `unreadable` (the planner reports it), never skipped and never the end of the run.
 */

export type Unreadable = NonNullable<ReconcileInput['unreadable']>[number];

/**
 * The record reader of each platform's raw list items (Shop.listOrderItems). The readers are the
 * reconciliation's (records.ts): a Beyond list item is read with its `taxes[]`, which the package's
 * order shape drops. A platform without one cannot be reconciled: said, never guessed.
 */
export interface OrderReader {
	platform: Platform;
	read: (item: IDataObject) => OrderRecord;
}

const ORDER_READERS: Record<string, OrderReader> = {
	now: { platform: 'now', read: nowOrderRecord },
	beyond: { platform: 'beyond', read: beyondOrderRecord },
};

export function orderReader(shop: Shop): OrderReader | undefined {
	return ORDER_READERS[shop.platform];
}

/** Reads each item with `read`; a RecordError becomes an unreadable entry, anything else is a bug and thrown. */
function readAll<T>(items: IDataObject[], read: (item: IDataObject) => T, into: T[], unreadable: Unreadable[]): void {
	for (const item of items) {
		const got = attempt(() => read(item));
		if ('value' in got) into.push(got.value);
		else unreadable.push({ source: got.error.source, key: got.error.key, message: got.error.message, ...(got.error.orderNumber !== undefined ? { orderNumber: got.error.orderNumber } : {}) });
	}
}

/** The reader's record, or its RecordError; any other error is a bug in a reader and goes on up. */
function attempt<T>(fn: () => T): { value: T } | { error: RecordError } {
	let failure: unknown;
	try {
		return { value: fn() };
	} catch (error) {
		failure = error;
	}
	if (failure instanceof RecordError) return { error: failure };
	throw failure;
}

export interface MonthRead {
	orders: OrderRecord[];
	documents: DocRecord[];
	unreadable: Unreadable[];
	requests: { shop: number; invoicexpress: number };
}

/** The orders window from the shop and the documents window from InvoicExpress, as records. */
export async function readWindowsOf(ctx: IExecuteFunctions, i: number, shop: Shop, reader: OrderReader, windows: ReadWindows, label: string): Promise<MonthRead> {
	const step = stepsFor(ctx, i, label);
	const out: MonthRead = { orders: [], documents: [], unreadable: [], requests: { shop: 0, invoicexpress: 0 } };
	out.requests.shop = await step(`reading the orders from ${shop.displayName}`, async () =>
		shop.listOrderItems(ctx, shopCreatedRange(windows.orders), (items) => readAll(items, reader.read, out.orders, out.unreadable), i),
	);
	out.requests.invoicexpress = await step('reading the documents from InvoicExpress', async () =>
		listDocumentsDated(ctx, documentDateFilter(windows.documents), (items) => readAll(items, documentRecord, out.documents, out.unreadable), i),
	);
	return out;
}

export interface LookUp {
	lookedUp: NonNullable<ReconcileInput['lookedUp']>;
	unreadable: Unreadable[];
	requests: number;
	/** Why numbers were not checked, when the shop could not be asked. */
	warning?: string;
}

/**
 * The planner's `lookup` step: the orders with these numbers, created before the orders window. A
 * number the shop does not have (in the range it searched) is `null`, so its documents are reported
 * as without an order; when the shop cannot be asked, every number is `notChecked` (listed, not
 * reported) and the run goes on with a warning.
 */
export async function lookUpOrders(ctx: IExecuteFunctions, i: number, shop: Shop, reader: OrderReader, numbers: string[], windows: ReadWindows): Promise<LookUp> {
	const out: LookUp = { lookedUp: {}, unreadable: [], requests: 0 };
	let found;
	try {
		found = await shop.findOrderItems(ctx, numbers, shopCreatedRange(windows.orders).from, i);
	} catch (error) {
		for (const n of numbers) out.lookedUp[n] = 'notChecked';
		out.warning = `the shop could not be asked for the orders ${numbers.join(', ')} (${(error as Error).message}): their documents were not judged`;
		return out;
	}
	out.requests = found.requests;
	const records: OrderRecord[] = [];
	readAll(found.items, reader.read, records, out.unreadable);
	for (const n of numbers) out.lookedUp[n] = records.find((r) => r.number === n) ?? (out.unreadable.some((u) => u.key === n) ? 'notChecked' : null);
	return out;
}
