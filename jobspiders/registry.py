"""The companies registry: YAML files of boards, loaded into validated `Board` objects.

The bundled registry is the folder jobspiders/data/companies/ (one file per ATS, so diffs stay
readable); ``-a companies=`` takes a file or a folder. Format (DESIGN.md, "Companies registry"): a YAML
list of entries with ``name``, ``website``, ``ats``, ``token`` and, where the ATS needs it, ``host`` and
``site``; or ``name`` + ``url`` (a careers URL from which ats/token/host/site are detected). A malformed
entry is reported with its file and position and skipped; the rest of the registry still loads.

Board identity is ``<ats>:<token>`` (`Board.key`): it names the board in the store, in job ids, in logs and
in shards. Workday is the one ATS whose board is not its tenant: one tenant serves several career sites
(``External``, ``Campus``…), each its own board, so a Workday token is ``tenant/site`` (``3m/Search``;
`Board.tenant` and `Board.site` give the parts). An entry may still say ``token: 3m`` plus ``site: Search``;
it then keeps the bare tenant as its token (a single-site tenant written the old way keeps its identity).

Display names: an entry's ``name`` is what the registry says; a board can tell its real name when crawled
(`apply_learned_names`, an overlay read from the store at load time, never written back to the files).
Entries whose ``source`` is ``curated`` keep their hand-written name.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from jobspiders.detect import ATS_NAMES, detect_url

logger = logging.getLogger(__name__)

BUNDLED = "companies"  # a folder of YAML files, one per ATS
KNOWN_KEYS = frozenset({"name", "website", "ats", "token", "host", "site", "url", "key", "source"})
CURATED = "curated"  # the ``source`` of hand-curated entries: their names are never overridden
# PyYAML's C loader when built with libyaml: the bundled registry has thousands of entries.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RegistryError(ValueError):
    """A registry file that cannot be used at all (unreadable, not YAML, not a list)."""


@dataclass(frozen=True, slots=True)
class Board:
    """One company board on one ATS."""

    name: str
    ats: str
    token: str
    website: str | None = None
    host: str | None = None
    site: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``<ats>:<token>``, the board's identity in the store and in the logs."""
        return f"{self.ats}:{self.token}"

    @property
    def tenant(self) -> str:
        """The Workday tenant (the token before ``/``); the token itself for every other ATS."""
        return self.token.split("/", 1)[0] if self.ats == "workday" else self.token

    @property
    def source(self) -> Any:
        """Where the entry came from (``curated``, ``stapply/lever.csv``…; a list when merged), or None."""
        return self.extra.get("source")

    @property
    def curated(self) -> bool:
        source = self.source
        return source == CURATED or (isinstance(source, list) and CURATED in source)


@dataclass(frozen=True, slots=True)
class EntryProblem:
    """Why one registry entry was skipped."""

    source: str
    index: int
    entry: Any
    reason: str

    def __str__(self) -> str:
        label = self.entry.get("name") if isinstance(self.entry, Mapping) else None
        where = f"{self.source} entry #{self.index + 1}" + (f" ({label!r})" if label else "")
        return f"{where}: {self.reason}"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return str(value).strip() or None


def parse_entry(entry: Any) -> Board:
    """Validate one registry entry into a Board; raise ValueError saying what is wrong."""
    if not isinstance(entry, Mapping):
        raise ValueError(f"entry must be a mapping, got {type(entry).__name__}")
    unknown = sorted(set(map(str, entry)) - KNOWN_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {', '.join(unknown)}")
    values = {
        key: _text(entry.get(key)) for key in ("name", "website", "ats", "token", "host", "site", "url")
    }
    if values["url"]:
        found = detect_url(values["url"])
        for key in ("ats", "token", "host", "site"):
            values[key] = values[key] or getattr(found, key)
        if not values["ats"] or not values["token"]:
            raise ValueError(f"cannot tell the ATS board from url {values['url']!r}")
    missing = [key for key in ("name", "ats", "token") if not values[key]]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    website = values["website"]
    if website and not website.lower().startswith(("http://", "https://")):
        website = f"https://{website}/"
    extra = {key: entry[key] for key in ("key", "source") if entry.get(key) is not None}
    ats = values["ats"].lower()
    token, site = values["token"], values["site"]
    if ats == "workday" and "/" in token:
        # tenant/site: one board per career site of a tenant (the module docstring).
        tenant, _, token_site = token.partition("/")
        if not tenant or not token_site or "/" in token_site:
            raise ValueError(f"a Workday token is TENANT or TENANT/SITE, got {token!r}")
        if site and site.casefold() != token_site.casefold():
            raise ValueError(f"site {site!r} does not match the site of token {token!r}")
        site = site or token_site
    return Board(
        name=values["name"],
        ats=ats,
        token=token,
        website=website,
        host=values["host"],
        site=site,
        extra=extra,
    )


def board_identity(ats: str, token: str, site: str | None = None) -> str:
    """The key two spellings of one board share: ``ats:token`` case-folded, Workday with its site.

    Used to merge duplicates (imports, ``discover --add``); `Board.key` keeps the registry's spelling.
    """
    ats = ats.lower()
    if ats == "workday":
        tenant, _, token_site = token.partition("/")
        site = token_site or site
        token = f"{tenant}/{site}" if site else tenant
    return f"{ats}:{token.casefold()}"


def parse_registry(data: Any, source: str) -> tuple[list[tuple[int, Board]], list[EntryProblem]]:
    """(position, board) pairs and per-entry problems of one parsed registry document."""
    if data is None:
        return [], []
    if not isinstance(data, list):
        raise RegistryError(f"{source}: a registry is a YAML list of entries, got {type(data).__name__}")
    boards: list[tuple[int, Board]] = []
    problems: list[EntryProblem] = []
    for index, entry in enumerate(data):
        try:
            boards.append((index, parse_entry(entry)))
        except ValueError as exc:
            problems.append(EntryProblem(source, index, entry, str(exc)))
    return boards, problems


def _documents(path: str | Path | None) -> Iterator[tuple[str, str]]:
    """(source name, text) of each registry file: one file, or every *.yml/*.yaml of a folder."""
    if path is None:
        folder = resources.files("jobspiders.data").joinpath(BUNDLED)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yml", ".yaml")):
                yield f"jobspiders/data/{BUNDLED}/{entry.name}", entry.read_text(encoding="utf-8")
        return
    path = Path(path)
    files = sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml")) if path.is_dir() else [path]
    for file in files:
        try:
            yield str(file), file.read_text(encoding="utf-8")
        except OSError as exc:
            raise RegistryError(f"cannot read registry {file}: {exc.strerror or exc}") from exc


# Parsed documents by (source, digest of text): crawlall's spiders share one parse of the big files.
_PARSED: dict[tuple[str, str], tuple[list[tuple[int, Board]], list[EntryProblem]]] = {}


def _parse_document(source: str, text: str) -> tuple[list[tuple[int, Board]], list[EntryProblem]]:
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()
    cached = _PARSED.get((source, digest))
    if cached is None:
        try:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader: CSafeLoader or SafeLoader)
        except yaml.YAMLError as exc:
            raise RegistryError(f"{source} is not valid YAML: {exc}") from exc
        cached = parse_registry(data, source)
        if len(_PARSED) > 64:
            _PARSED.clear()
        _PARSED[(source, digest)] = cached
    return cached


