"""Region → SubRegion → Municipality → Place, and each sub-region's delivery schedule."""
from __future__ import annotations

from datetime import time

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, Time, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    platform_fee_permille: Mapped[int] = mapped_column(default=100)
    # Hours goods wait at a pickup place before they expire, by temperature class; None: the
    # installation's PICKUP_HOLD_*_H (pickup.collection.HoldTimes).
    pickup_hold_ambient_h: Mapped[int | None]
    pickup_hold_chilled_h: Mapped[int | None]
    pickup_hold_frozen_h: Mapped[int | None]
    # Goods nobody collected: chilled and frozen ones are refunded (or credited) only where the
    # region says so; everything else always is (payments/corrections.py).
    refund_expired_perishables: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set up by the region admin (regions/setup.py): branding and the legal pages' text.
    logo_key: Mapped[str | None] = mapped_column(String(40))
    brand_colour: Mapped[str | None] = mapped_column(String(7))
    accent_colour: Mapped[str | None] = mapped_column(String(7))
    imprint_text: Mapped[str | None] = mapped_column(Text)
    privacy_text: Mapped[str | None] = mapped_column(Text)

    sub_regions: Mapped[list[SubRegion]] = relationship(
        back_populates="region", order_by="SubRegion.name"
    )

    __table_args__ = (
        CheckConstraint("platform_fee_permille BETWEEN 0 AND 1000", name="fee_range"),
    )

    def __repr__(self) -> str:
        return f"<Region {self.slug}>"


class SubRegion(db.Model):
    __tablename__ = "sub_regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    door_delivery: Mapped[bool] = mapped_column(default=False)
    door_fee_cents: Mapped[int] = mapped_column(default=0)
    door_min_order_cents: Mapped[int] = mapped_column(default=0)
    # A short note on the sub-region's residents' pages ("Abholung auch im Vereinsheim …").
    local_note: Mapped[str | None] = mapped_column(String(300))

    region: Mapped[Region] = relationship(back_populates="sub_regions")
    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="sub_region", order_by="Municipality.name"
    )
    schedule: Mapped[DeliverySchedule | None] = relationship(back_populates="sub_region")

    __table_args__ = (
        UniqueConstraint("region_id", "name"),
        CheckConstraint("door_fee_cents >= 0", name="door_fee_nonnegative"),
        CheckConstraint("door_min_order_cents >= 0", name="door_min_nonnegative"),
    )

    def __repr__(self) -> str:
        return f"<SubRegion {self.slug}>"


class Municipality(db.Model):
    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_region_id: Mapped[int] = mapped_column(
        ForeignKey("sub_regions.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))

    sub_region: Mapped[SubRegion] = relationship(back_populates="municipalities")
    places: Mapped[list[Place]] = relationship(back_populates="municipality", order_by="Place.name")

    __table_args__ = (UniqueConstraint("sub_region_id", "name"),)


class Place(db.Model):
    """A town or village with coordinates; it belongs to one municipality, hence one sub-region."""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), index=True)
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="village")
    lat: Mapped[float]
    lon: Mapped[float]

    municipality: Mapped[Municipality] = relationship(back_populates="places")

    __table_args__ = (
        UniqueConstraint("municipality_id", "name"),
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
        CheckConstraint("kind IN ('town', 'village')", name="kind_known"),
    )

    @property
    def sub_region(self) -> SubRegion:
        return self.municipality.sub_region

    def __repr__(self) -> str:
        return f"<Place {self.name}>"


class DeliverySchedule(db.Model):
    """Weekdays with delivery in one sub-region, the order cut-off before each, and the hub."""

    __tablename__ = "delivery_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_region_id: Mapped[int] = mapped_column(
        ForeignKey("sub_regions.id", ondelete="CASCADE"), unique=True
    )
    # ISO weekdays with delivery as a bit set: Monday = bit 0 … Sunday = bit 6.
    weekday_mask: Mapped[int] = mapped_column(default=0)
    cutoff_days_before: Mapped[int] = mapped_column(default=1)
    cutoff_time: Mapped[time] = mapped_column(Time, default=time(18, 0))
    hub_place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"))
    service_seconds_per_stop: Mapped[int] = mapped_column(default=300)
    service_seconds_per_crate: Mapped[int] = mapped_column(default=30)
    # Local time on the delivery day by which producers who bring their goods must be at the hub
    # (None: not set).
    dropoff_by: Mapped[time | None] = mapped_column(Time)

    sub_region: Mapped[SubRegion] = relationship(back_populates="schedule")
    hub_place: Mapped[Place] = relationship()

    __table_args__ = (
        CheckConstraint("weekday_mask BETWEEN 0 AND 127", name="weekday_mask_range"),
        CheckConstraint("cutoff_days_before BETWEEN 0 AND 14", name="cutoff_days_range"),
        CheckConstraint("service_seconds_per_stop >= 0", name="service_stop_nonnegative"),
        CheckConstraint("service_seconds_per_crate >= 0", name="service_crate_nonnegative"),
    )

    @property
    def weekdays(self) -> list[int]:
        """ISO weekday numbers (1 = Monday) with delivery."""
        return [d + 1 for d in range(7) if self.weekday_mask & (1 << d)]

    @weekdays.setter
    def weekdays(self, days: list[int]) -> None:
        mask = 0
        for day in days:
            if not 1 <= day <= 7:
                raise ValueError(f"weekday {day} is not between 1 and 7")
            mask |= 1 << (day - 1)
        self.weekday_mask = mask


class DoorWindow(db.Model):
    """A door-delivery window a sub-region offers residents, e.g. 08:00–12:00."""

    __tablename__ = "door_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_region_id: Mapped[int] = mapped_column(
        ForeignKey("sub_regions.id", ondelete="CASCADE"), index=True
    )
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)

    sub_region: Mapped[SubRegion] = relationship()

    __table_args__ = (
        UniqueConstraint("sub_region_id", "starts", "ends"),
        CheckConstraint("starts < ends", name="starts_before_ends"),
    )

    @property
    def label(self) -> str:
        """The value stored on an order's `door_window`: "08:00-12:00"."""
        return f"{self.starts:%H:%M}-{self.ends:%H:%M}"
