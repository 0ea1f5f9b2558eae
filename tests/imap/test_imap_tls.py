"""The poller over implicit TLS (imaps://) and STARTTLS, against Dovecot with a self-signed
certificate that the client is told to trust; a certificate it does not trust is refused."""

from __future__ import annotations

import shutil
import ssl
from functools import partial

import pytest

from consultant.mail.imap import ImapPoller
from consultant.mail.imap_url import ImapTarget, connect
from consultant.mail.intake import store_and_enqueue
from tests.conftest import unavailable
from tests.imap.dovecot import Dovecot, dovecot_binary
from tests.imap.test_imap_poller import (
    all_marked,
    assert_stored_once,
    question,
    running,
    wait_until,
)


@pytest.fixture
def tls_dovecot():
    if dovecot_binary() is None or shutil.which("openssl") is None:
        unavailable("dovecot and openssl")
    with Dovecot(tls=True) as server:
        yield server


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("scheme", ["imaps", "imap+starttls"])
def test_poller_over_tls(tls_dovecot, sessions, scheme):
    trusted = ssl.create_default_context(cafile=str(tls_dovecot.certificate))
    poller = ImapPoller(
        sessions,
        ImapTarget.from_url(tls_dovecot.url(scheme=scheme)),
        store=partial(store_and_enqueue, sessions, source="imap", enqueue=None),
        connect=partial(connect, ssl_context=trusted),
        idle_tick=0.2,
    )
    tls_dovecot.append(question(1))
    with running(poller):
        wait_until(lambda: all_marked(tls_dovecot, 1), what=f"the message over {scheme}")
    assert_stored_once(sessions, 1)


@pytest.mark.parametrize("scheme", ["imaps", "imap+starttls"])
def test_untrusted_certificate_is_refused(tls_dovecot, scheme):
    with pytest.raises(ssl.SSLCertVerificationError):
        connect(ImapTarget.from_url(tls_dovecot.url(scheme=scheme)), timeout=5)
