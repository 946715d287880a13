"""Bundled data files (skills, profiles, currencies, companies).

Read through importlib.resources so they work from a checkout, a wheel or a Scrapyd egg alike.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


def read_text(name: str) -> str:
    """Text of a bundled data file, e.g. ``read_text("skills.yml")``."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def load_yaml(name: str) -> Any:
    """Parsed YAML of a bundled data file (cached: data files do not change while we run)."""
    return yaml.safe_load(read_text(name))
