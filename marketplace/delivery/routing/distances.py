"""Distance and duration matrices: geodesic × road factor by default, OSRM's table service if configured."""
from __future__ import annotations

import json
import logging
import math
import socket
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Sequence

from geopy.distance import geodesic

from .problem import Matrices, RoutingError

log = logging.getLogger(__name__)

DEFAULT_ROAD_FACTOR = 1.3
DEFAULT_SPEED_KMH = 45.0
DEFAULT_OSRM_TIMEOUT = 10.0
# geopy's exact geodesic costs ~60 µs a pair; above this many points the matrix uses the
# ellipsoidal plane approximation below (< 0.1 % off within a district, far below the road factor).
EXACT_GEODESIC_MAX_POINTS = 150
_CACHE_SIZE = 32

Point = tuple[float, float]  # (lat, lon)


class OsrmError(RoutingError):
    """The OSRM table service did not give a usable answer."""


def geodesic_metres(a: Point, b: Point) -> float:
    return geodesic(a, b).meters


def _plane_metres(a: Point, b: Point) -> float:
    # FCC formula (47 CFR 73.208): ellipsoidal Earth projected to a plane, for distances < 475 km.
    mean_lat = math.radians((a[0] + b[0]) / 2)
    k1 = 111.13209 - 0.56605 * math.cos(2 * mean_lat) + 0.00120 * math.cos(4 * mean_lat)
    k2 = 111.41513 * math.cos(mean_lat) - 0.09455 * math.cos(3 * mean_lat) + 0.00012 * math.cos(5 * mean_lat)
    return 1000 * math.hypot(k1 * (b[0] - a[0]), k2 * (b[1] - a[1]))


def geodesic_matrices(
    points: Sequence[Point],
    road_factor: float = DEFAULT_ROAD_FACTOR,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> Matrices:
    """Road distance estimate in metres and travel time in seconds between all points."""
    if road_factor <= 0 or speed_kmh <= 0:
        raise RoutingError("road factor and speed must be positive")
    measure = geodesic_metres if len(points) <= EXACT_GEODESIC_MAX_POINTS else _plane_metres
    n = len(points)
    dist = [[0] * n for _ in range(n)]
    dur = [[0] * n for _ in range(n)]
    metres_per_second = speed_kmh / 3.6
    for i in range(n):
        for j in range(i + 1, n):
            metres = measure(points[i], points[j]) * road_factor
            dist[i][j] = dist[j][i] = round(metres)
            dur[i][j] = dur[j][i] = round(metres / metres_per_second)
    return Matrices(dist, dur, source="geodesic")


def osrm_table(points: Sequence[Point], base_url: str, timeout: float = DEFAULT_OSRM_TIMEOUT) -> Matrices:
    """Ask an OSRM server's table service for distances (m) and durations (s); raises OsrmError."""
    if not points:
        return Matrices([], [], source="osrm")
    coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
    url = f"{base_url.rstrip('/')}/table/v1/driving/{coords}?annotations=distance,duration"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise OsrmError(f"OSRM answered HTTP {exc.code} for the table request") from exc
    except TimeoutError as exc:
        raise OsrmError(f"OSRM did not answer within {timeout:g} s") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise OsrmError(f"OSRM did not answer within {timeout:g} s") from exc
        raise OsrmError(f"OSRM is not reachable: {exc.reason}") from exc
    except OSError as exc:
        raise OsrmError(f"OSRM connection failed: {exc}") from exc
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise OsrmError("OSRM answered with malformed JSON") from exc
    if not isinstance(payload, dict):
        raise OsrmError("OSRM answered with JSON that is not an object")
    if payload.get("code") != "Ok":
        message = payload.get("message", "")
        raise OsrmError(f"OSRM answered code {payload.get('code')!r}: {message}".rstrip(": "))
    n = len(points)
    return Matrices(
        _osrm_matrix(payload, "distances", n),
        _osrm_matrix(payload, "durations", n),
        source="osrm",
    )


def _osrm_matrix(payload: dict, key: str, n: int) -> list[list[int]]:
    rows = payload.get(key)
    if not isinstance(rows, list) or len(rows) != n:
        raise OsrmError(f"OSRM answer lacks a {n}×{n} '{key}' table")
    matrix = []
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != n:
            raise OsrmError(f"OSRM '{key}' row {i} has the wrong length")
        values = []
        for j, value in enumerate(row):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise OsrmError(f"OSRM has no route from point {i} to point {j} ('{key}' is {value!r})")
            values.append(round(value))
        matrix.append(values)
    return matrix


_cache: OrderedDict[tuple, Matrices] = OrderedDict()


def clear_cache() -> None:
    _cache.clear()


def build_matrices(
    points: Sequence[Point],
    osrm_url: str | None = None,
    *,
    day: object = None,
    timeout: float = DEFAULT_OSRM_TIMEOUT,
    road_factor: float = DEFAULT_ROAD_FACTOR,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> Matrices:
    """Matrices for `points` (in their order), from OSRM if a URL is given, else geodesic.

    An OSRM failure falls back to geodesic with a logged warning. Results are cached in
    process per (day, set of points, source settings); a fallback is not cached, so the next
    call tries OSRM again.
    """
    points = [(float(lat), float(lon)) for lat, lon in points]
    order = sorted(range(len(points)), key=lambda i: points[i])
    key = (day, tuple(points[i] for i in order), osrm_url, road_factor, speed_kmh)
    cached = _cache.get(key)
    if cached is None:
        sorted_points = [points[i] for i in order]
        cacheable = True
        if osrm_url:
            try:
                cached = osrm_table(sorted_points, osrm_url, timeout=timeout)
            except OsrmError as exc:
                log.warning(
                    "OSRM at %s failed (%s); falling back to geodesic distances × %.2f at %g km/h",
                    osrm_url, exc, road_factor, speed_kmh,
                )
                cacheable = False
        if cached is None:
            cached = geodesic_matrices(sorted_points, road_factor, speed_kmh)
        if cacheable:
            _cache[key] = cached
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    # The cache holds the sorted order; hand back the caller's order.
    position = {orig: pos for pos, orig in enumerate(order)}
    idx = [position[i] for i in range(len(points))]
    return Matrices(
        [[cached.distance[a][b] for b in idx] for a in idx],
        [[cached.duration[a][b] for b in idx] for a in idx],
        source=cached.source,
    )
