#!/usr/bin/python3
# openai_server.py: a local server speaking OpenAI's /v1/chat/completions
# and /v1/audio/transcriptions, for tests/unit/test_openai.c (hark's openai
# enricher and transcriber; the real services cannot be reached here).
#
#	openai_server.py DIR KEY
#
# Listens on 127.0.0.1 on a free port, which it writes to DIR/port once it
# is ready.  A request without "Authorization: Bearer KEY" gets OpenAI's
# 401.  Otherwise the model asked for chooses the answer:
#	chat completions		transcriptions
#	ok     a valid object		ok     {"text": " the quick brown fox "}
#	noschema  400 for json_schema,	lang   ... and "language": "de"
#	       ok for json_object	english   ... and "language": "english"
#	e500   500 server_error		e500, e400 (invalid file), r429, slow,
#	e400   400 context_length	junk, notext: as for chat
#	r429   429, Retry-After: 7
#	slow   sleeps 3 s, then ok
#	junk   200, an HTML page
#	prose  content not JSON
#	badcat category "complaint", badimpact impactScore 99, badlang
#	       language "English!", langname "english", missing (no title, no spam), extra (a
#	       "mood" member), cut (content cut, finish_reason "length")
# Every request is appended to DIR/log.jsonl as one JSON line: path,
# authorization, content_type, and the JSON body (chat) or the form fields
# with the uploaded file's name, type and length (transcriptions; its
# bytes go to DIR/upload.bin), for the test to check what hark sent.
import email.parser
import email.policy
import email.utils
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR, KEY = sys.argv[1], sys.argv[2]

GOOD = {"category": "bug", "sentiment": "negative", "impactScore": 9,
        "summary": "The checkout button does nothing when pressed.",
        "title": "Checkout button does nothing", "language": "en",
        "spam": False}


def variant(model):
    a = dict(GOOD)
    if model == 'badcat':
        a['category'] = 'complaint'
    elif model == 'badimpact':
        a['impactScore'] = 99
    elif model == 'badlang':
        a['language'] = 'English!'
    elif model == 'langname':
        a['language'] = 'english'
    elif model == 'missing':
        del a['title']
        del a['spam']
    elif model == 'extra':
        a['mood'] = 'grumpy'
    return json.dumps(a)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def answer(self, status, body, ctype='application/json', headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass    # hark gave up first: the timeout case

    def error(self, status, message, typ, code=None, param=None,
              headers=()):
        self.answer(status, json.dumps({"error": {
            "message": message, "type": typ, "param": param,
            "code": code}}), headers=headers)

    def common(self, model):
        """The answers both endpoints share; True when one was sent."""
        if model == 'e500':
            self.error(500, 'The server had an error while processing '
                       'your request.', 'server_error')
        elif model == 'r429':
            self.error(429, 'Rate limit reached for requests', 'requests',
                       'rate_limit_exceeded', headers=[('Retry-After', '7')])
        elif model == 'e503date':
            when = email.utils.formatdate(time.time() + 30, usegmt=True)
            self.error(503, 'The engine is currently overloaded.',
                       'server_error', headers=[('Retry-After', when)])
        elif model == 'junk':
            self.answer(200, '<html><body>502 Bad Gateway</body></html>',
                        'text/html')
        else:
            if model == 'slow':
                time.sleep(3)
            return False
        return True

    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        raw = self.rfile.read(n)
        entry = {"path": self.path,
                 "authorization": self.headers.get('Authorization'),
                 "content_type": self.headers.get('Content-Type')}
        if self.path.endswith('/audio/transcriptions'):
            model = self.transcription(raw, entry)
        else:
            try:
                entry["json"] = json.loads(raw)
            except ValueError:
                entry["json"] = None
            model = None
        with open(os.path.join(DIR, 'log.jsonl'), 'a') as f:
            f.write(json.dumps(entry) + '\n')
        if self.headers.get('Authorization') != 'Bearer ' + KEY:
            self.error(401, 'Incorrect API key provided: %s***.' %
                       (self.headers.get('Authorization') or '')[7:11],
                       'invalid_request_error', 'invalid_api_key')
        elif self.path.endswith('/audio/transcriptions'):
            self.transcribe(model, entry)
        elif self.path.endswith('/chat/completions'):
            self.chat(entry["json"])
        else:
            self.error(404, 'Unknown request URL', 'invalid_request_error',
                       'unknown_url')

    def transcription(self, raw, entry):
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b'Content-Type: ' + self.headers.get('Content-Type', '').encode()
            + b'\r\n\r\n' + raw)
        fields = {}
        for part in msg.iter_parts() if msg.is_multipart() else []:
            name = part.get_param('name', header='content-disposition')
            data = part.get_payload(decode=True) or b''
            if part.get_filename() is not None:
                with open(os.path.join(DIR, 'upload.bin'), 'wb') as f:
                    f.write(data)
                entry["filename"] = part.get_filename()
                entry["file_type"] = part.get_content_type()
                entry["file_len"] = len(data)
            else:
                fields[name] = data.decode()
        entry["fields"] = fields
        return fields.get('model')

    def transcribe(self, model, entry):
        if 'filename' not in entry:
            self.error(400, "'file' is a required property",
                       'invalid_request_error')
        elif self.common(model):
            pass
        elif model == 'e400':
            self.error(400, 'Invalid file format.', 'invalid_request_error')
        elif model == 'notext':
            self.answer(200, '{"transcript": "the quick brown fox"}')
        else:
            a = {"text": " the quick brown fox \n"}
            if model == 'lang':
                a["language"] = "de"
            elif model == 'english':
                a["language"] = "english"
            self.answer(200, json.dumps(a))

    def chat(self, req):
        if not isinstance(req, dict) or 'messages' not in req:
            self.error(400, 'messages is required', 'invalid_request_error')
            return
        model = req.get('model')
        rf = (req.get('response_format') or {}).get('type')
        if model == 'noschema' and rf == 'json_schema':
            self.error(400, "Invalid parameter: 'response_format' of type "
                       "'json_schema' is not supported with this model.",
                       'invalid_request_error', None, 'response_format')
            return
        if self.common(model):
            return
        if model == 'e400':
            self.error(400, "This model's maximum context length is 8192 "
                       "tokens.", 'invalid_request_error',
                       'context_length_exceeded', 'messages')
            return
        content, finish = variant(model), 'stop'
        if model == 'prose':
            content = "Sure! Here is the triage: it's a bug."
        elif model == 'cut':
            content, finish = content[:40], 'length'
        self.answer(200, json.dumps({
            "id": "chatcmpl-test", "object": "chat.completion",
            "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {
                "role": "assistant", "content": content, "refusal": None},
                "logprobs": None, "finish_reason": finish}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 40,
                      "total_tokens": 140}}))


server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
server.daemon_threads = True
with open(os.path.join(DIR, 'port.tmp'), 'w') as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(DIR, 'port.tmp'), os.path.join(DIR, 'port'))
server.serve_forever()
