"""The payment methods this installation offers: one `register_provider` line each, in the order
the checkout lists them (pay on pickup registers itself in `providers.py`, invoice in
`invoice_method.py`)."""
from marketplace.payments.online import StripeProvider
from marketplace.payments.providers import register_provider

register_provider(StripeProvider())

from marketplace.payments import corrections  # noqa: E402,F401  (refunds and credit notes of short and uncollected goods)
