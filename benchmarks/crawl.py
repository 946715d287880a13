"""Crawl benchmark (issue 8): baseline, full and re-crawl on one synthetic workload, publish alone.

One command, from the checkout (defaults: 100 boards x 50 postings, no latency, a few minutes)::

    .venv/bin/python benchmarks/crawl.py
    .venv/bin/python benchmarks/crawl.py --boards 100,1000,5000      # scaling table
    .venv/bin/python benchmarks/crawl.py --boards 100 --latency 0.2   # + ideal vs measured under politeness
    .venv/bin/python benchmarks/crawl.py --boards 1000 --repeat 3     # ratios judged on the median of 3

Each run is a real ``scrapy crawlall`` process (the 7 ATS spiders of the workload, ``-a companies=`` the
generated registry) against a fast pre-rendered stand-in on 127.0.0.1 (`_server.FastServer`, in this
process); its wall time and peak RSS (largest VmHWM of it and its workers, `_common.run_child`) are
measured from here.

- baseline: ``ITEM_PIPELINES={}``, ``FEEDS={}``: Scrapy + our spiders' parsing, no pipeline, no store
  (crawlall still opens the empty store once and publishes nothing at the end).
- full: every pipeline, the store, feeds, and crawlall's publish at the end (fresh store).
- recrawl: full again on the same store, nothing changed; its OUTPUT_DIR starts with the files the full
  run's publish wrote (the last lists and their publish cache), moved there: a daily re-crawl finds
  yesterday's files as that publish wrote them. ``--copy-outputs`` copies them instead, as before the
  nineteenth round; on this machine the first publish over freshly copied files wrote its lists at half
  the speed (`carry_outputs`).
- publish: ``scrapy publish`` alone over the stored jobs (process wall), first with an empty publish
  cache, then again with the rows it cached; and ``publish()`` in-process.

Before each of these processes the kernel writes back what earlier ones wrote (`_common.settle`:
``os.sync``, timed and printed, not part of any run): a run does not pay for the previous run's files
(``--no-settle``: it does, as before the eighteenth round).

Throughput runs turn politeness off (DOWNLOAD_DELAY=0, AutoThrottle off, ``--concurrency`` per host and in
total, Workable's host limit lifted) so that they measure CPU cost. With ``--latency S`` every answer waits
S seconds; the throughput runs then print their ideal (requests x S / concurrency), and a "polite" full run
with the project's real politeness settings (settings.py and the spiders' ``host_limits``) on
``--polite-boards`` boards prints the ideal time those settings allow next to the measured one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common
import workload as wl
from _common import ROOT, Child, machine, run_child, table, verdict
from _server import FastServer, capacity

MODES = ("baseline", "full", "recrawl")
TARGETS = {
    "full_ratio": 0.5,  # full / baseline items/s, first crawl of 1,000 boards x 50
    "recrawl_ratio": 0.8,
    "rss_mb": 500,  # peak RSS for 50,000 postings
    "publish_s": 5.0,  # scrapy publish over 50,000 stored jobs
    "linear": 0.20,  # s per 1,000 postings at the largest size within 20% of the smallest
    "latency": 1.25,  # measured within 1.25x of the ideal under politeness
}


@dataclass
class Run:
    mode: str
    child: Child
    postings: int = 0
    stored: int = 0
    again: int = 0
    crawl_s: float = 0.0
    requests: int = 0
    misses: int = 0
    server_cpu: float = 0.0
    summary: dict[str, int] = field(default_factory=dict)

    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after the run

    @property
    def items_per_s(self) -> float:
        return self.postings / self.child.wall if self.child.wall else 0.0

    @property
    def items_per_cpu_s(self) -> float:
        """Postings per CPU second of the crawl process: less sensitive to other load on the machine."""
        return self.postings / self.child.cpu if self.child.cpu else 0.0


def parse_crawlall(stdout: str) -> tuple[dict[str, int], float]:
    """The ``total`` row of crawlall's summary table (by column) and its "crawled N spiders in Xs"."""
    lines = stdout.splitlines()
    totals: dict[str, int] = {}
    for i, line in enumerate(lines):
        if line.startswith("ats ") and i + 1 < len(lines):
            headers = re.split(r"\s{2,}", line.strip())
            for row in lines[i + 1 :]:
                if row.startswith("total"):
                    values = re.split(r"\s{2,}", row.strip())
                    totals = {h: int(v) for h, v in zip(headers[1:], values[1:], strict=False)}
                    break
    match = re.search(r"crawled \d+ spiders in ([\d.]+)s", stdout)
    return totals, float(match.group(1)) if match else 0.0


