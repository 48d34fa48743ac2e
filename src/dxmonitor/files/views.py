"""Pages for Excel and CSV: download a template, upload a file, see its report, apply it; exports.

Views parse the request and call queries and actions; the twins are in `api.py`.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxmonitor.accounts.permissions import ENTER, grants
from dxmonitor.common import exports
from dxmonitor.common.errors import DomainError, NotFound
from dxmonitor.common.language import current_language
from dxmonitor.geo import queries as unit_queries
from dxmonitor.geo.models import Level

from . import actions, queries
from .exports import report_table, units_table
from .sniff import check_size, max_upload_bytes

PROBLEMS_SHOWN = 1000


def _format(request: HttpRequest) -> str:
    wanted = request.GET.get("format", "xlsx")
    if wanted not in exports.FORMATS:
        raise Http404(_("Files are exported as .xlsx or .csv."))
    return wanted


@login_required
def files(request: HttpRequest) -> HttpResponse:
    """Templates to download, the upload form, the user's recent uploads."""
    found = grants(request.user)
    return render(
        request,
        "web/files.html",
        {
            "choices": queries.template_choices(request.user),
            "has_scope": found.everything or bool(found.paths(ENTER)),
            "uploads": actions.uploads_of(request.user)[:20],
            "max_mb": max_upload_bytes() // (1024 * 1024),
            "api_url": reverse("api:openapi-view") + "#/files",
        },
    )


@login_required
def template(request: HttpRequest) -> HttpResponse:
    """The template of ?dataset=&period= (and optionally &unit=) as an .xlsx download."""
    unit = request.GET.get("unit", "")
    try:
        data, name = queries.template_for(
            user=request.user,
            dataset=request.GET.get("dataset", "")[:40],
            period=request.GET.get("period", "")[:16],
            unit_id=int(unit) if unit.isdigit() else None,
        )
    except NotFound as exc:
        raise Http404(exc.message(current_language())) from exc
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("web:files")
    return HttpResponse(
        data,
        content_type=exports.CONTENT_TYPES["xlsx"],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@require_POST
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Check an uploaded file (nothing written), keep it, and show its report."""
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    try:
        if declared > max_upload_bytes() + 1024 * 1024:  # the form's own fields take a little
            check_size(declared)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to upload."))
            return redirect("web:files")
        job = actions.check_upload(data=actions.read_upload(upload), file_name=upload.name, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("web:files")
    return redirect("web:upload", job_id=job.pk)


def _job(request: HttpRequest, job_id):
    try:
        return actions.get_upload(job_id=job_id, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message(current_language())) from exc


@login_required
def upload_report(request: HttpRequest, job_id) -> HttpResponse:
    job = _job(request, job_id)
    check = actions.job_report(job, "check")
    applied = actions.job_report(job, "apply")
    stage = job.summary.get("stage")
    shown = applied if applied is not None and not applied.ok else check
    return render(
        request,
        "web/upload.html",
        {
            "job": job,
            "stage": stage,
            "check": check,
            "applied": applied,
            "report": shown,
            "problems": shown.problems[:PROBLEMS_SHOWN] if shown else [],
            "can_apply": stage == actions.CHECKED and check is not None and check.ok and check.values > 0,
            "api_url": reverse("api:upload", args=[job.pk]),
            "job_page": reverse("jobs:detail", kwargs={"job_id": job.pk}),
        },
    )


@require_POST
@login_required
def upload_apply(request: HttpRequest, job_id) -> HttpResponse:
    job = _job(request, job_id)
    try:
        job = actions.apply_upload(job=job, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("web:upload", job_id=job.pk)
    # The report page says what the apply wrote, or what it found.
    return redirect("web:upload", job_id=job.pk)


# ---------------------------------------------------------------------------------------------
# Exports of the pages' tables


def units_export(request: HttpRequest) -> HttpResponse:
    """The units list (`/units/`) with its filters, as a file."""
    level = request.GET.get("level") or Level.PROVINCE
    if level not in Level.values:
        raise Http404(_("There is no such level."))
    q = (request.GET.get("q") or "").strip()[:120]
    try:
        as_of = datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        as_of = timezone.localdate()
    units = unit_queries.filter_units(level=level, as_of=as_of, q=q or None).select_related("parent")
    table = units_table(units, language=current_language(), title=_("Administrative units"))
    return exports.response(table, format=_format(request), stem=f"don-vi-{level}-{as_of.isoformat()}")


@login_required
def report_export(request: HttpRequest, code: str, unit_id: int, period: str) -> HttpResponse:
    """One report's figures (the data-entry form), as a file."""
    from dxmonitor.workflow.views import _form

    form = _form(request, code, unit_id, period)  # 404, or 403 to whoever may not read the unit
    table = report_table(form, language=current_language())
    return exports.response(table, format=_format(request), stem=f"bao-cao-{code}-{period}-{form.unit.code}")
