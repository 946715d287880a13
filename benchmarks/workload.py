"""A synthetic, realistic, deterministic workload for the benchmarks (issue 8).

N boards spread round-robin over the ATS shapes we crawl (greenhouse, lever, smartrecruiters, ashby,
recruitee, workable, workday), M postings each, in each ATS's real API shapes (as recorded in
tests/fixtures/<ats>/ and demo/responses/<ats>/). Descriptions are ~3 KB of HTML with skills (and their
aliases and decoys), salary sentences, locations and titles in several languages, a share of
non-backend and non-engineering postings and a share of stale ones (older than JOBS_MAX_AGE_DAYS).

The request URLs are the spiders' own: each spider is instantiated on the generated registry, its
``board_requests`` give the first request of every board, and its ``next_page`` / ``detail_request``
hooks, fed with the generated pages, give the follow-up requests. Every answer is pre-rendered as the
complete HTTP/1.1 response bytes, so a server only has to look a key up and write.

Run (prints what it generated; ``--manifest DIR`` also writes a `jobspiders.standin` manifest)::

    .venv/bin/python benchmarks/workload.py --boards 7 --postings 50 --seed 8
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOW_ISO = "2026-11-20T12:00:00Z"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
ATS = ("greenhouse", "lever", "smartrecruiters", "ashby", "recruitee", "workable", "workday")
WORKABLE_PAGE = 10  # v3 list pages carry 10 jobs and a nextPage token
WORKDAY_PAGE = 20  # the CXS API's maximum
SR_PAGE = 100  # SmartRecruiters' maximum (the spider asks for 100)

# --------------------------------------------------------------------------------------------------
# Vocabulary. Titles, locations and prose per language; skills with aliases; decoys that must not tag.

LANGS = ("en", "en", "en", "en", "en", "en", "de", "es", "fr", "pt", "pl")

BACKEND_TITLES = {
    "en": [
        "{sen}Backend Engineer ({lang})",
        "{sen}Backend Developer - {lang}/{fw}",
        "{sen}Software Engineer, Backend",
        "{sen}Back-End Engineer ({lang}/{fw})",
        "{sen}Server-Side Developer ({lang})",
        "{sen}Software Engineer - Platform ({lang})",
        "{sen}API Engineer",
        "{sen}{lang} Developer",
        "{sen}Backend Engineer, Payments",
    ],
    "de": [
        "{sen}Backend-Entwickler (m/w/d) {lang}",
        "{sen}Backend Developer (w/m/d) {lang}/{fw}",
        "Werkstudent Backend-Entwicklung (m/w/d)",
        "{lang}-Entwickler (m/w/d) Backend",
    ],
    "es": [
        "Desarrollador Backend {lang}",
        "Ingeniero/a Backend {sen_es}({lang})",
        "Desarrollador/a {lang} Backend",
    ],
    "fr": ["Développeur Back-End {lang} (H/F)", "Ingénieur Backend {lang} {sen_fr}(F/H)"],
    "pt": ["Desenvolvedor Back-end {lang} Pleno", "Engenheiro de Software Backend ({lang})"],
    "pl": ["Programista Backend {lang}", "{sen}Backend Developer ({lang})"],
}
OTHER_ENGINEERING = [
    "{sen}Frontend Engineer (React)",
    "{sen}Full Stack Developer (TypeScript)",
    "{sen}Data Engineer",
    "{sen}iOS Engineer",
    "{sen}Android Developer (Kotlin)",
    "{sen}DevOps Engineer",
    "{sen}Site Reliability Engineer",
    "Frontend-Entwickler (m/w/d) Vue.js",
    "{sen}Machine Learning Engineer",
    "Hybrid App Developer (Flutter)",
]
NON_ENGINEERING = [
    "Account Executive, DACH",
    "Customer Success Manager",
    "Technical Recruiter",
    "Product Designer",
    "Sales Development Representative",
    "Backoffice Specialist",
    "Product Manager, Payments",
    "Marketing Manager (m/w/d)",
]
SENIORITY = ["", "", "", "Senior ", "Sr. ", "Junior ", "Lead ", "Staff ", "Principal ", "Mid-level "]
LANGUAGES = [
    ("Go", "gRPC"),
    ("Python", "Django"),
    ("Python", "FastAPI"),
    ("Java", "Spring Boot"),
    ("Kotlin", "Spring"),
    ("Node.js", "NestJS"),
    ("PHP", "Symfony"),
    ("PHP", "Laravel"),
    ("Ruby", "Rails"),
    ("C#", ".NET"),
    ("Scala", "Akka"),
    ("Elixir", "Phoenix"),
    ("Rust", "Tokio"),
]

LOCATIONS = {
    "en": [
        ("San Francisco, CA", "US"),
        ("New York, NY", "US"),
        ("London, United Kingdom", "GB"),
        ("Remote - US", "US"),
        ("Austin, Texas, United States", "US"),
        ("Toronto, ON, Canada", "CA"),
        ("Dublin, Ireland", "IE"),
        ("Bengaluru, Karnataka, India", "IN"),
        ("Amsterdam, Netherlands", "NL"),
        ("Remote - Europe", None),
        ("Singapore", "SG"),
        ("Sydney, NSW, Australia", "AU"),
    ],
    "de": [
        ("Berlin, Deutschland", "DE"),
        ("München, Bayern, Germany", "DE"),
        ("Wien, Österreich", "AT"),
        ("Zürich, Schweiz", "CH"),
        ("Remote (Deutschland)", "DE"),
        ("Hamburg, Germany", "DE"),
    ],
    "es": [
        ("Madrid, España", "ES"),
        ("Barcelona, Cataluña, Spain", "ES"),
        ("Remoto - España", "ES"),
        ("Ciudad de México, México", "MX"),
        ("Buenos Aires, Argentina", "AR"),
    ],
    "fr": [
        ("Paris, France", "FR"),
        ("Lyon, Auvergne-Rhône-Alpes, France", "FR"),
        ("Télétravail - France", "FR"),
        ("Montréal, QC, Canada", "CA"),
        ("Bruxelles, Belgique", "BE"),
    ],
    "pt": [
        ("Lisboa, Portugal", "PT"),
        ("São Paulo, SP, Brasil", "BR"),
        ("Remoto - Brasil", "BR"),
        ("Porto, Portugal", "PT"),
    ],
    "pl": [
        ("Warszawa, Polska", "PL"),
        ("Kraków, Poland", "PL"),
        ("Praca zdalna, Polska", "PL"),
        ("Wrocław, Polska", "PL"),
    ],
}

SKILL_PHRASES = [
    "Go (Golang)",
    "golang",
    "Python 3",
    "Java 21",
    "Kotlin",
    "Node.js",
    "TypeScript",
    "C#/.NET",
    "ASP.NET Core",
    "Ruby on Rails",
    "PHP 8",
    "Scala",
    "Elixir",
    "Rust",
    "Spring Boot",
    "Django",
    "FastAPI",
    "Flask",
    "NestJS",
    "Laravel",
    "Symfony",
    "PostgreSQL",
    "Postgres",
    "MySQL",
    "MongoDB",
    "Redis",
    "Kafka",
    "RabbitMQ",
    "Elasticsearch",
    "AWS",
    "GCP",
    "Google Cloud",
    "Azure",
    "Kubernetes",
    "k8s",
    "Docker",
    "Terraform",
    "Linux",
    "gRPC",
    "REST APIs",
    "GraphQL",
    "microservices",
    "CI/CD",
    "OAuth 2.0",
    "JWT",
    "SQL",
    "NoSQL",
    "Git",
]
DECOYS = [
    "We go the extra mile for our merchants and expect you to react to incidents calmly.",
    "Our R&D team works on rust-proof coatings for the hardware side of the business.",
    "We believe in scalable processes, express delivery of value and a C-level team that listens.",
    "Payments reach banks over SWIFT and SEPA; the spring 2026 release brings instant payouts.",
    "You will report to the VP of Engineering and work closely with R&D.",
]

PROSE = {
    "en": [
        "{company} builds software that thousands of small businesses use every day to get paid, ship orders "
        "and keep their books straight, and we are growing quickly across Europe and North America.",
        "You will join a small, senior team that owns its services end to end, from design documents and "
        "code review to deployment, observability and the on-call rotation.",
        "Our platform handles millions of requests per hour, and reliability, clear interfaces and careful "
        "data modelling matter more to us than chasing the newest framework.",
        "We work in a calm, written-first culture: decisions are documented, meetings are rare and short, "
        "and everyone gets long stretches of focused time.",
    ],
    "de": [
        "{company} entwickelt Software, mit der tausende mittelständische Unternehmen ihre Buchhaltung, "
        "Rechnungen und Zahlungen abwickeln. Wir wachsen in Deutschland, Österreich und der Schweiz.",
        "Du arbeitest in einem kleinen Team, das seine Services selbst verantwortet: vom Entwurf über "
        "Code-Reviews bis zum Betrieb. Homeoffice ist bei uns selbstverständlich.",
    ],
    "es": [
        "{company} desarrolla software que miles de comercios usan cada día para cobrar, enviar pedidos y "
        "llevar su contabilidad. Crecemos en España y Latinoamérica.",
        "Te unirás a un equipo pequeño que es dueño de sus servicios de principio a fin, con teletrabajo "
        "flexible y horario de verano.",
    ],
    "fr": [
        "{company} construit des logiciels que des milliers de commerçants utilisent chaque jour pour être "
        "payés et gérer leur comptabilité. Nous recrutons à Paris et en télétravail.",
        "Vous rejoindrez une petite équipe autonome qui conçoit, développe et exploite ses propres services.",
    ],
    "pt": [
        "A {company} desenvolve software usado todos os dias por milhares de lojas para receber pagamentos "
        "e gerir a contabilidade. Estamos crescendo no Brasil e em Portugal.",
        "Você vai integrar uma equipe pequena que é dona dos seus serviços, do design ao deploy.",
    ],
    "pl": [
        "{company} tworzy oprogramowanie, z którego codziennie korzystają tysiące sklepów internetowych, "
        "aby przyjmować płatności i prowadzić księgowość.",
        "Dołączysz do małego zespołu, który odpowiada za swoje serwisy od projektu po utrzymanie.",
    ],
}
DUTIES = [
    "Design, build and operate the services and APIs behind {area}",
    "Own your services in production: observability, on-call rotation and post-incident reviews",
    "Work with product and frontend engineers to shape contracts between systems",
    "Review code and mentor teammates; keep the codebase boring in the best sense",
    "Improve the performance and cost of our data pipelines and background jobs",
    "Break down a legacy monolith into well-bounded services, one careful migration at a time",
    "Write design documents and take part in architecture reviews",
]
AREAS = [
    "the double-entry ledger",
    "real-time dispatch",
    "payouts",
    "the search index",
    "invoicing",
    "the identity platform",
    "order routing",
    "the notification service",
    "pricing and billing",
]
OFFERS = [
    "Flexible working hours and 28 days of paid vacation",
    "A modern laptop of your choice and a home-office budget",
    "Parental leave above the legal minimum",
    "A yearly learning budget for books, courses and conferences",
    "Regular team offsites and a culture of written, asynchronous communication",
    "Private health insurance for you and your family",
    "Employee stock options in a growing company",
]
SALARY_SENTENCES = [
    (
        "en",
        "The base salary range for this position is ${lo:,} - ${hi:,} per year, plus equity and benefits.",
    ),
    ("en", "Compensation: £{lo_k}k–£{hi_k}k depending on experience."),
    ("en", "Pay: ${lo_h} - ${hi_h} per hour (contract, 6 months)."),
    ("en", "CTC: ₹{lo_l}-{hi_l} LPA"),
    ("de", "Gehalt: {lo_eu} - {hi_eu} EUR brutto jährlich, je nach Erfahrung."),
    ("de", "Das Jahresgehalt liegt zwischen {lo_eu} € und {hi_eu} €."),
    ("es", "Rango salarial: {lo_eu} € - {hi_eu} € brutos anuales."),
    ("fr", "Salaire : {lo_sp} € à {hi_sp} € par an selon profil."),
    ("pt", "Remuneração: R$ {lo_br} a R$ {hi_br} por mês."),
    ("pl", "Wynagrodzenie: {lo_pl} - {hi_pl} PLN netto/miesiąc (B2B)."),
]
EEO = (
    "{company} is an equal opportunity employer. We welcome applications from people of all "
    "backgrounds, and we do not discriminate on the basis of race, religion, colour, national origin, "
    "gender, sexual orientation, age, marital status or disability. If you need an accommodation during "
    "the hiring process, tell us and we will make it happen."
)
HIRING = (
    "Our hiring process is short and predictable: a 30-minute call with the hiring manager, a take-home "
    "exercise or a pairing session on real code, and a final conversation with two future teammates. "
    "We reply to every application within five working days."
)
COMPANY_WORDS = [
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Woodgrove",
    "Litware",
    "Proseware",
    "Adatum",
    "Alpine",
    "Fjord",
    "Vistula",
    "Lisboa",
    "Coho",
    "Margie",
    "Wingtip",
    "Relecloud",
    "Solbakken",
    "Trey",
    "Bluewater",
    "Nordlys",
]
COMPANY_KINDS = [
    "Payments",
    "Logistics",
    "Health",
    "Cloudworks",
    "Ledger",
    "Energy",
    "Robotics",
    "Labs",
    "Systems",
    "Travel",
    "Bank",
    "Toys",
    "Mobility",
    "Analytics",
]


# --------------------------------------------------------------------------------------------------
# One posting, ATS-neutral; the per-ATS renderers below put it into each API's shape.


@dataclass(slots=True)
class Posting:
    index: int
    lang: str
    title: str
    kind: str  # backend, engineering (other profiles), other (no profile)
    places: list[tuple[str, str | None]]
    workplace: str  # remote, hybrid, onsite
    employment: str  # full-time, contract, internship, part-time
    posted: datetime
    stale: bool
    salary: tuple[int, int, str, str] | None  # structured (min, max, currency, period) for ATS that have it
    sections: dict[str, Any]  # intro, role, duties, bring, nice, offers, salary, eeo, decoy


def _fmt(number: int, sep: str) -> str:
    return f"{number:,}".replace(",", sep)


def make_posting(rng: random.Random, company: str, index: int, now: datetime) -> Posting:
    lang = rng.choice(LANGS)
    roll = rng.random()
    sen = rng.choice(SENIORITY)
    lang_name, fw = rng.choice(LANGUAGES)
    if roll < 0.55:
        kind = "backend"
        pattern = rng.choice(BACKEND_TITLES[lang])
    elif roll < 0.85:
        kind, lang = "engineering", "en"
        pattern = rng.choice(OTHER_ENGINEERING)
    else:
        kind, lang = "other", "en"
        pattern = rng.choice(NON_ENGINEERING)
    title = pattern.format(
        sen=sen,
        lang=lang_name,
        fw=fw,
        sen_es=rng.choice(["", "Senior ", "Sr "]),
        sen_fr=rng.choice(["", "Senior ", "Confirmé "]),
    )
    places = [rng.choice(LOCATIONS[lang])]
    if rng.random() < 0.2:
        extra = rng.choice(LOCATIONS[rng.choice(("en", lang))])
        if extra != places[0]:
            places.append(extra)
    workplace = rng.choices(("remote", "hybrid", "onsite"), (3, 4, 3))[0]
    employment = rng.choices(("full-time", "contract", "internship", "part-time"), (85, 8, 4, 3))[0]
    stale = rng.random() < 0.15
    days = rng.uniform(16, 120) if stale else rng.uniform(0, 14)
    posted = (now - timedelta(days=days, seconds=rng.randrange(86400))).replace(microsecond=0)
    lo = rng.randrange(45, 160) * 1000
    hi = lo + rng.randrange(10, 50) * 1000
    salary = None
    if rng.random() < 0.35:
        salary = (lo, hi, rng.choice(("USD", "EUR", "GBP")), "year")
    skills = rng.sample(SKILL_PHRASES, rng.randrange(4, 9))
    sentence = None
    if rng.random() < 0.45:
        _s_lang, pattern = rng.choice(SALARY_SENTENCES)
        sentence = pattern.format(
            lo=lo,
            hi=hi,
            lo_k=lo // 1000,
            hi_k=hi // 1000,
            lo_h=lo // 2000,
            hi_h=hi // 2000,
            lo_l=lo // 4000,
            hi_l=hi // 4000,
            lo_eu=_fmt(lo, "."),
            hi_eu=_fmt(hi, "."),
            lo_sp=_fmt(lo, " "),
            hi_sp=_fmt(hi, " "),
            lo_br=_fmt(lo // 10, "."),
            hi_br=_fmt(hi // 10, "."),
            lo_pl=_fmt(lo // 5, " "),
            hi_pl=_fmt(hi // 5, " "),
        )
    prose = PROSE[lang]
    sections = {
        "intro": prose[0].format(company=company),
        "role": (
            f"As a {title} you will join the {rng.choice(AREAS).split()[-1].title()} team. "
            + rng.choice(PROSE["en"][1:])
            + " "
            + rng.choice(prose).format(company=company)
        ),
        "duties": [d.format(area=rng.choice(AREAS)) for d in rng.sample(DUTIES, 5)],
        "bring": [
            f"Several years of production experience with {skills[0]} and {skills[1]}",
            f"Hands-on knowledge of {', '.join(skills[2:-1]) or skills[2]} and {skills[-1]}",
            "You care about testing, code review and operating what you build",
            "Good written communication in English; "
            + rng.choice(("German", "Spanish", "Polish", "French"))
            + " is a plus",
        ],
        "nice": [f"Experience with {s}" for s in rng.sample(SKILL_PHRASES, 2)],
        "offers": rng.sample(OFFERS, 5),
        "salary": sentence,
        "decoy": rng.choice(DECOYS),
        "eeo": EEO.format(company=company),
        "culture": PROSE["en"][3],
        "team": rng.choice(PROSE["en"][1:3]) + " " + HIRING,
    }
    return Posting(index, lang, title, kind, places, workplace, employment, posted, stale, salary, sections)


def description_html(p: Posting) -> str:
    s = p.sections

    def ul(items: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{html.escape(i, quote=False)}</li>" for i in items) + "</ul>"

    parts = [
        f'<div class="content-intro"><p>{html.escape(s["intro"], quote=False)}</p></div>',
        f"<p>{html.escape(s['role'], quote=False)}</p>",
        "<h3>What you'll do</h3>",
        ul(s["duties"]),
        "<h3>What you bring</h3>",
        ul(s["bring"]),
        "<h3>Nice to have</h3>",
        ul(s["nice"]),
        f"<p>{html.escape(s['decoy'], quote=False)}</p>",
        "<h3>What we offer</h3>",
        ul(s["offers"]),
        f"<p>{html.escape(s['culture'], quote=False)}</p>",
        "<h3>How we work</h3>",
        f"<p>{html.escape(s['team'], quote=False)}</p>",
    ]
    if s["salary"]:
        parts.append(f"<p><strong>{html.escape(s['salary'], quote=False)}</strong></p>")
    parts.append(
        f'<div class="content-conclusion"><p><em>{html.escape(s["eeo"], quote=False)}</em></p></div>'
    )
    return "".join(parts)


# --------------------------------------------------------------------------------------------------
# Boards and the registry.


@dataclass(slots=True)
class BoardSpec:
    ats: str
    index: int
    name: str
    token: str
    website: str
    host: str | None = None
    site: str | None = None
    postings: list[Posting] = field(default_factory=list)

    def registry_entry(self) -> dict[str, Any]:
        entry = {"name": self.name, "website": self.website, "ats": self.ats, "token": self.token}
        if self.host:
            entry["host"] = self.host
        if self.site:
            entry["site"] = self.site
        return entry


def make_boards(n: int, postings: int, seed: int, now: datetime = NOW) -> list[BoardSpec]:
    rng = random.Random(seed)
    boards = []
    for i in range(n):
        ats = ATS[i % len(ATS)]
        words = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}"
        name = f"{words} {i}"
        slug = words.lower().replace(" ", "") + str(i)
        token = {"smartrecruiters": words.replace(" ", "") + str(i)}.get(ats, slug)
        host = site = None
        if ats == "workday":
            host, site = f"{slug}.wd{1 + i % 5}.myworkdayjobs.com", rng.choice(("External", "Careers"))
        elif ats == "lever" and i % 3 == 0:
            host = "jobs.eu.lever.co"
        board = BoardSpec(ats, i, name, token, f"https://{slug}.example/", host, site)
        board.postings = [make_posting(rng, name, j, now) for j in range(postings)]
        boards.append(board)
    return boards


def write_registry(boards: list[BoardSpec], path: Path) -> Path:
    import yaml

    path.write_text(yaml.safe_dump([b.registry_entry() for b in boards], allow_unicode=True, sort_keys=False))
    return path


# --------------------------------------------------------------------------------------------------
# Per-ATS payloads. Each renderer gives the list pages (as JSON-able data, in order) and the detail
# payload of one raw posting record.

Json = Any


def _iso_offset(dt: datetime, hours: int) -> str:
    return (dt.astimezone(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S") + (
        f"{'+' if hours >= 0 else '-'}{abs(hours):02d}:00"
    )


def _days_ago_text(p: Posting, now: datetime) -> str:
    days = (now - p.posted).days
    if days == 0:
        return "Posted Today"
    if days == 1:
        return "Posted Yesterday"
    return "Posted 30+ Days Ago" if days > 30 else f"Posted {days} Days Ago"


def _gh(board: BoardSpec, now: datetime) -> list[Json]:
    jobs = []
    for p in board.postings:
        job_id = 4_000_000_000 + board.index * 1000 + p.index
        meta = [
            {
                "id": 1,
                "name": "Employment Type",
                "value": {
                    "full-time": "Full-time",
                    "contract": "Contract",
                    "internship": "Intern",
                    "part-time": "Part-time",
                }[p.employment],
                "value_type": "single_select",
            },
            {
                "id": 2,
                "name": "Location Type",
                "value": {"remote": "Remote", "hybrid": "Hybrid", "onsite": "On-site"}[p.workplace],
                "value_type": "single_select",
            },
        ]
        jobs.append(
            {
                "absolute_url": f"https://job-boards.greenhouse.io/{board.token}/jobs/{job_id}",
                "data_compliance": [{"type": "gdpr", "requires_consent": False, "retention_period": None}],
                "internal_job_id": job_id + 7,
                "location": {"name": "; ".join(t for t, _ in p.places)},
                "metadata": meta,
                "id": job_id,
                "updated_at": _iso_offset(p.posted + timedelta(hours=3), -4),
                "requisition_id": f"REQ-{p.index:04d}",
                "title": p.title,
                "company_name": board.name,
                "first_published": _iso_offset(p.posted, -4),
                "language": p.lang,
                "content": html.escape(description_html(p)),
                "departments": [{"id": 11, "name": "Engineering", "child_ids": [], "parent_id": None}],
                "offices": [{"id": 21, "name": p.places[0][0], "location": p.places[0][0], "child_ids": []}],
                "pay_input_ranges": [
                    {
                        "min_cents": p.salary[0] * 100,
                        "max_cents": p.salary[1] * 100,
                        "currency_type": p.salary[2],
                        "title": "Base",
                        "blurb": "Base salary",
                    }
                ]
                if p.salary
                else [],
            }
        )
    return [{"jobs": jobs, "meta": {"total": len(jobs)}}]


def _lever_id(board: BoardSpec, p: Posting) -> str:
    return f"{board.index:08x}-{p.index:04x}-4bcf-82d4-{board.index * 7919 + p.index:012x}"


def _lever(board: BoardSpec, now: datetime) -> list[Json]:
    out = []
    for p in board.postings:
        s = p.sections
        lid = _lever_id(board, p)
        desc = (
            f"<div>{html.escape(s['intro'], quote=False)}</div><div><br></div>"
            f"<div>{html.escape(s['role'])}</div>"
        )
        lists = [
            {"text": "What you'll do", "content": "".join(f"<li>{html.escape(d)}</li>" for d in s["duties"])},
            {"text": "What you bring", "content": "".join(f"<li>{html.escape(d)}</li>" for d in s["bring"])},
            {"text": "Nice to have", "content": "".join(f"<li>{html.escape(d)}</li>" for d in s["nice"])},
        ]
        additional = (
            "<div><b>What we offer</b></div><ul>"
            + "".join(f"<li>{o}</li>" for o in s["offers"])
            + f"</ul><div>{html.escape(s['decoy'])} {html.escape(s['culture'])}</div>"
            + (f"<div>{html.escape(s['salary'])}</div>" if s["salary"] else "")
            + f"<div><i>{html.escape(s['eeo'])}</i></div>"
        )
        item = {
            "additional": additional,
            "categories": {
                "commitment": p.employment.title().replace("Full-Time", "Full-time"),
                "department": "Engineering",
                "location": p.places[0][0],
                "team": "Platform",
                "allLocations": [t for t, _ in p.places],
            },
            "createdAt": int(p.posted.timestamp() * 1000),
            "description": desc,
            "descriptionPlain": f"{s['intro']}\n\n{s['role']}\n",
            "id": lid,
            "lists": lists,
            "text": p.title,
            "country": p.places[0][1],
            "workplaceType": {"onsite": "onsite", "remote": "remote", "hybrid": "hybrid"}[p.workplace],
            "hostedUrl": f"https://jobs.lever.co/{board.token}/{lid}",
            "applyUrl": f"https://jobs.lever.co/{board.token}/{lid}/apply",
        }
        if p.salary:
            item["salaryRange"] = {
                "currency": p.salary[2],
                "interval": "per-year-salary",
                "min": p.salary[0],
                "max": p.salary[1],
            }
        out.append(item)
    return [out]


def _sr_id(board: BoardSpec, p: Posting) -> str:
    return str(744_000_000_000_000 + board.index * 1000 + p.index)


def _sr_location(p: Posting) -> dict[str, Any]:
    text, country = p.places[0]
    city = text.split(",")[0].strip()
    return {
        "city": city,
        "region": "",
        "country": (country or "").lower(),
        "address": "",
        "postalCode": "",
        "remote": p.workplace == "remote",
        "hybrid": p.workplace == "hybrid",
        "fullLocation": text,
        "latitude": "47.37",
        "longitude": "8.54",
    }


def _sr_summary(board: BoardSpec, p: Posting) -> dict[str, Any]:
    sid = _sr_id(board, p)
    return {
        "id": sid,
        "name": p.title,
        "uuid": f"{board.index:08x}-0000-4000-8000-{p.index:012x}",
        "jobAdId": f"{p.index:08x}-1111-4000-8000-{board.index:012x}",
        "defaultJobAd": True,
        "refNumber": f"REF{p.index:04d}",
        "company": {"identifier": board.token, "name": board.name},
        "releasedDate": p.posted.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "location": _sr_location(p),
        "industry": {"id": "computer_software", "label": "Computer Software"},
        "department": {},
        "function": {"id": "information_technology", "label": "Information Technology"},
        "typeOfEmployment": {
            "id": "permanent" if p.employment == "full-time" else p.employment,
            "label": p.employment.title(),
        },
        "experienceLevel": {"id": "mid_senior_level", "label": "Mid-Senior Level"},
        "customField": [
            {
                "fieldId": "COUNTRY",
                "fieldLabel": "Country/Region",
                "valueId": (p.places[0][1] or "").lower(),
                "valueLabel": p.places[0][0],
            }
        ],
        "visibility": "PUBLIC",
        "ref": f"https://api.smartrecruiters.com/v1/companies/{board.token}/postings/{sid}",
        "creator": {"name": "Talent Acquisition Team"},
        "language": {"code": p.lang, "label": p.lang, "labelNative": p.lang},
    }


def _sr(board: BoardSpec, now: datetime) -> list[Json]:
    summaries = [_sr_summary(board, p) for p in board.postings]
    return [
        {"offset": o, "limit": SR_PAGE, "totalFound": len(summaries), "content": summaries[o : o + SR_PAGE]}
        for o in range(0, max(len(summaries), 1), SR_PAGE)
    ]


def _sr_detail(board: BoardSpec, p: Posting) -> Json:
    s = p.sections
    d = description_html(p)
    cut = d.find("<h3>What you bring")
    return {
        **_sr_summary(board, p),
        "active": True,
        "applyUrl": f"https://jobs.smartrecruiters.com/{board.token}/{_sr_id(board, p)}-job?oga=true",
        "postingUrl": f"https://jobs.smartrecruiters.com/{board.token}/{_sr_id(board, p)}-job",
        "jobAd": {
            "sections": {
                "companyDescription": {
                    "title": "Company Description",
                    "text": f"<p>{html.escape(s['intro'])}</p>",
                },
                "jobDescription": {"title": "Job Description", "text": d[:cut]},
                "qualifications": {"title": "Qualifications", "text": d[cut:]},
                "additionalInformation": {
                    "title": "Additional Information",
                    "text": "<p>Apply in English.</p>",
                },
            }
        },
    }


def _ashby(board: BoardSpec, now: datetime) -> list[Json]:
    jobs = []
    for p in board.postings:
        aid = f"{board.index:08x}-{p.index:04x}-4c5d-9e8f-{board.index * 31 + p.index:012x}"
        d = description_html(p)
        job = {
            "id": aid,
            "title": p.title,
            "department": "Engineering",
            "team": "Platform",
            "employmentType": {
                "full-time": "FullTime",
                "contract": "Contract",
                "internship": "Intern",
                "part-time": "PartTime",
            }[p.employment],
            "location": p.places[0][0],
            "shouldDisplayCompensationOnJobPostings": bool(p.salary),
            "secondaryLocations": [
                {"location": t, "address": {"postalAddress": {"addressCountry": c or ""}}}
                for t, c in p.places[1:]
            ],
            "publishedAt": p.posted.strftime("%Y-%m-%dT%H:%M:%S.000+00:00"),
            "isListed": True,
            "isRemote": p.workplace == "remote",
            "workplaceType": {"remote": "Remote", "hybrid": "Hybrid", "onsite": "OnSite"}[p.workplace],
            "address": {
                "postalAddress": {
                    "addressRegion": "",
                    "addressCountry": p.places[0][1] or "",
                    "addressLocality": p.places[0][0].split(",")[0],
                }
            },
            "jobUrl": f"https://jobs.ashbyhq.com/{board.token}/{aid}",
            "applyUrl": f"https://jobs.ashbyhq.com/{board.token}/{aid}/application",
            "descriptionHtml": d,
            "descriptionPlain": " ".join(str(v) for v in p.sections.values() if isinstance(v, str)),
        }
        if p.salary:
            lo, hi, cur, _ = p.salary
            comp = {
                "compensationType": "Salary",
                "interval": "1 YEAR",
                "currencyCode": cur,
                "minValue": lo,
                "maxValue": hi,
            }
            summary = f"{cur} {lo // 1000}K – {hi // 1000}K"
            job["compensation"] = {
                "compensationTierSummary": summary,
                "scrapeableCompensationSalarySummary": summary,
                "compensationTiers": [
                    {
                        "id": "t1",
                        "tierSummary": summary,
                        "title": None,
                        "components": [{**comp, "id": "c1", "summary": summary}],
                    }
                ],
                "summaryComponents": [comp],
            }
        jobs.append(job)
    return [{"apiVersion": "1", "jobs": jobs}]


def _recruitee(board: BoardSpec, now: datetime) -> list[Json]:
    offers = []
    for p in board.postings:
        d = description_html(p)
        cut = d.find("<h3>What you bring")
        slug = f"{p.title.lower()}".encode("ascii", "ignore").decode()
        slug = "-".join("".join(c if c.isalnum() else " " for c in slug).split())[:60] + f"-{p.index}"
        locs = []
        for t, c in p.places:
            city = t.split(",")[0].strip()
            locs.append(
                {
                    "id": 30000 + p.index,
                    "name": city,
                    "state": None,
                    "country": t.split(",")[-1].strip(),
                    "city": city,
                    "country_code": c,
                    "state_code": None,
                    "postal_code": None,
                }
            )
        offer = {
            "id": 2_900_000 + board.index * 1000 + p.index,
            "guid": f"g{p.index}x{board.index}",
            "slug": slug,
            "title": p.title,
            "company_name": board.name,
            "department": "Engineering",
            "location": p.places[0][0],
            "city": locs[0]["city"],
            "country": locs[0]["country"],
            "country_code": p.places[0][1],
            "locations": locs,
            "remote": p.workplace == "remote",
            "hybrid": p.workplace == "hybrid",
            "on_site": p.workplace == "onsite",
            "employment_type_code": {
                "full-time": "fulltime_permanent",
                "contract": "contract",
                "internship": "internship",
                "part-time": "parttime",
            }[p.employment],
            "published_at": p.posted.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "created_at": (p.posted - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "status": "published",
            "description": d[:cut],
            "requirements": d[cut:],
            "careers_url": f"https://{board.token}.recruitee.com/o/{slug}",
            "careers_apply_url": f"https://{board.token}.recruitee.com/o/{slug}/c/new",
            "tags": [],
            "open_questions": [],
        }
        if p.salary:
            offer["salary"] = {
                "min": str(p.salary[0]),
                "max": str(p.salary[1]),
                "period": "year",
                "currency": p.salary[2],
            }
        offers.append(offer)
    return [{"offers": offers}]


def _workable_code(board: BoardSpec, p: Posting) -> str:
    return f"W{board.index:05X}{p.index:04X}"


def _workable_place(text: str, country: str | None) -> dict[str, Any]:
    parts = [x.strip() for x in text.split(",")]
    return {
        "country": parts[-1] if len(parts) > 1 else "",
        "countryCode": country,
        "city": parts[0],
        "region": parts[1] if len(parts) > 2 else "",
        "hidden": False,
    }


def _workable_summary(board: BoardSpec, p: Posting) -> dict[str, Any]:
    places = [_workable_place(t, c) for t, c in p.places]
    return {
        "id": 5_100_000 + board.index * 1000 + p.index,
        "shortcode": _workable_code(board, p),
        "title": p.title,
        "remote": p.workplace == "remote",
        "location": {k: v for k, v in places[0].items() if k != "hidden"},
        "locations": places,
        "state": "published",
        "isInternal": False,
        "code": f"AW-{p.index}",
        "published": p.posted.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "type": {
            "full-time": "full",
            "contract": "contract",
            "internship": "internship",
            "part-time": "part",
        }[p.employment],
        "language": p.lang,
        "department": ["Engineering"],
        "accountUid": f"{board.index:032x}",
        "approvalStatus": "approved",
        "workplace": {"remote": "remote", "hybrid": "hybrid", "onsite": "on_site"}[p.workplace],
    }


def _workable(board: BoardSpec, now: datetime) -> list[Json]:
    rows = [_workable_summary(board, p) for p in board.postings]
    pages = []
    for o in range(0, max(len(rows), 1), WORKABLE_PAGE):
        more = o + WORKABLE_PAGE < len(rows)
        token = base64.b64encode(f"[{board.index},{o + WORKABLE_PAGE}]".encode()).decode() if more else None
        pages.append({"total": len(rows), "results": rows[o : o + WORKABLE_PAGE], "nextPage": token})
    return pages


def _workable_detail(board: BoardSpec, p: Posting) -> Json:
    d = description_html(p)
    cut, cut2 = d.find("<h3>What you bring"), d.find("<h3>What we offer")
    summary = _workable_summary(board, p)
    return {**summary, "description": d[:cut], "requirements": d[cut:cut2], "benefits": d[cut2:]}


def _wd_path(p: Posting, req: str) -> str:
    city = p.places[0][0].split(",")[0].encode("ascii", "ignore").decode().replace(" ", "-") or "Remote"
    title = "".join(c if c.isalnum() else "-" for c in p.title.encode("ascii", "ignore").decode())
    return f"/job/{city}/{title}_{req}"


def _wd_req(board: BoardSpec, p: Posting) -> str:
    return f"R{board.index:05d}{p.index:04d}"


def _workday(board: BoardSpec, now: datetime) -> list[Json]:
    rows = [
        {
            "title": p.title,
            "externalPath": _wd_path(p, _wd_req(board, p)),
            "locationsText": p.places[0][0] if len(p.places) == 1 else f"{len(p.places)} Locations",
            "postedOn": _days_ago_text(p, now),
            "bulletFields": [_wd_req(board, p)],
        }
        for p in board.postings
    ]
    pages = []
    for o in range(0, max(len(rows), 1), WORKDAY_PAGE):
        page = {"jobPostings": rows[o : o + WORKDAY_PAGE], "facets": [], "userAuthenticated": False}
        if o == 0:
            page["total"] = len(rows)  # only the first page's total is reliable (the spider keeps it)
        else:
            page["total"] = 0
        pages.append(page)
    return pages


def _workday_detail(board: BoardSpec, p: Posting) -> Json:
    req = _wd_req(board, p)
    info = {
        "id": f"ffff{req.lower()}",
        "title": p.title,
        "jobDescription": description_html(p),
        "location": p.places[0][0],
        "additionalLocations": [t for t, _ in p.places[1:]],
        "postedOn": "Posted Today",
        "startDate": p.posted.strftime("%Y-%m-%d"),
        "timeType": {
            "full-time": "Full time",
            "contract": "Contract",
            "internship": "Internship",
            "part-time": "Part time",
        }[p.employment],
        "remoteType": {"remote": "Remote", "hybrid": "Hybrid", "onsite": "On-site"}[p.workplace],
        "jobReqId": req,
        "jobPostingId": _wd_path(p, req).rsplit("/", 1)[-1],
        "jobPostingSiteId": board.site,
        "country": {"descriptor": p.places[0][0].split(",")[-1].strip(), "id": "c0"},
        "jobRequisitionLocation": {
            "descriptor": p.places[0][0],
            "country": {"descriptor": "", "id": "c0", "alpha2Code": p.places[0][1] or ""},
        },
        "canApply": True,
        "posted": True,
        "externalUrl": f"https://{board.host}/{board.site}{_wd_path(p, req)}",
    }
    return {
        "jobPostingInfo": info,
        "hiringOrganization": {"name": board.name, "url": ""},
        "similarJobs": [],
        "userAuthenticated": False,
    }


PAGES: dict[str, Callable[[BoardSpec, datetime], list[Json]]] = {
    "greenhouse": _gh,
    "lever": _lever,
    "smartrecruiters": _sr,
    "ashby": _ashby,
    "recruitee": _recruitee,
    "workable": _workable,
    "workday": _workday,
}


def detail_payload(board: BoardSpec, raw: dict[str, Any]) -> Json:
    """The detail document answering the spider's detail request for ``raw`` (a list record)."""
    if board.ats == "smartrecruiters":
        index = int(raw["id"]) % 1000
        return _sr_detail(board, board.postings[index])
    if board.ats == "workable":
        index = int(raw["shortcode"][6:], 16)
        return _workable_detail(board, board.postings[index])
    if board.ats == "workday":
        index = int(raw["bulletFields"][0][6:])
        return _workday_detail(board, board.postings[index])
    raise ValueError(f"{board.ats} has no detail requests")