def stats_totals(log: str) -> Counter:
    """Integer stats of every spider's end-of-crawl stats dump in a crawl log, summed over spiders."""
    totals: Counter = Counter()
    for name, value in re.findall(r"^ '([\w/]+)': (\d+),?$", log, re.M):
        totals[name] += int(value)
    return totals


def settings_args(settings: dict[str, Any]) -> list[str]:
    out = []
    for name, value in settings.items():
        text = json.dumps(value) if isinstance(value, dict) else str(value)
        out += ["-s", f"{name}={text}"]
    return out


def throughput_settings(concurrency: int) -> dict[str, Any]:
    return {
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_SLOTS": {"apply.workable.com": {"concurrency": concurrency, "delay": 0}},
    }


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.ats = ",".join(wl.ATS)

    def crawl(
        self,
        mode: str,
        load: wl.Workload,
        server: FastServer,
        registry: Path,
        folder: Path,
        extra: dict[str, Any],
        profile: Path | None = None,
    ) -> Run:
        folder.mkdir(parents=True, exist_ok=True)
        settings = {
            "ATS_MIRROR": server.base_url,
            "JOBS_NOW": wl.NOW_ISO,
            "JOBS_DB": str(folder.parent / f"{mode if mode == 'baseline' else 'store'}.db"),
            "OUTPUT_DIR": str(folder),
            "LOG_LEVEL": self.args.log_level,
            **extra,
        }
        if mode == "baseline":
            settings.update(ITEM_PIPELINES={}, FEEDS={})
        command = [
            "-m",
            "scrapy",
            "crawlall",
            "--ats",
            self.ats,
            "-a",
            f"companies={registry}",
            *settings_args(settings),
        ]
        if profile is not None:
            command = [
                "-m",
                "pyinstrument",
                "-r",
                "pstats",
                "-o",
                str(profile.with_suffix(".pstats")),
                *command,
            ]
        server.log.clear()
        server.misses.clear()
        cpu0 = sum(os.times()[:2])
        load0 = os.getloadavg()[0]
        child = run_child([sys.executable, *command], log=folder / f"{mode}.log")
        run = Run(mode, child)
        run.server_cpu = sum(os.times()[:2]) - cpu0
        run.load = (load0, os.getloadavg()[0])
        run.summary, run.crawl_s = parse_crawlall(child.stdout)
        # The stats dumps in the log (one per spider) are the stable source; the summary table's columns
        # are the command's business.
        stats = stats_totals(child.stderr)
        run.postings = stats.get("jobspiders/postings/ok", run.summary.get("postings", 0))
        run.stored = stats.get("jobspiders/store/new", 0)
        run.again = stats.get("jobspiders/store/seen_again", 0)
        run.requests = len(server.log)
        run.misses = len(server.misses)
        if child.returncode not in (0, 2) or not run.crawl_s:
            print(f"  !! {mode}: exit {child.returncode}; log {folder / f'{mode}.log'}", file=sys.stderr)
            print("\n".join(child.stderr.splitlines()[-15:]), file=sys.stderr)
        if run.misses:
            print(
                f"  !! {mode}: {run.misses} requests had no recorded answer, e.g. {server.misses[:3]}",
                file=sys.stderr,
            )
        return run

    def publish_alone(self, folder: Path) -> dict[str, float]:
        db = folder.parent / "store.db"
        settings = {"JOBS_DB": str(db), "JOBS_NOW": wl.NOW_ISO, "OUTPUT_DIR": str(folder / "publish")}
        # A new OUTPUT_DIR: the first publish starts with an empty publish cache (every row rendered),
        # the second finds the rows of the first (the daily case: most jobs unchanged since yesterday).
        command = [sys.executable, "-m", "scrapy", "publish", *settings_args(settings)]
        first = run_child(command, log=folder / "publish-first.log")
        cli = run_child(command, log=folder / "publish.log")
        code = (
            "import json,time,sys\n"
            "from scrapy.settings import Settings\n"
            "from jobspiders.config import JobsConfig\n"
            "from jobspiders.publish import publish\n"
            f"config = JobsConfig.from_settings(Settings({settings!r}))\n"
            "t = time.perf_counter()\n"
            "try:\n    publish(config)\nexcept Exception as exc:\n    print(repr(exc), file=sys.stderr)\n"
            "print(json.dumps({'seconds': time.perf_counter() - t}))\n"
        )
        inproc = run_child([sys.executable, "-c", code], log=folder / "publish-inproc.log")
        try:
            seconds = json.loads(inproc.stdout.strip().splitlines()[-1])["seconds"]
        except (IndexError, ValueError, KeyError):
            seconds = float("nan")
        with sqlite3.connect(db) as con:
            stored, open_jobs = con.execute("SELECT COUNT(*), SUM(closed_at IS NULL) FROM jobs").fetchone()
        return {
            "first": first.wall,
            "first_code": first.returncode,
            "first_settled": first.settled().lstrip(", "),
            "wall": cli.wall,
            "rss": max(first.peak_rss_mb, cli.peak_rss_mb),
            "code": cli.returncode,
            "inproc": seconds,
            "stored": stored,
            "open": open_jobs or 0,
        }

    # ---------------------------------------------------------------------------------------------

    def size(self, boards: int, first: bool) -> dict[str, Any]:
        args = self.args
        folder = self.work / f"boards-{boards}"
        folder.mkdir(parents=True, exist_ok=True)
        registry = folder / "companies.yml"
        load = wl.build(boards, args.postings, args.seed, registry=registry)
        print(load.summary())
        result: dict[str, Any] = {"boards": boards, "postings": load.postings, "requests": len(load.requests)}
        if args.capacity_seconds > 0:
            self.capacities(load, first)
        extra = throughput_settings(args.concurrency)
        repeats: dict[str, list[Run]] = {mode: [] for mode in args.modes}
        with FastServer(load.lookup, latency=args.latency) as server:
            for rep in range(args.repeat):
                runs: dict[str, Run] = {}
                for mode in args.modes:
                    if mode == "full":  # a first crawl: a new store, no lists or publish cache yet
                        for suffix in ("", "-wal", "-shm"):
                            (folder / f"store.db{suffix}").unlink(missing_ok=True)
                        shutil.rmtree(folder / mode, ignore_errors=True)
                    if mode == "recrawl" and "full" not in runs and rep == 0:
                        print("  (recrawl without a full run first: the store is empty, it is a first crawl)")
                    if mode == "recrawl" and "full" in runs:
                        carry_outputs(folder / "full", folder / mode, copy=args.copy_outputs)
                    runs[mode] = self.crawl(mode, load, server, registry, folder / mode, extra)
                    repeats[mode].append(runs[mode])
                    self.report_run(
                        mode, runs[mode], f" (run {rep + 1} of {args.repeat})" if args.repeat > 1 else ""
                    )
            # The lists the store's state was last published to, which a profiled re-crawl starts from.
            lists = folder / ("recrawl" if repeats.get("recrawl") else "full")
            for mode in args.profile:
                self.profile(mode, load, server, registry, folder, extra, lists)
            publish = self.publish_alone(folder / "full") if "full" in repeats else None
        result["runs"] = {mode: median_run(runs) for mode, runs in repeats.items()}
        result["repeats"] = repeats
        result["publish"] = publish
        self.report_size(load, repeats, publish)
        return result

    @staticmethod
    def report_run(mode: str, r: Run, note: str = "") -> None:
        print(
            f"  {mode:<9} {r.postings:>7} postings  {r.child.wall:7.1f}s wall"
            f"  ({r.crawl_s:.1f}s crawl)"
            f"  {r.items_per_s:7.0f} items/s  peak RSS {r.child.peak_rss_mb:6.0f} MB"
            f"  CPU {r.child.cpu:.1f}s ({r.items_per_cpu_s:.0f} items/CPU-s)"
            f"  [{r.requests} requests, stand-in CPU {r.server_cpu:.1f}s,"
            f" load {r.load[0]:.1f}->{r.load[1]:.1f},"
            f" exit {r.child.returncode}{r.child.settled()}]{note}",
            flush=True,
        )
        print(
            f"            {r.child.rss_profile()}; with the processes it started (PSS):"
            f" {r.child.peak_tree_mb:.0f} MB at {r.child.peak_tree_at / r.child.wall:.0%}",
            flush=True,
        )

    def capacities(self, load: wl.Workload, first: bool) -> None:
        seconds = self.args.capacity_seconds
        with FastServer(load.lookup) as fast:
            cap = capacity(fast.base_url, load.requests, seconds)
        print(
            f"  stand-in capacity (benchmarks/_server.FastServer, {len(load.requests)} routes): "
            f"{cap['per_second']:.0f} answers/s, {cap['mb_per_second']:.0f} MB/s (loader in its own process)"
        )
        if first and len(load.requests) <= self.args.standin_max_routes:
            from jobspiders.standin import Route, StandinServer

            routes = []
            for (method, target, body), url in zip(load.requests, load.real_urls, strict=True):
                payload = load.responses[(method, target, body)].split(b"\r\n\r\n", 1)[1]
                routes.append(
                    Route(
                        url=url,
                        body=payload,
                        method=method,
                        content_type="application/json",
                        body_json=json.loads(body) if body else None,
                    )
                )
            with StandinServer(routes) as std:
                cap = capacity(std.base_url, load.requests, seconds)
            print(
                "  stand-in capacity (jobspiders.standin, threaded, linear route scan, "
                f"{len(routes)} routes): "
                f"{cap['per_second']:.0f} answers/s, {cap['mb_per_second']:.0f} MB/s"
            )

    def profile(
        self,
        mode: str,
        load: wl.Workload,
        server: FastServer,
        registry: Path,
        folder: Path,
        extra: dict[str, Any],
        lists: Path,
    ) -> None:
        """One more run of ``mode`` under pyinstrument, then its hot spots. A profiled re-crawl starts
        from a copy of the last run's store and with the lists in ``lists`` (the last run's, published
        from that store, moved as for a timed re-crawl); the others from an empty store."""
        target = folder / f"profile-{mode}"
        target.mkdir(parents=True, exist_ok=True)
        for name in ("store.db", "store.db-wal", "store.db-shm", "baseline.db"):
            (target / name).unlink(missing_ok=True)
        if mode == "recrawl" and (folder / "store.db").exists():
            with sqlite3.connect(folder / "store.db") as source, sqlite3.connect(target / "store.db") as copy:
                source.backup(copy)
        out = target / mode
        if mode == "recrawl" and lists.exists():
            carry_outputs(lists, out, copy=self.args.copy_outputs)
        run = self.crawl(mode, load, server, registry, out, extra, profile=out)
        print(
            f"  profiled {mode} crawl (pyinstrument): {run.child.wall:.1f}s wall; "
            f"{out.with_suffix('.pstats')}"
        )
        print(hot_spots(out.with_suffix(".pstats"), self.args.top))

    def report_size(
        self, load: wl.Workload, repeats: dict[str, list[Run]], publish: dict[str, float] | None
    ) -> None:
        """The targets' figures; with ``--repeat``, each repetition's ratio (a run against the baseline of
        the same repetition) and their median, which the verdict is on."""
        lines = []
        bases = repeats.get("baseline", [])
        for mode, target in (("full", "full_ratio"), ("recrawl", "recrawl_ratio")):
            pairs = [(b, r) for b, r in zip(bases, repeats.get(mode, []), strict=False) if b.items_per_s]
            if not pairs:
                continue
            ratios = [r.items_per_s / b.items_per_s for b, r in pairs]
            cpu = [r.items_per_cpu_s / b.items_per_cpu_s if b.items_per_cpu_s else 0 for b, r in pairs]
            ratio = statistics.median(ratios)
            each = (
                f"median of {len(ratios)}: {', '.join(f'{x:.2f}' for x in ratios)}; "
                if len(ratios) > 1
                else ""
            )
            lines.append(
                f"  {mode}/baseline items/s = {ratio:.2f} ({each}per CPU second: "
                f"{statistics.median(cpu):.2f})   "
                f"(target >= {TARGETS[target]} at 1,000 boards: {verdict(ratio >= TARGETS[target])})"
            )
        runs = {
            f"{mode} run {n + 1}" if len(rs) > 1 else mode: r
            for mode, rs in repeats.items()
            for n, r in enumerate(rs)
        }
        for mode, r in runs.items():
            if r.postings != load.postings:
                lines.append(f"  !! {mode}: {r.postings} postings crawled, the workload has {load.postings}")
        # Judged, as in every round, on the largest process (the crawl's, where memory could accumulate per
        # posting). The process tree's PSS is printed too: it peaks during the final publish, when a new
        # process publishes while the crawl process waits for it.
        largest = max((r.child.peak_rss_mb for r in runs.values()), default=0)
        tree = max((r.child.peak_tree_mb for r in runs.values()), default=0)
        lines.append(
            f"  peak RSS {largest:.0f} MB (largest process; with the processes it started, PSS: "
            f"{tree:.0f} MB) for {load.postings} postings   (target < {TARGETS['rss_mb']} MB for "
            f"50,000{'' if load.postings == 50_000 else ' — not this size'}"
            f"{': ' + verdict(largest < TARGETS['rss_mb']) if load.postings == 50_000 else ''})"
        )
        if publish:
            lines.append(
                f"  publish alone over {publish['stored']} stored jobs ({publish['open']} open), target "
                f"< {TARGETS['publish_s']:.0f} s for 50,000; peak RSS {publish['rss']:.0f} MB:\n"
                f"    scrapy publish, empty publish cache: {publish['first']:.2f}s wall "
                f"(exit {publish['first_code']:.0f}) {verdict(publish['first'] < TARGETS['publish_s'])}"
                f"{'; ' + publish['first_settled'] if publish['first_settled'] else ''}\n"
                f"    scrapy publish again, rows cached:   {publish['wall']:.2f}s wall "
                f"(exit {publish['code']:.0f}) {verdict(publish['wall'] < TARGETS['publish_s'])}\n"
                f"    publish() in-process, rows cached:   {publish['inproc']:.2f}s"
            )
        if self.args.latency:
            concurrency = self.args.concurrency
            ideal = len(load.requests) * self.args.latency / concurrency
            for mode, r in runs.items():
                lines.append(
                    f"  latency {self.args.latency}s, {mode}: ideal {ideal:.1f}s ({len(load.requests)} "
                    f"requests x {self.args.latency}s / {concurrency} concurrent), measured crawl "
                    f"{r.crawl_s:.1f}s ({r.crawl_s / ideal:.2f}x)"
                )
        print("\n".join(lines), flush=True)


