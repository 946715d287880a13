"""Packaging for Scrapyd eggs (``scrapyd-deploy``) and wheels: the code plus everything it reads at run time.

The design card keeps the templates in the checkout's top-level ``templates/``; they are packaged as
``jobspiders/templates`` (``package_dir``), where `jobspiders.publish.make_environment` finds them with
importlib.resources when no checkout is around. Data files (registry, taxonomy, profiles, currencies,
schema) are package data of ``jobspiders.data``. Dependencies stay in requirements.txt (pinned).
"""

from setuptools import find_packages, setup

setup(
    name="jobspiders",
    version="0.1.0",
    description="Curated software job lists read from companies' applicant tracking systems",
    python_requires=">=3.11",
    packages=[*find_packages(include=["jobspiders", "jobspiders.*"]), "jobspiders.templates"],
    package_dir={"jobspiders.templates": "templates"},
    package_data={
        # Everything in these folders, sub-folders included: new data files or template assets
        # (templates/web/…) need no change here.
        "jobspiders.data": ["**/*"],
        "jobspiders.templates": ["**/*"],
    },
    entry_points={"scrapy": ["settings = jobspiders.settings"]},
    zip_safe=True,
)
