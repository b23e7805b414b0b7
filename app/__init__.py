"""Application factory."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

from flask_appbuilder import AppBuilder

from app.extensions import db, migrate


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete for the chosen mode."""


def _template_cache(app: Flask) -> None:
    """Jinja's bytecode cache on disk (JINJA_BYTECODE_DIR), shared by the workers of a server."""
    from jinja2 import FileSystemBytecodeCache

    folder = app.config.get("JINJA_BYTECODE_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        app.jinja_options = {**app.jinja_options, "bytecode_cache": FileSystemBytecodeCache(folder)}


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app.

    :param overrides: settings applied after ``config.py`` (tests pass their database here).
    :raises ConfigurationError: production mode with the development secret key; an unknown
        STORAGE_BACKEND or s3 without a bucket.
    """
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object("config")
    if overrides:
        app.config.update(overrides)
    _check_production_config(app)
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"))
    _template_cache(app)

    from app import babel_fastpath, fab_patches, jinja_imports, psycopg_description

    jinja_imports.install(app)
    from app.security.roles import ROLES

    fab_patches.apply()
    babel_fastpath.apply()
    psycopg_description.apply()
    from app.security.manager import ShenbaoSecurityManager

    app.config["FAB_ROLES"] = ROLES
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.config.get("MIGRATIONS_DIR", _migrations_dir())))
    with app.app_context():
        appbuilder = AppBuilder(
            security_manager_class=ShenbaoSecurityManager,
            indexview=_index_view(),
            base_template="shenbao/base.html",
            update_perms=False,
        )
        appbuilder.init_app(app, db.session)
        from views import register_views

        register_views(appbuilder)
        appbuilder.post_init()
    babel_fastpath.install_template_gettext(app.jinja_env)

    from app.cli import register_cli
    from app.navbar_cache import register_navbar_cache
    from app.notify import delivery
    from app.web import register_web_hooks

    delivery.init_app(app)
    from app.tasks import worker as task_worker

    task_worker.init_app(app)
    register_cli(app)
    register_web_hooks(app)
    register_navbar_cache(app)
    return app


def _migrations_dir() -> str:
    from config import BASE_DIR

    return str(BASE_DIR / "migrations")


def _index_view():
    from views.home import HomeView

    return HomeView


def _loopback_or_unset(url: str | None) -> bool:
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(str(url or "")).hostname or "").lower()
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False  # a host name


def _check_production_config(app: Flask) -> None:
    storage = str(app.config.get("STORAGE_BACKEND", "local")).strip().lower()
    if storage not in ("local", "s3"):
        raise ConfigurationError(f"STORAGE_BACKEND must be local or s3, not {storage!r}")
    if storage == "s3" and not app.config.get("S3_BUCKET"):
        raise ConfigurationError("STORAGE_BACKEND=s3 needs S3_BUCKET (and S3_ENDPOINT_URL, S3_ACCESS_KEY, "
                                 "S3_SECRET_KEY unless the store is AWS with credentials from the environment)")
    if app.config.get("SHENBAO_ENV") == "production":
        key = app.config.get("SECRET_KEY") or ""
        if key == app.config.get("DEV_SECRET_KEY") or len(key) < 32:
            raise ConfigurationError(
                "SHENBAO_ENV=production needs SECRET_KEY set to a random value of 32+ characters"
            )
        if str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
            logging.getLogger(__name__).warning("production mode on SQLite: use PostgreSQL")
        if _loopback_or_unset(app.config.get("PUBLIC_BASE_URL")):
            # It goes into every e-mail and SMS link, the CRL location and QR codes of certificates
            # (valid for years): a loopback address there points every reader at their own machine.
            raise ConfigurationError("SHENBAO_ENV=production needs PUBLIC_BASE_URL set to the public address of the "
                                     "site (e.g. https://shenbao.example.cn), not a loopback address")
        if app.config.get("CA_TOKEN_PIN") in ("shenbao-ca-pin", "") or app.config.get("CA_TOKEN_SO_PIN") in (
                "shenbao-ca-so-pin", ""):
            raise ConfigurationError("SHENBAO_ENV=production needs CA_TOKEN_PIN and CA_TOKEN_SO_PIN set (not the "
                                     "development defaults): they protect the platform CA's keys")
