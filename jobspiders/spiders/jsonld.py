"""schema.org ``JobPosting`` blocks (JSON-LD) of job pages: the generic fallback where an ATS's only public
surface is HTML, or where its API lacks a field (dates, descriptions, locations)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from parsel import Selector

from jobspiders.items import RawPosting
from jobspiders.jsonio import loads_payload


def _walk(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, list):
        for child in node:
            yield from _walk(child)
    elif isinstance(node, Mapping):
        kind = node.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "JobPosting" in kinds:
            yield node
        yield from _walk(node.get("@graph"))


def job_postings(page: str | Selector) -> list[Mapping[str, Any]]:
    """Every JobPosting object in the page's ``application/ld+json`` scripts (broken blocks are skipped)."""
    selector = Selector(text=page) if isinstance(page, str) else page
    postings: list[Mapping[str, Any]] = []
    for block in selector.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            postings.extend(_walk(loads_payload(block, strict=False)))
        except ValueError:
            continue
    return postings


def _place(location: Any) -> str | None:
    address = location.get("address") if isinstance(location, Mapping) else None
    if isinstance(address, str):
        return address
    if not isinstance(address, Mapping):
        return None
    country = address.get("addressCountry")
    if isinstance(country, Mapping):
        country = country.get("name")
    if not address.get("addressLocality") and address.get("streetAddress"):
        # Some ATS (Jobylon) leave the locality empty and write "City, Country" as the street address.
        return str(address["streetAddress"])
    parts = (address.get("addressLocality"), address.get("addressRegion"), country)
    return ", ".join(str(part) for part in parts if part) or None


def raw_posting(posting: Mapping[str, Any]) -> RawPosting:
    """The RawPosting of one JobPosting: its own values, uncleaned, as every ATS module passes them."""
    locations = posting.get("jobLocation")
    places = [p for p in map(_place, locations if isinstance(locations, list) else [locations]) if p]
    remote = "remote" if str(posting.get("jobLocationType", "")).upper() == "TELECOMMUTE" else None
    employment = posting.get("employmentType")
    hiring = posting.get("hiringOrganization")
    return RawPosting(
        company=hiring.get("name") if isinstance(hiring, Mapping) else None,
        location=places or None,
        description=posting.get("description"),
        posted_at=posting.get("datePosted"),
        salary=posting.get("baseSalary"),
        remote=remote,
        employment_type=", ".join(employment) if isinstance(employment, list) else employment,
    )
