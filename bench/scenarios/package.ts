/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- benchmark script; never shipped */
/**
 * Scenario 6: the packed size of this package and the time n8n needs to load it (`require` of every
 * node and credential file that package.json's "n8n" section lists, and `new` of each class, as n8n's
 * loader does), next to reference community node packages installed from the npm registry into a
 * temporary folder in the same run. Load times are the median of several fresh processes, each with
 * n8n-workflow already loaded (n8n has it loaded before it loads community packages).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO } from '../../test/e2e/n8n';
import { round } from '../lib/requests';

export const REFERENCE_PACKAGES = ['n8n-nodes-mcp', 'n8n-nodes-lemonsqueezy'];

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		execFile(cmd, args, { cwd, env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
			resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
		});
	});
}

export interface PackageFigures {
	name: string;
	version: string;
	packed_kb: number;
	unpacked_kb: number;
	files: number;
	/** Installed size including runtime dependencies (node_modules of the install), when installed. */
	installed_kb?: number;
	runtime_dependencies: number;
	nodes: number;
	credentials: number;
	/** Median of the fresh processes. */
	load_ms: number;
	load_ms_runs: number[];
	error?: string;
}

export interface PreparedPackage {
	name: string;
	version: string;
	/** Folder that holds the package's package.json. */
	dir: string;
	packed_kb: number;
	unpacked_kb: number;
	files: number;
	installed_kb?: number;
	runtime_dependencies: number;
}

interface PackJson {
	name: string;
	version: string;
	size: number;
	unpackedSize: number;
	entryCount: number;
	filename: string;
}

function duKb(dir: string): Promise<number> {
	return run('du', ['-sk', dir], dir).then((r) => Number(r.stdout.split(/\s/)[0]) || 0);
}

/** Sizes of an unpacked folder: bytes and files, recursively. */
function folderSize(dir: string): { bytes: number; files: number } {
	let bytes = 0;
	let files = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) {
			const sub = folderSize(path);
			bytes += sub.bytes;
			files += sub.files;
		} else {
			bytes += statSync(path).size;
			files++;
		}
	}
	return { bytes, files };
}

/**
 * This package as the tarball that was installed into n8n for scenarios 1 and 3, unpacked into
 * `root`: its load time is measured there, not in the repository's dist/ (which another build may be
 * rewriting meanwhile).
 */
export async function prepareOwn(tarball: string, root: string): Promise<PreparedPackage> {
	const dir = mkdtempSync(join(root, 'own-'));
	const untar = await run('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], dir);
	if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);
	const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
		name: string;
		version: string;
		dependencies?: object;
		n8n: { nodes?: string[]; credentials?: string[] };
	};
	const missing = [...(pkg.n8n.nodes ?? []), ...(pkg.n8n.credentials ?? [])].filter((f) => !existsSync(join(dir, f)));
	if (missing.length > 0) throw new Error(`the packed tarball lacks ${missing.join(', ')}`);
	const { bytes, files } = folderSize(dir);
	return {
		name: pkg.name,
		version: pkg.version,
		dir,
		packed_kb: round(statSync(tarball).size / 1024, 1),
		unpacked_kb: round(bytes / 1024, 1),
		files,
		runtime_dependencies: Object.keys(pkg.dependencies ?? {}).length,
	};
}

/**
 * Downloads the published tarball (`npm pack <name>`) for the packed size, and installs the package
 * with its runtime dependencies (peer dependencies left out: n8n provides n8n-workflow).
 */
export async function prepareReference(name: string, root: string): Promise<PreparedPackage> {
	const dir = mkdtempSync(join(root, 'ref-'));
	writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench-reference', private: true }));
	const pack = await run('npm', ['pack', name, '--json', '--pack-destination', dir], dir);
	if (pack.code !== 0) throw new Error(`npm pack ${name} failed: ${pack.stderr.slice(-500)}`);
	const info = (JSON.parse(pack.stdout) as PackJson[])[0];
	const tarball = join(dir, info.filename);
	const size = statSync(tarball).size;
	const install = await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', '--no-package-lock', tarball], dir);
	if (install.code !== 0) throw new Error(`npm install ${name} failed: ${install.stderr.slice(-500)}`);
	const pkgDir = join(dir, 'node_modules', name);
	const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: object };
	return {
		name: info.name,
		version: info.version,
		dir: pkgDir,
		packed_kb: round(size / 1024, 1),
		unpacked_kb: round(info.unpackedSize / 1024, 1),
		files: info.entryCount,
		installed_kb: await duKb(join(dir, 'node_modules')),
		runtime_dependencies: Object.keys(pkg.dependencies ?? {}).length,
	};
}

/** Runs in a fresh process: loads n8n-workflow, then times require + new of every listed file. */
const LOAD_SCRIPT = `
const path = require('path');
const dir = process.argv[1];
require('n8n-workflow');
const pkg = require(path.join(dir, 'package.json'));
const files = [...(pkg.n8n.credentials || []), ...(pkg.n8n.nodes || [])];
const t0 = process.hrtime.bigint();
for (const file of files) {
	const mod = require(path.join(dir, file));
	for (const value of Object.values(mod)) {
		if (typeof value === 'function' && /^class\\b/.test(Function.prototype.toString.call(value))) new value();
	}
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(JSON.stringify({ ms, nodes: (pkg.n8n.nodes || []).length, credentials: (pkg.n8n.credentials || []).length }));
`;

export async function measureLoad(prepared: PreparedPackage, nodeBin: string, runs: number): Promise<PackageFigures> {
	const times: number[] = [];
	let nodes = 0;
	let credentials = 0;
	let error: string | undefined;
	// n8n-workflow comes from this repository's node_modules for every package: the same copy for all.
	const env = { ...process.env, NODE_PATH: join(REPO, 'node_modules') };
	for (let i = 0; i < runs && !error; i++) {
		const r = await run(nodeBin, ['-e', LOAD_SCRIPT, prepared.dir], prepared.dir, env);
		if (r.code !== 0) {
			error = r.stderr.split('\n').slice(0, 5).join(' ');
			break;
		}
		const out = JSON.parse(r.stdout) as { ms: number; nodes: number; credentials: number };
		times.push(round(out.ms, 1));
		nodes = out.nodes;
		credentials = out.credentials;
	}
	const sorted = [...times].sort((a, b) => a - b);
	return {
		name: prepared.name,
		version: prepared.version,
		packed_kb: prepared.packed_kb,
		unpacked_kb: prepared.unpacked_kb,
		files: prepared.files,
		...(prepared.installed_kb !== undefined ? { installed_kb: prepared.installed_kb } : {}),
		runtime_dependencies: prepared.runtime_dependencies,
		nodes,
		credentials,
		load_ms: sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN,
		load_ms_runs: times,
		...(error ? { error } : {}),
	};
}
