from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.normalize.posting import normalize_posting

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
KEYS = {
    "title", "company", "url", "location", "locations", "workplace", "employment_type", "seniority",
    "posted_at", "description", "salary",
}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {  # Greenhouse-shaped
                "title": "Sr. Backend Engineer (Go) &amp; SRE",
                "company": "Acme  ",
                "location": "Berlin, Berlin, Germany",
                "description": (
                    "&lt;p&gt;Go &amp;amp; Postgres.&lt;/p&gt;&lt;p&gt;Salary: €70,000 – €90,000&lt;/p&gt;"
                ),
                "url": " https://job-boards.greenhouse.io/acme/jobs/1 ",
                "posted_at": "2026-07-16T11:55:32-04:00",
                "salary": [{"min_cents": 7000000, "max_cents": 9000000, "currency_type": "EUR"}],
            },
            {
                "title": "Sr. Backend Engineer (Go) & SRE",
                "company": "Acme",
                "url": "https://job-boards.greenhouse.io/acme/jobs/1",
                "location": "Berlin, Germany",
                "locations": [{"city": "Berlin", "region": None, "country": "DE"}],
                "workplace": "onsite",
                "employment_type": None,
                "seniority": "senior",
                "posted_at": "2026-07-16T15:55:32Z",
                "description": "Go & Postgres.\n\nSalary: €70,000 – €90,000",
            },
        ),
        (
            {  # Lever-shaped
                "title": "Desenvolvedor Back-end Pleno",
                "location": ["São Paulo", "Remote - LATAM"],
                "country": "BR",
                "remote": "hybrid",
                "employment_type": "Full-time",
                "posted_at": 1768000000000,
                "description": "<div>Node.js</div>",
            },
            {
                "location": "São Paulo; Remote - LATAM",
                "locations": [
                    {"city": "São Paulo", "region": None, "country": "BR"},
                    {"city": None, "region": "LATAM", "country": None},
                ],
                "workplace": "hybrid",
                "employment_type": "full-time",
                "seniority": "mid",
                "posted_at": "2026-01-09T23:06:40Z",
                "salary": None,
            },
        ),
        (
            {
                "title": "Backend Developer (Remote)",
                "posted_at": "Posted 3 Days Ago",
                "employment_type": "contract",
            },
            {"workplace": "remote", "employment_type": "contract", "posted_at": "2026-11-17T12:00:00Z"},
        ),
        ({"title": "Backend Developer", "posted_at": "N/A"}, {"posted_at": None, "salary": None}),
        (
            {"title": 12345, "company": ["x"], "location": {"city": "Berlin"}},
            {"title": "12345", "company": "", "location": ""},
        ),
        ({}, {"title": "", "workplace": "onsite", "locations": []}),
    ],
)
def test_normalize_posting(raw, expected):
    result = normalize_posting(raw, NOW)
    assert set(result) == KEYS
    assert {key: result[key] for key in expected} == expected


def test_salary_from_description_when_no_field():
    result = normalize_posting(
        {"title": "Backend", "description": "<p>Gehalt: 60.000 - 70.000 EUR pro Jahr</p>"}, NOW
    )
    assert (result["salary"]["min"], result["salary"]["max"], result["salary"]["currency"]) == (
        60000,
        70000,
        "EUR",
    )


def test_greenhouse_shaped_posting():
    # Fields as in a real boards-api response (shared/samples/greenhouse, Amplitude), content trimmed.
    raw = {
        "title": "Customer Data Scientist - Experimentation",
        "company": "Amplitude",
        "location": "London, UK",
        "description": (
            "&lt;div class=&quot;content-intro&quot;&gt;&lt;p&gt;Amplitude is the leading AI analytics "
            "platform, helping over 4,700 customers&lt;/p&gt;&lt;/div&gt;"
            "&lt;ul&gt;&lt;li&gt;Strong proficiency in SQL&lt;/li&gt;"
            "&lt;li&gt;Python or R&lt;/li&gt;&lt;/ul&gt;"
        ),
        "url": "https://job-boards.greenhouse.io/amplitude/jobs/8636903002",
        "posted_at": "2026-07-16T11:55:32-04:00",
    }
    result = normalize_posting(raw, NOW)
    assert result["locations"] == [{"city": "London", "region": None, "country": "GB"}]
    assert result["posted_at"] == "2026-07-16T15:55:32Z"
    assert result["description"] == (
        "Amplitude is the leading AI analytics platform, helping over 4,700 customers\n\n"
        "Strong proficiency in SQL\nPython or R"
    )
    assert result["salary"] is None  # "4,700 customers" is not pay


ANY = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(),
    st.lists(st.one_of(st.text(max_size=20), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=8), st.integers()), max_size=3),
)  # fmt: skip
FIELDS = ["title", "company", "location", "country", "description", "url", "posted_at", "salary", "remote",
          "employment_type"]  # fmt: skip


@settings(deadline=None, max_examples=200)
@given(st.dictionaries(st.sampled_from(FIELDS), ANY))
def test_random_types_never_raise(raw):
    result = normalize_posting(raw, NOW)
    assert set(result) == KEYS
    assert result["workplace"] in {"remote", "hybrid", "onsite"}


@settings(deadline=None, max_examples=50)
@given(ANY)
def test_non_mapping_input_never_raises(raw):
    assert set(normalize_posting(raw, NOW)) == KEYS
