"""The plain-address shortcut reads every address exactly as the full parser does."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.utils import getaddresses

from hypothesis import given, settings
from hypothesis import strategies as st

from consultant.mail.headers import _plain_address, addresses
from tests.conftest import shared_path

_TEXT = st.text(alphabet="ab Z09.'-_+%@<>\t\",;:()=?", max_size=40)


def same_as_full_parser(value: str) -> None:
    plain = _plain_address(value)
    if plain is not None:
        assert [plain] == getaddresses([value]), value


@settings(max_examples=1500, deadline=None)
@given(_TEXT)
def test_any_text(value):
    same_as_full_parser(value)


@settings(max_examples=500, deadline=None)
@given(
    st.from_regex(r"\A[ \t]*([A-Za-z'-]{1,8}([ \t]{1,2}[A-Za-z'-]{1,8}){0,2}[ \t]+)?"
                  r"<?[a-z0-9_%+.-]{1,8}@[a-z0-9.-]{1,10}>?[ \t]*\Z")
)  # fmt: skip
def test_address_shaped_text(value):
    same_as_full_parser(value)


def test_common_forms():
    assert addresses(["Renee  Caldwell <Renee@Clinic.example>"]) == [
        ("Renee Caldwell", "renee@clinic.example")
    ]
    assert addresses(["billing@clinic.example"]) == [("", "billing@clinic.example")]
    # Anything else goes to the full parser: quotes, lists, encoded words.
    assert addresses(['"Caldwell, Renee" <r@c.example>, b@c.example']) == [
        ("Caldwell, Renee", "r@c.example"),
        ("", "b@c.example"),
    ]
    assert addresses(["=?utf-8?q?Ren=C3=A9e?= <r@c.example>"]) == [("Renée", "r@c.example")]


def test_corpus_address_headers():
    """From, To and Cc of every real-world message: the shortcut, where it applies, agrees."""
    checked = 0
    for path in sorted(shared_path("data", "emails", "corpus").glob("*.eml")):
        msg = message_from_bytes(path.read_bytes(), policy=policy.compat32)
        for name in ("From", "To", "Cc", "Sender"):
            for value in msg.get_all(name) or []:
                text = " ".join(str(value).split("\n"))
                same_as_full_parser(text)
                checked += _plain_address(text) is not None
    assert checked > 500
