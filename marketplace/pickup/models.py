"""PickupPlace (ParcelStation or SalesPoint), Compartment and OpeningHours."""
from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.catalog.models import Temperature
from marketplace.core.types import UTCDateTime, str_enum
from marketplace.extensions import db
from marketplace.regions.models import Place, SubRegion


class PickupKind(enum.StrEnum):
    STATION = "station"
    SALES_POINT = "sales_point"


class CompartmentSize(enum.StrEnum):
    S = "S"
    M = "M"
    L = "L"


# Crate units a compartment of each size holds.
CRATE_CAPACITY = {CompartmentSize.S: 1, CompartmentSize.M: 2, CompartmentSize.L: 4}


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
    # When residents can reach it ("täglich 6–22 Uhr") and a photo of where it stands (catalog.photos).
    access_hours: Mapped[str | None] = mapped_column(String(200))
    photo_key: Mapped[str | None] = mapped_column(String(64))
    # Sales points only: crate units it takes per delivery day and temperature class (None: not
    # limited); pickup.reservations.reserve_sales_point_room keeps to them.
    capacity_ambient: Mapped[int | None]
    capacity_chilled: Mapped[int | None]
    capacity_frozen: Mapped[int | None]
    # The coordinator's review: when, and the reason given with a decline (approved: is_approved).
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(String(500))

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

    def capacity_for(self, temperature: Temperature) -> int | None:
        """Crate units it takes per delivery day in a temperature class; None: not limited."""
        return {
            Temperature.AMBIENT: self.capacity_ambient, Temperature.CHILLED: self.capacity_chilled,
            Temperature.FROZEN: self.capacity_frozen,
        }[Temperature(temperature)]

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
    # Why and since when it is out of service (a fault, a door left open, a temperature).
    out_of_service_reason: Mapped[str | None] = mapped_column(String(200))
    out_of_service_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by a door_opened event from the locker, cleared by door_closed.
    door_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    station: Mapped[ParcelStation] = relationship(back_populates="compartments")

    @property
    def capacity_crates(self) -> int:
        return CRATE_CAPACITY[self.size]

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


# Rows whose `closed_at`/`released_at` is NULL are the live ones; the partial unique indexes
# below hold only for those (SQLite and PostgreSQL both have partial indexes).
_OPEN_CODE = text("closed_at IS NULL")
_ACTIVE_RESERVATION = text("released_at IS NULL")


class StationDeviceKey(db.Model):
    """The one valid device key of a station, Fernet-encrypted with a key derived from SECRET_KEY."""

    __tablename__ = "station_device_keys"

    station_id: Mapped[int] = mapped_column(
        ForeignKey("pickup_places.id", ondelete="CASCADE"), primary_key=True
    )
    key_ciphertext: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeviceNonce(db.Model):
    """A nonce a station's signed request used; kept 10 minutes so a replay is refused."""

    __tablename__ = "device_nonces"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("pickup_places.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("station_id", "nonce"),
        Index("ix_device_nonces_station_seen", "station_id", "seen_at"),
    )


class PickupCode(db.Model):
    """One pickup code of an order at its place, stored only as an HMAC of the digits."""

    __tablename__ = "pickup_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    pickup_place_id: Mapped[int] = mapped_column(ForeignKey("pickup_places.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    # The digits Fernet-encrypted with a server key, so the resident can be shown them again;
    # only their order page and their API answer decrypt it (pickup.collection.get_resident_code).
    code_ciphertext: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the code was used, replaced by a newer one of the order, or found expired.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # By name: pickup stands left of orders and does not import it.
    order = relationship("Order")

    __table_args__ = (
        Index("uq_pickup_codes_open_digest", "pickup_place_id", "digest", unique=True,
              sqlite_where=_OPEN_CODE, postgresql_where=_OPEN_CODE),
        CheckConstraint("issued_at < expires_at", name="issued_before_expiry"),
    )


class KeypadState(db.Model):
    """The wrong codes typed at a station's keypad in a row, and whether it is locked."""

    __tablename__ = "keypad_states"

    station_id: Mapped[int] = mapped_column(
        ForeignKey("pickup_places.id", ondelete="CASCADE"), primary_key=True
    )
    misses_in_row: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Locked until the operator releases it (30 wrong codes within 24 hours).
    is_held: Mapped[bool] = mapped_column(default=False)
    held_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("misses_in_row >= 0", name="misses_not_negative"),)


