"""Producers join Landkorb: an application with its owner's account, the sub-region
coordinator's decision (approve, or decline with a reason), and staff invited by e-mail.

Services take plain values and `now`, flush, and leave the commit to the caller; every
message goes through the notifications outbox in the caller's transaction.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import Membership, Role, User
from marketplace.accounts.queries import list_sub_region_coordinators
from marketplace.accounts.services import (
    MIN_PASSWORD_LENGTH,
    create_user,
    get_user_by_email,
    grant_role,
    normalise_email,
)
from marketplace.catalog.models import Producer, StaffInvitation, VatStatus
from marketplace.catalog.versions import bump_catalog_version
from marketplace.core.errors import N_, Conflict, InvalidFields
from marketplace.core.ids import slugify
from marketplace.extensions import db
from marketplace.notifications.kinds import register_kind
from marketplace.notifications.services import notify
from marketplace.regions.models import Municipality, Place
from marketplace.regions.queries import locate_address

# The control body's code as the EU organic label shows it: country, "ÖKO" (or the country's
# word), three digits, e.g. DE-ÖKO-006.
ORGANIC_CONTROL_NUMBER = re.compile(r"^[A-Z]{2}-[A-ZÄÖÜ]{2,4}-\d{3}$")
INVITATION_DAYS = 7
MAX_DECLINE_REASON = 1000

_PRODUCER = "Obst- und Gemüsehof Müller-Lüdenscheidt GbR, Oberdürenbach"
register_kind("producer_applied", sample={
    "producer_name": _PRODUCER, "sub_region_name": "Maifeld-Mosel-Vordereifel", "town": "Oberdürenbach",
})
register_kind("producer_approved", sample={"producer_name": _PRODUCER})
register_kind("producer_declined", sample={
    "producer_name": _PRODUCER,
    "reason": "Ihr Betrieb liegt außerhalb der Teilregion; bitte bewerben Sie sich im Maifeld.",
})
register_kind("staff_invitation", sample={
    "producer_name": _PRODUCER, "inviter_name": "Hildegard Müller-Lüdenscheidt",
    "accept_url": "https://landkorb.example.org/einladung/" + "x" * 60,
    "expires_at": "2026-12-30T17:45:00+00:00",
}, secret=True)


class InvalidApplication(InvalidFields):
    """An application's (or invitation's) values break a rule, field by field."""

    code = "invalid_application"
    message = N_("Die Angaben der Bewerbung sind unvollständig oder ungültig.")


class AlreadyProducer(Conflict):
    code = "already_producer"
    message = N_("Mit diesem Konto arbeiten Sie schon für einen Erzeuger.")


class AlreadyDecided(Conflict):
    code = "already_decided"
    message = N_("Über diese Bewerbung ist schon entschieden.")


class AlreadyStaff(Conflict):
    code = "already_staff"
    message = N_("Diese Person arbeitet schon für Ihren Betrieb.")


class InvitationUsed(Conflict):
    code = "invitation_used"
    message = N_("Die Einladung ist abgelaufen oder wurde schon angenommen.")


@dataclass(frozen=True)
class Application:
    """What a producer tells about its business when it applies."""

    name: str
    street: str
    postcode: str
    town: str
    description: str = ""
    organic_control_number: str | None = None
    vat_status: str = VatStatus.REGULAR.value
    phone: str | None = None


@dataclass(frozen=True)
class NewAccount:
    """The owner's account, made with the application when the applicant has none."""

    email: str
    password: str
    name: str
    hash_method: str = "scrypt"


def normalise_control_number(text: str | None) -> str | None:
    text = (text or "").strip().upper().replace(" ", "")
    return text or None


