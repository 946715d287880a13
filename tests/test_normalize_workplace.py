import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.normalize.workplace import WorkplaceType, parse_workplace

REMOTE, HYBRID, ONSITE = WorkplaceType.REMOTE, WorkplaceType.HYBRID, WorkplaceType.ONSITE


@pytest.mark.parametrize(
    ("flag", "title", "location", "expected"),
    [
        # The ATS flag decides when it has a signal.
        ("remote", "", "", REMOTE),
        ("Remote", "Backend Engineer", "Berlin", REMOTE),
        ("hybrid", "", "", HYBRID),
        ("on-site", "Remote Backend Developer", "", ONSITE),
        ("onsite", "", "Remote", ONSITE),
        ("on_site", "", "", ONSITE),
        ("fully", "", "", REMOTE),  # Teamtailor remoteStatus
        ("none", "", "", ONSITE),
        (True, "", "Berlin", REMOTE),
        # No signal from the flag: read the title and location.
        (False, "Backend Developer", "Remote", REMOTE),
        ("unspecified", "Backend Engineer (Remote - LATAM)", "", REMOTE),
        (None, "Desarrollador Backend - Remoto", "", REMOTE),
        (None, "Desenvolvedor Back-end", "Remota", REMOTE),
        (None, "Développeur Back-End (Télétravail)", "", REMOTE),
        (None, "Desarrollador (teletrabajo)", "", REMOTE),
        (None, "Backend-Entwickler (Homeoffice)", "", REMOTE),
        (None, "Backend Entwickler", "Home Office", REMOTE),
        (None, "Programista Backend (praca zdalna)", "", REMOTE),
        (None, "100% Remote Go Developer", "", REMOTE),
        (None, "Backend Engineer - Work From Home", "", REMOTE),
        (None, "WFH Backend Developer", "", REMOTE),
        (None, "Backend Engineer", "Remote (United States)", REMOTE),
        (None, "Backend Developer", "Berlin (Hybrid)", HYBRID),
        (None, "Backend Developer (Remote/Hybrid)", "", HYBRID),  # hybrid beats remote
        (None, "Desarrollador Backend Híbrido", "", HYBRID),
        (None, "Développeur Back-End", "Paris - Hybride", HYBRID),
        (None, "Sviluppatore Backend ibrido", "Milano", HYBRID),
        (None, "Programista Backend (praca hybrydowa)", "", HYBRID),
        (None, "Backend Developer", "Hybrid (New York, New York, US)", HYBRID),
        (None, "Backend Developer (Telework)", "", HYBRID),
        ("temporary", "Backend Developer", "", REMOTE),  # Teamtailor: remote for now
        ("partially", "Backend Developer", "", HYBRID),  # Teamtailor
        ("Presencial", "Backend Developer (Remoto)", "", ONSITE),
        (None, "Backend Engineer (3 days in office)", "London", HYBRID),
        (None, "Backend Developer", "Télétravail partiel - Nantes", HYBRID),
        (None, "Backend Developer", "Etätyö, Helsinki", REMOTE),
        (None, "Backend Developer", "Anywhere", REMOTE),
        (None, "Hybrid Cloud Backend Engineer", "Bangalore", ONSITE),
        # Not workplace signals.
        ("unspecified", "Hybrid App Developer", "Berlin", ONSITE),
        (None, "Hybrid Cloud Engineer", "", ONSITE),
        (None, "Remote Sensing Engineer", "Toulouse", ONSITE),
        (None, "Backend Developer (no remote)", "", ONSITE),
        (None, "Backend Developer", "Munich - remote not possible", ONSITE),
        (None, "Backend-Entwickler (kein Homeoffice)", "", ONSITE),
        (None, "Non-remote Backend role", "", ONSITE),
        (None, "Backend Developer", "Berlin", ONSITE),
        (None, "", "", ONSITE),
    ],
)
def test_parse_workplace(flag, title, location, expected):
    assert parse_workplace(flag, title, location) is expected


def test_values_are_the_jobs_json_strings():
    assert [w.value for w in WorkplaceType] == ["remote", "hybrid", "onsite"]
    assert parse_workplace(None, "Remote Backend Developer") == "remote"


@settings(deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.text()), st.text(), st.text())
def test_random_text_never_raises(flag, title, location):
    assert parse_workplace(flag, title, location) in set(WorkplaceType)
