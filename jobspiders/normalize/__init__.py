"""Pure normalizers: no Scrapy imports; the pipelines and `scrapy normalize` call them.

``normalize_posting(raw, now)`` turns one RawPosting-shaped mapping into the normalized JobItem
fields; the single-field functions below are what it is made of, and what the skills and profile
pipelines call (``tag_skills``, ``match_profiles``).
"""

from jobspiders.normalize.dates import parse_date, to_iso
from jobspiders.normalize.employment import parse_employment_type
from jobspiders.normalize.locations import parse_locations
from jobspiders.normalize.posting import normalize_posting
from jobspiders.normalize.profiles import Profile, load_profiles, match_profiles
from jobspiders.normalize.salary import parse_salary
from jobspiders.normalize.seniority import parse_seniority
from jobspiders.normalize.skills import SkillTagger, tag_skills
from jobspiders.normalize.text import clean_text, html_to_text
from jobspiders.normalize.workplace import WorkplaceType, parse_workplace

__all__ = [
    "Profile",
    "SkillTagger",
    "WorkplaceType",
    "clean_text",
    "html_to_text",
    "load_profiles",
    "match_profiles",
    "normalize_posting",
    "parse_date",
    "parse_employment_type",
    "parse_locations",
    "parse_salary",
    "parse_seniority",
    "parse_workplace",
    "tag_skills",
    "to_iso",
]
