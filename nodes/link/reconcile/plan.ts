import { belongsToOrder, creditWithoutReturnFindings, isMatchable, orphanFindings, unknownTypeFindings } from './documentChecks';
import { DEFAULT_OPTIONS, docRef, FINDING_KINDS, group, type Finding, type FindingDocument, type Judge, type ReconcileOptions, type RepairAction } from './findings';
import { orderFindings } from './orderChecks';
import { inRange, lisbonDay, type Period, type ReadWindows } from './period';
import type { DocRecord, OrderRecord, Platform } from './records';
import { summarize, type Summary } from './summary';

/**
 * Month-end reconciliation (issue 23), decided without I/O: the shop's orders and InvoicExpress's
 * documents in, as compact records (records.ts) built page by page from the two lists; the findings,
 * the summary and the repair plan out. The executor reads the windows `readWindows` names (period.ts),
 * calls {@link planReconciliation}, answers a `lookup` step if there is one, calls again, then reports
 * and (only when asked) runs the repair plan. The planner judges:
 * - the orders created in the period, each against every document whose reference names it;
 * - the documents dated in the period whose reference names no order read, once the shop was asked
 *   for those order numbers (the `lookup` step): an order older than the window is found that way and
 *   answers for its documents, so a document is never reported "without an order" for its order's age.
 * Orders of the margin before the period, and documents dated after it, only answer for the others.
 */

export interface ReconcileInput {
	period: Period;
	/** What the executor read (period.ts readWindows). */
	windows: ReadWindows;
	/** The run's instant, ISO 8601: what is too recent to judge, and today (Lisbon). */
	now: string;
	shop: { platform: Platform; name: string };
	/** Every order read in the orders window (duplicates from shifting pages are fine). */
	orders: OrderRecord[];
	/** Every document read in the documents window. */
	documents: DocRecord[];
	/**
	 * List items the readers refused (records.ts RecordError, as it is): reported, never skipped
	 * silently. The order an item names (a shop item's key, a document's `orderNumber`) is not judged:
	 * without that item its documents would be judged incomplete.
	 */
	unreadable?: Array<{ source: 'shop' | 'invoicexpress'; key: string; message: string; orderNumber?: string }>;
	/**
	 * The answer to a `lookup` step, by order number: the order (found outside the window), null (the
	 * shop has no such order), or 'notChecked' (the executor could not ask; listed, not reported).
	 */
	lookedUp?: Record<string, OrderRecord | null | 'notChecked'>;
	options?: Partial<ReconcileOptions>;
}

export interface RepairPlan {
	invoice: Array<Extract<RepairAction, { kind: 'invoice' }>>;
	email: Array<Extract<RepairAction, { kind: 'email' }>>;
	deleteDrafts: Array<Extract<RepairAction, { kind: 'deleteDraft' }>>;
	/** Orders with an `email` action are not here: its note line (with the mark) is their write-back. */
	writeBack: Array<Extract<RepairAction, { kind: 'writeBack' }>>;
}

export interface ReconcileResult {
	period: Period;
	windows: ReadWindows;
	shop: { platform: Platform; name: string };
	generatedAt: string;
	/** Sorted: by kind (FINDING_KINDS order), then order number. */
	findings: Finding[];
	summary: Summary;
	repairs: RepairPlan;
	/** Documents of the period whose order the executor could not look up: not judged. */
	unresolved: Array<{ orderNumber: string; documents: FindingDocument[] }>;
}

export type ReconcilePlan = { kind: 'lookup'; orderNumbers: string[] } | { kind: 'result'; result: ReconcileResult };

const numeric = new Intl.Collator('en', { numeric: true });

function sortFindings(findings: Finding[]): Finding[] {
	const rank = (f: Finding) => FINDING_KINDS.indexOf(f.kind);
	return findings.sort((a, b) => rank(a) - rank(b) || numeric.compare(a.orderNumber, b.orderNumber) || numeric.compare(a.documents[0]?.id ?? '', b.documents[0]?.id ?? ''));
}

/** The last record of each id (a page that shifted while reading lists one twice). */
function latestById<T extends { id: string }>(records: T[]): T[] {
	return [...new Map(records.map((r) => [r.id, r])).values()];
}

/** Orders by number; two orders sharing a number cannot be matched to documents: reported, left out. */
function indexOrders(orders: OrderRecord[]): { byNumber: Map<string, OrderRecord>; clashes: Finding[] } {
	const byNumber = new Map<string, OrderRecord>();
	const clashing = new Map<string, OrderRecord[]>();
	for (const o of latestById(orders)) {
		const seen = byNumber.get(o.number);
		if (seen) clashing.set(o.number, [...(clashing.get(o.number) ?? [seen]), o]);
		else byNumber.set(o.number, o);
	}
	const clashes = [...clashing.entries()].map(([number, list]): Finding => {
		byNumber.delete(number);
		const message = `${list.length} orders of the shop have the number ${number} (ids ${list.map((o) => o.id).join(', ')}): their documents cannot be told apart, nothing was checked for them. Check the shop's order numbers.`;
		return { kind: 'unreadable', orderNumber: number, documents: [], currency: list[0].currency, message, repairable: false, repairs: [] };
	});
	return { byNumber, clashes };
}