def median_run(runs: list[Run]) -> Run:
    """The run of median wall time (the lower middle one of an even number)."""
    ordered = sorted(runs, key=lambda r: r.child.wall)
    return ordered[(len(ordered) - 1) // 2]


# What a run's OUTPUT_DIR holds of the run itself rather than of its publish: its log and output, and
# the folder of the publish-alone runs.
RUN_FILES = ("*.log", "*.stdout", "publish")


def carry_outputs(last: Path, folder: Path, *, copy: bool = False) -> None:
    """Start ``folder`` (an OUTPUT_DIR) with the lists and publish cache of the run in ``last``: moved
    there (its logs stay in ``last``), or with ``copy`` copied.

    A move is what a daily re-crawl finds: the very files yesterday's publish wrote. A copy is new files
    written by `shutil.copytree`, and on this machine (a VM) the first publish that replaced them wrote
    its lists at half the speed: the backend list of a 1,000-board re-crawl took 0.85-1.03 s instead of
    0.51-0.52 s, its system time in ``write`` four times as high (benchmarks/PERFORMANCE.md, nineteenth
    round)."""
    shutil.rmtree(folder, ignore_errors=True)
    if copy:
        shutil.copytree(last, folder, ignore=shutil.ignore_patterns(*RUN_FILES))
        return
    last.rename(folder)
    last.mkdir()
    for pattern in RUN_FILES:
        for path in folder.glob(pattern):
            path.rename(last / path.name)


def hot_spots(pstats_path: Path, top: int = 25) -> str:
    """The top functions by own time, and jobspiders' pipelines/store/normalize/publish by cumulative time."""
    import pstats

    stats = pstats.Stats(str(pstats_path))
    total = max((tt for (_, _, tt, _, _) in stats.stats.values()), default=0)
    total = stats.total_tt or total
    rows = []
    for (file, line, func), (_cc, _nc, tt, ct, _callers) in stats.stats.items():
        rows.append((tt, ct, f"{_short(file)}:{line}({func})"))
    own = sorted(rows, reverse=True)[:top]
    mine = sorted(
        (r for r in rows if re.search(r"jobspiders/(pipelines|store|normalize|publish)", r[2])),
        key=lambda r: r[1],
        reverse=True,
    )[:top]
    out = [f"  profile total {total:.1f}s; top {top} by own time:"]
    out += [f"    {tt:7.2f}s own {ct:7.2f}s cum  {name}" for tt, ct, name in own]
    out += ["  jobspiders pipelines/store/normalize/publish by cumulative time:"]
    out += [f"    {ct:7.2f}s cum ({ct / total:5.1%}) {tt:7.2f}s own  {name}" for tt, ct, name in mine]
    return "\n".join(out)


def _short(file: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/", "lib/python3.11/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def polite(args: argparse.Namespace, work: Path) -> None:
    """A full crawl with the real politeness settings and latency: ideal vs measured."""
    import importlib

    settings = importlib.import_module("jobspiders.settings")
    limits: dict[str, dict[str, float]] = {}
    for name in wl.ATS:
        module = importlib.import_module(f"jobspiders.spiders.{name}")
        for value in vars(module).values():
            if isinstance(value, type) and getattr(value, "name", None) == name:
                limits.update({h: dict(v) for h, v in getattr(value, "host_limits", {}).items()})
    folder = work / f"polite-{args.polite_boards}"
    folder.mkdir(parents=True, exist_ok=True)
    registry = folder / "companies.yml"
    load = wl.build(args.polite_boards, args.postings, args.seed, registry=registry)
    latency = args.latency
    total = len(load.requests)
    per_host = load.requests_by_host
    ats_of = {url.split("/")[2].lower(): _ats_of_host(url.split("/")[2].lower()) for url in load.real_urls}
    conc_default = settings.CONCURRENT_REQUESTS_PER_DOMAIN
    delay_default = settings.DOWNLOAD_DELAY
    ideal_hosts = 0.0
    by_ats: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
    for host, n in per_host.items():
        conc = limits.get(host, {}).get("concurrency", conc_default)
        delay = max(limits.get(host, {}).get("delay", delay_default), delay_default)
        t = n * max(delay, latency / conc)
        by_ats[ats_of[host]].append((host, n, t))
        ideal_hosts = max(ideal_hosts, t)
    ideal_global = total * latency / settings.CONCURRENT_REQUESTS
    ideal = max(ideal_hosts, ideal_global)
    naive = total * latency / conc_default
    extra = {"JOBS_PROGRESS_INTERVAL": 0}
    with FastServer(load.lookup, latency=latency) as server:
        bench = Bench(args, folder)
        run = bench.crawl("polite", load, server, registry, folder / "polite", extra)
        log = list(server.log)
    print(
        f"\npolite full crawl, real politeness settings (DOWNLOAD_DELAY={delay_default}, "
        f"CONCURRENT_REQUESTS_PER_DOMAIN={conc_default}, CONCURRENT_REQUESTS={settings.CONCURRENT_REQUESTS}, "
        f"AUTOTHROTTLE_ENABLED={settings.AUTOTHROTTLE_ENABLED}, host_limits {limits}), "
        f"latency {latency}s, {args.polite_boards} boards, {total} requests:"
    )
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    counts: Counter = Counter()
    for at, host in log:
        ats = ats_of.get(host, "?")
        first.setdefault(ats, at)
        last[ats] = at
        counts[ats] += 1
    start = min(first.values(), default=0)
    rows = []
    for ats in wl.ATS:
        hosts = by_ats.get(ats, [])
        if not hosts:
            continue
        n = sum(h[1] for h in hosts)
        t = max(h[2] for h in hosts)
        measured = (last[ats] - start + latency) if ats in last else float("nan")
        host, _, _ = max(hosts, key=lambda h: h[2])
        lim = limits.get(host, {})
        rows.append(
            [
                ats,
                len(hosts),
                n,
                lim.get("concurrency", conc_default),
                max(lim.get("delay", delay_default), delay_default),
                f"{t:.1f}",
                f"{measured:.1f}",
                f"{measured / t:.2f}" if t else "-",
            ]
        )
    print(
        table(["ats", "hosts", "requests", "conc/host", "delay/host", "ideal s", "measured s", "ratio"], rows)
    )
    for row in rows:
        if row[2] >= 20 and row[-1] != "-" and float(row[-1]) < 0.8:
            print(
                f"  !! {row[0]}: {row[2]} requests took {row[6]}s, less than its politeness settings allow "
                f"({row[5]}s): the configured per-host delay ({row[4]}s) is not what the crawl applies "
                "(AutoThrottle adjusts every slot's delay down to DOWNLOAD_DELAY)"
            )
    ratio = run.crawl_s / ideal if ideal else float("nan")
    print(
        f"  ideal {ideal:.1f}s = max(busiest host {ideal_hosts:.1f}s: requests x max(delay, latency / "
        f"concurrency); all hosts {ideal_global:.1f}s: {total} x {latency} / {settings.CONCURRENT_REQUESTS})"
    )
    print(f"  the issue's formula (boards x requests/board x latency / concurrency per host): {naive:.1f}s")
    print(
        f"  measured: crawl {run.crawl_s:.1f}s, process {run.child.wall:.1f}s wall, {run.postings} postings, "
        f"{run.requests} requests  -> {ratio:.2f}x ideal   (target <= {TARGETS['latency']}x: "
        f"{verdict(ratio <= TARGETS['latency'])})"
    )


def _ats_of_host(host: str) -> str:
    for suffix, ats in (
        ("greenhouse.io", "greenhouse"),
        ("lever.co", "lever"),
        ("smartrecruiters.com", "smartrecruiters"),
        ("ashbyhq.com", "ashby"),
        ("recruitee.com", "recruitee"),
        ("workable.com", "workable"),
        ("myworkdayjobs.com", "workday"),
    ):
        if host.endswith(suffix):
            return ats
    return "?"


def scaling(results: list[dict[str, Any]]) -> None:
    """Seconds per 1,000 postings for each size, by the process's wall time and by its crawl alone.

    The process wall includes Scrapy's start-up and, for full runs, the final publish: fixed costs that
    a small run spreads over few postings. The verdict is on the crawl (spiders open to close), which is
    what grows with the registry; both are printed."""
    modes = [m for m in MODES if all(m in r["runs"] for r in results)]
    rows = []
    for r in results:
        row: list[object] = [r["boards"], r["postings"], r["requests"]]
        for mode in modes:
            run = r["runs"][mode]
            row.append(f"{run.child.wall / run.postings * 1000:.2f}" if run.postings else "-")
            row.append(f"{run.crawl_s / run.postings * 1000:.2f}" if run.postings else "-")
        row.append(f"{max(run.child.peak_rss_mb for run in r['runs'].values()):.0f}")
        pub = r.get("publish")
        row.append(f"{pub['first']:.2f} / {pub['wall']:.2f}" if pub else "-")
        rows.append(row)
    print("\nscaling: seconds per 1,000 postings (process wall, and the crawl alone)")
    columns = [f"{m} {what} s/1k" for m in modes for what in ("wall", "crawl")]
    print(
        table(["boards", "postings", "requests", *columns, "peak RSS MB", "publish s (empty/cached)"], rows)
    )
    small, large = results[0], results[-1]
    for mode in modes:
        a, b = small["runs"][mode], large["runs"][mode]
        if a.postings and b.postings:
            wall = (b.child.wall / b.postings) / (a.child.wall / a.postings) - 1
            crawl = (b.crawl_s / b.postings) / (a.crawl_s / a.postings) - 1
            print(
                f"  {mode}: {large['boards']} boards vs {small['boards']}: {crawl:+.0%} per posting in the "
                f"crawl ({wall:+.0%} by process wall)   "
                f"(target within ±{TARGETS['linear']:.0%}: {verdict(abs(crawl) <= TARGETS['linear'])})"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--boards", default="100", help="board counts, comma-separated (default 100)")
    parser.add_argument("--postings", type=int, default=50, help="postings per board (default 50)")
    parser.add_argument("--seed", type=int, default=8, help="workload seed (default 8)")
    parser.add_argument(
        "--modes", default=",".join(MODES), help="runs per size (default baseline,full,recrawl)"
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every answer (default 0)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=64,
        help="throughput runs: concurrent requests, in total and per host (default 64)",
    )
    parser.add_argument(
        "--polite-boards",
        type=int,
        default=14,
        help="boards of the politeness run made with --latency (default 14; 0: none)",
    )
    parser.add_argument(
        "--capacity-seconds",
        type=float,
        default=2.0,
        help="seconds of stand-in capacity measurement per size (default 2; 0: skip)",
    )
    parser.add_argument(
        "--standin-max-routes",
        type=int,
        default=5000,
        help="measure jobspiders.standin's capacity only up to this many routes (default 5000)",
    )
    parser.add_argument(
        "--profile",
        default="",
        metavar="MODES",
        help="also run these modes (e.g. full or baseline,full) under pyinstrument and print the hot spots",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the modes this many times, one after the other, and judge the ratios on their median "
        "(default 1; a shared machine's runs of the same code can vary by a quarter)",
    )
    parser.add_argument("--top", type=int, default=25, help="hot spots to print (default 25)")
    parser.add_argument("--log-level", default="INFO", help="LOG_LEVEL of the crawls (default INFO)")
    parser.add_argument("--keep", type=Path, help="keep stores, logs and outputs in this folder")
    parser.add_argument(
        "--copy-outputs",
        action="store_true",
        help="start the re-crawl from a copy of the full run's lists and publish cache instead of the "
        "files themselves, as before the nineteenth round",
    )
    parser.add_argument(
        "--no-settle",
        action="store_true",
        help="do not write back the page cache's dirty pages (os.sync) before each timed process: a run "
        "then also pays for writing back what the run before it wrote, as before the eighteenth round",
    )
    args = parser.parse_args(argv)
    _common.SETTLE = not args.no_settle
    sizes = [int(n) for n in args.boards.split(",") if n.strip()]
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    args.profile = [m.strip() for m in args.profile.split(",") if m.strip()]
    if unknown := set(args.modes + args.profile) - set(MODES) - {"recrawl"}:
        parser.error(f"unknown mode(s): {', '.join(sorted(unknown))}")
    print(f"machine: {machine()}")
    print(f"command: {' '.join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])])}")
    print(
        "targets (issue 8): full/baseline >= 0.5 and recrawl/baseline >= 0.8 items/s at 1,000 boards x 50; "
        "peak RSS < 500 MB for 50,000 postings; scrapy publish < 5 s over 50,000 jobs; s/1k postings at "
        "5,000 boards within 20% of 100 boards; with 200 ms latency within 1.25x of the politeness ideal"
    )
    work = args.keep or Path(tempfile.mkdtemp(prefix="jobspiders-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        bench = Bench(args, work)
        results = []
        for n, boards in enumerate(sizes):
            print(
                f"\n== {boards} boards x {args.postings} postings"
                + (f", latency {args.latency}s" if args.latency else ""),
                flush=True,
            )
            results.append(bench.size(boards, first=n == 0))
        if len(results) > 1:
            scaling(results)
        if args.latency and args.polite_boards > 0:
            polite(args, work)
        failed = [
            mode
            for r in results
            for mode, runs in r["repeats"].items()
            for run in runs
            if run.child.returncode not in (0, 2) or run.postings != r["postings"] or run.misses
        ]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nbenchmark done in {time.perf_counter() - started:.0f}s")
    if failed:
        print(f"runs that did not crawl the whole workload: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
