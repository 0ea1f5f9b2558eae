"""`consultant digest …`: preview and send the weekly digest, see deliveries, opt in or out."""

from __future__ import annotations

from pathlib import Path

import typer

from consultant.cli.context import fail, print_json, sessions, settings, unit_of_work

app = typer.Typer(help="Preview and send the weekly digest.", no_args_is_help=True)

WEEK_HELP = "ISO week such as 2026-W47 (default: the last complete week)."


def _now():  # noqa: ANN202 - datetime
    from consultant.models import utcnow

    return utcnow()


@app.command("preview")
def preview(
    week: str | None = typer.Option(None, "--week", help=WEEK_HELP),
    recipient: str | None = typer.Option(
        None, "--recipient", help="Show what this address would get (a requester's own digest)."
    ),
    html: Path | None = typer.Option(None, "--html", help="Write the HTML part to this file."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Build a digest and show it. Nothing is sent or recorded."""
    from consultant.digest.delivery import DigestSettings, team_recipients
    from consultant.digest.figures import team_figures
    from consultant.digest.personal import requester_questions
    from consultant.digest.render import render_requester, render_team

    config = DigestSettings.from_settings(settings())
    try:
        target = config.week(week, _now())
    except ValueError as exc:
        fail(str(exc), 2)
    with unit_of_work() as session:
        personal = recipient is not None and recipient.lower() not in team_recipients(
            session, config.extra_recipients
        )
        if personal:
            data = {"week": target.label, "recipient": recipient}
            data["questions"] = requester_questions(session, recipient, target)
        else:
            data = team_figures(
                session,
                target,
                now=_now(),
                sla_hours=config.sla_hours,
                console_url=config.console_url,
            )
    if personal:
        rendered = render_requester(
            recipient, target, data["questions"], template_dir=config.template_dir
        )
    else:
        rendered = render_team(data, target, domain=config.domain, template_dir=config.template_dir)
    if html is not None:
        html.write_text(rendered.html_with_data_urls(), encoding="utf-8")
    if as_json:
        print_json(data)
    elif html is None:
        typer.echo(f"Subject: {rendered.subject}\n")
        typer.echo(rendered.text)


@app.command("send")
def send(week: str | None = typer.Option(None, "--week", help=WEEK_HELP)) -> None:
    """Send the week's digests now, from this process. Recipients who already have this
    week's digest are skipped: running it twice sends nothing twice."""
    from consultant.digest.delivery import DigestSettings, deliver_week

    config = DigestSettings.from_settings(settings())
    try:
        config.week(week, _now())
    except ValueError as exc:
        fail(str(exc), 2)
    report = deliver_week(sessions(), config, now=_now(), week=week)
    summary = report.summary()
    typer.echo(
        f"week {summary['week']}: sent {summary['sent']}, already sent {summary['already_done']}, "
        f"in progress elsewhere {summary['busy']}, failed {summary['failed']}, "
        f"given up {summary['given_up']}"
        + (" (empty week, not sent)" if report.empty_skipped else "")
    )
    if report.failed or report.given_up:
        raise typer.Exit(1)


@app.command("retry")
def retry(
    week: str = typer.Option(..., "--week", help="The ISO week whose deliveries gave up."),
    recipient: str | None = typer.Option(None, "--recipient", help="Only this address."),
) -> None:
    """Try again the deliveries of a week that were given up (fix the cause first), then
    send them now."""
    from consultant.digest.delivery import reopen_given_up

    with unit_of_work() as session:
        reopened = reopen_given_up(session, week, recipient)
    if not reopened:
        fail(f"nothing given up for {week}; see `consultant digest status --week {week}`")
    typer.echo(f"{reopened} given-up deliveries reopened")
    send(week=week)


@app.command("status")
def status(
    week: str | None = typer.Option(None, "--week", help="Only this ISO week."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """Digest deliveries: who got which week, and what failed."""
    from consultant.digest.delivery import list_deliveries

    with unit_of_work() as session:
        rows = list_deliveries(session, week)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        line = f"{row['week']}  {row['state']:<9} {row['attempts']}  {row['recipient']}"
        typer.echo(line + (f"  ({row['error']})" if row["error"] else ""))


@app.command("opt-out")
def opt_out(address: str) -> None:
    """Stop the digest for a coder or lead, or a requester's own digest."""
    from consultant.digest.subscriptions import set_subscribed

    with unit_of_work() as session:
        typer.echo(set_subscribed(session, address, subscribed=False))


@app.command("opt-in")
def opt_in(address: str) -> None:
    """Resume the digest for a coder or lead; for any other address, subscribe that
    requester to a weekly digest of their own questions."""
    from consultant.digest.subscriptions import set_subscribed

    with unit_of_work() as session:
        typer.echo(set_subscribed(session, address, subscribed=True))
