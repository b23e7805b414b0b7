"""Pure business rules: no Flask, no database."""

from rules.violations import RuleViolation

__all__ = ["RuleViolation"]
