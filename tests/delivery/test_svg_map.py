"""The tour map: plain SVG from coordinates, with tiles behind it only when a tile URL is configured."""
from __future__ import annotations

import re

from marketplace.delivery.svg_map import MapStop, MapTour, render_map
from marketplace.web.security import content_security_policy

HUB = (50.3279, 7.2228)  # Mayen
TOURS = [
    MapTour("Tour 1", HUB, (MapStop(50.2847, 7.2186, "Kehrig", 1), MapStop(50.2998, 7.1636, "Monreal", 2))),
    MapTour("Tour 2", HUB, (MapStop(50.3746, 7.2806, "Mendig", 1),)),
]


def _coordinates(svg: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([-\d.]+)" cy="([-\d.]+)"', svg)]


def test_map_without_tiles_needs_no_tile_server():
    svg = render_map(TOURS, title="Touren", description="Test")
    assert svg.count("<path") == 2
    assert "<image" not in svg
    # One hub square, drawn after every stop so that nothing covers it.
    assert svg.count('class="hub"') == 1
    assert svg.rindex('class="stop"') < svg.index('class="hub"')
    assert all(0 <= x <= 640 and 0 <= y <= 440 for x, y in _coordinates(svg))


def test_map_with_tiles_draws_them_behind_the_tours():
    svg = render_map(TOURS, title="Touren", description="Test",
                     tile_url="https://tiles.example.org/{z}/{x}/{y}.png", attribution="© Kartendaten")
    images = re.findall(r'<image href="https://tiles.example.org/(\d+)/(\d+)/(\d+).png"', svg)
    assert images, "no tiles drawn"
    zooms = {int(z) for z, _, _ in images}
    assert len(zooms) == 1 and 9 <= zooms.pop() <= 13  # a district-sized view
    assert svg.index("<image") < svg.index("<path")  # tiles lie underneath
    assert "© Kartendaten" in svg
    # Stops stay inside the box, north above south (Mendig lies north of Kehrig).
    points = _coordinates(svg)
    assert all(0 <= x <= 640 and 0 <= y <= 440 for x, y in points)
    kehrig, _, mendig = points
    assert mendig[1] < kehrig[1]


def test_content_security_policy_admits_only_the_configured_tile_server():
    assert "img-src 'self' data:;" in content_security_policy(None)
    policy = content_security_policy("https://tiles.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://tiles.example.org;" in policy
