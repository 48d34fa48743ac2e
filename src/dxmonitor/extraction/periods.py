"""Whether a figure is a result or a target, and the period it is for.

"Phấn đấu đến năm 2025 …", "mục tiêu …" make targets; "năm 2023", "Quý III/2024", "6 tháng đầu
năm 2024", "tháng 9/2024" are periods; "so với năm 2022" is the base of a comparison, not the
period; a report's title ("Báo cáo kết quả … năm 2023") dates what follows it, and a section
heading "II. PHƯƠNG HƯỚNG NĂM 2024" makes the figures under it targets for that year.
"""

import datetime
import re

from .numbers import Mention
from .reading import Sentence

ACTUAL, TARGET = "actual", "target"
CONTEXT_CHARS = 260

_COMPARED = re.compile(r"\b(?:so với|cùng kỳ|so cùng kỳ)\s*(?:cùng kỳ\s*)?$", re.IGNORECASE)
_TARGET_WORDS = re.compile(
    r"\b(phấn đấu|mục tiêu|chỉ tiêu|dự kiến|kế hoạch đề ra|hướng tới|hướng đến|định hướng|sẽ|cần đạt|"
    r"nhằm đạt|tầm nhìn|đặt ra|phải đạt|tiến tới)\b",
    re.IGNORECASE,
)
# "Chương trình mục tiêu quốc gia", "kết quả thực hiện các mục tiêu": a name or a result, not a plan.
_NOT_TARGET = re.compile(
    r"chương trình mục tiêu|(?:kết quả|đã) thực hiện (?:các |những )?(?:mục tiêu|chỉ tiêu)", re.IGNORECASE
)
_ACTUAL_WORDS = re.compile(r"\b(đã|hiện nay|hiện có|đến nay|tính đến|hiện tại)\b", re.IGNORECASE)
_BY_YEAR = re.compile(r"\b(?:đến|tới|vào|trước|đến hết|trong)\s+năm\s+(\d{4})\b", re.IGNORECASE)
_PERIODS = (
    (re.compile(r"\b(\d{1,2}|sáu|chín)\s+tháng\s+(?:đầu\s+)?năm(?:\s+(\d{4}))?", re.I), "months"),
    (
        re.compile(
            r"\b(?:đến|tính đến|đến hết|tới|trước|ngày)\s+(?:ngày\s+)?\d{1,2}/(\d{1,2})/(\d{4})\b", re.I
        ),
        "month",
    ),
    (re.compile(r"\btháng\s+(\d{1,2})\s*(?:/|năm\s+)(\d{4})\b", re.I), "month"),
    (re.compile(r"\bquý\s+(I{1,3}|IV|[1-4])\s*(?:/|năm\s+)(\d{4})\b", re.I), "quarter"),
    (re.compile(r"\bnăm\s+(\d{4})\b", re.I), "year"),
)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_WORD_MONTHS = {"sáu": 6, "chín": 9}


def kind_of(text: str, sentence: Sentence, clause_start: int, mention: Mention) -> str:
    clause = text[clause_start : mention.start]
    if _TARGET_WORDS.search(_NOT_TARGET.sub(" ", clause)):
        return TARGET
    opening = text[sentence.start : min(mention.start, sentence.start + 40)]
    if _TARGET_WORDS.search(_NOT_TARGET.sub(" ", opening)) and not _ACTUAL_WORDS.search(clause):
        return TARGET  # "Phấn đấu 100% thôn …; tỷ lệ … đạt 80%": the whole sentence is the plan
    return ACTUAL


