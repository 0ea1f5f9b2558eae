"""The IMAP account named by CONSULTANT_IMAP_URL, and how to open a logged-in client for it."""

from __future__ import annotations

import contextlib
import ssl
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from imapclient import IMAPClient
from imapclient.imapclient import SocketTimeout

SCHEMES = {"imaps": 993, "imap+starttls": 143, "imap": 143}


@dataclass(frozen=True)
class ImapTarget:
    """One mailbox folder on one server, with the login that reads it."""

    scheme: str
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"

    @classmethod
    def from_url(cls, url: str) -> ImapTarget:
        """`imaps://user:pass@host[:port]/FOLDER`, `imap+starttls://…`, or plain `imap://…`
        (plain text: meant for loopback servers in tests). The folder defaults to INBOX."""
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise ValueError("must start with imaps://, imap+starttls:// or imap://")
        if not parts.hostname or not parts.username:
            raise ValueError("must name a user and a host: imaps://user:pass@host/INBOX")
        folder = unquote(parts.path.lstrip("/")) or "INBOX"
        return cls(
            scheme=parts.scheme,
            host=parts.hostname,
            port=parts.port or SCHEMES[parts.scheme],
            user=unquote(parts.username),
            password=unquote(parts.password or ""),
            folder=folder,
        )

    @property
    def account(self) -> str:
        """The key under which the read position is remembered (no password)."""
        return f"{self.user}@{self.host}:{self.port}"


def connect(
    target: ImapTarget, *, timeout: float = 30.0, ssl_context: ssl.SSLContext | None = None
) -> IMAPClient:
    """A logged-in client: implicit TLS, STARTTLS, or plain text as the scheme says."""
    client = IMAPClient(
        target.host,
        port=target.port,
        ssl=target.scheme == "imaps",
        ssl_context=ssl_context,
        timeout=SocketTimeout(connect=timeout, read=timeout),
    )
    try:
        if target.scheme == "imap+starttls":
            client.starttls(ssl_context)
        client.login(target.user, target.password)
    except BaseException:
        with contextlib.suppress(OSError):  # a failed handshake may have closed it already
            client.shutdown()
        raise
    return client
