/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- test code that runs the install script; never shipped */
/**
 * scripts/install-n8n.sh runs under `npm run` (demo, test:e2e, bench), where npm hands the project's
 * `ignore-scripts=true` to child processes as npm_config_ignore_scripts. An `npm rebuild sqlite3`
 * that inherits it compiles nothing and "succeeds": the first run on a new machine then failed. These
 * tests keep that trap from coming back.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'install-n8n.sh');

/** A project with one dependency whose install script leaves a file behind, as a native build does. */
function projectWithNativeDependency(): string {
	const dir = mkdtempSync(join(tmpdir(), 'install-trap-'));
	writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, dependencies: { 'fake-native': '1.0.0' } }));
	const pkg = join(dir, 'node_modules', 'fake-native');
	mkdirSync(pkg, { recursive: true });
	writeFileSync(
		join(pkg, 'package.json'),
		JSON.stringify({ name: 'fake-native', version: '1.0.0', scripts: { install: 'node -e "require(\'fs\').writeFileSync(\'built\', \'ok\')"' } }),
	);
	return dir;
}

/** The environment `npm run` gives a script in this repository. */
const underNpmRun = { ...process.env, npm_config_ignore_scripts: 'true', NPM_CONFIG_IGNORE_SCRIPTS: 'true' };

describe('install-n8n.sh and the inherited ignore-scripts setting', () => {
	it('the trap is real: a plain npm rebuild under npm run builds nothing', () => {
		const dir = projectWithNativeDependency();
		try {
			execFileSync('npm', ['rebuild', 'fake-native'], { cwd: dir, env: underNpmRun, stdio: 'pipe' });
			expect(existsSync(join(dir, 'node_modules', 'fake-native', 'built'))).toBe(false);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it("the script's clean_npm rebuilds for real under npm run", () => {
		const dir = projectWithNativeDependency();
		try {
			execFileSync('bash', ['-c', `source "${SCRIPT}" --lib && cd "${dir}" && clean_npm rebuild fake-native`], { env: underNpmRun, stdio: 'pipe' });
			expect(readFileSync(join(dir, 'node_modules', 'fake-native', 'built'), 'utf8')).toBe('ok');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('every npm call of the script goes through clean_npm, and the cache is trusted only after the proof', () => {
		const lines = readFileSync(SCRIPT, 'utf8').split('\n');
		const code = lines.filter((l) => !/^\s*#/.test(l));
		// `npm` as a command (not inside clean_npm itself, not in a message or a `command -v` check).
		const bare = code.filter((l) => /(^|[;&|(]\s*|\s)npm\s/.test(l) && !/clean_npm|npm24|command -v npm|env "\$\{unset_args\[@\]\}" npm|log |fail /.test(l));
		expect(bare).toEqual([]);
		const text = code.join('\n');
		// Each `touch .complete` follows a successful proof in the same branch.
		const touches = [...text.matchAll(/touch "\$N8N_DIR\/\.complete"/g)].map((m) => m.index);
		expect(touches.length).toBeGreaterThan(0);
		for (const at of touches) expect(text.slice(Math.max(0, at - 400), at)).toMatch(/prove_n8n/);
		expect(text).toMatch(/rebuild --ignore-scripts=false/);
		// Node 24's headers by flag: clean_npm drops inherited npm_config_nodedir, and a user's ~/.npmrc may name Node 20's.
		expect(text).toMatch(/rebuild [^\n]*--nodedir="\$NODE_HOME"/);
	});
});
