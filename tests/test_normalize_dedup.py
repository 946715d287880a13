import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.normalize.dedup import collapse_roles, dedup_key, merge_rows, role_key


def row(job_id, posted_at, city, country="DE", title="Backend Engineer", company="Acme"):
    return {
        "id": job_id,
        "company": company,
        "title": title,
        "posted_at": posted_at,
        "location": f"{city}, Germany",
        "locations": [{"city": city, "region": None, "country": country}],
    }


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("Acme", "Backend-Entwickler (m/w/d)"), ("ACME", "Backend Entwickler (w/m/d)"), True),
        (("Acme", "Développeur Backend H/F"), ("Acme", "Developpeur backend"), True),
        (("Acme", "Backend Engineer (all genders)"), ("Acme", "Backend Engineer"), True),
        (("Acme", "Backend Engineer (f/m/x)"), ("Acme", "backend engineer"), True),
        (("Acme", "Backend Engineer"), ("Other", "Backend Engineer"), False),
        (("Acme", "Senior Backend Engineer"), ("Acme", "Backend Engineer"), False),
        (("Acme", "Backend Engineer (Go)"), ("Acme", "Backend Engineer (Java)"), False),
    ],
)
def test_role_key(a, b, same):
    assert (role_key(*a) == role_key(*b)) is same


def test_dedup_key_keeps_location_apart():
    assert dedup_key("Acme", "Backend Engineer", "Berlin") != dedup_key("Acme", "Backend Engineer", "Munich")
    assert dedup_key("Acme", "Backend Engineer", "Berlin") == dedup_key("ACME", "backend engineer", "berlin")


@pytest.mark.parametrize(
    ("rows", "kept_id", "cities", "location"),
    [
        # Earliest posted_at is kept; locations are the union, kept row first.
        (
            [
                row("lever:a:2", "2026-11-18T00:00:00Z", "Munich"),
                row("gh:a:9", "2026-11-17T00:00:00Z", "Berlin"),
            ],
            "gh:a:9",
            ["Berlin", "Munich"],
            "Berlin, Germany; Munich, Germany",
        ),
        # A tie on posted_at: the smallest id (string order).
        (
            [
                row("lever:a:2", "2026-11-17T00:00:00Z", "Munich"),
                row("gh:a:9", "2026-11-17T00:00:00Z", "Berlin"),
            ],
            "gh:a:9",
            ["Berlin", "Munich"],
            "Berlin, Germany; Munich, Germany",
        ),
        # The same role on two boards in the same city: one location, not two.
        (
            [
                row("gh:a:1", "2026-11-17T00:00:00Z", "Berlin"),
                row("lever:a:1", "2026-11-16T00:00:00Z", "Berlin"),
            ],
            "lever:a:1",
            ["Berlin"],
            "Berlin, Germany",
        ),
        # A missing date sorts last.
        (
            [row("a:1", None, "Hamburg"), row("b:1", "2026-11-16T00:00:00Z", "Berlin")],
            "b:1",
            ["Berlin", "Hamburg"],
            "Berlin, Germany; Hamburg, Germany",
        ),
    ],
)
def test_merge_rows(rows, kept_id, cities, location):
    merged = merge_rows(rows)
    assert merged["id"] == kept_id
    assert [entry["city"] for entry in merged["locations"]] == cities
    assert merged["location"] == location


def test_merge_rows_does_not_modify_its_input():
    rows = [row("b:1", "2026-11-17T00:00:00Z", "Berlin"), row("a:1", "2026-11-18T00:00:00Z", "Munich")]
    merge_rows(rows)
    assert rows[0]["location"] == "Berlin, Germany"
    assert len(rows[0]["locations"]) == 1


def test_merge_rows_needs_a_row():
    with pytest.raises(ValueError, match="at least one row"):
        merge_rows([])


def test_collapse_roles_one_row_per_role():
    rows = [
        row("gh:a:1", "2026-11-17T00:00:00Z", "Berlin", title="Backend-Entwickler (m/w/d)"),
        row("gh:a:2", "2026-11-17T00:00:00Z", "Munich", title="Backend-Entwickler (w/m/d)"),
        row("gh:a:3", "2026-11-17T00:00:00Z", "Berlin", title="Frontend-Entwickler (m/w/d)"),
        row("gh:b:1", "2026-11-17T00:00:00Z", "Berlin", title="Backend-Entwickler (m/w/d)", company="Other"),
    ]
    collapsed = collapse_roles(rows)
    assert [r["id"] for r in collapsed] == ["gh:a:1", "gh:a:3", "gh:b:1"]
    assert collapsed[0]["location"] == "Berlin, Germany; Munich, Germany"


TEXT = st.one_of(st.none(), st.text())


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT, TEXT)
def test_keys_never_raise(company, title, location):
    assert isinstance(dedup_key(company, title, location), str)
    assert isinstance(role_key(company, title), str)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "id": st.text(),
                "posted_at": st.one_of(st.none(), st.text()),
                "location": st.one_of(st.none(), st.text()),
            },
            optional={"locations": st.lists(st.dictionaries(st.text(), st.text()), max_size=3)},
        ),
        min_size=1,
        max_size=5,
    )
)
def test_merge_rows_never_raises_on_rows(rows):
    merged = merge_rows(rows)
    assert merged["id"] in {r["id"] for r in rows}
