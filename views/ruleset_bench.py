"""The rule-set test bench: re-score past evaluations under a draft, progress, differences, xlsx."""
from __future__ import annotations


def register(appbuilder) -> None:
    """Add the test bench view (no menu entry: reached from a rule set's page)."""
