"""schema.org JSON-LD for announcement pages. Pure functions over plain values."""

from __future__ import annotations

from datetime import date
from typing import Any

from .model import Announcement, Preview


def organization(city: dict[str, Any], siteurl: str) -> dict[str, Any]:
    """The City as a schema.org GovernmentOrganization."""
    address = city.get("address", {})
    data: dict[str, Any] = {
        "@type": "GovernmentOrganization",
        "@id": f"{siteurl}/#organization",
        "name": city["name"],
        "url": siteurl + "/",
    }
    if address:
        data["address"] = {"@type": "PostalAddress", **address}
    if city.get("telephone"):
        data["telephone"] = city["telephone"]
    return data


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def announcement_json_ld(
    item: Announcement,
    preview: Preview,
    url: str,
    image_url: str | None,
    publisher: dict[str, Any],
) -> dict[str, Any]:
    """An Article (and an Event for events), published by the City, described as the page
    presents itself where it is shared (`preview`: withdrawn or expired, it says so; a
    withdrawn one has no image, so `image_url`, the preview's image, is None for it).

    The City is described once in the graph and referred to by its `@id`.
    """
    by_city = {"@id": publisher["@id"]}
    article: dict[str, Any] = {
        "@type": "Article",
        "@id": url,
        "headline": preview.headline[:110],
        "description": preview.description,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": _iso(item.date),
        "dateModified": _iso(item.updated),
        "articleSection": item.category_label,
        "publisher": by_city,
        "author": by_city,
        "inLanguage": "en-CA",
    }
    if image_url:
        article["image"] = image_url
    if item.tags:
        article["keywords"] = ", ".join(item.tags)
    graph = [publisher, article]
    if item.is_event:
        event: dict[str, Any] = {
            "@type": "Event",
            "@id": url + "#event",
            "name": item.title,  # its status says it was cancelled
            "description": preview.description,
            "url": url,
            "startDate": _iso(item.first_day or item.event_start),
            "endDate": _iso(item.last_day or item.event_end),  # a Date: the last day
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "location": {"@type": "Place", "name": item.location, "address": item.location},
        }
        if item.is_run_by_city:  # a regional event's organizer is not known: leave it out
            event["organizer"] = by_city
        if item.withdrawn:
            event["eventStatus"] = "https://schema.org/EventCancelled"
        if image_url:
            event["image"] = image_url
        graph.append(event)
    return {"@context": "https://schema.org", "@graph": graph}
