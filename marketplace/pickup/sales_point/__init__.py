"""The sales point's staff pages: the day's incoming orders, receipt, handover, payment, expiry."""
