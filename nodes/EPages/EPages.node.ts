import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { subtitleFrom } from '../shared/descriptions';
import { chosenOperation, runPerItem } from '../shared/execute';
import { searchOrders } from './listSearch/searchOrders';
import type { OperationHandler } from './resources/common';
import { customerDescription, customerOperations } from './resources/customer';
import { orderDescription, orderOperations } from './resources/order';
import { productDescription, productOperations } from './resources/product';
import { beyondOrderDescription, beyondOrderOperations } from './resources/beyondOrder';
import { ePagesBeyondApiTest } from '../services/epagesBeyond/credentialTest';

const operations: Record<string, Record<string, OperationHandler>> = {
	order: orderOperations,
	beyondOrder: beyondOrderOperations,
	customer: customerOperations,
	product: productOperations,
};

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Customer', value: 'customer' },
			{ name: 'Order', value: 'order' },
			{ name: 'Order (Beyond)', value: 'beyondOrder', description: 'Orders of an ePages Beyond shop (…beyondshop.cloud), through the ePages Beyond API credential' },
			{ name: 'Product', value: 'product' },
		],
		default: 'order',
	},
	...orderDescription,
	...beyondOrderDescription,
	...customerDescription,
	...productDescription,
];

export class EPages implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ePages',
		name: 'ePages',
		icon: { light: 'file:../../icons/epages.svg', dark: 'file:../../icons/epages.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: subtitleFrom(properties),
		description: 'Read and update orders, customers and products of an ePages shop (ePages Now / Base, and orders of ePages Beyond)',
		defaults: { name: 'ePages' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			// `hide` for the Now slot: were every Resource listed in the slots' `show`, n8n's editor would take
			// Resource for an authentication selector and move it out of the panel (test/unit/editorAuthField.test.ts).
			{ name: 'ePagesApi', required: true, displayOptions: { hide: { resource: ['beyondOrder'] } } },
			{ name: 'ePagesBeyondApi', required: true, testedBy: 'ePagesBeyondApiTest', displayOptions: { show: { resource: ['beyondOrder'] } } },
		],
		properties,
	};

	methods = { listSearch: { searchOrders }, credentialTest: { ePagesBeyondApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await runPerItem(this, chosenOperation(this, operations).handler)];
	}
}
