"""Coordinators and drivers of a sub-region: invited by e-mail with a signed, expiring link.

An invitation to an address without an account creates the account, inactive, with the role
already granted; the link (itsdangerous, signed with SECRET_KEY, valid INVITATION_MAX_AGE_S)
lets the person choose a password, which activates it. The link carries a stamp of the password
hash, so it works once: choosing a password makes it invalid. An account that exists just gets
the role (and an inactive one a new link). Every grant and removal is logged in the region's
set-up log, in the same transaction.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from marketplace.accounts.models import Membership, Role, User
from marketplace.accounts.services import (
    MIN_PASSWORD_LENGTH,
    WeakPassword,
    create_user,
    get_user_by_email,
    grant_role,
    normalise_email,
)
from marketplace.core.errors import N_, DomainError, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.notifications.kinds import register_kind
from marketplace.notifications.services import notify
from marketplace.regions.models import SubRegion
from marketplace.regions.setup import log_change

INVITATION = "sub_region_invitation"
INVITABLE = (Role.COORDINATOR, Role.DRIVER)
INVITATION_MAX_AGE_S = 7 * 24 * 3600
_SALT = "landkorb.invitation.v1"

register_kind(INVITATION, sample={
    "name": "Hildegard Müller-Lüdenscheidt", "role": "coordinator",
    "sub_region_name": "Verbandsgemeinde Vordereifel-Maifeld Süd", "region_name": "Landkorb Mayen-Koblenz",
    "invite_url": "https://landkorb.example.org/einladung/gebiet/eyJ1aWQiOjEyMzQ1LCJwdyI6ImFiY2RlZmdoMTIzNDU2NzgifQ.Z0abcd.abcdefghijklmnopqrstuvwxyz0",
    "expires_at": "2026-12-08T22:50:00+00:00",
}, secret=True)


class InvalidInvitation(DomainError):
    status = 400
    code = "invalid_invitation"
    message = N_("Dieser Einladungslink ist ungültig oder schon benutzt.")


class ExpiredInvitation(InvalidInvitation):
    status = 410
    code = "expired_invitation"
    message = N_("Dieser Einladungslink ist abgelaufen. Bitten Sie um eine neue Einladung.")


class InvalidEmail(InvalidInput):
    code = "invalid_email"
    message = N_("Bitte eine gültige E-Mail-Adresse angeben.")


class _ClockSigner(TimestampSigner):
    """Signs and checks with the time passed in, not the wall clock (STYLE: time is passed in)."""

    def __init__(self, *args, now: float, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._now = int(now)

    def get_timestamp(self) -> int:
        return self._now


def _serializer(secret_key: str, now: datetime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret_key, salt=_SALT, signer=_ClockSigner, signer_kwargs={"now": now.timestamp()},
    )


def _stamp(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def invitation_token(user: User, *, secret_key: str, now: datetime) -> str:
    return _serializer(secret_key, now).dumps({"uid": user.id, "pw": _stamp(user)})


def user_of_invitation(token: str, *, secret_key: str, now: datetime) -> User:
    """The invited user of a valid token; raises ExpiredInvitation or InvalidInvitation."""
    try:
        data = _serializer(secret_key, now).loads(token, max_age=INVITATION_MAX_AGE_S)
    except SignatureExpired:
        raise ExpiredInvitation() from None
    except BadSignature:
        raise InvalidInvitation() from None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or data.get("pw") != _stamp(user):
        raise InvalidInvitation()
    return user


def list_members(sub_region: SubRegion) -> list[tuple[User, Role]]:
    """The sub-region's coordinators and drivers, by role and name."""
    rows = db.session.execute(
        select(User, Membership.role).join(Membership, Membership.user_id == User.id)
        .where(Membership.sub_region_id == sub_region.id, Membership.role.in_(INVITABLE))
        .order_by(Membership.role, User.name)
    ).all()
    return [(user, role) for user, role in rows]


def invite_member(*, sub_region: SubRegion, role: Role, email: str, name: str, actor, base_url: str,
                  secret_key: str, now: datetime) -> User:
    """Give `email` the role in the sub-region; create the account (inactive) when there is
    none, and send the invitation (with a link to choose a password when the account is not
    active yet)."""
    if role not in INVITABLE:
        raise InvalidInput(field="role")
    email = normalise_email(email or "")
    if "@" not in email or len(email) > 254 or " " in email:
        raise InvalidEmail()
    user = get_user_by_email(email)
    created = user is None
    if created:
        user = create_user(email=email, password=secrets.token_urlsafe(24),
                           name=(name or "").strip() or email.split("@")[0])
        user.active = False
    already = role in user.roles() and sub_region.id in user.scopes(role)
    grant_role(user, role, sub_region.id)
    url = None
    if not user.active:
        token = invitation_token(user, secret_key=secret_key, now=now)
        url = f"{base_url.rstrip('/')}/einladung/gebiet/{token}"
    expires = datetime.fromtimestamp(now.timestamp() + INVITATION_MAX_AGE_S, tz=now.tzinfo)
    notify(user, INVITATION, {
        "name": user.name, "role": role.value, "sub_region_name": sub_region.name,
        "region_name": sub_region.region.name, "invite_url": url,
        "expires_at": expires.isoformat(),
    }, now=now)
    if not already:
        log_change(region_id=sub_region.region_id, actor=actor, action="role.granted", obj=user,
                   before=None, after={"role": role.value, "sub_region_id": sub_region.id,
                                       "email": email, "account_created": created}, now=now)
    db.session.flush()
    return user


def get_member_role(sub_region: SubRegion, user_id: int, role: Role) -> Membership | None:
    """The user's coordinator or driver role in the sub-region, if they hold it."""
    if role not in INVITABLE:
        return None
    return db.session.scalars(select(Membership).where(
        Membership.user_id == user_id, Membership.role == role,
        Membership.sub_region_id == sub_region.id,
    )).first()


def remove_member(*, sub_region: SubRegion, membership: Membership, actor, now: datetime) -> None:
    """Take the role (from get_member_role) in the sub-region away."""
    if membership.sub_region_id != sub_region.id or membership.role not in INVITABLE:
        raise NotFound()
    user = membership.user
    user.memberships.remove(membership)
    db.session.flush()
    log_change(region_id=sub_region.region_id, actor=actor, action="role.removed", obj=user,
               before={"role": membership.role.value, "sub_region_id": sub_region.id, "email": user.email},
               after=None, now=now)


def accept_invitation(*, token: str, password: str, secret_key: str, now: datetime) -> User:
    """Choose a password with the link: the account becomes active, the link is used up."""
    user = user_of_invitation(token, secret_key=secret_key, now=now)
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise WeakPassword()
    user.set_password(password)
    user.active = True
    db.session.flush()
    return user
