/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- demo script; never shipped */
/**
 * npm run demo            — a shop and an InvoicExpress account (local sandboxes), a real n8n with
 *                           this package, credentials and example workflows; the paid-order trigger
 *                           is active, so orders turn into invoices in the executions list.
 * npm run demo -- --once  — runs the one-step flow headlessly over the seeded orders and prints a table.
 */
import { createRequire } from 'node:module';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { ensureN8n, exampleCredentials, N8nInstance, nodeOutput, packPackage, REPO } from '../test/e2e/n8n';
import { startEPagesSandbox } from '../test/sandbox/epages';
import { startInvoicExpressSandbox } from '../test/sandbox/invoicexpress';

const once = process.argv.includes('--once');
const OWNER_EMAIL = 'demo@example.com';
const OWNER_PASSWORD = ['Demo', 'invoice', '2026'].join('-');

function example(file: string) {
	return JSON.parse(readFileSync(join(REPO, 'examples', file), 'utf8')) as { id: string; nodes: Array<{ name: string; parameters: Record<string, unknown> }> };
}

async function freePort(preferred: number): Promise<number> {
	const tryPort = (port: number) =>
		new Promise<number | undefined>((resolve) => {
			const server = createServer();
			server.once('error', () => resolve(undefined));
			server.listen(port, '127.0.0.1', () => {
				const actual = (server.address() as { port: number }).port;
				server.close(() => resolve(actual));
			});
		});
	return (await tryPort(preferred)) ?? (await tryPort(0))!;
}

function table(rows: string[][]): string {
	const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
	const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
	return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
	console.log('Preparing the demo (the first run installs n8n: a few minutes) ...');
	const install = await ensureN8n();
	const tarball = await packPackage();
	const ix = await startInvoicExpressSandbox();
	const shop = await startEPagesSandbox();
	console.log(`ePages sandbox:        ${shop.apiUrl}`);
	console.log(`InvoicExpress sandbox: ${ix.url}`);

	const demoFolder = join(process.env.HOME ?? '/tmp', '.cache', 'n8n-nodes-epages-invoicexpress', 'demo');
	rmSync(demoFolder, { recursive: true, force: true });
	const bcrypt = createRequire(join(install.n8nDir, 'node_modules', 'n8n', 'package.json'))('bcryptjs') as { hashSync(p: string, r: number): string };
	const n8n = new N8nInstance(
		install,
		{
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: OWNER_EMAIL,
			N8N_INSTANCE_OWNER_FIRST_NAME: 'Demo',
			N8N_INSTANCE_OWNER_LAST_NAME: 'Merchant',
			N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(OWNER_PASSWORD, 10),
		},
		demoFolder,
	);
	await n8n.installPackage(tarball);
	await n8n.importCredentials(exampleCredentials(ix, shop));
	const trigger = example('01-paid-order-to-invoice.json');
	// Invoice the shop's paid orders of the last weeks on the first poll, then every new one.
	const triggerNode = trigger.nodes.find((n) => n.name === 'Paid Order, Not Invoiced')!;
	triggerNode.parameters.options = { ...(triggerNode.parameters.options as object), startFrom: '2026-10-01T00:00:00' };
	await n8n.importWorkflows([trigger, example('01-paid-orders-to-invoices-manual.json'), example('02-separate-steps.json'), example('03-backfill-date-range.json')]);

	if (once) {
		const result = await n8n.execute('exPaidOrderMan01');
		if (!result.run) throw new Error(`n8n execute failed:\n${result.stdout}\n${result.stderr}`);
		// Invoiced orders on the main output, refused ones (with the reason) on the error output.
		const out = [...nodeOutput(result.run, 'Create Invoice'), ...nodeOutput(result.run, 'Create Invoice', 1)];
		const firstDocOfClient = new Map<number, number>();
		for (const d of [...ix.state.documents].sort((a, b) => a.id - b.id)) if (!firstDocOfClient.has(d.client.id)) firstDocOfClient.set(d.client.id, d.id);
		const rows = [['order', 'customer', 'client', 'invoice', 'total', 'e-mailed']];
		for (const o of out) {
			if (o.error) {
				rows.push([String(o.error).split(':')[0], '', '', `error: ${String(o.error)}`, '', '']);
				continue;
			}
			const client = o.client_id as number;
			rows.push([
				String(o.order_number),
				String(o.client_name),
				firstDocOfClient.get(client) === o.document_id ? 'created' : 'found',
				String(o.legal_number),
				`${Number(o.total).toFixed(2)} €`,
				o.emailed ? 'yes' : `no (${String(o.email_skipped ?? '')})`,
			]);
		}
		console.log(`\n${table(rows)}\n`);
		console.log(`${ix.legalDocuments().length} finalized invoices, ${ix.state.clients.length} clients, ${ix.state.emails.length} e-mails.`);
		await ix.close();
		await shop.close();
		return;
	}

	const published = await n8n.cli(['publish:workflow', `--id=${trigger.id}`]);
	if (published.code !== 0) throw new Error(`could not activate the trigger workflow:\n${published.stderr}`);
	const port = await freePort(5678);
	console.log('Starting n8n ...');
	await n8n.start(port);
	console.log(`\nn8n is running: http://127.0.0.1:${port}`);
	console.log(`Log in as ${OWNER_EMAIL} / ${OWNER_PASSWORD}`);
	console.log('The workflow "ePages paid order → InvoicExpress invoice (one step)" is active: within a minute the');
	console.log('shop\'s paid orders become invoices (Executions). A new paid order arrives every 45 seconds.');
	console.log('Press Ctrl+C to stop.\n');
	const timer = setInterval(() => {
		const order = shop.addOrder();
		shop.setStatus(order.orderId, 'paidOn', new Date().toISOString());
		console.log(`shop: new paid order ${order.orderNumber} (${Number((order.lineItemContainer as unknown as { grandTotal: { amount: number } }).grandTotal.amount).toFixed(2)} €) — invoices so far: ${ix.legalDocuments().length}`);
	}, 45000);
	const stop = async () => {
		clearInterval(timer);
		console.log('\nStopping ...');
		await n8n.stop();
		await ix.close();
		await shop.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
	console.error(`demo failed: ${(error as Error).message}`);
	process.exit(1);
});
