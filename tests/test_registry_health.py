"""Registry health: board states over several simulated crawls, dormant boards crawled weekly, the status
report, and the history read from the store."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from jobspiders.registry import Board, apply_learned_names
from jobspiders.registry_health import (
    board_health,
    boards_due,
    load_board_history,
    load_learned_names,
    state_changes,
    state_of,
    status_counts,
    status_report,
)
from jobspiders.store import open_store
from tests.conftest import ROOT

DAY0 = datetime(2026, 11, 1, 6, tzinfo=UTC)


def iso(day: float) -> str:
    return (DAY0 + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("outcomes", "state"),
    [
        ([], "new"),
        (["ok"], "active"),
        (["ok", "empty"], "empty"),
        (["ok", "failed"], "failing"),
        (["ok", "missing"], "failing"),
        (["ok", "missing", "missing"], "failing"),
        (["ok", "missing", "missing", "missing"], "dormant"),
        (
            ["missing", "failed", "missing", "failed", "missing"],
            "dormant",
        ),  # failures neither count nor reset
        (["missing", "missing", "missing", "failed"], "dormant"),
        (["missing", "missing", "missing", "ok"], "active"),  # one answer wakes it
        (["missing", "missing", "empty", "missing"], "failing"),
    ],
)
def test_state_of(outcomes, state):
    assert state_of(outcomes, dormant_after=3) == state


def test_dormant_and_active_transitions_over_simulated_daily_crawls():
    """A board disappears for a while and comes back: active → failing → dormant (crawled weekly) → active."""
    boards = [Board(name="Gone", ats="lever", token="gone"), Board(name="Fine", ats="lever", token="fine")]
    # what the ATS answers for "gone" on each day (fine always answers ok)
    answers = {0: "ok", 1: "missing", 2: "missing", 3: "missing", 10: "missing", 17: "ok", 18: "ok", 19: "ok"}
    history: list[tuple[str, str, str, str]] = []
    crawled: dict[str, list[int]] = {"gone": [], "fine": []}
    states: dict[int, str] = {}
    for day in range(20):
        now = DAY0 + timedelta(days=day)
        for board in boards_due(boards, history, now):
            crawled[board.token].append(day)
            outcome = "ok" if board.token == "fine" else answers.get(day, "missing")
            history.append((board.ats, board.token, iso(day), outcome))
        states[day] = board_health(history)[("lever", "gone")].state
    assert crawled["fine"] == list(range(20))
    # dormant after three missing crawls in a row (day 3), then only weekly: days 10 and 17
    assert crawled["gone"] == [0, 1, 2, 3, 10, 17, 18, 19]
    assert [states[d] for d in (0, 1, 2, 3, 9, 10, 16, 17, 18)] == [
        "active",
        "failing",
        "failing",
        "dormant",
        "dormant",
        "dormant",
        "dormant",
        "active",
        "active",
    ]
    # the board was never deleted: it stayed in the registry and came back
    assert board_health(history)[("lever", "gone")].missing_streak == 0


def test_boards_due_with_custom_policy_and_unknown_boards():
    board = Board(name="A", ats="greenhouse", token="a")
    new = Board(name="N", ats="greenhouse", token="n")
    history = [("greenhouse", "a", iso(d), "missing") for d in range(2)]
    policy = {"dormant_after": 2, "dormant_every": timedelta(days=1)}
    assert boards_due([board, new], history, DAY0 + timedelta(days=1, hours=12), **policy) == [new]
    assert boards_due([board, new], history, DAY0 + timedelta(days=2), **policy) == [board, new]


def test_state_changes_in_the_last_crawl():
    history = [
        ("lever", "a", iso(0), "ok"),
        ("lever", "a", iso(1), "ok"),
        ("lever", "b", iso(0), "ok"),
        ("lever", "b", iso(1), "failed"),
        ("lever", "c", iso(1), "empty"),  # first crawl: new → empty
        ("lever", "d", iso(0), "ok"),  # not crawled in lever's last crawl
        ("greenhouse", "g", iso(0), "missing"),
        ("greenhouse", "g", iso(1), "missing"),
        ("greenhouse", "g", iso(2), "missing"),
    ]
    changes = [(c.key, c.before, c.after) for c in state_changes(history)]
    assert changes == [
        ("greenhouse:g", "failing", "dormant"),
        ("lever:b", "active", "failing"),
        ("lever:c", "new", "empty"),
    ]


def test_status_report_counts_per_ats_and_state():
    boards = [
        Board(name="A", ats="lever", token="a"),
        Board(name="B", ats="lever", token="b"),
        Board(name="N", ats="lever", token="n"),
        Board(name="G", ats="greenhouse", token="g"),
    ]
    history = [
        ("lever", "a", iso(0), "ok"),
        ("lever", "b", iso(0), "failed", "HTTP 500"),
        *[("greenhouse", "g", iso(d), "missing", "HTTP 404: no such board") for d in range(3)],
        ("greenhouse", "removed", iso(2), "ok"),  # history of a board no longer in the registry
    ]
    counts = status_counts(boards, history)
    assert counts["lever"] == {"active": 1, "failing": 1, "new": 1}
    assert counts["greenhouse"] == {"dormant": 1}
    report = status_report(boards, history)
    lines = report.splitlines()
    assert lines[0].split() == ["ats", "boards", "active", "empty", "failing", "dormant", "new"]
    assert lines[1].split() == ["greenhouse", "1", "0", "0", "0", "1", "0"]
    assert lines[2].split() == ["lever", "3", "1", "0", "1", "0", "1"]
    assert lines[3].split() == ["total", "4", "1", "0", "1", "1", "1"]
    assert "  greenhouse:g: failing -> dormant (HTTP 404: no such board)" in lines
    assert "  lever:b: new -> failing (HTTP 500)" in lines


def test_load_board_history_reads_the_sqlite_store(tmp_path):
    db = tmp_path / "jobs.db"
    store = open_store(str(db))
    store.finish_board("lever", "a", "ok", None, ["1", "2"], iso(0))
    store.finish_board("lever", "a", "missing", "HTTP 404: no such board", [], iso(1))
    store.close()
    rows = load_board_history(SimpleNamespace(db=str(db)))
    assert [(r.key, r.crawled_at, r.outcome, r.jobs) for r in rows] == [
        ("lever:a", iso(0), "ok", 2),
        ("lever:a", iso(1), "missing", 0),
    ]
    assert load_learned_names(SimpleNamespace(db=str(db))) == {}  # the store cannot tell names yet


def test_load_board_history_prefers_the_store_method(tmp_path, monkeypatch):
    class FakeStore:
        def board_history(self):
            return [{"ats": "ashby", "board": "x", "crawled_at": iso(0), "outcome": "empty"}]

        def board_names(self):
            return {("ashby", "x"): "  X Corp ", ("ashby", "y"): ""}

        def close(self):
            pass

    monkeypatch.setattr("jobspiders.store.open_store", lambda url: FakeStore())
    config = SimpleNamespace(db="ignored")
    assert [(r.key, r.outcome) for r in load_board_history(config)] == [("ashby:x", "empty")]
    assert load_learned_names(config) == {"ashby:x": "X Corp"}


def test_learned_names_overlay_spares_curated_entries():
    boards = [
        Board(name="10Alabs", ats="greenhouse", token="10alabs", extra={"source": "stapply/greenhouse.csv"}),
        Board(name="Capital Rx", ats="greenhouse", token="capitalrx", extra={"source": ["curated", "x"]}),
    ]
    learned = {"greenhouse:10alabs": "10A Labs", "greenhouse:capitalrx": "Capital Rx Inc."}
    renamed = apply_learned_names(boards, learned)
    assert [b.name for b in renamed] == ["10A Labs", "Capital Rx"]
    assert renamed[0].extra["listed_name"] == "10Alabs"


def test_registry_status_command(tmp_path):
    db = tmp_path / "jobs.db"
    registry = tmp_path / "companies.yml"
    registry.write_text("- {name: A, ats: lever, token: a}\n- {name: B, ats: lever, token: b}\n")
    store = open_store(str(db))
    for day in range(3):
        store.finish_board("lever", "a", "missing", "HTTP 404: no such board", [], iso(day))
    store.close()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "registry",
            "status",
            "--companies",
            str(registry),
            "-s",
            f"JOBS_DB={db}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].split() == ["lever", "2", "0", "0", "0", "1", "1"]
    assert "lever:a: failing -> dormant (HTTP 404: no such board)" in result.stdout