# --------------------------------------------------------------------------------------------------
# Routes: walk each spider's own request hooks over the generated pages.

JSON_HEADERS = "Content-Type: application/json; charset=utf-8"


def render_response(
    body: bytes, status: int = 200, content_type: str = "application/json; charset=utf-8"
) -> bytes:
    """Complete HTTP/1.1 response bytes (keep-alive) for ``body``."""
    reason = {200: "OK", 404: "Not Found"}.get(status, "OK")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("latin-1") + body


def request_target(url: str) -> str:
    """``https://HOST/PATH?QUERY`` → ``/host/PATH?QUERY``: the request target of its mirrored request."""
    parts = urlsplit(url)
    return f"/{parts.netloc.lower()}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def canonical_key(method: str, target: str, body: bytes) -> tuple[str, str, str]:
    """A key that ignores query order and JSON body formatting (the fallback of exact-bytes lookups)."""
    path, _, query = target.partition("?")
    host, _, rest = path.lstrip("/").partition("/")
    q = "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(query, keep_blank_values=True)))
    canon = ""
    if body:
        try:
            canon = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
        except ValueError:
            canon = body.decode("latin-1")
    return method.upper(), f"/{host.lower()}/{rest}?{q}", canon


@dataclass
class Workload:
    """Pre-rendered answers keyed by (method, request target, body bytes) of the mirrored requests."""

    boards: list[BoardSpec]
    postings_per_board: int
    seed: int
    responses: dict[tuple[str, str, bytes], bytes] = field(default_factory=dict)
    canonical: dict[tuple[str, str, str], bytes] = field(default_factory=dict)
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)  # in crawl order, per board
    real_urls: list[str] = field(default_factory=list)
    requests_by_ats: Counter = field(default_factory=Counter)
    requests_by_host: Counter = field(default_factory=Counter)
    bytes_by_ats: Counter = field(default_factory=Counter)
    build_seconds: float = 0.0

    @property
    def postings(self) -> int:
        return sum(len(b.postings) for b in self.boards)

    def add(self, method: str, url: str, body: bytes, payload: bytes, ats: str) -> None:
        target = request_target(url)
        response = render_response(payload)
        self.responses[(method.upper(), target, body)] = response
        self.canonical[canonical_key(method, target, body)] = response
        self.requests.append((method.upper(), target, body))
        self.real_urls.append(url)
        self.requests_by_ats[ats] += 1
        self.requests_by_host[urlsplit(url).netloc.lower()] += 1
        self.bytes_by_ats[ats] += len(payload)

    def lookup(self, method: str, target: str, body: bytes) -> bytes | None:
        found = self.responses.get((method, target, body))
        if found is None:
            found = self.canonical.get(canonical_key(method, target, body))
        return found

    def summary(self) -> str:
        lines = [
            f"workload: {len(self.boards)} boards x {self.postings_per_board} postings = {self.postings} "
            f"postings, seed {self.seed}, {len(self.responses)} responses, "
            f"{sum(self.bytes_by_ats.values()) / 1e6:.1f} MB, built in {self.build_seconds:.1f}s"
        ]
        boards_by_ats = Counter(b.ats for b in self.boards)
        lines.append(f"  {'ats':<16}{'boards':>7}{'requests':>10}{'req/board':>10}{'MB':>8}")
        for ats in ATS:
            if boards_by_ats[ats]:
                lines.append(
                    f"  {ats:<16}{boards_by_ats[ats]:>7}{self.requests_by_ats[ats]:>10}"
                    f"{self.requests_by_ats[ats] / boards_by_ats[ats]:>10.1f}"
                    f"{self.bytes_by_ats[ats] / 1e6:>8.1f}"
                )
        kinds = Counter(p.kind for b in self.boards for p in b.postings)
        stale = sum(p.stale for b in self.boards for p in b.postings)
        langs = Counter(p.lang for b in self.boards for p in b.postings)
        sizes = [len(description_html(p)) for b in self.boards[:50] for p in b.postings]
        lines.append(
            f"  postings: {kinds['backend']} backend, {kinds['engineering']} other engineering, "
            f"{kinds['other']} non-engineering; {stale} stale; languages "
            + ", ".join(f"{k} {v}" for k, v in langs.most_common())
            + (f"; description HTML {sum(sizes) / len(sizes) / 1024:.1f} KB on average" if sizes else "")
        )
        return "\n".join(lines)


