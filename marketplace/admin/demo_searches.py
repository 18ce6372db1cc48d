"""The demo coordinator's dashboard shows searches without result: residents of the Eifel looked
for what no producer offers yet, over the two weeks before `now`. Idempotent: added once, while
the Eifel has none recorded."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from marketplace.catalog.models import UnansweredSearch
from marketplace.catalog.unanswered import record_unanswered_search
from marketplace.extensions import db
from marketplace.regions.models import SubRegion

# Terms no demo product's name contains, and how often each was searched in each of the two weeks.
SEARCHES = {"hafermilch": (3, 4), "glutenfreies brot": (1, 3), "buchweizenmehl": (2, 0)}


def seed_unanswered_searches(now: datetime) -> int:
    """The Eifel's searches without result; how many were added (0 when it has some already)."""
    eifel = db.session.scalars(select(SubRegion).where(SubRegion.slug == "eifel")).first()
    if eifel is None or db.session.scalars(
            select(UnansweredSearch.id).where(UnansweredSearch.sub_region_id == eifel.id).limit(1)).first():
        return 0
    added = 0
    for term, per_week in SEARCHES.items():
        for weeks_ago, times in zip((1, 0), per_week, strict=True):
            for n in range(times):
                at = now - timedelta(days=7 * weeks_ago + n, hours=2)
                added += record_unanswered_search(text=term, sub_region_id=eifel.id, now=at)
    return added
