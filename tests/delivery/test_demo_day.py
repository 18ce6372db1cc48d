"""The demo's planned and published days hold the rules of the delivery day (the tests' own checker)."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.admin.demo import seed_demo
from marketplace.admin.demo_orders import get_last_closed_day
from marketplace.delivery.day_plan import get_day_plan
from marketplace.delivery.models import ProducerDropoff
from marketplace.regions.models import SubRegion
from tests.conftest import NOW
from tests.delivery.day_checker import check_day


def test_the_demo_days_have_one_trip_at_a_time_and_goods_at_the_hub_first(demo):
    db = demo
    seed_demo(now=NOW, password_hash_method="pbkdf2:sha256:1000", activity=True, plan_seconds=0.1)
    db.session.commit()
    sub_regions = db.session.scalars(select(SubRegion).order_by(SubRegion.id)).all()
    assert all(s.schedule.dropoff_by is not None for s in sub_regions)
    assert db.session.scalars(select(ProducerDropoff)).first() is not None
    for sub in sub_regions:
        closed = get_last_closed_day(sub, NOW)
        plan = get_day_plan(closed.date, [sub])
        (entry,) = plan["sub_regions"]
        assert entry["tours"], sub.name
        assert check_day(plan, [sub]) == [], sub.name
    eifel = next(s for s in sub_regions if s.name == "Eifel")
    (entry,) = get_day_plan(get_last_closed_day(eifel, NOW).date, [eifel])["sub_regions"]
    assert entry["dropoff_producers"]  # the Mayen bakery brings its bread to the Mayen hub
    kinds = [trip["kind"] for tour in entry["tours"] for trip in tour["trips"]]
    assert "collection" in kinds and "distribution" in kinds
