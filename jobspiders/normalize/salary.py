"""Salary from structured ATS fields or from salary sentences in text.

``parse_salary(value, text=description)``: ``value`` is the ATS's salary field as given, either text
("€60k–€75k", "90.000 € brutto jährlich", "₹ 12 LPA") or structured data: a mapping or a list of
mappings (pay zones) such as Lever ``salaryRange``, Greenhouse ``pay_input_ranges`` (cents), Recruitee
``salary`` (numbers as strings), Personio ``salaryInformation``, Ashby ``compensation`` or schema.org
``baseSalary``. When it yields nothing, the salary sentence of ``text`` is used. Result::

    {"min": 60000, "max": 75000, "currency": "EUR", "period": "year",
     "annual_min": 60000, "annual_max": 75000, "annual_usd_min": 69600, "annual_usd_max": 87000}

or ``None``. "up to X" gives ``min=None``, "from X" gives ``max=None``, one amount gives min = max,
several ranges give the widest envelope (of the first range's currency and period). Annual values use
hour x 2080, day x 260, week x 52, month x 12; USD values use ``data/currencies.yml`` (approximate rates)
and are ``None`` for currencies it lacks. Never raises.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jobspiders.data import load_yaml

ANNUAL_FACTORS = {"year": 1, "month": 12, "week": 52, "day": 260, "hour": 2080}
_MAX_AMOUNT = 1e12

# Keys of structured salary data, compared lower-cased without "_" or "-".
_MIN_KEYS = ("min", "minvalue", "minimum", "minamount", "salarymin", "salaryfrom", "from", "low", "minsalary")
_MAX_KEYS = ("max", "maxvalue", "maximum", "maxamount", "salarymax", "salaryto", "to", "high", "maxsalary")
_CURRENCY_KEYS = ("currency", "currencytype", "currencycode", "currencysymbol", "salarycurrency")
_PERIOD_KEYS = (
    "period", "interval", "unit", "unittext", "type", "frequency", "payperiod", "salarytype", "salaryperiod",
    "salaryinterval", "rateperiod",
)  # fmt: skip
_NESTED_KEYS = (
    "salaryrange",
    "salaryinformation",
    "basesalary",
    "payinputranges",
    "salary",
    "compensation",
    "pay",
)
# Ashby compensation: only salary components count (not equity, bonus or commission).
_ASHBY_COMPONENT_TYPES = {None, "salary", "base", "basesalary"}

_PERIOD_WORDS = {
    "hour": r"hours?|hourly|hrs?|/\s?h|stunden?|stündlich|stundenlohn|horas?|heures?|l'ora|all'ora|/\s?ora"
    r"|godz\w*|godzin\w*|uur|timme|timmen|tunti|tunnilta",
    "day": r"days?|daily|diem|tag|tagessatz|täglich|d[ií]as?|diari[oa]|jours?|journ\w+|giorno|giornalier\w*"
    r"|dzie[nń]|dziennie|dag",
    "week": r"weeks?|weekly|wk|woche|wöchentlich|semanas?|semaine|hebdo\w*|settiman\w*|tydzie[nń]|tygodniowo",
    "month": r"months?|monthly|/\s?mo|monat|monatlich|monatsgehalt|mes|mensual\w*|mois|mensuel\w*|mês"
    r"|mensa\w*|mese|mensil\w*|miesi[aą]c\w*|mies\.?|miesięcznie|mc|maand|månad\w*|måned\w*|mnd|kuukau\w*",
    "year": r"years?|yearly|annual\w*|annum|p\.\s?a\.?|pa|yr|jahr|jährlich|jahresgehalt|jahresbrutto|año"
    r"|anual\w*|par\s+an|annuel\w*|ano|anuais|ao\s+ano|anno|annu[oia]|rok|rocznie|lpa|jaar|år|året|årlig\w*|vuodessa",
}
_PERIOD_RE = re.compile(
    "|".join(rf"(?P<{period}>(?<![\w])(?:{words})(?![\w]))" for period, words in _PERIOD_WORDS.items()),
    re.I,
)
_SALARY_WORDS = re.compile(
    r"\b(?:salar\w*|compensation|pay|paid|wages?|gehalt\w*|jahresgehalt|verg[üu]tung|lohn|entgelt"
    r"|sueldo|remuneraci[oó]n|retribuci[oó]n|r[ée]mun[ée]ration|salaire|sal[áa]rio|remunera[çc][ãa]o"
    r"|retribuzione|stipendio|ral|wynagrodzenie|pensja|ote|base|rate|gross|brutto|bruto|brut|lordo)\b",
    re.I,
)
# Money that is not pay: "raised $20M", "a $1,000 learning budget", "$5,000 signing bonus".
_NOT_PAY_BEFORE = re.compile(
    r"\b(?:raised|funding|funded|revenue|valuation|series\s+[a-f]|investment|investors|arr|turnover|worth"
    r"|customers|users|budget|bonus|stipend|allowance|equity|sign[\s-]?on|signing|relocation|reimburse\w*"
    r"|per\s+diem|credits?|grant|prize|fee)\b[^.\n]{0,30}$",
    re.I,
)
_NOT_PAY_AFTER = re.compile(
    # "$5,000 signing bonus" is not pay, but "€60k–€75k + bonus" is pay plus a bonus.
    r"^(?!\s*(?:\+|plus\b|and\b|&|\(|,|\.|;))[^.\n]{0,15}\b(?:bonus|stipend|allowance|budget|equity|in\s+funding|in\s+revenue|funding|revenue"
    r"|raised|arr|valuation|credits?|grant|worth|of\s+funding|per\s+employee|annual\s+learning)\b",
    re.I,
)
_UP_TO = re.compile(
    r"(?:\bup\s+to|\bbis\s+(?:zu)?|\bhasta|\bat[ée]|\bjusqu['’]?\s*[àa]|\bfino\s+a|\bmax(?:imum|\.)?|\bdo)\s*:?\s*$",
    re.I,
)
_FROM = re.compile(
    r"(?:\bfrom|\bstarting\s+(?:at|from)|\bab|\bdesde|\ba\s+partir\s+de|\bà\s+partir\s+de|\bda|\bod"
    r"|\bmin(?:imum|\.)?|\bat\s+least|\bstarts?\s+at)\s*:?\s*$",
    re.I,
)
_NUMBER = (
    # Indian lakh grouping first ("12,00,000"), then thousands groups, then plain numbers.
    r"(?<![\d.,'’])(?:\d{1,2}(?:,\d{2})+,\d{3}(?![\d,])"
    r"|\d{1,3}(?:(?:[.,'’]|[ \u00a0\u202f](?=\d{3}(?!\d)))\d{3})+(?:[.,]\d{1,2})?"
    r"|\d+(?:[.,]\d{1,2})?)(?![\d])"
)
_MULTIPLIER = (
    r"k(?![a-zA-Z])|K(?![a-zA-Z])|mio\.?|million|mn|M(?![a-zA-Z])|LPA|lpa|lakhs?|lacs?|tys\.?|mil(?![a-zA-Z])"
)
_MULTIPLIERS = {"k": 1e3, "tys": 1e3, "mil": 1e3, "m": 1e6, "mio": 1e6, "million": 1e6, "mn": 1e6}
_LAKH = {"lpa", "lakh", "lakhs", "lac", "lacs"}
_RANGE_SEPARATOR = r"\s*(?:-|–|—|~|to|bis|a|à|até|al|do|and|und|y|et|e|till)\s*"


@dataclass(frozen=True, slots=True)
class _Range:
    min: float | None
    max: float | None
    currency: str | None
    period: str


def parse_salary(value: Any, *, text: str | None = None) -> dict[str, Any] | None:
    """Normalized salary dict (see the module docstring) or ``None`` when there is no salary."""
    found: _Range | None = None
    if isinstance(value, str):
        found = _best_in_text(value, in_salary_field=True)
    elif isinstance(value, Mapping | list | tuple):
        found = _from_structure(value, depth=0)
    if found is None and isinstance(text, str):
        found = _best_in_text(text, in_salary_field=False)
    return _result(found) if found else None


# --- structured data ---------------------------------------------------------------------------


def _from_structure(value: Any, depth: int) -> _Range | None:
    if depth > 4:  # guards against self-referencing or absurdly nested data
        return None
    if isinstance(value, list | tuple):
        ranges = [r for item in value if (r := _from_structure(item, depth + 1))]
        return _envelope(ranges)
    if not isinstance(value, Mapping):
        return None
    keys = {_key(k): v for k, v in value.items() if isinstance(k, str)}
    if "summarycomponents" in keys or "compensationtiers" in keys:
        return _from_ashby(keys, depth)
    for nested in _NESTED_KEYS:
        if isinstance(keys.get(nested), Mapping | list | tuple) and (
            found := _from_structure(keys[nested], depth + 1)
        ):
            return found
    if isinstance(keys.get("value"), Mapping):  # schema.org MonetaryAmount
        keys = {**keys, **{_key(k): v for k, v in keys["value"].items() if isinstance(k, str)}}
    low = _first_number(keys, _MIN_KEYS) or _cents(keys, "mincents")
    high = _first_number(keys, _MAX_KEYS) or _cents(keys, "maxcents")
    if low is None and high is None:
        low = high = _first_number(keys, ("value", "amount"))
    if low is None and high is None:
        return None
    currency = next((c for k in _CURRENCY_KEYS if (c := _currency_code(keys.get(k)))), None)
    period = next((p for k in _PERIOD_KEYS if (p := _period_of(keys.get(k)))), "year")
    return _Range(low, high, currency, period)


def _from_ashby(keys: Mapping[str, Any], depth: int) -> _Range | None:
    components = list(keys.get("summarycomponents") or [])
    for tier in keys.get("compensationtiers") or []:
        if isinstance(tier, Mapping):
            components += tier.get("components") or []
    salaries = [
        c
        for c in components
        if isinstance(c, Mapping)
        and _key(str(c.get("compensationType") or "")) in _ASHBY_COMPONENT_TYPES | {""}
        and _key(str(c.get("interval") or "")) != "none"
    ]
    if found := _from_structure(salaries, depth + 1):
        return found
    summary = keys.get("scrapeablecompensationsalarysummary") or keys.get("compensationtiersummary")
    return _best_in_text(summary, in_salary_field=True) if isinstance(summary, str) else None


def _envelope(ranges: list[_Range]) -> _Range | None:
    if not ranges:
        return None
    first = ranges[0]
    same = [r for r in ranges if r.currency == first.currency and r.period == first.period]
    lows = [r.min for r in same if r.min is not None]
    highs = [r.max for r in same if r.max is not None]
    return _Range(min(lows, default=None), max(highs, default=None), first.currency, first.period)


def _key(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "").replace(" ", "")


def _first_number(keys: Mapping[str, Any], names: Iterable[str]) -> float | None:
    for name in names:
        if (number := _to_number(keys.get(name))) is not None:
            return number
    return None


def _cents(keys: Mapping[str, Any], name: str) -> float | None:
    cents = _to_number(keys.get(name))
    return None if cents is None else cents / 100


def _to_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and (match := re.search(_NUMBER, value)):
        number = _parse_number(match.group())
    else:
        return None
    return number if _plausible(number) else None


def _plausible(number: float) -> bool:
    # Positive and below a trillion: larger "salaries" are overflowing garbage, not pay.
    return math.isfinite(number) and 0 < number < _MAX_AMOUNT


def _period_of(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.replace("-", " ").replace("_", " ")
    match = _PERIOD_RE.search(text)
    return match.lastgroup if match else None


# --- text --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    score: int
    start: int
    range: _Range


def _best_in_text(text: str, *, in_salary_field: bool) -> _Range | None:
    text = text.replace("\u00a0", " ")
    candidates = [c for m in _money_matches(text) if (c := _candidate(m, text, in_salary_field))]
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c.score, -c.start))
    # Pay zones ("Zone A: $150k–$180k. Zone B: $135k–$162k"): the envelope of every range in the
    # best candidate's currency and period.
    zones = [
        c.range
        for c in candidates
        if c.range.currency == best.range.currency
        and c.range.period == best.range.period
        and c.range.min is not None
        and c.range.max is not None
        and c.range.min != c.range.max
    ]
    if len(zones) > 1 and best.range in zones:
        return _envelope(zones)
    return best.range


def _candidate(match: re.Match[str], text: str, in_salary_field: bool) -> _Candidate | None:
    groups = match.groupdict()
    symbols = [groups[g] for g in ("c1", "d1", "c2", "d2") if groups[g]]
    currency = next((code for s in symbols if (code := _currency_code(s))), None)
    mult1, mult2 = (groups["m1"] or "").lower().rstrip("."), (groups["m2"] or "").lower().rstrip(".")
    low = _parse_number(groups["n1"])
    high = _parse_number(groups["n2"]) if groups["n2"] else None
    # "90-110k" and "12-18 LPA": a multiplier on one side applies to a bare small number on the other.
    if high is not None and bool(mult1) != bool(mult2):
        if mult2 and low < 1000:
            mult1 = mult2
        elif mult1 and high < 1000:
            mult2 = mult1
    lakh = mult1 in _LAKH or mult2 in _LAKH
    low *= _factor(mult1)
    high = high * _factor(mult2) if high is not None else None
    if lakh:
        currency = currency or "INR"
    elif currency is None and not in_salary_field and max(low, high or 0) < 1000:
        return None  # a small bare number in a description ("5+ years"): rejected below anyway, cheaply
    before = text[max(0, match.start() - 60) : match.start()]
    after = text[match.end() : match.end() + 40].split("\n", 1)[0]
    if _NOT_PAY_BEFORE.search(before) or _NOT_PAY_AFTER.match(after):
        return None
    period_match = _PERIOD_RE.search(after[:30]) or _last_period(before[-30:])
    period = "year" if lakh else (period_match.lastgroup if period_match else "year")
    salary_word = bool(_SALARY_WORDS.search(before) or _SALARY_WORDS.search(after))
    if currency is None and not lakh:
        # A bare number is pay only in a salary field, or next to a salary word when it is large
        # enough to be pay ("5+ years", "401(k)", "25 days paid leave" are not).
        plausible = max(low, high or 0) >= 1000
        if not (in_salary_field and (plausible or period_match)) and not (salary_word and plausible):
            return None
    if not _plausible(low) or (high is not None and not _plausible(high)):
        return None
    if high is None:
        if _UP_TO.search(before):
            low, high = None, low
        elif _FROM.search(before):
            high = None
        else:
            high = low
    if not _plausible_pay(max(v for v in (low, high) if v is not None), currency, period):
        return None
    score = 4 * salary_word + 2 * (groups["n2"] is not None) + bool(period_match) + bool(currency)
    return _Candidate(score, match.start(), _Range(low, high, currency, period))


# A year's pay, in USD, that a posting can state: below is a version number next to a currency-looking
# word ("PHP 8.3"), above is a funding round ("$50M Series B").
_PAY_USD = (1_000, 5_000_000)


def _plausible_pay(amount: float, currency: str | None, period: str) -> bool:
    rate = _currency_table()["usd_per_unit"].get(currency or "")
    if not rate:
        return True
    low, high = _PAY_USD
    return low <= amount * ANNUAL_FACTORS[period] * rate <= high


def _last_period(text: str) -> re.Match[str] | None:
    matches = list(_PERIOD_RE.finditer(text))
    return matches[-1] if matches else None


def _factor(multiplier: str) -> float:
    if multiplier in _LAKH:
        return 100_000
    return _MULTIPLIERS.get(multiplier, 1)


def _parse_number(raw: str) -> float:
    """'90.000' and '90,000' → 90000; '65.000,00' → 65000; '1,5' and '1.5' → 1.5; "100'000" → 100000."""
    digits = raw.replace(" ", "").replace("\u202f", "").replace("'", "").replace("’", "")
    last = max(digits.rfind("."), digits.rfind(","))
    if last == -1:
        return float(digits)
    decimals = len(digits) - last - 1
    integer = re.sub(r"[.,]", "", digits[:last])
    if decimals == 3:  # a thousands group, not decimals
        return float(integer + digits[last + 1 :])
    return float(f"{integer}.{digits[last + 1 :]}")


@cache
def _money_pattern() -> re.Pattern[str]:
    symbols = sorted(_currency_table()["symbols"], key=len, reverse=True)
    codes = sorted(_currency_table()["usd_per_unit"])
    letters = [re.escape(s) for s in symbols if s[0].isalpha()] + codes
    marks = [re.escape(s) for s in symbols if not s[0].isalpha()]
    # Letter forms must stand alone ("USD", "zł"), marks may touch digits ("$90k", "90€").
    currency = rf"(?:(?<![A-Za-z])(?:{'|'.join(letters)})(?![A-Za-z])|{'|'.join(marks)})"

    def amount(n: int) -> str:
        return (
            rf"(?:(?P<c{n}>{currency})\s?)?(?P<n{n}>{_NUMBER})"
            rf"(?:\s?(?P<m{n}>{_MULTIPLIER}))?(?:\s?(?P<d{n}>{currency}))?"
        )

    return re.compile(rf"{amount(1)}(?:{_RANGE_SEPARATOR}{amount(2)})?")


def _money_matches(text: str) -> Iterator[re.Match[str]]:
    """``_money_pattern().finditer(text)``, trying the pattern only where a match can start.

    A match starts with a currency (a letter form after a non-letter, or a mark) or with a number's
    first digit, so the positions in between, which finditer tries one by one against every currency
    alternative (profiled: ~60% of parse_salary on 3 KB descriptions), are skipped by a cheap scan.
    ``match(text, i)`` sees the text before ``i`` for the look-behinds, as the scan does.
    """
    match, find_start = _money_pattern().match, _money_start().search
    pos = 0
    while (start := find_start(text, pos)) is not None:
        i = start.start()
        if (found := match(text, i)) is not None:
            yield found
            pos = found.end() if found.end() > i else i + 1
        else:
            pos = i + 1


@cache
def _money_start() -> re.Pattern[str]:
    """Where a ``_money_pattern`` match can start: a number's first digit or a currency's first character."""
    symbols = list(_currency_table()["symbols"])
    codes = list(_currency_table()["usd_per_unit"])
    if not all(symbols) or not all(codes):  # an empty form can start anywhere: try every position
        return re.compile(r"(?s).")
    # The same look-behinds as the pattern (letter forms stand alone, a number starts at its first digit).
    letters = {s[0] for s in symbols if s[0].isalpha()} | {c[0] for c in codes}
    marks = {s[0] for s in symbols if not s[0].isalpha()}
    parts = [r"(?<![\d.,'’])\d"]
    if letters:
        parts.append(rf"(?<![A-Za-z])[{''.join(map(re.escape, sorted(letters)))}]")
    if marks:
        parts.append(rf"[{''.join(map(re.escape, sorted(marks)))}]")
    return re.compile("|".join(parts))


@cache
def _currency_table() -> dict[str, Any]:
    table = load_yaml("currencies.yml")
    symbols = {str(k): str(v) for k, v in table["symbols"].items()}
    rates = {str(k).upper(): float(v) for k, v in table["usd_per_unit"].items()}
    return {
        "symbols": symbols,
        "usd_per_unit": rates,
        "folded": {k.casefold(): v for k, v in symbols.items()},
    }


def _currency_code(value: Any) -> str | None:
    if not isinstance(value, str) or not (text := value.strip()):
        return None
    table = _currency_table()
    if code := table["symbols"].get(text) or table["folded"].get(text.casefold()):
        return code
    # Any three letters in a currency field are an ISO code, known to the rate table or not.
    return text.upper() if re.fullmatch(r"[A-Za-z]{3}", text) else None


# --- output ------------------------------------------------------------------------------------


def _result(found: _Range) -> dict[str, Any] | None:
    low, high = found.min, found.max
    if low is not None and high is not None and low > high:
        low, high = high, low
    if low is None and high is None:
        return None
    factor = ANNUAL_FACTORS[found.period]
    rate = _currency_table()["usd_per_unit"].get(found.currency or "")
    annual_min = round(low * factor) if low is not None else None
    annual_max = round(high * factor) if high is not None else None
    return {
        "min": _plain(low),
        "max": _plain(high),
        "currency": found.currency,
        "period": found.period,
        "annual_min": annual_min,
        "annual_max": annual_max,
        "annual_usd_min": round(annual_min * rate) if rate and annual_min is not None else None,
        "annual_usd_max": round(annual_max * rate) if rate and annual_max is not None else None,
    }


def _plain(number: float | None) -> int | float | None:
    if number is None:
        return None
    return int(number) if float(number).is_integer() else round(number, 2)
