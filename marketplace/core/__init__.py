"""Framework-free building blocks: domain errors, money, time, column types."""
