import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.normalize.profiles import load_profiles, match_profiles

BACKEND = [
    "Backend Developer",
    "Senior Back-End Engineer",
    "Back End Engineer",
    "Server-side Developer",
    "API Developer",
    "Backend-Entwickler (m/w/d)",
    "Senior Backendentwickler:in",
    "Desarrollador Backend",
    "Desenvolvedor Back-end Pleno",
    "Développeur Back-End",
    "Sviluppatore Backend",
    "Programista Backend",
    "Backend Ontwikkelaar",
    "Backend-utvecklare",
    "Java Developer",
    "Golang Engineer",
    "Senior Go Engineer",
    "Python Backend",
    "Node.js Developer",
    "Software Engineer, Backend",
    "Staff Software Engineer (Go)",
    "Desarrollador Java Senior",
    "Programista PHP",
    "Ruby on Rails Developer",
    ".NET Developer",
    "C#/.NET Engineer",
    "Full Stack Engineer (Backend focus)",
    "Backend Engineer, Data Platform",
    "Senior Backend Engineer &amp; SRE",
]
NOT_BACKEND = [
    "Backend Recruiter",
    "Back Office Assistant",
    "Frontend Engineer",
    "Full Stack Developer",
    "Full Stack Java Developer",
    "Data Engineer",
    "Python Data Engineer",
    "Machine Learning Engineer",
    "Android Developer",
    "iOS Engineer",
    "Backend QA Engineer",
    "JavaScript Developer",
    "Product Manager, Backend",
    "DevOps Engineer",
    "Account Executive",
    "Let's go Engineer",
    "Customer Data Scientist - Experimentation",
]


@pytest.mark.parametrize("title", BACKEND)
def test_backend_titles(title):
    assert "backend" in match_profiles(title)


@pytest.mark.parametrize("title", NOT_BACKEND)
def test_not_backend_titles(title):
    assert "backend" not in match_profiles(title)


def test_backend_profile_texts():
    profile = load_profiles()["backend"]
    assert profile.name == "backend"
    assert profile.heading(2026) == "Backend developer Jobs 2026"
    assert profile.intro
    assert profile.include
    assert profile.exclude
    assert next(iter(load_profiles())) == "backend"  # file order


@settings(deadline=None)
@given(st.text())
def test_random_text_never_raises(title):
    assert set(match_profiles(title)) <= set(load_profiles())
