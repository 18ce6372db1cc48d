"""View guards: a role is needed, optionally for one object."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from marketplace.accounts.models import Role


def role_required(*roles: Role):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.roles() & set(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can_act_for(user, role: Role, scope_id: int) -> bool:
    return scope_id in user.scopes(role)
