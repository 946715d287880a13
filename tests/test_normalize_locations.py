import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.normalize.locations import parse_locations


def loc(city=None, region=None, country=None):
    return {"city": city, "region": region, "country": country}


@pytest.mark.parametrize(
    ("value", "hint", "display", "structured"),
    [
        ("Berlin, Berlin, Germany", None, "Berlin, Germany", [loc("Berlin", None, "DE")]),
        # Native names in other scripts, and ATS country-region-city codes.
        ("תל אביב", None, "תל אביב", [loc("תל אביב", None, "IL")]),
        ("Москва", None, "Москва", [loc("Москва", None, "RU")]),
        ("København, Danmark", None, "København, Danmark", [loc("København", None, "DK")]),
        ("IN-AP-Hyderabad", None, "IN-AP-Hyderabad", [loc("Hyderabad", "AP", "IN")]),
        ("US-CA-San Francisco", None, "US-CA-San Francisco", [loc("San Francisco", "CA", "US")]),
        ("Reus, CT, Spain", None, "Reus, CT, Spain", [loc("Reus", "CT", "ES")]),
        ("Remote - LATAM", None, "Remote - LATAM", [loc(None, "LATAM", None)]),  # data/locations.yml
        (
            "Lisboa, Braga, Coimbra, Lisboa, Braga, Coimbra",
            None,
            "Lisboa, Braga, Coimbra",
            [loc("Lisboa", None, "PT"), loc("Braga", None, "PT"), loc("Coimbra", None, "PT")],
        ),
        (
            "New York City, NY; San Francisco, CA",
            None,
            "New York City, NY; San Francisco, CA",
            [loc("New York City", "NY", "US"), loc("San Francisco", "CA", "US")],
        ),
        ("London, UK", None, "London, UK", [loc("London", None, "GB")]),
        ("Bangalore, India", None, "Bangalore, India", [loc("Bangalore", None, "IN")]),
        ("München, Deutschland", None, "München, Deutschland", [loc("München", None, "DE")]),
        ("Madrid, España", None, "Madrid, España", [loc("Madrid", None, "ES")]),
        ("Kraków, Polska", None, "Kraków, Polska", [loc("Kraków", None, "PL")]),
        ("Austin, TX, USA", None, "Austin, TX, USA", [loc("Austin", "TX", "US")]),
        ("Menlo Park, CA", None, "Menlo Park, CA", [loc("Menlo Park", "CA", "US")]),
        ("Berlin, DE", None, "Berlin, DE", [loc("Berlin", None, "DE")]),  # DE is also Delaware
        ("Washington, D.C.", None, "Washington, D.C.", [loc("Washington", "DC", "US")]),
        ("Toronto, ON", None, "Toronto, ON", [loc("Toronto", "ON", "CA")]),
        ("Wien", None, "Wien", [loc("Wien", None, "AT")]),
        ("Remote (New Jersey, US)", None, "Remote (New Jersey, US)", [loc(None, "NJ", "US")]),
        ("Hybrid (Bengaluru, KA, IN)", None, "Hybrid (Bengaluru, KA, IN)", [loc("Bengaluru", "KA", "IN")]),
        ("Kraków, Poland (Hybrid)", None, "Kraków, Poland (Hybrid)", [loc("Kraków", None, "PL")]),
        ("Remote", None, "Remote", []),
        ("Anywhere", None, "Anywhere", []),
        ("Remote - EU", None, "Remote - EU", [loc(None, "EU", None)]),
        ("Remote - Germany", None, "Remote - Germany", [loc(None, None, "DE")]),
        ("3 Locations", None, "3 Locations", []),  # Workday rollup
        ("Paris or Lyon", None, "Paris; Lyon", [loc("Paris", None, "FR"), loc("Lyon", None, "FR")]),
        ("Berlin / Remote", None, "Berlin; Remote", [loc("Berlin", None, "DE")]),
        (
            "Amsterdam | Rotterdam",
            None,
            "Amsterdam; Rotterdam",
            [loc("Amsterdam", None, "NL"), loc("Rotterdam", None, "NL")],
        ),
        ("  São&nbsp;Paulo  ", "BR", "São Paulo", [loc("São Paulo", None, "BR")]),
        ("Riga", "lv", "Riga", [loc("Riga", None, "LV")]),
        ("Remote", "de", "Remote", [loc(None, None, "DE")]),
        (
            ["São Paulo", "Remote - LATAM", "São Paulo"],
            "BR",
            "São Paulo; Remote - LATAM",
            [loc("São Paulo", None, "BR"), loc(None, "LATAM", None)],
        ),
        ("Berlin;berlin; BERLIN", None, "Berlin", [loc("Berlin", None, "DE")]),
        ("", None, "", []),
        (None, None, "", []),
        (None, "us", "", [loc(None, None, "US")]),
        ([1, None, "Oslo, Norway"], None, "Oslo, Norway", [loc("Oslo", None, "NO")]),
    ],
)
def test_parse_locations(value, hint, display, structured):
    assert parse_locations(value, country_hint=hint) == (display, structured)


@settings(deadline=None, max_examples=200)
@given(
    st.one_of(st.none(), st.text(), st.lists(st.text(max_size=30), max_size=4)),
    st.one_of(st.none(), st.text(max_size=4)),
)
def test_random_text_never_raises(value, hint):
    display, structured = parse_locations(value, hint)
    assert isinstance(display, str)
    for entry in structured:
        assert set(entry) == {"city", "region", "country"}
        assert entry["country"] is None or (len(entry["country"]) == 2 and entry["country"].isupper())
