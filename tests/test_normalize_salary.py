import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.normalize.salary import parse_salary

ASHBY_COMPENSATION = {
    "compensationTierSummary": "$250K – $350K • 0.25% – 0.5%",
    "scrapeableCompensationSalarySummary": "$250K - $350K",
    "summaryComponents": [
        {"compensationType": "EquityPercentage", "interval": "NONE", "currencyCode": None, "minValue": 0.25},
        {"compensationType": "Salary", "interval": "1 YEAR", "currencyCode": "USD", "minValue": 250000,
         "maxValue": 350000},
    ],
}  # fmt: skip


def core(result):
    return None if result is None else (result["min"], result["max"], result["currency"], result["period"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Structured ATS data.
        (
            {"currency": "USD", "interval": "per-year-salary", "min": 60000, "max": 80000},
            (60000, 80000, "USD", "year"),
        ),
        ({"currency": "USD", "interval": "per-hour-wage", "min": 50, "max": 70}, (50, 70, "USD", "hour")),
        (
            {"min": "60000", "max": "75000", "period": "year", "currency": "EUR"},
            (60000, 75000, "EUR", "year"),
        ),
        ({"min": "4000", "max": "5000", "period": "month", "currency": "PLN"}, (4000, 5000, "PLN", "month")),
        (
            {"min": "100000.00", "max": "", "currencySymbol": "£", "currencyCode": "GBP", "type": "yearly"},
            (100000, None, "GBP", "year"),
        ),
        (
            [  # Greenhouse pay zones in cents: the widest envelope of the first currency
                {"min_cents": 7000000, "max_cents": 9000000, "currency_type": "EUR", "title": "Berlin"},
                {"min_cents": 6000000, "max_cents": 9500000, "currency_type": "EUR", "title": "Remote"},
                {"min_cents": 100000, "max_cents": 20000000, "currency_type": "USD", "title": "US"},
            ],
            (60000, 95000, "EUR", "year"),
        ),
        (ASHBY_COMPENSATION, (250000, 350000, "USD", "year")),
        (
            {"currency": "USD", "value": {"minValue": 40, "maxValue": 55, "unitText": "HOUR"}},
            (40, 55, "USD", "hour"),
        ),
        (
            {"salaryRange": {"currency": "BRL", "interval": "per-month-salary", "min": 8000, "max": 12000}},
            (8000, 12000, "BRL", "month"),
        ),
        ({"currency": "EUR", "min": 90000, "max": 70000}, (70000, 90000, "EUR", "year")),  # swapped
        # Salary text.
        ("$120,000 - $150,000", (120000, 150000, "USD", "year")),
        ("€60k–€75k", (60000, 75000, "EUR", "year")),
        ("90.000 €", (90000, 90000, "EUR", "year")),
        ("65.000,00 EUR brutto jährlich", (65000, 65000, "EUR", "year")),
        ("£45,000 per annum", (45000, 45000, "GBP", "year")),
        ("CHF 100'000 – 120'000", (100000, 120000, "CHF", "year")),
        ("A$ 120,000", (120000, 120000, "AUD", "year")),
        ("C$90k - C$110k", (90000, 110000, "CAD", "year")),
        ("R$ 8.000 - R$ 10.000 por mês", (8000, 10000, "BRL", "month")),
        ("₹ 12 LPA", (1200000, 1200000, "INR", "year")),
        ("12-18 LPA", (1200000, 1800000, "INR", "year")),
        ("up to $150k", (None, 150000, "USD", "year")),
        ("bis zu 80.000 € pro Jahr", (None, 80000, "EUR", "year")),
        ("from €50,000", (50000, None, "EUR", "year")),
        ("starting at $90,000/year", (90000, None, "USD", "year")),
        ("$45/hr", (45, 45, "USD", "hour")),
        ("€500 per day", (500, 500, "EUR", "day")),
        ("$2,000 per week", (2000, 2000, "USD", "week")),
        ("10 000 - 15 000 zł/mies.", (10000, 15000, "PLN", "month")),
        ("5.000 € pro Monat", (5000, 5000, "EUR", "month")),
        ("50 € pro Stunde", (50, 50, "EUR", "hour")),
        ("35.000 - 40.000 € brutos anuales", (35000, 40000, "EUR", "year")),
        ("45 000 € par an", (45000, 45000, "EUR", "year")),
        ("90-110k EUR", (90000, 110000, "EUR", "year")),
        ("between $100,000 and $120,000", (100000, 120000, "USD", "year")),
        ("60000 - 80000", (60000, 80000, None, "year")),  # a salary field without currency
        ("1.5k USD monthly", (1500, 1500, "USD", "month")),
        # No salary.
        ("Competitive", None),
        ("", None),
        (None, None),
        ({}, None),
        ([], None),
        ({"min": None, "max": None, "currency": "USD"}, None),
        ({"compensationType": "EquityPercentage", "interval": "NONE"}, None),
        (True, None),
        (42, None),
        ("$" + "9" * 400, None),  # overflows a float
        ({"min": 1e308, "currency": "USD", "period": "hour"}, None),
    ],
)
def test_parse_salary(value, expected):
    assert core(parse_salary(value)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We raised $20M in Series A.\nSalary: €70,000–€90,000 per year.", (70000, 90000, "EUR", "year")),
        (
            "The base salary range for this role is $150,000—$180,000 USD. Plus a $5,000 signing bonus.",
            (150000, 180000, "USD", "year"),
        ),
        ("Gehalt: 60.000 - 70.000 EUR pro Jahr", (60000, 70000, "EUR", "year")),
        ("Wynagrodzenie: 15 000 – 20 000 zł netto/mies. (B2B)", (15000, 20000, "PLN", "month")),
        ("Rémunération : 45-55 k€ par an", (45000, 55000, "EUR", "year")),
        ("Remuneração: R$ 7.000 a R$ 9.000 mensais", (7000, 9000, "BRL", "month")),
        ("Retribuzione: RAL 40.000€", (40000, 40000, "EUR", "year")),
        ("Pay: $25 - $30 per hour", (25, 30, "USD", "hour")),
        ("Salary range: 80000 - 100000 (gross yearly)", (80000, 100000, None, "year")),
        ("5+ years of experience. 401(k) matching. 25 days paid vacation.", None),
        ("We are a team of 40 engineers in 12 countries.", None),
        ("We offer a $1,000 learning budget and a €500 home office allowance.", None),
        # implausible as a year's pay: a version number beside a currency code, a funding round
        ("Sviluppatore Backend: PHP 8.3, Laravel 11; PHP 8 experience required.", None),
        ("We closed a $50M round to grow the team.", None),
        ("", None),
    ],
)
def test_salary_from_description(text, expected):
    assert core(parse_salary(None, text=text)) == expected


