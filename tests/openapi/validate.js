#!/usr/bin/env node
// validate.js: checks recorded HTTP responses against doc/openapi.yaml (ajv).
//
//	node validate.js [--base-path P] SPEC LOG...
//	node validate.js --selftest SPEC CASES
//
// LOG is JSON lines written by record.pl (req() in tests/integration/lib.sh
// with HARK_RESPONSE_LOG set): {suite, method, url, status, headers: [[name,
// value]...], body | body_base64}.  Each response must be one the spec
// describes: its path (as sent, less the base path) matches a path template,
// its method an operation there (else the spec's x-hark-unrouted responses
// apply: unknownPath or otherMethod), its status a response of that
// operation; the declared headers are present when required and match their
// schemas; the body matches the schema of its Content-Type's media type, or
// is empty when the response declares no content (and always for HEAD).
//
// The last line is "N passed, N failed"; the exit status is 1 when anything
// failed or there was nothing to check; a line before it (starting with
// "#") lists the described responses no recorded one exercised.  --selftest reads cases that carry
// "expect": "pass" or "fail" (and optionally "why", a substring the failure
// must contain) and checks that the validator says so for each.
'use strict';

const fs = require('fs');
const YAML = require('yaml');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const SCHEMA_BASE = 'https://hark.invalid/openapi/schemas/';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch',
    'trace'];

function usage() {
	process.stderr.write('usage: validate.js [--base-path P] SPEC LOG...\n' +
	    '       validate.js --selftest SPEC CASES\n');
	process.exit(2);
}

// A local JSON pointer ("#/components/...") of the spec.
function pointer(spec, ref) {
	if (typeof ref !== 'string' || !ref.startsWith('#/'))
		throw new Error(`only local $refs are supported: ${ref}`);
	let v = spec;
	for (const raw of ref.slice(2).split('/')) {
		const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
		if (v === null || typeof v !== 'object' || !(k in v))
			throw new Error(`unresolvable $ref ${ref}`);
		v = v[k];
	}
	return v;
}

// Follows $ref until a non-reference object (responses, headers, ...).
function deref(spec, obj) {
	let seen = 0;
	while (obj && typeof obj === 'object' && '$ref' in obj) {
		if (++seen > 32)
			throw new Error(`$ref loop at ${obj.$ref}`);
		obj = pointer(spec, obj.$ref);
	}
	return obj;
}

// A schema's $refs to components/schemas, pointed at their ajv ids.
function rewriteRefs(v) {
	if (Array.isArray(v))
		return v.map(rewriteRefs);
	if (v === null || typeof v !== 'object')
		return v;
	const out = {};
	for (const [k, x] of Object.entries(v)) {
		if (k === '$ref') {
			const m = /^#\/components\/schemas\/([^/]+)$/.exec(x);
			if (!m)
				throw new Error(`a schema $ref must name a component schema: ${x}`);
			out[k] = SCHEMA_BASE + m[1];
		} else
			out[k] = rewriteRefs(x);
	}
	return out;
}

