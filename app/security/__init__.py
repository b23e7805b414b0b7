"""Authentication, roles as data, and row-level scope."""
