import { noteWithLine } from '../../nodes/services/shop';
import { NodeHelpers, type INodeParameters, type INodeType } from 'n8n-workflow';

import { EPagesTrigger } from '../../nodes/EPages/EPagesTrigger.node';
import { DEFAULT_PLATFORM, SHOPS, shopFor, shopOfOrder, PLATFORM_OPTIONS } from '../../nodes/services/shops';
import { chooseShop } from '../../nodes/link/shops';
import { InvoicExpress } from '../../nodes/InvoicExpress/InvoicExpress.node';

describe('noteWithLine: every platform merges its order note the same way', () => {
	const line = 'InvoicExpress FT A/1 (id 7) e-mailed to ana@example.com';
	const bare = 'InvoicExpress FT A/1 (id 7)';
	it('adds a line below what is there, or as the whole note', () => {
		expect(noteWithLine('', bare)).toBe(bare);
		expect(noteWithLine('Gift wrap', bare)).toBe(`Gift wrap\n${bare}`);
	});
	it('never adds a line that is there, nor the bare form after the full one', () => {
		expect(noteWithLine(`x\n${line}`, line)).toBeUndefined();
		expect(noteWithLine(`x\n${line}`, bare)).toBeUndefined();
	});
	it('completes a bare line instead of repeating it', () => {
		expect(noteWithLine(`x\n${bare}\ny`, line, bare)).toBe(`x\n${line}\ny`);
	});
});

describe('the shop registry', () => {
	it('knows ePages Now (the default, "now") and ePages Beyond ("beyond"), each with its credential', () => {
		expect(SHOPS.map((s) => [s.platform, s.credential])).toEqual([
			['now', 'ePagesApi'],
			['beyond', 'ePagesBeyondApi'],
		]);
		expect(PLATFORM_OPTIONS.map((o) => o.value)).toEqual(['now', 'beyond']);
		expect(shopFor('x')).toBeUndefined();
	});
	it('tells the platform of an order by its adapter\'s mark', () => {
		expect(shopOfOrder({ orderNumber: '1' })?.platform).toBe('now');
		expect(shopOfOrder({ orderNumber: '1', _beyond: {} })?.platform).toBe('beyond');
		// As Beyond sends it ("Output as Beyond Sends It"): read and shaped by the Beyond shop.
		expect(shopOfOrder({ _id: 'a1b2', orderNumber: '1' })?.platform).toBe('beyond');
	});
	it('chooseShop: none without a connection; the chosen one; a refusal for another platform\'s order or an unknown platform', () => {
		expect(chooseShop(false, 'beyond', { orderNumber: '1' }, 'order 1')).toEqual({ ok: true, shop: undefined });
		expect(chooseShop(true, undefined, { orderNumber: '1' }, 'order 1')).toMatchObject({ ok: true, shop: { platform: 'now' } });
		expect(chooseShop(true, 'now', { orderNumber: '1', _beyond: {} }, 'order 1')).toMatchObject({
			ok: false,
			message: 'order 1: the order comes from an ePages Beyond shop, but "Platform" is ePages Now',
		});
		expect(chooseShop(true, 'shopify', { orderNumber: '1' }, 'order 1')).toMatchObject({ ok: false, message: 'order 1: "shopify" is not a shop platform' });
	});
});

describe('the InvoicExpress node and the ePages Trigger have one credential slot per registered platform', () => {
	const slotsShown = (node: INodeType, parameters: INodeParameters) =>
		(node.description.credentials ?? [])
			.filter((c) => c.name !== 'invoicExpressApi' && NodeHelpers.displayParameter(parameters, c, { typeVersion: 1 }, node.description))
			.map((c) => c.name);
	const ix = new InvoicExpress();
	const trigger = new EPagesTrigger();
	const createFromOrder = { resource: 'document', operation: 'createFromEPagesOrder', connectEPages: true };

	it.each(SHOPS.map((s) => [s.platform, s.credential]))('Platform %s asks for %s only', (platform, credential) => {
		expect(slotsShown(ix, { ...createFromOrder, platform })).toEqual([credential]);
		expect(slotsShown(trigger, { platform })).toEqual([credential]);
	});

	it('a node saved without Platform (its default) asks for the default platform\'s credential only', () => {
		const credential = SHOPS.find((s) => s.platform === DEFAULT_PLATFORM)?.credential;
		expect(slotsShown(ix, createFromOrder)).toEqual([credential]);
		expect(slotsShown(trigger, {})).toEqual([credential]);
	});

	it('none without Connect to ePages, or for an operation that reads no order', () => {
		expect(slotsShown(ix, { ...createFromOrder, connectEPages: false, platform: 'beyond' })).toEqual([]);
		expect(slotsShown(ix, { ...createFromOrder, connectEPages: false })).toEqual([]);
		expect(slotsShown(ix, { resource: 'client', operation: 'create', platform: 'beyond' })).toEqual([]);
	});
});
