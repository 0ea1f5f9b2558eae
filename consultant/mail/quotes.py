"""Separate the writer's new text from quoted history and signature."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReplyParts:
    reply: str
    quoted: str
    signature: str


def split_reply(text: str) -> ReplyParts:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(">") or (line.startswith("On ") and line.rstrip().endswith("wrote:")):
            return ReplyParts("\n".join(lines[:index]).strip(), "\n".join(lines[index:]), "")
    return ReplyParts(text.strip(), "", "")
