"""FAB's own screens (users, roles, groups) answer an id no table can hold as not found: on
PostgreSQL a 20-digit id overflowed the driver, a 500."""
from __future__ import annotations

import pytest

from app.security import roles as R
from tests import factories as f


@pytest.mark.parametrize("path", ["/users/show/", "/users/edit/", "/roles/show/", "/roles/edit/", "/groups/show/",
                                  "/groups/edit/"])
def test_an_impossible_id_is_not_found(app, path):
    client = f.WebClient(app)
    admin = f.gen_user(R.ADMIN)
    client.login(admin.username)
    for pk in ("99999999999999999999999", "-1", "abc"):
        answer = client.get(f"{path}{pk}")
        assert answer.status_code == 404, (pk, answer.status_code)
    assert client.get(f"/users/show/{admin.id}").status_code == 200  # a real one still opens