def check_application(application: Application) -> dict[str, str]:
    """The wrong fields of an application (field → msgid); the address is located separately."""
    errors: dict[str, str] = {}
    if not 0 < len(application.name.strip()) <= 200:
        errors["name"] = N_("Bitte den Namen des Betriebs angeben (höchstens 200 Zeichen).")
    if not 0 < len(application.street.strip()) <= 200:
        errors["street"] = N_("Bitte Straße und Hausnummer angeben.")
    if not re.fullmatch(r"\d{5}", application.postcode.strip()):
        errors["postcode"] = N_("Bitte geben Sie eine fünfstellige Postleitzahl an.")
    if not 0 < len(application.town.strip()) <= 200:
        errors["town"] = N_("Bitte den Ort angeben.")
    if len(application.description) > 5000:
        errors["description"] = N_("Die Beschreibung hat höchstens 5000 Zeichen.")
    number = normalise_control_number(application.organic_control_number)
    if number is not None and not ORGANIC_CONTROL_NUMBER.fullmatch(number):
        errors["organic_control_number"] = N_("Die Öko-Kontrollnummer sieht aus wie DE-ÖKO-006.")
    if application.vat_status not in {s.value for s in VatStatus}:
        errors["vat_status"] = N_("Bitte wählen Sie, wie Sie Umsatzsteuer berechnen.")
    return errors


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "erzeuger"
    taken = set(db.session.scalars(select(Producer.slug).where(Producer.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def sub_region_of(producer: Producer):
    return producer.place.municipality.sub_region


def apply_as_producer(
    *, application: Application, owner: User | None, account: NewAccount | None, now: datetime,
    nominatim_user_agent: str | None = None,
) -> Producer:
    """A pending producer with its owner (the signed-in `owner`, or a new account); its
    sub-region's coordinators are told. Raises InvalidApplication with every wrong field."""
    errors = check_application(application)
    if owner is None:
        if account is None:
            raise ValueError("an application needs an owner or a new account")
        if not 0 < len(account.name.strip()) <= 200:
            errors["account_name"] = N_("Bitte Ihren Namen angeben.")
        if len(account.password) < MIN_PASSWORD_LENGTH:
            errors["password"] = N_("Das Passwort muss mindestens 10 Zeichen lang sein.")
        if get_user_by_email(account.email) is not None:
            errors["email"] = N_("Für diese E-Mail-Adresse gibt es schon ein Konto. Bitte melden Sie sich an.")
    elif owner.scopes(Role.PRODUCER):
        raise AlreadyProducer()
    place = None
    if not errors.keys() & {"street", "postcode", "town"}:
        located = locate_address(
            street=application.street, postcode=application.postcode, town=application.town,
            nominatim_user_agent=nominatim_user_agent,
        )
        place = located[1] if located else None
        if located is None:
            errors["postcode"] = N_("Diese Adresse können wir nicht finden. Bitte prüfen Sie Postleitzahl und Ort.")
        elif place is None:
            errors["postcode"] = N_("Diese Adresse liegt außerhalb unserer Liefergebiete.")
    if errors:
        raise InvalidApplication(errors)
    if owner is None:
        owner = create_user(email=account.email, password=account.password, name=account.name,
                            hash_method=account.hash_method)
    producer = Producer(
        slug=_unique_slug(application.name), name=application.name.strip(),
        description=application.description.strip(), place=place,
        street=application.street.strip(), postcode=application.postcode.strip(),
        phone=(application.phone or "").strip() or None,
        organic_control_number=normalise_control_number(application.organic_control_number),
        vat_status=VatStatus(application.vat_status), is_approved=False, owner=owner, created_at=now,
    )
    db.session.add(producer)
    db.session.flush()
    grant_role(owner, Role.PRODUCER, producer.id)
    sub_region = place.municipality.sub_region
    for coordinator in list_sub_region_coordinators(sub_region.id):
        notify(coordinator, "producer_applied", {
            "producer_name": producer.name, "sub_region_name": sub_region.name, "town": place.name,
        }, now=now)
    return producer


def approve_producer(*, producer: Producer, decided_by: User, now: datetime) -> Producer:
    """List the producer from now on and tell its owner; a decided application refuses."""
    if not producer.is_pending:
        raise AlreadyDecided()
    producer.is_approved = True
    producer.decided_at, producer.decided_by_id = now, decided_by.id
    db.session.flush()
    bump_catalog_version()  # its products join the catalogue
    if producer.owner is not None:
        notify(producer.owner, "producer_approved", {"producer_name": producer.name}, now=now)
    return producer


def decline_producer(*, producer: Producer, decided_by: User, reason: str, now: datetime) -> Producer:
    """Decline with a reason the applicant reads; a decided application refuses."""
    reason = (reason or "").strip()
    if not 0 < len(reason) <= MAX_DECLINE_REASON:
        raise InvalidApplication({"reason": N_("Bitte einen Grund angeben (höchstens 1000 Zeichen).")})
    if not producer.is_pending:
        raise AlreadyDecided()
    producer.decided_at, producer.decided_by_id, producer.decline_reason = now, decided_by.id, reason
    db.session.flush()
    if producer.owner is not None:
        notify(producer.owner, "producer_declined",
               {"producer_name": producer.name, "reason": reason}, now=now)
    return producer


def invite_staff(
    *, producer: Producer, email: str, invited_by: User, now: datetime,
    link_for: Callable[[int], str], hash_method: str = "scrypt",
) -> StaffInvitation:
    """Invite `email` to work for `producer`: an e-mail with the link `link_for(invitation id)`
    (valid INVITATION_DAYS days). Someone without an account gets one that stays closed until
    they accept; someone already on the staff refuses (AlreadyStaff)."""
    email = normalise_email(email)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise InvalidApplication({"email": N_("Bitte eine gültige E-Mail-Adresse angeben.")})
    user = get_user_by_email(email)
    new_account = user is None
    if user is None:
        user = User(email=email, name="", active=False)
        user.set_password(secrets.token_urlsafe(32), method=hash_method)
        db.session.add(user)
    elif producer.id in user.scopes(Role.PRODUCER):
        raise AlreadyStaff()
    invitation = StaffInvitation(
        producer=producer, user=user, invited_by_id=invited_by.id, new_account=new_account,
        created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    notify(user, "staff_invitation", {
        "producer_name": producer.name, "inviter_name": invited_by.name,
        "accept_url": link_for(invitation.id), "expires_at": invitation.expires_at.isoformat(),
    }, channels=["email"], now=now)
    return invitation


def is_invitation_open(invitation: StaffInvitation, now: datetime) -> bool:
    return invitation.accepted_at is None and now < invitation.expires_at


def needs_new_account(invitation: StaffInvitation) -> bool:
    """Accepting sets a name and password (the invitation made the account, still closed)."""
    return invitation.new_account and not invitation.user.active


def accept_invitation(
    *, invitation: StaffInvitation, now: datetime, name: str | None = None,
    password: str | None = None, hash_method: str = "scrypt",
) -> User:
    """Make the invited account staff of the producer, once and before it expires; a new
    account gets its name and password here and opens."""
    if not is_invitation_open(invitation, now):
        raise InvitationUsed()
    user = invitation.user
    if needs_new_account(invitation):
        errors = {}
        if not 0 < len((name or "").strip()) <= 200:
            errors["name"] = N_("Bitte Ihren Namen angeben.")
        if len(password or "") < MIN_PASSWORD_LENGTH:
            errors["password"] = N_("Das Passwort muss mindestens 10 Zeichen lang sein.")
        if errors:
            raise InvalidApplication(errors)
        user.name = name.strip()
        user.set_password(password, method=hash_method)
        user.active = True
    grant_role(user, Role.PRODUCER, invitation.producer_id)
    invitation.accepted_at = now
    db.session.flush()
    return user


# --- Reads ---------------------------------------------------------------------------------

def list_applications(sub_region_id: int, *, pending: bool) -> list[Producer]:
    """The sub-region's waiting applications (oldest first), or its decided ones (newest first)."""
    state = (Producer.is_approved.is_(False) & Producer.decided_at.is_(None)) if pending \
        else Producer.decided_at.is_not(None)
    order = Producer.created_at if pending else Producer.decided_at.desc()
    return list(db.session.scalars(
        select(Producer).join(Producer.place).join(Place.municipality)
        .where(Municipality.sub_region_id == sub_region_id, state)
        .options(joinedload(Producer.owner), joinedload(Producer.place))
        .order_by(order, Producer.id)
    ))


def list_staff(producer_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.PRODUCER, Membership.producer_id == producer_id,
               User.active.is_(True))
        .order_by(User.name, User.id)
    ))


def list_open_invitations(producer_id: int, now: datetime) -> list[StaffInvitation]:
    return list(db.session.scalars(
        select(StaffInvitation)
        .where(StaffInvitation.producer_id == producer_id, StaffInvitation.accepted_at.is_(None),
               StaffInvitation.expires_at > now)
        .options(joinedload(StaffInvitation.user))
        .order_by(StaffInvitation.created_at.desc())
    ))
