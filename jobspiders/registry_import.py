"""Import inventories of company boards into the registry (``scrapy registry import``).

Input files, told apart by their content:

- CSV with a header naming a ``url`` column (and usually ``name``): ``name,url`` inventories such as
  ``../shared/registry-sources/stapply/*.csv``;
- YAML registries (``*.yml``/``*.yaml``): entries in the registry format (DESIGN.md);
- anything else: a plain list of URLs, one per line (blank lines and ``#`` comments ignored).

Each URL goes through `jobspiders.detect.detect_url` (the code behind ``scrapy detect``); then:

- tokens are normalised: lowercased where the ATS ignores case (Greenhouse, Lever, Workable, Rippling,
  and every token read from a host name), kept as published where it matters (SmartRecruiters company
  identifiers, Ashby organizations, Workday site names, Jobylon feed keys);
- ``host`` is kept only where the spider needs it (`needed_host`): Workday (always), Greenhouse and Lever EU,
  Teamtailor regions, Personio ``.com``, Zoho Recruit data centres, and non-default hosts generally;
- Workday boards are ``tenant/site`` (see `jobspiders.registry`); a URL holding only a locale names no
  site: it is merged into the tenant's other sites when there are some, else rejected (``workday-no-site``);
- duplicates (same `board_identity`: ATS + token case-folded, Workday with its site) merge into one entry;
  a hand-curated entry keeps its fields, and every entry keeps its provenance in ``source``;
- names: the inventory's name (whitespace trimmed), unless it was derived from a URL segment that is not
  the board (``Oneclick Ui`` for ``jobs.smartrecruiters.com/oneclick-ui/company/WSHGroup/…``).

Rows that cannot be used are reported with file, line and reason (`REASONS`) and skipped.

The registry is written one file per ATS (``<ats>.yml``), entries sorted by identity, one entry per line in
YAML flow style, so a diff shows one line per board. A file's leading comment block is kept.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from jobspiders.detect import ATS_NAMES, Detection, detect_url
from jobspiders.registry import CURATED, board_identity, parse_entry

# Entry keys in the order they are written.
KEY_ORDER = ("name", "website", "ats", "token", "host", "site", "url", "key", "source")

REASONS: dict[str, str] = {
    "bad-row": "no URL in the row (empty line, wrong number of columns, not a mapping)",
    "not-a-url": "not an http(s) URL",
    "unknown-ats": "a URL on no ATS we know",
    "no-board": "the URL is on an ATS host but does not name a board (an embed or job link without token)",
    "workday-no-site": "a Workday URL with only a locale (no career site) of a tenant with no other site",
    "invalid-entry": "a registry entry that does not validate",
}

# ATS whose board tokens are case-insensitive: stored lowercased so two spellings merge.
CASE_INSENSITIVE = frozenset(
    {
        "greenhouse",
        "lever",
        "workable",
        "rippling",
        "teamtailor",
        "recruitee",
        "personio",
        "zohorecruit",
        "taleo",
        "join",
        "jazzhr",
        "bamboohr",
    }
)
# The host each spider uses when an entry has none ({token}); a different host must be kept.
DEFAULT_HOSTS: dict[str, str] = {
    "teamtailor": "{token}.teamtailor.com",
    "recruitee": "{token}.recruitee.com",
    "personio": "{token}.jobs.personio.de",
    "zohorecruit": "{token}.zohorecruit.com",
    "taleo": "{token}.taleo.net",
    "jazzhr": "{token}.applytojob.com",
}
# Path segments that are vendor pages, not company names (SmartRecruiters share/apply URLs).
_SLUG = re.compile(r"[^0-9a-z]+")


def needed_host(ats: str, token: str, host: str | None) -> str | None:
    """The host an entry must keep for its spider, or None when the spider's default is right."""
    if not host:
        return None
    host = host.lower()
    if ats == "workday":
        return host
    if ats in ("greenhouse", "lever"):
        return host if ".eu." in f".{host}" else None  # EU data residency
    template = DEFAULT_HOSTS.get(ats)
    if template is None:
        return None  # one public host for every board (Ashby, Rippling, SmartRecruiters, Workable…)
    return None if host == template.format(token=token.split("/")[0].lower()) else host


