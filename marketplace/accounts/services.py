"""Changes to accounts: authenticate, create users, grant roles."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.accounts.models import ROLE_SCOPE, Membership, Role, User
from marketplace.core.errors import N_, Conflict, InvalidInput
from marketplace.extensions import db


class EmailTaken(Conflict):
    code = "email_taken"
    message = N_("Für diese E-Mail-Adresse gibt es schon ein Konto.")


class WeakPassword(InvalidInput):
    code = "weak_password"
    message = N_("Das Passwort muss mindestens 10 Zeichen lang sein.")


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
