"""Home page: what the signed-in user should do next."""
from __future__ import annotations

from flask import g
from flask_appbuilder import IndexView, expose

from app.security.scope import role_names


class HomeView(IndexView):
    index_template = "shenbao/home.html"

    @expose("/")
    def index(self):
        from app.services.enterprise import enterprise_of

        user = g.user if g.user is not None and g.user.is_authenticated else None
        enterprise = enterprise_of(user) if user is not None else None
        return self.render_template(self.index_template, appbuilder=self.appbuilder, enterprise=enterprise,
                                    roles=role_names(user) if user else set())
