"""Use cases. Views call these; they validate, change state and commit (or raise)."""
