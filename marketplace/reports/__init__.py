"""Read-only figures: packing lists, manifests, payouts, sub-region dashboards."""
