import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getDocument } from '../../../services/invoicexpress/api/documents';
import { emailDocument } from '../../../services/invoicexpress/api/email';
import { ixRequest, unwrapRoot } from '../../../services/invoicexpress/transport';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../../../services/invoicexpress/helpers/documentTypes';
import { requiredDocumentId, show } from '../common';

const op = show('document', ['sendEmail']);

export const sendEmailDescription: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		description: 'Recipient; empty sends to the e-mail address of the document\'s client',
		displayOptions: op,
	},
	{
		displayName: 'Email Options',
		name: 'emailOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: op,
		options: [
			{ displayName: 'BCC', name: 'bcc', type: 'string', default: '' },
			{ displayName: 'Body', name: 'body', type: 'string', typeOptions: { rows: 4 }, default: '' },
			{ displayName: 'CC', name: 'cc', type: 'string', default: '' },
			{ displayName: 'Include Logo', name: 'logo', type: 'boolean', default: true, description: 'Whether to include the account logo' },
			{ displayName: 'Save Email on Client', name: 'saveEmail', type: 'boolean', default: false, description: 'Whether to store the address on the client record' },
			{
				displayName: 'Send',
				name: 'send',
				type: 'boolean',
				default: true,
				description:
					"Whether to send. Set it to an expression on Finalize's finalized_here field to send only what this execution finalized, so that two executions never e-mail the same document; a skipped item comes out with sent set to false.",
			},
			{ displayName: 'Subject', name: 'subject', type: 'string', default: '' },
		],
	},
];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function sendEmail(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const type = this.getNodeParameter('documentType', i) as DocumentTypeKey;
	const id = requiredDocumentId(this, i);
	const options = this.getNodeParameter('emailOptions', i, {}) as IDataObject;
	let email = String(this.getNodeParameter('email', i, '') ?? '').trim();
	if (email && !EMAIL.test(email)) {
		throw new NodeOperationError(this.getNode(), `"${email}" is not a valid e-mail address`, { itemIndex: i });
	}
	if (options.send === false) {
		return [{ json: { id, document_type: type, sent: false, skipped: 'Send is off for this item (e.g. another execution finalized the document)' } }];
	}
	// A draft has no legal number and no ATCUD: sending it would hand the customer a non-document.
	const doc = await getDocument(this, type, id, i);
	if (doc.status === 'draft') {
		throw new NodeOperationError(this.getNode(), `${DOCUMENT_TYPES[type].label} ${id} is a draft and cannot be sent`, {
			itemIndex: i,
			description: 'Finalize it first (Document → Finalize, or the "Finalize" option of Create).',
		});
	}
	if (!email) {
		const clientId = (doc.client as IDataObject | undefined)?.id;
		if (clientId !== undefined) {
			const res = await ixRequest(this, 'GET', `/clients/${encodeURIComponent(String(clientId))}.json`, {
				itemIndex: i,
				action: `get client ${clientId}`,
			});
			email = String(unwrapRoot(res.body)?.email ?? '').trim();
		}
		if (!email) {
			throw new NodeOperationError(this.getNode(), `The client of ${DOCUMENT_TYPES[type].label.toLowerCase()} ${id} has no e-mail address`, {
				itemIndex: i,
				description: 'Set "Email" to send it to a given address.',
			});
		}
	}
	await emailDocument(
		this,
		type,
		id,
		{
			email,
			subject: options.subject as string,
			body: options.body as string,
			cc: options.cc as string,
			bcc: options.bcc as string,
			logo: options.logo !== false,
			saveEmail: options.saveEmail === true,
		},
		i,
	);
	return [{ json: { id: doc.id ?? id, document_type: type, sent: true, email, legal_number: doc.inverted_sequence_number ?? null } }];
}
