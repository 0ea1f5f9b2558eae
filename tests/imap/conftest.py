"""Fixtures for the IMAP poller tests: a real Dovecot per test, and a poller run in a thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import pytest

from consultant.mail.imap import Backoff, ImapPoller
from consultant.mail.imap_url import ImapTarget
from consultant.mail.intake import store_and_enqueue
from tests.conftest import unavailable
from tests.imap.dovecot import Dovecot, dovecot_binary


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if dovecot_binary() is None:
        unavailable("dovecot (apt-get install -y dovecot-imapd)")
    with Dovecot() as server:
        yield server


@pytest.fixture
def make_poller(sessions, dovecot) -> Callable[..., ImapPoller]:
    """A poller on the test server that stores through the real intake; any argument of
    ImapPoller can be overridden. Short delays keep the tests fast."""

    def build(folder: str = "INBOX", **overrides) -> ImapPoller:
        options = {
            "store": partial(store_and_enqueue, sessions, source="imap", enqueue=None),
            # A resync every second: tests of anything but IDLE itself must not hang on an
            # IDLE announcement the server sends late (seen on a loaded machine); the IDLE
            # test sets 30 s, so that only IDLE can bring its message in.
            "poll_seconds": 1.0,
            "backoff": Backoff(initial=0.05, ceiling=0.5),
            "idle_tick": 0.2,
        }
        options.update(overrides)
        return ImapPoller(sessions, ImapTarget.from_url(dovecot.url(folder)), **options)

    return build
