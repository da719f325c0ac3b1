/**
 * Counting what the sandboxes saw: calls per endpoint (method and path with ids replaced), per order.
 */
import type { RecordedRequest } from '../../test/sandbox/recorder';

export interface EndpointCount {
	endpoint: string;
	calls: number;
	per_order: number;
	/** Answers by HTTP status ('0' for a dropped connection). */
	statuses: Record<string, number>;
}

export interface CallCount {
	total: number;
	per_order: number;
	by_endpoint: EndpointCount[];
}

export function ixEndpoint(r: RecordedRequest): string {
	return `${r.method} ${r.path.replace(/\/\d+(?=\/|\.json|\.pdf|$)/g, '/{id}')}`;
}

export function epEndpoint(r: RecordedRequest): string {
	const path = r.path.replace(/^\/rs\/shops\/[^/]+/, '').replace(/^\/orders\/[^/]+/, '/orders/{id}');
	return `${r.method} ${path === '' ? '/' : path}`;
}

export function countCalls(requests: RecordedRequest[], orders: number, endpoint: (r: RecordedRequest) => string): CallCount {
	const map = new Map<string, EndpointCount>();
	for (const r of requests) {
		const key = endpoint(r);
		let entry = map.get(key);
		if (!entry) {
			entry = { endpoint: key, calls: 0, per_order: 0, statuses: {} };
			map.set(key, entry);
		}
		entry.calls++;
		entry.statuses[String(r.status)] = (entry.statuses[String(r.status)] ?? 0) + 1;
	}
	const byEndpoint = [...map.values()].sort((a, b) => b.calls - a.calls || a.endpoint.localeCompare(b.endpoint));
	for (const e of byEndpoint) e.per_order = round(e.calls / orders, 4);
	return { total: requests.length, per_order: round(requests.length / orders, 4), by_endpoint: byEndpoint };
}

export function round(value: number, decimals = 3): number {
	const f = 10 ** decimals;
	return Math.round(value * f) / f;
}
