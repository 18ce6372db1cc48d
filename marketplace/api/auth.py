"""Bearer tokens for the API: signed with the app's SECRET_KEY, valid API_TOKEN_MAX_AGE_S seconds."""
from __future__ import annotations

import hashlib
from functools import lru_cache, wraps

from flask import current_app, g, request
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from marketplace.accounts.models import User
from marketplace.core.clock import utcnow
from marketplace.core.errors import N_, DomainError
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


class _ClockSigner(TimestampSigner):
    """Stamps a token with the application's clock (LANDKORB_CLOCK when pinned), not the machine's."""

    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer(secret_key: str | None = None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key or current_app.config["SECRET_KEY"], salt=_SALT, signer=_ClockSigner)


def _password_stamp(password_hash: str) -> str:
    # Part of the token: a new password makes every older token invalid.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def issue_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "pw": _password_stamp(user.password_hash)})


@lru_cache(maxsize=4096)
def _signed_claims(secret_key: str, token: str) -> tuple[object, object, float] | None:
    """(uid, password stamp, issued at) of a token signed with `secret_key`, else None.

    A function of its arguments alone, so kept: an API client sends the same token with every
    request, and checking the signature again each time costs more than loading the user."""
    try:
        data, issued = _serializer(secret_key).loads(token, return_timestamp=True)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return data.get("uid"), data.get("pw"), issued.timestamp()


def user_from_token(token: str) -> User | None:
    """The user of a valid token: signed by us, not expired, active, and whose password has not
    changed since."""
    claims = _signed_claims(current_app.config["SECRET_KEY"], token)
    if claims is None:
        return None
    uid, stamp, issued = claims
    if type(uid) is not int or utcnow().timestamp() - issued > current_app.config["API_TOKEN_MAX_AGE_S"]:
        return None
    user = db.session.get(User, uid)
    if user is None or not user.active or stamp != _password_stamp(user.password_hash):
        return None
    return user


def _bearer_user(required: bool) -> User | None:
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            raise Unauthenticated()
        return None
    scheme, _, token = header.partition(" ")
    user = user_from_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:  # a wrong token is refused, never treated as anonymous
        raise Unauthenticated()
    return user


def _authenticate(required: bool) -> None:
    # Set on every request: tests keep `g` across requests.
    g.api_user = _bearer_user(required)


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


def api_user() -> User | None:
    """The user whose bearer token the request carries (None for an anonymous request)."""
    return g.get("api_user")