class KeypadMiss(db.Model):
    """One wrong code at a station's keypad; kept 24 hours for the 30-a-day lock."""

    __tablename__ = "keypad_misses"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("pickup_places.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_keypad_misses_station_at", "station_id", "at"),)


class CompartmentReading(db.Model):
    """One temperature reading of a compartment: the cold-chain log."""

    __tablename__ = "compartment_readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    compartment_id: Mapped[int] = mapped_column(ForeignKey("compartments.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    celsius: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    __table_args__ = (Index("ix_compartment_readings_compartment_at", "compartment_id", "at"),)


class HeldForOrder:
    """Room held for an order on a delivery day, in crate units, live until released."""

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    delivery_date: Mapped[date]
    crate_units: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CompartmentReservation(HeldForOrder, db.Model):
    """A compartment held for one order on one delivery day; never two live ones per day."""

    __tablename__ = "compartment_reservations"

    compartment_id: Mapped[int] = mapped_column(ForeignKey("compartments.id", ondelete="CASCADE"))

    compartment: Mapped[Compartment] = relationship()
    order = relationship("Order")  # by name: pickup does not import orders

    __table_args__ = (
        Index("uq_compartment_reservations_live", "compartment_id", "delivery_date", unique=True,
              sqlite_where=_ACTIVE_RESERVATION, postgresql_where=_ACTIVE_RESERVATION),
        CheckConstraint("crate_units > 0", name="crate_units_positive"),
    )


class SalesPointReservation(HeldForOrder, db.Model):
    """Crate units of one temperature class held at a sales point for an order on a delivery day."""

    __tablename__ = "sales_point_reservations"

    pickup_place_id: Mapped[int] = mapped_column(ForeignKey("pickup_places.id", ondelete="CASCADE"))
    temperature: Mapped[Temperature] = mapped_column(str_enum(Temperature, "temperature", 10))

    __table_args__ = (
        Index("ix_sales_point_reservations_place_day", "pickup_place_id", "delivery_date"),
        CheckConstraint("crate_units > 0", name="crate_units_positive"),
    )


class HowIdentified(enum.StrEnum):
    LOCKER_CODE = "locker_code"   # typed at the station's keypad
    CODE = "code"                 # checked by the sales point's staff
    ID_CARD = "id_card"           # code lost: name and address on the resident's ID card


class EmptyOutcome(enum.StrEnum):
    """What was done with goods nobody collected."""

    RETURNED_TO_PRODUCER = "returned_to_producer"
    MOVED_TO_FRIDGE = "moved_to_fridge"
    DONATED = "donated"
    DISCARDED = "discarded"


class PickupStay(db.Model):
    """An order's goods at its pickup place: arrived, received (a sales point's staff confirm),
    to be collected by, and how the stay ended (handed over, or expired and emptied)."""

    __tablename__ = "pickup_stays"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    pickup_place_id: Mapped[int] = mapped_column(ForeignKey("pickup_places.id", ondelete="CASCADE"))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # At a station when the driver filled the compartments; at a sales point when staff confirmed.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A sales point's staff not confirming receipt: when they were reminded, when the
    # sub-region's coordinators were told (pickup/receipts.py).
    receipt_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    collect_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The handover log: when, by whom (None at the locker), how the resident was identified.
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    identified_by: Mapped[HowIdentified | None] = mapped_column(str_enum(HowIdentified, "how_identified", 20))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_cents: Mapped[int | None]
    paid_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Not collected in time (the expiry job) or recorded as not collected by the staff.
    not_collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[EmptyOutcome | None] = mapped_column(str_enum(EmptyOutcome, "empty_outcome", 30))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    order = relationship("Order")  # by name: pickup does not import orders
    pickup_place: Mapped[PickupPlace] = relationship()
    handed_over_by = relationship("User", foreign_keys=[handed_over_by_id])

    __table_args__ = (
        Index("ix_pickup_stays_place_arrived", "pickup_place_id", "arrived_at"),
        Index("ix_pickup_stays_collect_by", "collect_by"),
        CheckConstraint("paid_cents IS NULL OR paid_cents >= 0", name="paid_not_negative"),
    )
