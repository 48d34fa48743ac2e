"""Deciding on submitted reports: approve (at each of the data set's levels), return with a
reason, unlock an approved report. Every transition is recorded and each function owns its
transaction; an illegal transition is refused with a message that says why.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dxmonitor.accounts.permissions import APPROVE, grants
from dxmonitor.analytics.actions import request_refresh
from dxmonitor.common.errors import DomainError, Forbidden
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Level, Unit

from . import notify
from .actions import Locked
from .models import Report, ReportEvent, ReportStatus

LEVEL_WORDS = {
    Level.PROVINCE: ("province", "tỉnh"),
    Level.DISTRICT: ("district", "huyện"),
    Level.COMMUNE: ("commune", "xã"),
}
STATUS_WORDS = {
    ReportStatus.DRAFT: ("not submitted", "chưa nộp"),
    ReportStatus.SUBMITTED: ("submitted", "đã nộp, chờ duyệt"),
    ReportStatus.RETURNED: ("returned", "đã trả lại"),
    ReportStatus.APPROVED: ("approved at a lower level", "đã duyệt ở cấp dưới"),
    ReportStatus.LOCKED: ("approved and locked", "đã duyệt và khóa số liệu"),
}


def _label(report: Report) -> tuple[str, str]:
    from dxmonitor.collection.periods import parse_period

    period = parse_period(report.period)
    return (
        f"the {report.period} report of {report.unit.name} ({report.dataset.code})",
        f"Báo cáo {period.label('vi')} của {report.unit.name} ({report.dataset.name_vi})",
    )


def approving_unit(report: Report, step: int) -> Unit | None:
    """The unit whose approvers decide at `step` (0 = the first level): the report's unit or its
    ancestor at that level. None when the data set has no such level above this unit."""
    levels = report.dataset.levels
    if step >= len(levels):
        return None
    ids = [int(part) for part in report.unit.path.split("/") if part]
    for unit in Unit.objects.filter(pk__in=ids):
        if unit.level == levels[step]:
            return unit
    return None


def approves_at(user: AnyUser | None, unit: Unit) -> bool:
    """Whether the user approves for exactly this unit: a role held on the unit itself (or over
    the whole country). A province's approver covers its communes' subtrees but does not decide
    in a commune's place at a level that belongs to the commune."""
    mine = grants(user)
    if mine.everything:
        return True
    return any(path in ("", unit.path) for path in mine.paths(APPROVE))


def next_step(report: Report) -> int | None:
    """The level that decides next, or None when nobody does (draft, returned, locked)."""
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        return report.approvals
    return None


def may_decide(user: AnyUser | None, report: Report) -> bool:
    """Whether the user approves at the level the report waits for."""
    step = next_step(report)
    if step is None:
        return False
    unit = approving_unit(report, step)
    return unit is not None and approves_at(user, unit)


def _check_decider(user: AnyUser, report: Report, verb_en: str, verb_vi: str) -> Unit:
    """The approving unit the user decides for, or the refusal that explains why not."""
    step = report.approvals if report.status != ReportStatus.LOCKED else len(report.dataset.levels) - 1
    unit = approving_unit(report, step)
    if unit is None:
        level = report.dataset.levels[min(step, len(report.dataset.levels) - 1)]
        en, vi = LEVEL_WORDS.get(level, (level, level))
        raise DomainError(
            f"{report.unit.name} has no {en} above it to {verb_en} its report",
            f"{report.unit.name} không thuộc {vi} nào để {verb_vi} báo cáo",
            field="report",
        )
    if not approves_at(user, unit):
        raise Forbidden(
            f"{user.get_username()} may not {verb_en} reports of {report.unit.name}: "
            f"that is for the approvers of {unit.name}",
            f"Tài khoản {user.get_username()} không được {verb_vi} báo cáo của {report.unit.name}; "
            f"việc này thuộc người phê duyệt của {unit.name}",
            field="unit",
        )
    return unit


def _refuse_state(report: Report, verb_en: str, verb_vi: str) -> None:
    en, vi = _label(report)
    state_en, state_vi = STATUS_WORDS[ReportStatus(report.status)]
    if report.status == ReportStatus.LOCKED:
        when = timezone.localtime(report.decided_at).strftime("%H:%M %d/%m/%Y") if report.decided_at else ""
        raise Locked(
            f"{en} is already approved ({when}); it cannot be {verb_en} again",
            f"{vi} đã được phê duyệt lúc {when}; không {verb_vi} lại được",
            field="report",
        )
    raise Locked(
        f"{en} is {state_en}; it cannot be {verb_en}",
        f"{vi} đang ở trạng thái “{state_vi}”; không {verb_vi} được",
        field="report",
    )


def _locked_row(report: Report) -> Report:
    return (
        # Only the report's own row: PostgreSQL cannot lock the nullable side of an outer join.
        Report.objects.select_for_update(of=("self",))
        .select_related("dataset", "unit", "submitted_by")
        .get(pk=report.pk)
    )


def _record(report: Report, *, action: str, before: str, user: AnyUser, reason: str = "") -> None:
    ReportEvent.objects.create(
        report=report, action=action, from_status=before, to_status=report.status, by=user, reason=reason
    )


