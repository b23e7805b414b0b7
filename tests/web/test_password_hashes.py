"""Password hashes: new accounts, changed and reset passwords are Argon2id at OWASP's minimum
(m = 19 MiB, t = 2, p = 1); an account still holding FAB's scrypt hash signs in with its password
and leaves with an Argon2id one; a wrong password changes nothing; the JWT login is the same."""
from __future__ import annotations

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.security import passwords
from app.security import roles as R
from models import ShenbaoUser
from tests import factories as f


def _stored(user) -> str:
    db.session.expire_all()
    return db.session.get(ShenbaoUser, user.id).password


def test_new_accounts_get_argon2id_at_the_owasp_minimum(app):
    user = f.gen_user(R.MANAGER)
    assert _stored(user).startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify(_stored(user), f.PASSWORD) and not passwords.verify(_stored(user), "Wrong1234")


def test_an_older_scrypt_hash_signs_in_and_is_upgraded_only_on_success(app):
    user = f.gen_user(R.MANAGER)
    user.password = old = generate_password_hash(f.PASSWORD, method="scrypt")
    db.session.commit()
    web = f.WebClient(app)
    assert web.login(user.username, password="Wrong1234").status_code == 200  # the form again
    assert _stored(user) == old
    assert web.login(user.username).status_code == 302
    upgraded = _stored(user)
    assert upgraded.startswith("$argon2id$") and passwords.verify(upgraded, f.PASSWORD)
    # The next sign-in keeps the Argon2id hash as it is.
    other = f.WebClient(app)
    assert other.login(user.username).status_code == 302 and _stored(user) == upgraded


def test_the_jwt_login_upgrades_too_and_a_changed_password_is_argon2id(app):
    user = f.gen_user(R.MANAGER)
    user.password = generate_password_hash(f.PASSWORD, method="pbkdf2:sha256")
    db.session.commit()
    client = app.test_client()
    response = client.post("/api/v1/security/login",
                           json={"username": user.username, "password": f.PASSWORD, "provider": "db"})
    assert response.status_code == 200 and "access_token" in response.get_json()
    assert _stored(user).startswith("$argon2id$")
    app.appbuilder.sm.reset_password(user.id, "Newpass12")
    assert _stored(user).startswith("$argon2id$") and passwords.verify(_stored(user), "Newpass12")


def test_hashes_nothing_knows_do_not_verify():
    for stored in ("", None, "plain", "$argon2id$broken", "scrypt:broken$x$y"):
        assert passwords.verify(stored, "Demo1234") is False
