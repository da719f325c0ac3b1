/**
 * The separate-steps chain's Create with Items Input "From ePages Order" (planOrderLines): the order's
 * lines by the one-step operation's own mapping and document rules, without I/O. The client and the
 * document type are the node's own, so the type is never switched and the NIF is the node's client's.
 */
import type { IDataObject } from 'n8n-workflow';

import type { IxTax } from '../../nodes/services/invoicexpress/helpers/document';
import { planOrderLines, type OrderLinesInput } from '../../nodes/link/invoice/orderLines';
import { planOrder } from '../../nodes/link/invoice/plan';
import { loadOrderFixtures } from '../harness/orderFixtures';
import { DEFAULT_TAXES } from '../sandbox/invoicexpress';

const TAXES: IxTax[] = DEFAULT_TAXES.map((t) => ({ ...t }));
const fixtures = loadOrderFixtures();
const fixture = (prefix: string) => JSON.parse(JSON.stringify(fixtures.find((f) => f.file.startsWith(prefix))!.order)) as IDataObject;
/** Order 10301: three VAT rates, a consumer without a NIF, paid. */
const ORDER = fixture('01-');

const lines = (over: Partial<OrderLinesInput> = {}) =>
	planOrderLines({ order: ORDER, taxes: TAXES, date: '28/11/2026', dueDate: '28/11/2026', requested: 'invoice', retailer: true, ...over });

describe('planOrderLines: the chain asks the one-step rules', () => {
	it('maps the lines exactly as the one-step operation does, the order number the reference', () => {
		const chain = lines();
		const oneStep = planOrder({
			params: { documentType: 'invoice', finalize: true, sendEmail: false, attachPdf: false, dryRun: false, matchBy: 'name', connectEPages: false, writeBack: false, options: { date: '28/11/2026' } },
			order: ORDER,
			taxes: TAXES,
			today: '28/11/2026',
		});
		if (chain.kind !== 'lines' || oneStep.kind !== 'invoice') throw new Error(`expected lines and an invoice plan, got ${chain.kind} and ${oneStep.kind}`);
		expect(chain.items).toEqual(oneStep.mapped.document.items);
		expect(chain.reference).toBe('10301');
		expect(chain.totalsCheck).toMatchObject({ matches: true, order_total: oneStep.mapped.totalsCheck.order_total });
	});

	it('an unpaid order as invoice-receipt is refused by the document rules, naming the order and the field', () => {
		expect(lines({ order: { ...ORDER, paidOn: null }, requested: 'invoiceReceipt' })).toMatchObject({
			kind: 'refuse',
			message: 'order 10301: an invoice-receipt says the order is paid, but the order has no payment date (paidOn)',
		});
	});

	it("a simplified invoice is judged with the node's client NIF, and refused, never switched to an invoice", () => {
		// 121.85 €: within the 1,000 € limit for a consumer, over the 100 € limit for a business buyer.
		expect(lines({ requested: 'simplifiedInvoice' })).toMatchObject({ kind: 'lines' });
		const business = lines({ requested: 'simplifiedInvoice', fiscalId: '503504564' });
		expect(business).toMatchObject({ kind: 'refuse', message: expect.stringMatching(/^order 10301: a simplified invoice is only allowed up to 100 € for a business buyer/) as unknown });
		expect(lines({ requested: 'simplifiedInvoice', fiscalId: '503504564', retailer: false })).toMatchObject({ kind: 'refuse' });
	});

	it('an order the mapping cannot read is refused by the mapping, before the document rules', () => {
		expect(lines({ order: 'not an order' })).toMatchObject({ kind: 'refuse', stage: 'order', message: expect.stringMatching(/not an ePages order/) as unknown });
		const noName = fixture('32-');
		expect(lines({ order: noName })).toMatchObject({ kind: 'refuse', stage: 'order', message: expect.stringMatching(/^order \d+: /) as unknown });
	});

	it('"Ships From" and the exemption reach the mapping', () => {
		const madeira = lines({ order: fixture('52-'), shipsFrom: 'PT-MA' });
		expect(madeira).toMatchObject({ kind: 'lines' });
		expect(lines({ order: fixture('52-') })).toMatchObject({ kind: 'refuse', stage: 'order' });
		expect(lines({ shipsFrom: 'Madeira' })).toMatchObject({ kind: 'refuse', message: expect.stringMatching(/"Ships From" is "Madeira"/) as unknown });
	});
});
