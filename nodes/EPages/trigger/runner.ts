import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { z } from 'zod';

import { atLeastOne, durationMs, settingsFor } from '../../shared/settings';
import { toInstant } from '../helpers/dates';
import { isLocale } from '../resources/common';
import { getOrder, listOrdersPage } from '../../services/epagesNow/orders';
import { epErrorStatus } from '../../services/epagesNow/transport';
import { manualSteps, pollSteps, runSteps } from './poll';
import {
	DEFAULT_LIMITS,
	hasLookback,
	STATUS_EVENTS,
	UNINVOICED_EVENT,
	type Step,
	type StepResult,
	type TriggerConfig,
	type TriggerEvent,
	type TriggerLimits,
} from './types';

const DAY_MS = 24 * 3600 * 1000;
/** Used when the engine does not say how long a poll may take. */
const FALLBACK_BUDGET_MS = 2 * 60 * 1000;
/** Share of the poll budget spent on requests; the rest is left for emitting. */
const BUDGET_SHARE = 0.6;
const STATE_KEY = 'ePagesTrigger';

/**
 * The trigger's page sizes and budgets: the defaults (the package's tests use small pages and budgets
 * through nodes/shared/settings.ts; nothing in a workflow does). A complete `trigger` section gives
 * all seven; a page holds at most 100 orders (the shop's limit).
 */
const triggerLimits: () => TriggerLimits = settingsFor(
	'trigger',
	DEFAULT_LIMITS,
	z
		.object({
			overlapMs: durationMs,
			pageSize: atLeastOne.max(100),
			maxPages: atLeastOne,
			maxDetails: atLeastOne,
			maxSpanMs: durationMs,
			minSpanMs: durationMs,
			statusSweepMs: durationMs,
		})
		.strict(),
);

const EVENTS: string[] = ['newOrder', 'orderUpdated', UNINVOICED_EVENT, ...Object.keys(STATUS_EVENTS)];
/** Paid, Not Yet Invoiced watches longer by default: a bank transfer can be paid weeks after the order. */
const DEFAULT_LOOKBACK_DAYS = { status: 14, uninvoiced: 90 };

/** The trigger's parameters, checked before any request. */
export function readTriggerConfig(ctx: IPollFunctions): TriggerConfig & { locale?: string } {
	const event = ctx.getNodeParameter('event', 'newOrder') as string;
	if (!EVENTS.includes(event)) {
		throw new NodeOperationError(ctx.getNode(), `The event "${event}" is not known`);
	}
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const config: TriggerConfig & { locale?: string } = {
		event: event as TriggerEvent,
		fullOrders: (options.emit ?? 'fullOrders') === 'fullOrders',
		lookbackMs: (event === UNINVOICED_EVENT ? DEFAULT_LOOKBACK_DAYS.uninvoiced : DEFAULT_LOOKBACK_DAYS.status) * DAY_MS,
		includeNewOrders: options.includeNewOrders === true,
	};
	const startFrom = options.startFrom;
	const ms = toInstant(startFrom, ctx.getTimezone());
	if (ms !== undefined) {
		if (!Number.isFinite(ms)) {
			throw new NodeOperationError(ctx.getNode(), `Start From "${String(startFrom)}" is not a date`, {
				description: 'Use a date such as 2026-01-31 or 2026-01-31T08:00:00Z, or leave it empty to start now.',
			});
		}
		config.startFrom = ms;
	}
	if (hasLookback(event) && options.statusLookbackDays !== undefined) {
		const days = Number(options.statusLookbackDays);
		if (!Number.isFinite(days) || days < 1 || days > 364) {
			throw new NodeOperationError(ctx.getNode(), 'Status Lookback (Days) must be between 1 and 364', {
				description: 'The shop lists at most one year of orders per request.',
			});
		}
		config.lookbackMs = Math.round(days * DAY_MS);
	}
	const locale = typeof options.locale === 'string' ? options.locale.trim() : '';
	if (locale !== '') {
		if (!isLocale(locale)) {
			throw new NodeOperationError(ctx.getNode(), `The locale "${locale}" is not valid`, {
				description: 'Use language_COUNTRY, such as pt_PT, de_DE or en_GB.',
			});
		}
		config.locale = locale;
	}
	return config;
}

/** Performs the poll logic's steps over HTTP; failures become results so the logic decides what they mean. */
function performer(ctx: IPollFunctions, locale: string | undefined, deadline: number) {
	const extra = locale ? { locale } : {};
	return async (step: Step): Promise<StepResult> => {
		if (Date.now() > deadline) {
			return {
				ok: false,
				error: new NodeOperationError(ctx.getNode(), 'The poll ran out of its time budget before the shop answered; it continues next time'),
			};
		}
		try {
			if (step.kind === 'list') {
				const page = await listOrdersPage(ctx, { ...step.qs, ...extra });
				return { ok: true, kind: 'list', items: page.items, results: page.results };
			}
			return { ok: true, kind: 'detail', order: await getOrder(ctx, step.orderId, { qs: extra }) };
		} catch (error) {
			return { ok: false, error, status: epErrorStatus(error) };
		}
	};
}

function asError(ctx: IPollFunctions, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error);
}

/**
 * One poll of the ePages Trigger. The state is read from and written to the node's static data only,
 * and written only when the poll succeeds (n8n also discards it when a poll throws).
 */
export async function pollEPages(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const config = readTriggerConfig(ctx);
	const started = Date.now();
	const budgetMs = typeof ctx.getPollBudgetMs === 'function' ? ctx.getPollBudgetMs() : FALLBACK_BUDGET_MS;
	const perform = performer(ctx, config.locale, started + Math.max(1000, budgetMs * BUDGET_SHARE));

	if (ctx.getMode() === 'manual') {
		let order: IDataObject | undefined;
		try {
			order = await runSteps(manualSteps(config), perform);
		} catch (error) {
			throw asError(ctx, error);
		}
		if (!order) {
			throw new NodeOperationError(ctx.getNode(), 'No order in the shop matches this event yet', {
				description: 'Place a test order (or set the status on one) in the shop, then fetch the test event again.',
			});
		}
		return [ctx.helpers.returnJsonArray([order])];
	}

	const staticData = ctx.getWorkflowStaticData('node');
	const outcome = await runSteps(pollSteps(staticData[STATE_KEY], config, started, triggerLimits()), perform);
	// A failure with nothing done fails the poll (n8n keeps the old state and shows the error); with
	// windows read before it, their progress is kept and the rest is tried again next poll.
	if (outcome.items.length === 0 && outcome.error !== undefined && !outcome.progressed) {
		throw asError(ctx, outcome.error);
	}
	staticData[STATE_KEY] = outcome.state as unknown as IDataObject;
	if (outcome.items.length === 0) return null;
	return [ctx.helpers.returnJsonArray(outcome.items)];
}