/** The order an unreadable item names, if any. */
const unreadableOrder = (u: NonNullable<ReconcileInput['unreadable']>[number]): string | undefined => (u.source === 'shop' ? u.key || undefined : u.orderNumber);

function unreadableFindings(items: NonNullable<ReconcileInput['unreadable']>): Finding[] {
	return items.map((u) => ({
		kind: 'unreadable',
		orderNumber: unreadableOrder(u) ?? '',
		documents: [],
		currency: '',
		message: `${u.source === 'shop' ? 'The shop' : 'InvoicExpress'} listed an item the package cannot read: ${u.message}. It was not checked; check it by hand.`,
		repairable: false,
		repairs: [],
	}));
}

function judgeOf(input: ReconcileInput): Judge {
	const { period, windows } = input;
	if (windows.orders.from > period.from || windows.documents.from > period.from) throw new Error('the read windows must start on or before the period');
	const nowMs = Date.parse(input.now);
	const today = lisbonDay(input.now);
	if (!Number.isFinite(nowMs) || !today) throw new Error(`"${input.now}" is not an instant`);
	return { period, windows, nowMs, today, options: { ...DEFAULT_OPTIONS, ...input.options }, skipped: { tooRecent: [], afterWindow: [] } };
}

/**
 * A document's currency when the list gave only a name the reader could not turn into a code ("US
 * Dollar"): its order's. The package issues an order's documents in the order's currency
 * (mapping/orderToDocument.ts `currencyCode`), and a name is not worth a false "different currency".
 */
function inOrderCurrency(doc: DocRecord, order: OrderRecord): DocRecord {
	return /^[A-Z]{3}$/.test(doc.currency) ? doc : { ...doc, currency: order.currency };
}

export function planReconciliation(input: ReconcileInput): ReconcilePlan {
	const judge = judgeOf(input);
	const { byNumber, clashes } = indexOrders(input.orders);
	// Orders not judged: sharing a number, or named by an item that could not be read.
	const unjudged = new Set([...clashes.map((c) => c.orderNumber), ...(input.unreadable ?? []).map(unreadableOrder).filter((n): n is string => !!n)]);
	const lookedUp = input.lookedUp ?? {};
	for (const [number, found] of Object.entries(lookedUp)) if (found && typeof found === 'object' && !byNumber.has(number)) byNumber.set(number, found);
	const documents = latestById(input.documents);
	// Canceled documents too: a canceled invoice is what "canceled, not invoiced again" is about.
	const ofOrders = documents.filter(belongsToOrder);
	const periodDocs = documents.filter((d) => inRange(d.day, input.period));
	const unmatched = periodDocs.filter((d) => isMatchable(d) && !byNumber.has(d.orderNumber as string) && !unjudged.has(d.orderNumber as string));
	const toLookUp = [...new Set(unmatched.map((d) => d.orderNumber as string))].filter((n) => !(n in lookedUp));
	if (toLookUp.length > 0) return { kind: 'lookup', orderNumbers: toLookUp.sort(numeric.compare) };

	const docsByOrder = group(
		ofOrders.filter((d) => byNumber.has(d.orderNumber as string)).map((d) => inOrderCurrency(d, byNumber.get(d.orderNumber as string) as OrderRecord)),
		(d) => d.orderNumber as string,
	);
	const periodOrders = [...byNumber.values()].filter((o) => inRange(o.createdDay, input.period) && !unjudged.has(o.number));
	const findings = sortFindings([
		...periodOrders.flatMap((o) => orderFindings(o, docsByOrder.get(o.number) ?? [], judge)),
		...orphanFindings(unmatched.filter((d) => lookedUp[d.orderNumber as string] === null)),
		...creditWithoutReturnFindings(periodDocs, byNumber),
		...unknownTypeFindings(periodDocs, byNumber),
		...clashes,
		...unreadableFindings(input.unreadable ?? []),
	]);
	const notChecked = unmatched.filter((d) => lookedUp[d.orderNumber as string] === 'notChecked');
	const summary = summarize({ period: input.period, orders: periodOrders, docsByOrder, periodDocs, ordersRead: input.orders.length, documentsRead: input.documents.length, findings, judge });
	return {
		kind: 'result',
		result: {
			period: input.period,
			windows: input.windows,
			shop: input.shop,
			generatedAt: input.now,
			findings,
			summary,
			repairs: repairPlan(findings),
			unresolved: [...new Set(notChecked.map((d) => d.orderNumber as string))].map((n) => ({ orderNumber: n, documents: notChecked.filter((d) => d.orderNumber === n).map(docRef) })),
		},
	};
}

/** The repairs the findings carry, in their order; an order's e-mail repair also writes it back. */
export function repairPlan(findings: Finding[]): RepairPlan {
	const actions = findings.flatMap((f) => f.repairs);
	const emailed = new Set(actions.filter((a) => a.kind === 'email').map((a) => a.orderNumber));
	return {
		invoice: actions.filter((a): a is RepairPlan['invoice'][number] => a.kind === 'invoice'),
		email: actions.filter((a): a is RepairPlan['email'][number] => a.kind === 'email'),
		deleteDrafts: actions.filter((a): a is RepairPlan['deleteDrafts'][number] => a.kind === 'deleteDraft'),
		writeBack: actions.filter((a): a is RepairPlan['writeBack'][number] => a.kind === 'writeBack' && !emailed.has(a.orderNumber)),
	};
}
