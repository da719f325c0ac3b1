/**
 * Portuguese tax numbers (NIF/NIPC). InvoicExpress may reject the whole client for a bad NIF, or may
 * silently issue to "Consumidor final" (sources disagree), so NIFs are checked here before sending.
 */

/** Mod-11 check digit of a 9-digit Portuguese NIF. */
export function isValidPtNif(nif: string): boolean {
	if (!/^\d{9}$/.test(nif)) return false;
	// First digits in use: 1-3 people, 45 non-residents, 5 companies, 6 public bodies, 70-99 other entities.
	if (!/^([1-35689]|45|7[0-9])/.test(nif)) return false;
	let sum = 0;
	for (let i = 0; i < 8; i++) sum += Number(nif[i]) * (9 - i);
	const remainder = sum % 11;
	const check = remainder < 2 ? 0 : 11 - remainder;
	return check === Number(nif[8]);
}

export type FiscalIdResult =
	| { kind: 'none' }
	| { kind: 'valid'; fiscalId: string }
	| { kind: 'invalid'; fiscalId: string; reason: string };

/**
 * Cleans a fiscal id as shops store it ("PT 123 456 789", "pt123456789") and checks Portuguese ones.
 * A foreign id (another country, or another country's prefix) passes through with spaces removed.
 */
export function normalizeFiscalId(raw: string | undefined | null, countryIso?: string): FiscalIdResult {
	if (raw === undefined || raw === null) return { kind: 'none' };
	const compact = String(raw).replace(/[\s.\-/]/g, '').toUpperCase();
	if (compact === '') return { kind: 'none' };
	const prefix = /^[A-Z]{2}/.exec(compact)?.[0];
	const isPortuguese =
		prefix === 'PT' || (prefix === undefined && (countryIso === undefined || countryIso === '' || countryIso === 'PT'));
	if (!isPortuguese) return { kind: 'valid', fiscalId: compact };
	const digits = prefix === 'PT' ? compact.slice(2) : compact;
	if (!/^\d{9}$/.test(digits)) {
		return { kind: 'invalid', fiscalId: digits, reason: 'a Portuguese NIF has exactly 9 digits' };
	}
	if (!isValidPtNif(digits)) {
		return { kind: 'invalid', fiscalId: digits, reason: 'its check digit is wrong' };
	}
	return { kind: 'valid', fiscalId: digits };
}
