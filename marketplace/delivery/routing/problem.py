"""Plain dataclasses for a tour-planning problem and its result (no Flask, no database)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

TEMPERATURE_CLASSES: tuple[str, ...] = ("ambient", "chilled", "frozen")

StopKind = Literal["drop", "pickup"]

# Why a stop is not on any tour; the codes are stable, coordinators read them translated.
NO_COORDINATES = "no_coordinates"
NO_VEHICLE = "no_vehicle"
CAPACITY_EXCEEDED = "capacity_exceeded"
TIME_WINDOW_UNREACHABLE = "time_window_unreachable"
NOT_ROUTED = "not_routed"
# The goods reach the hub too late for any vehicle to bring them inside the window and shift.
GOODS_TOO_LATE = "goods_too_late"
# A producer's goods for the order cannot be collected (its collection stop is unserved).
GOODS_NOT_COLLECTED = "goods_not_collected"
UNSERVED_REASONS = (NO_COORDINATES, NO_VEHICLE, CAPACITY_EXCEEDED, TIME_WINDOW_UNREACHABLE, NOT_ROUTED,
                    GOODS_TOO_LATE, GOODS_NOT_COLLECTED)


class RoutingError(ValueError):
    """The routing package refuses its input (bad problem, bad file, bad time limit)."""


@dataclass(frozen=True)
class Load:
    """Crates per temperature class; chilled and frozen crates need cooled space."""

    ambient: int = 0
    chilled: int = 0
    frozen: int = 0

    def as_list(self) -> list[int]:
        return [self.ambient, self.chilled, self.frozen]

    @classmethod
    def from_list(cls, values: Sequence[int]) -> Load:
        return cls(*(int(v) for v in values))

    def __add__(self, other: Load) -> Load:
        return Load.from_list([a + b for a, b in zip(self.as_list(), other.as_list(), strict=False)])

    def __sub__(self, other: Load) -> Load:
        return Load.from_list([a - b for a, b in zip(self.as_list(), other.as_list(), strict=False)])

    def space(self) -> list[int]:
        """The room this takes (or, for a capacity, offers): [ambient or chilled, chilled, frozen].

        Chilled space may carry ambient crates, frozen space only frozen ones, so a load fits a
        capacity exactly when each of these three figures does.
        """
        return [self.ambient + self.chilled, self.chilled, self.frozen]

    def fits_in(self, capacity: Load) -> bool:
        return all(a <= c for a, c in zip(self.space(), capacity.space(), strict=True))

    @property
    def total(self) -> int:
        return self.ambient + self.chilled + self.frozen


@dataclass(frozen=True)
class Hub:
    """Where tours start and end. Give lat/lon, or an index into the problem's matrices."""

    id: str
    lat: float | None = None
    lon: float | None = None
    matrix_index: int | None = None


@dataclass(frozen=True)
class Stop:
    """One place to visit: a drop (station, sales point, door) or a pickup (producer).

    Time window and service times are in seconds (seconds since midnight for the window);
    benchmark instances use their own time unit instead.
    """

    id: str
    demand: Load = field(default_factory=Load)
    kind: StopKind = "drop"
    lat: float | None = None
    lon: float | None = None
    matrix_index: int | None = None
    fixed_service_seconds: float = 0
    per_crate_seconds: float = 0
    time_window: tuple[float, float] | None = None
    # The earliest time a vehicle may leave the hub on a trip that visits this stop (the goods
    # for a drop are at the hub only then).
    release_time: float = 0

    @property
    def service_seconds(self) -> float:
        return self.fixed_service_seconds + self.per_crate_seconds * self.demand.total

    @property
    def has_location(self) -> bool:
        return self.matrix_index is not None or (self.lat is not None and self.lon is not None)


@dataclass(frozen=True)
class Vehicle:
    """A vehicle available for the day; `hub_id` None means the problem's first hub."""

    id: str
    capacity: Load
    shift_start: float = 0
    shift_end: float = 24 * 3600
    cost_per_km_cents: int = 50
    cost_per_hour_cents: int = 0
    hub_id: str | None = None


