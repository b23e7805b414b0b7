"""Addresses of static files, built once per mount point instead of on every page.

Every page links 19 scripts and style sheets; ``url_for`` built each address again (~5 % of an
applicant page's CPU). A static file's address depends only on the endpoint, the file name and
where the application is mounted (SCRIPT_NAME), which is the cache key.
"""
from __future__ import annotations

from flask import Flask, request, url_for

_built: dict[tuple[str, str, str], str] = {}


def asset_url(filename: str, endpoint: str = "appbuilder.static") -> str:
    """``url_for(endpoint, filename=filename)``, remembered."""
    key = (request.script_root, endpoint, filename)
    address = _built.get(key)
    if address is None:
        if len(_built) > 512:  # only ever a few dozen files; bounded all the same
            _built.clear()
        address = _built[key] = url_for(endpoint, filename=filename)
    return address


def register_asset_urls(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url
