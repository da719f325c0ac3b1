/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- benchmark script; never shipped */
/**
 * Entry point of the benchmark's child processes (see bench/lib/worker.ts):
 *   node -r ts-node/register/transpile-only bench/worker.ts <job> <json args> <result file>
 */
import './lib/preferTs';

import { writeFileSync } from 'node:fs';

async function main(): Promise<void> {
	const [job, rawArgs, outFile] = process.argv.slice(2);
	const args = JSON.parse(rawArgs) as Record<string, unknown>;
	let result: unknown;
	if (job === 'rate-limit') {
		const { runRateLimit } = await import('./scenarios/rateLimit');
		result = await runRateLimit(args as unknown as Parameters<typeof runRateLimit>[0]);
	} else if (job === 'backfill') {
		const { backfillWorker } = await import('./scenarios/overhead');
		result = await backfillWorker(args as never);
	} else if (job === 'reconcile') {
		const { reconcileWorker } = await import('./scenarios/reconcile');
		result = await reconcileWorker(args as never);
	} else {
		throw new Error(`unknown benchmark job ${job}`);
	}
	writeFileSync(outFile, JSON.stringify(result));
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
