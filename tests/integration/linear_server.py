#!/usr/bin/python3
# linear_server.py: a local stand-in for Linear's GraphQL API
# (https://api.linear.app/graphql), for tests/integration/test_linear.sh.
#
#	linear_server.py DIR KEY
#
# Listens on 127.0.0.1 on a free port, which it writes to DIR/port once it
# is ready.  It checks what a client must get right: POST to /graphql,
# "Authorization: KEY" exactly (a personal key, no "Bearer"; otherwise
# Linear's AUTHENTICATION_ERROR), a JSON body of {"query", "variables"}
# with every value in variables (a value found in the query text is
# refused), and the two mutations hark sends: issueCreate (teamId, title
# and description required; a repeated input.id is refused as Linear does)
# and commentCreate (issueId of an issue made here, body required); and
# the look-up query issue(id: $id).
# DIR/mode, read per request, chooses the answer:
#	ok (or absent)	the mutation's result
#	invalid		200 with errors, extensions.code INVALID_INPUT
#	ratelimit	400 with errors, extensions.code RATELIMITED
#	e500		500 with an HTML page
#	lost		issueCreate makes the issue, then answers 502 (an
#			answer lost on the way)
# Every request is appended to DIR/log.jsonl as one JSON line:
# {authorization, content_type, path, query, variables} (query and
# variables null when the body was not that JSON), then the answer's status.
import json
import os
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR, KEY = sys.argv[1], sys.argv[2]
ISSUES = {}     # id -> identifier
COMMENTS = []


def mode():
    try:
        with open(os.path.join(DIR, 'mode')) as f:
            return f.read().strip() or 'ok'
    except FileNotFoundError:
        return 'ok'


def error(code, message):
    return {'errors': [{'message': message,
                        'extensions': {'code': code, 'type': code.lower()}}],
            'data': None}


def issue(iid):
    return {'id': iid, 'identifier': ISSUES[iid],
            'url': 'https://linear.app/hark-test/issue/%s/feedback' % ISSUES[iid]}


def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def answer(self, status, body, ctype='application/json'):
        data = (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return status

    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0))
        raw = self.rfile.read(n)
        rec = {'authorization': self.headers.get('Authorization'),
               'content_type': self.headers.get('Content-Type'),
               'path': self.path, 'query': None, 'variables': None}
        try:
            body = json.loads(raw)
            rec['query'], rec['variables'] = body['query'], body['variables']
        except (ValueError, KeyError, TypeError):
            body = None
        rec['status'] = self.handle_graphql(body)
        with open(os.path.join(DIR, 'log.jsonl'), 'a') as f:
            f.write(json.dumps(rec) + '\n')

    def handle_graphql(self, body):
        if self.path != '/graphql':
            return self.answer(404, 'not here', 'text/plain')
        if self.headers.get('Authorization') != KEY:
            return self.answer(400, error('AUTHENTICATION_ERROR',
                                          'Authentication required, not authenticated'))
        if not (self.headers.get('Content-Type') or '').startswith('application/json'):
            return self.answer(400, error('BAD_REQUEST', 'Content-Type'))
        if (not isinstance(body, dict) or not isinstance(body.get('query'), str)
                or not isinstance(body.get('variables'), dict)):
            return self.answer(400, error('GRAPHQL_PARSE_FAILED', 'Bad body'))
        q, inp = body['query'], body['variables'].get('input')
        if 'issue(id: $id)' in q and '$id: String!' in q:
            return self.lookup(body['variables'].get('id'))
        if not isinstance(inp, dict):
            return self.answer(400, error('GRAPHQL_VALIDATION_FAILED', 'no input'))
        for s in strings(inp):
            if len(s) >= 4 and s in q:
                return self.answer(400, error('GRAPHQL_VALIDATION_FAILED',
                                              'a value is in the query text'))
        m = mode()
        if m == 'invalid':
            return self.answer(200, error('INVALID_INPUT',
                                          'Argument Validation Error'))
        if m == 'ratelimit':
            return self.answer(400, error('RATELIMITED', 'Rate limit exceeded'))
        if m == 'e500':
            return self.answer(500, '<html>oops</html>', 'text/html')
        if 'issueCreate(input: $input)' in q and 'IssueCreateInput!' in q:
            if not inp.get('teamId') or not inp.get('title') or \
                    'description' not in inp:
                return self.answer(200, error('INVALID_INPUT', 'missing field'))
            iid = inp.get('id') or str(uuid.uuid4())
            if iid in ISSUES:
                return self.answer(200, error('INVALID_INPUT',
                                              'Entity already exists'))
            ident = 'ENG-%d' % (len(ISSUES) + 1)
            ISSUES[iid] = ident
            if m == 'lost':
                return self.answer(502, '<html>bad gateway</html>', 'text/html')
            return self.answer(200, {'data': {'issueCreate': {
                'success': True, 'issue': issue(iid)}}})
        if 'commentCreate(input: $input)' in q and 'CommentCreateInput!' in q:
            if inp.get('issueId') not in ISSUES or not inp.get('body'):
                return self.answer(200, error('INVALID_INPUT',
                                              'Entity not found: Issue'))
            cid = str(uuid.uuid4())
            COMMENTS.append(cid)
            return self.answer(200, {'data': {'commentCreate': {
                'success': True, 'comment': {'id': cid}}}})
        return self.answer(400, error('GRAPHQL_VALIDATION_FAILED',
                                      'unknown operation'))


    def lookup(self, iid):
        if mode() in ('e500', 'ratelimit'):
            return self.answer(500, '<html>oops</html>', 'text/html')
        if iid not in ISSUES:
            return self.answer(200, error('INVALID_INPUT',
                                          'Entity not found: Issue'))
        return self.answer(200, {'data': {'issue': issue(iid)}})


def main():
    srv = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    tmp = os.path.join(DIR, 'port.tmp')
    with open(tmp, 'w') as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, os.path.join(DIR, 'port'))
    srv.serve_forever()


if __name__ == '__main__':
    main()
