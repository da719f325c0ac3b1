import { z } from 'zod';

/**
 * Timings and sizes a workflow never changes (retry back-off, timeouts, the exactly-once protocol's
 * waits, the trigger's page sizes and budgets). Shipped code reads each section through the reader
 * `settingsFor` returns, which gives the service's defaults: no node parameter reaches it, so what a
 * user saves in a workflow is what they see in the editor. Only the package's own tests and
 * benchmark change a section, with `overrideSettings` (test/harness/settings.ts: `useSettings`,
 * `withSettings`); a value is checked with the section's zod schema when it is set.
 *
 * One rule for every section: a section given replaces the defaults as a whole, never key by key.
 * A section is one policy whose fields were chosen together: a merge would put a test's 20 ms
 * delays beside production's two-minute wait on 429s and its pace after a throttle, a policy nobody
 * designed, which slows the fault tests by minutes and changes what they prove. With a replace, what
 * a test states is exactly what runs. Each section's schema says what a complete section is: which
 * fields it requires, and what an absent optional field means (not used, or derived from the given
 * fields by a rule the schema states).
 */

/** A zod schema whose output is a complete section (its input is whatever a test wrote). */
export type SettingsSchema<T> = z.ZodType<T, z.ZodTypeDef, unknown>;

/** Milliseconds: finite, not negative. */
export const durationMs = z.number().finite().nonnegative();
/** A count of one or more (attempts, pages, items). */
export const atLeastOne = z.number().int().min(1);
/** The shared back-off (nodes/shared/retry.ts BackoffPolicy): every field required. */
export const backoffFields = { maxAttempts: atLeastOne, baseDelayMs: durationMs, maxDelayMs: durationMs };

const SCHEMAS = new Map<string, SettingsSchema<unknown>>();
/** Overrides, oldest first; a reader takes a section from the newest layer that gives it. */
const LAYERS: Array<ReadonlyMap<string, unknown>> = [];

function parse<T>(section: string, schema: SettingsSchema<T>, value: unknown): T {
	const result = schema.safeParse(value);
	if (result.success) return result.data;
	const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(the section)'}: ${i.message}`);
	throw new Error(`The settings section "${section}" is refused: ${problems.join('; ')}`);
}

/**
 * Declares a section (once, where the service defines its defaults) and returns its reader: the
 * defaults, or the section as the newest override gives it. The defaults must be a complete section.
 */
export function settingsFor<T>(section: string, defaults: T, schema: SettingsSchema<T>): () => T {
	if (SCHEMAS.has(section)) throw new Error(`The settings section "${section}" is declared twice`);
	parse(section, schema, defaults);
	SCHEMAS.set(section, schema as SettingsSchema<unknown>);
	return () => {
		for (let i = LAYERS.length - 1; i >= 0; i--) {
			if (LAYERS[i].has(section)) return LAYERS[i].get(section) as T;
		}
		return defaults;
	};
}

/**
 * For the package's tests and benchmark only: sets sections until the returned function is called.
 * Each call is a layer of its own and its restore removes only that layer, so runs of one test in
 * flight at once never reset each other's settings. The registry is one per process: runs in flight
 * at once that need different values for one section must run one after the other. An unknown
 * section, an unknown key, a missing required field or a negative or non-finite number is refused.
 */
export function overrideSettings(values: Readonly<Record<string, unknown>>): () => void {
	const layer = new Map<string, unknown>();
	for (const [section, value] of Object.entries(values)) {
		const schema = SCHEMAS.get(section);
		if (!schema) {
			throw new Error(`There is no settings section "${section}": the sections are ${[...SCHEMAS.keys()].sort().join(', ')}`);
		}
		layer.set(section, Object.freeze(parse(section, schema, value)));
	}
	LAYERS.push(layer);
	return () => {
		const at = LAYERS.indexOf(layer);
		if (at >= 0) LAYERS.splice(at, 1);
	};
}
