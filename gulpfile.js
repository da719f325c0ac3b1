// Asset step of the build, as in the classic n8n starter: `n8n-node build` compiles the TypeScript and
// copies icons, but not the codex files (`*.node.json`), which n8n reads next to each node to place it in
// the right categories of the node panel. Running both keeps `npm run build` complete on its own.
const path = require('path');
const { task, src, dest, parallel } = require('gulp');

function copyIcons() {
	const nodeIcons = src('nodes/**/*.{png,svg}', { encoding: false }).pipe(dest('dist/nodes'));
	const credentialIcons = src('icons/**/*.{png,svg}', { encoding: false }).pipe(dest('dist/icons'));
	return Promise.all([streamDone(nodeIcons), streamDone(credentialIcons)]);
}

function copyCodex() {
	return src('nodes/**/*.node.json').pipe(dest(path.resolve('dist', 'nodes')));
}

function streamDone(stream) {
	return new Promise((resolve, reject) => stream.on('finish', resolve).on('error', reject));
}

task('build:icons', copyIcons);
task('build:codex', copyCodex);
task('build:assets', parallel(copyIcons, copyCodex));
