"""重新签发证书: the reviewer's button on a numbered Tech-SME evaluation or a selected declaration,
and what the record's pages show about its certificate (being issued, failed)."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.services import certificate_issuance as issuance
from app.services.errors import Forbidden, NotFound, ServiceError

# Where the button was pressed: the record's review page.
SHOW_PAGES = {"sme_evaluation": "SmeReviewView.show", "declaration": "DeclarationReviewView.show"}


class CertificateIssuanceView(BaseView):
    route_base = "/certificates"
    default_view = "reissue"

    @expose("/reissue/<record_type>/<int:record_id>", methods=["POST"])
    @has_access
    def reissue(self, record_type, record_id):
        """Queue the new version (CSRF checked by the app's CSRFProtect; role and scope by the service)."""
        if record_type not in SHOW_PAGES:
            abort(404)
        try:
            issuance.reissue(g.user, record_type, record_id)
            flash(_("The certificate is being issued again: the new version replaces the current one."), "success")
        except (NotFound, Forbidden) as exc:  # outside the user's scope or role: no way to the record
            abort(exc.status_code)
        except ServiceError as exc:
            flash(exc.message, "danger")
        return redirect(url_for(SHOW_PAGES[record_type], pk=record_id))


def add_template_globals() -> None:
    """What the record pages (shenbao/_certificate_issuance.html) ask."""
    app = current_app
    app.jinja_env.globals["certificate_issuance_state"] = issuance.issuance_state
    app.jinja_env.globals["may_reissue_certificate"] = lambda record_type: issuance.may_reissue(g.user, record_type)
