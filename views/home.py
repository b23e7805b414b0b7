"""Home page: what the signed-in user should do next."""
from __future__ import annotations

from flask import g
from flask_appbuilder import IndexView, expose

from app.security.scope import role_names
from app.workflows.definitions import SME_EVALUATION


class HomeView(IndexView):
    index_template = "shenbao/home.html"

    @expose("/")
    def index(self):
        from app.services.enterprise import enterprise_of

        user = g.user if g.user is not None and g.user.is_authenticated else None
        enterprise = enterprise_of(user) if user is not None else None
        return self.render_template(self.index_template, appbuilder=self.appbuilder, enterprise=enterprise,
                                    roles=role_names(user) if user else set(),
                                    evaluation=_latest_evaluation(enterprise), sme_status=SME_EVALUATION.state_label)


def _latest_evaluation(enterprise):
    """The enterprise's newest SME evaluation (its status and registration number on the home page)."""
    if enterprise is None or enterprise.status != "approved":
        return None
    from sqlalchemy import select

    from app.extensions import db
    from models import SmeEvaluation

    return db.session.execute(select(SmeEvaluation).where(SmeEvaluation.enterprise_id == enterprise.id)
                              .order_by(SmeEvaluation.year.desc(), SmeEvaluation.id.desc()).limit(1)).scalar_one_or_none()
