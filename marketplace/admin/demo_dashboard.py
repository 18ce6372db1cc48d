"""The demo coordinator's dashboard has work: a new parcel station in Kehrig (Eifel), run by the
demo operator, waits for approval. Idempotent: created once; once decided, left as decided."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import grant_role
from marketplace.catalog.models import Temperature
from marketplace.extensions import db
from marketplace.pickup.models import Compartment, CompartmentSize, ParcelStation, PickupPlace
from marketplace.regions.models import Place

WAITING_STATION = "Paketstation Kehrig Vereinsheim"
OPERATOR_EMAIL = "operator@example.org"


def seed_waiting_station() -> int:
    """The waiting station; 1 when it was created now, else 0."""
    if db.session.scalars(select(PickupPlace.id).where(PickupPlace.name == WAITING_STATION)).first():
        return 0
    village = db.session.scalars(select(Place).where(Place.name == "Kehrig")).first()
    operator = db.session.scalars(select(User).where(User.email == OPERATOR_EMAIL)).first()
    if village is None or operator is None:
        return 0
    station = ParcelStation(
        name=WAITING_STATION, place=village, sub_region=village.municipality.sub_region,
        street="Am Sportplatz 3", lat=village.lat + 0.004, lon=village.lon + 0.003, is_approved=False,
    )
    for number, (size, temperature) in enumerate(
        [("M", "ambient")] * 8 + [("S", "ambient")] * 2 + [("M", "chilled")] * 2, start=1,
    ):
        station.compartments.append(Compartment(
            label=f"{number:02d}", size=CompartmentSize(size), temperature=Temperature(temperature),
        ))
    db.session.add(station)
    db.session.flush()
    grant_role(operator, Role.OPERATOR, station.id)
    return 1