def _wanted_document(source: str, ats: str | None) -> bool:
    """With ``ats``, skip the files named after another ATS (``lever.yml`` when loading greenhouse)."""
    if ats is None:
        return True
    stem = Path(source).stem.lower()
    return stem == ats or stem not in ATS_NAMES


def load_registry(
    path: str | Path | None = None,
    *,
    ats: str | None = None,
    learned_names: Mapping[str, str] | None = None,
) -> tuple[list[Board], list[EntryProblem]]:
    """Load a registry file or folder (the bundled registry when ``path`` is None).

    Each skipped entry is logged; a board listed twice (in one file or across files) is kept once.
    ``ats``: only that ATS's boards (files named after another ATS are not even read: a spider needs
    only its own). ``learned_names``: board key → the name the board told on a crawl (see
    `apply_learned_names`).
    """
    boards: list[Board] = []
    problems: list[EntryProblem] = []
    seen: set[str] = set()
    for source, text in _documents(path):
        if not _wanted_document(source, ats):
            continue
        found, file_problems = _parse_document(source, text)
        if ats is not None:
            found = [(index, board) for index, board in found if board.ats == ats]
        problems.extend(file_problems)
        for index, board in found:
            if board.key in seen:
                problems.append(
                    EntryProblem(source, index, {"name": board.name}, f"duplicate board {board.key}")
                )
                continue
            seen.add(board.key)
            boards.append(board)
    for problem in problems:
        logger.warning("Skipping registry entry: %s", problem)
    if learned_names:
        boards = apply_learned_names(boards, learned_names)
    return boards, problems


def apply_learned_names(boards: Iterable[Board], learned: Mapping[str, str]) -> list[Board]:
    """The boards with the names their boards told on a crawl (``learned``: board key → name).

    The overlay is how a crawl corrects inventory names (``10Alabs``, ``103644278``) without rewriting
    the registry files: hand-curated entries (``source: curated``) keep their name; the registry's name
    stays in ``extra["listed_name"]``. Blank learned names are ignored.
    """
    result = []
    for board in boards:
        name = (learned.get(board.key) or "").strip()
        if name and name != board.name and not board.curated:
            board = replace(board, name=name, extra={**board.extra, "listed_name": board.name})
        result.append(board)
    return result


def parse_shard(value: str) -> tuple[int, int]:
    """``"2/4"`` → (2, 4); shards are numbered from 1."""
    try:
        index_text, count_text = value.split("/")
        index, count = int(index_text), int(count_text)
    except ValueError:
        raise ValueError(f"shard must look like I/N (e.g. 1/4), got {value!r}") from None
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"shard {value!r} is out of range: need 1 <= I <= N")
    return index, count


def in_shard(board: Board, index: int, count: int) -> bool:
    """Deterministic board → shard assignment (stable across runs, machines and registry order)."""
    digest = hashlib.sha1(board.key.encode(), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


def select_boards(
    boards: Iterable[Board],
    *,
    ats: str | None = None,
    tokens: Iterable[str] | None = None,
    shard: tuple[int, int] | None = None,
) -> Iterator[Board]:
    """Filter boards by ATS, by token (case-insensitive; a Workday tenant selects all its sites) and by
    shard."""
    wanted = {token.strip().lower() for token in tokens or () if token.strip()}
    for board in boards:
        if ats and board.ats != ats:
            continue
        if wanted and board.token.lower() not in wanted and board.tenant.lower() not in wanted:
            continue
        if shard and not in_shard(board, *shard):
            continue
        yield board
