#!/usr/bin/python3
# resend_server.py: a stand-in for the Resend API (POST /emails) for test_email.sh.
#
#	resend_server.py DIR KEY
#
# Checks "Authorization: Bearer KEY" (401 otherwise) and that the body is
# a JSON object with from, to (a list), subject, html, text and headers
# (422 otherwise); answers the first good request 500 and the later ones
# 200 {"id": ...}, but for a subject holding "[429]": 429 with Retry-After
# 120.  Each request is a line of DIR/log.jsonl: the path, the
# status answered, the Authorization and Idempotency-Key headers and the
# body.  DIR/port holds the port once it listens.
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

D, KEY = sys.argv[1], sys.argv[2]
STATE = {"good": 0}


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, status, doc):
        b = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        status = 200
        if self.path != "/emails":
            status = 404
        elif self.headers.get("Authorization") != "Bearer " + KEY:
            status = 401
        elif (not isinstance(body, dict) or
              not isinstance(body.get("to"), list) or
              not all(isinstance(body.get(k), str)
                      for k in ("from", "subject", "html", "text")) or
              not isinstance(body.get("headers"), dict) or
              self.headers.get("Content-Type") != "application/json"):
            status = 422
        elif "[429]" in body["subject"]:
            status = 429
        else:
            STATE["good"] += 1
            if STATE["good"] == 1:
                status = 500
        with open(os.path.join(D, "log.jsonl"), "a") as f:
            f.write(json.dumps({
                "path": self.path, "status": status,
                "authorization": self.headers.get("Authorization"),
                "idempotency_key": self.headers.get("Idempotency-Key"),
                "body": body}) + "\n")
        if status == 200:
            self.answer(200, {"id": "re_%d" % STATE["good"]})
        elif status == 429:
            self.send_response(429)
            self.send_header("Retry-After", "120")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.answer(status, {"statusCode": status, "name": "error",
                                 "message": "test"})


srv = HTTPServer(("127.0.0.1", 0), H)
with open(os.path.join(D, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(D, "port.tmp"), os.path.join(D, "port"))
srv.serve_forever()