def period_of(
    text: str, sentence: Sentence, mention: Mention, kind: str, published_on: datetime.date | None
) -> str | None:
    scope_start = max(sentence.start, mention.start - 2 * CONTEXT_CHARS)
    scope = text[scope_start : min(sentence.end, mention.end + 2 * CONTEXT_CHARS)]
    offset = mention.start - scope_start
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    for pattern, form in _PERIODS:
        for match in pattern.finditer(scope):
            # "6 tháng đầu năm 2024" is a half-year, not the year its last words name.
            if any(s <= match.start() < e for s, e in spans):
                continue
            code = _period_code(match, form, published_on)
            if code and _COMPARED.search(scope[max(0, match.start() - 20) : match.start()]):
                spans.append(match.span())  # "so với năm 2022" is the base of a comparison
                continue
            if code:
                spans.append(match.span())
                found.append((match.start(), code))
    if not found:
        return None
    by_year = _BY_YEAR.search(scope)
    if kind == TARGET and by_year:
        return by_year.group(1)
    # "60% năm 2023": a period right after the figure is its own.
    right_after = [f for f in found if 0 <= f[0] - (offset + mention.end - mention.start) <= 3]
    before = [f for f in found if f[0] < offset]
    if right_after:
        chosen = right_after[0]
    else:
        chosen = before[-1] if before else min(found, key=lambda f: abs(f[0] - offset))
    return chosen[1]


def title_period(
    text: str, sentences: list[Sentence], first_figure: int, published_on: datetime.date | None
) -> tuple[int, str | None]:
    """The period the title or the lines before the first figure name ("Báo cáo kết quả … năm 2023"),
    and where those lines end."""
    for sentence in sentences:
        if sentence.paragraph > 3 or sentence.end > first_figure:
            break
        line = text[sentence.start : min(sentence.end, sentence.start + 300)]
        for pattern, form in _PERIODS:
            match = pattern.search(line)
            if match and not _COMPARED.search(line[: match.start()]):
                return sentence.end, _period_code(match, form, published_on)
    return 0, None


_HEADING = re.compile(r"^\s*(?:[IVX]+[.)]|[A-ZĐ][.)]|\d+(?:\.\d+)*[.)])\s+\S")
_PLAN_HEADING = re.compile(r"phương hướng|nhiệm vụ|kế hoạch|mục tiêu|chỉ tiêu|dự kiến", re.IGNORECASE)


def headings(text: str, sentences: list[Sentence]) -> list[tuple[int, bool, str | None]]:
    """Section headings of a report: (where, whether it opens a plan, the year it names)."""
    paragraphs: dict[int, list[int]] = {}
    for sentence in sentences:
        bounds = paragraphs.setdefault(sentence.paragraph, [sentence.start, sentence.end])
        bounds[1] = sentence.end
    found = []
    for start, end in paragraphs.values():
        line = text[start:end]
        if len(line) > 120:
            continue
        letters = [ch for ch in line if ch.isalpha()]
        shouting = bool(letters) and sum(ch.isupper() for ch in letters) > 0.8 * len(letters)
        if not shouting and not _HEADING.match(line):
            continue
        year = re.search(r"\bnăm\s+(\d{4})\b", line, re.IGNORECASE)
        # Only a report's own section opens a plan: a headline in capitals that says "mục tiêu" does not.
        numbered = bool(_HEADING.match(line)) or bool(_PLAN_HEADING.match(line.strip()))
        plan = shouting and numbered and bool(_PLAN_HEADING.search(line))
        found.append((start, plan, year.group(1) if year else None))
    return found


def _period_code(match: re.Match, form: str, published_on: datetime.date | None) -> str | None:
    if form == "year":
        year = int(match.group(1))
        return str(year) if 1990 <= year <= 2100 else None
    if form == "month":
        month, year = int(match.group(1)), int(match.group(2))
        return f"{year}{month:02d}" if 1 <= month <= 12 and 1990 <= year <= 2100 else None
    if form == "quarter":
        raw = match.group(1).upper()
        quarter = _ROMAN.get(raw) or int(raw)
        return f"{match.group(2)}Q{quarter}"
    months_raw = match.group(1).lower()
    months = _WORD_MONTHS.get(months_raw) or int(months_raw)
    year = int(match.group(2)) if match.group(2) else (published_on.year if published_on else None)
    if year is None or not 1 <= months <= 12:
        return None
    return f"{year}{months:02d}"
