"""Status labels shared by screens and documents."""
from __future__ import annotations

from flask_babel import gettext as _

from app.workflows.definitions import SME_EVALUATION


def sme_status_label(status: str) -> str:
    return _(SME_EVALUATION.states.get(status, status))


def declaration_status_label(status: str) -> str:
    from app.workflows.definitions import DECLARATION

    return _(DECLARATION.states.get(status, status))
