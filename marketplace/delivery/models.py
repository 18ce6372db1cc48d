"""Vehicles, door-delivery windows, planning runs, and the tours with their stops."""
from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalog.models import Producer
from marketplace.core.clock import utcnow
from marketplace.core.types import UTCDateTime, str_enum
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.pickup.models import PickupPlace
from marketplace.regions.models import Place, SubRegion

TEMPERATURES = ("ambient", "chilled", "frozen")


class TourKind(enum.StrEnum):
    DISTRIBUTION = "distribution"
    COLLECTION = "collection"


class TourStatus(enum.StrEnum):
    PLANNED = "planned"
    PUBLISHED = "published"


class StopKind(enum.StrEnum):
    DEPOT = "depot"
    DROP = "drop"
    PICKUP = "pickup"


class StopState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    PROBLEM = "problem"


class StopOutcome(enum.StrEnum):
    """How a finished (done) stop ended: all handed over, some of it, or nothing."""

    DELIVERED = "delivered"
    PARTLY = "partly"
    FAILED = "failed"


class DriverEventKind(enum.StrEnum):
    TOUR_STARTED = "tour_started"
    TOUR_ENDED = "tour_ended"
    ARRIVED = "arrived"
    DELIVERED = "delivered"
    PARTLY_DELIVERED = "partly_delivered"
    FAILED = "failed"


class DriverEventStatus(enum.StrEnum):
    APPLIED = "applied"
    REJECTED = "rejected"


class StopProblem(enum.StrEnum):
    CLOSED = "closed"
    NO_ROOM = "no_room"
    DAMAGED = "damaged"


class PlanRunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class _Loads:
    """Crates per temperature class as three integer columns."""

    @property
    def loads(self) -> dict[str, int]:
        return {t: getattr(self, f"load_{t}") for t in TEMPERATURES}

    @property
    def load_total(self) -> int:
        return sum(self.loads.values())


