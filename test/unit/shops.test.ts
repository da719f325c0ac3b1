import { noteWithLine } from '../../nodes/services/shop';
import { SHOPS, shopFor, shopOfOrder, PLATFORM_OPTIONS } from '../../nodes/services/shops';
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

describe('the InvoicExpress node has one credential slot per registered platform', () => {
	it('for that platform\'s credential, shown for that platform', () => {
		const slots = (new InvoicExpress().description.credentials ?? []).filter((c) => c.name !== 'invoicExpressApi');
		// A slot is its platform's when every other platform hides it.
		expect(slots.map((c) => [c.name, c.displayOptions?.hide?.platform])).toEqual(SHOPS.map((s) => [s.credential, SHOPS.filter((o) => o !== s).map((o) => o.platform)]));
	});
});
