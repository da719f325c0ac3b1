/**
 * Text from the shop (names, addresses, comments, product names) as it may appear on a legal
 * document: plain text. Shops store what customers type, and a customer comment can hold HTML or a
 * script tag; InvoicExpress prints it as given. So: elements that only carry code (script, style) go
 * with their content, other tags are removed, HTML entities are decoded, and control characters are
 * dropped (line breaks and tabs become spaces unless `keepLines`). Letters of any script, emoji and a
 * bare "&" or "<" that is not a tag are kept.
 */
const CODE_ELEMENTS = /<(script|style|iframe|object|noscript)\b[^>]*>[\s\S]*?(<\/\1\s*>|$)/gi;
const TAG = /<\/?([a-zA-Z!][a-zA-Z0-9-]*)[^<>]*>/g;
/** Tags that separate words (a line break, a paragraph): a space; inline ones (b, i, span): nothing. */
const BLOCK = new Set(['br', 'p', 'div', 'li', 'ul', 'ol', 'tr', 'td', 'th', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'img', 'textarea']);
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', euro: '€', ndash: '–', mdash: '—', hellip: '…' };
/** Accent suffixes of HTML's named entities, and the letters Portuguese, Spanish, French and German use. */
const ACCENTS: Record<string, string> = { acute: '\u0301', grave: '\u0300', circ: '\u0302', tilde: '\u0303', uml: '\u0308', cedil: '\u0327', ring: '\u030a' };
const ACCENT_BASE: Record<string, string> = Object.fromEntries(
	['a', 'e', 'i', 'o', 'u', 'y', 'n', 'c'].flatMap((base) =>
		Object.values(ACCENTS).map((mark) => [`${base}${mark}`, `${base}${mark}`.normalize('NFC')]),
	).filter(([, composed]) => composed.length === 1),
);
const ENTITY = /&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi;

function decodeEntities(text: string): string {
	return text.replace(ENTITY, (whole, body: string) => {
		if (body[0] === '#') {
			const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
			return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
		}
		const lower = body.toLowerCase();
		if (NAMED[lower] !== undefined) return NAMED[lower];
		// Accented letters (&eacute;, &Ccedil; …): the letter in its case.
		const accent = ACCENTS[lower.slice(1)];
		const letter = accent === undefined ? undefined : (ACCENT_BASE[`${lower[0]}${accent}`] ?? undefined);
		if (letter === undefined) return whole;
		return body[0] === body[0].toUpperCase() ? letter.toUpperCase() : letter;
	});
}

function isControl(code: number): boolean {
	return (
		(code < 0x20 && code !== 0x0a) ||
		(code >= 0x7f && code <= 0x9f) ||
		code === 0x200b ||
		(code >= 0x202a && code <= 0x202e) ||
		(code >= 0x2066 && code <= 0x2069)
	);
}

export function plainText(value: string, keepLines = false): string {
	// Tags, then entities, then tags again: an encoded "&lt;script&gt;" must not come back as markup
	// (InvoicExpress shows some of these fields in HTML pages, such as the document's permalink).
	const untag = (t: string) => t.replace(CODE_ELEMENTS, ' ').replace(TAG, (_, name: string) => (BLOCK.has(name.toLowerCase()) ? ' ' : ''));
	let text = untag(decodeEntities(untag(value)));
	text = keepLines
		? text.replace(/\r\n?/g, '\n').replace(/[\t\v\f]/g, ' ')
		: text.replace(/[\r\n\t\v\f]+/g, ' ');
	// Other control characters (C0, DEL, C1) and zero-width/bidi controls that hide text.
	text = [...text].filter((ch) => !isControl(ch.codePointAt(0)!)).join('');
	return keepLines
		? text
				.split('\n')
				.map((line) => line.replace(/ {2,}/g, ' ').trim())
				.join('\n')
				.replace(/\n{3,}/g, '\n\n')
				.trim()
		: text.replace(/ {2,}/g, ' ').trim();
}

/** FNV-1a, 32 bits, as 8 hex digits: a short stable name for a text (no crypto module needed). */
export function shortHash(text: string): string {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h.toString(16).padStart(8, '0');
}
