"""Load generator for `_server.capacity`: ``_loadgen.py BASE_URL REQUESTS.jsonl SECONDS CONNECTIONS``.

Keep-alive HTTP/1.1 connections (asyncio streams), each sending the requests of the file round-robin,
one at a time; prints one JSON line: answers, seconds, answers/s, MB/s, errors.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit


async def worker(
    host: str, port: int, requests: list[bytes], start: int, deadline: float, totals: dict[str, float]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = start
    try:
        while time.monotonic() < deadline:
            writer.write(requests[i % len(requests)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            totals["answers"] += 1
            totals["bytes"] += len(head) + length
            if status >= 400:
                totals["errors"] += 1
    finally:
        writer.close()


async def main_async(base: str, path: str, seconds: float, connections: int) -> dict[str, float]:
    parts = urlsplit(base)
    requests = []
    with open(path, encoding="utf-8") as f:  # noqa: PTH123
        for line in f:
            method, target, body = json.loads(line)
            data = body.encode("latin-1")
            head = f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: application/json\r\n"
            if data:
                head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
            requests.append(head.encode("latin-1") + b"\r\n" + data)
    totals = {"answers": 0.0, "bytes": 0.0, "errors": 0.0}
    started = time.monotonic()
    deadline = started + seconds
    step = max(1, len(requests) // connections)
    await asyncio.gather(
        *(
            worker(parts.hostname, parts.port, requests, n * step, deadline, totals)
            for n in range(connections)
        )
    )
    elapsed = time.monotonic() - started
    return {
        "answers": totals["answers"],
        "seconds": round(elapsed, 3),
        "per_second": round(totals["answers"] / elapsed, 1),
        "mb_per_second": round(totals["bytes"] / elapsed / 1e6, 1),
        "errors": totals["errors"],
    }


if __name__ == "__main__":
    base_url, file, secs, conns = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(asyncio.run(main_async(base_url, file, secs, conns))))