class Validator {
	constructor(spec, basePath) {
		this.spec = spec;
		this.basePath = basePath || '';
		this.ajv = new Ajv2020({ allErrors: true, strict: true,
		    strictTypes: false, strictRequired: false });
		addFormats(this.ajv);
		const schemas = (spec.components && spec.components.schemas) || {};
		for (const [name, s] of Object.entries(schemas))
			this.ajv.addSchema(rewriteRefs(s), SCHEMA_BASE + name);
		this.compiled = new Map();
		this.paths = Object.keys(spec.paths || {}).map((t) => ({
			template: t,
			// Concrete segments first, as OpenAPI resolves them.
			params: (t.match(/\{[^}]+\}/g) || []).length,
			re: new RegExp('^' + t.split(/(\{[^}]+\})/).map((p) =>
			    /^\{.*\}$/.test(p) ? '[^/]+' :
			    p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('') + '$'),
		})).sort((a, b) => a.params - b.params);
		const un = spec['x-hark-unrouted'] || {};
		this.unknownPath = un.unknownPath || {};
		this.otherMethod = un.otherMethod || {};
		this.exercised = new Set();
	}

	// Every response the spec describes, named as check() names them.
	described() {
		const all = [];
		for (const p of this.paths) {
			const item = deref(this.spec, this.spec.paths[p.template]);
			for (const m of METHODS)
				for (const k of Object.keys((item[m] || {}).responses || {}))
					all.push(`${m.toUpperCase()} ${p.template} ${k}`);
		}
		for (const k of Object.keys(this.unknownPath))
			all.push(`x-hark-unrouted.unknownPath ${k}`);
		for (const k of Object.keys(this.otherMethod))
			all.push(`x-hark-unrouted.otherMethod ${k}`);
		return all;
	}

	schemaCheck(schema, value) {
		let fn = this.compiled.get(schema);
		if (!fn) {
			fn = this.ajv.compile(rewriteRefs(schema));
			this.compiled.set(schema, fn);
		}
		if (fn(value))
			return null;
		return this.ajv.errorsText(fn.errors, { separator: '; ' });
	}

	// The responses that apply to a request, and what they are called.
	responsesFor(method, path) {
		const hit = this.paths.find((p) => p.re.test(path));
		if (!hit)
			return { where: 'x-hark-unrouted.unknownPath',
			    responses: this.unknownPath };
		const item = deref(this.spec, this.spec.paths[hit.template]);
		const op = item[method];
		if (!op || !METHODS.includes(method))
			return { where: 'x-hark-unrouted.otherMethod',
			    responses: this.otherMethod, template: hit.template };
		return { where: `${method.toUpperCase()} ${hit.template}`,
		    responses: op.responses || {} };
	}

	// Problems with one recorded response: [] when it is described.
	check(rec) {
		const errs = [];
		const method = String(rec.method || '').toLowerCase();
		const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(rec.url || '');
		let path = m ? m[1] : String(rec.url || '');
		if (path === '')
			path = '/';
		if (this.basePath !== '') {
			if (!path.startsWith(this.basePath + '/'))
				return [`path ${path} is not under the base path ${this.basePath}`];
			path = path.slice(this.basePath.length);
		}
		const { where, responses, template } = this.responsesFor(method, path);
		const status = String(rec.status);
		const key = status in responses ? status :
		    `${status[0]}XX` in responses ? `${status[0]}XX` :
		    'default' in responses ? 'default' : null;
		if (key === null)
			return [`status ${status} is not described for ${where}${
			    template ? ` (${template})` : ''}`];
		this.exercised.add(`${where} ${key}`);
		const resp = deref(this.spec, responses[key]);

		// Headers: the last value of each name counts, as hdr() reads it.
		const hdrs = new Map();
		for (const [n, v] of rec.headers || [])
			hdrs.set(String(n).toLowerCase(), String(v));
		for (const [name, h0] of Object.entries(resp.headers || {})) {
			const h = deref(this.spec, h0);
			const raw = hdrs.get(name.toLowerCase());
			if (raw === undefined) {
				if (h.required)
					errs.push(`header ${name} is required on ${where} ${key}`);
				continue;
			}
			const schema = h.schema || {};
			let value = raw;
			const t = deref(this.spec, schema).type;
			if ((t === 'integer' || t === 'number') &&
			    /^-?[0-9]+(\.[0-9]+)?$/.test(raw))
				value = Number(raw);
			const e = this.schemaCheck(schema, value);
			if (e)
				errs.push(`header ${name}: '${raw}': ${e}`);
		}

		// Body.
		const body = rec.body_base64 !== undefined ?
		    Buffer.from(rec.body_base64, 'base64') : rec.body || '';
		const content = resp.content || {};
		if (method === 'head' || Object.keys(content).length === 0) {
			if (body.length > 0)
				errs.push(`a body (${body.length} bytes) where ${where} ${key} has none`);
			return errs;
		}
		const ct = hdrs.get('content-type');
		if (ct === undefined)
			return errs.concat(`no Content-Type; ${where} ${key} has ${Object.keys(content).join(', ')}`);
		const essence = ct.split(';')[0].trim().toLowerCase();
		const media = Object.keys(content).find((k) =>
		    k.split(';')[0].trim().toLowerCase() === essence);
		if (media === undefined)
			return errs.concat(`Content-Type ${ct} is not one of ${where} ${key}: ${Object.keys(content).join(', ')}`);
		const schema = content[media].schema;
		if (!schema)
			return errs;
		if (typeof body !== 'string')
			return errs.concat('the body is not UTF-8');
		let value = body;
		if (/^application\/(.+\+)?json$/.test(essence)) {
			try {
				value = JSON.parse(body);
			} catch (e) {
				return errs.concat(`the body is not JSON: ${body.slice(0, 80)}`);
			}
		}
		const e = this.schemaCheck(schema, value);
		if (e)
			errs.push(`body (${media}): ${e}`);
		return errs;
	}
}

