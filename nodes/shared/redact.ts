/**
 * Secrets travel in places n8n may display or log: InvoicExpress puts the API key in the URL query,
 * ePages a bearer token in a header. Every text that leaves a transport goes through here first.
 */
const MASK = '***';

const SECRET_PATTERNS: RegExp[] = [
	/(api_key=)[^&\s"'#]+/gi,
	/(api_key%3D)[^&\s"'#%]+/gi,
	/("api_key"\s*:\s*")[^"]*/gi,
	/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
	/("?authorization"?\s*[:=]\s*"?)(?!Bearer)[^\s",}]+/gi,
];

export function redactSecrets(text: string, secrets: Array<string | undefined> = []): string {
	let out = text;
	for (const secret of secrets) {
		// Very short values would blank unrelated text; real keys and tokens are long.
		if (typeof secret === 'string' && secret.length >= 6) {
			out = out.split(secret).join(MASK);
		}
	}
	for (const pattern of SECRET_PATTERNS) {
		out = out.replace(pattern, `$1${MASK}`);
	}
	return out;
}

/** Deep copy of a JSON-like value with every string redacted. */
export function redactDeep<T>(value: T, secrets: Array<string | undefined> = []): T {
	if (typeof value === 'string') return redactSecrets(value, secrets) as unknown as T;
	if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as unknown as T;
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
			out[k] = redactDeep(v, secrets);
		}
		return out as T;
	}
	return value;
}
