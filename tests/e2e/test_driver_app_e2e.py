"""Browser journey on a phone: the demo driver loads the day, loses the network, starts the tour and
confirms three stops; back online, the events are sent once, the coordinator's day view and the
residents' order pages show the deliveries, and replaying the same events changes nothing."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from marketplace.extensions import db
from tests.e2e.conftest import _new_page

pytestmark = pytest.mark.e2e
PASSWORD = "landkorb-demo"


@pytest.fixture
def living_demo(demo):
    """The demo as `flask demo seed` leaves it today: the day past its cut-off planned and published."""
    from marketplace.admin.demo import seed_demo
    from marketplace.core.clock import utcnow

    seed_demo(now=utcnow(), password_hash_method="pbkdf2:sha256:1000", activity=True, plan_seconds=0.1)
    demo.session.commit()
    return demo


@pytest.fixture
def phone(request, chromium_browser, live_server, living_demo):
    yield from _new_page(request, chromium_browser, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                         is_mobile=True, has_touch=True)


@pytest.fixture
def desktop(request, chromium_browser, live_server, living_demo):
    yield from _new_page(request, chromium_browser, viewport={"width": 1280, "height": 900})


def log_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Abmelden").click()


def snapshot():
    from marketplace.delivery.models import DriverEvent, Tour, TourStop
    from marketplace.orders.models import OrderEvent

    db.session.expire_all()
    state = ([(s.id, s.state, s.done_at) for s in db.session.scalars(select(TourStop).order_by(TourStop.id))],
             [(t.id, t.started_at, t.ended_at) for t in db.session.scalars(select(Tour).order_by(Tour.id))],
             db.session.scalar(select(func.count()).select_from(OrderEvent)),
             db.session.scalar(select(func.count()).select_from(DriverEvent)))
    db.session.commit()  # an open read would hold SQLite's lock against the server's writes
    return state


def test_the_driver_delivers_offline_and_the_events_arrive_once(phone, desktop, live_server):
    from marketplace.delivery.models import DriverEvent, StopState, Tour, TourKind, TourStop

    base, page = live_server, phone
    log_in(page, base, "driver@example.org")
    page.goto(f"{base}/delivery/driver/app/")
    trip = page.locator('section.trip[data-kind="distribution"]').first
    expect(trip).to_be_visible()
    expect(trip.locator(".route-map svg")).to_be_visible()
    expect(trip.locator(".route-map svg g.stop.next")).to_have_count(1)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    trip_id = int(trip.get_attribute("data-trip-id"))

    page.context.set_offline(True)
    page.reload()  # the service worker serves the app, IndexedDB the tour
    expect(page.locator("#app-status")).to_contain_text("Kein Netz")
    trip = page.locator(f'section.trip[data-trip-id="{trip_id}"]')
    trip.get_by_role("button", name="Tour starten").click()
    labels = []
    for n in range(3):
        card = trip.locator(f"#current-stop-{trip_id}")
        labels.append(card.get_by_role("heading", level=3).inner_text())
        card.get_by_role("button", name="Zustellung bestätigen").click()
        expect(page.locator("#pending-count")).to_have_text(str(n + 2))
    expect(page.locator("#pending-list li")).to_have_count(4)
    # Three stops done (a place may have several stops when its orders fill more than one van load).
    expect(trip.locator(".stop-list li.done")).to_have_count(3)
    for label in labels:
        expect(trip.locator(".stop-list li.done").filter(has_text=label).first).to_be_visible()
    before_online = snapshot()
    tour = db.session.get(Tour, trip_id)
    assert tour.started_at is None and tour.kind == TourKind.DISTRIBUTION  # nothing reached the server
    visits = len(tour.visits)
    db.session.commit()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#pending-count")).to_have_text("0", timeout=15_000)
    expect(page.locator("#rejected")).to_be_hidden()
    after = snapshot()
    assert after != before_online
    done = db.session.scalars(select(TourStop).where(TourStop.tour_id == trip_id, TourStop.state == StopState.DONE)
                              .order_by(TourStop.sequence)).all()
    assert [s.label for s in done] == labels
    delivered = [(link.order.resident.email, link.order_id) for s in done for link in s.orders]
    assert db.session.get(Tour, trip_id).started_at is not None
    events = [{"client_event_id": e.client_event_id, "kind": e.kind.value, "at": e.at.isoformat(),
               **({"tour_id": e.tour_id} if e.tour_id else {"stop_id": e.stop_id})}
              for e in db.session.scalars(select(DriverEvent).order_by(DriverEvent.id))]
    sub_region = db.session.get(Tour, trip_id).sub_region.slug
    day = db.session.get(Tour, trip_id).delivery_date.isoformat()
    db.session.commit()
    assert len(events) == 4

    # The coordinator's day view shows the three deliveries.
    log_in(desktop, base, f"coordinator{'' if sub_region == 'eifel' else '-' + sub_region}@example.org")
    desktop.goto(f"{base}/delivery/{sub_region}/days/{day}")
    progress = desktop.locator(f'[data-progress-for="{trip_id}"]')
    expect(progress).to_have_attribute("data-state", "started")
    expect(progress.locator("[data-done]")).to_have_text(f"3/{visits}")
    log_out(desktop)

    # Each resident's order page shows the order delivered.
    for email, order_id in delivered[:3]:
        log_in(desktop, base, email)
        desktop.goto(f"{base}/bestellungen/{order_id}")
        expect(desktop.locator(".badge.status-delivered")).to_be_visible()
        log_out(desktop)

    # The same events again: each is a duplicate, and nothing changes.
    token = page.request.post(f"{base}/api/v1/auth/token",
                              data={"email": "driver@example.org", "password": PASSWORD}).json()["token"]
    replay = page.request.post(f"{base}/api/v1/driver/events", data={"events": events},
                               headers={"Authorization": f"Bearer {token}"})
    assert replay.status == 200
    assert [r["status"] for r in replay.json()["results"]] == ["duplicate"] * 4
    assert snapshot() == after
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # Offline again, the driver confirms the next stop, which meanwhile was confirmed from
    # elsewhere: back online, the event is rejected, and the phone says so.
    page.context.set_offline(True)
    card = page.locator(f"#current-stop-{trip_id}")
    next_id = int(card.get_attribute("data-stop-id"))
    card.get_by_role("button", name="Zustellung bestätigen").click()
    expect(page.locator("#pending-count")).to_have_text("1")
    from marketplace.core.clock import utcnow
    from marketplace.delivery.services import confirm_stop_delivered

    confirm_stop_delivered(db.session.get(TourStop, next_id), now=utcnow())
    db.session.commit()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#pending-count")).to_have_text("0", timeout=15_000)
    expect(page.locator("#rejected")).to_be_visible()
    expect(page.locator("#rejected-list li")).to_contain_text("schon erledigt")
