"""``flask --app run sign-pdf``: the signing agent's file signing, from the server's command line.

Needs no database: the key and certificate come from the token (by token label, key label or
CKA_ID), the CA chain from the token or ``--chain`` files.
"""
from __future__ import annotations

import os
from pathlib import Path

import click

__all__ = ["register_sign_pdf"]


def register_sign_pdf(app) -> None:  # noqa: ANN001 - Flask
    @app.cli.command("sign-pdf")
    @click.option("--module", "module", required=True, help="PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so")
    @click.option("--token", "token_label", default=None, help="token label of the USB-Key")
    @click.option("--key", "key_label", default=None, help="label of the key / certificate on the token")
    @click.option("--key-id", "key_id", default=None, help="CKA_ID of the key, in hex")
    @click.option("--pin-env", "pin_env", required=True, help="name of the environment variable holding the PIN")
    @click.option("--chain", "chain", multiple=True, type=click.Path(exists=True, dir_okay=False),
                  help="PEM/DER file of CA certificates to embed, besides those on the token")
    @click.option("--rsa-scheme", type=click.Choice(["pkcs1v15", "pss"]), default="pkcs1v15", show_default=True)
    @click.option("--field", "field_name", default="Enterprise-Signature", show_default=True)
    @click.option("--tsa", "tsa_url", default=None, help="RFC 3161 time-stamp authority, e.g. https://<Shenbao>/tsa")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False))
    @click.argument("target", type=click.Path(dir_okay=False))
    def sign_pdf_command(module: str, token_label: str | None, key_label: str | None, key_id: str | None,
                         pin_env: str, chain: tuple[str, ...], rsa_scheme: str, field_name: str,
                         tsa_url: str | None, source: str, target: str) -> None:
        """Sign a PDF with a key on a USB-Key (any PKCS#11 module; RSA or EC), with its seal image as the stamp."""
        from shenbao_signer.cli import read_chain
        from shenbao_signer.requests import sign_document
        from shenbao_signer.tokens import TokenError, find_credential

        pin = os.environ.get(pin_env)
        if not pin:
            raise click.ClickException(f"environment variable {pin_env} is not set")
        data = Path(source).read_bytes()
        if not data.startswith(b"%PDF-"):
            raise click.ClickException(f"{source} is not a PDF file")
        conf = Path(app.config["SOFTHSM2_CONF"])
        if "softhsm" in module and conf.exists():
            os.environ.setdefault("SOFTHSM2_CONF", str(conf))
        try:
            credential = find_credential(module, token=token_label, key=key_label, key_id=key_id)
            signed = sign_document(credential, pin, data, field_name=field_name, rsa_scheme=rsa_scheme,
                                   extra_chain=read_chain([Path(p) for p in chain]), tsa_url=tsa_url)
        except (TokenError, ValueError) as exc:
            raise click.ClickException(str(exc))
        Path(target).write_bytes(signed)
        click.echo(f"signed: {target} ({len(signed)} bytes)")
