"""JSON API v1: the same services as the shop, behind bearer tokens, described in OpenAPI."""
