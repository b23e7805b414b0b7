"""Public pages (no login): the user manuals, one per role and program, in the reader's language
(the Chinese text where a language has none), and their screenshots. The "?" context help of the
other pages links here (app/help_links.py)."""
from __future__ import annotations

from flask import abort, send_file
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l

from app.services import manuals

GROUPS = (
    ("applicant", _l("Enterprise applicant")),
    ("agency", _l("Evaluation agencies and provincial agencies")),
    ("association", _l("China Association for Quality and recommending units")),
    ("ca", _l("CA operator")),
    ("admin", _l("Statistics managers and administrators")),
    ("rules", _l("Rules administrator")),
)


class HelpView(BaseView):
    """用户手册: the index groups the manuals by reader; a manual shows its contents and sections."""

    route_base = "/help"
    default_view = "index"

    @expose("/")
    def index(self):
        groups = []
        for key, label in GROUPS:
            items = [m for m in (manuals.get(slug) for slug, group in manuals.MANUALS if group == key) if m]
            if items:
                groups.append((label, items))
        return self.render_template("shenbao/help/index.html", groups=groups)

    @expose("/<slug>")
    def manual(self, slug):
        manual = manuals.get(slug[:40])
        if manual is None:
            abort(404)
        return self.render_template("shenbao/help/manual.html", manual=manual)

    @expose("/img/<filename>")
    def image(self, filename):
        path = manuals.image_path(filename[:90])
        if path is None:
            abort(404)
        mimetype = "image/png" if path.suffix == ".png" else "image/jpeg"
        return send_file(path, mimetype=mimetype, max_age=3600)


def _help_link():
    from app.help_links import help_link

    try:
        return help_link()
    except Exception:  # noqa: BLE001 - context help never breaks a page
        return None


def register(appbuilder) -> None:
    """The manuals (public) and the help_link Jinja global the base template renders."""
    from flask import current_app

    appbuilder.add_view_no_menu(HelpView())
    current_app.jinja_env.globals["help_link"] = _help_link
