import type { IDataObject, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';

/**
 * What a run of "Create From ePages Order" (or "Credit From ePages Order") left for the merchant to look at, as n8n execution hints
 * above the output: one hint per kind, so that a run of hundreds of orders shows a handful of lines
 * instead of hiding a pending order or a skipped e-mail among the items. Pure: the node's outputs in,
 * the hints out; the node reports them once per run (see InvoicExpress.node.ts).
 */

/** How many order numbers a hint names before "…": enough to find them, short enough to read. */
export const HINT_ORDERS_SHOWN = 5;

type OutputItem = Pick<INodeExecutionData, 'json' | 'pairedItem'>;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The first few names, then "…" when there are more. */
export function firstFew(names: string[]): string {
	const shown = names.slice(0, HINT_ORDERS_SHOWN).join(', ');
	return names.length > HINT_ORDERS_SHOWN ? `${shown}, …` : shown;
}

const money = (amount: number) => (Math.round(amount * 100) / 100).toFixed(2);

const text = (value: unknown): string | undefined =>
	(typeof value === 'string' || typeof value === 'number') && String(value).trim() !== '' ? String(value).trim() : undefined;

function itemIndexOf(item: OutputItem, position: number): number {
	const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
	if (typeof paired === 'number') return paired;
	return paired?.item ?? position;
}

/**
 * The order an item is about. An error item carries only its message, which the shared item loop
 * begins with "order <number>: " (or "reference <reference>: ") whenever the input names one; else the
 * input item's index, the way n8n's own error messages count items.
 */
function orderOf(item: OutputItem, position: number): string {
	const json = item.json;
	const number = text(json.order_number) ?? text(json.orderNumber);
	if (number) return number;
	const labelled = typeof json.error === 'string' ? /^(?:order|reference) ([^:]+): /.exec(json.error) : null;
	if (labelled) return labelled[1];
	return `item ${itemIndexOf(item, position)}`;
}

/** An error item of the shared item loop ("Continue On Fail" or the error output): it has no outcome. */
const isErrorItem = (json: IDataObject) => json.outcome === undefined && typeof json.error === 'string';

/** The hints for the outputs of one run, in a fixed order: refused, pending, totals, e-mails, dry run. */
export function orderRunHints(items: OutputItem[]): NodeExecutionHint[] {
	const refused: string[] = [];
	const pending: string[] = [];
	const totals: string[] = [];
	// Insertion order: the reasons in the order the run met them.
	const skipped = new Map<string, string[]>();
	const dryRun: string[] = [];
	// Credit From ePages Order: orders with no legal invoice to correct (never invoiced, canceled, credited).
	const nothing: string[] = [];
	const dryTotals = new Map<string, number>();
	// Email Invoice of ePages Order: invoices e-mailed before, so not sent again.
	const already: string[] = [];

	items.forEach((item, position) => {
		const json = item.json;
		const order = orderOf(item, position);
		if (isErrorItem(json)) {
			refused.push(order);
			return;
		}
		if (json.outcome === 'pending') pending.push(order);
		if (json.outcome === 'not invoiced' || json.outcome === 'nothing to credit') nothing.push(order);
		if (json.outcome === 'already e-mailed') already.push(order);
		const check = json.totals_check as IDataObject | undefined;
		if (check && check.matches === false) totals.push(`${order} (${String(check.difference)})`);
		if (typeof json.email_skipped === 'string') {
			const reason = json.email_skipped;
			skipped.set(reason, [...(skipped.get(reason) ?? []), order]);
		}
		if (json.outcome === 'dry run') {
			dryRun.push(order);
			const total = typeof check?.document_total === 'number' ? check.document_total : undefined;
			if (total !== undefined) {
				const currency = text(json.currency) ?? 'EUR';
				dryTotals.set(currency, (dryTotals.get(currency) ?? 0) + total);
			}
		}
	});

	const hints: NodeExecutionHint[] = [];
	const hint = (type: NodeExecutionHint['type'], message: string) => hints.push({ type, location: 'outputPane', message });
	if (refused.length) {
		hint('danger', `${plural(refused.length, 'order', 'orders')} refused: ${firstFew(refused)}. Their error items say why.`);
	}
	if (pending.length) {
		hint('warning', `${plural(pending.length, 'order', 'orders')} left pending, to complete on the next run: ${firstFew(pending)}.`);
	}
	if (totals.length) {
		hint(
			'warning',
			`${plural(totals.length, 'document total differs', 'document totals differ')} from the order total (difference): ${firstFew(totals)}.`,
		);
	}
	if (skipped.size) {
		const count = [...skipped.values()].reduce((n, orders) => n + orders.length, 0);
		const reasons = [...skipped.entries()].map(([reason, orders]) => `${orders.length} because ${reason}: ${firstFew(orders)}.`);
		hint('warning', `${plural(count, 'e-mail', 'e-mails')} not sent. ${reasons.join(' ')}`);
	}
	if (already.length) {
		hint('info', `${plural(already.length, 'invoice was', 'invoices were')} e-mailed before, so not sent again: ${firstFew(already)}. To send one again, use Document → Send by Email.`);
	}
	if (nothing.length) {
		hint('info', `${plural(nothing.length, 'order has', 'orders have')} no legal invoice to correct, so nothing was issued: ${firstFew(nothing)}. Their items say why.`);
	}
	if (dryRun.length) {
		const amount = [...dryTotals.entries()].map(([currency, total]) => `${money(total)} ${currency}`).join(' + ');
		hint(
			'info',
			`Dry run: ${plural(dryRun.length, 'order', 'orders')} (${firstFew(dryRun)})${amount ? `, total ${amount}` : ''}. Nothing was created or sent.`,
		);
	}
	return hints;
}
