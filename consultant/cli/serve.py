"""`consultant run|smtp|imap|web`: the long-running processes."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

import typer

from consultant.cli.context import sessions, settings

log = logging.getLogger("consultant")


def _configure_logging() -> None:
    """Structured lines on stderr: JSON under a process manager, key=value on a terminal."""
    from consultant.logs import configure_logging

    configure_logging(logging.INFO)


def _wait_for_stop() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def _check_templates() -> None:
    """A broken template override stops start-up here, not when a reply is drafted."""
    from consultant.cli.context import fail
    from consultant.drafting import TemplateCheckError, check_templates

    try:
        check_templates(settings().template_dir)
    except TemplateCheckError as error:
        fail(str(error), 2)


def _prepare_database() -> None:
    from consultant.db import upgrade

    upgrade(sessions().kw["bind"])


def _ensure_icd10cm() -> None:
    """On the first run, load ICD-10-CM in a short-lived process (the package's tabular
    costs ~190 MB resident, which the long-running processes should not carry)."""
    from sqlalchemy import text

    with sessions()() as session:
        loaded = session.execute(
            text("SELECT COUNT(*) FROM code_set_versions WHERE system = 'ICD-10-CM'")
        ).scalar_one()
    if not loaded:
        typer.echo("first run: loading ICD-10-CM (about half a minute)…")
        subprocess.run([sys.executable, "-m", "consultant", "codes", "load", "icd10cm"], check=True)


def _sender_policy():  # noqa: ANN202 - consultant.requesters.SenderPolicy
    from datetime import timedelta

    from consultant.requesters import SenderPolicy

    config = settings()
    return SenderPolicy(
        mode=config.sender_policy,
        guest_quota=config.guest_monthly_quota,
        notice_period=timedelta(hours=config.notice_period_hours),
    )


def _start_smtp():  # noqa: ANN202 - returns aiosmtpd's Controller

    from consultant.cli.wiring import analysis_enqueuer, notice_enqueuer
    from consultant.mail.smtp import IntakeHandler, make_controller, tls_context
    from consultant.mail.writer import GroupCommitStore

    config = settings()
    handler = IntakeHandler(
        sessions(),
        accept_domains=config.accepted_domains,
        enqueue=analysis_enqueuer(),
        own_addresses=frozenset({config.from_address.lower()}),
        policy=_sender_policy(),
        notify=notice_enqueuer(),
        rate_per_minute=config.smtp_rate_per_minute,
        store=GroupCommitStore(sessions(), writers=config.intake_writers),
    )
    tls = None
    if config.smtp_tls_cert and config.smtp_tls_key:
        tls = tls_context(config.smtp_tls_cert, config.smtp_tls_key)
    controller = make_controller(
        handler,
        host=config.smtp_host,
        port=config.smtp_port,
        max_message_bytes=config.max_message_bytes,
        tls=tls,
    )
    controller.start()
    return controller


def _stop_smtp(controller) -> None:  # noqa: ANN001 - aiosmtpd's Controller
    """Finish the messages being stored, then close the listener and its intake writer."""
    controller.handler.drain()
    controller.stop()
    controller.handler.store.close()


def _start_imap() -> tuple[threading.Event, threading.Thread]:
    """The IMAP poller in a thread, storing through intake exactly as the listener does."""
    from functools import partial

    from consultant.cli.wiring import analysis_enqueuer, notice_enqueuer
    from consultant.mail.imap import ImapPoller
    from consultant.mail.imap_url import ImapTarget
    from consultant.mail.intake import store_and_enqueue

    config = settings()
    store = partial(
        store_and_enqueue,
        sessions(),
        source="imap",
        enqueue=analysis_enqueuer(),
        own_addresses=frozenset({config.from_address.lower()}),
        policy=_sender_policy(),
        notify=notice_enqueuer(),
    )
    poller = ImapPoller(
        sessions(),
        ImapTarget.from_url(config.imap_url),
        store=store,
        done_folder=config.imap_done_folder,
        poll_seconds=config.imap_poll_seconds,
    )
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,), name="imap", daemon=True)
    thread.start()
    return stop, thread


def _stop_imap(stop: threading.Event, thread: threading.Thread) -> None:
    stop.set()
    thread.join(timeout=10)


def _start_web():  # noqa: ANN202 - returns (server, thread)
    import uvicorn

    from consultant.cli.wiring import analysis_enqueuer, send_enqueuer
    from consultant.web.app import create_app

    config = settings()
    app = create_app(
        config, sessions(), enqueue_send=send_enqueuer(), enqueue_analysis=analysis_enqueuer()
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=config.web_host,
            port=config.web_port,
            log_level="warning",
            log_config=None,  # uvicorn's records go to our structured handler
        )
    )
    thread = threading.Thread(target=server.run, name="web", daemon=True)
    thread.start()
    return server, thread


def register(app: typer.Typer) -> None:
    @app.command("smtp")
    def smtp() -> None:
        """Run the SMTP listener that takes in questions."""
        _configure_logging()
        _check_templates()
        _prepare_database()
        controller = _start_smtp()
        config = settings()
        typer.echo(f"SMTP listener on {config.smtp_host}:{config.smtp_port}")
        _wait_for_stop()
        _stop_smtp(controller)

    @app.command("web")
    def web() -> None:
        """Run the review console."""
        _configure_logging()
        _check_templates()
        _prepare_database()
        server, thread = _start_web()
        config = settings()
        typer.echo(f"review console on http://{config.web_host}:{config.web_port}/")
        _wait_for_stop()
        server.should_exit = True
        thread.join(timeout=10)

    @app.command("imap")
    def imap() -> None:
        """Run the IMAP poller that takes in questions from CONSULTANT_IMAP_URL's folder."""
        from consultant.cli.context import fail
        from consultant.mail.imap_url import ImapTarget

        _configure_logging()
        config = settings()
        if not config.imap_url:
            fail("CONSULTANT_IMAP_URL is not set (imaps://user:pass@host/INBOX)", 2)
        _prepare_database()
        stop, thread = _start_imap()
        target = ImapTarget.from_url(config.imap_url)
        typer.echo(f"IMAP poller on {target.scheme}://{target.account}/{target.folder}")
        _wait_for_stop()
        _stop_imap(stop, thread)

    @app.command("run")
    def run(
        concurrency: int = typer.Option(2, "--concurrency", min=1, help="Worker processes."),
    ) -> None:
        """Run everything on one machine: SMTP listener, worker, scheduler and console."""
        _configure_logging()
        _check_templates()
        config = settings()
        config.data_dir.mkdir(parents=True, exist_ok=True)
        _prepare_database()
        _ensure_icd10cm()
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers",
                "--quiet",
                "worker",
                "--beat",
                f"--concurrency={concurrency}",
                "--loglevel=WARNING",
                f"--schedule={config.data_dir.resolve() / 'beat-schedule'}",
            ],
            env=os.environ.copy(),
        )
        controller = _start_smtp()
        server, thread = _start_web()
        imap = _start_imap() if config.imap_url else None
        typer.echo(f"SMTP listener   {config.smtp_host}:{config.smtp_port}")
        if imap:
            typer.echo(f"IMAP poller     {config.imap_url.split('@')[-1]}")
        typer.echo(f"review console  http://{config.web_host}:{config.web_port}/")
        typer.echo(f"worker + beat   pid {worker.pid}, broker {config.resolved_broker_url}")
        typer.echo(f"replies go to   {config.relay_url}")
        typer.echo("Press Ctrl-C to stop.")
        try:
            _wait_for_stop()
        finally:
            typer.echo("stopping…")
            _stop_smtp(controller)
            if imap:
                _stop_imap(*imap)
            server.should_exit = True
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
            thread.join(timeout=10)
