"""Small, measured adjustments to Flask-AppBuilder internals, applied once at start-up.

Each names the FAB behaviour it changes and the figure that justified it
(bench/results/list_pages-*.md).
"""
from __future__ import annotations

import jsonschema
from jsonschema.exceptions import best_match


class _CachedJsonSchema:
    """Stands in for the ``jsonschema`` module inside ``flask_appbuilder.api``.

    FAB's ``@rison`` decorator calls ``jsonschema.validate(instance, schema)`` on every
    REST request, which re-checks the (constant) schema itself each time: ~4.6 ms per
    call here. Keep one validator per schema object; errors are the same exceptions.
    """

    ValidationError = jsonschema.ValidationError

    def __init__(self) -> None:
        self._validators: dict[int, tuple[dict, object]] = {}

    def validate(self, instance, schema) -> None:
        entry = self._validators.get(id(schema))
        if entry is None or entry[0] is not schema:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            entry = (schema, cls(schema))
            self._validators[id(schema)] = entry
        error = best_match(entry[1].iter_errors(instance))
        if error is not None:
            raise error


_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    import flask_appbuilder.api as fab_api

    fab_api.jsonschema = _CachedJsonSchema()
    _applied = True
