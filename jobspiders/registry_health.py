"""Registry health: what the board run history says about each board, and which boards to crawl today.

Pure functions over history rows ``(ats, board, crawled_at, outcome[, reason, jobs])`` — the store's
``board_runs`` table, one row per board per crawl, ``outcome`` one of ok / empty / missing / failed (see
`jobspiders.spiders.base`). A board's state comes from its own rows in time order:

- ``new``: never crawled;
- ``dormant``: missing (404/410, or the ATS says "no such board") in ``dormant_after`` crawls in a row
  (default 3). A failed crawl (5xx, timeout, bad payload) proves nothing either way: it neither counts
  towards the streak nor breaks it. A dormant board stays in the registry and is crawled once every
  ``dormant_every`` (default 7 days) instead of daily (`boards_due`); one ok/empty answer wakes it;
- ``active``: its latest answer listed jobs (ok);
- ``empty``: its latest answer was a board without jobs;
- ``failing``: its latest crawl failed, or it was missing fewer than ``dormant_after`` times in a row.

Reading the history is the one place that touches the store: `load_board_history`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jobspiders.registry import Board

STATES = ("active", "empty", "failing", "dormant", "new")
DORMANT_AFTER = 3  # missing crawls in a row before a board is dormant
DORMANT_EVERY = timedelta(days=7)  # how often a dormant board is still crawled


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One board's outcome in one crawl."""

    ats: str
    board: str
    crawled_at: str  # ISO 8601 UTC, as the store writes it
    outcome: str
    reason: str | None = None
    jobs: int = 0

    @property
    def key(self) -> str:
        return f"{self.ats}:{self.board}"


@dataclass(frozen=True, slots=True)
class BoardHealth:
    ats: str
    board: str
    state: str
    last_outcome: str | None
    last_crawled: str | None
    missing_streak: int
    reason: str | None = None

    @property
    def key(self) -> str:
        return f"{self.ats}:{self.board}"


@dataclass(frozen=True, slots=True)
class StateChange:
    ats: str
    board: str
    before: str
    after: str
    crawled_at: str
    reason: str | None = None

    @property
    def key(self) -> str:
        return f"{self.ats}:{self.board}"


def as_row(row: Any) -> HistoryRow:
    """A history row from a tuple ``(ats, board, crawled_at, outcome[, reason, jobs])``, a mapping or a
    HistoryRow."""
    if isinstance(row, HistoryRow):
        return row
    if isinstance(row, Mapping):
        return HistoryRow(
            str(row["ats"]),
            str(row["board"]),
            str(row["crawled_at"]),
            str(row["outcome"]),
            row.get("reason"),
            int(row.get("jobs") or 0),
        )
    ats, board, crawled_at, outcome, *rest = row
    reason = rest[0] if rest else None
    jobs = int(rest[1] or 0) if len(rest) > 1 else 0
    return HistoryRow(str(ats), str(board), str(crawled_at), str(outcome), reason, jobs)


def parse_instant(value: str) -> datetime:
    instant = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def by_board(history: Iterable[Any]) -> dict[tuple[str, str], list[HistoryRow]]:
    """Rows grouped per (ats, board), oldest first."""
    grouped: dict[tuple[str, str], list[HistoryRow]] = defaultdict(list)
    for raw in history:
        row = as_row(raw)
        grouped[(row.ats, row.board)].append(row)
    for rows in grouped.values():
        rows.sort(key=lambda r: parse_instant(r.crawled_at))
    return grouped


def missing_streak(outcomes: Sequence[str]) -> int:
    """Missing outcomes at the end, failed ones skipped (they neither count nor break the streak)."""
    streak = 0
    for outcome in reversed(outcomes):
        if outcome == "missing":
            streak += 1
        elif outcome != "failed":
            break
    return streak


def state_of(outcomes: Sequence[str], dormant_after: int = DORMANT_AFTER) -> str:
    """The state of a board whose crawls, oldest first, had these outcomes."""
    if not outcomes:
        return "new"
    if missing_streak(outcomes) >= dormant_after:
        return "dormant"
    last = outcomes[-1]
    if last == "ok":
        return "active"
    if last == "empty":
        return "empty"
    return "failing"


def board_health(
    history: Iterable[Any], dormant_after: int = DORMANT_AFTER
) -> dict[tuple[str, str], BoardHealth]:
    """Each board's health from the history (boards never crawled are not in it: they are ``new``)."""
    result = {}
    for (ats, board), rows in by_board(history).items():
        outcomes = [row.outcome for row in rows]
        last = rows[-1]
        result[(ats, board)] = BoardHealth(
            ats,
            board,
            state_of(outcomes, dormant_after),
            last.outcome,
            last.crawled_at,
            missing_streak(outcomes),
            last.reason,
        )
    return result


