"""The web edge: errors to HTTP, template filters, locale, security headers, health."""
