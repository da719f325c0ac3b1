/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- benchmark script; never shipped */
/**
 * Child processes of the benchmark: bench/worker.ts run under ts-node, one job each, the result
 * written as JSON to a file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BENCH_DIR = resolve(__dirname, '..');

export interface WorkerHandle {
	done: Promise<unknown>;
	pid: number | undefined;
	/** Ends this worker (when the benchmark itself fails). */
	kill(): void;
}

export function startWorker(job: string, args: object, opts: { exposeGc?: boolean } = {}): WorkerHandle {
	const dir = mkdtempSync(join(tmpdir(), 'bench-worker-'));
	const outFile = join(dir, 'result.json');
	const nodeArgs = [...(opts.exposeGc ? ['--expose-gc'] : []), '-r', require.resolve('ts-node/register/transpile-only'), join(BENCH_DIR, 'worker.ts'), job, JSON.stringify(args), outFile];
	const child = spawn(process.execPath, nodeArgs, { cwd: resolve(BENCH_DIR, '..'), stdio: ['ignore', 'inherit', 'inherit'] });
	const done = new Promise((resolvePromise, reject) => {
		child.on('error', reject);
		child.on('close', (code) => {
			try {
				if (code !== 0) throw new Error(`benchmark worker "${job}" exited with ${String(code)}`);
				resolvePromise(JSON.parse(readFileSync(outFile, 'utf8')));
			} catch (error) {
				reject(error);
			} finally {
				rmSync(dir, { recursive: true, force: true });
			}
		});
	});
	return { done, pid: child.pid, kill: () => child.kill('SIGTERM') };
}

export async function runWorker(job: string, args: object, opts: { exposeGc?: boolean } = {}): Promise<unknown> {
	return await startWorker(job, args, opts).done;
}
