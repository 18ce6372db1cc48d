"""Region set-up: every change is logged, refused input changes nothing, other regions are 404."""
from __future__ import annotations

import re
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.accounts.models import Membership, Role, User
from marketplace.notifications import invitations
from marketplace.notifications.models import Notification
from marketplace.regions import setup
from marketplace.regions.changes import RegionChange
from marketplace.regions.models import Municipality, Place, Region, SubRegion
from tests.conftest import NOW
from tests.factories import (
    TEST_PASSWORD,
    make_municipality,
    make_place,
    make_region,
    make_schedule,
    make_sub_region,
    make_user,
)

SECRET = "test-secret"


@pytest.fixture
def world(db):
    region = make_region(name="Mayen-Koblenz")
    north = make_sub_region(region, name="Nord", slug="nord")
    south = make_sub_region(region, name="Süd", slug="sued")
    kehrig = make_municipality(north, name="Kehrig")
    polch = make_municipality(south, name="Polch")
    hub_n = make_place(kehrig, name="Kehrig")
    hub_s = make_place(polch, name="Polch")
    make_schedule(north, hub_n)
    make_schedule(south, hub_s)
    admin = make_user("admin@example.org", role=Role.ADMIN, scope_id=region.id)
    other_region = make_region(name="Anderswo")
    other_sub = make_sub_region(other_region, name="Fern", slug="fern")
    other_mun = make_municipality(other_sub, name="Ferndorf")
    other_place = make_place(other_mun, name="Ferndorf")
    db.session.commit()
    return {"region": region, "north": north, "south": south, "kehrig": kehrig, "polch": polch,
            "hub_n": hub_n, "hub_s": hub_s, "admin": admin, "other_sub": other_sub,
            "other_mun": other_mun, "other_place": other_place}


def _log_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(RegionChange))


# --- services ----------------------------------------------------------------------------

def test_creating_a_sub_region_moves_municipalities_with_places_and_logs_it(world, db):
    # Polch holds the south's hub: it may not leave before the south has another hub.
    with pytest.raises(setup.HubWouldLeave):
        setup.create_sub_region(
            region=world["region"], name="Mitte", slug="mitte", municipality_ids=[world["polch"].id],
            hub_place_id=world["hub_s"].id, actor=world["admin"], now=NOW,
        )
    db.session.rollback()
    extra = make_municipality(world["south"], name="Mertloch")
    village = make_place(extra, name="Mertloch")
    db.session.commit()
    sub = setup.create_sub_region(
        region=world["region"], name="Mitte", slug="mitte", municipality_ids=[extra.id],
        hub_place_id=village.id, actor=world["admin"], now=NOW,
    )
    db.session.commit()
    assert [m.name for m in sub.municipalities] == ["Mertloch"]
    assert village.sub_region is sub and sub.schedule.hub_place is village
    change = db.session.scalars(select(RegionChange)).one()
    assert (change.action, change.actor_id, change.object_id) == ("sub_region.created", world["admin"].id, sub.id)
    assert change.after["municipality_ids"] == [extra.id] and change.at == NOW


def test_a_hub_outside_the_sub_region_is_refused_and_nothing_changes(world, db):
    with pytest.raises(setup.HubOutside):
        setup.update_sub_region(sub_region=world["north"], name="Nord", slug="nord",
                                hub_place_id=world["hub_s"].id, actor=world["admin"], now=NOW)
    db.session.rollback()
    assert world["north"].schedule.hub_place_id == world["hub_n"].id
    assert _log_count(db) == 0


@pytest.mark.parametrize(("slug", "error"), [("Nord Süd", setup.BadSlug), ("sued", setup.SlugTaken)])
def test_a_bad_or_taken_slug_is_refused(world, db, slug, error):
    with pytest.raises(error):
        setup.update_sub_region(sub_region=world["north"], name="Nord", slug=slug,
                                hub_place_id=None, actor=world["admin"], now=NOW)


def test_moving_a_municipality_keeps_its_places(world, db):
    extra = make_municipality(world["south"], name="Mertloch")
    village = make_place(extra, name="Mertloch")
    setup.add_municipality(sub_region=world["north"], municipality_id=extra.id, actor=world["admin"], now=NOW)
    db.session.commit()
    assert extra.sub_region is world["north"] and village.municipality is extra
    change = db.session.scalars(select(RegionChange)).one()
    assert change.action == "municipality.moved"
    assert change.before["sub_region_id"] == world["south"].id and change.after["sub_region_id"] == world["north"].id


