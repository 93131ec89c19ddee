"""A WebDAV server on 127.0.0.1 for rsdat's tests, standing in for a dCache door.

    python webdav_server.py ROOT RO_ROOT --auth none|basic|bearer [--user U --password P] [--token T]

Serves ROOT read-write at `/` and RO_ROOT read-only at `/ro` with wsgidav on cheroot, and
prints `PORT <n>` once it listens. Like a dCache door it answers `Want-Digest: adler32` on
GET and HEAD of a file with `Digest: adler32=<8 hex digits>`. `--auth bearer` accepts only
`Authorization: Bearer <token>` (a check in front of wsgidav, as dCache checks macaroons).

Test controls, never authenticated:
  GET /_ctl/fail?n=N&status=S   the next N requests (not /_ctl) answer status S
  GET /_ctl/log                 one line per request so far: METHOD PATH STATUS
"""

import argparse
import os
import sys
import threading
import zlib
from urllib.parse import parse_qs, unquote

from cheroot import wsgi
from wsgidav.wsgidav_app import WsgiDAVApp


class Door:
    """WSGI middleware: controls, failure injection, bearer check, ADLER32 digests."""

    def __init__(self, app, root, token):
        self.app = app
        self.root = root
        self.token = token
        self.lock = threading.Lock()
        self.fail = (0, 503)
        self.log = []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ["REQUEST_METHOD"]
        if path.startswith("/_ctl/"):
            return self.control(path, environ, start_response)
        status_seen = []

        def logged_start(status, headers, exc_info=None):
            status_seen.append(status.split()[0])
            with self.lock:
                self.log.append(f"{method} {path} {status_seen[0]}")
            return start_response(status, headers, exc_info)

        with self.lock:
            n, status = self.fail
            if n > 0:
                self.fail = (n - 1, status)
        if n > 0:
            drain(environ)
            return simple(logged_start, f"{status} Injected failure")
        if self.token is not None:
            got = environ.get("HTTP_AUTHORIZATION", "")
            if got != f"Bearer {self.token}":
                drain(environ)
                return simple(
                    logged_start,
                    "401 Unauthorized",
                    [("WWW-Authenticate", 'Bearer realm="rsdat-test"')],
                )
        extra = []
        if method in ("GET", "HEAD") and "adler32" in environ.get("HTTP_WANT_DIGEST", "").lower():
            file = os.path.join(self.root, unquote(path).lstrip("/"))
            if not path.startswith("/ro/") and os.path.isfile(file):
                extra.append(("Digest", f"adler32={adler32(file):08x}"))

        def start(status, headers, exc_info=None):
            return logged_start(status, list(headers) + extra, exc_info)

        return self.app(environ, start)

    def control(self, path, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if path == "/_ctl/fail":
            with self.lock:
                self.fail = (int(query["n"][0]), int(query.get("status", ["503"])[0]))
            body = b"ok\n"
        elif path == "/_ctl/log":
            with self.lock:
                body = "".join(line + "\n" for line in self.log).encode()
        else:
            return simple(start_response, "404 Not Found")
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]


def drain(environ):
    """Reads the request body so the client is not cut off mid-upload."""
    n = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    while n > 0:
        chunk = stream.read(min(n, 1 << 20))
        if not chunk:
            break
        n -= len(chunk)


def simple(start_response, status, headers=()):
    body = (status + "\n").encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))] + list(headers))
    return [body]


def adler32(file):
    value = 1
    with open(file, "rb") as f:
        while chunk := f.read(1 << 20):
            value = zlib.adler32(chunk, value)
    return value


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("ro_root")
    p.add_argument("--auth", choices=["none", "basic", "bearer"], default="none")
    p.add_argument("--user", default="")
    p.add_argument("--password", default="")
    p.add_argument("--token")
    p.add_argument("--threads", type=int, default=16)
    p.add_argument("--block-size", type=int, default=8192, help="bytes wsgidav reads per step")
    a = p.parse_args()
    users = {"*": True}
    if a.auth == "basic":
        users = {"*": {a.user: {"password": a.password}}}
    config = {
        "host": "127.0.0.1",
        "port": 0,
        "provider_mapping": {
            "/": a.root,
            "/ro": {"root": a.ro_root, "readonly": True},
        },
        "http_authenticator": {
            "accept_basic": True,
            "accept_digest": False,
            "default_to_digest": False,
        },
        "simple_dc": {"user_mapping": users},
        "block_size": a.block_size,
        "verbose": 0,
        "logging": {"enable": False},
        "dir_browser": {"enable": False},
        "lock_storage": True,
        "property_manager": True,
    }
    app = Door(WsgiDAVApp(config), a.root, a.token if a.auth == "bearer" else None)
    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=a.threads)
    server.prepare()
    print(f"PORT {server.bind_addr[1]}", flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
