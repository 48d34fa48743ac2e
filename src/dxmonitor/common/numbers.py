"""Vietnamese number formats: "1.234,5" in Vietnamese, "1,234.5" in English.

Parsing accepts what officials type: a dot for thousands and a comma for decimals, a
trailing percent sign, and plain machine numbers ("1234.5") when there is no ambiguity.
"""

import math
import re


class NumberFormatError(ValueError):
    """A string that is not a number in any format we accept."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(f"not a number: {text!r}")


_VN_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_EN_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_VN_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")
_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_number(text: str | float | int) -> float:
    """Parse "1.234,5", "24,3%", "4.306", "1234.5" or a number; raise NumberFormatError.

    A lone dot followed by exactly three digits ("4.306") is read as a thousands separator,
    as Vietnamese writes it; "4.3" or "4.3060" are decimals.
    """
    if isinstance(text, bool):
        raise NumberFormatError(str(text))
    if isinstance(text, int | float):
        if isinstance(text, float) and not math.isfinite(text):
            raise NumberFormatError(str(text))
        return float(text)
    raw = (text or "").strip().replace("\u00a0", " ").replace(" ", "")
    raw = raw.removesuffix("%")
    if not raw:
        raise NumberFormatError(text)
    if _VN_GROUPED.match(raw):
        return float(raw.replace(".", "").replace(",", "."))
    if _EN_GROUPED.match(raw) and "." in raw:
        return float(raw.replace(",", ""))
    if _VN_DECIMAL.match(raw):
        return float(raw.replace(",", "."))
    if _PLAIN.match(raw):
        return float(raw)
    raise NumberFormatError(text)


def format_number(value: float | int | None, *, language: str = "vi", decimals: int | None = None) -> str:
    """Format for display: 1234.5 → "1.234,5" (vi) or "1,234.5" (en); whole numbers lose ".0"."""
    if value is None:
        return ""
    number = float(value)
    if decimals is None:
        decimals = 0 if number == int(number) else min(_decimals_needed(number), 2)
    text = f"{number:,.{decimals}f}"
    if language.startswith("vi"):
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _decimals_needed(number: float) -> int:
    for places in range(1, 6):
        if round(number, places) == round(number, 6):
            return places
    return 6
