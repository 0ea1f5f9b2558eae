"""Outbound mail: builds a threaded reply and hands it to the configured relay."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

from consultant.config import RelayTarget
from consultant.errors import PermanentError, TransientError
from consultant.models import utcnow


def new_message_id(from_address: str) -> str:
    return make_msgid(domain=from_address.rsplit("@", 1)[-1])


def _new_message(*, message_id: str, from_address: str, to: str, subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(utcnow())
    msg["From"] = from_address
    msg["To"] = to
    msg["Subject"] = subject
    return msg


def _thread_under(msg: EmailMessage, in_reply_to: str, references: list[str]) -> None:
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        chain = [r for r in references if r != in_reply_to] + [in_reply_to]
        msg["References"] = " ".join(chain)


def _wire_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=SMTP)  # CRLF line ends: smtplib sends bytes as they are


def build_reply(
    *,
    message_id: str,
    from_address: str,
    to_address: str,
    to_name: str,
    subject: str,
    text: str,
    html: str,
    in_reply_to: str,
    references: list[str],
) -> bytes:
    """A multipart/alternative reply threaded under the question it answers."""
    to = formataddr((to_name, to_address)) if to_name else to_address
    msg = _new_message(message_id=message_id, from_address=from_address, to=to, subject=subject)
    _thread_under(msg, in_reply_to, references)
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return _wire_bytes(msg)


def build_notice(
    *,
    message_id: str,
    from_address: str,
    to_address: str,
    subject: str,
    text: str,
    in_reply_to: str,
) -> bytes:
    """An automatic notice: marked Auto-Submitted so that well-behaved mailers never answer it."""
    msg = _new_message(
        message_id=message_id, from_address=from_address, to=to_address, subject=subject
    )
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    _thread_under(msg, in_reply_to, [])
    msg.set_content(text)
    return _wire_bytes(msg)


def build_digest(
    *,
    message_id: str,
    from_address: str,
    to_address: str,
    subject: str,
    text: str,
    html: str,
    images: dict[str, bytes],
) -> bytes:
    """A weekly digest: text, and HTML with its PNG images inline (multipart/related, each
    image named by the Content-ID that the HTML refers to as cid:…)."""
    msg = _new_message(
        message_id=message_id, from_address=from_address, to=to_address, subject=subject
    )
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    html_part = msg.get_payload()[-1]
    for content_id, png in images.items():
        html_part.add_related(
            png, "image", "png", cid=f"<{content_id}>", disposition="inline", filename="chart.png"
        )
    return _wire_bytes(msg)


def send(relay: RelayTarget, raw: bytes, *, mail_from: str, recipients: list[str]) -> None:
    """Deliver through the relay. 4xx and connection trouble are transient; 5xx permanent."""
    try:
        if relay.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                relay.host, relay.port, timeout=30, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(relay.host, relay.port, timeout=30)
        with client:
            if relay.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if relay.user:
                client.login(relay.user, relay.password or "")
            client.sendmail(mail_from, recipients, raw)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"relay refused every recipient: {_codes(exc)}") from exc
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientError(f"relay answered {exc.smtp_code}") from exc
        raise PermanentError(f"relay answered {exc.smtp_code}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise TransientError(f"relay {relay.host}:{relay.port} unreachable: {exc}") from exc


def _codes(exc: smtplib.SMTPRecipientsRefused) -> str:
    return ", ".join(str(code) for code, _ in exc.recipients.values())