def test_a_municipality_of_another_region_cannot_be_moved_in(world, db):
    with pytest.raises(setup.NotFound):
        setup.add_municipality(sub_region=world["north"], municipality_id=world["other_mun"].id,
                               actor=world["admin"], now=NOW)
    db.session.rollback()
    assert db.session.get(Municipality, world["other_mun"].id).sub_region_id == world["other_sub"].id


def test_places_are_added_and_edited_with_coordinates(world, db):
    values = setup.PlaceValues(name="Eulgem", postcode="56761", kind="village", lat=50.28, lon=7.17)
    place = setup.add_place(municipality=world["kehrig"], values=values, actor=world["admin"], now=NOW)
    setup.update_place(place=place, values=setup.PlaceValues(
        name="Eulgem", postcode="56761", kind="village", lat=50.29, lon=7.18), actor=world["admin"], now=NOW)
    db.session.commit()
    assert (place.lat, place.lon) == (50.29, 7.18)
    actions = db.session.scalars(select(RegionChange.action).order_by(RegionChange.id)).all()
    assert actions == ["place.created", "place.updated"]
    with pytest.raises(setup.BadCoordinates):
        setup.update_place(place=place, values=setup.PlaceValues(
            name="Eulgem", postcode=None, kind="village", lat=91, lon=7.18), actor=world["admin"], now=NOW)


def test_fees_and_local_note_are_set_and_negative_fees_refused(world, db):
    offer = setup.Offer(door_delivery=True, door_fee_cents=350, door_min_order_cents=2500,
                        local_note="Abholung auch im Vereinsheim des SV Kehrig")
    setup.set_offer(sub_region=world["north"], offer=offer, actor=world["admin"], now=NOW)
    db.session.commit()
    assert (world["north"].door_fee_cents, world["north"].door_min_order_cents) == (350, 2500)
    with pytest.raises(setup.BadAmount):
        setup.set_offer(sub_region=world["north"], offer=setup.Offer(True, -1, 0, None),
                        actor=world["admin"], now=NOW)


@pytest.mark.parametrize(("colour", "error"), [("#ffff00", setup.LowContrast), ("green", setup.BadColour)])
def test_colours_below_wcag_contrast_are_refused(world, db, colour, error):
    with pytest.raises(error):
        setup.update_region(region=world["region"], name="X", platform_fee_permille=100,
                            brand_colour=colour, accent_colour=None, actor=world["admin"], now=NOW)
    db.session.rollback()
    assert world["region"].name == "Mayen-Koblenz" and world["region"].brand_colour is None


def test_readable_colours_and_platform_fee_are_stored(world, db):
    setup.update_region(region=world["region"], name="Landkreis MYK", platform_fee_permille=80,
                        brand_colour="#1F4E79", accent_colour="#8a4b08", actor=world["admin"], now=NOW)
    db.session.commit()
    assert (world["region"].brand_colour, world["region"].platform_fee_permille) == ("#1f4e79", 80)


# --- invitations -------------------------------------------------------------------------

def _invite(world, email="neu@example.org", role=Role.COORDINATOR, now=NOW):
    return invitations.invite_member(
        sub_region=world["north"], role=role, email=email, name="Nora Neu", actor=world["admin"],
        base_url="http://localhost/", secret_key=SECRET, now=now)


def test_an_invitation_creates_an_inactive_account_with_the_role_and_a_link(world, db):
    user = _invite(world)
    db.session.commit()
    assert not user.active and world["north"].id in user.scopes(Role.COORDINATOR)
    note = db.session.scalars(select(Notification).where(Notification.recipient_id == user.id)).one()
    assert note.kind == "sub_region_invitation" and note.context["invite_url"].startswith("http://localhost/einladung/")
    token = note.context["invite_url"].rsplit("/", 1)[1]
    accepted = invitations.accept_invitation(token=token, password="ein-langes-passwort", secret_key=SECRET, now=NOW)
    db.session.commit()
    assert accepted.active and accepted.check_password("ein-langes-passwort")
    # The link works once.
    with pytest.raises(invitations.InvalidInvitation):
        invitations.user_of_invitation(token, secret_key=SECRET, now=NOW)
    assert db.session.scalars(select(RegionChange.action)).all() == ["role.granted"]


