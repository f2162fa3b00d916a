#!/usr/bin/python3
# smtp_sink.py: a real SMTP server on loopback (Debian's python3-aiosmtpd) for test_email.sh.
#
#	smtp_sink.py DIR PORT [USER:PASSWORD]
#
# Listens on 127.0.0.1:PORT and writes each message it accepts to
# DIR/N.eml (the bytes as received, dot-unstuffed) with DIR/N.json holding
# the envelope ({"mail_from": ..., "rcpt_tos": [...]}).  While DIR/reject
# exists every RCPT TO is answered 550 (a permanent refusal).  With
# USER:PASSWORD, AUTH (PLAIN or LOGIN, in clear: loopback) is required and
# only that pair is accepted (535 otherwise).  DIR/ready appears once it
# listens.
import json
import os
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, d):
        self.d = d
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if os.path.exists(os.path.join(self.d, "reject")):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.d, "%d" % self.n)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from,
                       "rcpt_tos": envelope.rcpt_tos}, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 accepted"


def main():
    d, port = sys.argv[1], int(sys.argv[2])
    kw = {}
    if len(sys.argv) > 3:
        user, password = sys.argv[3].split(":", 1)

        def check(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword) and
                  data.login == user.encode() and
                  data.password == password.encode())
            return AuthResult(success=ok, handled=False)
        kw = dict(auth_required=True, auth_require_tls=False,
                  authenticator=check)
    c = Controller(Sink(d), hostname="127.0.0.1", port=port,
                   server_kwargs=kw)
    c.start()
    open(os.path.join(d, "ready"), "w").close()
    try:
        while True:
            time.sleep(3600)
    finally:
        c.stop()


main()
