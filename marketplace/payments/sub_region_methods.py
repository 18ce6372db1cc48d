"""Which payment methods a sub-region offers: read them, and switch them on or off.

`set_payment_methods` is the one write path: the region admin's set-up page, the coordinator's
page and `flask payments methods` call it. Each change is logged like the other set-up changes
(`regions/setup.recording`: who, when, before and after). No row in `SubRegionPaymentMethod`
means on; where a method fits (pay on pickup never at a parcel station) stays the provider's rule.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from marketplace.core.errors import N_, InvalidInput
from marketplace.extensions import db
from marketplace.orders.models import PaymentMethod
from marketplace.payments import methods  # noqa: F401  (registers the providers)
from marketplace.payments.models import SubRegionPaymentMethod
from marketplace.payments.providers import available_methods, configured_methods, switched_off
from marketplace.regions.models import SubRegion
from marketplace.regions.setup import recording

ACTION = "sub_region.payment_methods_changed"


class UnknownPaymentMethod(InvalidInput):
    code = "unknown_payment_method"
    message = N_("Diese Zahlungsart gibt es nicht: %(method)s.")


class PaymentMethodNotConfigured(InvalidInput):
    code = "payment_method_not_configured"
    message = N_("Die Zahlungsart %(method)s ist nicht eingerichtet und kann nicht angeboten werden.")


class NoPaymentMethodLeft(InvalidInput):
    code = "no_payment_method_left"
    message = N_("Mindestens eine Zahlungsart muss angeboten werden.")


@dataclass(frozen=True)
class MethodState:
    method: PaymentMethod
    is_enabled: bool     # the sub-region's choice
    is_configured: bool  # the installation can take it (Stripe: its keys are set)

    @property
    def is_offered(self) -> bool:
        return self.is_enabled and self.is_configured


def list_method_states(sub_region_id: int) -> list[MethodState]:
    """Every registered method with the sub-region's choice, in the checkout's order."""
    off, configured = switched_off(sub_region_id), set(configured_methods())
    return [MethodState(m, m not in off, m in configured) for m in available_methods()]


def _choices(sub_region: SubRegion) -> dict[str, bool]:
    """Method → switched on, as the set-up log keeps it."""
    return {s.method.value: s.is_enabled for s in list_method_states(sub_region.id)}


def _method(value: object) -> PaymentMethod:
    try:
        method = PaymentMethod(value)
    except ValueError:
        raise UnknownPaymentMethod(method=str(value)) from None
    if method not in available_methods():
        raise UnknownPaymentMethod(method=method.value)
    return method


def set_payment_methods(*, sub_region: SubRegion, changes: Mapping[object, bool], actor,
                        now: datetime) -> list[MethodState]:
    """Switch the methods in `changes` on (True) or off (False); the others stay as they are.

    Refused, with nothing written: an unknown method, switching on a method the installation
    cannot take (Stripe without keys), and leaving the sub-region without any method it can
    take. Flushes and logs one change (when something changed); the caller commits.
    """
    wanted = {_method(value): bool(enabled) for value, enabled in changes.items()}
    configured = set(configured_methods())
    for method, enabled in wanted.items():
        if enabled and method not in configured:
            raise PaymentMethodNotConfigured(method=method.value)
    before = _choices(sub_region)
    after = {**before, **{m.value: enabled for m, enabled in wanted.items()}}
    if not any(after[m.value] for m in configured):
        raise NoPaymentMethodLeft()
    if after == before:
        return list_method_states(sub_region.id)
    rows = {row.method: row for row in db.session.scalars(
        select(SubRegionPaymentMethod).where(SubRegionPaymentMethod.sub_region_id == sub_region.id))}
    with recording(ACTION, sub_region, snapshot=_choices, region_id=sub_region.region_id, actor=actor, now=now):
        for method, enabled in wanted.items():
            row = rows.get(method)
            if row is None:
                row = SubRegionPaymentMethod(sub_region_id=sub_region.id, method=method)
                db.session.add(row)
            row.enabled = enabled
    return list_method_states(sub_region.id)
