"""数据导入: pick an importer, download its template, upload, preview (or the error report),
confirm. The upload is kept under a random name until confirmed, for its uploader only."""
from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.extensions import db
from app.reports import imports as im
from app.services.errors import ServiceError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS = 20


def _importer(key: str) -> im.Importer:
    importer = {i.key: i for i in im.importers_for(g.user)}.get(key)
    if importer is None:
        abort(404)
    return importer


def _upload_dir() -> Path:
    path = Path(current_app.config["IMPORT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored(key: str, token: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        abort(404)
    matches = list(_upload_dir().glob(f"{token}-{g.user.id}-{key}.*"))
    if not matches:
        abort(404)
    return matches[0]


class ImportView(BaseView):
    route_base = "/imports"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("shenbao/imports/index.html", importers=im.importers_for(g.user))

    @expose("/<key>/template.xlsx")
    @has_access
    def template(self, key):
        importer = _importer(key)
        return Response(im.template_workbook(importer), mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename=template-{key}.xlsx"})

    @expose("/<key>/preview", methods=["POST"])
    @has_access
    def preview(self, key):
        importer = _importer(key)
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise ServiceError(_("Please choose the file to upload."))
            limit = int(current_app.config["IMPORT_MAX_BYTES"])
            data = upload.stream.read(limit + 1)
            if len(data) > limit:
                raise ServiceError(_("The file is larger than %(limit)s.", limit=f"{limit // (1024 * 1024)} MB"))
            suffix = ".xlsx" if upload.filename.lower().endswith(".xlsx") else ".csv"
            table = im.read_table(data, upload.filename)
            parsed = im.parse(importer, table, g.user)
        except ServiceError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("ImportView.index"))
        token = secrets.token_hex(16)
        (_upload_dir() / f"{token}-{g.user.id}-{key}{suffix}").write_bytes(data)
        return self.render_template("shenbao/imports/preview.html", importer=importer, parsed=parsed, token=token,
                                    sample=parsed.rows[:PREVIEW_ROWS], problems=parsed.problems[:50],
                                    filename=upload.filename)

    @expose("/<key>/errors/<token>.xlsx")
    @has_access
    def errors(self, key, token):
        importer = _importer(key)
        path = _stored(key, token)
        parsed = im.parse(importer, im.read_table(path.read_bytes(), path.name), g.user)
        return Response(im.error_report(parsed.problems), mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename=errors-{key}.xlsx"})

    @expose("/<key>/confirm", methods=["POST"])
    @has_access
    def confirm(self, key):
        importer = _importer(key)
        path = _stored(key, request.form.get("token", ""))
        try:
            count = im.confirm(importer, im.read_table(path.read_bytes(), path.name), g.user)
        except ServiceError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("ImportView.index"))
        path.unlink(missing_ok=True)
        flash(_("%(n)d rows imported.", n=count), "success")
        return redirect(url_for("ImportView.index"))
