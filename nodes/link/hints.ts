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

/** What one run's outputs say, by kind of hint; each list names the orders in the order the run met them. */
interface RunTally {
	refused: string[];
	pending: string[];
	/** Orders whose document total differs from the order's, with the difference. */
	totals: string[];
	/** E-mails not sent, by reason; insertion order: the reasons in the order the run met them. */
	skipped: Map<string, string[]>;
	dryRun: string[];
	/** The dry run's document totals, per currency. */
	dryTotals: Map<string, number>;
	/** Credit From ePages Order: orders with no legal invoice to correct (never invoiced, canceled, credited). */
	nothing: string[];
	/** Email Invoice of ePages Order: invoices e-mailed before, so not sent again. */
	already: string[];
}

/** The hints for the outputs of one run, in a fixed order: refused, pending, totals, e-mails, dry run. */
export function orderRunHints(items: OutputItem[]): NodeExecutionHint[] {
	const run = tallyRun(items);
	const hints: NodeExecutionHint[] = [];
	const hint = (type: NodeExecutionHint['type'], message: string) => hints.push({ type, location: 'outputPane', message });
	if (run.refused.length) {
		hint('danger', `${plural(run.refused.length, 'order', 'orders')} refused: ${firstFew(run.refused)}. Their error items say why.`);
	}
	if (run.pending.length) {
		hint('warning', `${plural(run.pending.length, 'order', 'orders')} left pending, to complete on the next run: ${firstFew(run.pending)}.`);
	}
	if (run.totals.length) {
		hint(
			'warning',
			`${plural(run.totals.length, 'document total differs', 'document totals differ')} from the order total (difference): ${firstFew(run.totals)}.`,
		);
	}
	if (run.skipped.size) {
		const count = [...run.skipped.values()].reduce((n, orders) => n + orders.length, 0);
		const reasons = [...run.skipped.entries()].map(([reason, orders]) => `${orders.length} because ${reason}: ${firstFew(orders)}.`);
		hint('warning', `${plural(count, 'e-mail', 'e-mails')} not sent. ${reasons.join(' ')}`);
	}
	if (run.already.length) {
		hint('info', `${plural(run.already.length, 'invoice was', 'invoices were')} e-mailed before, so not sent again: ${firstFew(run.already)}. To send one again, use Document → Send by Email.`);
	}
	if (run.nothing.length) {
		hint('info', `${plural(run.nothing.length, 'order has', 'orders have')} no legal invoice to correct, so nothing was issued: ${firstFew(run.nothing)}. Their items say why.`);
	}
	if (run.dryRun.length) {
		const amount = [...run.dryTotals.entries()].map(([currency, total]) => `${money(total)} ${currency}`).join(' + ');
		hint(
			'info',
			`Dry run: ${plural(run.dryRun.length, 'order', 'orders')} (${firstFew(run.dryRun)})${amount ? `, total ${amount}` : ''}. Nothing was created or sent.`,
		);
	}
	return hints;
}

/** Sorts the run's output items into the kinds of hint; an error item counts only as refused. */
function tallyRun(items: OutputItem[]): RunTally {
	const run: RunTally = { refused: [], pending: [], totals: [], skipped: new Map(), dryRun: [], dryTotals: new Map(), nothing: [], already: [] };
	items.forEach((item, position) => {
		const json = item.json;
		const order = orderOf(item, position);
		if (isErrorItem(json)) {
			run.refused.push(order);
			return;
		}
		if (json.outcome === 'pending') run.pending.push(order);
		if (json.outcome === 'not invoiced' || json.outcome === 'nothing to credit') run.nothing.push(order);
		if (json.outcome === 'already e-mailed') run.already.push(order);
		const check = json.totals_check as IDataObject | undefined;
		if (check && check.matches === false) run.totals.push(`${order} (${String(check.difference)})`);
		if (typeof json.email_skipped === 'string') {
			const reason = json.email_skipped;
			run.skipped.set(reason, [...(run.skipped.get(reason) ?? []), order]);
		}
		if (json.outcome === 'dry run') {
			run.dryRun.push(order);
			const total = typeof check?.document_total === 'number' ? check.document_total : undefined;
			if (total !== undefined) {
				const currency = text(json.currency) ?? 'EUR';
				run.dryTotals.set(currency, (run.dryTotals.get(currency) ?? 0) + total);
			}
		}
	});
	return run;
}
