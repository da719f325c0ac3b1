/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code; never shipped */
/**
 * A minimal SMTP server on loopback that keeps every message it is given (RFC 5321: EHLO/HELO, MAIL,
 * RCPT, DATA, RSET, NOOP, QUIT; no STARTTLS, no AUTH offered), and a small MIME reader for the
 * messages n8n's Send Email node (nodemailer) writes: the parts, their file names and decoded bodies.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface SinkMessage {
	from: string;
	to: string[];
	/** The message as sent, dot-unstuffed, lines joined with CRLF. */
	data: string;
}

export interface SmtpSink {
	port: number;
	messages: SinkMessage[];
	close(): Promise<void>;
}

function session(socket: Socket, messages: SinkMessage[]): void {
	let buffer = '';
	let inData = false;
	let lines: string[] = [];
	let envelope: { from: string; to: string[] } = { from: '', to: [] };
	const reply = (text: string) => socket.write(`${text}\r\n`);
	reply('220 sink.localhost ESMTP test sink');
	const command = (line: string) => {
		const verb = line.slice(0, 4).toUpperCase();
		if (verb === 'EHLO') return reply('250-sink.localhost\r\n250-8BITMIME\r\n250 SMTPUTF8');
		if (verb === 'HELO') return reply('250 sink.localhost');
		if (verb === 'MAIL') {
			envelope = { from: /<([^>]*)>/.exec(line)?.[1] ?? '', to: [] };
			return reply('250 OK');
		}
		if (verb === 'RCPT') {
			envelope.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
			return reply('250 OK');
		}
		if (verb === 'DATA') {
			inData = true;
			lines = [];
			return reply('354 End data with <CR><LF>.<CR><LF>');
		}
		if (verb === 'QUIT') {
			reply('221 Bye');
			return socket.end();
		}
		if (verb === 'RSET' || verb === 'NOOP') return reply('250 OK');
		return reply('502 Command not implemented');
	};
	socket.on('data', (chunk: Buffer) => {
		buffer += chunk.toString('utf8');
		for (let at = buffer.indexOf('\r\n'); at >= 0; at = buffer.indexOf('\r\n')) {
			const line = buffer.slice(0, at);
			buffer = buffer.slice(at + 2);
			if (!inData) {
				command(line);
			} else if (line === '.') {
				inData = false;
				messages.push({ ...envelope, data: lines.join('\r\n') });
				reply('250 OK: queued');
			} else {
				lines.push(line.startsWith('..') ? line.slice(1) : line);
			}
		}
	});
	socket.on('error', () => undefined);
}

export async function startSmtpSink(): Promise<SmtpSink> {
	const messages: SinkMessage[] = [];
	const server: Server = createServer((socket) => session(socket, messages));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return { port, messages, close: async () => await new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface MimePart {
	headers: Record<string, string>;
	/** The file name of an attachment (Content-Disposition or Content-Type name). */
	fileName?: string;
	body: Buffer;
}

/** Headers (unfolded, names lower case) and the body of one MIME entity. */
function entity(text: string): { headers: Record<string, string>; body: string } {
	const split = text.indexOf('\r\n\r\n');
	const head = split >= 0 ? text.slice(0, split) : text;
	const headers: Record<string, string> = {};
	for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}
	return { headers, body: split >= 0 ? text.slice(split + 4) : '' };
}

function decode(body: string, encoding: string | undefined): Buffer {
	const e = (encoding ?? '7bit').toLowerCase();
	if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
	if (e === 'quoted-printable') {
		const soft = body.replace(/=\r\n/g, '');
		const bytes: number[] = [];
		for (let i = 0; i < soft.length; i++) {
			if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
				bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
				i += 2;
			} else {
				bytes.push(...Buffer.from(soft[i], 'utf8'));
			}
		}
		return Buffer.from(bytes);
	}
	return Buffer.from(body, 'utf8');
}

/** Every leaf part of a message, multiparts opened recursively. */
export function mimeParts(raw: string): MimePart[] {
	const { headers, body } = entity(raw);
	const type = headers['content-type'] ?? 'text/plain';
	const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
	if (/^multipart\//i.test(type) && boundary) {
		const pieces = body.split(`--${boundary}`).slice(1);
		return pieces.filter((p) => !p.startsWith('--')).flatMap((p) => mimeParts(p.replace(/^\r\n/, '').replace(/\r\n$/, '')));
	}
	const name = /filename="?([^";]+)"?/i.exec(headers['content-disposition'] ?? '')?.[1] ?? /name="?([^";]+)"?/i.exec(type)?.[1];
	return [{ headers, ...(name ? { fileName: name } : {}), body: decode(body, headers['content-transfer-encoding']) }];
}
