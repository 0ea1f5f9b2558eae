"""`consultant doctor` and `consultant purge`: operating the desk."""

from __future__ import annotations

import typer

from consultant.cli.context import print_json, sessions, settings, unit_of_work

_MARK = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}
_COLOUR = {"ok": typer.colors.GREEN, "warn": typer.colors.YELLOW, "fail": typer.colors.RED}


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")) -> None:
        """Check the database, broker, relay, IMAP, code sets and templates."""
        from consultant.doctor import run_checks

        checks = run_checks(settings(), sessions().kw["bind"])
        if as_json:
            print_json([c.__dict__ for c in checks])
        else:
            for check in checks:
                typer.secho(
                    f"{_MARK[check.status]}  {check.name}: {check.detail}", fg=_COLOUR[check.status]
                )
        if any(c.status == "fail" for c in checks):
            raise typer.Exit(1)

    @app.command("purge")
    def purge(
        older_than: str = typer.Option(..., "--older-than", help="e.g. 90d, 12w, 6m, 7y"),
        dry_run: bool = typer.Option(False, "--dry-run", help="Only say what would go."),
        actor: str = typer.Option("operator", "--as", help="Who is purging (for the audit)."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Delete closed cases (sent, rejected, ignored) and their raw mail after retention."""
        from consultant.retention import parse_duration, plan_purge
        from consultant.retention import purge as run_purge

        with unit_of_work() as session:
            plan = plan_purge(session, parse_duration(older_than))
            if not dry_run and plan.case_ids:
                run_purge(session, plan, actor=actor)
        summary = {
            "cutoff": plan.cutoff.isoformat(),
            "cases": len(plan.case_ids),
            "messages": plan.messages,
            "dry_run": dry_run,
        }
        if as_json:
            print_json(summary)
            return
        verb = "would delete" if dry_run else "deleted"
        typer.echo(
            f"{verb} {summary['cases']} closed cases and {summary['messages']} messages "
            f"last changed before {summary['cutoff'][:10]}"
        )
