/**
 * Work on one thing (a document, an order) that two executions in one n8n process must not do at
 * the same instant: a double click on "Execute workflow", a manual run beside the trigger, two
 * repairs at once. The later caller waits for the earlier one to end and is told it waited, so that
 * it reads the state again instead of acting on what it knew before (the earlier one may have just
 * done the same thing). Per process: executions on other workers (queue mode) are not kept apart.
 */
const IN_FLIGHT = new Map<string, Promise<unknown>>();

export async function inTurn<T>(key: string, work: (waited: boolean) => Promise<T>): Promise<T> {
	const before = IN_FLIGHT.get(key);
	const mine = (async () => {
		if (before) await before.catch(() => undefined);
		return await work(before !== undefined);
	})();
	IN_FLIGHT.set(key, mine);
	try {
		return await mine;
	} finally {
		if (IN_FLIGHT.get(key) === mine) IN_FLIGHT.delete(key);
	}
}
