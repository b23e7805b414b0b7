"""The registries a workflow row names: guards (may this transition happen?) and hooks (work
that is not a field assignment). ``app.workflows.definitions`` imports the modules that fill
them (``guards``, ``hooks``), so a row's names resolve whatever else was imported."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

# guard name -> callable(record) returning an error message (in the user's language) or None
GUARDS: dict[str, Callable[[Any], str | None]] = {}
# hook name -> callable(step) returning changed fields {field: [old, new]} or None
HOOKS: dict[str, Callable[["Step"], dict | None]] = {}


def guard(name: str):
    def register(fn):
        GUARDS[name] = fn
        return fn

    return register


def hook(name: str):
    def register(fn):
        HOOKS[name] = fn
        return fn

    return register


@dataclass
class Step:
    """One transition being carried out: what hooks read and where they leave work.

    :param params: what the service prepared for the hooks (a chosen unit, a PIN, a draft...).
    """

    workflow: Any
    transition: Any
    record: Any
    actor: Any
    comment: str | None
    params: dict[str, Any]
    source: str
    now: Any
    changes: dict[str, list] = field(default_factory=dict)
    # Undo for work outside the database (a key on a token, a file): run when the commit fails.
    undo: list[Callable[[], None]] = field(default_factory=list)
    # Work that must follow the committed data (sign a certificate, publish a CRL).
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
