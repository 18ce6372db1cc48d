"""A producer's delivery day: pick and packing lists, crate labels, as pages, PDF and CSV."""
