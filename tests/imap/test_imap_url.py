"""CONSULTANT_IMAP_URL: schemes, default ports, folder, escaped credentials, bad values."""

from __future__ import annotations

import pytest

from consultant.config import load_settings
from consultant.errors import ConfigError
from consultant.mail.imap_url import ImapTarget


@pytest.mark.parametrize(
    ("url", "scheme", "port", "folder"),
    [
        ("imaps://desk:pw@mail.example/INBOX", "imaps", 993, "INBOX"),
        ("imap+starttls://desk:pw@mail.example:1143/Questions", "imap+starttls", 1143, "Questions"),
        ("imap://desk:pw@127.0.0.1", "imap", 143, "INBOX"),
        ("imaps://desk:pw@mail.example/Clients%2FQuestions", "imaps", 993, "Clients/Questions"),
    ],
)
def test_url_forms(url, scheme, port, folder):
    target = ImapTarget.from_url(url)
    assert (target.scheme, target.port, target.folder) == (scheme, port, folder)


def test_escaped_credentials_and_account_without_password():
    target = ImapTarget.from_url("imaps://desk%40clinic.example:p%40ss%2Fw@mail.example/INBOX")
    assert (target.user, target.password) == ("desk@clinic.example", "p@ss/w")
    assert target.account == "desk@clinic.example@mail.example:993"
    assert "p@ss" not in repr(target)


@pytest.mark.parametrize("url", ["pop3://u:p@h/INBOX", "imaps://mail.example/INBOX", "imaps:///x"])
def test_bad_urls_stop_start_up_naming_the_variable(url):
    with pytest.raises(ValueError):
        ImapTarget.from_url(url)
    with pytest.raises(ConfigError, match="CONSULTANT_IMAP_URL"):
        load_settings(imap_url=url)
