"""Payments: the provider registry (pay on pickup now; Stripe and invoice plug in the same way)."""
