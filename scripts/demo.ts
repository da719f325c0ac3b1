/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- demo script; never shipped */
/**
 * npm run demo            — a shop and an InvoicExpress account (local sandboxes), a real n8n with
 *                           this package, credentials and example workflows; the paid-order trigger
 *                           is active, so orders turn into invoices in the executions list.
 *                           The form "Invoice one ePages order by hand" (example 05) is active too:
 *                           its URL is printed beside the editor's.
 * npm run demo -- --form  — the same, with the paid-order trigger left inactive: the shop's paid orders
 *                           wait in the form's list, to be invoiced by hand.
 * npm run demo -- --once  — runs the one-step flow headlessly over the seeded orders and prints a table.
 * npm run demo -- --platform beyond [--once]
 *                         — the same story with an ePages Beyond shop (the local Beyond fake): the
 *                           ePages Beyond Trigger (webhooks) is active, each order paid becomes an
 *                           e-mailed invoice within a second. --once: six orders are paid, the table is
 *                           printed when they are invoiced, and the demo ends.
 */
import { createRequire } from 'node:module';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { ensureN8n, exampleCredentials, N8nInstance, nodeOutput, packPackage, REPO } from '../test/e2e/n8n';
import { startEPagesSandbox } from '../test/sandbox/epages';
import { startInvoicExpressSandbox } from '../test/sandbox/invoicexpress';
import { startBeyondSandbox, type BeyondOrder } from '../test/sandbox/beyond';
import { BEYOND_WEBHOOK_ID, BEYOND_WEBHOOK_WORKFLOW_ID, beyondCredential, beyondPollingWorkflow, beyondWebhookWorkflow, invoicExpressCredential, ownerEnv, waitFor } from '../test/e2e/beyond-flow';

const once = process.argv.includes('--once');
const formOnly = process.argv.includes('--form');
/** The form's path (examples/05-invoice-one-order-form.json, its Form Trigger's Form Path). */
const FORM_PATH = 'faturar-encomenda';
const platformArg = process.argv.indexOf('--platform');
const platform = platformArg >= 0 ? process.argv[platformArg + 1] : 'now';
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
	if (platform === 'beyond') return await mainBeyond();
	if (platform !== 'now') throw new Error(`--platform ${String(platform)}: use now (the default) or beyond`);
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
	const form = example('05-invoice-one-order-form.json');
	await n8n.importWorkflows([trigger, example('01-paid-orders-to-invoices-manual.json'), example('02-separate-steps.json'), example('03-backfill-date-range.json'), form]);

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

	for (const id of formOnly ? [form.id] : [trigger.id, form.id]) {
		const published = await n8n.cli(['publish:workflow', `--id=${id}`]);
		if (published.code !== 0) throw new Error(`could not activate the workflow ${id}:\n${published.stderr}`);
	}
	const port = await freePort(5678);
	console.log('Starting n8n ...');
	await n8n.start(port);
	console.log(`\nn8n is running: http://127.0.0.1:${port}`);
	console.log(`The form (invoice one order by hand): http://127.0.0.1:${port}/form/${FORM_PATH}`);
	console.log(`Log in as ${OWNER_EMAIL} / ${OWNER_PASSWORD} (the editor and the form ask for the same n8n login)`);
	if (formOnly) {
		console.log('The paid-order trigger is not active: the shop\'s paid orders wait in the form\'s list. A new paid');
		console.log('order arrives every 45 seconds.');
	} else {
		console.log('The workflow "ePages paid order → InvoicExpress invoice (one step)" is active: within a minute the');
		console.log('shop\'s paid orders become invoices (Executions), so the form\'s list empties; run');
		console.log('`npm run demo -- --form` to try the form on them. A new paid order arrives every 45 seconds.');
	}
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

