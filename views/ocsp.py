"""The public OCSP responder (RFC 6960 Appendix A): POST application/ocsp-request to /ocsp, or
GET /ocsp/<base64 of the DER request, URL-encoded>. No login, no CSRF token (a client is not a
browser holding a form); limited per client address (OCSP_LIMIT_PER_ADDRESS)."""
from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from flask import Response, request
from flask_appbuilder import BaseView, expose

from app.services.eseal import ocsp

MIMETYPE = "application/ocsp-response"


class OcspView(BaseView):
    route_base = "/ocsp"

    @expose("", methods=["POST"])
    def post(self):
        body = request.get_data(cache=False)
        return Response(ocsp.respond(body), mimetype=MIMETYPE, headers={"Cache-Control": "no-store"})

    @expose("/<path:encoded>", methods=["GET"])
    def get(self, encoded):
        try:
            # Some clients leave "+", "/" and "=" percent-encoded even after the server decoded
            # the path once; spaces come from a "+" decoded as a form would.
            der = base64.b64decode(unquote(encoded).replace(" ", "+"), validate=True)
        except (binascii.Error, ValueError):
            der = b""
        # RFC 5019 §6.2: GET answers may be cached; briefly, so a revocation shows soon.
        return Response(ocsp.respond(der), mimetype=MIMETYPE,
                        headers={"Cache-Control": "max-age=60, public, no-transform, must-revalidate"})
