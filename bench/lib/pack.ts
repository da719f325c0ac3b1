/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- benchmark script; never shipped */
/**
 * `npm run build` and `npm pack`, checked: the tarball must hold every node and credential file that
 * package.json lists. Other builds may run in the same working tree (tests build too, and a build
 * empties dist/ first), so an incomplete tarball is built and packed again, a few times.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO } from '../../test/e2e/n8n';

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		execFile(cmd, args, { cwd: REPO, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
			resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
		});
	});
}

export async function buildAndPack(attempts = 3): Promise<string> {
	const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { n8n: { nodes?: string[]; credentials?: string[] } };
	const wanted = [...(pkg.n8n.nodes ?? []), ...(pkg.n8n.credentials ?? [])].map((f) => `package/${f}`);
	let problem = '';
	for (let attempt = 1; attempt <= attempts; attempt++) {
		const build = await run('npm', ['run', 'build']);
		if (build.code !== 0) {
			problem = `npm run build failed:\n${build.stdout.slice(-1500)}\n${build.stderr.slice(-1500)}`;
			continue;
		}
		const dest = mkdtempSync(join(tmpdir(), 'bench-pack-'));
		const pack = await run('npm', ['pack', '--json', '--pack-destination', dest]);
		if (pack.code !== 0) {
			rmSync(dest, { recursive: true, force: true });
			problem = `npm pack failed: ${pack.stderr.slice(-1500)}`;
			continue;
		}
		const tarball = join(dest, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0].filename);
		const list = await run('tar', ['-tzf', tarball]);
		const files = new Set(list.stdout.split('\n'));
		const missing = wanted.filter((f) => !files.has(f));
		if (missing.length === 0) return tarball;
		rmSync(dest, { recursive: true, force: true });
		problem = `the tarball lacked ${missing.join(', ')} (another build emptied dist/ meanwhile?)`;
	}
	throw new Error(`could not build and pack the package in ${attempts} attempts: ${problem}`);
}
