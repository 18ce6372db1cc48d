"""Assisted ordering: staff of a sales point or Regio-Hub serve a resident who phoned or came by.

Staff act only for residents of their own sub-region (their sales points' sub-regions); a
resident, or a new resident's address, elsewhere is refused with `outside_sub_region` and
nothing is created. Every action is logged in `assisted_actions`. Orders go through the one
order path (`payments.services.submit_order`) with the staff member as `placed_by`, paid on
pickup or by invoice: nothing is paid online for someone who is not online.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import (
    MIN_PASSWORD_LENGTH,
    EmailTaken,
    WeakPassword,
    grant_role,
    normalise_email,
    set_home_address,
)
from marketplace.core.errors import N_, InvalidInput
from marketplace.extensions import db
from marketplace.notifications.phones import normalise_phone
from marketplace.orders.assisted.models import AssistedAction, ConsentGivenBy, ResidentConsent
from marketplace.orders.assisted.queries import is_served_by, staff_sub_region_ids
from marketplace.orders.models import Order, PaymentMethod
from marketplace.payments.providers import PaymentMethodUnavailable, PaymentStart
from marketplace.payments.services import submit_order

# The consent text read out on the phone or shown at the counter, by version. A new wording gets
# a new version; the old ones stay, since consents refer to them.
CONSENT_TEXTS = {
    "2026-12": N_(
        "Landkorb speichert Ihren Namen, Ihre Adresse und Ihre Telefonnummer, um Ihre "
        "Bestellungen zu liefern und Ihnen Bescheid zu geben. Die Mitarbeiterin oder der "
        "Mitarbeiter der Verkaufsstelle bestellt in Ihrem Auftrag. Sie können jederzeit "
        "widersprechen; dann löschen wir Ihre Daten."
    ),
}
CURRENT_CONSENT_VERSION = "2026-12"
# Assisted orders are paid where the goods are handed over, or by invoice.
ASSISTED_PAYMENT_METHODS = (PaymentMethod.PAY_ON_PICKUP, PaymentMethod.INVOICE)
NOTIFY_CHANNELS = ("sms", "slip")
TAKEOVER_SALT = "landkorb.assisted.takeover.v1"
TAKEOVER_MAX_AGE_S = 30 * 24 * 3600


class OutsideSubRegion(InvalidInput):
    code = "outside_sub_region"
    message = N_("Diese Person wohnt nicht im Gebiet Ihrer Verkaufsstelle.")


class UnknownConsentText(InvalidInput):
    code = "unknown_consent_text"
    message = N_("Diese Fassung des Einwilligungstexts gibt es nicht.")


class InvalidResidentField(InvalidInput):
    code = "invalid_input"  # as the API's field errors, with the field named

    def __init__(self, field: str, detail: str | None = None) -> None:
        super().__init__(detail or N_("Bitte prüfen Sie dieses Feld."), field=field)
        self.field = field

    def extra(self) -> dict:
        return {"field": self.field}


class InvalidInvitation(InvalidInput):
    code = "invalid_invitation"
    message = N_("Dieser Einladungslink ist ungültig oder abgelaufen.")


def _check_serves(staff: User, resident: User) -> None:
    if not is_served_by(staff, resident.id):
        raise OutsideSubRegion()


def log_action(*, staff: User, resident: User, action: str, now: datetime, order: Order | None = None,
               **detail) -> AssistedAction:
    entry = AssistedAction(staff=staff, resident=resident, order_id=order.id if order else None,
                           action=action, detail=detail, at=now)
    db.session.add(entry)
    return entry


def register_assisted_resident(
    *, staff: User, name: str, phone: str | None, street: str, postcode: str, town: str,
    channel: str, given_by: str, text_version: str, now: datetime,
    nominatim_user_agent: str | None = None,
) -> User:
    """A resident without an e-mail address, at home in the staff member's sub-region, with the
    consent as given. Everything is checked before anything is kept; flushes."""
    name = (name or "").strip()
    if not name:
        raise InvalidResidentField("name", N_("Bitte geben Sie den Namen an."))
    phone_e164 = None
    if phone and phone.strip():
        phone_e164 = normalise_phone(phone)
        if phone_e164 is None:
            raise InvalidResidentField("phone", N_("Diese Telefonnummer können wir nicht lesen."))
    if channel not in NOTIFY_CHANNELS:
        raise InvalidResidentField("channel")
    if channel == "sms" and phone_e164 is None:
        raise InvalidResidentField("phone", N_("Für SMS brauchen wir eine Handynummer."))
    try:
        given_by = ConsentGivenBy(given_by)
    except ValueError:
        raise InvalidResidentField("consent.given_by") from None
    if text_version not in CONSENT_TEXTS:
        raise UnknownConsentText()
    for field, value in (("street", street), ("postcode", postcode), ("place", town)):
        if not isinstance(value, str) or not value.strip():
            raise InvalidResidentField(field, N_("Bitte geben Sie die Adresse vollständig an."))

    resident = User(email=None, name=name, phone=phone_e164, notify_channels=[channel])
    # No password anyone knows: the resident may take the account over by an invitation later.
    resident.set_password(secrets.token_urlsafe(32), method="pbkdf2:sha256:1000")
    with db.session.begin_nested():  # a refused address leaves nothing behind
        db.session.add(resident)
        db.session.flush()
        set_home_address(resident, street=street, postcode=postcode, town=town,
                         nominatim_user_agent=nominatim_user_agent)
        sub_region = resident.home_sub_region
        if sub_region is None or sub_region.id not in staff_sub_region_ids(staff):
            raise OutsideSubRegion()
        grant_role(resident, Role.RESIDENT)
        db.session.add(ResidentConsent(resident=resident, recorded_by=staff, given_by=given_by,
                                       text_version=text_version, given_at=now))
        log_action(staff=staff, resident=resident, action="registered", now=now,
                   consent=given_by.value, text_version=text_version)
        db.session.flush()
    return resident


def place_assisted_order(*, staff: User, resident: User, now: datetime, payment_method,
                         **order_fields) -> tuple[Order, PaymentStart]:
    """An order for the resident, placed by the staff member; flushes, the caller commits."""
    _check_serves(staff, resident)
    try:
        method = PaymentMethod(payment_method)
    except ValueError:
        raise PaymentMethodUnavailable() from None
    if method not in ASSISTED_PAYMENT_METHODS:
        raise PaymentMethodUnavailable()
    order, payment = submit_order(resident=resident, placed_by=staff, payment_method=method.value,
                                  now=now, **order_fields)
    log_action(staff=staff, resident=resident, action="order_placed", now=now, order=order,
               number=order.number)
    db.session.flush()
    return order, payment


def _takeover_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=TAKEOVER_SALT)


def invite_to_take_over(*, staff: User, resident: User, secret_key: str, now: datetime) -> str:
    """A signed token with which the resident sets an e-mail address and a password (valid 30
    days, and only until the account has a password of the resident's own)."""
    _check_serves(staff, resident)
    log_action(staff=staff, resident=resident, action="invited", now=now)
    db.session.flush()
    return _takeover_serializer(secret_key).dumps({"uid": resident.id, "pw": resident.password_hash[-16:]})


def resident_of_invitation(token: str, *, secret_key: str) -> User:
    try:
        data = _takeover_serializer(secret_key).loads(token, max_age=TAKEOVER_MAX_AGE_S)
    except (BadSignature, SignatureExpired):
        raise InvalidInvitation() from None
    resident = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if resident is None or resident.email is not None or resident.password_hash[-16:] != data.get("pw"):
        raise InvalidInvitation()
    return resident


def take_over_account(*, token: str, email: str, password: str, secret_key: str, now: datetime) -> User:
    """The resident takes the account over: their own e-mail address and password; the token is
    then spent (it names the old password)."""
    resident = resident_of_invitation(token, secret_key=secret_key)
    email = normalise_email(email or "")
    if "@" not in email or len(email) > 254:
        raise InvalidResidentField("email", N_("Bitte geben Sie eine gültige E-Mail-Adresse an."))
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise WeakPassword()
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken()
    resident.email = email
    resident.set_password(password)
    db.session.add(AssistedAction(staff=None, resident=resident, action="taken_over", detail={}, at=now))
    db.session.flush()
    return resident
