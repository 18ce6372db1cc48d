"""Region, sub-regions, municipalities and places; delivery schedules and days; geo."""