def test_an_invitation_expires_after_seven_days(world, db):
    from datetime import timedelta

    user = _invite(world)
    token = invitations.invitation_token(user, secret_key=SECRET, now=NOW)
    later = NOW + timedelta(seconds=invitations.INVITATION_MAX_AGE_S + 1)
    with pytest.raises(invitations.ExpiredInvitation):
        invitations.user_of_invitation(token, secret_key=SECRET, now=later)
    with pytest.raises(invitations.InvalidInvitation):
        invitations.user_of_invitation(token + "x", secret_key=SECRET, now=NOW)


def test_an_existing_account_just_gets_the_role_and_can_lose_it(world, db):
    driver = make_user("fahrer@example.org")
    user = _invite(world, email="Fahrer@Example.org", role=Role.DRIVER)
    assert user is driver and driver.active
    note = db.session.scalars(select(Notification).where(Notification.recipient_id == driver.id)).one()
    assert note.context["invite_url"] is None
    membership = invitations.get_member_role(world["north"], driver.id, Role.DRIVER)
    invitations.remove_member(sub_region=world["north"], membership=membership, actor=world["admin"], now=NOW)
    db.session.commit()
    assert not driver.has_role(Role.DRIVER)
    assert db.session.scalars(select(RegionChange.action).order_by(RegionChange.id)).all() == [
        "role.granted", "role.removed"]


# --- views -------------------------------------------------------------------------------

_CSRF = re.compile(r'name="[a-z-]*csrf_token"[^>]*value="([^"]+)"')


def _login(client, email="admin@example.org"):
    html = client.get("/login").get_data(as_text=True)
    token = _CSRF.search(html).group(1)
    response = client.post("/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return token


def test_only_the_region_admin_may_open_the_set_up(world, client):
    make_user("koord@example.org", role=Role.COORDINATOR, scope_id=world["north"].id)
    assert client.get("/admin/region").status_code == 302  # to the login
    _login(client, "koord@example.org")
    assert client.get("/admin/region").status_code == 403


def test_admin_adds_a_municipality_through_the_page(world, client, db):
    token = _login(client)
    page = client.get(f"/admin/region/teilregionen/{world['north'].id}")
    assert page.status_code == 200 and "Kehrig" in page.get_data(as_text=True)
    response = client.post(f"/admin/region/teilregionen/{world['north'].id}/gemeinden",
                           data={"gem-csrf_token": token, "gem-municipality_id": "None", "gem-name": "Gappenach"})
    assert response.status_code == 302
    assert db.session.scalar(select(Municipality).where(Municipality.name == "Gappenach")).sub_region_id == world["north"].id
    log = client.get("/admin/region/protokoll").get_data(as_text=True)
    assert "municipality.created" in log and world["admin"].name in log


def test_a_form_error_changes_nothing(world, client, db):
    token = _login(client)
    response = client.post(f"/admin/region/teilregionen/{world['north'].id}/angebot",
                           data={"offer-csrf_token": token, "offer-door_fee": "drei", "offer-door_min_order": "10"})
    assert response.status_code == 422 and "Bitte einen Betrag" in response.get_data(as_text=True)
    response = client.post("/admin/region/einstellungen", data={
        "csrf_token": token, "name": "X", "platform_fee_permille": "100", "brand_colour": "#ffff00"})
    assert response.status_code == 422 and "zu wenig Kontrast" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Region, world["region"].id).name == "Mayen-Koblenz"
    assert db.session.get(SubRegion, world["north"].id).door_fee_cents == 0
    assert _log_count(db) == 0


def test_the_fee_field_says_when_the_configuration_sets_the_fee_in_force(world, client, app, monkeypatch):
    _login(client)
    page = client.get("/admin/region/einstellungen").get_data(as_text=True)
    assert "PLATFORM_FEE_PERCENT" not in page
    monkeypatch.setitem(app.config, "PLATFORM_FEE_PERCENT", f"8,{world['region'].slug}=12.5")
    monkeypatch.setitem(app.config, "PLATFORM_FEE_CENTS", "30")
    page = client.get("/admin/region/einstellungen").get_data(as_text=True)
    hint = re.search(r'<p class="hint" id="platform_fee_permille-hint">(.*?)</p>', page, re.S).group(1)
    assert "Konfiguration PLATFORM_FEE_PERCENT" in hint and "12,5 % des Warenwerts" in hint
    assert "0,30" in hint and "je Erzeuger und Bestellung" in hint


