/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * Every link from the nodes and credentials into this package's README points at a heading that
 * exists (GitHub's anchor rules), so "Open docs" in the n8n editor lands where it should.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');
const README_URL = 'https://github.com/epages-invoicexpress/n8n-nodes-epages-invoicexpress';

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

function readmeAnchors(): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	for (const line of readFileSync(join(REPO, 'README.md'), 'utf8').split('\n')) {
		const match = /^#{1,6}\s+(.*)$/.exec(line);
		if (!match) continue;
		const slug = githubSlug(match[1]);
		const n = seen.get(slug) ?? 0;
		anchors.add(n === 0 ? slug : `${slug}-${n}`);
		seen.set(slug, n + 1);
	}
	return anchors;
}

function filesUnder(dir: string, pattern: RegExp): string[] {
	return readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })
		.filter((f) => pattern.test(f))
		.map((f) => join(REPO, dir, f));
}

describe('documentation links', () => {
	it('GitHub slugs as GitHub makes them', () => {
		expect(githubSlug('ePages Trigger')).toBe('epages-trigger');
		expect(githubSlug('Scaling (n8n queue mode)')).toBe('scaling-n8n-queue-mode');
		expect(githubSlug('When an order cannot be invoiced')).toBe('when-an-order-cannot-be-invoiced');
	});

	it('every README anchor named by a node, codex file or credential exists', () => {
		const anchors = readmeAnchors();
		const files = [...filesUnder('nodes', /\.(ts|json)$/), ...filesUnder('credentials', /\.ts$/)];
		const links: string[] = [];
		for (const file of files) {
			for (const match of readFileSync(file, 'utf8').matchAll(new RegExp(`${README_URL.replace(/[.]/g, '\\.')}(#[^"'\\s)]*)?`, 'g'))) {
				links.push(`${file.slice(REPO.length + 1)} → ${match[1] ?? '(top)'}`);
				if (match[1]) expect({ file, anchor: match[1], exists: anchors.has(match[1].slice(1)) }).toEqual({ file, anchor: match[1], exists: true });
			}
		}
		// Each node's codex links to its own section.
		expect(links.filter((l) => l.includes('.node.json'))).toHaveLength(4);
	});

	it('every in-README link to a section resolves', () => {
		const anchors = readmeAnchors();
		const text = readFileSync(join(REPO, 'README.md'), 'utf8');
		const broken = [...text.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]).filter((a) => !anchors.has(a));
		expect(broken).toEqual([]);
	});
});
