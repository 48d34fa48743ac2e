"""Every change a report goes through: figures entered into its cells, and its submission.

Each function owns its transaction (values are written by `collection.actions`, one value
per transaction, so one bad cell never undoes the others).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dxmonitor.accounts.permissions import ENTER, can
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import DELETED, Provenance, delete_value, record_value, snapshot
from dxmonitor.collection.datasets import CLOSED, NOT_OPEN, check_open, window
from dxmonitor.collection.models import DataSet, SourceType, Value, ValueChange, ValueKind
from dxmonitor.collection.periods import Period, parse_period
from dxmonitor.common.errors import DomainError, Forbidden, InvalidInput, Problem
from dxmonitor.common.numbers import NumberFormatError, parse_number
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from . import notify
from .models import Report, ReportEvent, ReportStatus
from .queries import (
    check_reporting_unit,
    completeness,
    entry_units,
    is_error,
    is_ratio,
    report_of,
    rule_violations,
    value_text,
    violation_text,
)

UNTOUCHED = "untouched"
FORM = Provenance(source_type=SourceType.FORM)


class Locked(DomainError):
    """The report or its period no longer takes this change."""

    status = 409


def _who(user: AnyUser | None) -> str:
    if user is None:
        return "hệ thống"
    return user.get_full_name() or user.get_username()


def _when(moment: datetime.datetime, language: str) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return (
        local.strftime("%H:%M %d/%m/%Y") if language.startswith("vi") else local.strftime("%H:%M on %d/%m/%Y")
    )


# ---------------------------------------------------------------------------------------------
# Entering one cell


@dataclass
class Conflict:
    """Someone else changed the value after the form showed it: who, when, from what to what."""

    by: str
    at: datetime.datetime
    seen: dict | None
    theirs: dict | None
    measure_unit: str

    def message(self, language: str, *, mine: dict | None, outcome: str) -> str:
        old = value_text(self.seen, self.measure_unit, language)
        new = value_text(self.theirs, self.measure_unit, language)
        yours = value_text(mine, self.measure_unit, language)
        when = _when(self.at, language)
        if language.startswith("en"):
            head = f"{self.by} just changed this value from {old} to {new} at {when}"
            if outcome == UNTOUCHED:
                return f"{head}; the cell now shows their value."
            if yours == new:
                return f"{head}; your value is the same."
            return f"{head}; your value ({yours}) has been saved."
        head = f"Giá trị vừa được {self.by} sửa từ {old} thành {new} lúc {when}"
        if outcome == UNTOUCHED:
            return f"{head}; ô này nay hiển thị giá trị đó."
        if yours == new:
            return f"{head}; giá trị của bạn trùng với giá trị đó."
        return f"{head}; giá trị của bạn ({yours}) đã được lưu."


@dataclass
class Entry:
    """What saving a cell did: created, updated, unchanged, restored, deleted or untouched."""

    outcome: str
    value: Value | None
    conflict: Conflict | None = None

    def notice(self, language: str) -> str:
        if self.conflict is None:
            return ""
        mine = snapshot(self.value) if self.value is not None else None
        return self.conflict.message(language, mine=mine, outcome=self.outcome)


_PART_LABELS = {
    "value": ("value", "Giá trị"),
    "numerator": ("numerator", "Tử số"),
    "denominator": ("denominator", "Mẫu số"),
}


def _parse(raw: str, part: str, problems: list[Problem]) -> float | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return parse_number(text)
    except NumberFormatError:
        en, vi = _PART_LABELS[part]
        problems.append(
            Problem(
                part,
                f"{en}: “{text[:40]}” is not a number (write 1.234,5 or 24,3%)",
                f"{vi}: “{text[:40]}” không phải là số (viết như 1.234,5 hoặc 24,3%)",
            )
        )
        return None


def _content_at(value: Value | None, version: int) -> dict | None:
    """The value as it was at a version (what a form rendered), or None if it had none."""
    if value is None or version <= 0:
        return None
    if version == value.version:
        found = snapshot(value)
    else:
        change = ValueChange.objects.filter(value=value, version=version).first()
        found = change.after if change is not None else None
    if not found or found.get("is_deleted"):
        return None
    return found


def _same(intended: tuple | None, seen: dict | None, ratio_parts: bool) -> bool:
    if intended is None or seen is None:
        return intended is None and seen is None
    number, top, bottom = intended
    if ratio_parts:
        return top == seen.get("numerator") and bottom == seen.get("denominator")
    return number == seen.get("value") and seen.get("numerator") is None and seen.get("denominator") is None


def _conflict(current: Value | None, seen_version: int, user: AnyUser | None) -> Conflict | None:
    if current is None or current.version <= seen_version:
        return None
    changes = ValueChange.objects.filter(value=current, version__gt=seen_version).select_related("changed_by")
    if user is not None:
        changes = changes.exclude(changed_by=user)
    last = changes.order_by("-version").first()
    if last is None:
        return None  # only the user's own later saves (another tab): nothing to warn about
    theirs = snapshot(current)
    return Conflict(
        by=_who(last.changed_by),
        at=last.changed_at,
        seen=_content_at(current, seen_version),
        theirs=None if theirs.get("is_deleted") else theirs,
        measure_unit=current.indicator.measure_unit,
    )


def check_window(dataset: DataSet, period: Period, *, unit: Unit, today: datetime.date | None = None):
    """The period's window for a unit, if it takes figures today (open, late or reopened); else Locked."""
    found = window(dataset, period, unit=unit)
    state = found.state(today or timezone.localdate())
    label = period.label("vi")
    if state == CLOSED:
        raise Locked(
            f"{period.code} of {dataset.code} closed on {found.closes_on:%d/%m/%Y}; "
            "an approver can reopen it",
            f"Kỳ {label} đã khóa sổ ngày {found.closes_on:%d/%m/%Y}; cần người phê duyệt mở lại kỳ báo cáo",
            field="period",
        )
    if state == NOT_OPEN:
        raise Locked(
            f"{period.code} of {dataset.code} opens on {found.opens_on:%d/%m/%Y}",
            f"Kỳ {label} chưa mở; ngày bắt đầu nhập là {found.opens_on:%d/%m/%Y}",
            field="period",
        )
    return found


