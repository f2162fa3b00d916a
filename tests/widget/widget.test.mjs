// widget.test.mjs: the browser widget (widget/) in headless Chromium against the real stack; run by tests/integration/test_widget_browser.sh.
//
//	node widget.test.mjs
//
// Environment (test_widget_browser.sh sets it): HARK_URL (nginx in front
// of hark-fcgi, serving widget/ at /widget/), PAGE_PORT (this script serves
// the host pages on http://127.0.0.1:PAGE_PORT, another origin than hark's),
// PK (a widget source allowing that origin), PK_LIM (one with a rate limit
// of 1), SK + PRJ (a secret key, to read items back), DB_SOCKET + DB_NAME
// (MariaDB, root by unix_socket), MEDIA (media_dir), WIDGET_DIR (widget/),
// ARTIFACTS (where the dialog's screenshots go), HARK_CHROMIUM.
//
// Prints one "ok   - NAME" or "FAIL - NAME -- WHY" line per check.
import { createServer } from 'node:http';
import { readFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, extname } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const E = process.env;
const HARK = E.HARK_URL, PORT = Number(E.PAGE_PORT), PAGE = `http://127.0.0.1:${PORT}`;
const ART = E.ARTIFACTS || '/tmp';
mkdirSync(ART, { recursive: true });

let failed = 0;
const ok = (name) => console.log(`ok   - ${name}`);
const fail = (name, why) => { failed++; console.log(`FAIL - ${name}${why ? ' -- ' + String(why).replace(/\s+/g, ' ').slice(0, 300) : ''}`); };
const check = (name, cond, why) => (cond ? ok(name) : fail(name, why));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sql = (q) => execFileSync('mariadb', ['--no-defaults', '-S', E.DB_SOCKET, '-uroot', '-N', '-B',
	'-e', `USE \`${E.DB_NAME}\`; ${q}`], { encoding: 'utf8' }).trim();
const esc = (s) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
async function until(ms, fn) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v || Date.now() > end) return v;
		await sleep(200);
	}
}

