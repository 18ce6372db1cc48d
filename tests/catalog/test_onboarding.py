"""Producers apply, the sub-region's coordinator approves or declines, owners invite staff."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.admin.demo import seed_demo
from marketplace.catalog import onboarding
from marketplace.catalog.models import Producer, StaffInvitation
from marketplace.catalog.onboarding_views import invitation_link
from marketplace.core.clock import utcnow
from marketplace.notifications.kinds import render
from marketplace.notifications.models import Notification
from marketplace.reports.queries import get_sub_region_figures
from tests import factories as f
from tests.conftest import NOW, csrf_token_from, login

APPLY = "/erzeuger/bewerben"


@pytest.fixture
def world(db):
    """Two sub-regions, each with a village and a coordinator."""
    region = f.make_region()
    eifel, mosel = f.make_sub_region(region, slug="eifel"), f.make_sub_region(region, slug="mosel")
    village = f.make_place(f.make_municipality(eifel), name="Kehrig", lat=50.28, lon=7.22)
    other = f.make_place(f.make_municipality(mosel), name="Polch", lat=50.30, lon=7.31)
    coordinator = f.make_user("koordination@example.org", Role.COORDINATOR, eifel.id)
    mosel_coordinator = f.make_user("mosel@example.org", Role.COORDINATOR, mosel.id)
    db.session.commit()
    return type("World", (), dict(eifel=eifel, mosel=mosel, village=village, other=other,
                                  coordinator=coordinator, mosel_coordinator=mosel_coordinator))


def _application(**changes) -> onboarding.Application:
    values = dict(name="Imkerei Sonnenhang", street="Waldweg 3", postcode="56729", town="Kehrig",
                  description="Honig und Wachs", organic_control_number="de-öko-006", vat_status="small_business")
    values.update(changes)
    return onboarding.Application(**values)


def _account(**changes) -> onboarding.NewAccount:
    values = dict(email="Imkerin@Example.org", password="bienen-summen-1", name="Anna Imker",
                  hash_method="pbkdf2:sha256:1000")
    values.update(changes)
    return onboarding.NewAccount(**values)


def _kinds(db, user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.recipient_id == user.id)))


def _counts(db) -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Producer, User, Notification))


# --- Services -------------------------------------------------------------------------------

def test_an_application_makes_a_pending_producer_with_its_owner_and_tells_the_coordinator(db, world):
    producer = onboarding.apply_as_producer(application=_application(), owner=None, account=_account(), now=NOW)
    db.session.commit()
    assert producer.is_pending and not producer.is_approved
    assert producer.place == world.village and producer.postcode == "56729"
    assert producer.organic_control_number == "DE-ÖKO-006" and producer.vat_status == "small_business"
    assert producer.vat_rates == (0,)
    owner = producer.owner
    assert owner.email == "imkerin@example.org" and owner.scopes(Role.PRODUCER) == [producer.id]
    assert _kinds(db, world.coordinator) == ["producer_applied"]
    assert _kinds(db, world.mosel_coordinator) == []


@pytest.mark.parametrize("changes, field", [
    ({"name": " "}, "name"),
    ({"postcode": "5672"}, "postcode"),
    ({"postcode": "10115", "town": "Berlin"}, "postcode"),  # outside every sub-region
    ({"organic_control_number": "Bio seit 1990"}, "organic_control_number"),
    ({"vat_status": "16"}, "vat_status"),
])
def test_a_wrong_application_names_the_field_and_writes_nothing(db, world, changes, field):
    before = _counts(db)
    with pytest.raises(onboarding.InvalidApplication) as raised:
        onboarding.apply_as_producer(application=_application(**changes), owner=None, account=_account(), now=NOW)
    db.session.rollback()
    assert field in raised.value.errors
    assert _counts(db) == before


def test_an_application_with_a_taken_email_or_short_password_is_refused(db, world):
    f.make_user("imkerin@example.org")
    db.session.commit()
    before = _counts(db)
    with pytest.raises(onboarding.InvalidApplication) as raised:
        onboarding.apply_as_producer(application=_application(), owner=None,
                                     account=_account(password="kurz"), now=NOW)
    db.session.rollback()
    assert {"email", "password"} <= set(raised.value.errors)
    assert _counts(db) == before


def test_only_approved_producers_are_listed_and_approval_tells_the_owner(db, world, client):
    product_name = "Waldhonig aus dem Sonnenhang"
    producer = onboarding.apply_as_producer(application=_application(), owner=None, account=_account(), now=NOW)
    f.make_product(producer, name=product_name, vat_rate=0)
    db.session.commit()
    assert product_name not in client.get("/produkte").get_data(as_text=True)
    assert product_name not in str(client.get("/api/v1/products?per_page=100").get_json())
    onboarding.approve_producer(producer=producer, decided_by=world.coordinator, now=NOW)
    db.session.commit()
    assert product_name in client.get("/produkte").get_data(as_text=True)
    assert product_name in str(client.get("/api/v1/products?per_page=100").get_json())
    assert producer.decided_by_id == world.coordinator.id
    assert _kinds(db, producer.owner) == ["producer_approved"]
    with pytest.raises(onboarding.AlreadyDecided):
        onboarding.decline_producer(producer=producer, decided_by=world.coordinator, reason="zu spät", now=NOW)


def test_declining_needs_a_reason_that_the_applicant_reads(db, world, app):
    producer = onboarding.apply_as_producer(application=_application(), owner=None, account=_account(), now=NOW)
    db.session.commit()
    with pytest.raises(onboarding.InvalidApplication):
        onboarding.decline_producer(producer=producer, decided_by=world.coordinator, reason="  ", now=NOW)
    assert producer.is_pending
    onboarding.decline_producer(producer=producer, decided_by=world.coordinator,
                                reason="Wir haben schon drei Imkereien.", now=NOW)
    db.session.commit()
    assert producer.is_declined and not producer.is_approved
    row = db.session.scalars(select(Notification).where(Notification.kind == "producer_declined")).one()
    for language, greeting in (("de", "Guten Tag"), ("en", "Hello")):
        text = render(row.kind, row.context, language).text
        assert "Wir haben schon drei Imkereien." in text and greeting in text
    with pytest.raises(onboarding.AlreadyDecided):
        onboarding.approve_producer(producer=producer, decided_by=world.coordinator, now=NOW)


def test_an_invitation_is_accepted_once_before_it_expires(db, world):
    owner = f.make_user("chef@example.org", role=None)
    producer = onboarding.apply_as_producer(application=_application(), owner=owner, account=None, now=NOW)
    invitation = onboarding.invite_staff(producer=producer, email="Helfer@example.org", invited_by=owner,
                                         now=NOW, link_for=lambda i: f"https://x/einladung/{i}")
    db.session.commit()
    invited = invitation.user
    assert not invited.active and onboarding.needs_new_account(invitation)
    row = db.session.scalars(select(Notification).where(Notification.kind == "staff_invitation")).one()
    assert row.context["accept_url"] == f"https://x/einladung/{invitation.id}" and row.address == "helfer@example.org"
    with pytest.raises(onboarding.InvalidApplication):
        onboarding.accept_invitation(invitation=invitation, now=NOW, name="Ben", password="kurz")
    db.session.rollback()
    assert not invited.active and invited.scopes(Role.PRODUCER) == []
    late = NOW + timedelta(days=onboarding.INVITATION_DAYS)
    with pytest.raises(onboarding.InvitationUsed):
        onboarding.accept_invitation(invitation=invitation, now=late, name="Ben", password="lange-genug-1")
    onboarding.accept_invitation(invitation=invitation, now=NOW + timedelta(days=1), name="Ben Helfer",
                                 password="lange-genug-1", hash_method="pbkdf2:sha256:1000")
    db.session.commit()
    assert invited.active and invited.name == "Ben Helfer" and invited.check_password("lange-genug-1")
    assert invited.scopes(Role.PRODUCER) == [producer.id]
    with pytest.raises(onboarding.InvitationUsed):
        onboarding.accept_invitation(invitation=invitation, now=NOW + timedelta(days=1))
    with pytest.raises(onboarding.AlreadyStaff):
        onboarding.invite_staff(producer=producer, email="helfer@example.org", invited_by=owner, now=NOW,
                                link_for=str)


def test_an_invitation_to_an_existing_account_keeps_its_password(db, world):
    owner = f.make_user("chef@example.org", role=None)
    resident = f.make_user("nachbar@example.org")
    producer = onboarding.apply_as_producer(application=_application(), owner=owner, account=None, now=NOW)
    invitation = onboarding.invite_staff(producer=producer, email="nachbar@example.org", invited_by=owner,
                                         now=NOW, link_for=str)
    assert not onboarding.needs_new_account(invitation)
    onboarding.accept_invitation(invitation=invitation, now=NOW, name="Fremd", password="anderes-passwort")
    db.session.commit()
    assert resident.check_password(f.TEST_PASSWORD) and resident.name != "Fremd"
    assert resident.roles() == {Role.RESIDENT, Role.PRODUCER}


# --- Web: the application form, the coordinator's screens, the team page ---------------------

def _apply_form(**changes) -> dict:
    data = {"name": "Imkerei Sonnenhang", "street": "Waldweg 3", "postcode": "56729", "town": "Kehrig",
            "description": "Honig", "organic_control_number": "", "vat_status": "regular",
            "account_name": "Anna Imker", "email": "imkerin@example.org", "password": "bienen-summen-1",
            "password_repeat": "bienen-summen-1"}
    data.update(changes)
    return data


def test_the_public_form_applies_and_signs_the_owner_in(client, world):
    data = _apply_form(csrf_token=csrf_token_from(client, APPLY))
    response = client.post(APPLY, data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/producer")
    producer = onboarding.list_applications(world.eifel.id, pending=True)[0]
    assert producer.name == "Imkerei Sonnenhang" and producer.owner.email == "imkerin@example.org"
    assert "wartet auf Freischaltung" in client.get("/me/producer").get_data(as_text=True)


@pytest.mark.parametrize("changes, message", [
    ({"postcode": "10115", "town": "Berlin"}, "außerhalb unserer Liefergebiete"),
    ({"organic_control_number": "123"}, "DE-ÖKO-006"),
    ({"password_repeat": "etwas-anderes"}, "stimmen nicht überein"),
    ({"email": ""}, 'id="email-error"'),
])
def test_a_wrong_application_is_a_form_error_and_nothing_is_written(client, world, db, changes, message):
    before = _counts(db)
    data = _apply_form(**changes, csrf_token=csrf_token_from(client, APPLY))
    response = client.post(APPLY, data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _counts(db) == before


def _pending(db, world, sub_region=None) -> Producer:
    owner = f.make_user(role=None)
    producer = onboarding.apply_as_producer(
        application=_application(**({"town": "Polch", "postcode": "56751"} if sub_region == "mosel" else {})),
        owner=owner, account=None, now=NOW)
    db.session.commit()
    return producer


def test_the_coordinator_sees_and_approves_the_waiting_applications_of_their_sub_region(client, world, db):
    mine, theirs = _pending(db, world), _pending(db, world, "mosel")
    assert theirs.place == world.other
    login(client, "koordination@example.org", f.TEST_PASSWORD)
    page = client.get("/delivery/eifel/producers").get_data(as_text=True)
    assert f"/delivery/eifel/producers/{mine.id}" in page and f"/producers/{theirs.id}" not in page
    token = csrf_token_from(client, f"/delivery/eifel/producers/{mine.id}")
    assert client.post(f"/delivery/eifel/producers/{mine.id}/approve", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert mine.is_approved
    assert client.get("/delivery/eifel/producers").status_code == 200


def test_another_sub_regions_applicant_is_not_found_and_unchanged(client, world, db):
    theirs = _pending(db, world, "mosel")
    login(client, "koordination@example.org", f.TEST_PASSWORD)
    token = csrf_token_from(client, "/delivery/eifel/producers")
    assert client.get(f"/delivery/eifel/producers/{theirs.id}").status_code == 404
    for action in ("approve", "decline"):
        response = client.post(f"/delivery/eifel/producers/{theirs.id}/{action}",
                               data={"csrf_token": token, "reason": "nein"})
        assert response.status_code == 404
    # Through the other sub-region's own pages it is just as missing.
    assert client.get("/delivery/mosel/producers").status_code == 404
    assert client.get(f"/delivery/mosel/producers/{theirs.id}").status_code == 404
    for action in ("approve", "decline"):
        response = client.post(f"/delivery/mosel/producers/{theirs.id}/{action}",
                               data={"csrf_token": token, "reason": "nein"})
        assert response.status_code == 404
    db.session.expire_all()
    assert theirs.is_pending and theirs.decline_reason is None


def test_declining_without_a_reason_is_a_form_error_and_residents_may_not_decide(client, world, db):
    mine = _pending(db, world)
    f.make_user("bewohner@example.org")
    db.session.commit()
    login(client, "koordination@example.org", f.TEST_PASSWORD)
    token = csrf_token_from(client, f"/delivery/eifel/producers/{mine.id}")
    response = client.post(f"/delivery/eifel/producers/{mine.id}/decline", data={"csrf_token": token, "reason": " "})
    assert response.status_code == 422 and "Grund" in response.get_data(as_text=True)
    db.session.expire_all()
    assert mine.is_pending
    response = client.post(f"/delivery/eifel/producers/{mine.id}/decline",
                           data={"csrf_token": token, "reason": "Außerhalb unseres Gebiets"})
    assert response.status_code == 302
    db.session.expire_all()
    assert mine.is_declined and mine.decline_reason == "Außerhalb unseres Gebiets"
    client.post("/logout", data={"csrf_token": token})
    login(client, "bewohner@example.org", f.TEST_PASSWORD)
    assert client.get("/delivery/eifel/producers").status_code == 403


def test_the_owner_invites_staff_who_accept_through_the_link(client, world, db, app):
    owner = f.make_user("chef@example.org", role=None)
    producer = onboarding.apply_as_producer(application=_application(), owner=owner, account=None, now=NOW)
    db.session.commit()
    login(client, "chef@example.org", f.TEST_PASSWORD)
    token = csrf_token_from(client, "/me/producer/team")
    response = client.post("/me/producer/team", data={"csrf_token": token, "email": "helfer@example.org"})
    assert response.status_code == 302
    row = db.session.scalars(select(Notification).where(Notification.kind == "staff_invitation")).one()
    link = row.context["accept_url"]
    path = link[link.index("/einladung/"):]
    client.post("/logout", data={"csrf_token": token})
    assert client.get(path[:-3] + "abc").status_code == 404  # a forged token
    form_token = csrf_token_from(client, path)
    response = client.post(path, data={"csrf_token": form_token, "name": "Ben Helfer",
                                       "password": "lange-genug-1", "password_repeat": "lange-genug-1"})
    assert response.status_code == 302
    helper = db.session.scalars(select(User).where(User.email == "helfer@example.org")).one()
    assert helper.active and helper.scopes(Role.PRODUCER) == [producer.id]
    assert client.get("/me/producer/products").status_code == 200
    assert client.get(path).status_code == 410  # used
    # Staff who are not the owner may not invite.
    token = csrf_token_from(client, "/me/producer/team")
    response = client.post("/me/producer/team", data={"csrf_token": token, "email": "noch@example.org"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(StaffInvitation)) == 1


def test_an_invitation_with_a_bad_email_is_a_form_error(client, world, db):
    owner = f.make_user("chef@example.org", role=None)
    onboarding.apply_as_producer(application=_application(), owner=owner, account=None, now=NOW)
    db.session.commit()
    login(client, "chef@example.org", f.TEST_PASSWORD)
    token = csrf_token_from(client, "/me/producer/team")
    response = client.post("/me/producer/team", data={"csrf_token": token, "email": "kein-at-zeichen"})
    assert response.status_code == 422
    response = client.post("/me/producer/team", data={"csrf_token": token, "email": "chef@example.org"})
    assert response.status_code == 422 and "schon für Ihren Betrieb" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(StaffInvitation)) == 0


def test_the_demo_has_an_application_waiting_for_the_eifel_coordinator(client, demo, db):
    login(client, "coordinator@example.org")
    page = client.get("/me/coordinator").get_data(as_text=True)
    assert "/delivery/eifel/producers" in page
    page = client.get("/delivery/eifel/producers").get_data(as_text=True)
    assert "Imkerei am Hochsimmer" in page
    waiting = db.session.scalars(select(Producer).where(Producer.name == "Imkerei am Hochsimmer")).one()
    token = csrf_token_from(client, f"/delivery/eifel/producers/{waiting.id}")
    assert client.post(f"/delivery/eifel/producers/{waiting.id}/approve", data={"csrf_token": token}).status_code == 302
    seed_demo(now=NOW, password_hash_method="pbkdf2:sha256:1000")  # again: nothing new
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Producer).where(Producer.name == "Imkerei am Hochsimmer")) == 1
    schmitz = db.session.scalars(select(Producer).where(Producer.name == "Hofladen Schmitz")).one()
    assert schmitz.owner.email == "producer@example.org"


def test_a_signed_in_person_applies_with_their_own_account(client, world, db):
    resident = f.make_user("nachbarin@example.org")
    db.session.commit()
    login(client, "nachbarin@example.org", f.TEST_PASSWORD)
    data = {k: v for k, v in _apply_form().items() if k not in ("account_name", "email", "password", "password_repeat")}
    response = client.post(APPLY, data={**data, "csrf_token": csrf_token_from(client, APPLY)})
    assert response.status_code == 302
    producer = onboarding.list_applications(world.eifel.id, pending=True)[0]
    assert producer.owner_id == resident.id and resident.roles() == {Role.RESIDENT, Role.PRODUCER}
    assert client.get(APPLY).status_code == 302  # already works for a producer


def test_an_existing_account_accepts_only_when_signed_in_as_itself(client, world, db):
    owner = f.make_user("chef@example.org", role=None)
    resident = f.make_user("nachbar@example.org")
    producer = onboarding.apply_as_producer(application=_application(), owner=owner, account=None, now=NOW)
    invitation = onboarding.invite_staff(producer=producer, email="nachbar@example.org", invited_by=owner,
                                         now=utcnow(), link_for=str)  # the pages' clock
    db.session.commit()
    with client.application.test_request_context():
        link = invitation_link(invitation.id)
    path = link[link.index("/einladung/"):]
    page = client.get(path).get_data(as_text=True)
    assert "Bitte melden Sie sich damit an" in page
    login(client, "chef@example.org", f.TEST_PASSWORD)  # someone else
    assert client.post(path, data={"csrf_token": csrf_token_from(client, "/me/producer")}).status_code == 200
    db.session.expire_all()
    assert resident.scopes(Role.PRODUCER) == [] and invitation.accepted_at is None
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/me/producer")})
    login(client, "nachbar@example.org", f.TEST_PASSWORD)
    response = client.post(path, data={"csrf_token": csrf_token_from(client, path)})
    assert response.status_code == 302
    db.session.expire_all()
    assert resident.scopes(Role.PRODUCER) == [producer.id] and resident.check_password(f.TEST_PASSWORD)


def test_a_new_account_with_mismatched_passwords_stays_closed(client, world, db):
    owner = f.make_user("chef@example.org", role=None)
    producer = onboarding.apply_as_producer(application=_application(), owner=owner, account=None, now=NOW)
    invitation = onboarding.invite_staff(producer=producer, email="neu@example.org", invited_by=owner,
                                         now=utcnow(), link_for=str)
    db.session.commit()
    with client.application.test_request_context():
        link = invitation_link(invitation.id)
    path = link[link.index("/einladung/"):]
    response = client.post(path, data={"csrf_token": csrf_token_from(client, path), "name": "Neu",
                                       "password": "lange-genug-1", "password_repeat": "anders-lang-2"})
    assert response.status_code == 422 and "stimmen nicht überein" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not invitation.user.active and invitation.accepted_at is None


def test_a_decided_application_cannot_be_decided_again_on_the_web(client, world, db):
    mine = _pending(db, world)
    onboarding.decline_producer(producer=mine, decided_by=world.coordinator, reason="Nein", now=NOW)
    db.session.commit()
    login(client, "koordination@example.org", f.TEST_PASSWORD)
    token = csrf_token_from(client, f"/delivery/eifel/producers/{mine.id}")
    response = client.post(f"/delivery/eifel/producers/{mine.id}/approve", data={"csrf_token": token},
                           headers={"Referer": f"/delivery/eifel/producers/{mine.id}"})
    assert response.status_code == 302
    assert "schon entschieden" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert mine.is_declined and not mine.is_approved


def test_the_coordinators_figures_count_waiting_applications_not_declined_ones(db, world):
    waiting, declined = _pending(db, world), _pending(db, world)
    onboarding.decline_producer(producer=declined, decided_by=world.coordinator, reason="Nein", now=NOW)
    db.session.commit()
    figures = get_sub_region_figures(world.eifel)
    assert (figures.pending_producers, figures.producers) == (1, 0)
    assert waiting.is_pending