/** The same merchant story on ePages Beyond: orders paid in the shop arrive by signed webhook. */
async function mainBeyond(): Promise<void> {
	console.log('Preparing the ePages Beyond demo (the first run installs n8n: a few minutes) ...');
	const install = await ensureN8n();
	const tarball = await packPackage();
	const ix = await startInvoicExpressSandbox();
	const shop = await startBeyondSandbox({ seed: 'fixtures' });
	console.log(`ePages Beyond fake:    ${shop.apiUrl}`);
	console.log(`InvoicExpress sandbox: ${ix.url}`);

	const demoFolder = join(process.env.HOME ?? '/tmp', '.cache', 'n8n-nodes-epages-invoicexpress', 'demo-beyond');
	rmSync(demoFolder, { recursive: true, force: true });
	const n8n = new N8nInstance(install, ownerEnv(install, { email: OWNER_EMAIL, password: OWNER_PASSWORD, firstName: 'Demo', lastName: 'Merchant' }), demoFolder);
	await n8n.installPackage(tarball);
	await n8n.importCredentials([invoicExpressCredential('ixCredential0001', ix), beyondCredential(shop)]);
	// The webhook workflow is active; the polling one (for shops n8n cannot be reached from) is there to look at.
	await n8n.importWorkflows([beyondWebhookWorkflow('ixCredential0001'), beyondPollingWorkflow('ixCredential0001')]);
	const published = await n8n.cli(['publish:workflow', `--id=${BEYOND_WEBHOOK_WORKFLOW_ID}`]);
	if (published.code !== 0) throw new Error(`could not activate the Beyond workflow:\n${published.stderr}`);
	const port = await freePort(once ? 0 : 5678);
	console.log('Starting n8n ...');
	await n8n.start(port);
	const webhookUrl = `http://127.0.0.1:${port}/webhook/${BEYOND_WEBHOOK_ID}/webhook`;
	await waitFor('n8n to subscribe to the shop', () => shop.subscriptions.length > 0, 120000);
	console.log(`n8n subscribed the shop to ${shop.subscriptions[0].callbackUri} (order.created, order.updated; ${shop.signers.length} signer)`);
	if (shop.subscriptions[0].callbackUri !== webhookUrl) throw new Error(`unexpected webhook URL ${shop.subscriptions[0].callbackUri}`);

	const paidAt = new Map<string, number>();
	const pay = (order: BeyondOrder) => {
		paidAt.set(order.orderNumber, Date.now());
		shop.setPaymentStatus(order._id, 'PAID');
	};
	const invoiceOf = (order: BeyondOrder) => ix.legalDocuments().find((d) => d.reference === order.orderNumber);

	if (once) {
		// Six new orders; a customer pays each one a moment later.
		const orders = Array.from({ length: 6 }, () => shop.addOrder());
		await shop.waitForDeliveries();
		for (const order of orders) pay(order);
		const withEmail = orders.filter((o) => o.billingAddress.email).length;
		await waitFor('the paid orders to be invoiced', () => orders.every((o) => invoiceOf(o)) && ix.state.emails.length >= withEmail, 120000);
		await shop.waitForDeliveries();
		const firstDocOfClient = new Map<number, number>();
		for (const d of [...ix.state.documents].sort((a, b) => a.id - b.id)) if (!firstDocOfClient.has(d.client.id)) firstDocOfClient.set(d.client.id, d.id);
		const rows = [['order', 'customer', 'client', 'invoice', 'total', 'e-mailed', 'paid → e-mailed']];
		for (const order of orders) {
			const doc = invoiceOf(order)!;
			const email = ix.state.emails.find((e) => e.documentId === doc.id);
			rows.push([
				order.orderNumber,
				`${order.billingAddress.firstName ?? ''} ${order.billingAddress.lastName ?? ''}`.trim(),
				firstDocOfClient.get(doc.client.id) === doc.id ? 'created' : 'found',
				`FT ${doc.inverted_sequence_number ?? doc.sequence_number}`,
				`${doc.total.toFixed(2)} €`,
				email ? 'yes' : 'no (the order has no e-mail address)',
				email ? `${email.at - paidAt.get(order.orderNumber)!} ms` : `${doc.finalizedAt! - paidAt.get(order.orderNumber)!} ms (invoiced)`,
			]);
		}
		console.log(`\n${table(rows)}\n`);
		const delivered = shop.deliveries.filter((d) => d.outcome === 'delivered').length;
		console.log(`${ix.legalDocuments().length} finalized invoices, ${ix.state.clients.length} clients, ${ix.state.emails.length} e-mails; ${delivered} signed deliveries taken by n8n.`);
		await n8n.stop();
		await ix.close();
		await shop.close();
		if (ix.legalDocuments().length !== orders.length) throw new Error('not every paid order was invoiced once');
		return;
	}

	console.log(`\nn8n is running: http://127.0.0.1:${port}`);
	console.log(`Log in as ${OWNER_EMAIL} / ${OWNER_PASSWORD}`);
	console.log('The workflow "ePages Beyond paid order → InvoicExpress invoice (webhook)" is active: an order paid in');
	console.log('the shop is invoiced and e-mailed within a second (Executions). A new order arrives every 45 seconds');
	console.log('and is paid 10 seconds later.');
	console.log('Press Ctrl+C to stop.\n');
	const pending = new Set<NodeJS.Timeout>();
	const timer = setInterval(() => {
		const order = shop.addOrder();
		console.log(`shop: new order ${order.orderNumber} (${order.grandTotal.amount.toFixed(2)} €), not paid yet`);
		const later = setTimeout(() => {
			pending.delete(later);
			pay(order);
			const started = Date.now();
			void waitFor('the invoice', () => invoiceOf(order) !== undefined, 60000).then(
				() => console.log(`shop: order ${order.orderNumber} paid → invoice FT ${invoiceOf(order)!.inverted_sequence_number} in ${Date.now() - started} ms — invoices so far: ${ix.legalDocuments().length}`),
				() => console.log(`shop: order ${order.orderNumber} paid, no invoice within a minute (see Executions)`),
			);
		}, 10000);
		pending.add(later);
	}, 45000);
	const stop = async () => {
		clearInterval(timer);
		for (const t of pending) clearTimeout(t);
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
