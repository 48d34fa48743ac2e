"""E-mails about reports: to the approvers when one waits for them, to the unit's officers when
theirs is returned, approved or unlocked, and reminders of deadlines.

Each e-mail is a background job queued in the transaction of the decision (`queue_notice`):
the worker sends it once the decision is committed, through Django's mail backend (the console
in the demo). A mail server that is down fails the job with the reason, and it can be retried
from the jobs page; the decision stands either way and the inbox shows the same thing.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse

from dxmonitor.accounts.models import Role, RoleAssignment
from dxmonitor.common.errors import DomainError
from dxmonitor.geo.models import Unit

from .models import Report

log = logging.getLogger(__name__)

ACTIONS = {
    "submit": ("Báo cáo chờ phê duyệt", "A report waits for your approval"),
    "approve": ("Báo cáo đã được phê duyệt", "A report was approved"),
    "return": ("Báo cáo bị trả lại", "A report was returned"),
    "unlock": ("Báo cáo đã được mở khóa", "A report was unlocked"),
}


def report_link(report: Report) -> str:
    path = reverse("web:entry_form", args=[report.dataset.code, report.unit_id, report.period])
    return f"{settings.DXM_BASE_URL}{path}"


def _ancestors(unit: Unit) -> list[int]:
    return [int(part) for part in unit.path.split("/") if part]


def _addresses(*, unit: Unit, roles: list[str]) -> list[str]:
    """E-mail addresses of the active users holding one of the roles on the unit or above it."""
    users = get_user_model().objects.filter(
        is_active=True,
        pk__in=RoleAssignment.objects.filter(unit_id__in=_ancestors(unit), role__in=roles).values("user_id"),
    )
    return sorted({u.email for u in users if u.email})


def _send(*, subject: str, body: str, to: list[str]) -> int:
    if not to:
        return 0
    try:
        return send_mail(subject, body, None, to, fail_silently=False)
    except OSError as exc:
        log.exception("could not send the e-mail %r to %s", subject, to)
        raise DomainError(
            f"could not send the e-mail to {', '.join(to)}: {exc}",
            f"Không gửi được thư điện tử tới {', '.join(to)}: {exc}",
        ) from exc


def queue_notice(*, report: Report, action: str) -> None:
    """Queue the e-mails about a step of a report, in the caller's transaction. The report's state
    and reason at this step travel with the job: the worker may run after a later step."""
    from dxmonitor.jobs.actions import enqueue

    enqueue(
        kind="mail.report",
        arguments={
            "report": report.pk,
            "action": action,
            "status": report.status,
            "approvals": report.approvals,
            "reason": report.reason,
        },
    )


def _describe(report: Report) -> tuple[str, str]:
    from dxmonitor.collection.periods import parse_period

    period = parse_period(report.period)
    return (
        f"{report.dataset.name_vi}, {period.label('vi')}, {report.unit.name}",
        f"{report.dataset.name_en}, {report.period}, {report.unit.name}",
    )


def submitted(*, report: Report) -> int:
    """Tell the approvers of the first level that a report waits for them."""
    return _to_approvers(report=report)


def _to_approvers(*, report: Report) -> int:
    from .approval import approving_unit

    unit = approving_unit(report, report.approvals)
    if unit is None:
        return 0
    vi, en = _describe(report)
    subject_vi, subject_en = ACTIONS["submit"]
    body = f"{vi}\nđang chờ anh/chị phê duyệt: {report_link(report)}\n\n{en}\nwaits for your approval.\n"
    return _send(
        subject=f"[dxmonitor] {subject_vi} / {subject_en}: {report.unit.name}",
        body=body,
        to=_addresses(unit=unit, roles=[Role.APPROVER, Role.ADMIN]),
    )


def decided(*, report: Report, action: str) -> int:
    """Tell the unit's officers (and the submitter) what became of their report; when an
    approval passes it up a level, tell that level's approvers too."""
    sent = 0
    if action == "approve" and report.status == "approved":
        sent += _to_approvers(report=report)
    vi, en = _describe(report)
    subject_vi, subject_en = ACTIONS[action]
    reason = (
        f"\nLý do / Reason: {report.reason}\n" if action in ("return", "unlock") and report.reason else ""
    )
    body = f"{vi}: {subject_vi.lower()}.\n{en}: {subject_en.lower()}.\n{reason}\n{report_link(report)}\n"
    to = set(_addresses(unit=report.unit, roles=[Role.DATA_ENTRY]))
    if report.submitted_by is not None and report.submitted_by.email:
        to.add(report.submitted_by.email)
    return sent + _send(
        subject=f"[dxmonitor] {subject_vi} / {subject_en}: {report.unit.name}",
        body=body,
        to=sorted(to),
    )


def remind(*, unit: Unit, lines_vi: list[str], lines_en: list[str]) -> int:
    """One e-mail per unit listing its reports due soon."""
    body = "Sắp đến hạn nộp báo cáo:\n" + "\n".join(f"- {line}" for line in lines_vi)
    body += "\n\nReports due soon:\n" + "\n".join(f"- {line}" for line in lines_en) + "\n"
    return _send(
        subject=f"[dxmonitor] Sắp đến hạn nộp báo cáo / Reports due soon: {unit.name}",
        body=body,
        to=_addresses(unit=unit, roles=[Role.DATA_ENTRY]),
    )


def send_reminders(*, today, days: int, dry_run: bool = False) -> tuple[int, int]:
    """E-mail each commune whose reports are due within `days` days (or late while the period is
    open) the list of them. Returns (communes with reports due, e-mails sent)."""
    from dxmonitor.geo.queries import filter_units

    from .inbox import due_among

    communes = filter_units(level="commune", as_of=today)
    due = due_among(communes, today=today, days=days, limit=100_000)
    by_unit: dict[int, list] = {}
    for item in due:
        by_unit.setdefault(item.unit.pk, []).append(item)
    sent = 0
    for items in by_unit.values():
        unit = items[0].unit
        lines_vi = [
            f"{i.dataset.name_vi}, {i.period.label('vi')}: hạn {i.due_on:%d/%m/%Y}"
            + (f" (đã trễ {-i.days_left} ngày)" if i.days_left < 0 else "")
            for i in items
        ]
        lines_en = [
            f"{i.dataset.name_en}, {i.period.code}: due {i.due_on:%d/%m/%Y}"
            + (f" ({-i.days_left} days late)" if i.days_left < 0 else "")
            for i in items
        ]
        if not dry_run:
            sent += remind(unit=unit, lines_vi=lines_vi, lines_en=lines_en)
    return len(by_unit), sent
