import type { IDataObject } from 'n8n-workflow';

import type { ApiContext } from '../../../shared/http';
import { DOCUMENT_TYPES, type DocumentTypeKey } from '../helpers/documentTypes';
import { ixRequest } from '../transport';
import { docPath } from './documents';

/** E-mailing a document (email-document, reference invoicexpress.md §5). */

export interface EmailMessage {
	email: string;
	subject?: string;
	body?: string;
	cc?: string;
	bcc?: string;
	logo?: boolean;
	saveEmail?: boolean;
}

export async function emailDocument(
	ctx: ApiContext,
	type: DocumentTypeKey,
	id: string | number,
	msg: EmailMessage,
	itemIndex?: number,
): Promise<void> {
	const message: IDataObject = { client: { email: msg.email, save: msg.saveEmail ? '1' : '0' } };
	if (msg.subject) message.subject = msg.subject;
	if (msg.body) message.body = msg.body;
	if (msg.cc) message.cc = msg.cc;
	if (msg.bcc) message.bcc = msg.bcc;
	message.logo = msg.logo ? '1' : '0';
	await ixRequest(ctx, 'PUT', docPath(type, id, '/email-document'), {
		body: { message },
		// Each PUT sends one more e-mail: after a lost answer it may have gone out, so never repeat it blindly.
		retry: 'rateLimitOnly',
		itemIndex,
		action: `e-mail ${DOCUMENT_TYPES[type].label.toLowerCase()} ${id}`,
	});
}
