/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- test infrastructure that starts services; never shipped */
/**
 * Throwaway services for the e2e tests, from Debian's packages, installed by the test set-up when
 * missing (a fresh CI machine has none of them): Chromium for the editor test, PostgreSQL and Redis
 * for n8n's queue mode. Every server listens on loopback only and keeps its data in a temporary folder.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './n8n';

/** Installs Debian packages with apt-get unless `present()` says they are there already. */
export function ensureDebianPackages(label: string, packages: string[], present: () => boolean): void {
	if (present()) return;
	process.stderr.write(`[${label}] installing Debian ${packages.join(', ')} (apt-get) ...\n`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
	const aptGet = (...args: string[]) => {
		const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
		execFileSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'], env });
	};
	aptGet('update');
	aptGet('install', '-y', ...packages);
	if (!present()) throw new Error(`[${label}] ${packages.join(', ')} installed but still not found`);
}

function postgresBinDir(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')));
	return versions.length ? join(root, versions.sort((a, b) => Number(a) - Number(b)).pop()!, 'bin') : undefined;
}

export interface Postgres {
	/** The folder of the server's own tools (psql, pg_dump) of the same version. */
	bin: string;
	port: number;
	user: string;
	database: string;
	stop(): void;
}

/**
 * A PostgreSQL cluster in a temporary folder, trust authentication on 127.0.0.1 only, fsync off
 * (test data). PostgreSQL refuses to run as root: as root the cluster belongs to Debian's `postgres`.
 */
export async function startPostgres(): Promise<Postgres> {
	ensureDebianPackages('postgres', ['postgresql'], () => postgresBinDir() !== undefined);
	const bin = postgresBinDir()!;
	const dir = mkdtempSync(join(tmpdir(), 'n8n-pg-'));
	const asRoot = process.getuid?.() === 0;
	const pgUser = (cmd: string, args: string[]) => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]) as [string, string[]];
	if (asRoot) {
		const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
		chownSync(dir, uid, gid);
	}
	const data = join(dir, 'data');
	const user = 'n8n';
	execFileSync(...pgUser(join(bin, 'initdb'), ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--no-locale']), { stdio: 'ignore' });
	const port = await freePort();
	const server = spawn(
		...pgUser(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200']),
		{ stdio: 'ignore', detached: false },
	);
	const deadline = Date.now() + 30000;
	const ready = () => {
		try {
			execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
			return true;
		} catch {
			return false;
		}
	};
	while (!ready()) {
		if (server.exitCode !== null || Date.now() > deadline) throw new Error(`PostgreSQL did not start (data in ${data})`);
		await new Promise((r) => setTimeout(r, 300));
	}
	const database = 'n8n';
	execFileSync(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, database], { stdio: 'ignore' });
	return {
		bin,
		port,
		user,
		database,
		stop() {
			server.kill('SIGINT');
			// A fast shutdown takes a moment; the folder goes once the server has let go of it.
			const until = Date.now() + 10000;
			while (server.exitCode === null && server.signalCode === null && Date.now() < until) execFileSync('sleep', ['0.2']);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

export interface Redis {
	port: number;
	stop(): void;
}

/** A Redis on 127.0.0.1 that persists nothing. */
export async function startRedis(): Promise<Redis> {
	ensureDebianPackages('redis', ['redis-server'], () => existsSync('/usr/bin/redis-server'));
	const dir = mkdtempSync(join(tmpdir(), 'n8n-redis-'));
	const port = await freePort();
	const pidFile = join(dir, 'redis.pid');
	execFileSync('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', pidFile, '--dir', dir], {
		stdio: 'ignore',
	});
	const deadline = Date.now() + 10000;
	while (!existsSync(pidFile)) {
		if (Date.now() > deadline) throw new Error('Redis did not start');
		await new Promise((r) => setTimeout(r, 100));
	}
	return {
		port,
		stop() {
			try {
				process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
			} catch {
				// already gone
			}
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
