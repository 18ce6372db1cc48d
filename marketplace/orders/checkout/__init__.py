"""Checkout: the rules an order must meet and what the checkout offers (days, places, prices)."""
from marketplace.orders.checkout.context import (
    CheckoutContext,
    list_pickup_places_of,
    load_checkout,
)
from marketplace.orders.checkout.errors import *  # noqa: F403
from marketplace.orders.checkout.errors import __all__ as _errors
from marketplace.orders.checkout.options import (
    BasketPrice,
    FulfilmentOption,
    PricedLine,
    list_delivery_days_for,
    list_fulfilment_options,
    price_basket,
    price_lines,
    vat_of_order,
)
from marketplace.orders.checkout.rules import (
    MAX_QUANTITY,
    FulfilmentChoice,
    check_quantity,
    list_door_windows,
    list_open_delivery_days,
)

__all__ = [
    *_errors, "BasketPrice", "CheckoutContext", "FulfilmentChoice", "FulfilmentOption", "MAX_QUANTITY",
    "PricedLine", "check_quantity", "list_delivery_days_for", "list_door_windows",
    "list_fulfilment_options", "list_open_delivery_days", "list_pickup_places_of", "load_checkout", "price_basket",
    "price_lines", "vat_of_order",
]
