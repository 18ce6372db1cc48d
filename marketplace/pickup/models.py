"""PickupPlace (ParcelStation or SalesPoint), Compartment and OpeningHours."""
from __future__ import annotations

import enum
from datetime import time

from sqlalchemy import CheckConstraint, ForeignKey, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.catalog.models import Temperature
from marketplace.core.types import str_enum
from marketplace.extensions import db
from marketplace.regions.models import Place, SubRegion


class PickupKind(enum.StrEnum):
    STATION = "station"
    SALES_POINT = "sales_point"


class CompartmentSize(enum.StrEnum):
    S = "S"
    M = "M"
    L = "L"


class CompartmentState(enum.StrEnum):
    FREE = "free"
    RESERVED = "reserved"
    OCCUPIED = "occupied"
    OUT_OF_SERVICE = "out_of_service"


class PickupPlace(db.Model):
    """Where residents collect orders; serves the sub-region its place lies in."""

    __tablename__ = "pickup_places"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PickupKind] = mapped_column(str_enum(PickupKind, "pickup_kind", 20))
    name: Mapped[str] = mapped_column(String(200))
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), index=True)
    sub_region_id: Mapped[int] = mapped_column(
        ForeignKey("sub_regions.id", ondelete="RESTRICT"), index=True
    )
    street: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float]
    lon: Mapped[float]
    is_approved: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Sales points only: a chilled shelf keeps chilled goods cold until handover, a freezer
    # frozen goods (pickup.cold_chain.temperatures_kept).
    has_chilled_shelf: Mapped[bool] = mapped_column(default=False)
    has_freezer: Mapped[bool] = mapped_column(default=False)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))

    place: Mapped[Place] = relationship()
    sub_region: Mapped[SubRegion] = relationship()
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="pickup_place", cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
    )

    __mapper_args__ = {"polymorphic_on": "kind"}
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.name}>"


class ParcelStation(PickupPlace):
    __mapper_args__ = {"polymorphic_identity": PickupKind.STATION}

    compartments: Mapped[list[Compartment]] = relationship(
        back_populates="station", cascade="all, delete-orphan", order_by="Compartment.label"
    )
    # The compartments that can take goods: every one not out of service. The one definition of
    # "working", loaded with the checkout's context (orders.checkout.context).
    working_compartments: Mapped[list[Compartment]] = relationship(
        primaryjoin=lambda: (Compartment.station_id == ParcelStation.id)
        & (Compartment.state != CompartmentState.OUT_OF_SERVICE),
        order_by=lambda: Compartment.label, viewonly=True,
    )

    @property
    def keeps_cold(self) -> bool:
        return any(c.temperature != Temperature.AMBIENT for c in self.working_compartments)


class SalesPoint(PickupPlace):
    __mapper_args__ = {"polymorphic_identity": PickupKind.SALES_POINT}

    @property
    def keeps_cold(self) -> bool:
        return self.has_chilled_shelf or self.has_freezer


class Compartment(db.Model):
    __tablename__ = "compartments"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(
        ForeignKey("pickup_places.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(10))
    size: Mapped[CompartmentSize] = mapped_column(str_enum(CompartmentSize, "compartment_size", 2))
    temperature: Mapped[Temperature] = mapped_column(
        str_enum(Temperature, "temperature", 10), default=Temperature.AMBIENT
    )
    state: Mapped[CompartmentState] = mapped_column(
        str_enum(CompartmentState, "compartment_state", 20), default=CompartmentState.FREE
    )

    station: Mapped[ParcelStation] = relationship(back_populates="compartments")

    __table_args__ = (UniqueConstraint("station_id", "label"),)


class OpeningHours(db.Model):
    """One opening interval of a pickup place on an ISO weekday (1 = Monday)."""

    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    pickup_place_id: Mapped[int] = mapped_column(
        ForeignKey("pickup_places.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    pickup_place: Mapped[PickupPlace] = relationship(back_populates="opening_hours")

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )
