"""Attachment download: only within the user's scope, always as an attachment."""
from __future__ import annotations

from flask import abort, send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.extensions import db
from app.security.scope import in_scope
from app.storage import open_attachment
from models import Attachment


class AttachmentView(BaseView):
    route_base = "/attachments"

    @expose("/<int:attachment_id>")
    @has_access
    def download(self, attachment_id):
        attachment = in_scope(db.session, Attachment, attachment_id)
        if attachment is None:
            abort(404)
        try:
            stream = open_attachment(attachment)
        except FileNotFoundError:
            abort(404)
        return send_file(stream, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, max_age=0)