def _spider(ats: str, registry: Path, store: Path) -> Any:
    from scrapy.utils.test import get_crawler

    from jobspiders.spiders import ashby, greenhouse, lever, recruitee, smartrecruiters, workable, workday

    classes = {
        "greenhouse": greenhouse.GreenhouseSpider,
        "lever": lever.LeverSpider,
        "smartrecruiters": smartrecruiters.SmartRecruitersSpider,
        "ashby": ashby.AshbySpider,
        "recruitee": recruitee.RecruiteeSpider,
        "workable": workable.WorkableSpider,
        "workday": workday.WorkdaySpider,
    }
    cls = classes[ats]
    # The spider reads board history from its store: an empty throwaway one, not the checkout's output/.
    crawler = get_crawler(cls, {"JOBS_NOW": NOW_ISO, "JOBS_DB": str(store)})
    return cls.from_crawler(crawler, companies=str(registry))


def _walk(spider: Any, board_spec: BoardSpec, board: Any, pages: list[Json], workload: Workload) -> None:
    """Follow the spider's own hooks: first request → page 0 → next_page() → page 1 … and details."""
    from scrapy.http import TextResponse

    requests = list(spider.board_requests(board))
    if len(requests) != 1:
        raise RuntimeError(f"{board.key}: expected one first request, got {len(requests)}")
    request = requests[0]
    for number, page in enumerate(pages):
        payload = json.dumps(page, ensure_ascii=False, separators=(",", ":")).encode()
        workload.add(request.method, request.url, request.body, payload, board_spec.ats)
        response = TextResponse(request.url, body=payload, request=request, encoding="utf-8")
        data = json.loads(payload)
        for raw in spider.postings(data, board):
            detail = spider.detail_request(raw, board)
            if detail is not None:
                body = json.dumps(
                    detail_payload(board_spec, raw), ensure_ascii=False, separators=(",", ":")
                ).encode()
                workload.add(detail.method, detail.url, detail.body, body, board_spec.ats)
        follow = spider.next_page(data, response, board)
        if number + 1 < len(pages):
            if follow is None:
                raise RuntimeError(f"{board.key}: the spider stopped after page {number + 1} of {len(pages)}")
            request = follow
        elif follow is not None:
            raise RuntimeError(f"{board.key}: the spider asks for a page after the last one: {follow.url}")


