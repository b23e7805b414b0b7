"""CLI: ``flask --app run init | demo | import-registry | worker | ...``."""
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
        from app.extensions import db
        from app.notify.templates import seed_templates

        # Default notification texts; rows the admin has edited are kept.
        counts["notification_templates"] = seed_templates()
        db.session.commit()
        for name, count in counts.items():
            click.echo(f"{name}: {count}")
        from app.services.eseal import pki

        problem = pki.status()
        if problem:
            click.echo(f"PKI: not set up. {problem}")
        else:
            authority = pki.ensure_ca()
            click.echo(f"PKI: CA token {app.config['CA_TOKEN_LABEL']!r} ready: {authority.root.subject.human_friendly}")

    @app.cli.command("demo")
    def demo_command() -> None:
        """One account per role and two applicant enterprises (see README)."""
        from app.demo import create_demo

        for line in create_demo():
            click.echo(line)

    @app.cli.command("score")
    @click.argument("source", type=click.File("r", encoding="utf-8"))
    @click.option("--ruleset", "ruleset_file", type=click.File("r", encoding="utf-8"), default=None,
                  help="A rule set as JSON (ruleset-export's format) to score with instead of the published one.")
    def score_command(source, ruleset_file) -> None:
        """Score a Tech-SME evaluation in the interchange format (FILE.json, or - for stdin)."""
        import json
        import sys

        from rules.sme import RulesetError, evaluate, parse_interchange, result_to_json, ruleset_from_json
        from rules.sme.interchange import InterchangeError

        try:
            ruleset = ruleset_from_json(json.load(ruleset_file)) if ruleset_file else None
            data = json.load(source)
            inp = parse_interchange(data)
            if ruleset is None:
                ruleset = _published_ruleset(inp.year)
            result = result_to_json(evaluate(inp, ruleset))
        except json.JSONDecodeError as exc:
            click.echo(f"error: not valid JSON: {exc}", err=True)
            sys.exit(2)
        except (InterchangeError, RulesetError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))

    def _published_ruleset(year: int):
        """The published set in force for the year (the shipped one when the database has none)."""
        from sqlalchemy.exc import SQLAlchemyError

        from app.services.errors import ServiceError
        from app.services.sme.rulesets import in_force

        try:
            return in_force(year)[1]
        except (ServiceError, SQLAlchemyError):
            return None

    @app.cli.command("ruleset-export")
    @click.argument("year", type=int)
    def ruleset_export_command(year: int) -> None:
        """Print the Tech-SME rule set in force for an evaluation year as JSON."""
        import json
        import sys

        from app.services.errors import ServiceError
        from app.services.sme.rulesets import export_in_force

        try:
            doc = export_in_force(year)
        except ServiceError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(2)
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))

    @app.cli.command("ruleset-import")
    @click.argument("source", type=click.File("r", encoding="utf-8"))
    def ruleset_import_command(source) -> None:
        """Store a Tech-SME rule set (JSON, ruleset-export's format) as a draft; exit 2 naming the bad field."""
        import json
        import sys

        from app.security.actors import SystemActor
        from app.services.sme.rulesets import import_draft
        from rules.sme import RulesetError

        try:
            row = import_draft(json.load(source), SystemActor())
        except json.JSONDecodeError as exc:
            click.echo(f"error: not valid JSON: {exc}", err=True)
            sys.exit(2)
        except RulesetError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        click.echo(f"draft {row.id}: {row.label} (status {row.status}); test it on the bench, then publish it")

    @app.cli.command("publicity-tick")
    @click.option("--date", "on_date", default=None, help="YYYY-MM-DD (default: today in Asia/Shanghai)")
    def publicity_tick_command(on_date: str | None) -> None:
        """Open and close publicity windows that are due (the scheduler runs this daily)."""
        import datetime as dt

        from app.timeutil import today_in_china
        from app.services.sme import publicity_tick

        day = dt.date.fromisoformat(on_date) if on_date else today_in_china()
        click.echo(publicity_tick(day))

    @app.cli.command("scheduler")
    def scheduler_command() -> None:
        """Run the scheduled jobs; a second scheduler waits for the first one's lock."""
        from app.jobs import run_scheduler

        run_scheduler(app)

    @app.cli.command("worker")
    def worker_command() -> None:
        """Deliver queued SMS and e-mail (NOTIFY_WORKER=external) and run background tasks
        (TASK_WORKER=external); stops cleanly on SIGTERM / Ctrl-C."""
        import logging

        from app.tasks.worker import run_workers

        logging.getLogger("shenbao.notify").setLevel(logging.INFO)
        logging.getLogger("shenbao.tasks").setLevel(logging.INFO)
        click.echo(f"done: {run_workers(app)}")

    @app.cli.command("task-worker")
    def task_worker_command() -> None:
        """Run background tasks only (exports, the rule-set bench...); stops cleanly on SIGTERM / Ctrl-C."""
        import logging

        from app.tasks.worker import run_task_worker

        logging.getLogger("shenbao.tasks").setLevel(logging.INFO)
        click.echo(f"tasks: {run_task_worker(app)}")

    @app.cli.command("fee-tick")
    @click.option("--date", "on_date", default=None, help="YYYY-MM-DD (default: today in Asia/Shanghai)")
    def fee_tick_command(on_date: str | None) -> None:
        """E-seal annual fees: send due reminders and mark overdue keys (the scheduler runs this daily)."""
        import datetime as dt

        from app.timeutil import today_in_china
        from app.services.eseal.seal_keys import fee_tick

        click.echo(fee_tick(dt.date.fromisoformat(on_date) if on_date else today_in_china()))

    from app.pki.sign_cli import register_sign_pdf
    register_sign_pdf(app)

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
    from app.ops.cli import register_ops_cli
    register_ops_cli(app)
