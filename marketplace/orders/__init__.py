"""Carts, orders, order lines with price snapshots, producer orders, transitions, checkout."""