// ---- the host pages: a shop with a login form, its script, an API
const SECRET = 'hunter2-Secret-7731';
const page_html = (q) => {
	const csp = q.get('csp') === '1';
	const pk = q.get('pk') || E.PK;
	const src = csp ? '/widget/hark.js' : `${HARK}/widget/hark.js`;
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shop test page</title><link rel="stylesheet" href="/app.css"></head>
<body><main><h1>Shop</h1><p>A page that embeds the hark widget.</p>
<form id="login"><label for="user">User</label> <input id="user" name="user" autocomplete="username">
<label for="pw">Password</label> <input id="pw" type="password" name="pw" autocomplete="current-password">
<label for="card">Card</label> <input id="card" data-hark-mask name="card">
<button id="go" type="button">Log in</button></form></main>
<script src="/app.js"></script>
<script src="${src}"${pk === 'none' ? '' : ` data-public-key="${pk}"`} data-endpoint="${HARK}"${q.get('lang') ? ` data-lang="${q.get('lang')}"` : ''} defer></script>
</body></html>`;
};
const app_js = `window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
	window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
document.addEventListener('DOMContentLoaded', function () { console.log('app started'); });
document.getElementById('go').addEventListener('click', function () {
	var pw = document.getElementById('pw').value, card = document.getElementById('card').value;
	console.warn('login attempt with', pw, card);
	fetch('/api/login?pw=' + encodeURIComponent(pw)).then(function (r) { return r.json(); });
	var x = new XMLHttpRequest();
	x.open('GET', '/api/cart');
	x.send();
	console.error(new Error('cart failed for ' + card));
});`;
const app_css = 'body { font: 16px/1.5 sans-serif; background: #fff; color: #111; } main { padding: 1rem; }';
const CSP = `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; ` +
	`media-src 'self' blob:; connect-src 'self' ${HARK}; form-action 'none'; base-uri 'none'`;
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.png': 'image/png' };
const server = createServer((req, res) => {
	const u = new URL(req.url, PAGE);
	const send = (status, type, body, extra = {}) => {
		res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
		res.end(body);
	};
	if (u.pathname === '/page.html')
		return send(200, TYPES['.html'], page_html(u.searchParams),
			u.searchParams.get('csp') === '1' ? { 'Content-Security-Policy': CSP } : {});
	if (u.pathname === '/app.js') return send(200, TYPES['.js'], app_js);
	if (u.pathname === '/app.css') return send(200, TYPES['.css'], app_css);
	if (u.pathname.startsWith('/api/')) return send(200, 'application/json', '{"ok":true}');
	// The CSP page hosts the widget itself (script-src 'self').
	if (u.pathname.startsWith('/widget/') && !u.pathname.includes('..')) {
		const f = join(E.WIDGET_DIR, u.pathname.slice(8));
		if (existsSync(f)) return send(200, TYPES[extname(f)] || 'application/octet-stream', readFileSync(f));
	}
	send(404, 'text/plain', 'not found');
});
await new Promise((ok, bad) => { server.once('error', bad); server.listen(PORT, '127.0.0.1', ok); });

const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--no-first-run',
	'--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
	'--auto-select-desktop-capture-source=Entire screen'];
const browser = await chromium.launch({ executablePath: E.HARK_CHROMIUM || '/usr/bin/chromium', headless: true, args, timeout: 60000 });

// ---- helpers on a page
async function newPage(opts = {}) {
	const ctx = await browser.newContext({ locale: 'en-US', ...opts });
	const page = await ctx.newPage();
	page.__console = [];
	page.on('console', (m) => page.__console.push(m.type() + ': ' + m.text()));
	page.on('pageerror', (e) => page.__console.push('pageerror: ' + e.message));
	return { ctx, page };
}
const q = (page, sel) => page.locator(`.hark-widget >> ${sel}`);	// pierces the open shadow root
async function load(page, query = '') {
	await page.goto(`${PAGE}/page.html${query ? '?' + query : ''}`);
	await q(page, 'button.hark-fab').waitFor({ state: 'visible', timeout: 15000 });
}
async function openDialog(page) {
	await q(page, 'button.hark-fab').click();
	await q(page, '.hark-dialog').waitFor({ state: 'visible', timeout: 15000 });
}
async function status(page, re, ms = 15000) {
	const loc = q(page, '#hark-status');
	const got = await until(ms, async () => { const s = await loc.textContent(); return re.test(s) ? s : null; });
	return got || (await loc.textContent());
}
const row = (text, cols) => sql(`SELECT ${cols} FROM feedback WHERE text = '${esc(text)}'`);
const count = (text) => Number(sql(`SELECT COUNT(*) FROM feedback WHERE text = '${esc(text)}'`));
// Pixels of a stored PNG, decoded by the page: [r,g,b,a] at fractions of
// its size, and how many pixels are the keyboard box's yellow outline.
async function pixels(page, file, points) {
	const data = 'data:image/png;base64,' + readFileSync(file).toString('base64');
	return page.evaluate(async ({ src, points }) => {
		const i = new Image();
		await new Promise((ok, bad) => { i.onload = ok; i.onerror = bad; i.src = src; });
		const c = document.createElement('canvas');
		c.width = i.naturalWidth; c.height = i.naturalHeight;
		const g = c.getContext('2d');
		g.drawImage(i, 0, 0);
		const all = g.getImageData(0, 0, c.width, c.height).data;
		let yellow = 0;
		for (let k = 0; k < all.length; k += 4)
			if (all[k] > 240 && all[k + 1] > 220 && all[k + 1] < 245 && all[k + 2] < 80) yellow++;
		return { w: c.width, h: c.height, yellow, at: points.map(([fx, fy]) =>
			Array.from(g.getImageData(Math.floor(c.width * fx), Math.floor(c.height * fy), 1, 1).data)) };
	}, { src: data, points });
}
const black = (p) => p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 255;
const orange = (p) => p[0] > 200 && p[1] > 100 && p[1] < 170 && p[2] < 60;

async function run(name, fn) {
	try { await fn(); } catch (e) { fail(`${name}: ran to the end`, e && e.stack || e); }
}

// ---- text, and the captured context
await run('text', async () => {
	const { ctx, page } = await newPage();
	await load(page);
	await page.fill('#user', 'pat');
	await page.fill('#pw', SECRET);
	await page.fill('#card', '4111-2222-3333-4444');
	await page.click('#go');
	await sleep(300);
	await openDialog(page);
	const text = `The export button does nothing ${Date.now()}`;
	await q(page, '#hark-cat').selectOption('bug');
	await q(page, '#hark-msg').fill(text);
	await q(page, '#hark-email').fill('pat@example.com');
	await q(page, 'button[type=submit]').click();
	const s = await status(page, /Thanks/);
	check('text: "Thanks" shown on the 2xx', /Thanks/.test(s), s);
	check('text: one row in MariaDB', count(text) === 1, `count ${count(text)}`);
	check('text: channel widget, the category chosen, the email, locale', row(text, "CONCAT(channel,' ',category,' ',triaged_by,' ',user_email,' ',locale)") ===
		'widget bug client pat@example.com en-US', row(text, "CONCAT(channel,' ',category,' ',triaged_by,' ',user_email,' ',locale)"));
	const extra = JSON.parse(row(text, 'extra') || '{}');
	const c = extra.context || {};
	check('context: arrived with the text (kept as extra by ingest)', c.capturedAt && c.device && c.page, JSON.stringify(extra).slice(0, 200));
	check('context: console entries (log, warn, error with its stack)',
		(c.console || []).some((e) => e.level === 'log' && e.message === 'app started') &&
		(c.console || []).some((e) => e.level === 'error' && /cart failed/.test(e.message) && /Error/.test(e.stack || '')),
		JSON.stringify(c.console));
	check('context: network entries (fetch and XMLHttpRequest, status and duration)',
		(c.network || []).some((e) => e.initiator === 'fetch' && e.url === `${PAGE}/api/login` && e.status === 200 && e.durationMs >= 0) &&
		(c.network || []).some((e) => e.initiator === 'xhr' && e.url === `${PAGE}/api/cart` && e.method === 'GET'),
		JSON.stringify(c.network));
	check('context: the widget\'s own requests are not in it', !(c.network || []).some((e) => e.url.startsWith(HARK)), JSON.stringify(c.network));
	const all = sql('SELECT CONCAT_WS(\' \', text, context, extra, metadata) FROM feedback');
	check('context: the password field\'s value did not arrive anywhere', !all.includes(SECRET) && !all.includes(encodeURIComponent(SECRET)));
	check('context: nor a data-hark-mask field\'s', !all.includes('4111-2222-3333-4444'));
	check('context: masked in place', JSON.stringify(c.console).includes('[masked]'));
	check('context: page and device', c.page.url === `${PAGE}/page.html` && c.page.title === 'Shop test page' && c.device.viewport.width > 0 && c.device.language === 'en-US',
		JSON.stringify([c.page, c.device]));
	check('text: typed text cleared after sending', (await q(page, '#hark-msg').inputValue()) === '');
	await ctx.close();
});

// ---- voice, with Chromium's fake microphone
await run('voice', async () => {
	const { ctx, page } = await newPage({ permissions: ['microphone'] });
	await load(page);
	await openDialog(page);
	await q(page, 'button.hark-btn:has-text("Record voice")').click();
	const timer = await until(5000, async () => /Recording: 0:0/.test(await q(page, '.hark-timer').textContent()));
	check('voice: a timer runs while recording', timer, await q(page, '.hark-timer').textContent());
	await sleep(2500);
	await q(page, 'button:has-text("Stop recording")').click();
	await q(page, '.hark-media audio').waitFor({ state: 'visible', timeout: 5000 });
	check('voice: playback before sending', await q(page, '.hark-media audio').isVisible());
	const text = `Spoken feedback ${Date.now()}`;
	await q(page, '#hark-msg').fill(text);
	await q(page, 'button[type=submit]').click();
	const s = await status(page, /Thanks/, 30000);
	check('voice: "Thanks" on the 202', /Thanks/.test(s), s);
	const m = sql(`SELECT CONCAT(m.kind,' ',m.mime,' ',m.path,' ',f.channel,' ',IFNULL(f.audio_duration_ms,'-')) FROM media m JOIN feedback f ON f.id = m.feedback_id WHERE f.text = '${esc(text)}'`);
	const [kind, mime, path, channel, ms] = m.split(' ');
	check('voice: an audio file stored', kind === 'audio', m);
	check('voice: of a libmagic-accepted type (audio/webm)', mime === 'audio/webm' || mime === 'audio/mp4', m);
	const magic = path ? execFileSync('file', ['-b', '--mime-type', join(E.MEDIA, path)], { encoding: 'utf8' }).trim() : '';
	check('voice: the file is WebM/MP4 by libmagic', /^(video|audio)\/(webm|mp4)$/.test(magic), magic);
	check('voice: channel voice, with its duration', channel === 'voice' && Number(ms) >= 1500, m);
	await ctx.close();
});

// ---- a screenshot file with a black box drawn on it
await run('screenshot', async () => {
	const { ctx, page } = await newPage();
	const shotPage = await ctx.newPage();
	await shotPage.setViewportSize({ width: 400, height: 300 });
	await shotPage.setContent('<body style="margin:0;background:#ff8800"></body>');
	const png = await shotPage.screenshot({ type: 'png' });
	await shotPage.close();
	await load(page);
	await page.evaluate(() => {
		Hark.identify({ userId: 'u_42', email: 'pat@example.com', name: 'Pat', traits: { plan: 'pro' } });
		Hark.setContext({ cart: 3 });
	});
	await openDialog(page);
	await q(page, 'input[type=file]').setInputFiles({ name: 'shot.png', mimeType: 'image/png', buffer: png });
	const cv = q(page, 'canvas.hark-canvas');
	await cv.waitFor({ state: 'visible', timeout: 5000 });
	const b = await cv.boundingBox();
	await page.mouse.move(b.x + b.width * 0.1, b.y + b.height * 0.1);
	await page.mouse.down();
	await page.mouse.move(b.x + b.width * 0.3, b.y + b.height * 0.3, { steps: 5 });
	await page.mouse.move(b.x + b.width * 0.5, b.y + b.height * 0.5, { steps: 5 });
	await page.mouse.up();
	const text = `Screenshot with a secret blacked out ${Date.now()}`;
	await q(page, '#hark-msg').fill(text);
	await q(page, 'button[type=submit]').click();
	const s = await status(page, /Thanks/, 30000);
	check('screenshot: "Thanks" on the 202', /Thanks/.test(s), s);
	const m = sql(`SELECT CONCAT(m.mime,' ',m.path) FROM media m JOIN feedback f ON f.id = m.feedback_id WHERE f.text = '${esc(text)}' AND m.kind = 'screenshot'`);
	const [mime, path] = m.split(' ');
	check('screenshot: stored as image/png', mime === 'image/png', m);
	if (!path) return;
	const data = 'data:image/png;base64,' + readFileSync(join(E.MEDIA, path)).toString('base64');
	const px = await page.evaluate(async (src) => {
		const i = new Image();
		await new Promise((ok, bad) => { i.onload = ok; i.onerror = bad; i.src = src; });
		const c = document.createElement('canvas');
		c.width = i.naturalWidth; c.height = i.naturalHeight;
		const g = c.getContext('2d');
		g.drawImage(i, 0, 0);
		const at = (fx, fy) => Array.from(g.getImageData(Math.floor(c.width * fx), Math.floor(c.height * fy), 1, 1).data);
		return { w: c.width, h: c.height, inside: [at(0.15, 0.15), at(0.3, 0.3), at(0.45, 0.45)], outside: [at(0.8, 0.8), at(0.6, 0.2)] };
	}, data);
	check('screenshot: its size kept', px.w === 400 && px.h === 300, `${px.w}x${px.h}`);
	check('screenshot: the redacted rectangle is black in the stored PNG',
		px.inside.every((p) => p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 255), JSON.stringify(px.inside));
	check('screenshot: the rest is the original', px.outside.every((p) => p[0] > 200 && p[1] > 100 && p[2] < 60), JSON.stringify(px.outside));
	const ctxJson = JSON.parse(sql(`SELECT context FROM feedback WHERE text = '${esc(text)}'`) || '{}');
	check('screenshot: the context in its column, console included', (ctxJson.console || []).some((e) => e.message === 'app started'));
	check('screenshot: Hark.setContext in page.customAttrs', ctxJson.page && ctxJson.page.customAttrs && ctxJson.page.customAttrs.cart === 3,
		JSON.stringify(ctxJson.page));
	const who = row(text, "CONCAT_WS(' ', user_id, user_email, user_name, user_traits)");
	check('screenshot: Hark.identify\'s identity on the item', /^u_42 pat@example\.com Pat \{"plan": ?"pro"\}$/.test(who), who);

	// Pasted (an image on the clipboard, as Ctrl+V gives it), then removed.
	await q(page, 'button:has-text("Remove screenshot")').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
	await q(page, '#hark-msg').evaluate(async (el, b64) => {
		const bin = atob(b64), a = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) a[i] = bin.charCodeAt(i);
		const dt = new DataTransfer();
		dt.items.add(new File([a], 'pasted.png', { type: 'image/png' }));
		el.focus();
		el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, composed: true }));
	}, png.toString('base64'));
	const pasted = await until(5000, () => q(page, 'canvas.hark-canvas').isVisible());
	check('screenshot: a pasted image is taken too', pasted);
	await q(page, 'button:has-text("Remove screenshot")').click();
	check('screenshot: and removed again', !(await q(page, 'canvas.hark-canvas').isVisible()));

	// Captured with getDisplayMedia (Chromium's fake screen, chosen by itself).
	await q(page, 'button:has-text("Capture screen")').click();
	const captured = await until(10000, () => q(page, 'canvas.hark-canvas').isVisible());
	const dims = await q(page, 'canvas.hark-canvas').evaluate((c) => [c.width, c.height]);
	check('screenshot: captured with getDisplayMedia', captured && dims[0] > 0 && dims[1] > 0, JSON.stringify(dims));
	await ctx.close();
});

// ---- redaction with the keyboard: the box moved with arrow keys, Enter
await run('keyboard redaction', async () => {
	const { ctx, page } = await newPage();
	const shotPage = await ctx.newPage();
	await shotPage.setViewportSize({ width: 400, height: 300 });
	await shotPage.setContent('<body style="margin:0;background:#ff8800"></body>');
	const png = await shotPage.screenshot({ type: 'png' });
	await shotPage.close();
	await load(page);
	await openDialog(page);
	await q(page, 'input[type=file]').setInputFiles({ name: 'shot.png', mimeType: 'image/png', buffer: png });
	await q(page, 'canvas.hark-canvas').waitFor({ state: 'visible', timeout: 5000 });
	await q(page, 'button:has-text("Attach screenshot")').focus();
	let on = false;
	for (let i = 0; i < 8 && !on; i++) {
		await page.keyboard.press('Tab');
		on = await q(page, 'canvas.hark-canvas').evaluate((c) => c.getRootNode().activeElement === c);
	}
	check('keyboard redaction: Tab reaches the preview', on);
	for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowLeft');
	await page.keyboard.press('Enter');
	const text = `Redacted with the keyboard ${Date.now()}`;
	await q(page, '#hark-msg').fill(text);
	await q(page, 'button[type=submit]').click();
	const s = await status(page, /Thanks/, 30000);
	check('keyboard redaction: sent', /Thanks/.test(s), s);
	const path = sql(`SELECT m.path FROM media m JOIN feedback f ON f.id = m.feedback_id WHERE f.text = '${esc(text)}' AND m.kind = 'screenshot'`);
	if (!path) return fail('keyboard redaction: a screenshot stored');
	const px = await pixels(page, join(E.MEDIA, path), [[0.1, 0.5], [0.18, 0.45], [0.5, 0.5], [0.1, 0.2], [0.9, 0.9]]);
	check('keyboard redaction: the box, moved to the left edge, is black in the PNG', black(px.at[0]) && black(px.at[1]), JSON.stringify(px.at));
	check('keyboard redaction: where it started and the rest are not', orange(px.at[2]) && orange(px.at[3]) && orange(px.at[4]), JSON.stringify(px.at));
	check('keyboard redaction: its outline is not in the PNG', px.yellow === 0, `${px.yellow} yellow pixels`);
	await ctx.close();
});

// ---- keyboard only: tab to the button, open, type, send, close, focus back
await run('keyboard', async () => {
	const { ctx, page } = await newPage();
	await load(page);
	const active = () => page.evaluate(() => {
		const a = document.activeElement;
		if (a && a.shadowRoot) { const s = a.shadowRoot.activeElement; return s ? (s.id || s.className || s.tagName) : 'host'; }
		return a ? (a.id || a.tagName) : '';
	});
	let reached = false;
	for (let i = 0; i < 12 && !reached; i++) {
		await page.keyboard.press('Tab');
		reached = (await active()) === 'hark-fab hark-right';
	}
	check('keyboard: Tab reaches the feedback button', reached, await active());
	await page.keyboard.press('Enter');
	await q(page, '.hark-dialog').waitFor({ state: 'visible', timeout: 15000 });
	check('keyboard: Enter opens the dialog, focus in the message', await until(3000, async () => (await active()) === 'hark-msg'), await active());
	const text = `Sent with the keyboard only ${Date.now()}`;
	await page.keyboard.type(text);
	let onSend = false;
	for (let i = 0; i < 10 && !onSend; i++) {
		await page.keyboard.press('Tab');
		onSend = (await active()) === 'hark-btn hark-primary';
	}
	check('keyboard: Tab reaches Send', onSend, await active());
	await page.keyboard.press('Tab');
	check('keyboard: focus is trapped (Tab from the last control wraps to the first)', (await active()) === 'hark-x', await active());
	await page.keyboard.press('Shift+Tab');
	check('keyboard: Shift+Tab wraps back', (await active()) === 'hark-btn hark-primary', await active());
	await page.keyboard.press('Enter');
	const s = await status(page, /Thanks/);
	check('keyboard: sent', /Thanks/.test(s) && count(text) === 1, s);
	await page.keyboard.press('Escape');
	await q(page, '.hark-dialog').waitFor({ state: 'hidden', timeout: 5000 });
	check('keyboard: Escape closes, focus back on the button', (await active()) === 'hark-fab hark-right', await active());
	await ctx.close();
});

// ---- strict CSP: the widget self-hosted, no inline script or style anywhere
await run('csp', async () => {
	const { ctx, page } = await newPage();
	await load(page, 'csp=1');
	await openDialog(page);
	const pos = await q(page, '.hark-dialog').evaluate((e) => getComputedStyle(e).position);
	check('csp: the dialog is styled (its stylesheet loaded under style-src \'self\')', pos === 'fixed', pos);
	const text = `Under a strict CSP ${Date.now()}`;
	await q(page, '#hark-msg').fill(text);
	await q(page, 'button[type=submit]').click();
	const s = await status(page, /Thanks/);
	check('csp: sent', /Thanks/.test(s) && count(text) === 1, s);
	const v = await page.evaluate(() => window.__violations);
	const refused = page.__console.filter((l) => /Content Security Policy|Refused to/.test(l));
	check('csp: no CSP violation reported', v.length === 0 && refused.length === 0, JSON.stringify([v, refused]));
	await ctx.close();
});

// ---- axe-core, WCAG 2.2 AA, light and dark; screenshots of the open dialog
const AXE = require.resolve('axe-core/axe.min.js');
async function axe(name, opts, shotName) {
	const { ctx, page } = await newPage(opts);
	await load(page);
	await openDialog(page);
	await sleep(400);	// the opening animation
	await page.screenshot({ path: join(ART, shotName) });
	await page.addScriptTag({ path: AXE });
	const r = await page.evaluate(() => window.axe.run(document.querySelector('.hark-widget'), {
		runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }
	}));
	check(`axe: 0 violations at WCAG 2.2 AA on the open dialog, ${name}`, r.violations.length === 0,
		JSON.stringify(r.violations.map((x) => [x.id, x.nodes.map((n) => n.target.join(' ')).slice(0, 3)])));
	check(`axe: it did check (${name}: ${r.passes.length} rules passed)`, r.passes.length > 5);
	await ctx.close();
}
await run('axe light', () => axe('light', { colorScheme: 'light' }, 'dialog-light.png'));
await run('axe dark', () => axe('dark', { colorScheme: 'dark' }, 'dialog-dark.png'));
await run('axe 320', () => axe('320 px wide', { viewport: { width: 320, height: 640 } }, 'dialog-320.png'));
check('artifacts: the dialog\'s screenshots kept', ['dialog-light.png', 'dialog-dark.png', 'dialog-320.png'].every((f) => existsSync(join(ART, f))), ART);

// ---- nl
await run('nl', async () => {
	const { ctx, page } = await newPage({ locale: 'nl-NL' });
	await load(page);
	await openDialog(page);
	const title = await q(page, '#hark-title').textContent();
	const send = await q(page, 'button[type=submit]').textContent();
	const label = await q(page, 'label[for=hark-msg]').textContent();
	check('nl: chosen from navigator.language', title === 'Feedback geven' && send === 'Versturen' && label === 'Je bericht', [title, send, label].join('|'));
	const text = `Nederlandse feedback ${Date.now()}`;
	await q(page, '#hark-msg').fill(text);
	await q(page, 'button[type=submit]').click();
	const s = await status(page, /Bedankt/);
	check('nl: "Bedankt" once sent, with locale nl-NL', /Bedankt/.test(s) && row(text, 'locale') === 'nl-NL', s);
	await ctx.close();
});

// ---- the other bundled languages, by navigator.language
for (const [loc, title, send] of [['de-DE', 'Feedback senden', 'Senden'], ['es-ES', 'Enviar comentarios', 'Enviar'],
	['fr-FR', 'Donner votre avis', 'Envoyer'], ['pt-BR', 'Send feedback', 'Send']]) {
	await run(loc, async () => {
		const { ctx, page } = await newPage({ locale: loc });
		await load(page);
		await openDialog(page);
		const got = [await q(page, '#hark-title').textContent(), await q(page, 'button[type=submit]').textContent()];
		check(`${loc}: ${loc === 'pt-BR' ? 'English for a language not bundled' : 'its strings'}`, got[0] === title && got[1] === send, got.join('|'));
		await ctx.close();
	});
}
await run('strings', async () => {
	const { ctx, page } = await newPage();
	await page.goto(`${PAGE}/page.html?pk=none`);
	await page.evaluate((pk) => Hark.init({ publicKey: pk, strings: { button: 'Tell us', title: 'Tell us what you think' } }), E.PK);
	await q(page, 'button.hark-fab').waitFor({ state: 'visible', timeout: 15000 });
	check('strings: the button\'s label overridden', (await q(page, 'button.hark-fab').textContent()) === 'Tell us');
	await page.evaluate(() => Hark.open());
	await q(page, '.hark-dialog').waitFor({ state: 'visible', timeout: 15000 });
	check('strings: the dialog\'s title overridden (Hark.init, Hark.open)', (await q(page, '#hark-title').textContent()) === 'Tell us what you think');
	const ev = await page.evaluate(() => new Promise((ok) => { Hark.on('close', () => ok('close')); Hark.close(); }));
	check('strings: Hark.close() and its close event', ev === 'close' && !(await q(page, '.hark-dialog').isVisible()));
	await ctx.close();
});

// ---- captcha: bootstrap says requireCaptcha, the provider's script (faked
// here, as hCaptcha's cannot be reached) gives a token, hark checks it
await run('captcha', async () => {
	const { ctx, page } = await newPage();
	let src = '';
	await ctx.route('https://js.hcaptcha.com/**', (r) => {
		src = r.request().url();
		r.fulfill({ contentType: 'text/javascript', body: `(function () {
			var cb = new URL(document.currentScript.src).searchParams.get('onload');
			window.hcaptcha = { render: function (el, o) {
				var b = document.createElement('button');
				b.type = 'button'; b.className = 'fake-captcha'; b.textContent = 'I am human (' + o.sitekey + ')';
				b.addEventListener('click', function () { o.callback('good-token'); });
				el.appendChild(b);
				return 1;
			} };
			window[cb]();
		})();` });
	});
	await load(page, `pk=${E.PK_CAP}`);
	await openDialog(page);
	await q(page, 'button.fake-captcha').waitFor({ state: 'visible', timeout: 10000 });
	check('captcha: the provider\'s script loaded with render=explicit', /^https:\/\/js\.hcaptcha\.com\/1\/api\.js\?render=explicit&onload=/.test(src), src);
	check('captcha: rendered with the source\'s site key', (await q(page, 'button.fake-captcha').textContent()).includes('site-key-1'));
	const text = `With a captcha ${Date.now()}`;
	await q(page, '#hark-msg').fill(text);
	await q(page, 'button[type=submit]').click();
	const s1 = await status(page, /check/);
	check('captcha: unsolved, the user is asked to solve it', /complete the check/.test(s1), s1);
	await q(page, 'button.fake-captcha').click();
	await q(page, 'button[type=submit]').click();
	const s2 = await status(page, /Thanks/);
	check('captcha: solved, sent', /Thanks/.test(s2) && count(text) === 1, s2);
	check('captcha: hark checked its token with siteverify', readFileSync(E.SITEVERIFY_LOG, 'utf8').includes('response=good-token'));
	await ctx.close();
});

// ---- a 429 in plain words, the text kept
await run('429', async () => {
	const { ctx, page } = await newPage();
	await load(page, `pk=${E.PK_LIM}`);
	await openDialog(page);
	const text = `Rate limited ${Date.now()}`;
	await q(page, '#hark-msg').fill(text);
	await sleep(500);
	await q(page, 'button[type=submit]').click();
	const s = await status(page, /try again in \d+ seconds/);
	check('429: "try again in N seconds" shown', /Too many messages right now\. Please try again in \d+ seconds\./.test(s), s);
	check('429: the typed text is kept', (await q(page, '#hark-msg').inputValue()) === text);
	check('429: nothing stored', count(text) === 0);
	check('429: not queued', (await page.evaluate(() => localStorage.getItem('hark:n'))) === null);
	await ctx.close();
});

// ---- the network cut during submit, then back: delivered exactly once
await run('offline', async () => {
	const { ctx, page } = await newPage();
	await load(page);
	await openDialog(page);
	await until(5000, async () => true);
	const text = `Sent through a network cut ${Date.now()}`;
	await q(page, '#hark-msg').fill(text);
	let aborted = 0;
	const cut = (r) => { aborted++; return r.abort('internetdisconnected'); };
	await page.route('**/feedback/ingest', cut);
	await q(page, 'button[type=submit]').click();
	const s = await status(page, /offline/);
	check('offline: "will be sent" shown', /saved and will be sent/.test(s), s);
	check('offline: the request was cut', aborted >= 1, `aborted ${aborted}`);
	check('offline: kept in the queue (IndexedDB)', (await page.evaluate(() => localStorage.getItem('hark:n'))) === '1');
	check('offline: nothing stored yet', count(text) === 0);
	await page.unroute('**/feedback/ingest', cut);
	const n = await until(20000, () => count(text) >= 1);
	check('offline: delivered by the back-off retry once the network is back', n, `count ${count(text)}`);
	await sleep(4000);
	check('offline: exactly once', count(text) === 1, `count ${count(text)}`);
	check('offline: the queue is empty', (await page.evaluate(() => localStorage.getItem('hark:n'))) === null);

	// Offline as the browser sees it, the page closed: the next page sends it.
	const text2 = `Sent on the next page load ${Date.now()}`;
	await q(page, '#hark-msg').fill(text2);
	await ctx.setOffline(true);
	await q(page, 'button[type=submit]').click();
	const s2 = await status(page, /offline/);
	check('offline (browser offline): kept', /saved/.test(s2), s2);
	await page.close();
	await ctx.setOffline(false);
	check('offline: nothing stored while offline', count(text2) === 0);
	const page2 = await ctx.newPage();
	await load(page2);
	const n2 = await until(20000, () => count(text2) >= 1);
	check('offline: the next page load sends it', n2, `count ${count(text2)}`);
	await sleep(3000);
	check('offline: it too exactly once', count(text2) === 1, `count ${count(text2)}`);

	// An item that could not be sent for over a week is given up.
	const text3 = `Queued too long ago ${Date.now()}`;
	await page2.evaluate((t) => new Promise((ok, bad) => {
		const r = indexedDB.open('hark', 1);
		r.onsuccess = () => {
			const x = r.result.transaction('q', 'readwrite');
			x.objectStore('q').put({ id: 'old-' + Date.now(), at: Date.now() - 8 * 86400000, tries: 40, audio: null, shot: null,
				body: { message: t, category: 'other', sessionId: '0193a3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b', context: null } });
			x.oncomplete = () => { localStorage.setItem('hark:n', '1'); ok(); };
			x.onerror = () => bad(x.error);
		};
	}), text3);
	const page3 = await ctx.newPage();
	await page3.addInitScript(() => {
		window.__harkErrors = [];
		document.addEventListener('DOMContentLoaded', () => window.Hark && Hark.on('error', (e) => window.__harkErrors.push(e.code)));
	});
	await load(page3);
	const gone = await until(10000, async () => (await page3.evaluate(() => localStorage.getItem('hark:n'))) === null);
	check('offline: an item queued over a week ago is dropped, not sent', gone && count(text3) === 0, `count ${count(text3)}`);
	check('offline: with an error event of code expired', (await page3.evaluate(() => window.__harkErrors)).includes('expired'),
		JSON.stringify(await page3.evaluate(() => window.__harkErrors)));
	await ctx.close();
});

await browser.close();
server.close();
process.exit(failed ? 1 : 0);
