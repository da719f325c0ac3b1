import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { findOrCreateClient, type MatchBy } from '../../api/clients';
import { show } from '../common';
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
				description: 'A client with exactly this name is the same client (as in the original ePages integration)',
			},
			{ name: 'Client Code', value: 'code', description: 'Look up the code first, then the name' },
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
	const result = await findOrCreateClient(this, client, { matchBy, updateExisting, itemIndex: i });
	return [
		{
			json: {
				...result.client,
				found: !result.created,
				created: result.created,
				updated: result.updated,
				matched_by: result.matchedBy ?? null,
				...(warnings.length ? { warnings } : {}),
			},
		},
	];
}
