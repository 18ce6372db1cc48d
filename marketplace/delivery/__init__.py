"""Vehicles, tours and tour stops; routing/ is the pure planning core."""
