import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { findClientByCode, findClientByName } from '../../../services/invoicexpress/api/clients';
import { requiredString } from '../common';

/** "Not found" is an answer, not a failure: the item says so and the workflow can branch on it. */
export async function findByName(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const name = requiredString(this, 'name', 'Name', i);
	const client = await findClientByName(this, name, i);
	return [{ json: client ? { ...client, found: true } : { found: false, name } }];
}

export async function findByCode(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const code = requiredString(this, 'code', 'Client Code', i);
	const client = await findClientByCode(this, code, i);
	return [{ json: client ? { ...client, found: true } : { found: false, code } }];
}
