"""The listener's shortcut for plain MAIL FROM / RCPT TO paths reads them as aiosmtpd does."""

from __future__ import annotations

from aiosmtpd.smtp import SMTP
from hypothesis import given, settings
from hypothesis import strategies as st

from consultant.mail.smtp import _DeskSMTP


class _NoHandler:
    pass


STOCK, OURS = SMTP(_NoHandler()), _DeskSMTP(_NoHandler())


def outcome(server: SMTP, arg: str) -> object:
    """What `_getaddr` returns, or the exception it raises (the stdlib parser raises more
    than HeaderParseError on some inputs; the shortcut must not change that either)."""
    try:
        return server._getaddr(arg)
    except Exception as exc:  # noqa: BLE001
        return type(exc)


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet='<>ab.9@_-+ \t"=ZS()[]:,;\\', max_size=30))
def test_any_text(arg):
    assert outcome(OURS, arg) == outcome(STOCK, arg)


@settings(max_examples=500, deadline=None)
@given(
    st.from_regex(r"\A[ \t]{0,2}<[a-z0-9._%+-]{1,10}@[a-z0-9.-]{1,10}>[ \t]{0,2}"
                  r"((SIZE|BODY)=[A-Z0-9]{1,8}[ ]?){0,2}\Z")
)  # fmt: skip
def test_path_shaped_text(arg):
    assert outcome(OURS, arg) == outcome(STOCK, arg)


def test_local_part_limit_still_applies():
    long_local = "<" + "a" * 65 + "@clinic.example>"
    limited = _DeskSMTP(_NoHandler(), enable_SMTPUTF8=False)
    limited.local_part_limit = 64
    assert limited._getaddr(long_local) == (None, None)
    assert OURS._getaddr("<renee@clinic.example> SIZE=1200") == (
        "renee@clinic.example",
        "SIZE=1200",
    )
