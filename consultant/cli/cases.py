"""`consultant cases …`: the review queue from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from consultant.cli.context import fail, print_json, unit_of_work

app = typer.Typer(help="List, inspect, approve and reject cases.", no_args_is_help=True)

STATUS_HELP = "A case status (received, awaiting_review, approved, sent, …) or 'all'."


@app.command("list")
def list_(
    status: str = typer.Option("awaiting_review", "--status", help=STATUS_HELP),
    limit: int = typer.Option(200, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List cases, oldest first."""
    from consultant import cases
    from consultant.models import CaseStatus

    if status != "all" and status not in {s.value for s in CaseStatus}:
        fail(f"unknown status {status!r}; use one of {', '.join(s.value for s in CaseStatus)}")
    with unit_of_work() as session:
        rows = [
            cases.case_summary(c)
            for c in cases.list_cases(
                session, status=None if status == "all" else status, limit=limit
            )
        ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(f"no cases ({status})")
    for row in rows:
        typer.echo(
            f"#{row['id']:<6} {row['status']:16} {row['received_at'][:16]}  "
            f"{row['requester'][:30]:30}  {row['subject'][:60]}"
        )


@app.command("show")
def show(
    case_id: int,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Show a case: its messages, current draft and history."""
    from consultant import cases

    with unit_of_work() as session:
        detail = cases.case_detail(cases.get_case(session, case_id))
    if as_json:
        print_json(detail)
        return
    typer.echo(f"Case #{detail['id']} — {detail['status']}")
    typer.echo(f"From:    {detail['requester_name']} <{detail['requester']}>")
    typer.echo(f"Subject: {detail['subject']}")
    typer.echo(f"Received {detail['received_at']}")
    if detail["draft"]:
        typer.echo(f"\n--- draft ({detail['draft']['author']}) ---")
        typer.echo(detail["draft"]["subject"])
        typer.echo(detail["draft"]["text"])
        for note in detail["draft"]["reviewer_notes"]:
            typer.echo(f"[reviewer note] {note}")
    typer.echo("\n--- history ---")
    for event in detail["events"]:
        arrow = f"{event['from_status'] or ''} → {event['to_status']}" if event["to_status"] else ""
        typer.echo(
            f"{event['at'][:19]}  {event['actor']:24} {event['action']:10} {arrow} {event['note']}"
        )


@app.command("approve")
def approve(
    case_id: int,
    as_user: str = typer.Option(..., "--as", help="Email of the approving coder."),
    body_file: Path | None = typer.Option(
        None,
        "--body-file",
        help="Send this text instead of the draft.",
        exists=True,
        dir_okay=False,
    ),
) -> None:
    """Approve a case's draft (optionally replaced by --body-file) and queue it for sending."""
    from consultant import cases
    from consultant.cli.wiring import send_enqueuer
    from consultant.users import get_user

    text = body_file.read_text(encoding="utf-8") if body_file else None
    with unit_of_work() as session:
        user = get_user(session, as_user)
        if not user.active:
            fail(f"user {user.email} is disabled")
        cases.approve(
            session, cases.get_case(session, case_id, for_update=True), actor=user.email, text=text
        )
    send_enqueuer()(case_id)
    typer.echo(f"case {case_id} approved; the reply is queued for sending")


@app.command("reject")
def reject(
    case_id: int,
    as_user: str = typer.Option(..., "--as", help="Email of the rejecting coder."),
    reason: str = typer.Option(..., "--reason", help="Why the case is rejected."),
) -> None:
    """Reject a case with a reason; nothing is sent."""
    from consultant import cases
    from consultant.users import get_user

    with unit_of_work() as session:
        user = get_user(session, as_user)
        cases.reject(
            session,
            cases.get_case(session, case_id, for_update=True),
            actor=user.email,
            reason=reason,
        )
    typer.echo(f"case {case_id} rejected")


@app.command("resend")
def resend(
    case_id: int,
    as_user: str = typer.Option(..., "--as", help="Email of the coder asking for the resend."),
) -> None:
    """Queue a case whose sending failed for another attempt."""
    from consultant import cases
    from consultant.cli.wiring import send_enqueuer
    from consultant.users import get_user

    with unit_of_work() as session:
        user = get_user(session, as_user)
        cases.resend(session, cases.get_case(session, case_id, for_update=True), actor=user.email)
    send_enqueuer()(case_id)
    typer.echo(f"case {case_id} queued for sending again")
