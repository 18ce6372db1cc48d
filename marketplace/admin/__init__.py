"""Coordinator and region-admin screens and each role's start page; calls services, owns no rules."""
