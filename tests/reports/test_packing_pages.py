"""The producer's day in the portal and the API: pages, files, changes, and other producers' 404s."""
from __future__ import annotations

import re

import pytest

from marketplace.extensions import db
from marketplace.orders.models import OrderStatus, ProducerMinimum
from tests.api.conftest import Clock, token_for
from tests.conftest import login
from tests.factories import TEST_PASSWORD
from tests.reports.packing_world import (
    AFTER_MONDAY_CUTOFF,
    NOW,
    TUESDAY,
    make_packing_world,
    notices,
    order_for,
)

DAY = TUESDAY.isoformat()


@pytest.fixture
def clock(app, monkeypatch):
    clock = Clock(NOW)
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", clock)
    return clock


@pytest.fixture
def pw(db, clock):
    return make_packing_world()


@pytest.fixture
def order(pw):
    return order_for(pw, [(pw.roast, 2), (pw.bread, 1), (pw.milk, 1)])


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _signed_in(client, user):
    login(client, user.email, TEST_PASSWORD)
    return client


def _roast_line(order, pw):
    return next(line for line in order.lines if line.product_id == pw.roast.id)


def test_the_day_page_shows_the_pick_list_and_the_packing_list(client, pw, order):
    _signed_in(client, pw.staff_a)
    page = client.get(f"/me/producer/tage/{DAY}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Pickliste" in html and "Packliste" in html and order.number in html
    assert "Schweinebraten" in html and "Vollmilch" not in html  # producer B's line
    assert pw.station.name in html and pw.resident.name in html
    assert "Hauptstraße" not in html  # no street for a pickup place
    index = client.get("/me/producer/tage").get_data(as_text=True)
    assert TUESDAY.strftime("%Y-%m-%d") in index


def test_print_page_labels_pdf_and_csv(client, pw, order):
    _signed_in(client, pw.staff_a)
    printed = client.get(f"/me/producer/tage/{DAY}/drucken").get_data(as_text=True)
    assert "window.print()" in printed and order.number in printed
    labels = client.get(f"/me/producer/tage/{DAY}/etiketten").get_data(as_text=True)
    assert labels.count('class="crate-label"') == 1 and "<svg" in labels and order.number in labels
    for kind in ("packliste", "etiketten"):
        pdf = client.get(f"/me/producer/tage/{DAY}/{kind}.pdf")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    pick = client.get(f"/me/producer/tage/{DAY}/pickliste.csv")
    text = pick.data.decode("utf-8")
    assert text.startswith("\ufeffArtikelnummer;Produkt;Einheit;Lagerung;Menge;Fehlmenge;Zu packen")
    assert "Schweinebraten;Stück;ungekühlt;2;0;2" in text
    packed = client.get(f"/me/producer/tage/{DAY}/packliste.csv").data.decode("utf-8")
    assert order.number in packed and pw.resident.name in packed
    assert client.get(f"/me/producer/tage/{DAY}/etiketten.csv").status_code == 404
    assert client.get("/me/producer/tage/2026-02-30").status_code == 404


def test_names_that_start_like_a_formula_are_guarded_in_the_pick_and_packing_lists(client, pw):
    pw.roast.name, pw.resident.name = "-Angebot-", "=HYPERLINK(1)"
    db.session.commit()
    order_for(pw, [(pw.roast, 2)])
    _signed_in(client, pw.staff_a)
    pick = client.get(f"/me/producer/tage/{DAY}/pickliste.csv").data.decode("utf-8")
    assert ";'-Angebot-;Stück;ungekühlt;2;0;2" in pick
    packed = client.get(f"/me/producer/tage/{DAY}/packliste.csv").data.decode("utf-8")
    assert ";'=HYPERLINK(1);" in packed and ";'-Angebot-;2;0;" in packed


def test_entering_a_weight_changes_the_price_the_resident_sees(client, pw, order):
    _signed_in(client, pw.staff_a)
    line = _roast_line(order, pw)
    page = client.get(f"/me/producer/tage/{DAY}").get_data(as_text=True)
    answer = client.post(f"/me/producer/tage/positionen/{line.id}/gewicht", data={"gewicht": "1100", "csrf_token": _csrf(page)})
    assert answer.status_code == 302
    db.session.expire_all()
    assert line.total_cents == 1320 and order.total_cents == 1320 + 450 + 149
    client.post("/logout", data={"csrf_token": _csrf(page)})
    _signed_in(client, pw.resident)
    mine = client.get(f"/bestellungen/{order.id}").get_data(as_text=True)
    assert "13,20" in mine and "19,19" in mine


def test_a_weight_outside_the_bound_is_a_form_error_and_changes_nothing(client, pw, order):
    _signed_in(client, pw.staff_a)
    line = _roast_line(order, pw)
    page = client.get(f"/me/producer/tage/{DAY}").get_data(as_text=True)
    for grams in ("2000", "abc", ""):
        answer = client.post(f"/me/producer/tage/positionen/{line.id}/gewicht", data={"gewicht": grams, "csrf_token": _csrf(page)})
        assert answer.status_code == 422
    assert "zwischen 800 g und 1200 g" in client.post(
        f"/me/producer/tage/positionen/{line.id}/gewicht", data={"gewicht": "2000", "csrf_token": _csrf(page)}
    ).get_data(as_text=True)
    db.session.expire_all()
    assert line.weight_grams is None and line.total_cents == 1200
    assert notices("order_line_weighed") == []


def test_marking_short_and_packed_in_the_portal(client, pw, order, clock):
    _signed_in(client, pw.staff_a)
    line = _roast_line(order, pw)
    token = _csrf(client.get(f"/me/producer/tage/{DAY}").get_data(as_text=True))
    assert client.post(f"/me/producer/tage/positionen/{line.id}/fehlmenge", data={"fehlmenge": "1", "csrf_token": token}).status_code == 302
    assert client.post(f"/me/producer/tage/positionen/{line.id}/fehlmenge", data={"fehlmenge": "9", "csrf_token": token}).status_code == 422
    db.session.expire_all()
    assert line.short_quantity == 1 and line.short_cents == 600
    client.post(f"/me/producer/tage/{DAY}/gepackt", data={"csrf_token": token})  # before the cut-off: refused
    db.session.expire_all()
    assert all(po.packed_at is None for po in order.producer_orders)
    clock.now = AFTER_MONDAY_CUTOFF
    assert client.post(f"/me/producer/tage/{DAY}/gepackt", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert order.status == OrderStatus.CONFIRMED  # producer B has not packed yet
    assert [po.packed_at is not None for po in order.producer_orders] == [True, False]


def test_another_producers_line_and_day_are_404_and_nothing_changes(client, pw, order, clock):
    _signed_in(client, pw.staff_b)
    line = _roast_line(order, pw)  # producer A's
    token = _csrf(client.get(f"/me/producer/tage/{DAY}").get_data(as_text=True))
    assert client.post(f"/me/producer/tage/positionen/{line.id}/gewicht", data={"gewicht": "1000", "csrf_token": token}).status_code == 404
    assert client.post(f"/me/producer/tage/positionen/{line.id}/fehlmenge", data={"fehlmenge": "1", "csrf_token": token}).status_code == 404
    assert client.post(f"/me/producer/tage/{DAY}/{pw.sub_region.slug}/absagen", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert (line.weight_grams, line.short_quantity, line.total_cents) == (None, 0, 1200)
    html = client.get(f"/me/producer/tage/{DAY}").get_data(as_text=True)
    assert "Schweinebraten" not in html and "Vollmilch" in html
    clock.now = AFTER_MONDAY_CUTOFF
    client.post(f"/me/producer/tage/{DAY}/gepackt", data={"csrf_token": token})
    db.session.expire_all()
    own_a = next(po for po in order.producer_orders if po.producer_id == pw.producer_a.id)
    assert own_a.packed_at is None


def test_the_minimum_is_set_in_the_portal(client, pw):
    _signed_in(client, pw.staff_a)
    page = client.get("/me/producer/tage").get_data(as_text=True)
    sub = pw.producer_a.place.municipality.sub_region
    client.post("/me/producer/tage/mindestumsatz", data={"teilregion": sub.id, "mindestumsatz": "50,00", "csrf_token": _csrf(page)})
    assert db.session.query(ProducerMinimum).one().minimum_cents == 5000
    client.post("/me/producer/tage/mindestumsatz", data={"teilregion": sub.id, "mindestumsatz": "-3", "csrf_token": _csrf(page)})
    assert db.session.query(ProducerMinimum).one().minimum_cents == 5000
    other_region = pw.producer_b  # a sub-region outside the producer's region is refused
    assert client.post("/me/producer/tage/mindestumsatz", data={"teilregion": 10**6, "mindestumsatz": "1", "csrf_token": _csrf(page)}).status_code == 404
    assert other_region is not None


def test_deciding_a_day_below_the_minimum_in_the_portal(client, pw, clock):
    from marketplace.orders import packing

    packing.set_minimum(producer=pw.producer_a, sub_region_id=pw.sub_region.id, minimum_cents=10_000)
    order = order_for(pw, [(pw.bread, 1)])
    packing.send_cutoff_lists(now=AFTER_MONDAY_CUTOFF)
    db.session.commit()
    clock.now = AFTER_MONDAY_CUTOFF
    _signed_in(client, pw.staff_a)
    page = client.get(f"/me/producer/tage/{DAY}").get_data(as_text=True)
    assert "Mindestumsatz" in page and "Liefertag absagen" in page
    client.post(f"/me/producer/tage/{DAY}/{pw.sub_region.slug}/absagen", data={"csrf_token": _csrf(page)})
    db.session.expire_all()
    assert order.status == OrderStatus.CANCELLED


# -- the API ----------------------------------------------------------------------------------

def _bearer(client, user):
    return {"Authorization": f"Bearer {token_for(client, user.email)}"}


def test_the_api_gives_the_day_as_json(client, pw, order):
    body = client.get(f"/api/v1/producer/days/{DAY}", headers=_bearer(client, pw.staff_a)).get_json()
    assert body["date"] == DAY and body["orders"] == 1 and body["lines"] == 2
    assert {r["name"]: r["quantity"] for r in body["pick_list"]} == {"Bauernbrot": 1, "Schweinebraten": 2}
    [group] = body["packing_list"]
    [entry] = group["orders"]
    assert entry["number"] == order.number and entry["street"] is None and entry["pickup_place"] == pw.station.name
    roast = next(li for li in entry["lines"] if li["name"] == "Schweinebraten")
    assert roast["variable_weight"] and roast["price_per_kg_cents"] == 1200
    assert client.get("/api/v1/producer/days/morgen", headers=_bearer(client, pw.staff_a)).status_code == 422
    assert client.get(f"/api/v1/producer/days/{DAY}", headers=_bearer(client, pw.resident)).status_code == 403


def test_the_api_weighs_and_shortens_lines(client, pw, order):
    headers = _bearer(client, pw.staff_a)
    line = _roast_line(order, pw)
    answer = client.patch(f"/api/v1/producer/lines/{line.id}", json={"weight_grams": 950}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["total_cents"] == 1140 and answer.get_json()["order_total_cents"] == 1140 + 450 + 149
    refused = client.patch(f"/api/v1/producer/lines/{line.id}", json={"weight_grams": 5000}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"] == "weight_out_of_bounds"
    for body in ({"short_quantity": 5}, {"weight_grams": 900, "short_quantity": 1}, {}, {"colour": "red"}):
        assert client.patch(f"/api/v1/producer/lines/{line.id}", json=body, headers=headers).status_code == 422
    db.session.expire_all()
    assert (line.weight_grams, line.short_quantity, line.total_cents) == (950, 0, 1140)
    short = client.patch(f"/api/v1/producer/lines/{line.id}", json={"short_quantity": 2}, headers=headers).get_json()
    assert short["short_cents"] == 1200 and short["total_cents"] == 0


def test_the_api_refuses_another_producers_line_with_404(client, pw, order):
    line = _roast_line(order, pw)
    headers = _bearer(client, pw.staff_b)
    for body in ({"weight_grams": 1000}, {"short_quantity": 1}):
        assert client.patch(f"/api/v1/producer/lines/{line.id}", json=body, headers=headers).status_code == 404
    assert client.patch("/api/v1/producer/lines/999999", json={"short_quantity": 1}, headers=headers).status_code == 404
    db.session.expire_all()
    assert (line.weight_grams, line.short_quantity) == (None, 0)


def test_the_api_marks_the_day_packed_after_the_cutoff(client, pw, order, clock):
    headers = _bearer(client, pw.staff_a)
    early = client.post(f"/api/v1/producer/days/{DAY}/packed", headers=headers)
    assert early.status_code == 409 and early.get_json()["error"] == "cutoff_not_reached"
    clock.now = AFTER_MONDAY_CUTOFF
    first = client.post(f"/api/v1/producer/days/{DAY}/packed", headers=headers).get_json()
    assert first == {"date": DAY, "producer_orders": 1, "orders_packed": []}
    last = client.post(f"/api/v1/producer/days/{DAY}/packed", headers=_bearer(client, pw.staff_b)).get_json()
    assert last["orders_packed"] == [order.number]


def _statements(function) -> list[str]:
    """The statements of the second of two calls (the first loads what the session caches)."""
    from sqlalchemy import event

    function()
    seen = []

    def count(*args):
        if not args[2].lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return seen


def test_the_day_renders_with_the_same_queries_at_any_size(client, pw, order):
    from tests import factories as f

    _signed_in(client, pw.staff_a)
    headers = _bearer(client, pw.staff_a)
    urls = [f"/me/producer/tage/{DAY}", f"/me/producer/tage/{DAY}/etiketten", f"/me/producer/tage/{DAY}/packliste.csv",
            f"/me/producer/tage/{DAY}/packliste.pdf"]
    small = [len(_statements(lambda u=u: client.get(u))) for u in urls]
    small_api = _statements(lambda: client.get(f"/api/v1/producer/days/{DAY}", headers=headers))
    for _ in range(12):
        order_for(pw, [(pw.roast, 1), (pw.bread, 1), (pw.cake, 1)], resident=f.make_user(home=pw.resident.home_place))
    large = [len(_statements(lambda u=u: client.get(u))) for u in urls]
    large_api = _statements(lambda: client.get(f"/api/v1/producer/days/{DAY}", headers=headers))
    assert small == large and len(small_api) == len(large_api), (small, large)
    assert client.get(urls[0]).get_data(as_text=True).count('class="packing-order"') == 13
