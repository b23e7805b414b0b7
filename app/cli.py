"""CLI: ``flask --app run init | demo | import-registry``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    @app.cli.command("init")
    def init_command() -> None:
        """Roles, permissions and reference data (idempotent: safe to run again)."""
        from app.refdata import load_all
        from app.security.setup import sync_roles

        sync_roles()
        counts = load_all()
        for name, count in counts.items():
            click.echo(f"{name}: {count}")

    @app.cli.command("demo")
    def demo_command() -> None:
        """One account per role and two applicant enterprises (see README)."""
        from app.demo import create_demo

        for line in create_demo():
            click.echo(line)

    @app.cli.command("import-registry")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def import_registry(path: str) -> None:
        """Import business-registry rows from .xlsx or .csv (columns: credit_code, name,
        legal_rep_name, registration_authority). All or nothing."""
        from app.services.registry import import_registry_rows, read_registry_file

        try:
            count = import_registry_rows(read_registry_file(Path(path)))
        except ValueError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"imported {count} rows")
