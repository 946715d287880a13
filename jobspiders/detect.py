"""Detect the ATS, board token, host, career site and job id behind a careers URL.

Pure functions (no Scrapy): used by ``scrapy detect``, by the registry's ``url:`` entries and by
``scrapy discover``. :func:`detect_url` never raises; anything it cannot place comes back with every
field but ``url`` set to None.

Output fields (see the "Companies registry" contract in DESIGN.md):

- ``ats``: spider name, set whenever the URL is on one of the ATS's own board/API hosts (or carries its
  job-id query parameter), even when the board itself cannot be read from the URL.
- ``token``: the board id in that ATS (Workday: the tenant), or None when the URL does not carry it.
- ``host``: the URL's host name, lowercased (it tells the spider about EU/regional data centres, the
  Workday ``wdN`` cluster, or the company domain of a ``gh_jid`` link).
- ``site``: the career site (Workday) or career section (Taleo); None elsewhere.
- ``job_id``: the posting's id when the URL is a job, apply or job-API URL.

URL forms recognised ({x} = captured; [..] = optional; "…" = anything after):

greenhouse
    boards.greenhouse.io/{token}[/jobs/{id}], job-boards[.eu].greenhouse.io/{token}[/jobs/{id}],
    boards.greenhouse.io/embed/job_board[/js]?for={token}, …/embed/job_app?for={token}&token={id},
    boards-api[.eu].greenhouse.io/v1/boards/{token}[/jobs[/{id}]], and any host with ?gh_jid={id}
    (token None: the board is not in such URLs).
lever
    jobs[.eu].lever.co/{token}[/{uuid}[/apply]], api[.eu].lever.co/v0/postings/{token}[/{uuid}].
workable
    apply.workable.com/{token}[/j/{shortcode}], apply.workable.com/j/{shortcode} (token None),
    {token}.workable.com[/j/{shortcode}],
    apply.workable.com/api/v{N}/[widget/]accounts/{token}[/jobs[/{code}]],
    www.workable.com/api/accounts/{token}.
smartrecruiters
    jobs.smartrecruiters.com/{Token}[/{id}-{slug}], jobs.smartrecruiters.com/(oneclick-ui|external-referrals)
    /company/{Token}/(publication/{uuid}|job/{id}), jobs.smartrecruiters.com/my-applications/{Token}/…,
    careers.smartrecruiters.com/{Token}[/…], api.smartrecruiters.com/v1/companies/{Token}/postings[/{id}].
teamtailor
    {token}[.{region}].teamtailor.com[/{locale}][/jobs/{id}-{slug}] (e.g. acme.na.teamtailor.com).
workday
    {tenant}[.wd{N}].myworkdayjobs.com/[{locale}/]{site}[/job/{location}/{title}_{req}[/apply…]],
    …/[{locale}/]{site}/details/{title}_{req}, {host}/wday/cxs/{tenant}/{site}[/jobs|/job/…_{req}],
    wd{N}.myworkdaysite.com/[{locale}/]recruiting/{tenant}/{site}[/job/…_{req}].
recruitee
    {token}.recruitee.com[/o/{offer-slug}], {token}.recruitee.com/api/offers[/{offer-slug}].
personio
    {token}.jobs.personio.(de|com)[/job/{id}], …/xml, …/search.json.
zohorecruit
    {token}.zohorecruit.(com|eu|in|com.au|jp|com.cn|ca|sa)/jobs/{Portal}[/{id}[/{title}]],
    {token}.zohorecruit.{tld}/recruit/v2/public/….
jobylon
    emp.jobylon.com/jobs/{id}-{slug}/ (token None), emp.jobylon.com/applications/jobs/{id}/…,
    emp.jobylon.com/companies/{company_id}-{slug}/, cdn.jobylon.com/jobs/companies/{company_id}/embed/…,
    feed.jobylon.com/feeds/{hash}[/{id}].
rippling
    ats.rippling.com/[{locale}/]{token}[/jobs[/{uuid}[/apply]]],
    api.rippling.com/platform/api/ats/v1/board/{token}/jobs[/{uuid}].
taleo
    {token}.taleo.net/careersection/{section}/(jobdetail|jobsearch|…).ftl[?job={id}],
    {token}.taleo.net/careersection/rest/jobboard/searchjobs (site None). Taleo Business Edition
    (*.tbe.taleo.net) is a different product with no JSON API and is not detected.
join
    join.com/companies/{token}[/{id}-{title}], join.com/api/public/companies/{company_id}/jobs (token None).
jazzhr
    {token}.applytojob.com/apply[/{code}[/{title}]], {token}.applytojob.com/apply/jobs/details/{code}.
ashby
    jobs.ashbyhq.com/{token}[/{uuid}[/application]], api.ashbyhq.com/posting-api/job-board/{token},
    and any host with ?ashby_jid={uuid} (token None).
bamboohr
    {token}.bamboohr.com/careers[/{id}[/detail]], {token}.bamboohr.com/jobs/view.php?id={id}.

Normalisation decisions:

- Hosts are case-insensitive (lowercased); tokens read from a subdomain are therefore lowercase.
  Tokens read from the path keep their case for every ATS: several are case-sensitive (SmartRecruiters
  ``BoschGroup``, Workday site names, Ashby ``HighlightTA``) and keeping case never breaks the others.
- Path tokens are percent-decoded (``1st%20formations`` -> ``1st formations``) so that the same board
  written two ways gets one token; spiders quote tokens when building URLs.
- Workable tokens are kept verbatim, leading dash included: ``apply.workable.com/-our-home`` is served
  under that literal path, and ``our-home`` could be another account.
- Workday: a first path segment that is a locale (``en-US``, ``en-us``, ``es``, ``zh-Hant``…) is skipped;
  a URL holding only a locale has ``site`` None. ``job_id`` is the requisition id after the last ``_``.
- Trailing slashes, empty segments, ``;jsessionid``-style segment parameters, fragments and query
  parameters other than the few that carry ids (``for``, ``token``, ``gh_jid``, ``ashby_jid``, ``job``,
  ``id``) are ignored; ``url`` is always the input string, unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["ATS_NAMES", "Detection", "detect_many", "detect_url"]

ATS_NAMES: tuple[str, ...] = (
    "greenhouse",
    "lever",
    "workable",
    "smartrecruiters",
    "teamtailor",
    "workday",
    "recruitee",
    "personio",
    "zohorecruit",
    "jobylon",
    "rippling",
    "taleo",
    "join",
    "jazzhr",
    "ashby",
    "bamboohr",
)

# Longer inputs are not careers URLs; refusing them keeps the regexes' work bounded.
_MAX_URL_LENGTH = 8192


@dataclass(frozen=True, slots=True)
class Detection:
    """What a URL says about a board; None where the URL does not tell."""

    url: str
    ats: str | None = None
    token: str | None = None
    host: str | None = None
    site: str | None = None
    job_id: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """The JSON object printed by ``scrapy detect`` (same keys, in contract order)."""
        return {
            "url": self.url,
            "ats": self.ats,
            "token": self.token,
            "host": self.host,
            "site": self.site,
            "job_id": self.job_id,
        }


# --------------------------------------------------------------------------------------------------
# Building blocks for the pattern table
# --------------------------------------------------------------------------------------------------

# ISO 639-1 language codes: a bare two-letter Workday/Rippling segment is a locale only if it is one of
# these (real sites are called "cg", "tc", "jj"…, while "es", "en", "ar" are locales).
_LANGS = (
    "aa|ab|ae|af|ak|am|an|ar|as|av|ay|az|ba|be|bg|bh|bi|bm|bn|bo|br|bs|ca|ce|ch|co|cr|cs|cu|cv|"
    "cy|da|de|dv|dz|ee|el|en|eo|es|et|eu|fa|ff|fi|fj|fo|fr|fy|ga|gd|gl|gn|gu|gv|ha|he|hi|ho|hr|"
    "ht|hu|hy|hz|ia|id|ie|ig|ii|ik|io|is|it|iu|ja|jv|ka|kg|ki|kj|kk|kl|km|kn|ko|kr|ks|ku|kv|kw|"
    "ky|la|lb|lg|li|ln|lo|lt|lu|lv|mg|mh|mi|mk|ml|mn|mr|ms|mt|my|na|nb|nd|ne|ng|nl|nn|no|nr|nv|"
    "ny|oc|oj|om|or|os|pa|pi|pl|ps|pt|qu|rm|rn|ro|ru|rw|sa|sc|sd|se|sg|si|sk|sl|sm|sn|so|sq|sr|"
    "ss|st|su|sv|sw|ta|te|tg|th|ti|tk|tl|tn|to|tr|ts|tt|tw|ty|ug|uk|ur|uz|ve|vi|vo|wa|wo|xh|yi|"
    "yo|za|zh|zu"
)
# en, en-US, en-us, en_US, zh-Hant, es-419; must end the segment.
_LOCALE = rf"(?:{_LANGS})(?:[-_](?:[a-z]{{2}}|[a-z]{{4}}|\d{{3}}))?(?=/|$)"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_SEG = r"[^/]+"
_TOKEN = rf"(?P<token>{_SEG})"
_REST = r"(?:/.*)?"  # anything after the part we read (apply pages, tracking sub-paths…)

# Subdomains that are the vendor's own sites, not boards (www.teamtailor.com, api.na.teamtailor.com…).
_RESERVED_SUBDOMAINS = (
    "www|api|app|apply|help|support|blog|status|static|cdn|assets|mail|docs|developers?|marketplace|"
    "login|auth|accounts?|admin|partners|community|resources|recruit|feed|media|widget|jobs"
)
# A customer subdomain, captured as the token (hostnames arrive lowercased).
_SUB = rf"(?!(?:{_RESERVED_SUBDOMAINS})\.)(?P<host_token>[a-z0-9][a-z0-9_-]*)"

_Fields = dict[str, str | None]


@dataclass(frozen=True, slots=True)
class _Rule:
    """One URL form: a host pattern, a path pattern, the query parameters it reads, an optional fix-up.

    Named groups ``host_token`` (host), ``token``, ``site``, ``job_id``, ``rest`` (path) fill the result;
    a path ``token`` wins over a host one. ``query`` lists (field, parameter) pairs that fill a field the
    path left empty. ``fix`` post-processes the fields (Workday requisition ids).
    """

    ats: str
    host: re.Pattern[str]
    path: re.Pattern[str]
    query: tuple[tuple[str, str], ...] = ()
    fix: Callable[[_Fields], None] | None = None


def _rules(
    ats: str,
    host: str,
    *paths: str,
    query: tuple[tuple[str, str], ...] = (),
    fix: Callable[[_Fields], None] | None = None,
) -> list[_Rule]:
    """One rule per path pattern, all on the same host pattern; tried in order, first full match wins."""
    host_re = re.compile(host)
    return [_Rule(ats, host_re, re.compile(p, re.IGNORECASE), query, fix) for p in paths]


# Action segments that may follow a Workday job path ("…_R123/apply/applyManually").
_WORKDAY_ACTIONS = re.compile(r"apply\w*|autofillwithresume|usemylastapplication|login", re.IGNORECASE)


def _workday_job_id(fields: _Fields) -> None:
    """Requisition id = suffix after the last '_' of the job segment (…/job/{loc}/{title}_{req})."""
    segs = [s for s in (fields.pop("rest", None) or "").split("/") if s]
    if not segs or segs[0].lower() not in ("job", "details"):
        return
    while segs and _WORKDAY_ACTIONS.fullmatch(segs[-1]):
        segs.pop()
    if len(segs) >= 2 and "_" in segs[-1]:
        fields["job_id"] = segs[-1].rsplit("_", 1)[1] or None


# --------------------------------------------------------------------------------------------------
# The pattern table: one block per ATS
# --------------------------------------------------------------------------------------------------

_GH_BOARDS = r"(?:job-)?boards(?:\.eu)?\.greenhouse\.io"
_LEVER_JOBS = r"jobs(?:\.eu)?\.lever\.co"
_WD_JOBS = rf"{_SUB}(?:\.wd\d+)?\.myworkdayjobs(?:-impl)?\.com"
_WD_SITE = r"(?:[a-z0-9-]+\.)?wd\d+\.myworkdaysite\.com"
_WD_LOCALE = rf"(?:/{_LOCALE})?"
# A Workday site is any first segment that is not the API prefix or a job path.
_WD_SITE_SEG = r"(?!(?:wday|job|details)(?:/|$))(?P<site>[^/]+)"

_RULES: tuple[_Rule, ...] = (
    # Greenhouse: embed URLs carry the token in ?for=, job_app the job id in ?token=.
    *_rules("greenhouse", _GH_BOARDS, r"/embed/job_board(?:/js)?", query=(("token", "for"),)),
    *_rules(
        "greenhouse",
        _GH_BOARDS,
        r"/embed/job_app",
        query=(("token", "for"), ("job_id", "token"), ("job_id", "gh_jid")),
    ),
    *_rules(
        "greenhouse",
        _GH_BOARDS,
        r"/embed(?:/.*)?",
        rf"/{_TOKEN}(?:/jobs/(?P<job_id>\d+))?{_REST}",
        r"",
        query=(("job_id", "gh_jid"),),
    ),
    *_rules(
        "greenhouse",
        r"boards-api(?:\.eu)?\.greenhouse\.io",
        rf"/v1/boards/{_TOKEN}(?:/jobs(?:/(?P<job_id>\d+))?)?{_REST}",
        r"(?:/.*)?",
    ),
    # Lever: posting ids are UUIDs; anything else after the site is a filter or sub-page.
    *_rules("lever", _LEVER_JOBS, rf"/{_TOKEN}(?:/(?P<job_id>{_UUID}))?{_REST}", r""),
    *_rules(
        "lever",
        r"api(?:\.eu)?\.lever\.co",
        rf"/v\d+/postings/{_TOKEN}(?:/(?P<job_id>{_SEG}))?{_REST}",
        r"(?:/.*)?",
    ),
    # Workable: /j/{code} without an account is a job link whose board must come from elsewhere.
    *_rules(
        "workable",
        r"apply\.workable\.com",
        rf"/api/v\d+/(?:widget/)?accounts/{_TOKEN}(?:/jobs(?:/(?P<job_id>{_SEG}))?)?{_REST}",
        rf"/j/(?P<job_id>{_SEG}){_REST}",
        rf"/(?!(?:j|api)(?:/|$)){_TOKEN}(?:/j/(?P<job_id>{_SEG}))?{_REST}",
        r"(?:/.*)?",
    ),
    *_rules(
        "workable",
        r"(?:www\.)?workable\.com",
        rf"/api/accounts/{_TOKEN}{_REST}",
        rf"/j/(?P<job_id>{_SEG}){_REST}",
    ),
    *_rules("workable", rf"{_SUB}\.workable\.com", rf"(?:/j/(?P<job_id>{_SEG}))?{_REST}"),
    # SmartRecruiters: the company identifier is case-sensitive (BoschGroup); posting id = leading digits.
    *_rules(
        "smartrecruiters",
        r"jobs\.smartrecruiters\.com",
        rf"/(?:oneclick-ui|external-referrals)/company/{_TOKEN}"
        rf"(?:/(?:publication|job)/(?P<job_id>{_UUID}|\d+))?{_REST}",
        rf"/my-applications/{_TOKEN}{_REST}",
        rf"/(?!(?:oneclick-ui|external-referrals|my-applications)(?:/|$)){_TOKEN}"
        rf"(?:/(?P<job_id>\d+)(?:-[^/]*)?)?{_REST}",
        r"(?:/.*)?",
    ),
    *_rules("smartrecruiters", r"careers\.smartrecruiters\.com", rf"/{_TOKEN}{_REST}", r""),
    *_rules(
        "smartrecruiters",
        r"api\.smartrecruiters\.com",
        rf"/v\d+/companies/{_TOKEN}(?:/postings(?:/(?P<job_id>{_SEG}))?)?{_REST}",
        r"(?:/.*)?",
    ),
    # Teamtailor: regional clusters add a label ({slug}.na.teamtailor.com); job id = leading digits.
    *_rules(
        "teamtailor",
        rf"{_SUB}(?:\.[a-z]{{2}})?\.teamtailor\.com",
        rf"(?:/{_LOCALE})?/jobs/(?P<job_id>\d+)(?:-[^/]*)?{_REST}",
        r"(?:/.*)?",
    ),
    # Workday: tenant from the host label, or from the path on CXS/myworkdaysite URLs.
    *_rules(
        "workday",
        _WD_JOBS,
        rf"{_WD_LOCALE}/wday/cxs/{_TOKEN}/(?P<site>[^/]+)(?P<rest>/.*)?",
        rf"{_WD_LOCALE}(?:/{_WD_SITE_SEG}(?P<rest>/.*)?|/.*)?",
        fix=_workday_job_id,
    ),
    *_rules(
        "workday",
        _WD_SITE,
        rf"{_WD_LOCALE}/recruiting/{_TOKEN}(?:/{_WD_SITE_SEG}(?P<rest>/.*)?)?",
        rf"{_WD_LOCALE}/wday/cxs/{_TOKEN}/(?P<site>[^/]+)(?P<rest>/.*)?",
        r"(?:/.*)?",
        fix=_workday_job_id,
    ),
    # Recruitee: the offer slug is the job id (it is what /o/ and /api/offers/ take).
    *_rules(
        "recruitee",
        rf"{_SUB}\.recruitee\.com",
        rf"(?:/{_LOCALE})?/o/(?P<job_id>{_SEG}){_REST}",
        rf"/api/offers/(?P<job_id>{_SEG}){_REST}",
        r"(?:/.*)?",
    ),
    # Personio: {slug}.personio.de without "jobs." is the HR login, not the board.
    *_rules(
        "personio",
        rf"{_SUB}\.jobs\.personio\.(?:de|com)",
        rf"(?:/{_LOCALE})?/job/(?P<job_id>\d+){_REST}",
        r"(?:/.*)?",
    ),
    # Zoho Recruit: one host per data centre (TLD); job id = numeric segment after the portal name.
    *_rules(
        "zohorecruit",
        rf"{_SUB}\.zohorecruit\.(?:com|eu|in|com\.au|jp|com\.cn|ca|sa)",
        r"/jobs/[^/]+/(?P<job_id>\d+)(?:/.*)?",
        r"(?:/.*)?",
    ),
    # Jobylon: job pages carry no company; the board is a numeric company id (widget) or a feed hash.
    *_rules(
        "jobylon",
        r"(?:emp\.|www\.)?jobylon\.com",
        rf"(?:/{_LOCALE})?/jobs/(?P<job_id>\d+)(?:-[^/]*)?{_REST}",
        rf"/applications/jobs/(?P<job_id>\d+){_REST}",
        rf"(?:/{_LOCALE})?/companies/(?P<token>\d+)(?:-[^/]*)?{_REST}",
    ),
    *_rules("jobylon", r"emp\.jobylon\.com", r"(?:/.*)?"),
    *_rules("jobylon", r"cdn\.jobylon\.com", rf"/jobs/companies/(?P<token>\d+){_REST}"),
    *_rules(
        "jobylon",
        r"feed\.jobylon\.com",
        rf"/feeds/{_TOKEN}(?:/(?P<job_id>\d+))?{_REST}",
        r"(?:/.*)?",
    ),
    # Rippling: an optional locale may precede the slug (/en-GB/acme/jobs); "es/jobs" is a slug "es".
    *_rules(
        "rippling",
        r"ats\.rippling\.com",
        rf"(?:/{_LOCALE}(?=/(?!jobs(?:/|$))[^/]+))?/{_TOKEN}(?:/jobs(?:/(?P<job_id>{_UUID}))?)?{_REST}",
        r"",
    ),
    *_rules(
        "rippling",
        r"api\.rippling\.com",
        rf"/platform/api/ats/v\d+/board/{_TOKEN}(?:/jobs(?:/(?P<job_id>{_SEG}))?)?{_REST}",
    ),
    # Taleo Enterprise: the career section is the "site"; the REST search has none in its path.
    *_rules(
        "taleo",
        rf"{_SUB}\.taleo\.net",
        r"/careersection/rest(?:/.*)?",
        r"/careersection/(?P<site>[^/]+)(?:/.*)?",
        r"(?:/.*)?",
        query=(("job_id", "job"),),
    ),
    # JOIN: join.com is also the vendor's marketing site, so only /companies/ paths count.
    *_rules(
        "join",
        r"(?:www\.)?join\.com",
        r"/api/public/companies/\d+(?:/.*)?",
        rf"(?:/{_LOCALE})?/companies/{_TOKEN}(?:/(?P<job_id>\d+)(?:-[^/]*)?)?{_REST}",
    ),
    # JazzHR: /apply/{code}/{title}; /apply/jobs/… are list/feed pages except …/details/{code}.
    *_rules(
        "jazzhr",
        rf"{_SUB}\.applytojob\.com",
        rf"/apply/jobs/details/(?P<job_id>{_SEG}){_REST}",
        rf"/apply/(?!jobs(?:/|$))(?P<job_id>[A-Za-z0-9]+){_REST}",
        r"(?:/.*)?",
    ),
    # Ashby: org keeps its published case (HighlightTA); job ids are UUIDs (/embed etc. are not).
    *_rules(
        "ashby",
        r"jobs\.ashbyhq\.com",
        rf"/{_TOKEN}(?:/(?P<job_id>{_UUID}))?{_REST}",
        r"",
        query=(("job_id", "ashby_jid"),),
    ),
    *_rules("ashby", r"api\.ashbyhq\.com", rf"/posting-api/job-board/{_TOKEN}{_REST}", r"(?:/.*)?"),
    # BambooHR.
    *_rules(
        "bamboohr",
        rf"{_SUB}\.bamboohr\.(?:com|co\.uk)",
        r"/careers/(?P<job_id>\d+)(?:/.*)?",
        r"/jobs/view\.php",
        r"(?:/.*)?",
        query=(("job_id", "id"),),
    ),
)

# Job-id parameters that company sites carry when they embed an ATS board (any host).
_ANY_HOST_PARAMS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("greenhouse", "gh_jid", re.compile(r"\d+")),
    ("ashby", "ashby_jid", re.compile(_UUID, re.IGNORECASE)),
)

# --------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------

_HAS_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_HOSTNAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?\.)+[a-z0-9-]*[a-z][a-z0-9-]*")


def _split(url: str) -> tuple[str, str, dict[str, list[str]]] | None:
    """(host, normalised path, query) of an http(s) URL, or None when it is not one."""
    text = url.strip()
    if not text or len(text) > _MAX_URL_LENGTH:
        return None
    if text.startswith("//"):
        text = "https:" + text
    elif not _HAS_SCHEME.match(text):
        scheme = _SCHEME.match(text)
        if scheme and "." not in scheme.group(1) and not text[scheme.end() :][:1].isdigit():
            # "javascript:…", "mailto:…": a scheme without "//" (a dotted name or a port is a host).
            return None
        # Scheme-less input as people paste it: "jobs.lever.co/acme".
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        return None
    if parts.port == 0:  # reading .port also raises ValueError on "host:notaport" (caught by the caller)
        return None
    host = (parts.hostname or "").rstrip(".")
    if not _HOSTNAME.fullmatch(host):
        return None
    # Drop empty segments (trailing or doubled slashes) and ";jsessionid=…" segment parameters.
    segs = [s.split(";", 1)[0] for s in parts.path.split("/")]
    path = "".join("/" + s for s in segs if s)
    return host, path, parse_qs(parts.query)


def _clean(value: str | None) -> str | None:
    """Trimmed value, or None when nothing is left."""
    if value is None:
        return None
    return value.strip() or None


def _match(host: str, path: str, query: dict[str, list[str]]) -> tuple[str, _Fields] | None:
    for rule in _RULES:
        host_m = rule.host.fullmatch(host)
        if not host_m:
            continue
        path_m = rule.path.fullmatch(path)
        if not path_m:
            continue
        fields: _Fields = {"token": host_m.groupdict().get("host_token")}
        for name, value in path_m.groupdict().items():
            if value is not None or name not in fields:
                # Path pieces are percent-decoded here; query values come decoded from parse_qs.
                fields[name] = unquote(value) if value is not None and name != "rest" else value
        for name, param in rule.query:
            if not fields.get(name):
                fields[name] = next((v for v in query.get(param, ()) if v.strip()), None)
        if rule.fix:
            rule.fix(fields)
        fields.pop("rest", None)
        return rule.ats, fields
    for ats, param, shape in _ANY_HOST_PARAMS:
        value = next((v.strip() for v in query.get(param, ()) if shape.fullmatch(v.strip())), None)
        if value:
            return ats, {"job_id": value}
    return None


def detect_url(url: str) -> Detection:
    """Detect ats/token/host/site/job_id of one URL; never raises, unknown parts are None."""
    try:
        split = _split(url)
        if split is None:
            return Detection(url=url)
        host, path, query = split
        found = _match(host, path, query)
        if found is None:
            return Detection(url=url)
        ats, fields = found
        return Detection(
            url=url,
            ats=ats,
            token=_clean(fields.get("token")),
            host=host,
            site=_clean(fields.get("site")),
            job_id=_clean(fields.get("job_id")),
        )
    except Exception:  # a detector must not take the caller down on a hostile input
        return Detection(url=url)


def detect_many(urls: Iterable[str]) -> Iterator[Detection]:
    """Detect each URL in turn (lazily, in input order)."""
    for url in urls:
        yield detect_url(url)