def state_changes(history: Iterable[Any], dormant_after: int = DORMANT_AFTER) -> list[StateChange]:
    """Boards whose state changed in the last crawl of their ATS (``new`` → … included), by key."""
    grouped = by_board(history)
    latest: dict[str, datetime] = {}
    for (ats, _board), rows in grouped.items():
        when = parse_instant(rows[-1].crawled_at)
        latest[ats] = max(latest.get(ats, when), when)
    changes = []
    for (ats, board), rows in grouped.items():
        if parse_instant(rows[-1].crawled_at) != latest[ats]:
            continue  # not in the ATS's last crawl
        outcomes = [row.outcome for row in rows]
        before, after = state_of(outcomes[:-1], dormant_after), state_of(outcomes, dormant_after)
        if before != after:
            changes.append(StateChange(ats, board, before, after, rows[-1].crawled_at, rows[-1].reason))
    return sorted(changes, key=lambda change: change.key)


def boards_due(
    boards: Iterable[Board],
    history: Iterable[Any],
    now: datetime,
    *,
    dormant_after: int = DORMANT_AFTER,
    dormant_every: timedelta = DORMANT_EVERY,
) -> list[Board]:
    """The boards to crawl at ``now``: every board but the dormant ones crawled less than
    ``dormant_every`` ago (those rest until their weekly turn). Registry order is kept."""
    health = board_health(history, dormant_after)
    due = []
    for board in boards:
        found = health.get((board.ats, board.token))
        resting = found and found.state == "dormant" and found.last_crawled
        if resting and now - parse_instant(found.last_crawled) < dormant_every:
            continue
        due.append(board)
    return due


def dormancy_policy(settings: Any) -> tuple[int, timedelta]:
    """(dormant_after, dormant_every) from the settings ``JOBS_DORMANT_AFTER`` (crawls) and
    ``JOBS_DORMANT_EVERY_DAYS`` (days)."""
    after = settings.getint("JOBS_DORMANT_AFTER", DORMANT_AFTER)
    every = settings.getfloat("JOBS_DORMANT_EVERY_DAYS", DORMANT_EVERY.days)
    if after < 1 or every < 0:
        raise ValueError("JOBS_DORMANT_AFTER must be >= 1 and JOBS_DORMANT_EVERY_DAYS >= 0")
    return after, timedelta(days=every)


def select_due(boards: Sequence[Board], config: Any, settings: Any) -> list[Board]:
    """What a spider should crawl today: `boards_due` over the store's history (one call for
    ``AtsSpider.from_crawler``, after ``select_boards``; skip it when ``-a company=`` names boards)."""
    if not boards:
        return []
    after, every = dormancy_policy(settings)
    history = [row for row in load_board_history(config) if row.ats in {b.ats for b in boards}]
    return boards_due(boards, history, config.now, dormant_after=after, dormant_every=every)


# --------------------------------------------------------------------------------------------------
# Reading the store
# --------------------------------------------------------------------------------------------------


def load_board_history(config: Any) -> list[HistoryRow]:
    """Every board run in the store (``config.db``), as HistoryRows.

    Rows are ``(ats, board, crawled_at, outcome, reason, jobs)`` from the store's ``board_history()``.
    """
    from jobspiders.store import open_store

    store = open_store(config.db)
    try:
        return [as_row(row) for row in store.board_history()]
    finally:
        store.close()


def load_learned_names(config: Any) -> dict[str, str]:
    """Board key → the name the board told on its latest crawl (``registry.apply_learned_names``).

    From the store's ``board_names()`` (``(ats, board)`` → name), filled when boards state their name
    (Greenhouse's ``company_name``).
    """
    from jobspiders.store import open_store

    store = open_store(config.db)
    try:
        return {
            f"{ats}:{board}": name.strip()
            for (ats, board), name in store.board_names().items()
            if name.strip()
        }
    finally:
        store.close()


# --------------------------------------------------------------------------------------------------
# The status report
# --------------------------------------------------------------------------------------------------


def status_counts(
    boards: Iterable[Board], history: Iterable[Any], dormant_after: int = DORMANT_AFTER
) -> dict[str, Counter[str]]:
    """Per ATS, how many registry boards are in each state."""
    health = board_health(history, dormant_after)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for board in boards:
        found = health.get((board.ats, board.token))
        counts[board.ats][found.state if found else "new"] += 1
    return counts


def status_report(boards: Sequence[Board], history: Sequence[Any], dormant_after: int = DORMANT_AFTER) -> str:
    """The text ``scrapy registry status`` prints."""
    counts = status_counts(boards, history, dormant_after)
    table = [["ats", "boards", *STATES]]
    for ats in sorted(counts):
        table.append([ats, str(sum(counts[ats].values())), *(str(counts[ats][s]) for s in STATES)])
    total: Counter[str] = sum(counts.values(), Counter())
    table.append(["total", str(sum(total.values())), *(str(total[s]) for s in STATES)])
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = [
        "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in table
    ]
    known = {(board.ats, board.token) for board in boards}
    changes = [c for c in state_changes(history, dormant_after) if (c.ats, c.board) in known]
    if changes:
        lines.append(f"changed state in the last crawl: {len(changes)}")
        for change in changes:
            reason = f" ({change.reason})" if change.reason and change.after in ("failing", "dormant") else ""
            lines.append(f"  {change.key}: {change.before} -> {change.after}{reason}")
    else:
        lines.append("changed state in the last crawl: none")
    return "\n".join(lines)
