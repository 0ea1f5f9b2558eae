"""Charsets: bytes → text under a declared, mislabelled, unknown or missing charset."""

from __future__ import annotations

import codecs

# Labels that mail programs write but that mean something else in practice (as browsers
# treat them), or that Python does not know under that name.
_SUBSTITUTES = {
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "l1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "ansi_x3.4-1968": "windows-1252",
    "iso-8859-9": "windows-1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "unicode-1-1-utf-7": "utf-7",
    "x-unicode-2-0-utf-7": "utf-7",
    "utf8": "utf-8",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
}

# Labels that say "I don't know": decode best-effort.
_UNKNOWN = {"", "unknown", "unknown-8bit", "x-unknown", "x-user-defined", "default", "none"}

# Above this size, guessing a charset is done on a prefix only.
_DETECT_LIMIT = 64 * 1024


def normalise_label(label: str | None) -> str:
    """The charset label as written, lower-cased and trimmed of quotes and junk."""
    if not label:
        return ""
    return label.strip().strip("\"'").strip().lower()


def codec_for(label: str | None) -> str | None:
    """The Python codec to use for a charset label, or None when the label is unknown."""
    name = normalise_label(label)
    if name in _UNKNOWN:
        return None
    name = _SUBSTITUTES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def guess_decode(data: bytes) -> tuple[str, str]:
    """Decode bytes of unknown charset; return (text, codec name used)."""
    if data.isascii():
        return data.decode("ascii"), "ascii"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", "replace"), "utf-16"
    guessed = _detect(data)
    if guessed:
        try:
            return data.decode(guessed), guessed
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("windows-1252", "replace"), "windows-1252"


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes  # imported lazily: rarely needed, slow to load

    best = from_bytes(data[:_DETECT_LIMIT]).best()
    return best.encoding if best is not None else None


def decode_bytes(data: bytes, label: str | None) -> tuple[str, str | None]:
    """Decode bytes declared as `label`; return (text, defect or None).

    A defect names what went wrong (unknown or missing charset, bytes invalid for the
    declared one) so that callers can flag the message; the text is always usable.
    """
    name = normalise_label(label)
    codec = codec_for(name)
    if codec is None:
        text, used = guess_decode(data)
        if data.isascii():
            return text, None if name in _UNKNOWN else f"unknown charset {name!r}"
        what = "missing charset" if not name else f"unknown charset {name!r}"
        return text, f"{what}, decoded as {used}"
    if codec == "cp1252" and not data.isascii():  # Western labels often hide UTF-8
        try:
            return data.decode("utf-8"), f"charset {name!r} mislabels utf-8"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode(codec), None
    except UnicodeDecodeError:
        pass
    except LookupError:  # codecs.lookup knew it but the decoder is missing
        return guess_decode(data)[0], f"unusable charset {name!r}"
    if codec == "cp1252":  # bytes 0x81, 0x8d, 0x8f, 0x90, 0x9d: Latin-1 control codes
        return data.decode("latin-1"), None
    try:
        return data.decode("utf-8"), f"charset {name!r} mislabels utf-8"
    except UnicodeDecodeError:
        return data.decode(codec, "replace"), f"bytes invalid for charset {name!r}"
