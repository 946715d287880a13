from __future__ import annotations

import pytest

from jobspiders.registry import (
    Board,
    RegistryError,
    in_shard,
    load_registry,
    parse_entry,
    parse_shard,
    select_boards,
)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {
                "name": "Capital Rx",
                "website": "https://capitalrx.com/",
                "ats": "greenhouse",
                "token": "capitalrx",
            },
            Board(name="Capital Rx", ats="greenhouse", token="capitalrx", website="https://capitalrx.com/"),
        ),
        (  # website without scheme, ATS in capitals
            {"name": "Yuno", "website": "y.uno", "ats": "Lever", "token": "yuno"},
            Board(name="Yuno", ats="lever", token="yuno", website="https://y.uno/"),
        ),
        (
            {
                "name": "Acme",
                "ats": "workday",
                "token": "acme",
                "host": "acme.wd5.myworkdayjobs.com",
                "site": "Ext",
            },
            Board(name="Acme", ats="workday", token="acme", host="acme.wd5.myworkdayjobs.com", site="Ext"),
        ),
        (  # a careers URL instead of ats/token
            {"name": "Acme", "url": "https://jobs.lever.co/acme"},
            Board(name="Acme", ats="lever", token="acme", host="jobs.lever.co"),
        ),
        (
            {"name": "Numeric", "ats": "greenhouse", "token": 12345},
            Board(name="Numeric", ats="greenhouse", token="12345"),
        ),
    ],
)
def test_parse_entry(entry, expected):
    assert parse_entry(entry) == expected


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("just a string", "entry must be a mapping"),
        ({"name": "Acme", "ats": "greenhouse"}, "missing token"),
        ({"ats": "greenhouse", "token": "acme"}, "missing name"),
        ({"name": "Acme", "ats": "greenhouse", "token": "acme", "tokn": "x"}, "unknown keys tokn"),
        ({"name": "Acme", "url": "https://example.com/careers"}, "cannot tell the ATS board"),
        ({"name": ["A"], "ats": "greenhouse", "token": "acme"}, "expected text"),
    ],
)
def test_parse_entry_rejects(entry, message):
    with pytest.raises(ValueError, match=message):
        parse_entry(entry)


def test_load_registry_skips_bad_entries_and_names_them(registry_file, caplog):
    path = registry_file(
        """
- {name: Good, ats: greenhouse, token: good}
- {name: NoToken, ats: greenhouse}
- 42
- {name: Good again, ats: greenhouse, token: GOOD2}
- {name: Dup, ats: greenhouse, token: good}
"""
    )
    boards, problems = load_registry(path)
    assert [board.token for board in boards] == ["good", "GOOD2"]
    assert [(problem.index, problem.reason) for problem in problems] == [
        (1, "missing token"),
        (2, "entry must be a mapping, got int"),
        (4, "duplicate board greenhouse:good"),
    ]
    assert f"{path} entry #2 ('NoToken'): missing token" in caplog.text


@pytest.mark.parametrize(
    ("text", "message"),
    [("{a: 1}", "is a YAML list"), ("- [unclosed", "not valid YAML")],
)
def test_load_registry_rejects_unusable_files(registry_file, text, message):
    with pytest.raises(RegistryError, match=message):
        load_registry(registry_file(text))


def test_load_registry_missing_file(tmp_path):
    with pytest.raises(RegistryError, match="cannot read registry"):
        load_registry(tmp_path / "nope.yml")


def test_bundled_registry_has_the_seed_boards():
    boards, problems = load_registry()
    assert problems == []
    keys = {board.key for board in boards}
    assert {
        "greenhouse:capitalrx",
        "greenhouse:thoughtworksreferral",
        "lever:yuno",
        "smartrecruiters:SopraSteria1",
        "smartrecruiters:T-SystemsIberia",
    } <= keys
    assert len(keys) == len(boards)  # no board twice


@pytest.mark.parametrize(("value", "expected"), [("1/1", (1, 1)), ("2/4", (2, 4))])
def test_parse_shard(value, expected):
    assert parse_shard(value) == expected


@pytest.mark.parametrize("value", ["0/4", "5/4", "1/0", "a/b", "3", ""])
def test_parse_shard_rejects(value):
    with pytest.raises(ValueError, match="shard"):
        parse_shard(value)


def test_shards_partition_the_registry():
    boards = [Board(name=f"C{i}", ats="greenhouse", token=f"board{i}") for i in range(200)]
    for count in (1, 3, 7):
        owners = [
            [index for index in range(1, count + 1) if in_shard(board, index, count)] for board in boards
        ]
        assert all(len(owner) == 1 for owner in owners)
        if count > 1:  # and they are not all in one shard
            assert len({owner[0] for owner in owners}) == count


def test_select_boards_by_ats_and_token():
    boards = [
        Board(name="A", ats="greenhouse", token="Alpha"),
        Board(name="B", ats="greenhouse", token="beta"),
        Board(name="C", ats="lever", token="alpha"),
    ]
    assert [b.name for b in select_boards(boards, ats="greenhouse", tokens=["alpha", " "])] == ["A"]
    assert [b.name for b in select_boards(boards, tokens=["ALPHA"])] == ["A", "C"]
    assert [b.name for b in select_boards(boards, ats="lever")] == ["C"]


def test_registry_folder_merges_files_and_drops_cross_file_duplicates(tmp_path):
    (tmp_path / "a.yml").write_text("- {name: A, ats: greenhouse, token: one}\n")
    (tmp_path / "b.yaml").write_text(
        "- {name: B, ats: lever, token: two}\n- {name: A2, ats: greenhouse, token: one}\n"
    )
    (tmp_path / "notes.txt").write_text("not a registry")
    boards, problems = load_registry(tmp_path)
    assert [board.key for board in boards] == ["greenhouse:one", "lever:two"]
    assert [str(problem) for problem in problems] == [
        f"{tmp_path / 'b.yaml'} entry #2 ('A2'): duplicate board greenhouse:one"
    ]