@pytest.mark.parametrize("path", [
    "/admin/region/teilregionen/{sub}", "/admin/region/gemeinden/{mun}", "/admin/region/orte/{place}",
])
def test_another_regions_object_is_404_on_get(world, client, path):
    _login(client)
    url = path.format(sub=world["other_sub"].id, mun=world["other_mun"].id, place=world["other_place"].id)
    assert client.get(url).status_code == 404


def test_another_regions_object_is_404_on_post_and_nothing_changes(world, client, db):
    token = _login(client)
    other = world["other_sub"].id
    posts = [
        (f"/admin/region/teilregionen/{other}", {"sr-csrf_token": token, "sr-name": "Gekapert", "sr-slug": "gekapert"}),
        (f"/admin/region/teilregionen/{other}/angebot", {"offer-csrf_token": token, "offer-door_fee": "9", "offer-door_min_order": "9"}),
        (f"/admin/region/teilregionen/{other}/gemeinden", {"gem-csrf_token": token, "gem-name": "Neu"}),
        (f"/admin/region/teilregionen/{other}/personen", {"inv-csrf_token": token, "inv-email": "x@example.org", "inv-role": "coordinator"}),
        (f"/admin/region/gemeinden/{world['other_mun'].id}", {"rn-csrf_token": token, "rn-name": "Gekapert"}),
        (f"/admin/region/gemeinden/{world['other_mun'].id}/orte", {"ort-csrf_token": token, "ort-name": "Neu", "ort-kind": "village", "ort-lat": "50", "ort-lon": "7"}),
        (f"/admin/region/orte/{world['other_place'].id}", {"ort-csrf_token": token, "ort-name": "Gekapert", "ort-kind": "village", "ort-lat": "50", "ort-lon": "7"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 404, url
    # Moving another region's municipality in is as good as missing too.
    response = client.post(f"/admin/region/teilregionen/{world['north'].id}/gemeinden",
                           data={"gem-csrf_token": token, "gem-municipality_id": str(world["other_mun"].id)})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(SubRegion, other).name == "Fern"
    assert db.session.get(Municipality, world["other_mun"].id).name == "Ferndorf"
    assert db.session.get(Place, world["other_place"].id).name == "Ferndorf"
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "x@example.org")) == 0
    assert _log_count(db) == 0


def test_admin_invites_a_coordinator_who_activates_the_account(world, client, db, app):
    token = _login(client)
    response = client.post(f"/admin/region/teilregionen/{world['north'].id}/personen", data={
        "inv-csrf_token": token, "inv-email": "nora@example.org", "inv-name": "Nora", "inv-role": "coordinator"})
    assert response.status_code == 302
    note = db.session.scalars(select(Notification).where(Notification.kind == "sub_region_invitation")).one()
    path = note.context["invite_url"].replace("http://localhost", "")
    client.post("/logout", data={"csrf_token": token})
    page = client.get(path)
    assert page.status_code == 200
    accept_token = _CSRF.search(page.get_data(as_text=True)).group(1)
    short = client.post(path, data={"csrf_token": accept_token, "password": "kurz", "confirm": "kurz"})
    assert short.status_code == 422
    done = client.post(path, data={"csrf_token": accept_token, "password": "ein-langes-passwort",
                                   "confirm": "ein-langes-passwort"})
    assert done.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nora@example.org"))
    assert user.active and world["north"].id in user.scopes(Role.COORDINATOR)
    assert client.get(path).status_code == 400  # used up


def test_a_bad_invitation_link_is_refused_with_a_page(client, db):
    assert client.get("/einladung/gebiet/nonsense").status_code == 400


def test_remove_role_of_someone_in_another_sub_region_is_404(world, client, db):
    token = _login(client)
    driver = make_user("f@example.org", role=Role.DRIVER, scope_id=world["other_sub"].id)
    db.session.commit()
    url = f"/admin/region/teilregionen/{world['north'].id}/personen/{driver.id}/driver/entfernen"
    assert client.post(url, data={"inv-csrf_token": token}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Membership).where(Membership.user_id == driver.id)) == 1


