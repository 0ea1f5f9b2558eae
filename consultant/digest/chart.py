"""The digest's chart: daily volume bars and a turnaround line, drawn into a PNG by hand
(a few hundred bytes of zlib; no plotting library in the worker)."""

from __future__ import annotations

import struct
import zlib
from datetime import date
from typing import Any

Color = tuple[int, int, int]
WHITE: Color = (255, 255, 255)
GRID: Color = (226, 230, 236)
INK: Color = (70, 78, 90)
RECEIVED: Color = (74, 120, 194)
ANSWERED: Color = (96, 172, 110)
HOURS: Color = (222, 120, 40)

# A 3×5 pixel font for the labels the chart needs: digits, day names, "h" and ".".
_GLYPHS = {
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001001001001",
    "8": "111101111101111",
    "9": "111101111001111",
    ".": "000000000000010",
    " ": "000000000000000",
    "h": "100100111101101",
    "M": "101111111101101",
    "T": "111010010010010",
    "W": "101101111111101",
    "F": "111100110100100",
    "S": "111100111001111",
    "o": "000111101101111",
    "n": "000110101101101",
    "u": "000101101101111",
    "e": "000111111100111",
    "d": "001001111101111",
    "r": "000111100100100",
    "i": "010000010010010",
    "a": "000110011101111",
    "t": "010111010010011",
}
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Canvas:
    """An RGB pixel buffer with the few drawing operations the chart uses."""

    def __init__(self, width: int, height: int, background: Color = WHITE) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        """Fill [x0, x1) × [y0, y1), clipped to the canvas."""
        x0, x1 = max(0, min(x0, x1)), min(self.width, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.height, max(y0, y1))
        row = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            offset = 3 * (y * self.width + x0)
            self.pixels[offset : offset + len(row)] = row

    def line(self, x0: int, y0: int, x1: int, y1: int, color: Color, width: int = 2) -> None:
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(steps + 1):
            x = round(x0 + (x1 - x0) * i / steps)
            y = round(y0 + (y1 - y0) * i / steps)
            self.rect(
                x - width // 2,
                y - width // 2,
                x - width // 2 + width,
                y - width // 2 + width,
                color,
            )

    def text(self, x: int, y: int, label: str, color: Color, scale: int = 2) -> int:
        """Draw `label` with its top-left corner at (x, y); returns the x after it."""
        for char in label:
            glyph = _GLYPHS.get(char, _GLYPHS[" "])
            for index, bit in enumerate(glyph):
                if bit == "1":
                    gx, gy = x + (index % 3) * scale, y + (index // 3) * scale
                    self.rect(gx, gy, gx + scale, gy + scale, color)
            x += 4 * scale
        return x

    def png(self) -> bytes:
        stride = 3 * self.width
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * stride : (y + 1) * stride]) for y in range(self.height)
        )
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b"")
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def text_width(label: str, scale: int = 2) -> int:
    return 4 * scale * len(label) - scale


def daily_chart(daily: list[dict[str, Any]], width: int = 640, height: int = 240) -> bytes:
    """Bars: cases received and answered per day (left scale). Line: mean hours from
    receipt to reply for the replies sent that day (right scale)."""
    canvas = Canvas(width, height)
    left, right, top, bottom = 40, width - 44, 14, height - 30
    volume_max = _nice_ceiling(max([d["received"] for d in daily] + [d["answered"] for d in daily]))
    hours = [d["mean_hours_to_sent"] for d in daily]
    hours_max = _nice_ceiling(max([h for h in hours if h is not None], default=0))
    for step in range(5):
        y = bottom - (bottom - top) * step // 4
        canvas.rect(left, y, right, y + 1, GRID)
    canvas.text(left - 6 - text_width(str(volume_max)), top - 4, str(volume_max), RECEIVED)
    canvas.text(left - 6 - text_width("0"), bottom - 4, "0", INK)
    canvas.text(right + 6, top - 4, f"{hours_max}h", HOURS)
    slot = (right - left) // len(daily)
    bar = max(2, slot // 4)
    points = []
    for index, day in enumerate(daily):
        x = left + index * slot + slot // 2
        for offset, value, color in (
            (-bar, day["received"], RECEIVED),
            (0, day["answered"], ANSWERED),
        ):
            y = bottom - round((bottom - top) * value / volume_max)
            canvas.rect(x + offset, y, x + offset + bar, bottom, color)
        if day["mean_hours_to_sent"] is not None:
            y = bottom - round((bottom - top) * day["mean_hours_to_sent"] / hours_max)
            points.append((x, y))
        label = f"{_DAY_NAMES[index % 7]} {date.fromisoformat(day['date']).day}"
        canvas.text(x - text_width(label) // 2, bottom + 10, label, INK)
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        canvas.line(x0, y0, x1, y1, HOURS)
    for x, y in points:
        canvas.rect(x - 3, y - 3, x + 4, y + 4, HOURS)
    canvas.rect(left, bottom, right, bottom + 1, INK)
    return canvas.png()


def _nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5 × 10^k at or above `value` (at least 1)."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if value <= step * magnitude:
                return step * magnitude
        magnitude *= 10
