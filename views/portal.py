"""Public pages (no login): see shenbao/portal/base.html for the section bar."""
from __future__ import annotations


def register(appbuilder) -> None:
    """Add this module's views (filled in by its issue-15 work)."""
