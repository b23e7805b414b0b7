"""Two production app servers behind HAProxy on one PostgreSQL, Redis and SeaweedFS, with one
worker and one scheduler (bench/two_nodes.py, the short version): sign-in failures on A and B add
up to one limit; a cover uploaded through A downloads through B; an export started on A is
finished by the worker and handed out by B after A was killed with -9."""
from __future__ import annotations

import shutil
import uuid

import pytest

from bench import two_nodes
from tests.conftest import CI

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)  # the fixture's own app is not used


def test_two_app_servers_share_limits_files_and_exports(app, seaweedfs, tmp_path):
    if shutil.which("haproxy") is None:
        message = "Debian's haproxy is missing (make test installs it)"
        if CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    storage = {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": seaweedfs.endpoint, "S3_BUCKET": seaweedfs.bucket,
               "S3_ACCESS_KEY": seaweedfs.access_key, "S3_SECRET_KEY": seaweedfs.secret_key,
               "S3_PREFIX": f"two-nodes-{uuid.uuid4().hex[:8]}"}
    with two_nodes.cluster(storage, tmp=tmp_path) as nodes:
        results = two_nodes.run_checks(nodes)
    assert results["refused after 5 failures split over A and B"] == {"A": True, "B": True}, results
    assert results["B served the file"] is True, results
    assert results["B handed out the workbook"] is True, results
