"""Geodesic matrices, the OSRM table client against a local server, fallback and cache."""
from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from geopy.distance import geodesic

from marketplace.delivery.routing import OsrmError, build_matrices, distances, geodesic_matrices, osrm_table

MAYEN = (50.3279, 7.2228)
MONREAL = (50.2998, 7.1636)
KEHRIG = (50.2847, 7.2186)


def test_geodesic_matrix_applies_road_factor_and_speed():
    m = geodesic_matrices([MAYEN, MONREAL], road_factor=1.3, speed_kmh=45)
    expected = geodesic(MAYEN, MONREAL).meters * 1.3
    assert m.distance[0][1] == round(expected) == m.distance[1][0]
    assert m.duration[0][1] == round(expected / (45 / 3.6))
    assert m.distance[0][0] == 0 and m.source == "geodesic"


def test_large_matrices_stay_within_a_tenth_of_a_percent_of_geopy(monkeypatch):
    monkeypatch.setattr(distances, "EXACT_GEODESIC_MAX_POINTS", 1)
    points = [MAYEN, MONREAL, KEHRIG, (50.42, 7.58)]
    fast = geodesic_matrices(points, road_factor=1.0)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            if i != j:
                assert fast.distance[i][j] == pytest.approx(geodesic(a, b).meters, rel=1e-3)


class _Osrm(BaseHTTPRequestHandler):
    mode = "ok"
    calls = 0

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).calls += 1
        if self.mode == "slow":
            time.sleep(1.0)
        if self.mode == "http500":
            self.send_response(500)
            self.end_headers()
            return
        coords = self.path.split("/table/v1/driving/")[1].split("?")[0].split(";")
        n = len(coords)
        if self.mode == "ok":
            body = json.dumps({
                "code": "Ok",
                "distances": [[0 if i == j else 1000 * (i + j) for j in range(n)] for i in range(n)],
                "durations": [[0 if i == j else 60.4 * (i + j) for j in range(n)] for i in range(n)],
            }).encode()
        elif self.mode == "error":
            body = json.dumps({"code": "InvalidQuery", "message": "Query string malformed"}).encode()
        else:
            body = b"<html>not json"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def osrm():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Osrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Osrm.mode, _Osrm.calls = "ok", 0
    distances.clear_cache()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    distances.clear_cache()


def test_osrm_table_reads_distances_and_durations(osrm):
    m = osrm_table([MAYEN, MONREAL, KEHRIG], osrm)
    assert m.distance[0][2] == 2000 and m.distance[1][2] == 3000
    assert m.duration[1][0] == 60 and m.source == "osrm"


@pytest.mark.parametrize("mode, message", [
    ("error", "InvalidQuery"),
    ("garbage", "malformed JSON"),
    ("http500", "HTTP 500"),
    ("slow", "did not answer within"),
])
def test_osrm_table_raises_clear_errors(osrm, mode, message):
    _Osrm.mode = mode
    with pytest.raises(OsrmError, match=message):
        osrm_table([MAYEN, MONREAL], osrm, timeout=0.3)


def test_osrm_unreachable_is_an_osrm_error():
    with pytest.raises(OsrmError, match="not reachable|connection"):
        osrm_table([MAYEN, MONREAL], "http://127.0.0.1:9", timeout=0.5)


def test_build_matrices_falls_back_to_geodesic_with_a_warning(osrm, caplog):
    _Osrm.mode = "garbage"
    with caplog.at_level(logging.WARNING):
        m = build_matrices([MAYEN, MONREAL], osrm)
    assert m.source == "geodesic"
    assert m.distance[0][1] == geodesic_matrices([MAYEN, MONREAL]).distance[0][1]
    assert "falling back to geodesic" in caplog.text


def test_build_matrices_caches_per_day_and_place_set_in_any_order(osrm):
    first = build_matrices([MAYEN, MONREAL, KEHRIG], osrm, day="2025-03-04")
    again = build_matrices([KEHRIG, MAYEN, MONREAL], osrm, day="2025-03-04")
    assert _Osrm.calls == 1
    # Same pairs, reordered with the points.
    assert again.distance[1][2] == first.distance[0][1]
    assert again.distance[0][1] == first.distance[2][0]
    build_matrices([MAYEN, MONREAL, KEHRIG], osrm, day="2025-03-05")
    assert _Osrm.calls == 2
