/**
 * Seeded orders for the benchmark: paid orders whose billing customers repeat at a fixed share
 * ("returning customers"), created through the ePages sandbox's own `addOrder` so that lines, taxes,
 * shipping and totals are what the shop would give.
 */
import { prng } from '../../test/sandbox/faults';
import type { EPagesOrder, EPagesSandbox } from '../../test/sandbox/epages';

const FIRST = [
	'Ana', 'João', 'Maria', 'Rui', 'Inês', 'Pedro', 'Sofia', 'Miguel', 'Beatriz', 'Tiago',
	'Carla', 'Nuno', 'Rita', 'Luís', 'Marta', 'Hugo', 'Joana', 'Paulo', 'Catarina', 'André',
];
const LAST = [
	'Silva', 'Santos', 'Ferreira', 'Pereira', 'Oliveira', 'Costa', 'Rodrigues', 'Martins', 'Jesus', 'Sousa',
	'Fernandes', 'Gonçalves', 'Gomes', 'Lopes', 'Marques', 'Alves', 'Almeida', 'Ribeiro', 'Pinto', 'Carvalho',
];

export interface Customer {
	firstName: string;
	lastName: string;
	street: string;
	zipCode: string;
	city: string;
	country: string;
	emailAddress: string;
}

/** The k-th distinct customer (unique name for k < 8000). */
export function customer(k: number): Customer {
	const firstName = FIRST[k % 20];
	const lastName = `${LAST[Math.floor(k / 20) % 20]} ${LAST[Math.floor(k / 400) % 20]}`;
	const slug = `${firstName}.${lastName}`
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/\s+/g, '.')
		.toLowerCase();
	return {
		firstName,
		lastName,
		street: `Rua das Flores ${k + 1}`,
		zipCode: '1100-060',
		city: 'Lisboa',
		country: 'PT',
		emailAddress: `${slug}.${k}@example.com`,
	};
}

/**
 * Which orders come from a returning customer: exactly round(share × count) of them, never the
 * first, spread by a seeded shuffle. Returns, per order, the customer index.
 */
export function customerPlan(count: number, returningShare: number, seed = 7): number[] {
	const random = prng(seed);
	const returning = Math.round(count * returningShare);
	const flags = Array.from({ length: count }, (_, i) => i < returning);
	// Fisher-Yates over orders 1..count-1 (order 0 always brings a new customer).
	for (let i = count - 1; i > 1; i--) {
		const j = 1 + Math.floor(random() * i);
		[flags[i], flags[j]] = [flags[j], flags[i]];
	}
	if (flags[0]) {
		const free = flags.findIndex((f, i) => i > 0 && !f);
		flags[0] = false;
		if (free > 0) flags[free] = true;
	}
	const plan: number[] = [];
	let distinct = 0;
	for (let i = 0; i < count; i++) {
		if (flags[i] && distinct > 0) plan.push(Math.floor(random() * distinct));
		else plan.push(distinct++);
	}
	return plan;
}

export interface SeedOptions {
	count: number;
	returningShare: number;
	/** Creation date of the last order (ms); earlier ones are `spacingMs` apart. */
	lastCreatedAt?: number;
	spacingMs?: number;
	paid?: boolean;
	seed?: number;
}

/** Adds `count` paid orders to the shop; returns them oldest first. */
export function seedOrders(shop: EPagesSandbox, opts: SeedOptions): EPagesOrder[] {
	const plan = customerPlan(opts.count, opts.returningShare, opts.seed);
	const last = opts.lastCreatedAt ?? Date.now() - 60_000;
	const spacing = opts.spacingMs ?? 60_000;
	const out: EPagesOrder[] = [];
	for (let i = 0; i < opts.count; i++) {
		const created = new Date(last - (opts.count - 1 - i) * spacing).toISOString();
		const order = shop.addOrder(
			{
				customerId: null,
				billingAddress: { ...customer(plan[i]) },
				...(opts.paid === false ? {} : { paidOn: created }),
			},
			{ creationDate: created },
		);
		out.push(order);
	}
	return out;
}

/** Distinct billing names among the orders, and how many orders came from a customer seen before. */
export function customerStats(orders: EPagesOrder[]): { distinct: number; returningOrders: number } {
	const seen = new Set<string>();
	let returningOrders = 0;
	for (const o of orders) {
		const key = `${String(o.billingAddress.firstName)} ${String(o.billingAddress.lastName)}`;
		if (seen.has(key)) returningOrders++;
		seen.add(key);
	}
	return { distinct: seen.size, returningOrders };
}
