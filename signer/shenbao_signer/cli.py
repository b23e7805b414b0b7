"""``shenbao-signer``: run the agent for Shenbao's pages, list the USB-Keys, or sign a file.

    shenbao-signer --origin https://shenbao.example.cn --module /path/to/pkcs11.so
    shenbao-signer list --module /path/to/pkcs11.so
    shenbao-signer sign --module … --pin-env KEY_PIN in.pdf out.pdf

The origin and module(s) given once are remembered in the configuration directory.
"""
from __future__ import annotations

import argparse
import functools
import getpass
import json
import os
import secrets
import sys
import threading
from pathlib import Path

from . import __version__

_PROMPT_LOCK = threading.Lock()


def config_dir() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "shenbao-signer"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "shenbao-signer"
    return Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "shenbao-signer"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shenbao-signer",
        description="Shenbao's signing agent: lets the Shenbao pages sign PDFs with the USB-Key on this computer. "
                    "It listens on 127.0.0.1 only and asks for the PIN itself.")
    parser.add_argument("--version", action="version", version=f"shenbao-signer {__version__}")
    parser.add_argument("--module", action="append", metavar="PATH",
                        help="PKCS#11 library of the USB-Key (repeat for several); remembered once given")
    parser.add_argument("--config-dir", type=Path, default=None,
                        help=f"where the pairing code and settings are kept (default {config_dir()})")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the agent (the default command)")
    _serve_options(serve)
    _serve_options(parser)
    sub.add_parser("list", help="list the USB-Keys' certificates")
    sign = sub.add_parser("sign", help="sign a PDF file (no web page involved)")
    sign.add_argument("--token", help="token label of the USB-Key")
    sign.add_argument("--key", help="label of the key / certificate")
    sign.add_argument("--key-id", help="CKA_ID of the key, in hex")
    sign.add_argument("--pin-env", metavar="VAR", help="environment variable holding the PIN (else asked)")
    sign.add_argument("--chain", type=Path, action="append", default=[],
                      help="PEM or DER file of CA certificates to embed (besides those on the token)")
    sign.add_argument("--field", default="Enterprise-Signature", help="signature field name")
    sign.add_argument("--rsa-scheme", choices=("pkcs1v15", "pss"), default="pkcs1v15")
    sign.add_argument("--origin", help="the Shenbao site (its /tsa timestamps the signature)")
    _timestamp_options(sign)
    sign.add_argument("source", type=Path)
    sign.add_argument("target", type=Path)
    return parser


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--origin", help="the Shenbao site allowed to use the agent, e.g. https://shenbao.example.cn; "
                                         "remembered once given")
    parser.add_argument("--port", type=int, default=47311, help="loopback port (0: any free port)")
    parser.add_argument("--prompt", choices=("page", "terminal"), default="page",
                        help="ask for the PIN in a local page (default) or in this terminal")
    parser.add_argument("--rsa-scheme", choices=("pkcs1v15", "pss"), default="pkcs1v15",
                        help="signature scheme for RSA keys")
    _timestamp_options(parser)


def _timestamp_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tsa", metavar="URL", help="RFC 3161 time-stamp authority (default: the Shenbao site's /tsa)")
    parser.add_argument("--no-timestamp", action="store_true",
                        help="sign without a trusted timestamp (the signature then proves no signing time)")


class Settings:
    """origin, modules and the pairing code, kept in ``settings.json`` (mode 0600)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "settings.json"
        directory.mkdir(parents=True, exist_ok=True)
        self.data = json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}
        if not self.data.get("pairing_code"):
            self.data["pairing_code"] = secrets.token_urlsafe(9)
            self.save()

    def save(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.data, fh, ensure_ascii=False, indent=1)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings(args.config_dir or config_dir())
    if args.module:
        settings.data["modules"] = args.module
    if getattr(args, "origin", None):
        settings.data["origin"] = args.origin.rstrip("/")
    settings.save()
    modules = settings.data.get("modules") or []
    if not modules:
        print("give the USB-Key's PKCS#11 library with --module PATH", file=sys.stderr)
        return 2
    from .tokens import TokenError

    try:
        if args.command == "list":
            return _list(modules)
        if args.command == "sign":
            return _sign(args, settings, modules)
        return _serve(args, settings, modules)
    except TokenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _list(modules: list[str]) -> int:
    from .tokens import list_credentials

    for credential in list_credentials(modules):
        d = credential.describe()
        print(f"{d['token']}\t{credential.key_label or credential.key_id.hex()}\t{d['key']}\t{d['subject']}"
              f"\t{d['credit_code']}\tuntil {d['not_after']}")
    return 0


def read_chain(paths: list[Path]) -> tuple:
    from asn1crypto import pem, x509

    certs = []
    for path in paths:
        data = path.read_bytes()
        blobs = [der for _t, _h, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        certs += [x509.Certificate.load(der) for der in blobs]
    return tuple(certs)


def tsa_url(args: argparse.Namespace, settings: Settings) -> str | None:
    """Where timestamps come from: --tsa, else the Shenbao site's /tsa; None with --no-timestamp."""
    if args.no_timestamp:
        return None
    origin = settings.data.get("origin")
    return args.tsa or (f"{origin}/tsa" if origin else None)


def _sign(args: argparse.Namespace, settings: Settings, modules: list[str]) -> int:
    from .requests import sign_document
    from .tokens import find_credential

    data = args.source.read_bytes()
    if not data.startswith(b"%PDF-"):
        print(f"error: {args.source} is not a PDF file", file=sys.stderr)
        return 2
    credential = find_credential(modules, token=args.token, key=args.key, key_id=args.key_id)
    pin = os.environ.get(args.pin_env, "") if args.pin_env else getpass.getpass("USB-Key PIN: ")
    if not pin:
        print(f"error: no PIN (is {args.pin_env} set?)", file=sys.stderr)
        return 2
    signed = sign_document(credential, pin, data, field_name=args.field, rsa_scheme=args.rsa_scheme,
                           extra_chain=read_chain(args.chain), tsa_url=tsa_url(args, settings))
    args.target.write_bytes(signed)
    print(f"signed: {args.target} ({len(signed)} bytes)")
    return 0


def _terminal_prompt(book, request) -> None:  # noqa: ANN001 - RequestBook, SignRequest
    with _PROMPT_LOCK:
        d = request.credential.describe()
        print(f"\n签章请求 Signing request: {request.document_name}\n  SHA-256 {request.sha256}\n"
              f"  证书 Certificate: {d['subject']} {d['credit_code']} ({d['token']}, {d['key']})", flush=True)
        pin = getpass.getpass("USB-Key PIN (留空取消 empty cancels): ")
        if pin:
            book.approve(request, pin)
        else:
            book.cancel(request)
        print(f"  → {request.state} {request.message or ''}", flush=True)


def _serve(args: argparse.Namespace, settings: Settings, modules: list[str]) -> int:
    from .server import AgentServer
    from .requests import RequestBook

    origin = settings.data.get("origin")
    if not origin:
        print("give the Shenbao site with --origin https://…", file=sys.stderr)
        return 2
    book = RequestBook(modules, rsa_scheme=args.rsa_scheme, tsa_url=tsa_url(args, settings))
    prompt = functools.partial(_terminal_prompt, book) if args.prompt == "terminal" else None
    server = AgentServer(origin=origin, pairing_code=settings.data["pairing_code"], book=book, port=args.port,
                         terminal_prompt=prompt)
    print(f"listening on {server.local_origin}", flush=True)
    print(f"allowed site: {origin}", flush=True)
    print(f"pairing code: {settings.data['pairing_code']}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
