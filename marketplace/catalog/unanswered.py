"""Catalogue searches that found no product: recorded as demand not served, without the person.

What is kept is the term (normalised: spaces collapsed, lower case), the sub-region it was asked
from and when; no user, no address, no IP. The coordinator's dashboard counts them per week
(`reports/dashboard.py`); a daily job forgets them after `RETENTION`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from marketplace.catalog.models import UnansweredSearch
from marketplace.extensions import db
from marketplace.regions.models import Municipality, Place

RETENTION = timedelta(days=180)
MAX_TERM = 100


def normalise_search_term(text: str | None) -> str:
    """"  Bio  Äpfel " and "bio äpfel" are one term."""
    return " ".join((text or "").split()).lower()[:MAX_TERM]


def get_sub_region_of_place(place_id: int | None) -> int | None:
    if place_id is None:
        return None
    return db.session.scalar(
        select(Municipality.sub_region_id).join(Place, Place.municipality_id == Municipality.id)
        .where(Place.id == place_id)
    )


def record_unanswered_search(*, text: str | None, sub_region_id: int | None, now: datetime) -> bool:
    """Record that a search for `text` found nothing; False (nothing recorded) for an empty term.
    One INSERT; the caller commits."""
    term = normalise_search_term(text)
    if not term:
        return False
    db.session.add(UnansweredSearch(term=term, sub_region_id=sub_region_id, searched_at=now))
    db.session.flush()
    return True


def forget_unanswered_searches(*, now: datetime, keep: timedelta = RETENTION) -> int:
    """Delete the searches older than `keep`; returns how many."""
    result = db.session.execute(delete(UnansweredSearch).where(UnansweredSearch.searched_at < now - keep))
    return result.rowcount or 0
