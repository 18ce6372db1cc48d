"""The region admin moves a municipality into a sub-region and invites its new coordinator,
who activates the account with the link from the invitation and approves the producer waiting
in the sub-region from the dashboard."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.admin.demo_onboarding import APPLICATION
from marketplace.catalog.models import Producer
from marketplace.notifications.models import Notification
from marketplace.regions.models import Municipality
from tests.e2e.test_tours_e2e import log_in

pytestmark = pytest.mark.e2e


def test_region_admin_adds_a_municipality_and_assigns_a_coordinator_who_approves_a_producer(
        desktop_page, live_server, demo):
    base, page = live_server, desktop_page
    log_in(page, base, "admin@example.org")
    page.goto(f"{base}/me/admin")
    page.get_by_role("link", name="Region einrichten").click()
    page.get_by_role("link", name="Eifel", exact=True).click()

    page.get_by_label("Gemeinde aus einem anderen Liefergebiet").select_option(label="VG Rhein-Mosel (Maifeld-Mosel)")
    page.get_by_role("button", name="Gemeinde hinzufügen").click()
    expect(page.get_by_text("Die Gemeinde gehört jetzt zu diesem Liefergebiet.")).to_be_visible()
    expect(page.get_by_role("link", name="VG Rhein-Mosel", exact=True)).to_be_visible()

    page.get_by_label("E-Mail-Adresse").fill("neu-koordination@example.org")
    page.locator("#inv-name").fill("Nora Neu")
    page.get_by_label("Aufgabe").select_option("coordinator")
    page.get_by_role("button", name="Einladen").click()
    expect(page.get_by_text("Die Einladung ist verschickt.")).to_be_visible()
    expect(page.get_by_text("Nora Neu (neu-koordination@example.org)")).to_be_visible()

    page.get_by_role("link", name="Protokoll").first.click()
    expect(page.get_by_role("cell", name="municipality.moved")).to_be_visible()
    expect(page.get_by_role("cell", name="role.granted")).to_be_visible()

    demo.session.expire_all()
    moved = demo.session.scalars(select(Municipality).where(Municipality.name == "VG Rhein-Mosel")).one()
    assert moved.sub_region.slug == "eifel" and len(moved.places) == 4
    note = demo.session.scalars(select(Notification).where(Notification.kind == "sub_region_invitation")).one()
    link = note.context["invite_url"]
    eifel_id = moved.sub_region_id
    demo.session.rollback()  # SQLite: the server's requests must not wait for this transaction

    page.get_by_role("button", name="Abmelden").click()
    page.goto(link)
    page.get_by_label("Passwort (mindestens 10 Zeichen)").fill("ein-langes-passwort")
    page.get_by_label("Passwort wiederholen").fill("ein-langes-passwort")
    page.get_by_role("button", name="Konto aktivieren").click()
    expect(page.get_by_text("Willkommen! Ihr Konto ist bereit.")).to_be_visible()
    demo.session.expire_all()
    user = demo.session.scalars(select(User).where(User.email == "neu-koordination@example.org")).one()
    assert user.active and eifel_id in user.scopes(Role.COORDINATOR)
    demo.session.rollback()

    # The new coordinator's first work: the producer waiting in the sub-region (the demo's).
    page.goto(f"{base}/koordination/eifel")
    page.locator("#waiting-h + h3 + ul").get_by_role("link", name=APPLICATION.name).click()
    expect(page.get_by_role("heading", level=1, name=APPLICATION.name)).to_be_visible()
    page.get_by_role("button", name="Freischalten").click()
    expect(page.get_by_text(f"{APPLICATION.name} ist freigeschaltet und im Katalog.")).to_be_visible()
    page.goto(f"{base}/koordination/eifel")
    expect(page.get_by_text("Keine Erzeuger warten auf Freigabe.")).to_be_visible()
    demo.session.expire_all()
    producer = demo.session.scalars(select(Producer).where(Producer.name == APPLICATION.name)).one()
    assert producer.is_approved and producer.decided_by_id == user.id
    demo.session.rollback()
