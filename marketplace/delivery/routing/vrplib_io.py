"""Reads benchmark instances (VRPLIB CVRP, Solomon VRPTW) into problems in the instance's own units."""
from __future__ import annotations

import math
import os

from .problem import Hub, Load, Matrices, Problem, RoutingError, Stop, Vehicle

# Euclidean distances are fractional; the integer solver sees them × SCALE, rounded, and costs
# are recomputed from the routes in double precision.
SCALE = 10_000


class ParseError(RoutingError):
    """A benchmark file is malformed; names the file, the line and what is wrong."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source, self.line, self.problem = source, line, problem
        where = f"{source} line {line}" if line is not None else source
        super().__init__(f"{where}: {problem}")


def read_instance(path: str | os.PathLike) -> Problem:
    """A `.vrp` (VRPLIB) or Solomon text file as a problem; raises ParseError."""
    name = os.path.basename(os.fspath(path))
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise ParseError(name, None, "the file is not UTF-8 text") from exc
    except OSError as exc:
        raise ParseError(name, None, f"cannot read the file ({exc.strerror})") from exc
    return parse_instance(text, name)


def parse_instance(text: str, name: str = "<text>") -> Problem:
    if "NODE_COORD_SECTION" in text.upper() or any(
        line.split(":")[0].strip().upper() in ("NAME", "TYPE") and ":" in line for line in text.splitlines()[:5]
    ):
        return parse_vrplib(text, name)
    return parse_solomon(text, name)


def euclidean_matrix(points: list[tuple[float, float]]) -> list[list[float]]:
    return [[math.hypot(ax - bx, ay - by) for bx, by in points] for ax, ay in points]


def _numbers(line: str, lineno: int, source: str, count: int, what: str) -> list[float]:
    fields = line.split()
    if len(fields) != count:
        raise ParseError(source, lineno, f"expected {count} numbers ({what}), found {len(fields)}")
    try:
        return [float(f) for f in fields]
    except ValueError:
        bad = next(f for f in fields if not _is_number(f))
        raise ParseError(source, lineno, f"{bad!r} is not a number ({what})") from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _integer(value: float, lineno: int, source: str, what: str) -> int:
    if value != int(value) or value < 0:
        raise ParseError(source, lineno, f"{what} must be a whole number >= 0, found {value:g}")
    return int(value)


def parse_solomon(text: str, source: str = "<text>") -> Problem:
    """Solomon / Gehring–Homberger VRPTW: VEHICLE (number, capacity), then CUSTOMER rows."""
    lines = list(enumerate(text.splitlines(), start=1))
    content = [(n, line.strip()) for n, line in lines if line.strip()]
    if not content:
        raise ParseError(source, None, "the file is empty")
    name = content[0][1]
    pos = next((k for k, (_, line) in enumerate(content) if line.upper() == "VEHICLE"), None)
    if pos is None:
        raise ParseError(source, None, "no VEHICLE section")
    numeric = [(n, line) for n, line in content[pos + 1:] if _is_number(line.split()[0])]
    if not numeric:
        raise ParseError(source, content[pos][0], "no vehicle number and capacity after VEHICLE")
    fleet_line, fleet_text = numeric[0]
    fleet, capacity = _numbers(fleet_text, fleet_line, source, 2, "vehicle number, capacity")
    fleet = _integer(fleet, fleet_line, source, "the vehicle number")
    capacity = _integer(capacity, fleet_line, source, "the capacity")
    if fleet < 1:
        raise ParseError(source, fleet_line, "the vehicle number must be at least 1")
    cpos = next((k for k, (n, line) in enumerate(content) if line.upper().startswith("CUSTOMER") and n > fleet_line),
                None)
    if cpos is None:
        raise ParseError(source, None, "no CUSTOMER section")
    rows = []
    for n, line in content[cpos + 1:]:
        if not rows and not _is_number(line.split()[0]):
            continue  # column headings
        what = "number, x, y, demand, ready time, due date, service time"
        number, x, y, demand, ready, due, service = _numbers(line, n, source, 7, what)
        number = _integer(number, n, source, "the customer number")
        if number != len(rows):
            raise ParseError(source, n, f"expected customer number {len(rows)}, found {number}")
        if demand < 0 or service < 0:
            raise ParseError(source, n, "demand and service time must not be negative")
        if due < ready:
            raise ParseError(source, n, f"due date {due:g} is before ready time {ready:g}")
        rows.append((n, number, x, y, demand, ready, due, service))
    if len(rows) < 2:
        raise ParseError(source, None, "needs the depot (customer 0) and at least one customer")
    points = [(r[2], r[3]) for r in rows]
    dist = euclidean_matrix(points)
    depot = rows[0]
    hub = Hub(id="0", matrix_index=0)
    stops = tuple(
        Stop(id=str(number), demand=Load(ambient=_integer(demand, n, source, "the demand")), matrix_index=k,
             fixed_service_seconds=service, time_window=(ready, due))
        for k, (n, number, x, y, demand, ready, due, service) in enumerate(rows) if k > 0
    )
    vehicles = tuple(
        Vehicle(id=str(k + 1), capacity=Load(ambient=capacity), shift_start=depot[5], shift_end=depot[6],
                cost_per_km_cents=1, cost_per_hour_cents=0)
        for k in range(fleet)
    )
    return Problem(hubs=(hub,), stops=stops, vehicles=vehicles, matrices=Matrices(dist, dist, source="euclidean"),
                   scale=SCALE, all_required=True, name=name)


_SECTIONS = ("NODE_COORD_SECTION", "DEMAND_SECTION", "DEPOT_SECTION")


def parse_vrplib(text: str, source: str = "<text>") -> Problem:
    """VRPLIB CVRP with EDGE_WEIGHT_TYPE EUC_2D; unlimited fleet unless VEHICLES is given."""
    specs: dict[str, tuple[int, str]] = {}
    sections: dict[str, list[tuple[int, str]]] = {}
    current = None
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head = line.split()[0].upper().rstrip(":")
        if head == "EOF":
            break
        if head.endswith("_SECTION"):
            if head not in _SECTIONS:
                raise ParseError(source, n, f"unsupported section {head}")
            current = head
            sections[current] = []
            continue
        if ":" in line and not _is_number(line.split(":")[0].strip()):
            key, value = line.split(":", 1)
            specs[key.strip().upper()] = (n, value.strip())
            current = None
            continue
        if current is None:
            raise ParseError(source, n, f"unexpected line {line[:40]!r} outside a section")
        sections[current].append((n, line))
    for key in ("DIMENSION", "CAPACITY"):
        if key not in specs:
            raise ParseError(source, None, f"missing {key}")
    kind = specs.get("EDGE_WEIGHT_TYPE", (None, "EUC_2D"))
    if kind[1].upper() != "EUC_2D":
        raise ParseError(source, kind[0], f"EDGE_WEIGHT_TYPE {kind[1]} is not supported (only EUC_2D)")
    dimension = _spec_int(specs, "DIMENSION", source)
    capacity = _spec_int(specs, "CAPACITY", source)
    for section in _SECTIONS:
        if section not in sections:
            raise ParseError(source, None, f"missing {section}")
    coords = {}
    for n, line in sections["NODE_COORD_SECTION"]:
        node, x, y = _numbers(line, n, source, 3, "node, x, y")
        coords[_node(node, n, source, dimension)] = (x, y)
    demands = {}
    for n, line in sections["DEMAND_SECTION"]:
        node, demand = _numbers(line, n, source, 2, "node, demand")
        demands[_node(node, n, source, dimension)] = _integer(demand, n, source, "the demand")
    depots = []
    for n, line in sections["DEPOT_SECTION"]:
        value = _numbers(line, n, source, 1, "depot node or -1")[0]
        if value == -1:
            break
        depots.append(_node(value, n, source, dimension))
    if len(depots) != 1:
        raise ParseError(source, None, f"expected exactly one depot in DEPOT_SECTION, found {len(depots)}")
    for what, table in (("coordinates", coords), ("demand", demands)):
        missing = sorted(set(range(1, dimension + 1)) - set(table))
        if missing:
            raise ParseError(source, None, f"node {missing[0]} has no {what}")
    depot = depots[0]
    order = [depot] + [k for k in range(1, dimension + 1) if k != depot]
    dist = euclidean_matrix([coords[k] for k in order])
    stops = tuple(Stop(id=str(k), demand=Load(ambient=demands[k]), matrix_index=i)
                  for i, k in enumerate(order) if i > 0)
    fleet = _spec_int(specs, "VEHICLES", source) if "VEHICLES" in specs else len(stops)
    vehicles = tuple(Vehicle(id=str(k + 1), capacity=Load(ambient=capacity), shift_start=0, shift_end=10**9,
                             cost_per_km_cents=1, cost_per_hour_cents=0) for k in range(fleet))
    name = specs.get("NAME", (0, source))[1]
    return Problem(hubs=(Hub(id=str(depot), matrix_index=0),), stops=stops, vehicles=vehicles,
                   matrices=Matrices(dist, dist, source="euclidean"), scale=SCALE, all_required=True, name=name)


def _spec_int(specs: dict, key: str, source: str) -> int:
    n, value = specs[key]
    try:
        number = int(value)
    except ValueError:
        raise ParseError(source, n, f"{key} must be a whole number, found {value!r}") from None
    if number < 1:
        raise ParseError(source, n, f"{key} must be at least 1")
    return number


def _node(value: float, lineno: int, source: str, dimension: int) -> int:
    if value != int(value) or not 1 <= value <= dimension:
        raise ParseError(source, lineno, f"node {value:g} is outside 1..{dimension}")
    return int(value)