function readLines(file) {
	return fs.readFileSync(file, 'utf8').split('\n').map((l, i) => ({ l, n: i + 1 }))
	    .filter((x) => x.l.trim() !== '' && !x.l.startsWith('//'));
}

function describe(rec) {
	const u = String(rec.url || '').replace(/^[a-z]+:\/\/[^/?#]*/i, '');
	return `${rec.suite ? rec.suite + ': ' : ''}${rec.method} ${u.length > 120 ?
	    u.slice(0, 120) + '...' : u} ${rec.status}`;
}

function main(argv) {
	let basePath = '', selftest = false;
	const args = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--base-path' && i + 1 < argv.length)
			basePath = argv[++i].replace(/\/+$/, '');
		else if (argv[i] === '--selftest')
			selftest = true;
		else if (argv[i].startsWith('--'))
			usage();
		else
			args.push(argv[i]);
	}
	if (args.length < 2 || (selftest && args.length !== 2))
		usage();
	const v = new Validator(YAML.parse(fs.readFileSync(args[0], 'utf8')),
	    basePath);
	let passed = 0, failed = 0;
	const seen = new Map();
	for (const file of args.slice(1)) {
		for (const { l, n } of readLines(file)) {
			let rec, errs;
			try {
				rec = JSON.parse(l);
				errs = v.check(rec);
			} catch (e) {
				failed++;
				console.log(`FAIL ${file}:${n}: ${e.message}`);
				continue;
			}
			if (selftest) {
				const want = rec.expect, why = rec.why || '';
				const ok = want === 'pass' ? errs.length === 0 :
				    want === 'fail' && errs.length > 0 &&
				    errs.some((x) => x.includes(why));
				if (ok) {
					passed++;
					console.log(`ok   - ${file}:${n}: ${want === 'pass' ? 'passes' : 'fails'}: ${describe(rec)}${
					    errs.length ? ' (' + errs[0] + ')' : ''}`);
				} else {
					failed++;
					console.log(`FAIL - ${file}:${n}: want ${want}${why ?
					    ` ('${why}')` : ''}, got ${errs.length ?
					    errs.join(' | ') : 'pass'}: ${describe(rec)}`);
				}
				continue;
			}
			if (errs.length === 0) {
				passed++;
				continue;
			}
			failed++;
			// One line per distinct problem; the count says how often.
			const k = `${describe(rec).replace(/fb_[0-9a-z]{26}/g, 'fb_...')}: ${errs.join(' | ')}`;
			seen.set(k, (seen.get(k) || 0) + 1);
		}
	}
	for (const [k, c] of seen)
		console.log(`FAIL ${k}${c > 1 ? ` (${c} times)` : ''}`);
	if (!selftest) {
		// Information only: what the suites never made the server answer.
		const missed = v.described().filter((d) => !v.exercised.has(d));
		if (missed.length > 0)
			console.log(`# described but not exercised (${missed.length}): ${missed.join(', ')}`);
	}
	if (passed + failed === 0) {
		console.log('FAIL no responses to check');
		failed++;
	}
	console.log(`${passed} passed, ${failed} failed`);
	return failed === 0 ? 0 : 1;
}

try {
	process.exitCode = main(process.argv.slice(2));
} catch (e) {
	console.log(`FAIL ${e.message}`);
	console.log('0 passed, 1 failed');
	process.exitCode = 1;
}
