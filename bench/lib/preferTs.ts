/**
 * Node tries file extensions in the order they were registered, and ts-node adds `.ts` after `.json`:
 * `import '…/InvoicExpress.node'` would load the codex file InvoicExpress.node.json instead of the
 * node. Moving `.json` behind `.ts` (what ts-node's preferTsExts does) makes `.ts` win. Import this
 * module before anything that imports the nodes.
 */
const extensions = require.extensions as Record<string, NodeJS.RequireExtensions[string] | undefined>;
const json = extensions['.json'];
if (json && Object.keys(extensions).indexOf('.json') < Object.keys(extensions).indexOf('.ts')) {
	delete extensions['.json'];
	extensions['.json'] = json;
}

export {};