def normalise_token(ats: str, token: str) -> str:
    """The token as stored: lowercased where the ATS ignores case, else as published."""
    token = token.strip()
    if ats in CASE_INSENSITIVE:
        return token.lower()
    if ats == "workday":  # tenant (a host label) lowercased, site kept
        tenant, slash, site = token.partition("/")
        return f"{tenant.lower()}{slash}{site}"
    return token


def _slug(text: str) -> str:
    return _SLUG.sub("", text.lower())


def name_from_token(token: str) -> str:
    """A display name from a board token: ``WSHGroup`` as is, ``mona-lee-inc`` → ``Mona Lee Inc``."""
    token = token.split("/")[0].strip("-_ ")
    if any(char.isupper() for char in token):
        return token
    return " ".join(word[:1].upper() + word[1:] for word in re.split(r"[-_\s]+", token) if word) or token


def clean_name(name: str | None, detection: Detection) -> tuple[str, bool]:
    """(display name, derived?) for an inventory row: its name, unless it was made from a URL segment
    that is not the board's (then a name from the token, marked derived)."""
    text = " ".join((name or "").split())
    token = detection.token or ""
    if text:
        slug = _slug(text)
        if slug == _slug(token.split("/")[0]) or not slug:
            return text, False
        segments = [s for s in re.split(r"[/?#]", detection.url.split("://", 1)[-1])[1:] if s]
        if any(_slug(segment) == slug for segment in segments):
            return name_from_token(token), True
        return text, False
    return name_from_token(token), True


# --------------------------------------------------------------------------------------------------
# Reading inputs
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One input record: a CSV row, a URL line or a YAML entry."""

    file: str
    line: int
    name: str | None = None
    url: str | None = None
    entry: Any = None  # a YAML entry (mapping) when the input is a registry


@dataclass(frozen=True, slots=True)
class Rejected:
    file: str
    line: int
    reason: str  # a key of REASONS
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" + (f": {self.detail}" if self.detail else "")


def read_rows(path: str | Path) -> Iterator[Row]:
    """The records of one input file (see the module docstring for the formats)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".yml", ".yaml"):
        yield from _yaml_rows(str(path), text)
        return
    first = next((line for line in text.splitlines() if line.strip()), "")
    header = [cell.strip().lower() for cell in next(csv.reader([first]), [])]
    if "url" in header and "://" not in first:
        yield from _csv_rows(str(path), text)
        return
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield Row(str(path), number, url=line)


