"""`consultant doctor`: checks every part the desk depends on and says what to do next."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, inspect, text

from consultant.config import Settings


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok, warn, fail
    detail: str


def check_database(engine: Engine) -> Check:
    from alembic.script import ScriptDirectory

    from consultant.db import MIGRATIONS_DIR, current_revision

    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revision(engine)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return Check("database", "fail", f"unreachable ({type(exc).__name__}); check the URL")
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    if current != head:
        return Check(
            "database", "fail", f"at {current}, code expects {head}: run `consultant db upgrade`"
        )
    return Check("database", "ok", f"{engine.dialect.name}, schema at {head}")


def check_broker(url: str) -> Check:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001
        return Check("broker", "fail", f"{_safe(url)} unreachable ({type(exc).__name__})")
    return Check("broker", "ok", _safe(url))


def check_relay(settings: Settings) -> Check:
    relay = settings.relay
    try:
        factory = smtplib.SMTP_SSL if relay.scheme == "smtps" else smtplib.SMTP
        with factory(relay.host, relay.port, timeout=5) as client:
            if relay.scheme == "smtp+starttls":
                client.starttls()
            if relay.user:
                client.login(relay.user, relay.password or "")
            client.noop()
    except (OSError, smtplib.SMTPException) as exc:
        return Check(
            "relay",
            "fail",
            f"{relay.host}:{relay.port} ({type(exc).__name__}); replies cannot be sent",
        )
    return Check("relay", "ok", f"{relay.scheme}://{relay.host}:{relay.port}")


def check_imap(settings: Settings) -> Check:
    if not settings.imap_url:
        return Check("imap", "warn", "not configured (CONSULTANT_IMAP_URL); SMTP intake only")
    from urllib.parse import unquote, urlsplit

    from imapclient import IMAPClient

    parts = urlsplit(settings.imap_url)
    try:
        secure = parts.scheme == "imaps"
        client = IMAPClient(parts.hostname, port=parts.port, ssl=secure, timeout=5)
        if parts.scheme == "imap+starttls":
            client.starttls()
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
        client.logout()
    except Exception as exc:  # noqa: BLE001
        return Check("imap", "fail", f"{parts.hostname}: login failed ({type(exc).__name__})")
    return Check("imap", "ok", f"{parts.scheme}://{parts.hostname}{parts.path}")


def check_code_sets(engine: Engine, *, now: datetime | None = None) -> list[Check]:
    if "code_set_versions" not in inspect(engine).get_table_names():
        return [Check("code sets", "fail", "no code-set tables: run `consultant db upgrade`")]
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT system, version, loaded_at FROM code_set_versions ORDER BY loaded_at")
        ).all()
    latest = {system: (version, loaded_at) for system, version, loaded_at in rows}
    checks = []
    now = now or datetime.now(UTC)
    for system, hint in (
        ("ICD-10-CM", "run `consultant codes load icd10cm`"),
        ("HCPCS", "import the CMS HCPCS file with `consultant codes import hcpcs FILE`"),
        ("AOC", "import the NCCI add-on file with `consultant codes import addon FILE`"),
        ("PTP", "import the NCCI PTP files with `consultant codes import ptp FILE…`"),
        ("MUE", "import the NCCI MUE file with `consultant codes import mue FILE`"),
        ("PFS", "import the PPRRVU file with `consultant codes import pfs FILE`"),
        ("CPT", "optional: import your AMA-licensed file with `consultant codes import cpt FILE`"),
    ):
        if system not in latest:
            status = "fail" if system == "ICD-10-CM" else "warn"
            checks.append(Check(f"code set {system}", status, f"not loaded; {hint}"))
            continue
        version, loaded_at = latest[system]
        loaded = (
            loaded_at if isinstance(loaded_at, datetime) else datetime.fromisoformat(str(loaded_at))
        )
        age = (now - (loaded if loaded.tzinfo else loaded.replace(tzinfo=UTC))).days
        status = "warn" if age > 120 else "ok"
        checks.append(
            Check(f"code set {system}", status, f"version {version}, loaded {age} days ago")
        )
    return checks


def check_templates(settings: Settings) -> Check:
    from jinja2 import TemplateError

    from consultant.templating import environment

    env = environment(settings.template_dir)
    try:
        for name in env.list_templates(filter_func=lambda n: n.endswith(".j2")):
            env.get_template(name)
    except TemplateError as exc:
        return Check("templates", "fail", f"{getattr(exc, 'name', '')}: {exc}")
    where = f"overrides from {settings.template_dir}" if settings.template_dir else "built-in"
    return Check("templates", "ok", where)


def run_checks(settings: Settings, engine: Engine) -> list[Check]:
    steps: list[Callable[[], Check | list[Check]]] = [
        lambda: check_database(engine),
        lambda: check_broker(settings.resolved_broker_url),
        lambda: check_relay(settings),
        lambda: check_imap(settings),
        lambda: check_code_sets(engine),
        lambda: check_templates(settings),
    ]
    results: list[Check] = []
    for step in steps:
        outcome = step()
        results.extend(outcome if isinstance(outcome, list) else [outcome])
    return results


def _safe(url: str) -> str:
    """A URL without its password, for output."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
