"""Strict input parsing for the API: integers are integers, never bools, floats or strings."""
from __future__ import annotations

import math
import re
from datetime import date

from flask import request

from marketplace.core.errors import N_, InvalidInput

_DIGITS = re.compile(r"[0-9]{1,9}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FLOAT = re.compile(r"-?[0-9]{1,4}(\.[0-9]{1,20})?")


class InvalidField(InvalidInput):
    code = "invalid_input"
    message = N_("Der Wert für „%(field)s“ ist ungültig.")


class InvalidJson(InvalidInput):
    status = 400
    code = "invalid_json"
    message = N_("Der Inhalt der Anfrage muss ein JSON-Objekt sein.")


def json_object() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidJson()
    return data


def query_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not _DIGITS.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        raise InvalidField(field=name)
    return int(raw)


def query_float(name: str, *, minimum: float, maximum: float) -> float | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not _FLOAT.fullmatch(raw):
        raise InvalidField(field=name)
    value = float(raw)
    if not math.isfinite(value) or not minimum <= value <= maximum:
        raise InvalidField(field=name)
    return value


def query_near(name: str = "near") -> tuple[float, float] | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    if len(parts) != 2 or not all(_FLOAT.fullmatch(p.strip()) for p in parts):
        raise InvalidField(field=name)
    lat, lon = (float(p) for p in parts)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidField(field=name)
    return lat, lon


def query_text(name: str, *, max_length: int) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    if len(raw) > max_length:
        raise InvalidField(field=name)
    return raw.strip()


def query_bool(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw not in {"true", "false", "1", "0"}:
        raise InvalidField(field=name)
    return raw in {"true", "1"}


def body_date(data: dict, name: str) -> date:
    raw = data.get(name)
    if not isinstance(raw, str) or not _DATE.fullmatch(raw):
        raise InvalidField(field=name)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidField(field=name) from None


def body_object(data: dict, name: str) -> dict:
    value = data.get(name)
    if not isinstance(value, dict):
        raise InvalidField(field=name)
    return value


def body_list(data: dict, name: str) -> list:
    value = data.get(name)
    if not isinstance(value, list):
        raise InvalidField(field=name)
    return value


def body_optional_str(data: dict, name: str, *, max_length: int) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise InvalidField(field=name)
    return value


def body_int(data: dict, name: str, *, minimum: int, maximum: int, nullable: bool = False) -> int | None:
    value = data[name]
    if value is None and nullable:
        return None
    if type(value) is not int or not minimum <= value <= maximum:
        raise InvalidField(field=name)
    return value


def body_bool(data: dict, name: str) -> bool:
    value = data[name]
    if type(value) is not bool:
        raise InvalidField(field=name)
    return value
