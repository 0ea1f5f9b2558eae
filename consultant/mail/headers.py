"""Header values: raw 8-bit bytes, RFC 2047 encoded words, address lists, file names."""

from __future__ import annotations

import base64
import binascii
import re
from email.utils import getaddresses

from consultant.mail.charsets import decode_bytes

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")
_FOLD = re.compile(r"\r?\n[ \t]*|\r[ \t]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
# A plain dot-atom address, as most mail carries; anything else goes to the full parser.
ADDR_SPEC = r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_PLAIN_ADDRESS = re.compile(
    rf"[ \t]*(?:(?:([A-Za-z0-9'-]+(?:[ \t]+[A-Za-z0-9'-]+)*)[ \t]+)?<({ADDR_SPEC})>"
    rf"|({ADDR_SPEC}))[ \t]*\Z"
)


def raw_to_text(value: object) -> str:
    """A header value as the parser stored it (str with escaped 8-bit bytes) → text."""
    if not isinstance(value, str):
        value = str(value)
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value
    if data.isascii():
        return value
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("windows-1252", "replace")


def _decode_word(match: re.Match[str]) -> str:
    label, encoding, payload = match.group(1), match.group(2).lower(), match.group(3)
    label = label.split("*", 1)[0]  # RFC 2231 language suffix: =?utf-8*en?Q?...?=
    try:
        if encoding == "b":
            data = base64.b64decode(payload + "=" * (-len(payload) % 4))
        else:
            raw = payload.replace("_", " ").encode("ascii", "replace")
            data = _Q_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
    except (binascii.Error, ValueError):
        return match.group(0)
    return decode_bytes(data, label)[0]


def decode_header(value: object) -> str:
    """Unfold and decode a header value: 8-bit bytes and RFC 2047 words become text."""
    text = _FOLD.sub(" ", raw_to_text(value)).replace("\t", " ")
    if "=?" in text:
        text = _BETWEEN_WORDS.sub(r"\1\2", text)
        text = _ENCODED_WORD.sub(_decode_word, text)
    return _CONTROL.sub("", text).strip()


def _plain_address(value: str) -> tuple[str, str] | None:
    """`Name <local@domain>` or `local@domain` with nothing the full parser must weigh
    (quotes, comments, encoded words, groups, lists): most mail, read without it. What it
    returns is what `getaddresses` returns for the same text."""
    match = _PLAIN_ADDRESS.match(value)
    if match is None:
        return None
    name, address = match.group(1) or "", match.group(2) or match.group(3)
    return " ".join(name.split()), address


def addresses(values: list[object]) -> list[tuple[str, str]]:
    """Address headers → [(display name, lower-cased address)], empty entries dropped."""
    raw = [_FOLD.sub(" ", raw_to_text(v)) for v in values]
    plain = [_plain_address(value) for value in raw]
    if all(plain):
        return [(decode_header(name), address.lower()) for name, address in plain]
    try:
        pairs = getaddresses(raw)
    except Exception:  # noqa: BLE001 - stdlib address parser on hostile input
        pairs = []
    found: list[tuple[str, str]] = []
    for name, address in pairs:
        address = address.strip().strip("<>").lower()
        if address:
            found.append((decode_header(name), address))
    return found


def message_ids(value: object) -> list[str]:
    """Message-IDs in a References or In-Reply-To header, in order."""
    text = _FOLD.sub(" ", raw_to_text(value))
    ids = re.findall(r"<[^<>\s]+>", text)
    return ids or text.split()


def safe_filename(name: str) -> str:
    """A file name that cannot point anywhere: no folders, no control characters."""
    name = decode_header(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name).strip().lstrip(".").strip()
    return name[:255]
