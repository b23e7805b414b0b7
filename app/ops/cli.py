"""CLI: ``flask --app run backup DIR`` and ``flask --app run restore DIR``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask


def register_ops_cli(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("target", type=click.Path(file_okay=False, path_type=Path))
    def backup_command(target: Path) -> None:
        """Write a consistent snapshot to DIR: database, uploads, SoftHSM tokens, manifest.

        DIR must not exist (or be empty). It holds private keys and personal data: store it encrypted.
        """
        from app.ops.backup import BackupError, create_backup

        try:
            manifest = create_backup(target)
        except BackupError as exc:
            raise click.ClickException(str(exc))
        for warning in manifest.warnings:
            click.echo(f"warning: {warning}", err=True)
        keys = "; holds private keys: store it encrypted" if manifest.contains_keys else ""
        click.echo(f"backup {target}: {manifest.summary()}{keys}")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def restore_command(source: Path) -> None:
        """Restore the backup in DIR into this EMPTY instance (after `flask --app run db upgrade`)."""
        from app.ops.backup import BackupError, restore_backup

        try:
            manifest = restore_backup(source)
        except BackupError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"restored {source} (taken {manifest.created_at}): {manifest.summary()}")
