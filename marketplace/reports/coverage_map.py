"""The coverage map of a sub-region: its villages by name, covered ones as filled circles and the
others as hollow squares (shape, not only colour, tells them apart), pickup places as diamonds."""
from __future__ import annotations

from xml.sax.saxutils import escape

from marketplace.delivery.svg_map import _projection
from marketplace.reports.dashboard import VillageCoverage


def render_coverage(rows: list[VillageCoverage], *, title: str, description: str,
                    width: int = 640, height: int = 440) -> str:
    places = {row.nearest.id: row.nearest for row in rows if row.nearest is not None}
    points = [(r.place.lat, r.place.lon) for r in rows] + [(p.lat, p.lon) for p in places.values()]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="coverage-map" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="coverage-title coverage-desc">',
        f'<title id="coverage-title">{escape(title)}</title>',
        f'<desc id="coverage-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f4f6f1" stroke="#c9d0c4"/>',
    ]
    if points:
        project = _projection(points, width, height, 40)
        for place in places.values():
            x, y = project(place.lat, place.lon)
            out.append(f'<g class="pickup-place"><title>{escape(place.name)}</title>'
                       f'<path d="M {x} {y - 8} L {x + 8} {y} L {x} {y + 8} L {x - 8} {y} Z" fill="#1d2520"/></g>')
        for row in rows:
            x, y = project(row.place.lat, row.place.lon)
            if row.covered:
                mark = f'<circle cx="{x}" cy="{y}" r="6" fill="#009E73" stroke="#1d2520" stroke-width="1"/>'
            else:
                mark = (f'<rect x="{x - 6}" y="{y - 6}" width="12" height="12" fill="#fff" stroke="#b00020" '
                        f'stroke-width="3"/>')
            out.append(f'<g class="village {"covered" if row.covered else "uncovered"}">'
                       f'<title>{escape(row.place.name)}</title>{mark}'
                       f'<text x="{x + 9}" y="{y + 4}" font-size="11" fill="#1d2520">{escape(row.place.name)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)
