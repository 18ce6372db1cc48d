"""Draws tours as an SVG map on the server from coordinates alone; map tiles only if configured."""
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
    # The driver's map: the stop's id (data-stop, for the phone to move the highlight), whether
    # it is the next stop, and a caption drawn beside it (the village).
    stop_id: int | None = None
    highlight: bool = False
    caption: str = ""


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


TILE_SIZE = 256
MAX_ZOOM = 17


def _mercator(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel coordinates at a zoom level, as slippy-map tiles use them."""
    scale = TILE_SIZE * 2 ** zoom
    lat = max(min(lat, 85.0511), -85.0511)
    siny = math.sin(math.radians(lat))
    x = (lon + 180.0) / 360.0 * scale
    y = (0.5 - math.log((1 + siny) / (1 - siny)) / (4 * math.pi)) * scale
    return x, y


@dataclass(frozen=True)
class TileLayer:
    """The projection and the tile images for a map drawn over a tile server's tiles."""

    project: object
    images: list[str]


def _tile_layer(points, width: float, height: float, pad: float, url_template: str) -> TileLayer:
    """Choose the largest zoom at which all points fit, centre them, and list the tiles behind."""
    zoom = MAX_ZOOM
    while zoom > 0:
        xs, ys = zip(*(_mercator(lat, lon, zoom) for lat, lon in points), strict=True)
        if max(xs) - min(xs) <= width - 2 * pad and max(ys) - min(ys) <= height - 2 * pad:
            break
        zoom -= 1
    xs, ys = zip(*(_mercator(lat, lon, zoom) for lat, lon in points), strict=True)
    origin_x = (min(xs) + max(xs)) / 2 - width / 2
    origin_y = (min(ys) + max(ys)) / 2 - height / 2

    def project(lat: float, lon: float) -> tuple[float, float]:
        x, y = _mercator(lat, lon, zoom)
        return round(x - origin_x, 1), round(y - origin_y, 1)

    images = []
    count = 2 ** zoom
    for tx in range(int(origin_x // TILE_SIZE), int((origin_x + width) // TILE_SIZE) + 1):
        for ty in range(max(int(origin_y // TILE_SIZE), 0), min(int((origin_y + height) // TILE_SIZE), count - 1) + 1):
            href = url_template.format(z=zoom, x=tx % count, y=ty)
            images.append(
                f'<image href="{escape(href)}" x="{round(tx * TILE_SIZE - origin_x, 1)}" '
                f'y="{round(ty * TILE_SIZE - origin_y, 1)}" width="{TILE_SIZE}" height="{TILE_SIZE}"/>'
            )
    return TileLayer(project, images)


def render_map(tours: list[MapTour], *, title: str, description: str, extra: list[MapPoint] = (),
               width: int = 640, height: int = 440, hub_label: str = "Lager",
               tile_url: str | None = None, attribution: str = "") -> str:
    """An accessible SVG: one <path> per tour, the hub as a square, numbered stops.

    With `tile_url` (a template such as ``https://tiles.example/{z}/{x}/{y}.png``) the map is
    drawn in Web Mercator over that server's tiles; without it, no tile server is needed.
    """
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
    if tile_url:
        layer = _tile_layer(points, width, height, 36, tile_url)
        project = layer.project
        out.append('<g class="tiles" opacity="0.75">' + "".join(layer.images) + "</g>")
        if attribution:
            out.append(f'<text x="{width - 4}" y="{height - 4}" text-anchor="end" font-size="10" '
                       f'fill="#1d2520">{escape(attribution)}</text>')
    else:
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
            data = f' data-stop="{stop.stop_id}"' if stop.stop_id is not None else ""
            css, fill, r = ("stop next", "#F0E442", 13) if stop.highlight else ("stop", "#fff", 10)
            out.append(f'<g class="{css}"{data}><title>{escape(f"{stop.number}. {stop.label}")}</title>'
                       f'<circle cx="{x}" cy="{y}" r="{r}" fill="{fill}" stroke="{colour}" stroke-width="3"/>'
                       f'<text x="{x}" y="{y + 4}" text-anchor="middle" font-size="11" font-weight="700" '
                       f'fill="#1d2520">{stop.number}</text>')
            if stop.caption:
                out.append(f'<text class="caption" x="{x + 14}" y="{y + 4}" font-size="12" fill="#1d2520" '
                           f'stroke="#fff" stroke-width="3" paint-order="stroke">{escape(stop.caption)}</text>')
            out.append("</g>")
        out.append("</g>")
    # Hubs last, so that a stop in the hub's own village does not hide the square.
    for tour in tours:
        if tour.hub not in hubs_drawn:
            hubs_drawn.add(tour.hub)
            hx, hy = project(*tour.hub)
            out.append(f'<g class="hub"><title>{escape(hub_label)}</title>'
                       f'<rect x="{hx - 9}" y="{hy - 9}" width="18" height="18" fill="#1d2520" '
                       f'stroke="#fff" stroke-width="2"/></g>')
    for point in extra:
        x, y = project(point.lat, point.lon)
        out.append(f'<g class="unserved"><title>{escape(point.label)}</title>'
                   f'<rect x="{x - 7}" y="{y - 7}" width="14" height="14" fill="#fff" stroke="#b00020" '
                   f'stroke-width="3"/></g>')
    out.append("</svg>")
    return "\n".join(out)


def colour_of(index: int) -> str:
    return PALETTE[index % len(PALETTE)]