def _csv_rows(source: str, text: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    for cells in reader:
        if header is None:
            if any(cell.strip() for cell in cells):
                header = [cell.strip().lower() for cell in cells]
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield Row(source, reader.line_num)  # bad-row
            continue
        record = dict(zip(header, cells, strict=True))
        yield Row(source, reader.line_num, name=record.get("name"), url=(record.get("url") or "").strip())


def _yaml_rows(source: str, text: str) -> Iterator[Row]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{source} is not valid YAML: {exc}") from exc
    if root is None:
        return
    if not isinstance(root, yaml.SequenceNode):
        raise ValueError(f"{source}: a registry is a YAML list of entries")
    constructor = yaml.SafeLoader("")
    for node in root.value:
        entry = constructor.construct_object(node, deep=True)
        line = node.start_mark.line + 1
        if (
            isinstance(entry, Mapping)
            and set(entry) <= {"name", "url", "website", "source"}
            and "url" in entry
        ):
            yield Row(source, line, name=entry.get("name"), url=str(entry.get("url") or ""), entry=entry)
        else:
            yield Row(source, line, entry=entry)


# --------------------------------------------------------------------------------------------------
# The registry being built
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Slot:
    entry: dict[str, Any]
    derived_name: bool = False
    existing: bool = False
    changed: bool = False


def _sources(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _with_source(entry: dict[str, Any], source: str) -> bool:
    """Add ``source`` to the entry's provenance; True when it was new."""
    sources = _sources(entry.get("source"))
    if source in sources:
        return False
    sources.append(source)
    entry["source"] = sources[0] if len(sources) == 1 else sources
    return True


@dataclass
class ImportReport:
    rows: Counter[str] = field(default_factory=Counter)  # per ATS: rows read and placed
    new: Counter[str] = field(default_factory=Counter)
    merged: Counter[str] = field(default_factory=Counter)
    rejected: list[Rejected] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)  # new entries, in input order

    def rejected_by_reason(self) -> Counter[str]:
        return Counter(r.reason for r in self.rejected)


class RegistryBuilder:
    """The registry folder's entries by identity, plus what an import adds to them."""

    def __init__(self) -> None:
        self.slots: dict[str, _Slot] = {}
        self.order: dict[str, list[str]] = defaultdict(list)  # per ATS file: identities
        self.headers: dict[str, str] = {}
        self.verbatim: dict[str, list[dict[str, Any]]] = defaultdict(list)  # entries we cannot place
        self.sites: dict[str, set[str]] = defaultdict(set)  # workday tenant → identities of its sites
        self._pending_locale: list[tuple[Row, Detection, str]] = []  # Workday URLs without a site

    # --- existing registry -------------------------------------------------------------------------

    def load_folder(self, folder: str | Path, *, label_curated: bool = True) -> None:
        """Read every ``*.yml`` of a registry folder (entries kept exactly, comments kept per file).

        ``label_curated``: entries without a ``source`` are hand-written: they get ``source: curated``
        when their file is rewritten.
        """
        folder = Path(folder)
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.yml")):
            text = path.read_text(encoding="utf-8")
            self.headers[path.stem] = _header(text)
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or []  # noqa: S506
            for entry in data if isinstance(data, list) else []:
                self._load_entry(path.stem, entry, label_curated=label_curated)

    def _load_entry(self, file_ats: str, entry: Any, *, label_curated: bool) -> None:
        try:
            board = parse_entry(entry)
        except ValueError:
            self.verbatim[file_ats].append(entry)  # not ours to fix: written back unchanged
            return
        identity = board_identity(board.ats, board.token, board.site)
        if identity in self.slots:
            self.verbatim[file_ats].append(entry)  # a duplicate already: load_registry reports it
            return
        entry = dict(entry)
        if board.ats == "workday" and board.site and "/" not in board.token:
            entry["token"] = f"{board.token}/{board.site}"  # the one identity rule: tenant/site
        if label_curated and entry.get("source") is None:
            entry["source"] = CURATED
        self._put(file_ats, identity, _Slot(entry, existing=True), board.ats, board.token)

    def _put(self, file_ats: str, identity: str, slot: _Slot, ats: str, token: str) -> None:
        self.slots[identity] = slot
        self.order[file_ats].append(identity)
        if ats == "workday":
            self.sites[token.split("/")[0].lower()].add(identity)

    # --- adding rows -------------------------------------------------------------------------------

    def add_row(self, row: Row, source: str, report: ImportReport) -> None:
        if row.url is None:
            if isinstance(row.entry, Mapping):
                self._add_entry(row, source, report)
            else:
                report.rejected.append(Rejected(row.file, row.line, "bad-row", repr(row.entry)[:80]))
            return
        if not row.url:
            report.rejected.append(Rejected(row.file, row.line, "bad-row", "empty url"))
            return
        found = detect_url(row.url)
        if found.ats is None:
            reason = "unknown-ats" if _HTTP_URL.match(row.url.strip()) else "not-a-url"
            report.rejected.append(Rejected(row.file, row.line, reason, row.url))
            return
        if not found.token:
            report.rejected.append(Rejected(row.file, row.line, "no-board", f"{found.ats}: {row.url}"))
            return
        name, derived = clean_name(row.name, found)
        token = normalise_token(found.ats, found.token)
        if found.ats == "workday":
            if not found.site:
                report.rows[found.ats] += 1
                self._pending_locale.append((row, found, source))
                return
            token = f"{token.split('/')[0]}/{found.site}"
        entry: dict[str, Any] = {"name": name, "ats": found.ats, "token": token}
        if isinstance(row.entry, Mapping) and row.entry.get("website"):
            entry["website"] = row.entry["website"]
        host = needed_host(found.ats, token, found.host)
        if host:
            entry["host"] = host
        if found.ats == "workday":
            entry["site"] = found.site
        report.rows[found.ats] += 1
        self._merge(entry, source, report, derived_name=derived)

    def _add_entry(self, row: Row, source: str, report: ImportReport) -> None:
        try:
            board = parse_entry(row.entry)
        except ValueError as exc:
            report.rejected.append(Rejected(row.file, row.line, "invalid-entry", str(exc)))
            return
        entry = {key: row.entry[key] for key in KEY_ORDER if row.entry.get(key) is not None}
        entry.pop("url", None)
        entry.pop("source", None)
        entry.update(ats=board.ats, token=normalise_token(board.ats, board.token))
        if board.ats == "workday" and board.site and "/" not in entry["token"]:
            entry["token"] = f"{entry['token']}/{board.site}"
        for key in ("host", "site"):
            if getattr(board, key):
                entry[key] = getattr(board, key)
        if "host" in entry and not row.entry.get("host"):  # detected from a url: keep only if needed
            entry["host"] = needed_host(board.ats, entry["token"], entry["host"])
            if entry["host"] is None:
                del entry["host"]
        own_sources = _sources(row.entry.get("source"))
        report.rows[board.ats] += 1
        self._merge(entry, own_sources[0] if own_sources else source, report, derived_name=False)
        for extra in own_sources[1:]:
            _with_source(self.slots[board_identity(board.ats, entry["token"])].entry, extra)

    def _merge(self, entry: dict[str, Any], source: str, report: ImportReport, *, derived_name: bool) -> None:
        ats, token = entry["ats"], entry["token"]
        identity = board_identity(ats, token, entry.get("site"))
        slot = self.slots.get(identity)
        if slot is None:
            entry["source"] = source
            self._put(ats, identity, _Slot(entry, derived_name=derived_name, changed=True), ats, token)
            report.new[ats] += 1
            report.added.append(entry)
            return
        report.merged[ats] += 1
        if _with_source(slot.entry, source):
            slot.changed = True
        if slot.derived_name and not derived_name and not _is_curated(slot.entry):
            slot.entry["name"], slot.derived_name, slot.changed = entry["name"], False, True
        for key in ("website", "host"):
            if entry.get(key) and not slot.entry.get(key):
                slot.entry[key], slot.changed = entry[key], True

    def finish(self, report: ImportReport) -> None:
        """Place the Workday locale-only rows: merged into their tenant's sites, or rejected."""
        for row, found, source in self._pending_locale:
            tenant = found.token.lower()
            sites = sorted(self.sites.get(tenant, ()))
            if not sites:
                report.rows[found.ats] -= 1
                report.rejected.append(Rejected(row.file, row.line, "workday-no-site", row.url or ""))
                continue
            report.merged[found.ats] += 1
            for identity in sites:
                if _with_source(self.slots[identity].entry, source):
                    self.slots[identity].changed = True
        self._pending_locale.clear()

    # --- writing -----------------------------------------------------------------------------------

    def changed_files(self) -> set[str]:
        return {ats for ats, ids in self.order.items() if any(self.slots[i].changed for i in ids)}

    def entries(self, file_ats: str) -> list[dict[str, Any]]:
        """A file's entries, sorted by identity (then the entries that could not be placed)."""
        ids = sorted(self.order.get(file_ats, ()))
        return [self.slots[i].entry for i in ids] + list(self.verbatim.get(file_ats, ()))

    def write(self, folder: str | Path, files: Iterable[str] | None = None) -> list[Path]:
        """Write the changed (or the given) per-ATS files; returns the paths written."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for file_ats in sorted(self.changed_files() if files is None else set(files)):
            header = self.headers.get(file_ats) or default_header(file_ats)
            lines = [entry_line(entry) for entry in self.entries(file_ats)]
            path = folder / f"{file_ats}.yml"
            tmp = path.with_suffix(".yml.tmp")
            tmp.write_text(header + "".join(lines), encoding="utf-8")
            tmp.replace(path)
            written.append(path)
        return written

    def count(self, ats: str) -> int:
        return sum(1 for identity in self.order.get(ats, ()) if identity in self.slots)


def new_builder(folder: str | Path | None = None) -> RegistryBuilder:
    """A builder holding the registry folder ``folder`` (empty when None or missing)."""
    builder = RegistryBuilder()
    if folder is not None:
        builder.load_folder(folder)
    return builder


_HTTP_URL = re.compile(
    r"(?:https?://)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/:?#]|$)", re.I
)


def _is_curated(entry: Mapping[str, Any]) -> bool:
    return CURATED in _sources(entry.get("source"))


def _header(text: str) -> str:
    """The leading comment block of a registry file (with its blank line), or ""."""
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith("#") or not line.strip():
            lines.append(line)
        else:
            break
    header = "".join(lines).rstrip("\n")
    return f"{header}\n\n" if header else ""


def default_header(ats: str) -> str:
    return f'# The companies registry, {ats} boards (format: DESIGN.md, "Companies registry").\n\n'


def entry_line(entry: Mapping[str, Any]) -> str:
    """One entry as one line of YAML flow style: ``- {name: Acme, ats: lever, token: acme}``."""
    ordered = {key: entry[key] for key in KEY_ORDER if entry.get(key) is not None}
    ordered.update({key: value for key, value in entry.items() if key not in ordered and value is not None})
    text = yaml.dump(
        ordered,
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
        default_flow_style=True,
        sort_keys=False,
        allow_unicode=True,
        width=1 << 20,
    )
    return f"- {text.strip()}\n"


def source_label(path: str | Path) -> str:
    """Provenance of an input file: ``<folder>/<file>`` (``stapply/lever.csv``)."""
    path = Path(path)
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def import_files(
    paths: Iterable[str | Path],
    builder: RegistryBuilder,
    *,
    source: str | None = None,
) -> ImportReport:
    """Read each input into ``builder``; the report says what was added, merged and rejected."""
    report = ImportReport()
    for path in paths:
        label = source or source_label(path)
        for row in read_rows(path):
            builder.add_row(row, label, report)
    builder.finish(report)
    return report


def summary(report: ImportReport, builder: RegistryBuilder) -> str:
    """Counts per ATS (rows placed, new, merged, boards in the registry) and rejected rows per reason."""
    names = sorted(set(report.rows) | set(report.new) | set(report.merged), key=_ats_order)
    table = [["ats", "rows", "new", "merged", "in registry"]]
    for ats in names:
        table.append(
            [
                ats,
                str(report.rows[ats]),
                str(report.new[ats]),
                str(report.merged[ats]),
                str(builder.count(ats)),
            ]
        )
    table.append(
        [
            "total",
            str(sum(report.rows.values())),
            str(sum(report.new.values())),
            str(sum(report.merged.values())),
            str(sum(builder.count(ats) for ats in names)),
        ]
    )
    lines = _columns(table)
    reasons = report.rejected_by_reason()
    lines.append(f"rejected: {sum(reasons.values())} rows")
    for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"  {reason:<16} {count:>6}  {REASONS.get(reason, '')}")
    return "\n".join(lines)


def _ats_order(ats: str) -> tuple[int, str]:
    return (ATS_NAMES.index(ats) if ats in ATS_NAMES else len(ATS_NAMES), ats)


def _columns(table: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return [
        "  ".join(
            cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in table
    ]
