"""Users, role memberships scoped to an object, login, registration and permissions."""
