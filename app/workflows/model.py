"""What a workflow is: states, and transitions guarded by role and condition."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Transition:
    """``action`` moves a record from any of ``sources`` to ``target``.

    :param roles: role names allowed to act.
    :param guard: name of a registered guard (app.workflows.guards) or None.
    :param comment_required: a reason the applicant will see (returns).
    """

    action: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    guard: str | None = None
    comment_required: bool = False


@dataclass(frozen=True)
class Workflow:
    name: str
    record_type: str
    initial: str
    states: dict[str, str]  # state -> English label (translated in the catalog)
    transitions: tuple[Transition, ...] = field(default_factory=tuple)
    final: frozenset[str] = frozenset()

    def transition(self, action: str, source: str) -> Transition | None:
        for t in self.transitions:
            if t.action == action and source in t.sources:
                return t
        return None

    def actions_from(self, source: str, roles: set[str]) -> list[Transition]:
        return [t for t in self.transitions if source in t.sources and t.roles & roles]
