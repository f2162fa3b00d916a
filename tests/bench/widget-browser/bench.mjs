// bench.mjs: the widget's cost to a page, measured in headless Chromium: sizes, DOMContentLoaded to button, main-thread time, bytes before opening.
//
//	node tests/bench/widget-browser/bench.mjs [PAGE_URL] [SCREENSHOT.png]
//
// PAGE_URL is a page embedding the widget (default run.sh's demo,
// http://127.0.0.1:8080/demo/).  Prints the gzipped sizes of widget/'s
// files, then over RUNS (5) fresh loads the median time from
// DOMContentLoaded to the button drawn (the loader's performance mark
// "hark:button"), the main-thread time of the widget's own script tasks
// (Chromium's trace: EvaluateScript, FunctionCall, compile and style
// parsing attributed to /widget/ URLs) and the bytes the widget adds before
// it is opened (its requests' encoded bodies and headers).  Then opens the
// dialog once and times that.  With SCREENSHOT, saves the open dialog there
// (doc/widget.png is made so).  playwright-core from tests/widget/.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const require = createRequire(join(root, 'tests', 'widget', 'package.json'));
const { chromium } = require('playwright-core');
const url = process.argv[2] || 'http://127.0.0.1:8080/demo/';
const shot = process.argv[3];
const RUNS = Number(process.env.RUNS || 5);

const sizes = {};
for (const f of readdirSync(join(root, 'widget'))) {
	if (!/\.(js|css)$/.test(f)) continue;
	const b = readFileSync(join(root, 'widget', f));
	sizes[f] = { raw: b.length, gz: gzipSync(b, { level: 9 }).length };
}
const total = Object.values(sizes).reduce((a, s) => a + s.gz, 0);
console.log('gzipped (level 9):');
for (const [f, s] of Object.entries(sizes)) console.log(`  ${f.padEnd(18)} ${String(s.raw).padStart(6)} B raw  ${String(s.gz).padStart(6)} B gz`);
console.log(`  loader (hark.js + hark.css): ${sizes['hark.js'].gz + sizes['hark.css'].gz} B gz; dialog (hark-dialog.js + .css): ${sizes['hark-dialog.js'].gz + sizes['hark-dialog.css'].gz} B gz; all: ${total} B gz`);

const browser = await chromium.launch({
	executablePath: process.env.HARK_CHROMIUM || '/usr/bin/chromium', headless: true,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
		'--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ours = (u) => /\/widget\//.test(u || '');
const WIDGET_EVENTS = new Set(['EvaluateScript', 'FunctionCall', 'v8.compile', 'v8.compileModule',
	'ParseAuthorStyleSheet', 'TimerFire', 'EventDispatch']);
const drawn = [], mainMs = [], bytes = [], reqs = [];
for (let i = 0; i < RUNS; i++) {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	let b = 0, n = 0;
	page.on('requestfinished', async (r) => {
		if (!ours(r.url()) && !/\/feedback\//.test(r.url())) return;
		try { const s = await r.sizes(); b += s.responseBodySize + s.responseHeadersSize; n++; } catch (e) { /* gone */ }
	});
	await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'] });
	await page.goto(url, { waitUntil: 'load' });
	await page.locator('.hark-widget >> button.hark-fab').waitFor({ state: 'visible' });
	await page.waitForTimeout(300);
	const t = await page.evaluate(() => {
		const nav = performance.getEntriesByType('navigation')[0];
		const m = performance.getEntriesByName('hark:button')[0];
		return m.startTime - nav.domContentLoadedEventStart;
	});
	const trace = JSON.parse((await browser.stopTracing()).toString());
	let us = 0;
	for (const e of trace.traceEvents || []) {
		if (e.ph !== 'X' || !WIDGET_EVENTS.has(e.name)) continue;
		const d = e.args && (e.args.data || e.args.beginData) || {};
		if (ours(d.url) || ours(d.scriptName) || ours(d.styleSheetUrl) || ours(d.fileName)) us += e.dur || 0;
	}
	drawn.push(t); mainMs.push(us / 1000); bytes.push(b); reqs.push(n);
	if (i === RUNS - 1) {
		const t0 = Date.now();
		await page.locator('.hark-widget >> button.hark-fab').click();
		await page.locator('.hark-widget >> .hark-dialog').waitFor({ state: 'visible' });
		console.log(`open: click to the dialog shown ${Date.now() - t0} ms (loads hark-dialog.js + .css, bootstraps)`);
		if (shot) {
			await page.locator('.hark-widget >> #hark-msg').fill('The export button does nothing on the reports page.');
			await page.locator('.hark-widget >> #hark-cat').selectOption('bug');
			await page.waitForTimeout(400);
			await page.screenshot({ path: shot });
			console.log(`screenshot: ${shot}`);
		}
	}
	await ctx.close();
}
await browser.close();
console.log(`over ${RUNS} loads of ${url} (median):`);
console.log(`  DOMContentLoaded -> button drawn: ${med(drawn).toFixed(1)} ms (all: ${drawn.map((x) => x.toFixed(1)).join(', ')})`);
console.log(`  the widget's main-thread time before opening: ${med(mainMs).toFixed(2)} ms (all: ${mainMs.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`  added page weight before opening: ${med(bytes)} B in ${med(reqs)} requests (bodies as sent + headers)`);
