/** The document types this node issues, by the parameter value saved in workflows. */
export type DocumentTypeKey = 'invoice' | 'invoiceReceipt' | 'simplifiedInvoice' | 'creditNote' | 'debitNote';

interface DocumentTypeInfo {
	/** Path segment: POST /invoice_receipts.json */
	path: string;
	/** Root key of single-document answers: {"invoice_receipt": {...}} */
	singular: string;
	/** `type` in lists and filters */
	apiType: string;
	/** Prefix of the legal number as printed: FR G/6 */
	prefix: string;
	label: string;
}

export const DOCUMENT_TYPES: Record<DocumentTypeKey, DocumentTypeInfo> = {
	invoice: { path: 'invoices', singular: 'invoice', apiType: 'Invoice', prefix: 'FT', label: 'Invoice' },
	invoiceReceipt: {
		path: 'invoice_receipts',
		singular: 'invoice_receipt',
		apiType: 'InvoiceReceipt',
		prefix: 'FR',
		label: 'Invoice-Receipt',
	},
	simplifiedInvoice: {
		path: 'simplified_invoices',
		singular: 'simplified_invoice',
		apiType: 'SimplifiedInvoice',
		prefix: 'FS',
		label: 'Simplified Invoice',
	},
	creditNote: { path: 'credit_notes', singular: 'credit_note', apiType: 'CreditNote', prefix: 'NC', label: 'Credit Note' },
	debitNote: { path: 'debit_notes', singular: 'debit_note', apiType: 'DebitNote', prefix: 'ND', label: 'Debit Note' },
};

/** The types that make an order invoiced: one of them, final, is the order's legal invoice. */
export const INVOICE_TYPES: readonly DocumentTypeKey[] = ['invoice', 'invoiceReceipt', 'simplifiedInvoice'];

export function documentTypeByApiType(apiType: unknown): DocumentTypeKey | undefined {
	return (Object.keys(DOCUMENT_TYPES) as DocumentTypeKey[]).find((k) => DOCUMENT_TYPES[k].apiType === apiType);
}

/** Per-type field of a sequence holding the id to send as `sequence_id` (reference §7). */
export function sequenceIdField(type: DocumentTypeKey): string {
	return `current_${DOCUMENT_TYPES[type].singular}_sequence_id`;
}

/** Portuguese VAT exemption reasons accepted by InvoicExpress (reference §9). */
export const TAX_EXEMPTION_CODES: Array<{ code: string; description: string }> = [
	{ code: 'M01', description: 'Artigo 16.º, n.º 6 do CIVA' },
	{ code: 'M02', description: 'Artigo 6.º do Decreto-Lei n.º 198/90' },
	{ code: 'M04', description: 'Isento artigo 13.º do CIVA' },
	{ code: 'M05', description: 'Isento artigo 14.º do CIVA (exports)' },
	{ code: 'M06', description: 'Isento artigo 15.º do CIVA' },
	{ code: 'M07', description: 'Isento artigo 9.º do CIVA' },
	{ code: 'M09', description: 'IVA – não confere direito a dedução' },
	{ code: 'M10', description: 'IVA – regime de isenção (artigo 53.º / 57.º)' },
	{ code: 'M11', description: 'Regime particular do tabaco' },
	{ code: 'M12', description: 'Regime da margem de lucro – agências de viagens' },
	{ code: 'M13', description: 'Regime da margem de lucro – bens em segunda mão' },
	{ code: 'M14', description: 'Regime da margem de lucro – objetos de arte' },
	{ code: 'M15', description: 'Regime da margem de lucro – objetos de coleção e antiguidades' },
	{ code: 'M16', description: 'Isento artigo 14.º do RITI (intra-EU supply)' },
	{ code: 'M19', description: 'Outras isenções temporárias' },
	{ code: 'M20', description: 'IVA – regime forfetário' },
	{ code: 'M21', description: 'IVA – não confere direito à dedução (ou expressão similar)' },
	{ code: 'M25', description: 'Mercadorias à consignação' },
	{ code: 'M30', description: 'IVA – autoliquidação (artigo 2.º n.º 1 i))' },
	{ code: 'M31', description: 'IVA – autoliquidação (artigo 2.º n.º 1 j))' },
	{ code: 'M32', description: 'IVA – autoliquidação (artigo 2.º n.º 1 l))' },
	{ code: 'M33', description: 'IVA – autoliquidação (artigo 2.º n.º 1 m))' },
	{ code: 'M40', description: 'IVA – autoliquidação (artigo 6.º n.º 6 a))' },
	{ code: 'M41', description: 'IVA – autoliquidação (artigo 8.º n.º 3 do RITI)' },
	{ code: 'M42', description: 'IVA – autoliquidação (Decreto-Lei n.º 21/2007)' },
	{ code: 'M43', description: 'IVA – autoliquidação (Decreto-Lei n.º 362/99)' },
	{ code: 'M44', description: 'IVA – regras específicas (artigo 6.º do CIVA)' },
	{ code: 'M45', description: 'IVA – regime transfronteiriço de isenção' },
	{ code: 'M46', description: 'IVA – e-TaxFree' },
	{ code: 'M99', description: 'Não sujeito ou não tributado' },
];
export const TAX_EXEMPTION_SET = new Set(TAX_EXEMPTION_CODES.map((c) => c.code));
