"""Status labels shared by screens and documents."""
from __future__ import annotations

from flask_babel import gettext as _

from app.workflows.definitions import SME_EVALUATION


def sme_status_label(status: str) -> str:
    return SME_EVALUATION.state_label(status)


def declaration_status_label(status: str) -> str:
    from app.workflows.definitions import DECLARATION

    return DECLARATION.state_label(status)
