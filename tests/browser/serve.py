#!/usr/bin/env python3
"""A one-directory HTTP server on 127.0.0.1 for tests/browser/check.sh: serves
DIR, prints the port it bound on its first line of stdout, and appends the
path of every request it receives to LOG (one per line) so the check can
fail on any request other than the page itself.  Stdlib only."""
import http.server
import sys
import functools

DIR, LOG = sys.argv[1], sys.argv[2]


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):  # noqa: D401 - quiet; requests go to LOG
        pass

    def _record(self):
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(f"{self.command} {self.path}\n")

    def do_GET(self):
        self._record()
        super().do_GET()

    def do_HEAD(self):
        self._record()
        super().do_HEAD()

    def do_POST(self):
        self._record()
        self.send_error(405)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=DIR))
print(srv.server_address[1], flush=True)
srv.serve_forever()
