// send-chromium.mjs: one multipart POST /v1/feedback built by a page in headless Chromium (FormData).
//
//	node send-chromium.mjs URL PROJECT KEY PAYLOAD_JSON AUDIO SCREENSHOT PAGE_PORT
//
// Serves a page and the three inputs from http://127.0.0.1:PAGE_PORT (a
// widget's page: another origin than hark's), opens it in Debian's chromium
// driven by playwright-core (tests/clients/package-lock.json; no browser of
// Playwright's own is ever downloaded), and lets the page do what a widget
// does: fetch the recording and the screenshot as Blobs, append them and
// the JSON payload to a FormData, and fetch() it cross-origin with the
// seed's headers, so Chromium sends its own multipart body, its Origin and
// its CORS preflight.  With HARK_IDEMPOTENCY_KEY set, the page sends the
// same FormData twice with that Idempotency-Key, as a widget retrying after
// a lost answer does (Chromium makes a new boundary for each request).
// Then the page polls GET /v1/feedback/session/{sessionId}/state once, as
// the widget does.  Prints "STATUS REPLAYED FIRST_STATUS POLL_STATUS STATE"
// (the last answer's status, its Idempotent-Replayed header as the page's
// script reads it or "-", the first answer's status, the poll's status and
// the state's status member or "-"), then the first answer's body on one
// line, then the last answer's body; exit 1 when the page could not send
// at all (a CORS refusal, say: the reason on stderr).
//
// Environment: HARK_CHROMIUM, the browser (default /usr/bin/chromium).  As
// root Chromium's sandbox cannot start, so it runs with --no-sandbox then.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [url, project, key, payload, audio, shot, port] = process.argv.slice(2);
if (!port) {
	console.error('usage: node send-chromium.mjs URL PROJECT KEY PAYLOAD_JSON AUDIO SCREENSHOT PAGE_PORT');
	process.exit(2);
}

const page_html = `<!doctype html>
<html><head><meta charset="utf-8"><title>hark widget test</title></head>
<body><p>A page with a feedback widget.</p></body></html>`;
const files = {
	'/': [Buffer.from(page_html), 'text/html; charset=utf-8'],
	'/payload.json': [readFileSync(payload), 'application/json'],
	'/voice.webm': [readFileSync(audio), 'audio/webm'],
	'/shot.png': [readFileSync(shot), 'image/png'],
};
const server = createServer((req, res) => {
	const f = files[req.url];
	if (!f) {
		res.writeHead(404).end();
		return;
	}
	res.writeHead(200, { 'Content-Type': f[1], 'Content-Length': f[0].length });
	res.end(f[0]);
});
await new Promise((ok, bad) => {
	server.once('error', bad);
	server.listen(Number(port), '127.0.0.1', ok);
});

const args = ['--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'];
if (process.getuid && process.getuid() === 0)
	args.push('--no-sandbox');
let browser;
let rc = 0;
try {
	browser = await chromium.launch({
		executablePath: process.env.HARK_CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args,
		timeout: 60000,
	});
	const page = await browser.newPage();
	await page.goto(`http://127.0.0.1:${port}/`);
	const idem = process.env.HARK_IDEMPOTENCY_KEY || '';
	const out = await page.evaluate(async ({ url, project, key, idem }) => {
		const get = async (p) => {
			const r = await fetch(p);
			if (!r.ok)
				throw new Error(`GET ${p}: ${r.status}`);
			return r;
		};
		const payload = await (await get('/payload.json')).text();
		// A MediaRecorder's Blob type, as a widget would hand it over.
		const voice = new Blob([await (await get('/voice.webm')).arrayBuffer()],
		    { type: 'audio/webm;codecs=opus' });
		const png = await (await get('/shot.png')).blob();
		const form = new FormData();
		form.append('payload', payload);
		form.append('audio', voice, 'voice.webm');
		form.append('screenshot', png, 'shot.png');
		const headers = { 'x-earshot-project': project, 'x-earshot-key': key };
		if (idem)
			headers['Idempotency-Key'] = idem;
		const send = async () => {
			const r = await fetch(url, { method: 'POST', mode: 'cors', headers, body: form });
			return {
				status: r.status,
				replayed: r.headers.get('Idempotent-Replayed') || '-',
				body: await r.text(),
			};
		};
		// The widget's poll of its session (the seed's state endpoint).
		const poll = async (answer) => {
			let sid;
			try {
				sid = JSON.parse(answer.body).sessionId;
			} catch (e) {
				return { status: '-', state: '-' };
			}
			const r = await fetch(`${url}/session/${encodeURIComponent(sid)}/state`,
			    { mode: 'cors', headers: { 'x-earshot-project': project, 'x-earshot-key': key } });
			let state = '-';
			try {
				state = (await r.json()).status || '-';
			} catch (e) {
			}
			return { status: r.status, state };
		};
		try {
			const first = await send();
			const last = idem ? await send() : first;
			return { first, last, poll: await poll(last) };
		} catch (e) {
			return { error: String(e) };
		}
	}, { url, project, key, idem });
	if (out.error) {
		console.error(`the page could not send: ${out.error}`);
		rc = 1;
	} else {
		process.stdout.write(`${out.last.status} ${out.last.replayed} ${out.first.status} ` +
		    `${out.poll.status} ${out.poll.state}\n` +
		    `${out.first.body.replace(/[\r\n]+/g, ' ')}\n${out.last.body}`);
	}
} catch (e) {
	console.error(String(e && e.stack || e));
	rc = 1;
} finally {
	if (browser)
		await browser.close();
	server.close();
}
process.exit(rc);
