"""Scheduled work: a registry of jobs, `flask jobs tick` (once per minute from cron), the RQ queue."""
