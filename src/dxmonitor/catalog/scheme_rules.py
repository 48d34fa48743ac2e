"""How a scheme component turns a figure into points: read its thresholds once, apply them often.

Three rules, as provinces write their commune sub-indices:

- `ratio`: a/b × maximum points. The figure is a percentage (a rate, or one figure out of another);
  100% earns the maximum, or `full_at` (80 → 80% or more earns the maximum). A count scored by
  ratio must say which count earns the maximum (10 products → 10).
- `steps`: thresholds from best to worst, the first one the figure reaches gives the points
  ("≥4: 20; ≥3: 15; ≥2: 10; ≥1: 5" — four meetings are worth 20 points, three 15 …); none: 0.
- `yes_no`: the maximum when the condition holds (by default: more than 0), else 0.
"""

import operator
import re
from collections.abc import Callable

from dxmonitor.common.numbers import NumberFormatError, parse_number
from dxmonitor.common.text import fold

from .models import ScoringRule

RATIO, STEPS, YES_NO = ScoringRule.RATIO.value, ScoringRule.STEPS.value, ScoringRule.YES_NO.value

COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(b)),
}
_SYMBOLS = {"≥": ">=", "≤": "<=", "==": "=", "=>": ">=", "=<": "<="}
# How officials name the rules in a Vietnamese table, folded.
_RULE_NAMES = {
    "ratio": RATIO,
    "ty le": RATIO,
    "steps": STEPS,
    "step": STEPS,
    "bac": STEPS,
    "muc": STEPS,
    "thang diem": STEPS,
    "yes no": YES_NO,
    "yes_no": YES_NO,
    "co khong": YES_NO,
}
_CONDITION = re.compile(r"^(>=|<=|>|<|=)?\s*(.+)$")


class RuleError(Exception):
    def __init__(self, message_en: str, message_vi: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_vi = message_vi


def rule_of(text: str) -> str | None:
    """The rule a cell names ("ratio", "tỷ lệ", "bậc", "có/không" …), None when it names none."""
    folded = fold(text.replace("/", " ").replace("_", " "))
    return _RULE_NAMES.get(folded) or _RULE_NAMES.get(folded.replace(" ", "_"))


def _number(text: str, what_en: str, what_vi: str) -> float:
    try:
        return parse_number(text.strip())
    except NumberFormatError as exc:
        raise RuleError(
            f"{what_en} {text.strip()!r} is not a number", f"{what_vi} {text.strip()!r} không phải là số"
        ) from exc


def _condition(text: str) -> tuple[str, float]:
    cleaned = text.strip()
    for symbol, plain in _SYMBOLS.items():
        cleaned = cleaned.replace(symbol, plain)
    match = _CONDITION.match(cleaned)
    if not match or not match.group(2).strip():
        raise RuleError(
            f"cannot read the condition {text.strip()!r}", f"Không đọc được điều kiện {text.strip()!r}"
        )
    return match.group(1) or ">=", _number(match.group(2), "threshold", "Ngưỡng")


def parse_terms(rule: str, text: str, *, max_points: float, percent: bool) -> dict:
    """The thresholds cell of a component, read for its rule; RuleError says what is wrong."""
    text = (text or "").strip()
    if rule == RATIO:
        if not text:
            if not percent:
                raise RuleError(
                    "a ratio of a figure that is not a percentage needs the figure that earns the "
                    "maximum in thresholds (e.g. 10)",
                    "Chấm theo tỷ lệ một số liệu không phải tỷ lệ phần trăm thì cần ghi ở cột ngưỡng "
                    "mức đạt điểm tối đa (ví dụ 10)",
                )
            return {"full_at": 100.0}
        full_at = _number(text.removesuffix("%"), "full points at", "Mức đạt điểm tối đa")
        if full_at <= 0:
            raise RuleError("full points must be earned above 0", "Mức đạt điểm tối đa phải lớn hơn 0")
        return {"full_at": full_at}
    if rule == YES_NO:
        if not text:
            return {"steps": [[">", 0.0, max_points]]}
        op, bound = _condition(text)
        return {"steps": [[op, bound, max_points]]}
    if rule != STEPS:
        raise RuleError(f"unknown rule {rule!r}", f"Không có cách chấm {rule!r}")
    if not text:
        raise RuleError(
            "step thresholds are needed, e.g. ≥4: 20; ≥3: 15; ≥2: 10",
            "Cần ghi các bậc, ví dụ ≥4: 20; ≥3: 15; ≥2: 10",
        )
    steps = []
    for part in (p for p in re.split(r"[;\n]", text) if p.strip()):
        condition, separator, points_text = part.replace("→", ":").replace("->", ":").rpartition(":")
        if not separator:
            raise RuleError(
                f"step {part.strip()!r} needs a threshold and its points, e.g. ≥4: 20",
                f"Bậc {part.strip()!r} cần ghi ngưỡng và số điểm, ví dụ ≥4: 20",
            )
        op, bound = _condition(condition)
        points = _number(points_text, "points", "Số điểm")
        if points < 0 or points > max_points + 1e-9:
            raise RuleError(
                f"step {part.strip()!r} gives {points:g} points, outside 0 to the maximum {max_points:g}",
                f"Bậc {part.strip()!r} cho {points:g} điểm, ngoài khoảng 0 đến điểm tối đa {max_points:g}",
            )
        steps.append([op, bound, points])
    return {"steps": steps}


def points_for(*, rule: str, terms: dict, measured: float, max_points: float) -> float:
    """The points a measured figure earns under a component's rule."""
    if rule == RATIO:
        share = measured / terms["full_at"]
        return max_points * min(1.0, max(0.0, share))
    for op, bound, points in terms["steps"]:
        if COMPARE[op](measured, bound):
            return float(points)
    return 0.0


def describe(*, rule: str, terms: dict, language: str = "vi") -> str:
    """The rule as a person reads it: "a/b × max (full at 80%)", "≥4: 20; ≥3: 15"."""
    english = language.startswith("en")
    if rule == RATIO:
        full_at = terms.get("full_at", 100.0)
        if full_at == 100.0:
            return "a/b × max points" if english else "a/b × điểm tối đa"
        return (
            f"a/b × max points, full at {full_at:g}"
            if english
            else f"a/b × điểm tối đa, đạt tối đa từ {full_at:g}"
        )
    pretty = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}
    parts = [f"{pretty[op]}{bound:g}: {points:g}" for op, bound, points in terms.get("steps", [])]
    if rule == YES_NO:
        op, bound, _points = terms["steps"][0]
        return f"yes if {pretty[op]}{bound:g}" if english else f"có nếu {pretty[op]}{bound:g}"
    return "; ".join(parts)
