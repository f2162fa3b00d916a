// webhook_receiver.mjs: a webhook endpoint for test_webhooks.sh that verifies every delivery with the reference standardwebhooks library.
//
//	node webhook_receiver.mjs DIR
//
// Listens on 127.0.0.1, an ephemeral port written to DIR/port.  A request
// to /NAME/BEHAVIOUR is verified against every secret in DIR/secrets/NAME
// (one whsec_ a line, re-read on each request, so the suite can rotate),
// answered by BEHAVIOUR and logged as one JSON line in DIR/log.jsonl:
//   ok          200
//   fail-once   500 to the first request of each webhook-id, then 200
//   down        500, always
//   busy        503 with Retry-After: 600, always
//   busy-long   503 with Retry-After: 172800 (two days), always
//   redirect    302 to /NAME-target/ok
//   hang        no answer at all
// The line: {name, behaviour, method, id, file (DIR/bodies/N, the body's
// bytes), timestamp, signature, userAgent,
// contentType, answered, verified: [the indices of the secrets the
// library accepted], error (the library's, for the first secret), body}.
// Nothing of hark's code is used here: the signature check is the
// library's Webhook.verify, timestamp tolerance and all.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";

const require = createRequire(new URL("../webhooks/package.json", import.meta.url));
const { Webhook } = require("standardwebhooks");

const dir = process.argv[2];
const seen = new Set();
let count = 0;

function secrets(name) {
	try {
		return readFileSync(`${dir}/secrets/${name}`, "utf8")
		    .split("\n").filter((l) => l.length > 0);
	} catch {
		return [];
	}
}

const server = createServer((req, res) => {
	const chunks = [];
	req.on("data", (c) => chunks.push(c));
	req.on("end", () => {
		const bytes = Buffer.concat(chunks);
		const raw = bytes.toString("utf8");
		// The body as it came, for the suite to compare byte for byte.
		const file = `${dir}/bodies/${++count}`;
		writeFileSync(file, bytes);
		const [, name = "", behaviour = ""] = req.url.split("/");
		const id = req.headers["webhook-id"] ?? null;
		const verified = [];
		let error = null;
		secrets(name).forEach((s, i) => {
			try {
				new Webhook(s).verify(raw, req.headers);
				verified.push(i);
			} catch (e) {
				if (i === 0)
					error = String(e.message ?? e);
			}
		});
		let status = 200;
		const headers = { "Content-Type": "text/plain" };
		if (behaviour === "fail-once") {
			if (!seen.has(id))
				status = 500;
			seen.add(id);
		} else if (behaviour === "down") {
			status = 500;
		} else if (behaviour === "busy" || behaviour === "busy-long") {
			status = 503;
			headers["Retry-After"] = behaviour === "busy" ? "600" : "172800";
		} else if (behaviour === "redirect") {
			status = 302;
			headers.Location = `/${name}-target/ok`;
		} else if (behaviour === "hang") {
			status = 0;	// no answer: hark's timeout ends it
		} else if (behaviour !== "ok") {
			status = 404;
		}
		let body = null;
		try {
			body = JSON.parse(raw);
		} catch {
			body = raw;
		}
		appendFileSync(`${dir}/log.jsonl`, JSON.stringify({
			name, behaviour, method: req.method, id, file,
			timestamp: req.headers["webhook-timestamp"] ?? null,
			signature: req.headers["webhook-signature"] ?? null,
			userAgent: req.headers["user-agent"] ?? null,
			contentType: req.headers["content-type"] ?? null,
			answered: status, verified, error, body
		}) + "\n");
		if (status === 0)
			return;
		res.writeHead(status, headers);
		res.end(status === 200 ? "ok\n" : "no\n");
	});
});

server.listen(0, "127.0.0.1", () => {
	writeFileSync(`${dir}/port.tmp`, String(server.address().port));
	// Renamed into place: the suite never reads half a number.
	renameSync(`${dir}/port.tmp`, `${dir}/port`);
});
