#!/usr/bin/python3
"""send.py: one multipart POST /v1/feedback the way a Python client builds it (requests).

    /usr/bin/python3 send.py URL PROJECT KEY PAYLOAD_JSON [AUDIO] [SCREENSHOT]

Debian's python3-requests (urllib3 encodes the form).  The payload is a
part of type application/json with no filename; the files go as
requests' files= tuples, the audio claimed application/octet-stream and the
screenshot with no type (hark types both by their content).  Prints the
status on the first line, then the body; with HARK_CLIENT_HEADERS set,
writes the answer's status line and headers to that file (for
tests/openapi/record.pl).  Exit 0 when an answer came.
"""
import os
import sys

import requests


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    url, project, key, payload = argv[1:5]
    audio = argv[5] if len(argv) > 5 and argv[5] else None
    shot = argv[6] if len(argv) > 6 and argv[6] else None
    with open(payload, "rb") as f:
        files = [("payload", (None, f.read(), "application/json"))]
    handles = []
    try:
        if audio:
            handles.append(open(audio, "rb"))
            # What a script that does not know the type claims: hark
            # types a file by its content, never by this.
            files.append(("audio", ("voice.webm", handles[-1],
                                    "application/octet-stream")))
        if shot:
            handles.append(open(shot, "rb"))
            # No type at all: the part has no Content-Type header.
            files.append(("screenshot", ("shot.png", handles[-1])))
        r = requests.post(url, files=files, timeout=60, headers={
            "x-earshot-project": project,
            "x-earshot-key": key,
        })
    finally:
        for h in handles:
            h.close()
    hfile = os.environ.get("HARK_CLIENT_HEADERS")
    if hfile:
        with open(hfile, "w", encoding="utf-8") as f:
            f.write("HTTP/1.1 %d %s\r\n" % (r.status_code, r.reason))
            for k, v in r.headers.items():
                f.write("%s: %s\r\n" % (k, v))
            f.write("\r\n")
    sys.stdout.write("%d\n%s" % (r.status_code, r.text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