class Vehicle(db.Model):
    """A vehicle of one sub-region with its cooled and uncooled room and its shift."""

    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_region_id: Mapped[int] = mapped_column(
        ForeignKey("sub_regions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    capacity_ambient: Mapped[int] = mapped_column(default=40)
    capacity_chilled: Mapped[int] = mapped_column(default=0)
    capacity_frozen: Mapped[int] = mapped_column(default=0)
    shift_start: Mapped[time] = mapped_column(Time, default=time(7, 0))
    shift_end: Mapped[time] = mapped_column(Time, default=time(15, 0))
    cost_per_km_cents: Mapped[int] = mapped_column(default=35)
    cost_per_hour_cents: Mapped[int] = mapped_column(default=2500)
    is_active: Mapped[bool] = mapped_column(default=True)

    sub_region: Mapped[SubRegion] = relationship()

    __table_args__ = (
        UniqueConstraint("sub_region_id", "name"),
        CheckConstraint("capacity_ambient >= 0", name="capacity_ambient_nonnegative"),
        CheckConstraint("capacity_chilled >= 0", name="capacity_chilled_nonnegative"),
        CheckConstraint("capacity_frozen >= 0", name="capacity_frozen_nonnegative"),
        CheckConstraint("shift_start < shift_end", name="shift_start_before_end"),
        CheckConstraint("cost_per_km_cents >= 0", name="cost_km_nonnegative"),
        CheckConstraint("cost_per_hour_cents >= 0", name="cost_hour_nonnegative"),
    )

    @property
    def capacities(self) -> dict[str, int]:
        return {t: getattr(self, f"capacity_{t}") for t in TEMPERATURES}

    @property
    def capacity_total(self) -> int:
        return sum(self.capacities.values())

    def __repr__(self) -> str:
        return f"<Vehicle {self.name}>"


class PlanRun(db.Model):
    """One planning job for a delivery day: progress, outcome, grouping cost and unserved stops."""

    __tablename__ = "plan_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_date: Mapped[date]
    # None: every sub-region with orders that day.
    sub_region_id: Mapped[int | None] = mapped_column(
        ForeignKey("sub_regions.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[PlanRunStatus] = mapped_column(
        str_enum(PlanRunStatus, "plan_run_status", 10), default=PlanRunStatus.QUEUED
    )
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    seconds: Mapped[float] = mapped_column(default=5.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    km_with_borders: Mapped[float | None]
    km_without_borders: Mapped[float | None]
    hours_with_borders: Mapped[float | None]
    hours_without_borders: Mapped[float | None]
    # [{"sub_region_id", "stop", "label", "reason", "detail", "orders": [numbers]}, …]
    unserved: Mapped[list] = mapped_column(JSON, default=list)
    # {"sub_region_id": {"tours": n, "km": …, "hours": …, "unserved": n}}
    summary: Mapped[dict] = mapped_column(JSON, default=dict)

    sub_region: Mapped[SubRegion | None] = relationship()

    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("seconds > 0", name="seconds_positive"),
        Index("ix_plan_runs_day", "delivery_date", "sub_region_id"),
    )

    @property
    def is_finished(self) -> bool:
        return self.status in (PlanRunStatus.DONE, PlanRunStatus.FAILED)

    @property
    def grouping_km(self) -> float | None:
        if self.km_with_borders is None or self.km_without_borders is None:
            return None
        return self.km_with_borders - self.km_without_borders

    @property
    def grouping_hours(self) -> float | None:
        if self.hours_with_borders is None or self.hours_without_borders is None:
            return None
        return self.hours_with_borders - self.hours_without_borders


class Tour(_Loads, db.Model):
    """One vehicle's tour on a delivery day in one sub-region: distribution or collection."""

    __tablename__ = "tours"

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_region_id: Mapped[int] = mapped_column(ForeignKey("sub_regions.id", ondelete="CASCADE"))
    delivery_date: Mapped[date]
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[TourKind] = mapped_column(str_enum(TourKind, "tour_kind", 20))
    status: Mapped[TourStatus] = mapped_column(
        str_enum(TourStatus, "tour_status", 20), default=TourStatus.PLANNED
    )
    distance_m: Mapped[int] = mapped_column(default=0)
    duration_s: Mapped[int] = mapped_column(default=0)
    cost_cents: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    load_ambient: Mapped[int] = mapped_column(default=0)
    load_chilled: Mapped[int] = mapped_column(default=0)
    load_frozen: Mapped[int] = mapped_column(default=0)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    plan_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_runs.id", ondelete="SET NULL"), index=True
    )
    # Who drives it; None until the coordinator (or publishing, in a one-driver sub-region) assigns one.
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # When the driver left the hub and came back (the driver's buttons, `start_tour` / `end_tour`).
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What came back to the hub with the van (`end_tour`): empty crates, and a note on the returns.
    empty_crates_back: Mapped[int | None]
    returns_note: Mapped[str] = mapped_column(Text, default="")

    sub_region: Mapped[SubRegion] = relationship()
    vehicle: Mapped[Vehicle] = relationship()
    driver: Mapped[User | None] = relationship()
    plan_run: Mapped[PlanRun | None] = relationship()
    stops: Mapped[list[TourStop]] = relationship(
        back_populates="tour", cascade="all, delete-orphan", order_by="TourStop.sequence"
    )

    __table_args__ = (
        Index("ix_tours_day", "delivery_date", "sub_region_id", "status"),
        CheckConstraint("distance_m >= 0", name="distance_nonnegative"),
        CheckConstraint("duration_s >= 0", name="duration_nonnegative"),
        CheckConstraint("starts_at <= ends_at", name="starts_before_ends"),
        CheckConstraint(
            "load_ambient >= 0 AND load_chilled >= 0 AND load_frozen >= 0", name="load_nonnegative"
        ),
        CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL)", name="published_has_time"
        ),
        CheckConstraint("started_at IS NOT NULL OR ended_at IS NULL", name="ended_after_started"),
        CheckConstraint("started_at IS NULL OR status = 'published'", name="started_when_published"),
        CheckConstraint("empty_crates_back IS NULL OR empty_crates_back >= 0", name="empty_crates_nonnegative"),
    )

    @property
    def is_published(self) -> bool:
        return self.status == TourStatus.PUBLISHED

    @property
    def is_under_way(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    @property
    def km(self) -> float:
        return self.distance_m / 1000

    @property
    def hours(self) -> float:
        return self.duration_s / 3600

    @property
    def visits(self) -> list[TourStop]:
        return [s for s in self.stops if s.kind != StopKind.DEPOT]

    @property
    def fill_rate(self) -> float:
        """Crates on board at the fullest moment, against the vehicle's room (0…1)."""
        capacity = self.vehicle.capacity_total
        return self.load_total / capacity if capacity else 0.0


class TourStop(_Loads, db.Model):
    """A stop on a tour: the hub (start and end), a pickup place or a door to drop at, a producer."""

    __tablename__ = "tour_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    kind: Mapped[StopKind] = mapped_column(str_enum(StopKind, "stop_kind", 10))
    hub_place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"))
    pickup_place_id: Mapped[int | None] = mapped_column(
        ForeignKey("pickup_places.id", ondelete="RESTRICT"), index=True
    )
    producer_id: Mapped[int | None] = mapped_column(
        ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    # A door stop has neither a hub, a pickup place nor a producer: its one order says where.
    label: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float]
    lon: Mapped[float]
    planned_arrival: Mapped[datetime] = mapped_column(UTCDateTime)
    planned_departure: Mapped[datetime] = mapped_column(UTCDateTime)
    # The time window the planner had to meet here (a sales point's opening, a door's window).
    window_opens: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_closes: Mapped[datetime | None] = mapped_column(UTCDateTime)
    leg_distance_m: Mapped[int] = mapped_column(default=0)
    # What is unloaded (drop) or loaded (pickup) here, in crates per class.
    load_ambient: Mapped[int] = mapped_column(default=0)
    load_chilled: Mapped[int] = mapped_column(default=0)
    load_frozen: Mapped[int] = mapped_column(default=0)
    state: Mapped[StopState] = mapped_column(
        str_enum(StopState, "stop_state", 10), default=StopState.OPEN
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    problem: Mapped[StopProblem | None] = mapped_column(str_enum(StopProblem, "stop_problem", 10))
    problem_note: Mapped[str] = mapped_column(Text, default="")
    problem_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The driver's actual times: arrived (optional), and how a done stop ended (None: delivered, older rows).
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[StopOutcome | None] = mapped_column(str_enum(StopOutcome, "stop_outcome", 10))

    tour: Mapped[Tour] = relationship(back_populates="stops")
    hub_place: Mapped[Place | None] = relationship()
    pickup_place: Mapped[PickupPlace | None] = relationship()
    producer: Mapped[Producer | None] = relationship()
    orders: Mapped[list[TourStopOrder]] = relationship(
        back_populates="stop", cascade="all, delete-orphan", order_by="TourStopOrder.id"
    )
    # At a producer (collection): the orders whose goods are fetched here.
    goods: Mapped[list[CollectedGoods]] = relationship(
        back_populates="stop", cascade="all, delete-orphan", order_by="CollectedGoods.id"
    )

    __table_args__ = (
        UniqueConstraint("tour_id", "sequence"),
        CheckConstraint("sequence >= 0", name="sequence_nonnegative"),
        CheckConstraint("leg_distance_m >= 0", name="leg_nonnegative"),
        CheckConstraint("planned_arrival <= planned_departure", name="arrival_before_departure"),
        CheckConstraint(
            "load_ambient >= 0 AND load_chilled >= 0 AND load_frozen >= 0", name="load_nonnegative"
        ),
        CheckConstraint("(kind = 'depot') = (hub_place_id IS NOT NULL)", name="depot_has_hub"),
        CheckConstraint("(kind = 'pickup') = (producer_id IS NOT NULL)", name="pickup_has_producer"),
        CheckConstraint("kind = 'drop' OR pickup_place_id IS NULL", name="pickup_place_only_drop"),
        CheckConstraint("(state = 'problem') = (problem IS NOT NULL)", name="problem_has_kind"),
        CheckConstraint("(window_opens IS NULL) = (window_closes IS NULL)", name="window_both_or_none"),
        CheckConstraint("outcome IS NULL OR state = 'done'", name="outcome_when_done"),
    )

    @property
    def is_door(self) -> bool:
        return self.kind == StopKind.DROP and self.pickup_place_id is None


class TourStopOrder(_Loads, db.Model):
    """An order handled at a stop, with its crates per temperature class."""

    __tablename__ = "tour_stop_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("tour_stops.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    load_ambient: Mapped[int] = mapped_column(default=0)
    load_chilled: Mapped[int] = mapped_column(default=0)
    load_frozen: Mapped[int] = mapped_column(default=0)

    stop: Mapped[TourStop] = relationship(back_populates="orders")
    order: Mapped[Order] = relationship()

    __table_args__ = (
        UniqueConstraint("stop_id", "order_id"),
        CheckConstraint(
            "load_ambient >= 0 AND load_chilled >= 0 AND load_frozen >= 0", name="load_nonnegative"
        ),
    )


class DriverEvent(db.Model):
    """A stop or tour event the driver's phone sent, once per `client_event_id`, with the answer given.

    A repeat of the same id gets the stored answer and changes nothing (`services.driver_events`).
    """

    __tablename__ = "driver_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    driver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_event_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[DriverEventKind] = mapped_column(str_enum(DriverEventKind, "driver_event_kind", 20))
    # Plain ids, no foreign keys: a re-planned tour may delete the stop, the record stays.
    tour_id: Mapped[int | None]
    stop_id: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[DriverEventStatus] = mapped_column(str_enum(DriverEventStatus, "driver_event_status", 10))
    reason: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    # The JSON answer given the first time (the stop endpoint's body), repeated as it was.
    answer: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (
        UniqueConstraint("driver_id", "client_event_id"),
        Index("ix_driver_events_stop", "stop_id"),
    )


class CollectedGoods(_Loads, db.Model):
    """One order's goods fetched at a producer stop of a collection trip, in crates per class.

    Kept apart from `TourStopOrder`, which lists what a stop hands over: confirming a
    collection stop delivers no order.
    """

    __tablename__ = "tour_stop_goods"

    id: Mapped[int] = mapped_column(primary_key=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("tour_stops.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    load_ambient: Mapped[int] = mapped_column(default=0)
    load_chilled: Mapped[int] = mapped_column(default=0)
    load_frozen: Mapped[int] = mapped_column(default=0)

    stop: Mapped[TourStop] = relationship(back_populates="goods")

    __table_args__ = (
        UniqueConstraint("stop_id", "order_id"),
        CheckConstraint(
            "load_ambient >= 0 AND load_chilled >= 0 AND load_frozen >= 0", name="load_nonnegative"
        ),
    )


class ProducerDropoff(db.Model):
    """A producer who brings its goods for a sub-region's orders to that sub-region's hub itself.

    By the schedule's `dropoff_by`; without that time set, the producer is collected. Per
    sub-region: a producer may drop off at one hub and be collected for another.
    """

    __tablename__ = "producer_dropoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_region_id: Mapped[int] = mapped_column(ForeignKey("sub_regions.id", ondelete="CASCADE"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), index=True)

    producer: Mapped[Producer] = relationship()

    __table_args__ = (UniqueConstraint("sub_region_id", "producer_id"),)