def _check_report_open(dataset: DataSet, report_unit: Unit, period: Period) -> None:
    report = report_of(dataset, report_unit, period)
    if report is not None and report.is_held:
        done_en, done_vi = (
            ("approved", "phê duyệt") if report.status == ReportStatus.LOCKED else ("submitted", "nộp")
        )
        raise Locked(
            f"the {period.code} report of {report_unit.name} for {dataset.code} has been {done_en}; "
            "its figures can no longer be changed here",
            f"Báo cáo {period.label('vi')} của {report_unit.name} đã được {done_vi}; "
            "không sửa số liệu ở đây được nữa",
            field="report",
        )


def save_entry(
    *,
    dataset: DataSet,
    report_unit: Unit,
    unit: Unit,
    indicator: Indicator,
    period: Period,
    value: str = "",
    numerator: str = "",
    denominator: str = "",
    seen_version: int = 0,
    user: AnyUser,
) -> Entry:
    """Save one cell of a report form as the user typed it (Vietnamese numbers).

    `seen_version` is the version of the value the form showed. A cell whose input equals what
    the form showed is left alone (a stale form never overwrites a newer value); a changed cell
    is saved even if someone changed the value meanwhile, and the result says who did, from
    what to what. An emptied cell deletes the value (softly, in its history).
    """
    if not can(user, ENTER, unit):
        raise Forbidden(
            f"{user.get_username()} may not enter figures for {unit.name}",
            f"Tài khoản {user.get_username()} không được nhập số liệu cho {unit.name}",
            field="unit",
        )
    check_window(dataset, period, unit=report_unit)
    _check_report_open(dataset, report_unit, period)
    problems: list[Problem] = []
    number = _parse(value, "value", problems)
    ratio = is_ratio(indicator)
    top = _parse(numerator, "numerator", problems) if ratio else None
    bottom = _parse(denominator, "denominator", problems) if ratio else None
    typed_top, typed_bottom = bool((numerator or "").strip()), bool((denominator or "").strip())
    if ratio and typed_top != typed_bottom:
        missing = "denominator" if typed_top else "numerator"
        problems.append(
            Problem(
                missing,
                "give both the numerator and the denominator, or only the rate",
                "Cần nhập cả tử số và mẫu số, hoặc chỉ nhập tỷ lệ",
            )
        )
    if problems:
        raise InvalidInput(problems)
    parts = top is not None and bottom is not None
    if parts:
        number = None  # the rate is computed from its parts
    intended = None if number is None and not parts else (number, top, bottom)

    key = {"unit": unit, "indicator": indicator, "period": period.code, "kind": ValueKind.ACTUAL}
    current = Value.objects.filter(**key).select_related("indicator").first()
    conflict = _conflict(current, seen_version, user)
    if _same(intended, _content_at(current, seen_version), parts):
        return Entry(UNTOUCHED, current, conflict)
    if intended is None:
        if current is None or current.is_deleted:
            return Entry(UNTOUCHED, current, conflict)
        check_open(indicator=indicator, unit=unit, period=period)
        deleted = delete_value(value=current, provenance=FORM, user=user, reason="emptied in the entry form")
        return Entry(DELETED, deleted.value, conflict)
    recorded = record_value(
        unit=unit,
        indicator=indicator,
        period=period.code,
        value=number,
        numerator=top,
        denominator=bottom,
        provenance=FORM,
        user=user,
    )
    return Entry(recorded.outcome, recorded.value, conflict)


