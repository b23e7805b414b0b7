"""Workflows as data (definitions) and the one engine that applies them."""
