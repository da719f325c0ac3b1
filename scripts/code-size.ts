/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- dev tool; never shipped */
/**
 * The longest functions and the largest files of the shipped code (nodes/, credentials/), for the
 * "short functions" rule (issue 22: no product function over about 60 lines).
 *   npx ts-node --transpile-only scripts/code-size.ts [root] [--top N] [--over LINES]
 * A function is any function declaration, method, arrow function or function expression; its length
 * is its line count from the first line of its signature to its closing brace.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return files(path);
		return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
	});
}

export interface Fn {
	file: string;
	name: string;
	lines: number;
}

function functionsOf(root: string, path: string): Fn[] {
	const text = readFileSync(path, 'utf8');
	const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
	const out: Fn[] = [];
	const visit = (node: ts.Node) => {
		if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
			const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
			const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
			let name = (node as ts.FunctionDeclaration).name?.getText() ?? '';
			if (!name && ts.isVariableDeclaration(node.parent)) name = node.parent.name.getText();
			if (!name && ts.isPropertyAssignment(node.parent)) name = node.parent.name.getText();
			out.push({ file: relative(root, path), name: name || '(anonymous)', lines: end - start + 1 });
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return out;
}

/** Every function of the shipped code (nodes/, credentials/) and every file, longest first. */
export function measure(root: string): { functions: Fn[]; files: Array<{ file: string; lines: number }> } {
	const shipped = ['nodes', 'credentials'].flatMap((d) => files(join(root, d)));
	return {
		functions: shipped.flatMap((path) => functionsOf(root, path)).sort((a, b) => b.lines - a.lines),
		files: shipped.map((f) => ({ file: relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length })).sort((a, b) => b.lines - a.lines),
	};
}

if (require.main === module) {
	const args = process.argv.slice(2);
	const root = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? process.cwd();
	const num = (flag: string, fallback: number) => {
		const i = args.indexOf(flag);
		return i >= 0 ? Number(args[i + 1]) : fallback;
	};
	const top = num('--top', 10);
	const over = num('--over', 60);
	const { functions: fns, files: sizes } = measure(root);
	console.log(`Longest functions (of ${fns.length}):`);
	for (const f of fns.slice(0, top)) console.log(`  ${String(f.lines).padStart(4)}  ${f.name}  (${f.file})`);
	console.log(`Functions over ${over} lines: ${fns.filter((f) => f.lines > over).length}`);
	console.log(`Largest files (of ${sizes.length}):`);
	for (const f of sizes.slice(0, top)) console.log(`  ${String(f.lines).padStart(4)}  ${f.file}`);
}