# ---------------------------------------------------------------------------------------------
# Submitting a report


class ReportIncomplete(DomainError):
    """A report that cannot be submitted yet, with everything that stands in its way."""

    def __init__(self, message_en: str, message_vi: str, problems: list[Problem]) -> None:
        super().__init__(message_en, message_vi, field="report")
        self._problems = problems

    @property
    def problems(self) -> list[Problem]:
        return self._problems


def _listing(items: list[str], limit: int = 12) -> str:
    shown = "; ".join(items[:limit])
    return shown + (f"; … (+{len(items) - limit})" if len(items) > limit else "")


def submit_report(
    *,
    dataset: DataSet,
    unit: Unit,
    period: str | Period,
    user: AnyUser,
    today: datetime.date | None = None,
) -> Report:
    """Submit a commune's report for a period: every required figure present, no rule broken.

    Refused when the period is closed (or not open yet), when required figures are missing
    (all of them are listed), when a declared rule of severity "error" is violated, and when
    the report was already submitted. After the deadline the report is marked late.
    """
    parsed = period if isinstance(period, Period) else parse_period(period)
    if parsed.type != dataset.period_type:
        raise DomainError(
            f"{parsed.code or period!r} is not a period of {dataset.code}",
            f"{parsed.code or period!r} không phải là kỳ báo cáo của {dataset.name_vi}",
            field="period",
        )
    check_reporting_unit(dataset, unit, parsed)
    if not can(user, ENTER, unit):
        raise Forbidden(
            f"{user.get_username()} may not submit reports for {unit.name}",
            f"Tài khoản {user.get_username()} không được nộp báo cáo của {unit.name}",
            field="unit",
        )
    today = today or timezone.localdate()
    label = parsed.label("vi")
    found = check_window(dataset, parsed, unit=unit, today=today)
    counted = completeness(dataset, unit, parsed)
    if dataset.level == "village" and counted.total == 0:
        raise ReportIncomplete(
            f"{unit.name} has no villages to report on",
            f"{unit.name} chưa có thôn, bản nào để báo cáo",
            [Problem("report", "no villages", "Chưa có thôn, bản")],
        )
    if counted.missing:
        grid = dataset.level == "village"
        names_vi = [f"{u.name}: {i.name_vi}" if grid else i.name_vi for u, i in counted.missing]
        names_en = [f"{u.name}: {i.name_en}" if grid else i.name_en for u, i in counted.missing]
        problems = [
            Problem(i.code, f"missing: {en}", f"Còn thiếu: {vi}")
            for (_, i), en, vi in zip(counted.missing, names_en, names_vi, strict=True)
        ]
        raise ReportIncomplete(
            f"{len(problems)} required figures are missing: {_listing(names_en)}",
            f"Chưa nộp được: còn thiếu {len(problems)} chỉ tiêu bắt buộc: {_listing(names_vi)}",
            problems,
        )
    checked = [unit, *entry_units(dataset, unit, parsed)] if dataset.level == "village" else [unit]
    broken = [v for v in rule_violations(checked, parsed.code) if is_error(v)]
    if broken:
        names = {u.pk: u.name for u in checked}
        names_vi = [violation_text(v, report_unit=unit, names=names, language="vi") for v in broken]
        names_en = [violation_text(v, report_unit=unit, names=names, language="en") for v in broken]
        raise ReportIncomplete(
            f"{len(broken)} validation rules are broken: {_listing(names_en)}",
            f"Chưa nộp được: số liệu vi phạm {len(broken)} quy tắc kiểm tra: {_listing(names_vi)}",
            [
                Problem("rules", f"rule broken: {en}", f"Vi phạm: {vi}")
                for en, vi in zip(names_en, names_vi, strict=True)
            ],
        )
    now = timezone.now()
    is_late = today > found.due_on
    with transaction.atomic():
        report, _ = Report.objects.select_for_update().get_or_create(
            dataset=dataset, unit=unit, period=parsed.code
        )
        if report.is_held:
            when = (
                timezone.localtime(report.submitted_at).strftime("%H:%M %d/%m/%Y")
                if report.submitted_at
                else ""
            )
            raise Locked(
                f"the {parsed.code} report of {unit.name} was already submitted ({when})",
                f"Báo cáo {label} của {unit.name} đã được nộp lúc {when} bởi {_who(report.submitted_by)}; "
                "không nộp lại được",
                field="report",
            )
        before = report.status
        report.status = ReportStatus.SUBMITTED
        report.is_late = is_late
        report.submitted_at = now
        report.submitted_by = user
        report.approvals = 0
        report.save()
        ReportEvent.objects.create(
            report=report,
            action="submit",
            from_status=before,
            to_status=ReportStatus.SUBMITTED,
            by=user,
            is_late=is_late,
        )
        notify.queue_notice(report=report, action="submit")
    return report
