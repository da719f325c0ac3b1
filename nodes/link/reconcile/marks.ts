/**
 * What the package wrote back to an order's internal note, read back: the counterpart of the note
 * lines in orderLink.ts (`invoiceNoteLine`, `creditNoteLine`, `cancelNoteLine`). The reconciliation
 * knows that an invoice was written back, and e-mailed, only from these lines, so they are read in
 * this one place: a change of the lines (or an explicit e-mail mark) is made here and in orderLink.ts,
 * and test/unit/reconcile.test.ts checks that this reader reads what those writers write.
 */

export interface NoteMark {
	kind: 'invoice' | 'credit' | 'cancel';
	/** As written: "FT A/12"; for a credit line, the credit note's number. */
	legalNumber: string;
	/** The InvoicExpress id of the document the line records. */
	documentId: string;
	/** The address the document was e-mailed to: the durable e-mail mark (invoice and credit lines). */
	emailedTo?: string;
}

/** "InvoicExpress [credit note ]<legal> (id <id>)<rest>". */
const LINE = /^InvoicExpress (credit note )?(.+?) \(id (\d+)\)(.*)$/;
/**
 * An invoice line has nothing after the id but the e-mail mark, which ends the line: the same
 * grammar as orderLink.ts `emailMarkOf` (what Email Invoice of ePages Order reads), held to it by a test.
 */
const INVOICE_REST = /^(?: e-mailed to (\S+))?$/;
const CREDIT_REST = /^ for .+?(?: e-mailed to (\S+))?$/;

function readLine(line: string): NoteMark | undefined {
	const m = LINE.exec(line.trim());
	if (!m) return undefined;
	const [, credit, legalNumber, documentId, rest] = m;
	if (!credit && rest.startsWith(' canceled: ')) return { kind: 'cancel', legalNumber, documentId };
	const tail = (credit ? CREDIT_REST : INVOICE_REST).exec(rest);
	if (!tail) return undefined;
	return { kind: credit ? 'credit' : 'invoice', legalNumber, documentId, ...(tail[1] ? { emailedTo: tail[1] } : {}) };
}

/** Every line of the note the package wrote, in order; other lines (the merchant's) are left out. */
export function readNoteMarks(note: unknown): NoteMark[] {
	if (typeof note !== 'string' || note === '') return [];
	const marks: NoteMark[] = [];
	for (const line of note.split(/\r?\n/)) {
		const mark = readLine(line);
		if (mark) marks.push(mark);
	}
	return marks;
}

/** The line recording this invoice (by its id), the e-mailed one first when both forms are there. */
export function invoiceMark(marks: readonly NoteMark[], documentId: string): NoteMark | undefined {
	const mine = marks.filter((m) => m.kind === 'invoice' && m.documentId === documentId);
	return mine.find((m) => m.emailedTo !== undefined) ?? mine[0];
}

/** Whether the order's note says that this invoice was e-mailed. */
export const isEmailed = (marks: readonly NoteMark[], documentId: string): boolean => invoiceMark(marks, documentId)?.emailedTo !== undefined;
