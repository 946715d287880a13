"""A fast stand-in for the benchmarks: asyncio, pre-rendered response bytes, 127.0.0.1 only.

`jobspiders.standin.StandinServer` (threaded stdlib HTTP, a linear scan of every route per request) is
right for tests; at benchmark scale its route lookup alone costs O(routes) per request. `FastServer`
answers the mirrored requests of a `workload.Workload` with one dict lookup and one write of the
pre-rendered bytes, optionally after a per-response ``latency`` (a timer, not a sleeping thread).
It records the arrival time and host of every request (``log``) so that a run can be checked against
the politeness settings.

`capacity(url, requests, seconds)` measures a server's answers/s with `_loadgen.py` in a separate
process (keep-alive connections, the workload's own requests).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

NOT_FOUND = b'{"error": "no recorded response"}'
NOT_FOUND_RESPONSE = (
    b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(NOT_FOUND)).encode()
    + b"\r\nConnection: keep-alive\r\n\r\n"
    + NOT_FOUND
)


class _Protocol(asyncio.Protocol):
    __slots__ = ("buffer", "server", "transport")

    def __init__(self, server: FastServer) -> None:
        self.server = server
        self.buffer = b""
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.server.connections += 1

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            length = 0
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = lower.find(b"\r\n", at + 2)
                length = int(lower[at + 17 : stop if stop > 0 else None].strip() or 0)
            total = end + 4 + length
            if len(buffer) < total:
                break
            body = buffer[end + 4 : total]
            buffer = buffer[total:]
            line = head.split(b"\r\n", 1)[0]
            method, target, _ = line.split(b" ", 2)
            self.server.answer(self.transport, method.decode(), target.decode("latin-1"), body)
        self.buffer = buffer

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


class FastServer:
    """Serve ``lookup(method, target, body) -> response bytes | None`` on 127.0.0.1 in a daemon thread."""

    def __init__(self, lookup: Any, latency: float = 0.0, host: str = "127.0.0.1", port: int = 0) -> None:
        self.lookup = lookup
        self.latency = latency
        self.host, self.port = host, port
        self.log: list[tuple[float, str]] = []  # (monotonic arrival, real host)
        self.misses: list[str] = []
        self.connections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._server: Any = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def answer(self, transport: Any, method: str, target: str, body: bytes) -> None:
        self.log.append((time.monotonic(), target[1 : target.find("/", 1)]))
        response = self.lookup(method, target, body)
        if response is None:
            self.misses.append(f"{method} {target}")
            response = NOT_FOUND_RESPONSE
        if self.latency:
            self._loop.call_later(self.latency, _write, transport, response)
        else:
            transport.write(response)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._server = loop.run_until_complete(
            loop.create_server(
                lambda: _Protocol(self), self.host, self.port, backlog=1024, reuse_address=True
            )
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        loop.run_forever()
        self._server.close()
        loop.run_until_complete(self._server.wait_closed())
        loop.close()

    def start(self) -> FastServer:
        self._thread = threading.Thread(target=self._run, name="fastserver", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(5)
            self._loop = None

    def __enter__(self) -> FastServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _write(transport: Any, response: bytes) -> None:
    if transport is not None and not transport.is_closing():
        transport.write(response)


def capacity(
    base_url: str, requests: list[tuple[str, str, bytes]], seconds: float = 2.0, connections: int = 16
) -> dict[str, float]:
    """Answers/s and MB/s of the server at ``base_url`` for ``requests`` (round-robin), measured by
    `_loadgen.py` in its own process."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for method, target, body in requests:
            f.write(json.dumps([method, target, body.decode("latin-1")]) + "\n")
        path = f.name
    try:
        out = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("_loadgen.py")),
                base_url,
                path,
                str(seconds),
                str(connections),
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=True,
        )
    finally:
        Path(path).unlink(missing_ok=True)
    return json.loads(out.stdout.strip().splitlines()[-1])
