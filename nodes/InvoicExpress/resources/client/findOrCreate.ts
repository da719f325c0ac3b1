import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { findOrCreateClient, type MatchBy } from '../../../services/invoicexpress/api/clients';
import { InputError } from '../../../services/invoicexpress/helpers/client';
import { asNodeError } from '../../../shared/execute';
import { show, toOperationError } from '../common';
import { readClient } from './shared';

export const findOrCreateDescription: INodeProperties[] = [
	{
		displayName: 'Match By',
		name: 'matchBy',
		type: 'options',
		options: [
			{
				name: 'Name',
				value: 'name',
				description: 'A client with exactly this name and the same NIF (a same-name client with another NIF, or none, gets a distinct client "Name (NIF)")',
			},
			{ name: 'Client Code', value: 'code', description: 'Look up the code first (used if its NIF is the same), then the name' },
			{
				name: 'Fiscal Number, Then Name',
				value: 'fiscalId',
				description: 'Look up the NIF (reads the client list once per execution), then the name',
			},
		],
		default: 'name',
		displayOptions: show('client', ['findOrCreate']),
	},
	{
		displayName: 'Update Existing Client',
		name: 'updateExisting',
		type: 'boolean',
		default: false,
		description: 'Whether to overwrite a found client with the data given here',
		displayOptions: show('client', ['findOrCreate']),
	},
];

export async function findOrCreate(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const { client, warnings } = readClient(this, i);
	const matchBy = this.getNodeParameter('matchBy', i, 'name') as MatchBy;
	const updateExisting = this.getNodeParameter('updateExisting', i, false) as boolean;
	let result;
	try {
		result = await findOrCreateClient(this, client, { matchBy, updateExisting, itemIndex: i });
	} catch (error) {
		// The NIF rule refused (both names taken by other NIFs): a clear error about the input.
		if (error instanceof InputError) throw toOperationError(this, error, i);
		throw asNodeError(this.getNode(), error, i);
	}
	return [
		{
			json: {
				...result.client,
				found: !result.created,
				created: result.created,
				updated: result.updated,
				matched_by: result.matchedBy ?? null,
				...(result.note ? { note: result.note } : {}),
				...(warnings.length || result.note ? { warnings: [...warnings, ...(result.note ? [result.note] : [])] } : {}),
			},
		},
	];
}