def test_legal_pages_are_public_and_linked_in_the_footer(world, client, db):
    token = _login(client)
    client.post("/admin/region/rechtliches", data={
        "csrf_token": token, "imprint_text": "Landkorb e. V.\nHauptstraße 1", "privacy_text": "Wir speichern wenig."})
    client.post("/logout", data={"csrf_token": token})
    page = client.get("/impressum").get_data(as_text=True)
    assert "Landkorb e. V." in page and 'href="/datenschutz"' in page
    assert "Wir speichern wenig." in client.get("/datenschutz").get_data(as_text=True)


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (300, 120), (47, 93, 30)).save(out, format="PNG")
    return out.getvalue()


def test_branding_shows_on_every_page(world, client, db, app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    token = _login(client)
    response = client.post("/admin/region/einstellungen", data={
        "csrf_token": token, "name": "Landkreis MYK", "platform_fee_permille": "90",
        "brand_colour": "#1f4e79", "accent_colour": "", "logo": (BytesIO(_png()), "logo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    region = db.session.get(Region, world["region"].id)
    assert region.logo_key and list(tmp_path.glob(f"{region.logo_key}-*.webp"))
    home = client.get("/").get_data(as_text=True)
    assert "Landkreis MYK" in home and region.logo_key in home
    assert "--brand: #1f4e79;" in client.get("/branding.css").get_data(as_text=True)
    refused = client.post("/admin/region/einstellungen", data={
        "csrf_token": token, "name": "Y", "platform_fee_permille": "90",
        "logo": (BytesIO(b"kein bild"), "logo.png")}, content_type="multipart/form-data")
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.get(Region, world["region"].id).name == "Landkreis MYK"


def test_the_local_note_shows_on_the_residents_page_of_its_sub_region_only(world, client, db):
    setup.set_offer(sub_region=world["north"], offer=setup.Offer(
        False, 0, 0, "Abholung auch im Vereinsheim des SV Kehrig"), actor=world["admin"], now=NOW)
    make_user("nord@example.org", home=world["hub_n"])
    make_user("sued@example.org", home=world["hub_s"])
    db.session.commit()
    token = _login(client, "nord@example.org")
    assert "Vereinsheim des SV Kehrig" in client.get("/me/resident").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token})
    _login(client, "sued@example.org")
    assert "Vereinsheim des SV Kehrig" not in client.get("/me/resident").get_data(as_text=True)


def test_the_demo_shows_the_set_up_once(demo, db):
    from marketplace.admin.demo_region_setup import NOTE, seed_region_setup

    region = db.session.scalars(select(Region)).first()
    kehrig = db.session.scalars(select(Place).where(Place.name == "Kehrig")).first()
    assert region.imprint_text and kehrig.sub_region.local_note == NOTE
    count = _log_count(db)
    assert count == 2 and not seed_region_setup(region, NOW) and _log_count(db) == count


def test_the_region_admin_sets_whether_perishables_nobody_collected_are_refunded(world, client, db):
    token = _login(client)
    page = client.get("/admin/region/erstattungen").get_data(as_text=True)
    assert 'name="refund_expired_perishables"' in page and "checked" not in page
    response = client.post("/admin/region/erstattungen", data={"csrf_token": token,
                                                              "refund_expired_perishables": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Region, world["region"].id).refund_expired_perishables is True
    assert "checked" in client.get("/admin/region/erstattungen").get_data(as_text=True)
    client.post("/admin/region/erstattungen", data={"csrf_token": token})  # unticked
    db.session.expire_all()
    assert db.session.get(Region, world["region"].id).refund_expired_perishables is False
    changes = db.session.scalars(select(RegionChange).where(RegionChange.action == "region.refund_rule_changed")
                                 .order_by(RegionChange.id)).all()
    assert [(c.before, c.after) for c in changes] == [
        ({"refund_expired_perishables": False}, {"refund_expired_perishables": True}),
        ({"refund_expired_perishables": True}, {"refund_expired_perishables": False})]
    assert "region.refund_rule_changed" in client.get("/admin/region/protokoll").get_data(as_text=True)


def test_only_a_region_admin_sets_the_refund_rule_and_only_for_its_own_region(world, client, db):
    other_admin = make_user("other@example.org", role=Role.ADMIN, scope_id=world["other_sub"].region_id)
    db.session.commit()
    token = _login(client, "other@example.org")
    client.post("/admin/region/erstattungen", data={"csrf_token": token, "refund_expired_perishables": "y"})
    db.session.expire_all()
    assert db.session.get(Region, world["region"].id).refund_expired_perishables is False
    assert db.session.get(Region, other_admin.memberships[0].region_id).refund_expired_perishables is True
    client.post("/logout", data={"csrf_token": token})
    make_user("resident@example.org")
    db.session.commit()
    token = _login(client, "resident@example.org")
    response = client.post("/admin/region/erstattungen", data={"csrf_token": token, "refund_expired_perishables": "y"})
    assert response.status_code in (403, 404)
    assert _log_count(db) == 1


def test_each_set_up_change_logs_its_object_with_before_and_after(world, db):
    admin, north, kehrig, region = world["admin"], world["north"], world["kehrig"], world["region"]
    setup.update_sub_region(sub_region=north, name="Nordkreis", slug="nordkreis", hub_place_id=None,
                            actor=admin, now=NOW)
    setup.set_offer(sub_region=north, offer=setup.Offer(True, 350, 2500, "  Vereinsheim  "), actor=admin, now=NOW)
    created = setup.add_municipality(sub_region=north, name="Lonnig", actor=admin, now=NOW)
    setup.rename_municipality(municipality=created, name="Lonnig (Eifel)", actor=admin, now=NOW)
    place = setup.add_place(municipality=kehrig, values=setup.PlaceValues("Eulgem", None, "village", 50.28, 7.17),
                            actor=admin, now=NOW)
    setup.update_place(place=place, values=setup.PlaceValues("Eulgem", "56761", "village", 50.29, 7.17),
                       actor=admin, now=NOW)
    setup.update_region(region=region, name="MYK", platform_fee_permille=80, brand_colour="#1F4E79",
                        accent_colour=None, actor=admin, now=NOW)
    setup.set_region_logo(region=region, logo_key="logo-1", actor=admin, now=NOW)
    setup.set_legal_texts(region=region, imprint_text=" Impressum ", privacy_text="", actor=admin, now=NOW)
    db.session.commit()
    north_before = {"name": "Nord", "slug": "nord", "door_delivery": False,
                    "door_fee_cents": 0, "door_min_order_cents": 0, "local_note": None,
                    "hub_place_id": world["hub_n"].id, "municipality_ids": [kehrig.id]}
    renamed = {**north_before, "name": "Nordkreis", "slug": "nordkreis"}
    offered = {**renamed, "door_delivery": True, "door_fee_cents": 350, "door_min_order_cents": 2500,
               "local_note": "Vereinsheim"}
    region_before = {"name": "Mayen-Koblenz", "platform_fee_permille": 100,
                     "brand_colour": None, "accent_colour": None, "logo_key": None}
    place_after = {"name": "Eulgem", "postcode": None, "kind": "village", "lat": 50.28, "lon": 7.17}
    expected = [
        ("sub_region.updated", "SubRegion", north.id, north_before, renamed),
        ("sub_region.offer_changed", "SubRegion", north.id, renamed, offered),
        ("municipality.created", "Municipality", created.id, None, {"sub_region_id": north.id, "name": "Lonnig"}),
        ("municipality.renamed", "Municipality", created.id, {"name": "Lonnig"}, {"name": "Lonnig (Eifel)"}),
        ("place.created", "Place", place.id, None, place_after),
        ("place.updated", "Place", place.id, place_after, {**place_after, "postcode": "56761", "lat": 50.29}),
        ("region.updated", "Region", region.id, region_before,
         {**region_before, "name": "MYK", "platform_fee_permille": 80, "brand_colour": "#1f4e79"}),
        ("region.logo_changed", "Region", region.id, {"logo_key": None}, {"logo_key": "logo-1"}),
        ("region.legal_changed", "Region", region.id, {"imprint_text": None, "privacy_text": None},
         {"imprint_text": "Impressum", "privacy_text": None}),
    ]
    changes = db.session.scalars(select(RegionChange).order_by(RegionChange.id)).all()
    assert [(c.action, c.object_type, c.object_id, c.before, c.after) for c in changes] == expected
    assert {(c.region_id, c.actor_id, c.actor_name, c.at) for c in changes} == {(region.id, admin.id, admin.name, NOW)}
