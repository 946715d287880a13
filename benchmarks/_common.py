"""Shared helpers of the benchmark scripts: the machine, child processes with their peak RSS, tables."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT), str(Path(__file__).resolve().parent)):
    if path not in sys.path:
        sys.path.insert(0, path)


# Whether `run_child` has the kernel write back the page cache's dirty pages before it starts a process
# (`settle`). crawl.py's ``--no-settle`` turns it off.
SETTLE = True


def machine() -> str:
    """``nproc``, CPU model and RAM of this machine, and the Python running the benchmark."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f", {int(line.split()[1]) / 1024 / 1024:.1f} GB RAM"
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({model}){ram}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


@dataclass
class Child:
    returncode: int
    wall: float
    peak_rss_mb: float
    cpu: float
    stdout: str
    stderr: str
    rss_samples: list[tuple[float, float]] = field(default_factory=list)  # (seconds, MB) every 0.1 s
    # The largest sum of PSS (shared pages split between their users) of the process and the processes it
    # started (normalize and publish workers), sampled every second: the memory the whole run needs.
    peak_tree_mb: float = 0.0
    peak_tree_at: float = 0.0  # seconds into the run
    # How long `settle` took before the run (None: it did not run; not part of ``wall``), and the MB of
    # dirty pages it wrote back (None: unknown).
    settle_s: float | None = None
    settled_mb: float | None = None

    def settled(self) -> str:
        """``", settled 1176 MB in 0.6s first"`` when `settle` ran before it, else ``""``."""
        if self.settle_s is None:
            return ""
        mb = "?" if self.settled_mb is None else f"{self.settled_mb:.0f}"
        return f", settled {mb} MB in {self.settle_s:.1f}s first"

    def rss_profile(self) -> str:
        """RSS at each quarter of the run and when the peak happened: growth vs start-up vs the end."""
        if not self.rss_samples:
            return ""
        points = []
        for quarter in (0.25, 0.5, 0.75, 1.0):
            at = quarter * self.wall
            mb = max((m for t, m in self.rss_samples if t <= at), default=0.0)
            points.append(f"{mb:.0f}")
        peak_t, peak = max(self.rss_samples, key=lambda s: (s[1], -s[0]))
        return f"RSS by quarter {'/'.join(points)} MB, sampled peak {peak:.0f} MB at {peak_t / self.wall:.0%}"


def _status_kb(pid: int, field: str) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
        return int(text.split(f"{field}:", 1)[1].split()[0])
    except (OSError, IndexError, ValueError):
        return None


def _descendants(pid: int) -> list[int]:
    """The process's children, grandchildren … (e.g. publish worker processes)."""
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            found += children
            queue += children
    return found


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        return int(text.split("\nPss:", 1)[1].split()[0])
    except (OSError, IndexError, ValueError):
        return 0


def dirty_mb(meminfo: Path = Path("/proc/meminfo")) -> float | None:
    """The page cache's memory waiting to be written back, or being written (``Dirty`` + ``Writeback`` of
    /proc/meminfo, MB); None without it."""
    try:
        lines = meminfo.read_text().splitlines()
        kb = {name: int(value.split()[0]) for name, _, value in (line.partition(":") for line in lines)}
        return (kb["Dirty"] + kb["Writeback"]) / 1024
    except (OSError, KeyError, ValueError, IndexError):
        return None


def settle() -> tuple[float | None, float]:
    """Have the kernel write back every file written so far (`os.sync`, which waits for it): the process
    started next then does not pay for the writing back of what an earlier one wrote. A full crawl of
    1,000 boards leaves about 1.2 GB unwritten (its store, feed, lists and publish cache) for the kernel to
    write back during the re-crawl after it: 0.6 s of disk time here, much more on a slow disk. The dirty
    MB there were before (None: unknown) and the seconds it took."""
    before = dirty_mb()
    started = time.perf_counter()
    if hasattr(os, "sync"):  # not on Windows
        os.sync()
    return before, time.perf_counter() - started


def run_child(
    args: list[str],
    cwd: Path = ROOT,
    log: Path | None = None,
    timeout: float = 7200,
    settle_first: bool | None = None,
) -> Child:
    """Run a process; its wall time, CPU time and peak RSS. First, if ``settle_first`` (default:
    `SETTLE`), `settle`: what was written before it is on disk, not written back while it runs.

    Peak RSS is the largest ``VmHWM`` (the kernel's high-water mark of resident memory) of the process
    and of any process it starts, sampled every 0.1 s. Not ``wait4``'s ``ru_maxrss``: Linux counts in
    it the memory of the process that spawned the child up to its ``exec`` (here the benchmark itself,
    which holds the whole workload), so it grows with the workload, not with the crawl.

    stderr goes to ``log`` (a crawl's INFO log can be large), stdout is returned.
    """
    settled_mb: float | None = None
    settle_s: float | None = None
    if SETTLE if settle_first is None else settle_first:
        settled_mb, settle_s = settle()
    log = log or Path(os.devnull)
    out_path = log.with_suffix(".stdout") if log.name != os.devnull else None
    with open(log, "wb") as err, open(out_path or os.devnull, "wb") as out:  # noqa: PTH123
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err)
        deadline = started + timeout
        samples: list[tuple[float, float]] = []
        peak_kb = 0
        peak_tree_kb, peak_tree_at = 0, 0.0
        next_sample = next_tree_sample = started
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if now >= next_sample:
                next_sample = now + 0.1
                rss = _status_kb(process.pid, "VmRSS")
                if rss is not None:
                    samples.append((now - started, rss / 1024))
                members = (process.pid, *_descendants(process.pid))
                for member in members:
                    peak_kb = max(peak_kb, _status_kb(member, "VmHWM") or 0)
                if now >= next_tree_sample:  # PSS walks the page tables: once a second is cheap enough
                    next_tree_sample = now + 1.0
                    tree_kb = sum(_pss_kb(member) for member in members)
                    if tree_kb > peak_tree_kb:
                        peak_tree_kb, peak_tree_at = tree_kb, now - started
            if now > deadline:
                process.kill()
            time.sleep(0.02)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text(errors="replace") if out_path else ""
    stderr = log.read_text(errors="replace") if log.name != os.devnull else ""
    return Child(
        process.returncode,
        wall,
        peak_kb / 1024 if peak_kb else usage.ru_maxrss / 1024,
        usage.ru_utime + usage.ru_stime,
        stdout,
        stderr,
        samples,
        peak_tree_kb / 1024,
        peak_tree_at,
        settle_s,
        settled_mb,
    )


def table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "\n".join(
        "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in cells
    )


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"