def publish(report: Report, *, published: bool) -> int:
    """Open (or withdraw) the report's figures to the public portal: its unit's, or its villages'
    for a village-level data set. Locked figures cannot change, so the flag stays true to them."""
    from dxmonitor.collection.models import Value, ValueKind
    from dxmonitor.collection.periods import parse_period

    from .queries import entry_units

    units = [report.unit, *entry_units(report.dataset, report.unit, parse_period(report.period))]
    return Value.objects.filter(
        unit__in=units,
        indicator__in=report.dataset.members.values("indicator_id"),
        period=report.period,
        kind=ValueKind.ACTUAL,
    ).update(is_published=published)


def _signature_check(report: Report) -> None:
    if not report.dataset.requires_signed_report:
        return
    from dxmonitor.reports.queries import has_signed_report

    if not has_signed_report(unit=report.unit, period=report.period):
        en, vi = _label(report)
        raise DomainError(
            f"{en} needs a digitally signed official report of the period before its final approval",
            f"{vi} cần có báo cáo chính thức đã ký số của kỳ này trước khi phê duyệt cấp cuối",
            field="signature",
        )


def approve_report(*, report: Report, user: AnyUser, note: str = "") -> Report:
    """Approve at the level the report waits for; the last level locks its figures."""
    with transaction.atomic():
        report = _locked_row(report)
        if report.status not in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            _refuse_state(report, "approved", "phê duyệt")
        _check_decider(user, report, "approve", "phê duyệt")
        last = report.approvals + 1 >= len(report.dataset.levels)
        if last:
            _signature_check(report)
        before = report.status
        report.approvals += 1
        report.status = ReportStatus.LOCKED if last else ReportStatus.APPROVED
        report.decided_at, report.decided_by = timezone.now(), user
        report.save()
        if last:
            publish(report, published=True)
        _record(report, action="approve", before=before, user=user, reason=note.strip())
        notify.queue_notice(report=report, action="approve")
        request_refresh()
    return report


def return_report(*, report: Report, user: AnyUser, reason: str) -> Report:
    """Send a submitted (or partly approved) report back to its unit with the reason; its
    figures can be changed again and it must be submitted anew."""
    if not reason.strip():
        raise DomainError("say why the report is returned", "Cần ghi lý do trả lại báo cáo", field="reason")
    with transaction.atomic():
        report = _locked_row(report)
        if report.status not in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            _refuse_state(report, "returned", "trả lại")
        _check_decider(user, report, "return", "trả lại")
        return _send_back(report, user=user, reason=reason, action="return")


def unlock_report(*, report: Report, user: AnyUser, reason: str) -> Report:
    """Reopen an approved and locked report for correction, with the reason: it goes back to
    its unit as returned."""
    if not reason.strip():
        raise DomainError("say why the report is unlocked", "Cần ghi lý do mở khóa báo cáo", field="reason")
    with transaction.atomic():
        report = _locked_row(report)
        if report.status != ReportStatus.LOCKED:
            en, vi = _label(report)
            raise Locked(
                f"{en} is not approved and locked; there is nothing to unlock",
                f"{vi} chưa được phê duyệt và khóa; không có gì để mở khóa",
                field="report",
            )
        _check_decider(user, report, "unlock", "mở khóa")
        return _send_back(report, user=user, reason=reason, action="unlock")


# A returned report whose period has closed gets this many days to be corrected and resubmitted.
REOPEN_DAYS = 14


def _send_back(report: Report, *, user: AnyUser, reason: str, action: str) -> Report:
    from dxmonitor.collection.datasets import reopen_period, window
    from dxmonitor.collection.periods import parse_period

    today = timezone.localdate()
    found = window(report.dataset, parse_period(report.period), unit=report.unit)
    last_open = max(found.closes_on, found.reopened_until or found.closes_on)
    if last_open < today + datetime.timedelta(days=REOPEN_DAYS):
        reopen_period(
            dataset=report.dataset,
            period=report.period,
            unit=report.unit,
            until=today + datetime.timedelta(days=REOPEN_DAYS),
            by=user,
            reason=reason,
        )
    before = report.status
    if before == ReportStatus.LOCKED:
        publish(report, published=False)
    report.status = ReportStatus.RETURNED
    report.approvals = 0
    report.reason = reason.strip()[:2000]
    report.decided_at, report.decided_by = timezone.now(), user
    report.save()
    _record(report, action=action, before=before, user=user, reason=report.reason)
    notify.queue_notice(report=report, action=action)
    request_refresh()
    return report


@dataclass(frozen=True)
class Outcome:
    report: Report
    error: DomainError | None


def approve_reports(*, reports: list[Report], user: AnyUser, note: str = "") -> list[Outcome]:
    """Approve many reports; each is decided on its own, so one refusal stops none of the others."""
    outcomes = []
    for report in reports:
        try:
            outcomes.append(Outcome(approve_report(report=report, user=user, note=note), None))
        except DomainError as exc:
            outcomes.append(Outcome(report, exc))
    return outcomes


def decision(user: AnyUser | None, report: Report | None) -> dict:
    """What a report's page offers the user: approve or return (when it waits for their level),
    unlock (when it is locked and they approve at its last level), and its history."""
    if report is None:
        return {"may_decide": False, "may_unlock": False, "waiting_for": None, "history": []}
    step = next_step(report)
    waiting_for = approving_unit(report, step) if step is not None else None
    top = approving_unit(report, len(report.dataset.levels) - 1)
    return {
        "may_decide": waiting_for is not None and approves_at(user, waiting_for),
        "may_unlock": report.status == ReportStatus.LOCKED and top is not None and approves_at(user, top),
        "waiting_for": waiting_for,
        "history": list(report.events.select_related("by")),
    }
