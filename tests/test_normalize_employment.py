import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.normalize.employment import parse_employment_type


@pytest.mark.parametrize(
    ("value", "title", "expected"),
    [
        ("Full-time", "", "full-time"),
        ("Regular", "", "full-time"),
        ("permanent", "", "full-time"),
        ("full", "", "full-time"),  # Workable
        ("FullTime", "", "full-time"),  # Ashby
        ("fulltime_permanent", "", "full-time"),  # Recruitee
        ("SALARIED_FT", "", "full-time"),  # Rippling
        ("full-or-part-time", "", "full-time"),  # Personio schedule
        ("Vollzeit, unbefristet", "", "full-time"),
        ("part", "", "part-time"),
        ("Part-time", "", "part-time"),
        ("parttime_permanent", "", "part-time"),
        ("HOURLY_PT", "", "part-time"),
        ("Teilzeit", "", "part-time"),
        ("Contract", "", "contract"),
        ("contractor", "", "contract"),
        ("Freelance", "", "contract"),
        ("Intern", "", "internship"),
        ("internship", "", "internship"),
        ("Werkstudent", "", "internship"),
        ("Praktikum", "", "internship"),
        ("Temporary", "", "temporary"),
        ("temp", "", "temporary"),
        ("Fixed term", "", "temporary"),
        ("fixed_term", "", "temporary"),
        ("befristet", "", "temporary"),
        ("Full-time internship", "", "internship"),
        # From the title when the ATS says nothing.
        (None, "Backend Developer (Contract)", "contract"),
        ("", "(1099 Contract) Salesforce Consultant", "contract"),
        (None, "Freelance Go Developer", "contract"),
        (None, "Backend Engineering Intern", "internship"),
        (None, "Werkstudent Backend-Entwicklung (m/w/d)", "internship"),
        (None, "Praktikant Softwareentwicklung", "internship"),
        (None, "Stage - Développeur Back-End", "internship"),
        (None, "Becario Desarrollo Backend", "internship"),
        (None, "Part-time Backend Developer", "part-time"),
        (None, "Backend-Entwickler (Teilzeit)", "part-time"),
        (None, "Backend Engineer, Early Stage Startup", None),
        (None, "Internal Tools Engineer", None),
        (None, "Backend Developer", None),
        ("unknown value", "Backend Developer", None),
        (None, "", None),
    ],
)
def test_parse_employment_type(value, title, expected):
    assert parse_employment_type(value, title) == expected


@settings(deadline=None)
@given(st.one_of(st.none(), st.text()), st.text())
def test_random_text_never_raises(value, title):
    assert parse_employment_type(value, title) in {
        None,
        "full-time",
        "part-time",
        "contract",
        "internship",
        "temporary",
    }
