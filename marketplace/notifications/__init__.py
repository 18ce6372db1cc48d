"""Notifications: one outbox for e-mail, SMS and printed slips, sent after the commit by a job."""
