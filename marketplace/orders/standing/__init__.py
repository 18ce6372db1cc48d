"""Standing orders: a resident's basket ordered again every week on one delivery weekday."""
