"""A world with sales-point staff in two sub-regions, and residents in each."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.extensions import db as _db
from marketplace.orders.assisted.models import AssistedAction, ResidentConsent
from marketplace.orders.models import Order
from tests import factories as f
from tests.api.conftest import Clock
from tests.conftest import NOW
from tests.orders.helpers import World, make_world

# A postcode the offline table does not know: the address is then placed by its village's name.
UNKNOWN_PLZ = "99999"


@dataclass
class Hub:
    world: World
    staff: User               # at world.sales_point
    other_staff: User         # at a sales point of world.other_sub_region
    other_resident: User      # at home in world.other_sub_region
    home_name: str            # a village of the staff's sub-region
    other_home_name: str      # a village of the other sub-region


@pytest.fixture
def hub(db, app, monkeypatch) -> Hub:
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", Clock(NOW))
    world = make_world()
    other_municipality = world.other_station.place.municipality
    other_home = f.make_place(other_municipality)
    other_point = f.make_sales_point(f.make_place(other_municipality))
    hub = Hub(
        world=world,
        staff=f.make_user(role=Role.SALES_POINT_STAFF, scope_id=world.sales_point.id, name="Renate Klein"),
        other_staff=f.make_user(role=Role.SALES_POINT_STAFF, scope_id=other_point.id),
        other_resident=f.make_user(home=other_home, name="Otto Anders"),
        home_name=world.resident.home_place.name, other_home_name=other_home.name,
    )
    db.session.commit()
    return hub


def counts() -> dict[str, int]:
    _db.session.expire_all()
    return {model.__name__: _db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Order, ResidentConsent, AssistedAction)}


def new_resident_fields(hub: Hub, **changes) -> dict:
    return {"name": "Erna Weber", "phone": "0171 2345678", "street": "Lindenweg 4", "postcode": UNKNOWN_PLZ,
            "town": hub.home_name, "channel": "sms", "given_by": "phone", "text_version": "2026-12", **changes}


def csrf_for(client, url: str) -> str:
    """The CSRF token of `client`'s session. The test's app context keeps `g` across requests,
    and Flask-WTF caches the token in `g`: with a second client, forget the first one's."""
    from flask import g

    from tests.conftest import csrf_token_from

    g.pop("csrf_token", None)
    return csrf_token_from(client, url)
