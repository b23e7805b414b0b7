"""Public pages of the local signing agent (shenbao-signer): how to install it on Windows, macOS and
Linux, and its source archive for ``pip install``. No login: the instructions hold nothing secret,
and an enterprise may install the agent before its first sign-in."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash
from flask_appbuilder import BaseView, expose

from app.services.eseal import signer_package
from app.services.errors import ServiceError


def public_origin() -> str:
    """The origin browsers send for this Shenbao (scheme://host[:port]): what the agent's --origin
    must be. PUBLIC_BASE_URL may carry a path; an origin has none."""
    parts = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return f"{parts.scheme}://{parts.netloc}"


class SignerView(BaseView):
    route_base = "/signer"
    default_view = "index"

    @expose("/")
    def index(self):
        package, status = None, 200
        try:
            package = signer_package.archive()
        except ServiceError as exc:
            flash(exc.message, "danger")
            status = exc.status_code
        return self.render_template("shenbao/signer/index.html", package=package, origin=public_origin(),
                                    command=signer_package.COMMAND,
                                    port=int(current_app.config["SIGNER_AGENT_PORT"])), status

    @expose("/<filename>")
    def download(self, filename):
        package = signer_package.archive()  # SignerUnavailable: the app's error page, 503
        if filename != package.filename:
            abort(404)
        return Response(package.data, mimetype="application/gzip",
                        headers={"Content-Disposition": f'attachment; filename="{package.filename}"',
                                 "Cache-Control": "no-cache"})
