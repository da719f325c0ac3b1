import type { IDataObject, INode, INodeProperties } from 'n8n-workflow';

import { perContext } from './request';

/**
 * Timings and sizes a workflow never needs to change (retry back-off, timeouts, trigger page sizes),
 * as a node parameter hidden from the editor. Tests and the benchmark shorten them through it, the
 * way any caller configures a node, instead of changing module state that every execution would share.
 * An absent section means the service's defaults.
 */
export const tuningParameter: INodeProperties = {
	displayName: 'Tuning',
	name: 'tuning',
	type: 'hidden',
	default: {},
};

/**
 * One section of the node's tuning (`invoicExpress`, `ePages`, `trigger`), or undefined. Read once per
 * execution: n8n copies the whole node on every `getNode()`, and every request asks.
 */
export function tuningOf(ctx: { getNode(): INode }, section: string): IDataObject | undefined {
	return perContext(ctx, `tuning.${section}`, () => {
		const tuning = ctx.getNode().parameters.tuning;
		if (!tuning || typeof tuning !== 'object' || Array.isArray(tuning)) return undefined;
		const value = (tuning as IDataObject)[section];
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : undefined;
	});
}
