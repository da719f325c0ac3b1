import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { chosenOperation, orderLabel, UNNUMBERED_ORDER } from '../../nodes/shared/execute';

describe('orderLabel: the one name of what an item or an order is about', () => {
	it('names the order by its number, in any of the shapes the package reads or writes', () => {
		expect(orderLabel({ orderNumber: '1001' })).toBe('order 1001');
		expect(orderLabel({ order_number: 1002 })).toBe('order 1002');
		expect(orderLabel({ orderId: 'abc' })).toBe('order abc');
		expect(orderLabel({ order_id: 'def' })).toBe('order def');
		// The number wins over the id, and a blank value is no name.
		expect(orderLabel({ orderNumber: ' 7 ', orderId: 'abc' })).toBe('order 7');
		expect(orderLabel({ orderNumber: '  ', orderId: 'abc' })).toBe('order abc');
	});
	it('names an InvoicExpress document by its reference', () => {
		expect(orderLabel({ reference: 'R-1', id: 5 })).toBe('reference R-1');
	});
	it('is nothing for an item about no order, unless the caller knows it is an order', () => {
		expect(orderLabel({ name: 'Ana' })).toBeUndefined();
		expect(orderLabel(undefined)).toBeUndefined();
		expect(orderLabel({ name: 'Ana' }, UNNUMBERED_ORDER)).toBe('order ?');
		expect(orderLabel('1001', UNNUMBERED_ORDER)).toBe('order ?');
	});
});

describe('chosenOperation: both nodes find the function of Resource and Operation the same way', () => {
	const node = { name: 'N', type: 't', typeVersion: 1, position: [0, 0], parameters: {} } as unknown as INode;
	const ctx = (resource: string, operation: string) =>
		({ getNode: () => node, getNodeParameter: (name: string) => (name === 'resource' ? resource : operation) }) as unknown as IExecuteFunctions;
	const get = async () => [];
	const operations = { order: { get } };
	it('returns the handler with the resource and operation it was chosen by', () => {
		expect(chosenOperation(ctx('order', 'get'), operations)).toEqual({ resource: 'order', operation: 'get', handler: get });
	});
	it('refuses an unknown pair with a message naming both', () => {
		expect(() => chosenOperation(ctx('order', 'delete'), operations)).toThrow(NodeOperationError);
		expect(() => chosenOperation(ctx('client', 'get'), operations)).toThrow('The operation "get" of "client" is not known');
	});
});
