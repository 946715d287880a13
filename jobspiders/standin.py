"""A stand-in for the ATS job-board APIs: replays recorded responses over local HTTP.

With ``ATS_MIRROR=http://127.0.0.1:PORT`` the crawler sends each request for ``https://HOST/PATH?QUERY`` to
``http://127.0.0.1:PORT/HOST/PATH?QUERY`` (same method, headers and body). This server answers such requests
from a list of recorded :class:`Route` objects, so tests, the offline demo and benchmarks run without the
internet. Only the standard library and PyYAML are used.

A route matches a request on: method, host (case-insensitive), path (percent-decoded), the query parameters
compared as a multiset (their order does not matter) and, when ``body_json`` is set, the request's JSON body.
When several routes match, a route with ``body_json`` beats one without, then the route added last wins; a
route with ``times`` answers that many requests only (a board that fails once, then recovers).
Anything unmatched gets ``404 {"error": "no recorded response", "url": REAL_URL}``.

In tests::

    from jobspiders.standin import Route, StandinServer, load_routes

    with StandinServer(load_routes("demo/responses/greenhouse/manifest.yml")) as server:
        server.add(Route(url="https://api.lever.co/v0/postings/acme?mode=json", body=b"[]"))
        settings = {"ATS_MIRROR": server.base_url}
        ...
        assert ("GET", "https://api.lever.co/v0/postings/acme?mode=json") in server.requests

From a shell (serves until SIGTERM or SIGINT)::

    python -m jobspiders.standin demo/responses/*/manifest.yml --port-file /tmp/standin.url &
    # prints "serving N recorded responses on http://127.0.0.1:PORT"; the base URL is also written to
    # --port-file once the server listens (the file is written atomically).
    scrapy crawlall -s ATS_MIRROR="$(cat /tmp/standin.url)"

Fault injection: a route's ``delay`` (seconds before answering: slow boards, timeouts) and ``fault``
(``drop``: close the connection without an answer; ``truncate``: send half the announced body), plus
redirects and errors through ``status``/``headers``; ``latency`` (``--latency``) slows every answer.

Manifest (YAML list; ``file`` is relative to the manifest's folder, ``body`` is inline text)::

    - url: https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&pay_transparency=true
      file: greenhouse/acme.json          # content type from the extension unless content_type is given
    - url: https://boards-api.greenhouse.io/v1/boards/broken/jobs?content=true&pay_transparency=true
      status: 500
      body: '{"status": 500}'
    - url: https://api.smartrecruiters.com/v1/companies/acme/postings?limit=100&offset=0
      status: 429
      headers: {Retry-After: "1"}
      body: '{}'
    - url: https://apply.workable.com/api/v3/accounts/acme/jobs
      method: POST
      body_json: {"query": "", "location": []}
      file: workable/acme.json
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml

__all__ = ["ManifestError", "Route", "StandinServer", "load_routes", "main"]

JSON_TYPE = "application/json; charset=utf-8"
CONTENT_TYPES = {
    ".json": JSON_TYPE,
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
MANIFEST_KEYS = {
    "url",
    "file",
    "body",
    "status",
    "method",
    "content_type",
    "headers",
    "body_json",
    "delay",
    "fault",
}
FAULTS = (None, "drop", "truncate")


class ManifestError(ValueError):
    """A manifest that cannot be loaded; the message names the manifest and the entry."""


def content_type_for(name: str) -> str:
    """The default content type for a body file name (``.json`` → JSON, ``.xml`` → XML, ``.html`` → HTML)."""
    return CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def _guess_content_type(body: bytes) -> str:
    text = body.lstrip()[:100].lower()
    if text.startswith((b"<?xml", b"<rss", b"<feed")):
        return "application/xml"
    if text.startswith(b"<"):
        return "text/html; charset=utf-8"
    try:
        json.loads(body)
    except ValueError:
        return "text/plain; charset=utf-8" if body else JSON_TYPE
    return JSON_TYPE


def _split(url: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """(host, path, sorted query pairs): the parts of a URL that matching compares."""
    parts = urlsplit(url)
    host = parts.netloc.lower()
    path = unquote(parts.path or "/")
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return host, path, query


@dataclass
class Route:
    """One recorded response: what to answer to ``method url`` (and ``body_json`` for POST routes)."""

    url: str
    body: bytes = b""
    method: str = "GET"
    status: int = 200
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body_json: Any = None
    delay: float = 0.0  # seconds to wait before answering (slow boards, timeouts)
    fault: str | None = None  # "drop": close without answering; "truncate": send half the body
    times: int | None = None  # answer this many requests, then let earlier routes answer (flaky boards)

    def __post_init__(self) -> None:
        if self.fault not in FAULTS:
            raise ValueError(f"fault must be one of {', '.join(map(str, FAULTS))}, got {self.fault!r}")
        if isinstance(self.body, str):
            self.body = self.body.encode("utf-8")
        self.method = self.method.upper()
        if not self.content_type:
            self.content_type = _guess_content_type(self.body)
        self._key = (self.method, *_split(self.url))

    def matches(self, method: str, url: str, body: bytes = b"") -> bool:
        """Whether this route answers a request for the real ``url``."""
        if (method.upper(), *_split(url)) != self._key:
            return False
        if self.body_json is None:
            return True
        try:
            return json.loads(body or b"null") == self.body_json
        except ValueError:
            return False


def _entry_error(manifest: Path, index: int, message: str) -> ManifestError:
    return ManifestError(f"{manifest}: entry {index}: {message}")


def _route_from_entry(manifest: Path, index: int, entry: object) -> Route:
    if not isinstance(entry, dict):
        raise _entry_error(manifest, index, f"expected a mapping, got {type(entry).__name__}")
    unknown = sorted(set(map(str, entry)) - MANIFEST_KEYS)
    if unknown:
        raise _entry_error(manifest, index, f"unknown key(s) {', '.join(unknown)}")
    url = entry.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")) or not urlsplit(url).netloc:
        raise _entry_error(manifest, index, f"'url' must be an absolute http(s) URL, got {url!r}")
    if ("file" in entry) == ("body" in entry):
        raise _entry_error(manifest, index, "give exactly one of 'file' or 'body'")
    content_type = entry.get("content_type") or ""
    if not isinstance(content_type, str):
        raise _entry_error(manifest, index, "'content_type' must be a string")
    if "file" in entry:
        name = entry["file"]
        if not isinstance(name, str) or not name:
            raise _entry_error(manifest, index, f"'file' must be a path, got {name!r}")
        path = manifest.parent / name
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise _entry_error(manifest, index, f"cannot read file {path}: {exc.strerror or exc}") from exc
        content_type = content_type or content_type_for(name)
    else:
        raw = entry["body"]
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            raise _entry_error(manifest, index, "'body' must be a string (quote inline JSON)")
        body = raw.encode("utf-8")
    status = entry.get("status", 200)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise _entry_error(manifest, index, f"'status' must be an HTTP status code, got {status!r}")
    method = entry.get("method", "GET")
    if not isinstance(method, str) or not method.isalpha():
        raise _entry_error(manifest, index, f"'method' must be an HTTP method, got {method!r}")
    headers = entry.get("headers") or {}
    if not isinstance(headers, dict):
        raise _entry_error(manifest, index, "'headers' must be a mapping")
    delay = entry.get("delay", 0.0)
    if not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0:
        raise _entry_error(manifest, index, f"'delay' must be a number of seconds, got {delay!r}")
    if entry.get("fault") not in FAULTS:
        raise _entry_error(manifest, index, f"'fault' must be drop or truncate, got {entry.get('fault')!r}")
    return Route(
        url=url,
        body=body,
        method=method,
        status=status,
        content_type=content_type,
        headers={str(k): str(v) for k, v in headers.items()},
        body_json=entry.get("body_json"),
        delay=float(delay),
        fault=entry.get("fault"),
    )


def load_routes(manifest: str | Path) -> list[Route]:
    """Read a YAML manifest (a list of route entries) into routes; raises :class:`ManifestError`."""
    manifest = Path(manifest)
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"{manifest}: cannot read manifest: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ManifestError(f"{manifest}: invalid YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise ManifestError(f"{manifest}: expected a list of entries, got {type(data).__name__}")
    return [_route_from_entry(manifest, index, entry) for index, entry in enumerate(data)]


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no delayed-ACK stalls

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        body = self._read_body()
        standin = self.server.standin
        real_url = standin.real_url(self.path)
        route = standin.find(self.command, real_url, body) if real_url else None
        standin.record(self.command, real_url or self.path)
        delay = standin.latency + (route.delay if route else 0.0)
        if delay:
            time.sleep(delay)
        if route is not None and route.fault == "drop":
            self.close_connection = True
            return
        if route is None:
            status, content_type, headers = 404, JSON_TYPE, {}
            payload = json.dumps({"error": "no recorded response", "url": real_url or self.path}).encode()
        else:
            status, content_type, headers, payload = (
                route.status,
                route.content_type,
                route.headers,
                route.body,
            )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            if route is not None and route.fault == "truncate":
                # the announced length is never reached: the client sees the connection cut mid-body
                self.wfile.write(payload[: len(payload) // 2])
                self.close_connection = True
                return
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.standin.verbose:
            super().log_message(format, *args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 drops connections under Scrapy-level concurrency
    standin: StandinServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError) and not self.standin.verbose:
            return  # the client went away: not worth a traceback
        super().handle_error(request, client_address)


class StandinServer:
    """A local HTTP server replaying :class:`Route` responses; use as a context manager or start()/stop().

    ``base_url`` is the value for ``ATS_MIRROR``; ``requests`` lists ``(method, real_url)`` of every request
    received, matched or not, in arrival order.
    """

    def __init__(
        self,
        routes: Iterable[Route] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
        latency: float = 0.0,
    ) -> None:
        self.latency = latency  # added to every answer: simulates the network
        self.host = host
        self.port = port
        self.verbose = verbose
        self._routes: list[Route] = list(routes)
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []
        self.times: list[float] = []  # arrival time (time.monotonic) of each entry of ``requests``
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def routes(self) -> list[Route]:
        """A copy of the routes served."""
        with self._lock:
            return list(self._routes)

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` of the running server (the ``ATS_MIRROR`` value)."""
        if self._httpd is None:
            raise RuntimeError("the stand-in server is not started")
        host = self._httpd.server_address[0]
        if ":" in str(host):
            host = f"[{host}]"
        return f"http://{host}:{self._httpd.server_address[1]}"

    def add(self, route: Route) -> None:
        """Serve one more route (it wins over earlier routes for the same request)."""
        with self._lock:
            self._routes.append(route)

    def record(self, method: str, url: str) -> None:
        with self._lock:
            self.requests.append((method.upper(), url))
            self.times.append(time.monotonic())

    def count(self, url: str, method: str = "GET") -> int:
        """How many requests for the real ``url`` (query order ignored) were received."""
        key = (method.upper(), *_split(url))
        with self._lock:
            return sum(1 for m, u in self.requests if (m, *_split(u)) == key)

    def real_url(self, path: str) -> str | None:
        """``/HOST/PATH?QUERY`` (a mirrored request path) → ``https://HOST/PATH?QUERY``."""
        rest = path.lstrip("/")
        host, _, tail = rest.partition("/")
        if not host or "." not in host.split(":")[0]:
            return None
        return f"https://{host}/{tail}"

    def find(self, method: str, url: str, body: bytes = b"") -> Route | None:
        """The route answering ``method url`` (with ``body``), or None; uses up one of its ``times``."""
        with self._lock:
            candidates = [
                r for r in self._routes if (r.times is None or r.times > 0) and r.matches(method, url, body)
            ]
            if not candidates:
                return None
            specific = [r for r in candidates if r.body_json is not None]
            route = (specific or candidates)[-1]
            if route.times is not None:
                route.times -= 1
            return route

    def start(self) -> StandinServer:
        """Bind and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.standin = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), name="standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: serve the routes of one or more manifests until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(
        prog="python -m jobspiders.standin",
        description="Replay recorded ATS responses for ATS_MIRROR=http://HOST:PORT.",
    )
    parser.add_argument("manifests", nargs="+", metavar="MANIFEST", help="YAML route list(s)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--port-file", type=Path, help="write the base URL to this file once listening")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    args = parser.parse_args(argv)

    routes: list[Route] = []
    try:
        for manifest in args.manifests:
            routes.extend(load_routes(manifest))
    except ManifestError as exc:
        print(f"standin: {exc}", file=sys.stderr)
        return 3

    stopping = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server = StandinServer(routes, host=args.host, port=args.port, verbose=args.verbose, latency=args.latency)
    try:
        server.start()
    except OSError as exc:
        print(f"standin: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    try:
        if args.port_file:
            tmp = args.port_file.with_name(args.port_file.name + ".tmp")
            tmp.write_text(server.base_url + "\n", encoding="utf-8")
            tmp.replace(args.port_file)
        print(f"serving {len(routes)} recorded responses on {server.base_url}", flush=True)
        while not stopping.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
