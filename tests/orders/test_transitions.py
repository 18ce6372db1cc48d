"""The order state table: every allowed move writes one event; a refused one changes nothing."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.services import place_order
from marketplace.orders.transitions import ALLOWED, InvalidTransition, move_order
from tests.orders.helpers import TUESDAY, count_events, make_world

S = OrderStatus
ALLOWED_PAIRS = sorted((a, b) for a, targets in ALLOWED.items() for b in targets)
REFUSED_PAIRS = sorted((a, b) for a in S for b in S if b not in ALLOWED.get(a, set()))


@pytest.fixture
def order(db, now):
    world = make_world()
    placed = place_order(
        resident=world.resident, items=[(world.bread.id, 1)], delivery_date=TUESDAY,
        fulfilment=world.station_choice(), payment_method="pay_on_pickup", now=now,
    )
    db.session.commit()
    return db.session.get(Order, placed.id)  # the record as written → the model, to move it


def test_the_table_matches_the_order_life_in_the_design():
    assert ALLOWED == {
        S.PLACED: {S.CONFIRMED, S.EXPIRED, S.CANCELLED},
        S.CONFIRMED: {S.PACKED, S.CANCELLED},
        S.PACKED: {S.IN_TRANSIT},
        S.IN_TRANSIT: {S.DELIVERED, S.RETURNED},
        S.DELIVERED: {S.PICKED_UP, S.NOT_COLLECTED},
        S.NOT_COLLECTED: {S.RETURNED},
    }
    for terminal in (S.PICKED_UP, S.RETURNED, S.EXPIRED, S.CANCELLED):
        assert terminal not in ALLOWED


@pytest.mark.parametrize(("start", "to"), ALLOWED_PAIRS)
def test_every_allowed_move_changes_the_status_and_writes_one_event(order, now, start, to):
    order.status = start
    db.session.commit()
    before = count_events()
    event = move_order(order, to, now=now, actor=order.resident, note="test")
    db.session.commit()
    assert order.status == to
    assert count_events() == before + 1
    assert (event.from_status, event.to_status, event.kind, event.actor_id, event.note) == (
        start, to, to.value, order.resident_id, "test",
    )


@pytest.mark.parametrize(("start", "to"), REFUSED_PAIRS)
def test_every_refused_move_leaves_the_order_unchanged_and_writes_no_event(order, now, start, to):
    order.status = start
    db.session.commit()
    before = count_events()
    with pytest.raises(InvalidTransition) as refused:
        move_order(order, to, now=now)
    assert refused.value.status == 409 and refused.value.code == "invalid_transition"
    db.session.commit()
    db.session.expire_all()
    assert order.status == start
    assert count_events() == before
