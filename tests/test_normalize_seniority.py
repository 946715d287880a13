import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.normalize.seniority import LEVELS, parse_seniority


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Backend Engineering Intern", "intern"),
        ("Praktikant Backend-Entwicklung", "intern"),
        ("Trainee Java Developer", "intern"),
        ("Estagiário Desenvolvedor Back-end", "intern"),
        ("Junior Backend Developer", "junior"),
        ("Jr. Python Developer", "junior"),
        ("Desenvolvedor Júnior", "junior"),
        ("Entry-Level Software Engineer", "junior"),
        ("Graduate Backend Engineer", "junior"),
        ("Mid-level Go Developer", "mid"),
        ("Intermediate Backend Developer", "mid"),
        ("Software Engineer II", "mid"),
        ("Desenvolvedor Back-end Pleno", "mid"),
        ("Desarrollador Backend Semi Senior", "mid"),
        ("Regular Java Developer", "mid"),
        ("Senior Backend Engineer", "senior"),
        ("Sr. Backend Engineer", "senior"),
        ("Desenvolvedor Sênior", "senior"),
        ("SENIOR BACKEND DEVELOPER", "senior"),
        ("Staff Software Engineer, Backend", "senior"),
        ("Software Engineer III", "senior"),
        ("Mid/Senior Backend Developer", "senior"),
        ("Tech Lead Backend", "lead"),
        ("Team Lead - Platform", "lead"),
        ("Head of Backend Engineering", "lead"),
        ("Senior/Lead Backend Engineer", "lead"),
        ("Principal Engineer", "principal"),
        ("Distinguished Engineer", "principal"),
        ("Software Architect", "principal"),
        ("Senior Software Architect", "senior"),
        ("Seniority Analyst", None),
        ("Lead Generation Specialist", None),
        ("Backend Developer", None),
        ("Staffing Coordinator", None),
        ("Wii Developer", None),
        ("", None),
    ],
)
def test_parse_seniority(title, expected):
    assert parse_seniority(title) == expected


@settings(deadline=None)
@given(st.text())
def test_random_text_never_raises(title):
    assert parse_seniority(title) in {None, *LEVELS}
