"""Bearer tokens for the API: signed with the app's SECRET_KEY, valid API_TOKEN_MAX_AGE_S seconds."""
from __future__ import annotations

import hashlib
from functools import wraps

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from marketplace.accounts.models import User
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


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _password_stamp(user: User) -> str:
    # Part of the token: a new password makes every older token invalid.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def issue_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "pw": _password_stamp(user)})


def user_from_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["API_TOKEN_MAX_AGE_S"])
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or type(data.get("uid")) is not int:
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.active or data.get("pw") != _password_stamp(user):
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


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        g.api_user = _bearer_user(required=True)
        return view(*args, **kwargs)

    return wrapped


def token_optional(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        g.api_user = _bearer_user(required=False)
        return view(*args, **kwargs)

    return wrapped


def api_user() -> User | None:
    return g.get("api_user")
