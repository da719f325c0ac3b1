import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { subtitleFrom } from '../shared/descriptions';
import { runPerItem } from '../shared/execute';
import { searchOrders } from './listSearch/searchOrders';
import type { OperationHandler } from './resources/common';
import { customerDescription, customerOperations } from './resources/customer';
import { orderDescription, orderOperations } from './resources/order';
import { productDescription, productOperations } from './resources/product';
import { tuningParameter } from '../shared/tuning';

const operations: Record<string, Record<string, OperationHandler>> = {
	order: orderOperations,
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
			{ name: 'Product', value: 'product' },
		],
		default: 'order',
	},
	...orderDescription,
	...customerDescription,
	...productDescription,
	tuningParameter,
];

export class EPages implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ePages',
		name: 'ePages',
		icon: { light: 'file:../../icons/epages.svg', dark: 'file:../../icons/epages.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: subtitleFrom(properties),
		description: 'Read and update orders, customers and products of an ePages shop (ePages Now / Base)',
		defaults: { name: 'ePages' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'ePagesApi', required: true }],
		properties,
	};

	methods = { listSearch: { searchOrders } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		const handler = operations[resource]?.[operation];
		if (!handler) {
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not known`);
		}
		return [await runPerItem(this, handler)];
	}
}
