import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { loadSequences, loadTaxes } from '../../services/invoicexpress/api/accountData';
import { DOCUMENT_TYPES, sequenceIdField, type DocumentTypeKey } from '../../services/invoicexpress/helpers/documentTypes';

export async function getTaxes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	// The editor shows the account as it is now, never the cache of earlier executions.
	const taxes = await loadTaxes(this, undefined, { fresh: true });
	return taxes.map((t) => ({
		name: `${t.name} (${t.value} %${t.region ? `, ${t.region}` : ''})`,
		value: t.name,
	}));
}

export async function getSequences(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	// Credit From ePages Order issues credit notes: its series list is theirs, whatever Document Type holds.
	const type = this.getCurrentNodeParameter('operation') === 'creditFromEPagesOrder' ? 'creditNote' : ((this.getCurrentNodeParameter('documentType') as DocumentTypeKey | undefined) ?? 'invoice');
	const field = sequenceIdField(DOCUMENT_TYPES[type] ? type : 'invoice');
	const sequences = await loadSequences(this);
	return [
		{ name: 'Default Series', value: '' },
		...sequences
			.filter((s) => s[field] !== undefined && s[field] !== null)
			.map((s) => ({
				name: `${String(s.serie)}${Number(s.default_sequence) === 1 ? ' (default)' : ''}`,
				value: String(s[field]),
			})),
	];
}
