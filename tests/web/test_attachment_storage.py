"""Attachments on either store (the ``storage`` fixture: local folder, SeaweedFS): an upload lands
in the configured backend, downloads stream through the app's scope-checked view, and the bucket
answers no one without the app's keys."""
from __future__ import annotations

import hashlib
import urllib.error
import urllib.request

from app.extensions import db
from app.storage import attachment_key
from models import Attachment
from tests import factories as f
from tests.conftest import BOTH_STORES


@BOTH_STORES
def test_an_upload_is_stored_and_downloaded_only_within_scope(app, storage):
    owner = f.gen_applicant()
    enterprise = f.gen_enterprise(owner, status="submitted")
    attachment = db.session.get(Attachment, enterprise.licence_attachment_id)
    key = attachment_key(attachment.stored_name)
    assert storage.exists(key) and storage.size(key) == attachment.size

    web = f.WebClient(app)
    web.login(owner.username)
    response = web.get(f"/attachments/{attachment.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"] and "licence.pdf" in response.headers[
        "Content-Disposition"]
    assert hashlib.sha256(response.data).hexdigest() == attachment.sha256 and response.data.startswith(b"%PDF")

    outsider = f.WebClient(app)
    outsider.login(f.gen_applicant().username)
    assert outsider.get(f"/attachments/{attachment.id}").status_code == 404

    storage.delete(key)  # the row is there, the file is not: a plain 404, not an error page
    assert web.get(f"/attachments/{attachment.id}").status_code == 404


@BOTH_STORES
def test_the_bucket_is_not_readable_without_the_apps_keys(app, storage):
    attachment = db.session.get(Attachment, f.gen_enterprise(status="submitted").licence_attachment_id)
    if storage.name == "local":
        assert (storage.root / attachment_key(attachment.stored_name)).is_file()  # today's layout on disk
        return
    url = (f"{app.config['S3_ENDPOINT_URL']}/{app.config['S3_BUCKET']}/{app.config['S3_PREFIX']}/"
           f"{attachment_key(attachment.stored_name)}")
    try:
        urllib.request.urlopen(url, timeout=5)
        raise AssertionError("an anonymous GET read the object")
    except urllib.error.HTTPError as exc:
        assert exc.code in (401, 403)