def build(
    boards: int, postings: int = 50, seed: int = 8, now: datetime = NOW, registry: Path | None = None
) -> Workload:
    """The workload of ``boards`` boards × ``postings`` postings; writes the registry to ``registry``."""
    started = time.perf_counter()
    specs = make_boards(boards, postings, seed, now)
    workload = Workload(specs, postings, seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = registry or Path(tmp) / "companies.yml"
        write_registry(specs, path)
        by_key = {}
        for ats in ATS:
            mine = [b for b in specs if b.ats == ats]
            if not mine:
                continue
            spider = _spider(ats, path, Path(tmp) / "history.db")
            boards_of = {(b.token.lower()): b for b in spider.boards}
            if len(boards_of) != len(mine):
                raise RuntimeError(f"{ats}: the registry gave {len(boards_of)} boards, expected {len(mine)}")
            for spec in mine:
                by_key[spec.index] = (spider, boards_of[spec.token.lower()])
        for spec in specs:  # crawl order of the registry, board after board
            spider, board = by_key[spec.index]
            _walk(spider, spec, board, PAGES[spec.ats](spec, now), workload)
    workload.build_seconds = time.perf_counter() - started
    return workload


def iter_raw_postings(boards: list[BoardSpec], now: datetime = NOW) -> Iterator[dict[str, Any]]:
    """RawPosting-shaped records (what the spiders hand to the pipelines), for the normalizer benchmark."""
    for board in boards:
        for p in board.postings:
            salary: Any = None
            if p.salary:
                lo, hi, cur, period = p.salary
                salary = (
                    [{"min_cents": lo * 100, "max_cents": hi * 100, "currency_type": cur}]
                    if board.ats == "greenhouse"
                    else {"min": lo, "max": hi, "currency": cur, "period": period}
                )
            posted: Any = {
                "greenhouse": _iso_offset(p.posted, -4),
                "lever": int(p.posted.timestamp() * 1000),
                "recruitee": p.posted.strftime("%Y-%m-%d %H:%M:%S UTC"),
                "workday": p.posted.strftime("%Y-%m-%d") if p.index % 2 else _days_ago_text(p, now),
            }.get(board.ats, p.posted.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
            yield {
                "title": p.title,
                "company": board.name,
                "location": [t for t, _ in p.places] if len(p.places) > 1 else p.places[0][0],
                "country": p.places[0][1],
                "description": description_html(p),
                "url": f"https://example.test/{board.token}/{p.index}",
                "posted_at": posted,
                "salary": salary,
                "remote": {"remote": "Remote", "hybrid": "hybrid", "onsite": "On-site"}[p.workplace]
                if board.ats != "smartrecruiters"
                else p.workplace == "remote",
                "employment_type": p.employment.title(),
            }


def write_manifest(workload: Workload, folder: Path) -> Path:
    """A `python -m jobspiders.standin` manifest (and body files) serving the same answers."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for n, ((method, _target, body), url) in enumerate(
        zip(workload.requests, workload.real_urls, strict=True)
    ):
        response = workload.responses[(method, request_target(url), body)]
        name = f"r{n:06d}.json"
        (folder / name).write_bytes(response.split(b"\r\n\r\n", 1)[1])
        entry: dict[str, Any] = {"url": url, "file": name}
        if method != "GET":
            entry["method"] = method
            entry["body_json"] = json.loads(body)
        entries.append(entry)
    manifest = folder / "manifest.yml"
    manifest.write_text(yaml.safe_dump(entries, sort_keys=False))
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--boards", type=int, default=70, help="boards, round-robin over the ATS (default 70)"
    )
    parser.add_argument("--postings", type=int, default=50, help="postings per board (default 50)")
    parser.add_argument("--seed", type=int, default=8, help="random seed (default 8)")
    parser.add_argument("--registry", type=Path, help="also write the generated registry (YAML) here")
    parser.add_argument(
        "--manifest",
        type=Path,
        metavar="DIR",
        help="also write a jobspiders.standin manifest and its body files into DIR",
    )
    args = parser.parse_args(argv)
    workload = build(args.boards, args.postings, args.seed, registry=args.registry)
    print(workload.summary())
    if args.manifest:
        print(f"manifest: {write_manifest(workload, args.manifest)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
