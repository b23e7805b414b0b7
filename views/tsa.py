"""The platform's RFC 3161 time-stamp authority over HTTP (RFC 3161 §3.4): public, posted to by
time-stamp clients (the local signing agent, openssl, Adobe), so no CSRF token and no login."""
from __future__ import annotations

from flask import Response, request
from flask_appbuilder import BaseView, expose

from app.services.eseal import pki, timestamps

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
# A TimeStampReq is ~100 bytes (SHA-512 imprint, nonce, policy): anything larger is not one.
_MAX_REQUEST = 4096


class TsaView(BaseView):
    route_base = "/tsa"
    default_view = "stamp"

    # At /tsa exactly (the URL in PUBLIC_BASE_URL/tsa that clients are given: a redirect to
    # /tsa/ would lose the POST body with most time-stamp clients) and at /tsa/.
    @expose("", methods=["POST"])
    @expose("/", methods=["POST"])
    def stamp(self):
        body = request.get_data(cache=False)[:_MAX_REQUEST + 1]
        if len(body) > _MAX_REQUEST:
            reply = timestamps.rejection("bad_request", "the request is too large")
        else:
            # The content type is not checked: a wrong one is the client's mistake, and the DER
            # parse decides anyway (a rejection says what is wrong).
            try:
                reply = timestamps.reply(body)
            except pki.PkiUnavailable:
                reply = timestamps.system_failure()
        return Response(reply, mimetype=REPLY_TYPE)
