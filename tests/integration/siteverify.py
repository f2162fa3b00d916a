#!/usr/bin/python3
# siteverify.py: a local server speaking hCaptcha's siteverify protocol, for
# tests/integration/test_widget.sh (the real one cannot be reached here).
#
#	siteverify.py PORT SECRET LOG
#
# POST /siteverify with a form of secret, response, remoteip, sitekey
# answers {"success": true} for the response "good-token" when the secret
# is SECRET, {"success": false, "error-codes": [...]} otherwise; the
# response "slow" waits 5 s first, "broken" answers 500.  Every form is
# appended to LOG as one line (for the test to check what hark sent).
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, SECRET, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        raw = self.rfile.read(n).decode('utf-8', 'replace')
        with open(LOG, 'a') as f:
            f.write(raw + '\n')
        form = urllib.parse.parse_qs(raw)
        resp = form.get('response', [''])[0]
        if resp == 'slow':
            time.sleep(5)
        if resp == 'broken':
            self.send_response(500)
            self.end_headers()
            return
        if form.get('secret', [''])[0] != SECRET:
            body = '{"success": false, "error-codes": ["invalid-input-secret"]}'
        elif resp == 'good-token':
            body = '{"success": true, "challenge_ts": "2026-12-03T10:00:00Z"}'
        else:
            body = '{"success": false, "error-codes": ["invalid-input-response"]}'
        data = body.encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


ThreadingHTTPServer(('127.0.0.1', PORT), Handler).serve_forever()
