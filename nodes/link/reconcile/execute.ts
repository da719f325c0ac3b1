import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { shopFor } from '../../services/shops';
import type { ReconcileOptions } from './findings';
import { lisbonDay, periodLabel, readWindows, type Period } from './period';
import { planReconciliation, type ReconcileInput, type ReconcilePlan, type ReconcileResult } from './plan';
import { lookUpOrders, orderReader, readWindowsOf } from './read';
import { runRepairs, type RepairOutcome, type RepairSetup } from './repair';

/**
 * Month-end reconciliation (issue 23), the executor: reads the shop's orders and InvoicExpress's
 * documents of the windows the period needs (read.ts, page by page into records), answers the
 * planner's lookup step, plans (plan.ts: every decision), and only when asked runs the repairs
 * (repair.ts). Everything else is reported, never changed.
 */

export interface ReconcileParams {
	period: Period;
	/** The Platform parameter's value (services/shops.ts). */
	platform: string;
	/** How the report names the shop. */
	shopName?: string;
	options: Partial<ReconcileOptions>;
	/** Absent: report only. */
	repair?: Omit<RepairSetup, 'shop' | 'platform'>;
}

export interface ReconcileRun {
	result: ReconcileResult;
	repairs: RepairOutcome[];
	/** Requests made to read (lists and lookups), per service; the repairs' own are not counted here. */
	requests: { shop: number; invoicexpress: number };
	warnings: string[];
}

/** The planner asks once for the numbers of the period's documents it cannot place; a second ask is a bug. */
const LOOKUP_ROUNDS = 2;

export async function reconcileOrders(ctx: IExecuteFunctions, i: number, params: ReconcileParams): Promise<ReconcileRun> {
	const label = `reconciliation ${periodLabel(params.period)}`;
	const shop = shopFor(params.platform);
	const reader = shop && orderReader(shop);
	if (!shop || !reader) {
		throw new NodeOperationError(ctx.getNode(), `${label}: "${String(params.platform)}" is not a shop platform the reconciliation reads`, { itemIndex: i, description: 'Set "Platform" to ePages Now or ePages Beyond.' });
	}
	const now = new Date().toISOString();
	const windows = readWindows(params.period, lisbonDay(now) as string);
	const read = await readWindowsOf(ctx, i, shop, reader, windows, label);
	const input: ReconcileInput = {
		period: params.period,
		windows,
		now,
		shop: { platform: reader.platform, name: params.shopName || `${shop.displayName} shop` },
		orders: read.orders,
		documents: read.documents,
		unreadable: read.unreadable,
		options: params.options,
	};
	const warnings: string[] = [];
	let plan: ReconcilePlan = planReconciliation(input);
	for (let round = 0; plan.kind === 'lookup' && round < LOOKUP_ROUNDS; round++) {
		const found = await lookUpOrders(ctx, i, shop, reader, plan.orderNumbers, windows);
		input.lookedUp = { ...input.lookedUp, ...found.lookedUp };
		input.unreadable = [...(input.unreadable ?? []), ...found.unreadable];
		read.requests.shop += found.requests;
		if (found.warning) warnings.push(found.warning);
		plan = planReconciliation(input);
	}
	if (plan.kind === 'lookup') throw new NodeOperationError(ctx.getNode(), `${label}: the orders ${plan.orderNumbers.join(', ')} were looked up and asked for again`, { itemIndex: i });
	const repairs = params.repair ? await runRepairs(ctx, i, plan.result.repairs, { ...params.repair, shop, platform: reader.platform }) : [];
	return { result: plan.result, repairs, requests: read.requests, warnings };
}
