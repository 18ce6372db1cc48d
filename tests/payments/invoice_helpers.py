"""Orders with invoices, built on the ordering world: confirmed through the providers."""
from __future__ import annotations

from marketplace.extensions import db
from marketplace.payments.invoice_method import set_billing_profile
from marketplace.payments.services import submit_order
from tests.orders.helpers import TUESDAY


def allow_invoice(resident, *, organisation=None, reference=None, now):
    set_billing_profile(resident=resident, may_pay_by_invoice=True, organisation=organisation,
                        buyer_reference=reference, actor=None, now=now)
    db.session.commit()


def order_bread_and_wine(world, now, *, method="pay_on_pickup", door=False, bread=2, wine=1):
    """2 breads of producer A (7 %), 1 Riesling of producer B (19 %), at the sales point."""
    from marketplace.orders.checkout import FulfilmentChoice

    fulfilment = FulfilmentChoice("door", window="08:00-12:00") if door else world.sales_point_choice()
    items = [(world.bread.id, bread)] + ([(world.wine.id, wine)] if wine else [])
    order, _ = submit_order(resident=world.resident, items=items, delivery_date=TUESDAY,
                            fulfilment=fulfilment, payment_method=method, now=now)
    db.session.commit()
    return order
