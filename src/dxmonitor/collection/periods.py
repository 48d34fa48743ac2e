"""Reporting periods as officials write them: a year (2024), a quarter (2024Q3), a month (202409).

The canonical codes are what the database, the API and imports use; the labels are what
pages show ("Quý III/2024" in Vietnamese, "Q3 2024" in English).
"""

import calendar
import datetime
import functools
import re
from dataclasses import dataclass

from dxmonitor.common.errors import DomainError

YEAR, QUARTER, MONTH, UNDATED = "Y", "Q", "M", ""
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_EN_MONTHS = [calendar.month_name[m] for m in range(13)]
_FORMS = [
    (re.compile(r"^(\d{4})$"), YEAR),
    (re.compile(r"^(\d{4})-?Q([1-4])$", re.I), QUARTER),
    (re.compile(r"^Q([1-4])[/ -](\d{4})$", re.I), "Q-rev"),
    (re.compile(r"^(\d{4})-?(\d{2})$"), MONTH),
    (re.compile(r"^(\d{1,2})/(\d{4})$"), "M-rev"),
]
MIN_YEAR, MAX_YEAR = 1945, 2100


class PeriodError(DomainError):
    pass


@dataclass(frozen=True)
class Period:
    code: str
    type: str
    start: datetime.date | None
    end: datetime.date | None

    @property
    def year(self) -> int | None:
        return self.start.year if self.start else None

    def label(self, language: str = "vi") -> str:
        english = language.startswith("en")
        if self.type == UNDATED:
            return "undated" if english else "Không rõ thời điểm"
        assert self.start is not None
        if self.type == YEAR:
            return str(self.start.year) if english else f"Năm {self.start.year}"
        if self.type == QUARTER:
            quarter = (self.start.month - 1) // 3 + 1
            return f"Q{quarter} {self.start.year}" if english else f"Quý {_ROMAN[quarter]}/{self.start.year}"
        return (
            f"{_EN_MONTHS[self.start.month]} {self.start.year}"
            if english
            else f"Tháng {self.start.month}/{self.start.year}"
        )

    def contains(self, day: datetime.date) -> bool:
        return bool(self.start and self.end and self.start <= day <= self.end)


UNDATED_PERIOD = Period("", UNDATED, None, None)


def parse_period(text: str | int | None) -> Period:
    """Parse "2024", "2024Q3" (or "Q3/2024"), "202409" (or "2024-09", "9/2024"); "" is undated."""
    return _parse(str(text if text is not None else "").strip())


@functools.lru_cache(maxsize=4096)
def _parse(raw: str) -> Period:
    # Imports repeat the same few periods a million times: parse each once.
    if not raw:
        return UNDATED_PERIOD
    for pattern, form in _FORMS:
        match = pattern.match(raw)
        if not match:
            continue
        if form == YEAR:
            return _year(int(match.group(1)), raw)
        if form in (QUARTER, "Q-rev"):
            year, quarter = (
                (match.group(1), match.group(2)) if form == QUARTER else (match.group(2), match.group(1))
            )
            return _quarter(int(year), int(quarter), raw)
        year, month = (match.group(1), match.group(2)) if form == MONTH else (match.group(2), match.group(1))
        return _month(int(year), int(month), raw)
    raise PeriodError(
        f"unknown period {raw!r}: use a year (2024), a quarter (2024Q3) or a month (202409)",
        f"Kỳ báo cáo {raw!r} không hợp lệ: dùng năm (2024), quý (2024Q3) hoặc tháng (202409)",
        field="period",
    )


def _check_year(year: int, raw: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            f"period {raw!r} has a year outside {MIN_YEAR}-{MAX_YEAR}",
            f"Kỳ báo cáo {raw!r} có năm ngoài khoảng {MIN_YEAR}-{MAX_YEAR}",
            field="period",
        )


def _year(year: int, raw: str) -> Period:
    _check_year(year, raw)
    return Period(f"{year}", YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def _quarter(year: int, quarter: int, raw: str) -> Period:
    _check_year(year, raw)
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    end = datetime.date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Period(f"{year}Q{quarter}", QUARTER, datetime.date(year, first_month, 1), end)


def _month(year: int, month: int, raw: str) -> Period:
    _check_year(year, raw)
    if not 1 <= month <= 12:
        raise PeriodError(
            f"period {raw!r} has no month {month}",
            f"Kỳ báo cáo {raw!r} có tháng {month} không hợp lệ",
            field="period",
        )
    end = datetime.date(year, month, calendar.monthrange(year, month)[1])
    return Period(f"{year}{month:02d}", MONTH, datetime.date(year, month, 1), end)


def period_label(code: str, language: str = "vi") -> str:
    return parse_period(code).label(language)
