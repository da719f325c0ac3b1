import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Shop } from '../services/shop';
import { DEFAULT_PLATFORM, shopFor, shopOfOrder } from '../services/shops';

/**
 * Which shop an operation reads and writes the order through, decided before any request. Pure. An
 * order that came from another platform than the one chosen is refused, never written back through
 * the wrong API (an ePages Now credential cannot patch a Beyond order, and the other way round).
 */
export type ShopChoice = { ok: true; shop: Shop | undefined } | { ok: false; message: string; description: string };

export function chooseShop(connect: boolean, platform: unknown, order: IDataObject, label: string): ShopChoice {
	if (!connect) return { ok: true, shop: undefined };
	const shop = shopFor(platform ?? DEFAULT_PLATFORM);
	if (!shop) {
		return { ok: false, message: `${label}: "${String(platform)}" is not a shop platform`, description: 'Set "Platform" to ePages Now or ePages Beyond.' };
	}
	const from = shopOfOrder(order);
	if (from && from !== shop) {
		return {
			ok: false,
			message: `${label}: the order comes from an ${from.displayName} shop, but "Platform" is ${shop.displayName}`,
			description: `Nothing was sent. Set "Platform" to ${from.displayName} and choose its credential.`,
		};
	}
	return { ok: true, shop };
}

/** {@link chooseShop} for the executors: the shop, or the refusal thrown for the item before any request. */
export function shopOrRefuse(ctx: IExecuteFunctions, i: number, connect: boolean, platform: unknown, order: IDataObject, label: string): Shop | undefined {
	const chosen = chooseShop(connect, platform, order, label);
	if (!chosen.ok) throw new NodeOperationError(ctx.getNode(), chosen.message, { itemIndex: i, description: chosen.description });
	return chosen.shop;
}
