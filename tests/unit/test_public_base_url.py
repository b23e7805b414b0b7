"""Links in e-mails and SMS point at the address the embedded app serves on: `make run PORT=5077`
sends a password-reset link to :5077, not to the default :5000."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _base_url(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "PUBLIC_BASE_URL")}
    out = subprocess.run([sys.executable, "-c", "import config; print(config.PUBLIC_BASE_URL)"], cwd=ROOT,
                         env={**clean, **env}, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_the_link_follows_the_port_the_app_serves_on():
    assert _base_url(PORT="5077") == "http://127.0.0.1:5077"
    assert _base_url() == "http://127.0.0.1:5000"
    assert _base_url(PORT="5077", PUBLIC_BASE_URL="https://shenbao.example.gov.cn") == "https://shenbao.example.gov.cn"
