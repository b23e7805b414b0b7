"""CLI: ``flask --app run backup DIR``, ``flask --app run restore DIR`` and
``flask --app run sweep-uploads [--grace-seconds N]``."""
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

    @app.cli.command("sweep-uploads")
    @click.option("--grace-seconds", type=click.IntRange(min=0), default=None,
                  help="Only files older than this (default UPLOAD_ORPHAN_GRACE_SECONDS, 3600).")
    def sweep_uploads_command(grace_seconds: int | None) -> None:
        """Remove upload files no attachment row names and left-over .part files (killed uploads)."""
        from datetime import timedelta

        from app.storage.sweep import default_grace, sweep_orphans

        grace = default_grace() if grace_seconds is None else timedelta(seconds=grace_seconds)
        r = sweep_orphans(grace)
        click.echo(f"scanned {r.scanned} files: removed {r.orphans_removed} orphaned and {r.parts_removed} .part "
                   f"files ({r.bytes_removed} bytes); kept {r.kept_young} younger than "
                   f"{int(grace.total_seconds())} s")
