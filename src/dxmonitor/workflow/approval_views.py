"""Pages for deciding on reports: the inbox, and approve / return / unlock on a report's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxmonitor.common.errors import DomainError
from dxmonitor.common.language import current_language

from . import approval
from .inbox import deciding_units, inbox
from .models import Report
from .views import _form, form_url


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    found = inbox(request.user, today=timezone.localdate())
    deciding = deciding_units(found.waiting)
    return render(
        request,
        "workflow/inbox.html",
        {
            "inbox": found,
            "waiting": [(r, deciding[r.pk]) for r in found.waiting],
            "api_url": reverse("api:inbox"),
        },
    )


@require_POST
@login_required
def inbox_approve(request: HttpRequest) -> HttpResponse:
    """Approve the reports ticked in the inbox; each one is decided on its own."""
    ids = [int(pk) for pk in request.POST.getlist("report") if pk.isdigit()][:500]
    if not ids:
        messages.error(request, _("Tick the reports to approve."))
        return redirect("web:inbox")
    reports = list(Report.objects.filter(pk__in=ids).select_related("dataset", "unit"))
    outcomes = approval.approve_reports(
        reports=reports, user=request.user, note=request.POST.get("note", "")[:2000]
    )
    done = [o for o in outcomes if o.error is None]
    if done:
        messages.success(request, _("%(count)d reports approved.") % {"count": len(done)})
    for outcome in outcomes:
        if outcome.error is not None:
            messages.error(
                request, f"{outcome.report.unit.name}: {outcome.error.message(current_language())}"
            )
    return redirect("web:inbox")


def _decide(request: HttpRequest, code: str, unit_id: int, period: str, decide, done: str) -> HttpResponse:
    form = _form(request, code, unit_id, period)
    if form.report is None:
        messages.error(request, _("This report has not been submitted."))
        return redirect(form_url(form))
    try:
        decide(report=form.report, user=request.user, text=request.POST.get("reason", "")[:2000])
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect(form_url(form))
    messages.success(request, done)
    return redirect(form_url(form))


@require_POST
@login_required
def report_approve(request: HttpRequest, code: str, unit_id: int, period: str) -> HttpResponse:
    return _decide(
        request,
        code,
        unit_id,
        period,
        lambda report, user, text: approval.approve_report(report=report, user=user, note=text),
        _("Report approved."),
    )


@require_POST
@login_required
def report_return(request: HttpRequest, code: str, unit_id: int, period: str) -> HttpResponse:
    return _decide(
        request,
        code,
        unit_id,
        period,
        lambda report, user, text: approval.return_report(report=report, user=user, reason=text),
        _("Report returned to the commune with your reason."),
    )


@require_POST
@login_required
def report_unlock(request: HttpRequest, code: str, unit_id: int, period: str) -> HttpResponse:
    return _decide(
        request,
        code,
        unit_id,
        period,
        lambda report, user, text: approval.unlock_report(report=report, user=user, reason=text),
        _("Report unlocked: the commune can correct its figures and submit again."),
    )
