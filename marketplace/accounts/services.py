"""Changes to accounts: authenticate, create users, grant roles."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.accounts.models import ROLE_SCOPE, Membership, Role, User
from marketplace.core.errors import N_, Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.regions.geo import ResolvedAddress
from marketplace.regions.queries import locate_address


class EmailTaken(Conflict):
    code = "email_taken"
    message = N_("Für diese E-Mail-Adresse gibt es schon ein Konto.")


class WeakPassword(InvalidInput):
    code = "weak_password"
    message = N_("Das Passwort muss mindestens 10 Zeichen lang sein.")


class UnknownAddress(InvalidInput):
    code = "unknown_address"
    message = N_("Diese Adresse können wir nicht finden. Bitte prüfen Sie Postleitzahl und Ort.")


MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalars(
        select(User).where(User.email == normalise_email(email))
    ).first()


def authenticate(email: str, password: str) -> User | None:
    user = get_user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def create_user(
    *, email: str, password: str, name: str, phone: str | None = None,
    hash_method: str = "scrypt",
) -> User:
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword()
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise EmailTaken()
    user = User(email=email, name=name.strip(), phone=(phone or "").strip() or None)
    user.set_password(password, method=hash_method)
    db.session.add(user)
    db.session.flush()
    return user


def grant_role(user: User, role: Role, scope_id: int | None = None) -> Membership:
    column = ROLE_SCOPE[role]
    if (column is None) != (scope_id is None):
        raise InvalidInput(N_("Diese Rolle braucht einen passenden Geltungsbereich."))
    for existing in user.memberships:
        if existing.role == role and (column is None or getattr(existing, column) == scope_id):
            return existing
    membership = Membership(role=role, **({column: scope_id} if column else {}))
    user.memberships.append(membership)
    db.session.flush()
    return membership


def register_resident(
    *, email: str, password: str, name: str, phone: str | None = None,
    hash_method: str = "scrypt",
) -> User:
    """A new account that may order as a resident; raises EmailTaken or WeakPassword."""
    user = create_user(
        email=email, password=password, name=name, phone=phone, hash_method=hash_method
    )
    grant_role(user, Role.RESIDENT)
    return user


def set_home_address(
    user: User, *, street: str, postcode: str, town: str,
    nominatim_user_agent: str | None = None,
) -> ResolvedAddress:
    """Store the home address with its coordinates and region place (None when outside).

    Raises UnknownAddress when neither the PLZ nor the place name can be located; the user is
    left unchanged then.
    """
    located = locate_address(
        street=street, postcode=postcode, town=town, nominatim_user_agent=nominatim_user_agent,
    )
    if located is None:
        raise UnknownAddress()
    resolved, place = located
    user.street, user.postcode, user.town = street.strip(), postcode.strip(), town.strip()
    user.home_lat, user.home_lon = resolved.lat, resolved.lon
    user.home_place = place
    db.session.flush()
    return resolved