@dataclass(frozen=True)
class Matrices:
    """Distance (metres, or instance units) and duration (seconds) between matrix indices."""

    distance: Sequence[Sequence[float]]
    duration: Sequence[Sequence[float]]
    source: str = "given"

    def __post_init__(self) -> None:
        size = len(self.distance)
        if len(self.duration) != size or any(
            len(row) != size for rows in (self.distance, self.duration) for row in rows
        ):
            raise RoutingError("distance and duration matrices must both be square and of one size")

    @property
    def size(self) -> int:
        return len(self.distance)


@dataclass(frozen=True)
class Problem:
    """One planning problem: hubs, stops and vehicles of one sub-region and day.

    `matrices` None: distances come from the coordinates (geodesic × road factor).
    `scale` multiplies all times and distances before the integer solver sees them (benchmark
    instances with fractional Euclidean distances use 10_000); real days use 1.
    `all_required` makes every stop mandatory (benchmarks) instead of optional with a large
    prize, which lets the solver leave out stops it cannot fit and report them.
    """

    hubs: tuple[Hub, ...]
    stops: tuple[Stop, ...]
    vehicles: tuple[Vehicle, ...]
    matrices: Matrices | None = None
    scale: int = 1
    all_required: bool = False
    name: str = ""
    # How often a vehicle may come back to its hub to unload or reload and go out again (PyVRP's
    # reload depots): each return starts a new trip of the same vehicle. 0: one trip each.
    max_reloads: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "hubs", tuple(self.hubs))
        object.__setattr__(self, "stops", tuple(self.stops))
        object.__setattr__(self, "vehicles", tuple(self.vehicles))
        if not self.hubs:
            raise RoutingError("a problem needs at least one hub")
        ids = [s.id for s in self.stops]
        if len(set(ids)) != len(ids):
            raise RoutingError("stop ids must be unique")
        hub_ids = {h.id for h in self.hubs}
        for vehicle in self.vehicles:
            if vehicle.hub_id is not None and vehicle.hub_id not in hub_ids:
                raise RoutingError(f"vehicle {vehicle.id} names unknown hub {vehicle.hub_id}")
        if self.scale < 1:
            raise RoutingError("scale must be >= 1")

    def hub_of(self, vehicle: Vehicle) -> Hub:
        if vehicle.hub_id is None:
            return self.hubs[0]
        return next(h for h in self.hubs if h.id == vehicle.hub_id)


@dataclass(frozen=True)
class PlannedStop:
    """A stop on a tour with its planned times, distances and the load on board after it."""

    stop_id: str
    kind: StopKind
    arrival: float
    service_start: float
    departure: float
    leg_distance: float
    cumulative_distance: float
    load_after: Load


@dataclass(frozen=True)
class Route:
    """One vehicle's tour: leaves `hub_id` with `start_load`, visits `stops`, returns."""

    vehicle_id: str
    hub_id: str
    stops: tuple[PlannedStop, ...]
    start_time: float
    end_time: float
    distance: float
    duration: float
    start_load: Load
    peak_load: Load
    cost_cents: int = 0

    @property
    def stop_ids(self) -> list[str]:
        return [s.stop_id for s in self.stops]


@dataclass(frozen=True)
class UnservedStop:
    """A stop that no tour visits, and why."""

    stop_id: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Result:
    """Tours for one problem. Distances in matrix units (metres), times in seconds."""

    routes: tuple[Route, ...]
    unserved: tuple[UnservedStop, ...]
    distance: float
    duration: float
    cost_cents: int
    solver_seconds: float = 0.0
    matrix_source: str = ""

    @property
    def km(self) -> float:
        return self.distance / 1000

    @property
    def hours(self) -> float:
        return self.duration / 3600

    def unserved_reasons(self) -> dict[str, str]:
        return {u.stop_id: u.reason for u in self.unserved}
