"""Background work of reports: the e-mails of each step, and the deadline reminders."""

import datetime

from django.utils import timezone

from dxmonitor.jobs.registry import Context, background

from . import notify
from .models import Report


@background("mail.report", title_en="E-mails about a report", title_vi="Thư báo về báo cáo", priority=10)
def mail_report(context: Context) -> dict:
    arguments = context.arguments
    report = (
        Report.objects.select_related("dataset", "unit", "submitted_by")
        .filter(pk=arguments["report"])
        .first()
    )
    if report is None:
        return {"sent": 0, "note": "the report is gone"}
    # As it was at the step the e-mails tell of.
    report.status = arguments.get("status", report.status)
    report.approvals = arguments.get("approvals", report.approvals)
    report.reason = arguments.get("reason", report.reason)
    action = arguments["action"]
    sent = (
        notify.submitted(report=report)
        if action == "submit"
        else notify.decided(report=report, action=action)
    )
    return {"sent": sent}


@background("reports.remind", title_en="Deadline reminders", title_vi="Nhắc hạn nộp báo cáo", priority=5)
def remind(context: Context) -> dict:
    slot = context.arguments.get("slot")
    today = timezone.localdate(datetime.datetime.fromisoformat(slot)) if slot else timezone.localdate()
    communes, sent = notify.send_reminders(today=today, days=int(context.arguments.get("days", 7)))
    return {"communes": communes, "sent": sent}
