"""A finding: one problem (or note) about the mentioned codes, in the contract's JSON shape."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class Finding:
    kind: str
    codes: tuple[str, ...]
    severity: str
    message: str
    source: str
    note_at: str = ""  # for a tabular note: the code, category, block or chapter it sits at

    def to_json(self) -> dict:
        data = {
            "kind": self.kind,
            "codes": list(self.codes),
            "severity": self.severity,
            "message": self.message,
            "source": self.source,
        }
        if self.note_at:
            data["note_at"] = self.note_at
        return data


def listing(codes: list[str] | tuple[str, ...], limit: int = 8) -> str:
    """'A, B or C' (first `limit`, then '…')."""
    shown = list(codes[:limit])
    if len(codes) > limit:
        return ", ".join(shown) + f" and {len(codes) - limit} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " or " + shown[-1]
