"""Pickup places: parcel stations with compartments, community sales points, opening hours."""
