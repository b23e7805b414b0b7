"""The signing agent's pages in Shenbao: the install page and its download, the 用 USB-Key 签章 box on
the SME cover and the benchmark declaration form, the general 签署 PDF page, and the page policy
that lets them reach the agent on the user's own computer."""
from __future__ import annotations

import html as html_lib
import io
import re
import tarfile

import pytest

from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)  # pages, not queries


def _text(page) -> str:
    return html_lib.unescape(page.data.decode())


def test_install_page_gives_the_steps_and_serves_the_agent_archive(app):
    from app.services.eseal import signer_package

    app.config["PUBLIC_BASE_URL"] = "https://shenbao.example.cn/portal/"
    web = f.WebClient(app)
    page = web.get("/signer/")  # no login needed
    assert page.status_code == 200
    html = _text(page)
    package = signer_package.archive()
    link = re.search(r'id="signer-download" href="([^"]+)"', html).group(1)
    assert link == f"/signer/{package.filename}" and package.filename == f"shenbao_signer-{package.version}.tar.gz"
    for system in ("signer-windows", "signer-macos", "signer-linux"):
        block = re.search(rf'id="{system}">(.*?)</div>', html, re.S).group(1)
        assert f"install" in block and package.filename in block, system
        # the origin the agent must accept is this Shenbao's (no path), and the module option
        assert "shenbao-signer --origin https://shenbao.example.cn --module " in block, system
    assert "http://127.0.0.1:47311/" in html

    download = web.get(link)
    assert download.status_code == 200 and download.mimetype == "application/gzip"
    assert download.data == signer_package.archive().data  # built once, the same bytes again
    with tarfile.open(fileobj=io.BytesIO(download.data)) as tar:
        names = tar.getnames()
    top = package.filename.removesuffix(".tar.gz")
    assert f"{top}/pyproject.toml" in names and all(n.startswith(top + "/") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert web.get("/signer/other-1.0.tar.gz").status_code == 404


def test_without_the_agent_source_the_pages_say_so_with_503(app, tmp_path):
    app.config["SIGNER_SOURCE_DIR"] = str(tmp_path / "no-signer-here")
    web = f.WebClient(app)
    with app.test_request_context("/"):
        from flask_babel import gettext

        message = gettext("The signing agent is not available for download on this server (its source is missing). "
                          "Please tell the platform's administrator.")
    page = web.get("/signer/")
    assert page.status_code == 503 and message in _text(page) and 'id="signer-download"' not in _text(page)
    download = web.get("/signer/shenbao_signer-1.0.0.tar.gz")
    assert download.status_code == 503 and message in _text(download)


def _box(html: str) -> dict[str, str]:
    tag = re.search(r'<div class="usbkey-signer[^>]*>', html, re.S).group(0)
    return dict(re.findall(r'\s(data-[\w-]+)="([^"]*)"', tag))


def test_sme_cover_step_offers_the_usb_key_box_bound_to_its_upload_form(app):
    user = f.gen_applicant(mobile="13700003333")
    evaluation = f.gen_sme(user)
    web = f.WebClient(app)
    web.login("13700003333")
    page = web.get(f"/sme/{evaluation.id}/self-evaluation")
    html = _text(page)
    box = _box(html)
    assert box["data-mode"] == "upload" and box["data-agent-url"] == "http://127.0.0.1:47311"
    assert box["data-pdf-url"] == f"/sme/{evaluation.id}/cover.pdf"
    assert box["data-document-name"] == f"cover-{evaluation.system_number}.pdf"
    form = re.search(rf'<form [^>]*id="{box["data-upload-form"]}"[^>]*>(.*?)</form>', html, re.S)
    assert form and f'name="{box["data-upload-input"]}"' in form.group(1)
    assert f'id="{box["data-upload-submitter"]}"' in form.group(1)
    assert "js/usbkey_signer.js" in html and "sign-pdf" not in html
    assert "connect-src 'self' http://127.0.0.1:*" in page.headers["Content-Security-Policy"]


def test_declaration_form_offers_the_usb_key_box_bound_to_its_upload(app):
    from tests.services.test_declaration import build_world
    from tests.web.test_declaration_web import svc_submit_and_choose

    from app.services import declaration as svc

    world = build_world()
    declaration = svc_submit_and_choose(world)
    svc.review(world["recommender"], declaration.id, "recommend", "同意推荐")
    svc.review(world["association"], declaration.id, "qualify")  # printable from here
    web = f.WebClient(app)
    web.login(world["user"].mobile)
    html = _text(web.get(f"/benchmark/my/declaration/{declaration.id}"))
    box = _box(html)
    assert box["data-pdf-url"] == f"/benchmark/my/declaration/{declaration.id}/print/declaration"
    assert box["data-upload-input"] == "signed_form" and box["data-upload-submitter"] == "upload-signed-form"


def test_sign_a_pdf_page_is_the_download_mode_for_an_enterprise_user(app):
    user = f.gen_applicant(mobile="13700004444")
    f.gen_enterprise(user, status="approved")
    web = f.WebClient(app)
    web.login("13700004444")
    index = _text(web.get("/eseal/"))
    assert 'href="/eseal/sign"' in index and 'href="/signer/"' in index
    page = web.get("/eseal/sign")
    assert page.status_code == 200
    box = _box(_text(page))
    assert box["data-mode"] == "download" and not box["data-upload-form"]
    assert 'id="usbkey-file"' in _text(page)
    web.logout()
    assert web.get("/eseal/sign").status_code in (302, 401, 403)


def test_the_served_archive_installs_with_pip_and_gives_the_command(app, tmp_path):
    """What an enterprise does with the download: pip install it into a fresh environment. pip builds
    it in its usual isolated build environment (setuptools from the package index, as on the
    enterprise's computer); the agent's run-time dependencies are borrowed from this interpreter's
    site-packages (a .pth file) instead of being downloaded again."""
    import subprocess
    import sys
    import sysconfig

    web = f.WebClient(app)
    link = re.search(r'id="signer-download" href="([^"]+)"', _text(web.get("/signer/"))).group(1)
    archive = tmp_path / link.rsplit("/", 1)[1]
    archive.write_bytes(web.get(link).data)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (tmp_path / site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                                str(archive)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    command = venv / "bin" / "shenbao-signer"
    help_text = subprocess.run([str(command), "--help"], check=True, capture_output=True, text=True).stdout
    assert "--origin" in help_text and "--module" in help_text and "--port" in help_text
    where = subprocess.run([str(python), "-c", "import shenbao_signer; print(shenbao_signer.__file__)"],
                           check=True, capture_output=True, text=True).stdout.strip()
    assert where.startswith(site), where  # the installed copy, not this checkout's
