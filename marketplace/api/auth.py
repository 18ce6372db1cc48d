"""Bearer tokens for the API: signed with the app's SECRET_KEY, valid API_TOKEN_MAX_AGE_S seconds."""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache, wraps

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, select

from marketplace.accounts.models import User
from marketplace.core.errors import N_, DomainError
from marketplace.core.prepared import Prepared
from marketplace.extensions import db

_SALT = "landkorb.api.token.v1"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthorized"
    message = N_("Bitte senden Sie ein gültiges Token im Header „Authorization: Bearer …“.")


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"
    message = N_("E-Mail oder Passwort stimmen nicht.")


def _serializer(secret_key: str | None = None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key or current_app.config["SECRET_KEY"], salt=_SALT)


def _password_stamp(password_hash: str) -> str:
    # Part of the token: a new password makes every older token invalid.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def issue_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "pw": _password_stamp(user.password_hash)})


@dataclass(frozen=True)
class ApiAccount:
    """Whose token a request carries: enough for services that take a user by its id."""

    id: int


_users = User.__table__
# Checked on every API request: a prebuilt Core statement, no ORM object (README, "Performance").
_TOKEN_ACCOUNT = Prepared(
    select(_users.c.active, _users.c.password_hash).where(_users.c.id == bindparam("id"))
)


@lru_cache(maxsize=4096)
def _signed_claims(secret_key: str, token: str) -> tuple[object, object, float] | None:
    """(uid, password stamp, issued at) of a token signed with `secret_key`, else None.

    A function of its arguments alone, so kept: an API client sends the same token with every
    request, and checking the signature again each time costs more than the account's query."""
    try:
        data, issued = _serializer(secret_key).loads(token, return_timestamp=True)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return data.get("uid"), data.get("pw"), issued.timestamp()


def account_from_token(token: str) -> ApiAccount | None:
    """The account of a valid token: signed by us, not expired, of an active user whose
    password has not changed since."""
    claims = _signed_claims(current_app.config["SECRET_KEY"], token)
    if claims is None:
        return None
    uid, stamp, issued = claims
    if type(uid) is not int or time.time() - issued > current_app.config["API_TOKEN_MAX_AGE_S"]:
        return None
    row = _TOKEN_ACCOUNT.first(db.session.connection(), {"id": uid})
    if row is None or not row.active or stamp != _password_stamp(row.password_hash):
        return None
    return ApiAccount(uid)


def _bearer_account(required: bool) -> ApiAccount | None:
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            raise Unauthenticated()
        return None
    scheme, _, token = header.partition(" ")
    account = account_from_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if account is None:  # a wrong token is refused, never treated as anonymous
        raise Unauthenticated()
    return account


def _authenticate(required: bool) -> None:
    g.api_account = _bearer_account(required)
    g.pop("api_user", None)  # loaded on demand, for this account (tests keep `g` across requests)


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        _authenticate(required=True)
        return view(*args, **kwargs)

    return wrapped


def token_optional(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        _authenticate(required=False)
        return view(*args, **kwargs)

    return wrapped


def api_account() -> ApiAccount | None:
    return g.get("api_account")


def api_user() -> User | None:
    """The token's user as an ORM object, loaded on first use."""
    if "api_user" not in g:
        account = api_account()
        g.api_user = db.session.get(User, account.id) if account is not None else None
    return g.api_user
