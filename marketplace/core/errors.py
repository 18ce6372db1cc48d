"""Domain errors: what a service refuses, with the HTTP status and code the web layer shows."""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (core knows no locale)."""
    return message


class DomainError(Exception):
    """A rule of the domain refused an action. Subclasses set `status`, `code` and `message`."""

    status = 400
    code = "domain_error"
    message = N_("Die Aktion ist nicht möglich.")

    def __init__(self, detail: str | None = None, **params: object) -> None:
        self.params = params
        self.detail = detail or self.message
        super().__init__(self.detail)

    def extra(self) -> dict:
        """More members of the JSON problem beside `error` and `detail` (e.g. the wrong items)."""
        return {}

    def to_dict(self) -> dict:
        return {"error": self.code, "detail": str(self), **self.extra()}


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = N_("Nicht gefunden.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = N_("Dafür fehlt die Berechtigung.")


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"
    message = N_("Die Eingabe ist ungültig.")


class InvalidFields(InvalidInput):
    """Values that break rules; `errors` maps each wrong field to its message (a msgid)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(next(iter(errors.values())))

    def extra(self) -> dict:
        return {"fields": dict(self.errors)}


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = N_("Der Vorgang steht im Widerspruch zum aktuellen Zustand.")
