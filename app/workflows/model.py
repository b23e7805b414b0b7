"""What a workflow is: states, and transitions that declare everything they do.

A transition is one row (after Frappe's workflow rows, which carry ``update_field`` and the
tasks that follow): who may take it and through which screen, the reason it needs and the
field the reason lands in, the fields it stamps or clears, the named hooks for work that is
not a field assignment, and the notifications it sends. ``app.workflows.engine.apply`` reads
the row; services only prepare the parameters a hook needs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Channels: the screen or process a transition may be taken from.
REVIEW = "review"          # the generated review screen's decision form
APPLICANT = "applicant"    # the applicant's own pages
OPERATOR = "operator"      # a reviewer page with a form of its own (papers checklist, EMS number, key production)
BULK = "bulk"              # a reviewer's bulk action over many records
DRAW = "draw"              # the spot-check draw
SCHEDULER = "scheduler"    # scheduled jobs, acting as the system
FOLLOW = "follow"          # a consequence of another record's transition (a key shipped with its application)
CHANNELS = frozenset({REVIEW, APPLICANT, OPERATOR, BULK, DRAW, SCHEDULER, FOLLOW})


class _Now:
    """Marker for ``sets``: the time of the transition (naive UTC)."""

    def __repr__(self) -> str:
        return "NOW"


NOW = _Now()


@dataclass(frozen=True)
class Transition:
    """``action`` moves a record from any of ``sources`` to ``target``.

    :param roles: role names allowed to act.
    :param label: what the action is called (lazy, translated): buttons, timelines, exports.
    :param channels: where the action may be taken from (see the constants above).
    :param guard: name of a registered guard (``app.workflows.guards``) or None.
    :param reason: ``None`` (no reason asked), ``"optional"`` (an opinion may be given) or
        ``"required"``; the applicant sees it.
    :param reason_field: the record field the reason is written to (``return_reason``...).
    :param sets: ``(field, value)`` pairs assigned on entry; ``NOW`` stamps the time.
    :param hooks: named hooks (``app.workflows.hooks``) run in the transaction, in order.
    :param notify: notification template codes sent to the applicant (``app.notify.templates``).
    """

    action: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    label: Any
    channels: frozenset[str] = frozenset({REVIEW})
    guard: str | None = None
    reason: str | None = None
    reason_field: str | None = None
    sets: tuple[tuple[str, Any], ...] = ()
    hooks: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()

    @property
    def comment_required(self) -> bool:
        return self.reason == "required"


@dataclass(frozen=True)
class Workflow:
    name: str
    record_type: str
    initial: str
    states: dict[str, Any]  # state -> label (lazy, translated)
    transitions: tuple[Transition, ...] = field(default_factory=tuple)
    final: frozenset[str] = frozenset()
    # Actions recorded in the timeline that are not state changes (an invoice, a rejected remittance).
    events: dict[str, Any] = field(default_factory=dict)

    def transition(self, action: str, source: str) -> Transition | None:
        for t in self.transitions:
            if t.action == action and source in t.sources:
                return t
        return None

    def actions_from(self, source: str, roles: set[str], channel: str | None = None) -> list[Transition]:
        return [t for t in self.transitions if source in t.sources and t.roles & roles
                and (channel is None or channel in t.channels)]

    def state_label(self, state: str | None) -> str:
        return str(self.states.get(state, state or ""))

    def action_label(self, action: str) -> str:
        for t in self.transitions:
            if t.action == action:
                return str(t.label)
        if action in self.events:
            return str(self.events[action])
        return action
