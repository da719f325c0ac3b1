import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createDocument } from '../../../services/invoicexpress/api/documents';
import { transitionDraft } from '../../../services/invoicexpress/api/state';
import { invoiceOnce, type InvoiceOrderResult } from '../../../services/invoicexpress/api/invoiceOrder';
import type { DocumentTypeKey } from '../../../services/invoicexpress/helpers/documentTypes';

/**
 * Document → Create's request: by the one-step operation's draft protocol when the document has a
 * reference and a unique key (or "Skip If Reference Exists"), else one create request (with its
 * unique key, when set) and, when asked, the finalize.
 */

export type CreateOutcome = 'created' | 'existing' | 'recovered';

export interface Created {
	doc: IDataObject;
	outcome: CreateOutcome;
	/** Whether this execution's finalize made it final (only when it finalized, or the protocol ran). */
	finalizedHere?: boolean;
	/** The protocol's turn for the chain's Finalize (see InvoiceOrderResult.turn). */
	finalizeTurn?: number;
}

export async function createOnce(ctx: IExecuteFunctions, i: number, type: DocumentTypeKey, document: IDataObject, extra: IDataObject): Promise<Created> {
	const reference = (document.reference as string | undefined) ?? undefined;
	if (extra.skipIfReferenceExists && !reference) {
		throw new NodeOperationError(ctx.getNode(), '"Skip If Reference Exists" needs a reference', { itemIndex: i, description: 'Set "Reference".' });
	}
	if (reference && (extra.uniqueKey || extra.skipIfReferenceExists)) return await byProtocol(ctx, i, type, document, reference, extra);
	return await byCreate(ctx, i, type, document, reference, extra);
}

/**
 * The one-step operation's draft protocol: concurrent executions converge on one winning draft, and
 * one legal document at most is ever made for the reference.
 */
async function byProtocol(ctx: IExecuteFunctions, i: number, type: DocumentTypeKey, document: IDataObject, reference: string, extra: IDataObject): Promise<Created> {
	const result = await invoiceOnce(ctx, type, document, {
		reference,
		uniqueKey: (extra.uniqueKey as string) || '',
		finalize: extra.finalize === true,
		itemIndex: i,
		lookFirst: extra.skipIfReferenceExists === true,
	});
	if (result.outcome === 'pending') {
		// Kept off the main output so that the next steps (Finalize, Mark Order Invoiced) never see it.
		throw new NodeOperationError(ctx.getNode(), `pending: will complete on the next run (${result.pendingReason ?? 'not settled yet'})`, {
			itemIndex: i,
			description: 'Nothing legal was issued. The next run finds the draft by its reference and completes it.',
		});
	}
	return { doc: result.document, outcome: protocolOutcome(result), finalizedHere: result.finalizedHere, finalizeTurn: result.turn };
}

/** How the chain names the protocol's outcome: a draft of its own counts as created, another's as existing. */
function protocolOutcome(result: InvoiceOrderResult): CreateOutcome {
	if (result.recovered) return 'recovered';
	return result.outcome === 'created' || result.outcome === 'draft' ? 'created' : 'existing';
}

/** One create request, then the finalize when asked and the document is a draft. */
async function byCreate(ctx: IExecuteFunctions, i: number, type: DocumentTypeKey, document: IDataObject, reference: string | undefined, extra: IDataObject): Promise<Created> {
	const result = await createDocument(ctx, type, document, {
		uniqueKey: (extra.uniqueKey as string) || undefined,
		reference,
		itemIndex: i,
	});
	const created: Created = { doc: result.document, outcome: result.recovered ? 'recovered' : 'created' };
	if (extra.finalize && created.doc.status === 'draft') {
		const done = await transitionDraft(ctx, type, created.doc.id as string, 'finalized', i);
		created.doc = done.document;
		created.finalizedHere = done.changedHere !== false;
	}
	return created;
}
