// send-node.mjs: one multipart POST /v1/feedback the way a Node client builds it (fetch, FormData, Blob).
//
//	node send-node.mjs URL PROJECT KEY PAYLOAD_JSON [AUDIO] [SCREENSHOT]
//
// Node's own fetch (undici) with the global FormData and Blob, nothing from
// npm: Debian 12's nodejs (18.20) has all three, as do later ones.  (Not
// File nor fs.openAsBlob, which 18 lacks.)  The payload is a string field,
// as a widget appends JSON.stringify(...); the files are Blobs with the
// type a browser would claim.  Prints the status, a newline, the body;
// with HARK_CLIENT_HEADERS set, writes the answer's status line and headers
// to that file (for tests/openapi/record.pl).
import { readFileSync, writeFileSync } from 'node:fs';

const [url, project, key, payload, audio, shot] = process.argv.slice(2);
if (!payload) {
	console.error('usage: node send-node.mjs URL PROJECT KEY PAYLOAD_JSON [AUDIO] [SCREENSHOT]');
	process.exit(2);
}
const form = new FormData();
form.append('payload', readFileSync(payload, 'utf8'));
if (audio)
	form.append('audio', new Blob([readFileSync(audio)], { type: 'audio/webm' }), 'voice.webm');
if (shot)
	form.append('screenshot', new Blob([readFileSync(shot)], { type: 'image/png' }), 'shot.png');
const res = await fetch(url, {
	method: 'POST',
	headers: { 'x-earshot-project': project, 'x-earshot-key': key },
	body: form,
	signal: AbortSignal.timeout(60000),
});
if (process.env.HARK_CLIENT_HEADERS) {
	let h = `HTTP/1.1 ${res.status} ${res.statusText}\r\n`;
	for (const [k, v] of res.headers)
		h += `${k}: ${v}\r\n`;
	writeFileSync(process.env.HARK_CLIENT_HEADERS, `${h}\r\n`);
}
process.stdout.write(`${res.status}\n${await res.text()}`);
