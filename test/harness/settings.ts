/**
 * How the tests shorten back-offs, timeouts, the protocol's waits and the trigger's budgets: through
 * the package's settings registry (nodes/shared/settings.ts), which shipped code reads and no
 * workflow reaches. A section given replaces that section's defaults as a whole (see the registry);
 * a section a layer does not give comes from the layer below, down to the defaults.
 */
import type { EpBackoffPolicy } from '../../nodes/services/epagesNow/transport';
import type { InvoiceTiming } from '../../nodes/services/invoicexpress/api/invoiceOrder';
import type { IxSettings } from '../../nodes/services/invoicexpress/transport';
import type { BackoffPolicy } from '../../nodes/shared/retry';
import { overrideSettings } from '../../nodes/shared/settings';
import type { TriggerLimits } from '../../nodes/EPages/trigger/types';
// The sections are declared where the services define their defaults: load every node first.
import './nodes';

export interface TestSettings {
	invoicExpress?: IxSettings;
	/** ePages Now (the ePages node's order, customer and product requests, and the ePages Trigger). */
	ePages?: EpBackoffPolicy;
	ePagesBeyond?: BackoffPolicy;
	protocol?: InvoiceTiming;
	trigger?: TriggerLimits;
}

/** The file's settings: set before its tests (and before any later beforeAll), removed after them. */
export function useSettings(values: TestSettings): void {
	let restore: (() => void) | undefined;
	beforeAll(() => {
		restore = overrideSettings(values as Record<string, unknown>);
	});
	afterAll(() => restore?.());
}

/**
 * Settings for what `run` does, over the file's: removed when it ends, and only this call's, so runs
 * in flight at once (Promise.all) never reset each other's.
 */
export async function withSettings<T>(values: TestSettings, run: () => Promise<T>): Promise<T> {
	const restore = overrideSettings(values as Record<string, unknown>);
	try {
		return await run();
	} finally {
		restore();
	}
}
