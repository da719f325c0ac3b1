import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { epagesBeyondShop } from './epagesBeyond/shop';
import { epagesNowShop } from './epagesNow/shop';
import type { Shop } from './shop';

/**
 * The shop platforms the package knows. Adding one: a folder under nodes/services/ that implements
 * `Shop` (shop.ts) with its transport, a credential under credentials/, one line here (the Platform
 * options are built from this list), and its credential slot in InvoicExpress.node.ts, listed there
 * because n8n's lint reads slots from the source (test/unit/shops.test.ts holds the two together).
 */
export const SHOPS: readonly Shop[] = [epagesNowShop, epagesBeyondShop];

export const DEFAULT_PLATFORM = epagesNowShop.platform;

/** The shop of a Platform value, or undefined for a value no platform has (an expression's typo). */
export function shopFor(platform: unknown): Shop | undefined {
	return SHOPS.find((s) => s.platform === platform);
}

/** The shop the order came from, by the marks the platforms' adapters leave. */
export function shopOfOrder(order: Parameters<Shop['owns']>[0]): Shop | undefined {
	return SHOPS.find((s) => s.owns(order));
}

export const PLATFORM_OPTIONS: INodePropertyOptions[] = SHOPS.map((s) => ({ name: s.displayName, value: s.platform }));

/** The Platform parameter of an operation that reads or writes shop orders. */
export function platformParameter(displayOptions: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Platform',
		name: 'platform',
		type: 'options',
		options: PLATFORM_OPTIONS,
		default: DEFAULT_PLATFORM,
		description: 'The ePages platform of the shop: ePages Now (and Base), or ePages Beyond',
		displayOptions,
	};
}
