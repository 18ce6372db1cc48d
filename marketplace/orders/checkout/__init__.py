"""Checkout: the rules an order must meet and what the checkout offers (days, places, prices)."""
from marketplace.orders.checkout.errors import *  # noqa: F403
from marketplace.orders.checkout.errors import __all__ as _errors
from marketplace.orders.checkout.options import (
    BasketPrice,
    FulfilmentOption,
    PricedLine,
    list_delivery_days_for,
    list_fulfilment_options,
    list_pickup_places_of,
    price_basket,
    vat_of_order,
)
from marketplace.orders.checkout.rules import (
    MAX_QUANTITY,
    FulfilmentChoice,
    check_quantity,
    list_door_windows,
)

__all__ = [
    *_errors, "BasketPrice", "FulfilmentChoice", "FulfilmentOption", "MAX_QUANTITY",
    "PricedLine", "check_quantity", "list_delivery_days_for", "list_door_windows", "list_fulfilment_options",
    "list_pickup_places_of", "price_basket", "vat_of_order",
]
