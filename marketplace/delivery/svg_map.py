"""Draws tours as an SVG map on the server from coordinates alone (no tiles needed)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Colour-blind-safe palette (Okabe–Ito), one colour per tour.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


@dataclass(frozen=True)
class MapStop:
    lat: float
    lon: float
    label: str
    number: int


@dataclass(frozen=True)
class MapTour:
    name: str
    hub: tuple[float, float]
    stops: tuple[MapStop, ...]
    dashed: bool = False


@dataclass(frozen=True)
class MapPoint:
    """A place that is on no tour (an unserved stop): drawn as a hollow square."""

    lat: float
    lon: float
    label: str


def _projection(points: list[tuple[float, float]], width: float, height: float, pad: float):
    """Equirectangular projection scaled by cos(latitude), fitted into the box with padding."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    mid = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * mid, 1e-3)
    span_y = max(max(lats) - min(lats), 1e-3)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2

    def project(lat: float, lon: float) -> tuple[float, float]:
        return (round(off_x + (lon - min(lons)) * mid * scale, 1),
                round(height - off_y - (lat - min(lats)) * scale, 1))

    return project


def render_map(tours: list[MapTour], *, title: str, description: str, extra: list[MapPoint] = (),
               width: int = 640, height: int = 440, hub_label: str = "Lager") -> str:
    """An accessible SVG: one <path> per tour, the hub as a square, numbered stops."""
    points = [t.hub for t in tours] + [(s.lat, s.lon) for t in tours for s in t.stops]
    points += [(p.lat, p.lon) for p in extra]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tour-map" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="map-title map-desc">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<desc id="map-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f4f6f1" stroke="#c9d0c4"/>',
    ]
    if not points:
        out.append("</svg>")
        return "\n".join(out)
    project = _projection(points, width, height, 36)
    hubs_drawn = set()
    for n, tour in enumerate(tours):
        colour = PALETTE[n % len(PALETTE)]
        hx, hy = project(*tour.hub)
        coords = [(hx, hy)] + [project(s.lat, s.lon) for s in tour.stops] + [(hx, hy)]
        d = "M " + " L ".join(f"{x} {y}" for x, y in coords)
        dash = ' stroke-dasharray="6 4"' if tour.dashed else ""
        out.append(f'<g class="tour" data-tour="{n}"><title>{escape(tour.name)}</title>')
        out.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="3" '
                   f'stroke-linejoin="round"{dash}/>')
        for stop in tour.stops:
            x, y = project(stop.lat, stop.lon)
            out.append(f'<g class="stop"><title>{escape(f"{stop.number}. {stop.label}")}</title>'
                       f'<circle cx="{x}" cy="{y}" r="10" fill="#fff" stroke="{colour}" stroke-width="3"/>'
                       f'<text x="{x}" y="{y + 4}" text-anchor="middle" font-size="11" font-weight="700" '
                       f'fill="#1d2520">{stop.number}</text></g>')
        out.append("</g>")
        if tour.hub not in hubs_drawn:
            hubs_drawn.add(tour.hub)
            out.append(f'<g class="hub"><title>{escape(hub_label)}</title>'
                       f'<rect x="{hx - 9}" y="{hy - 9}" width="18" height="18" fill="#1d2520"/></g>')
    for point in extra:
        x, y = project(point.lat, point.lon)
        out.append(f'<g class="unserved"><title>{escape(point.label)}</title>'
                   f'<rect x="{x - 7}" y="{y - 7}" width="14" height="14" fill="#fff" stroke="#b00020" '
                   f'stroke-width="3"/></g>')
    out.append("</svg>")
    return "\n".join(out)


def colour_of(index: int) -> str:
    return PALETTE[index % len(PALETTE)]