def test_structured_value_wins_over_text():
    result = parse_salary({"min": 1, "max": 2, "currency": "USD", "period": "hour"}, text="Salary: €90,000")
    assert core(result) == (1, 2, "USD", "hour")


def test_annual_and_usd_values():
    assert parse_salary({"currency": "EUR", "min": 5000, "max": 6000, "period": "monthly"}) == {
        "min": 5000,
        "max": 6000,
        "currency": "EUR",
        "period": "month",
        "annual_min": 60000,
        "annual_max": 72000,
        "annual_usd_min": 69600,
        "annual_usd_max": 83520,
    }
    hourly = parse_salary("$50/hour")
    assert (hourly["annual_min"], hourly["annual_usd_max"]) == (104000, 104000)
    daily = parse_salary("€400 per day")
    assert daily["annual_max"] == 104000
    weekly = parse_salary("£1,000 per week")
    assert weekly["annual_min"] == 52000


def test_unknown_currency_has_no_usd_values():
    result = parse_salary({"currency": "XYZ", "min": 100, "max": 200})
    assert result["currency"] == "XYZ"
    assert result["annual_usd_min"] is None
    assert result["annual_usd_max"] is None


@settings(deadline=None, max_examples=300)
@given(
    st.one_of(
        st.none(),
        st.text(),
        st.from_regex(
            r"[$€£]? ?\d{1,30}([.,]\d{1,3})?[kK]? ?(- ?\d{1,30})? ?(per hour|/month|LPA)?", fullmatch=True
        ),
        st.integers(),
        st.dictionaries(
            st.sampled_from(["min", "max", "currency", "period", "min_cents"]),
            st.one_of(
                st.none(), st.text(max_size=8), st.integers(), st.floats(), st.sampled_from(["hour", "USD"])
            ),
        ),
        st.lists(
            st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=5), st.integers())), max_size=3
        ),
    ),
    st.one_of(st.none(), st.text()),
)
def test_random_values_never_raise(value, text):
    result = parse_salary(value, text=text)
    assert result is None or result["period"] in {"year", "month", "week", "day", "hour"}
