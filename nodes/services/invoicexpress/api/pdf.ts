import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { ApiContext } from '../../../shared/http';
import { bodyJson } from '../../../shared/http';
import { downloadFile, ixError, ixRequest } from '../transport';

/** A document's PDF (GET /api/pdf/{id}.json, reference invoicexpress.md §6). */

/** Polls GET /api/pdf/{id}.json through 202 answers until the PDF URL is ready. */
export async function getPdfUrl(
	ctx: ApiContext,
	id: string | number,
	opts: { secondCopy?: boolean; maxWaitMs: number; itemIndex?: number },
): Promise<string> {
	const deadline = Date.now() + opts.maxWaitMs;
	for (let attempt = 1; ; attempt++) {
		const res = await ixRequest(ctx, 'GET', `/api/pdf/${encodeURIComponent(String(id))}.json`, {
			qs: { second_copy: opts.secondCopy ? 'true' : 'false' },
			itemIndex: opts.itemIndex,
			action: `get the PDF of document ${id}`,
		});
		if (res.status === 200) {
			const url = ((bodyJson(res.body) as IDataObject | undefined)?.output as IDataObject | undefined)?.pdfUrl;
			if (typeof url === 'string' && url !== '') return url;
			throw ixError(ctx, `InvoicExpress answered the PDF of document ${id} without a URL`, { itemIndex: opts.itemIndex });
		}
		const remaining = deadline - Date.now();
		if (remaining <= 0) {
			throw ixError(ctx, `The PDF of document ${id} was not ready after ${Math.round(opts.maxWaitMs / 1000)} s`, {
				itemIndex: opts.itemIndex,
				description: 'InvoicExpress is still generating it. Run again later, or raise "Max Wait (Seconds)".',
			});
		}
		await sleep(Math.min(remaining, Math.min(500 * 2 ** (attempt - 1), 4000)));
	}
}

/** The PDF file lives on a storage host: fetched without the API key, which must not travel there. */
export async function downloadPdf(ctx: ApiContext, url: string, itemIndex?: number): Promise<Buffer> {
	return await downloadFile(ctx, url, { itemIndex, action: 'download the PDF' });
}

/**
 * The PDF of a final document as binary data for an output item, with its URL: what Create and
 * Credit From ePages Order attach ("Attach PDF") and Document → Get PDF downloads.
 */
export async function pdfAttachment(
	ctx: IExecuteFunctions,
	id: string | number,
	fileName: string,
	opts: { secondCopy?: boolean; maxWaitMs?: number; itemIndex?: number } = {},
): Promise<{ url: string; binary: IBinaryData }> {
	const url = await getPdfUrl(ctx, id, { secondCopy: opts.secondCopy, maxWaitMs: opts.maxWaitMs ?? 30000, itemIndex: opts.itemIndex });
	const buffer = await downloadPdf(ctx, url, opts.itemIndex);
	return { url, binary: await ctx.helpers.prepareBinaryData(buffer, fileName, 'application/pdf') };
}
