"""Official reports pages: the list with the form to make one, a report with its downloads, its
signing form and the check of its signature."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxmonitor.accounts.permissions import ENTER, grants
from dxmonitor.common.errors import DomainError, NotFound
from dxmonitor.common.language import current_language
from dxmonitor.geo.models import Level, Unit

from . import actions, queries
from .files import download

PER_PAGE = 50


def _issuing_units(user) -> list[Unit]:
    """Units the user may issue reports for: those of their roles and the communes below them."""
    today = timezone.localdate()
    in_force = Unit.objects.filter(level__in=[Level.PROVINCE, Level.COMMUNE]).exclude(valid_to__lt=today)
    found = in_force.filter(grants(user).unit_filter(ENTER)).order_by("path")
    return list(found[:400])


def _get(request: HttpRequest, report_id: int):
    try:
        return queries.get_report(report_id=report_id, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message(current_language())) from exc


@login_required
def index(request: HttpRequest) -> HttpResponse:
    from dxmonitor.workflow.queries import active_datasets

    today = timezone.localdate()
    return render(
        request,
        "reports/index.html",
        {
            "reports": queries.reports_for(request.user)[:PER_PAGE],
            "units": _issuing_units(request.user),
            "datasets": active_datasets(),
            "default_period": str(today.year - 1),
            "default_title": actions.DEFAULT_SIGNER_TITLE,
            "default_symbol": actions.DEFAULT_SYMBOL,
            "posted": {},
            "api_url": reverse("api:official_reports"),
        },
    )


@require_POST
@login_required
def make(request: HttpRequest) -> HttpResponse:
    from dxmonitor.workflow.queries import get_dataset

    post = request.POST
    try:
        unit = Unit.objects.filter(pk=int(post.get("unit") or 0)).first()
        if unit is None:
            raise NotFound("choose a unit", "Hãy chọn đơn vị")
        code = post.get("dataset", "").strip()
        report = actions.generate_report(
            unit=unit,
            period=post.get("period", "").strip(),
            user=request.user,
            dataset=get_dataset(code) if code else None,
            signer_name=post.get("signer_name", "")[:120],
            signer_title=post.get("signer_title", "")[:120],
            issuing_body=post.get("issuing_body", "")[:200],
            parent_body=post.get("parent_body", "")[:200],
            symbol=post.get("symbol", actions.DEFAULT_SYMBOL)[:40],
            recipients=[line for line in post.get("recipients", "").splitlines() if line.strip()][:30]
            or None,
        )
    except (DomainError, ValueError) as exc:
        text = exc.message(current_language()) if isinstance(exc, DomainError) else _("Choose a unit.")
        messages.error(request, text)
        return redirect("reports:index")
    messages.success(request, _("Report %(number)s made.") % {"number": report.number_symbol})
    return redirect("reports:detail", report.pk)


@login_required
def detail(request: HttpRequest, report_id: int) -> HttpResponse:
    from dxmonitor.signing.queries import credentials_for, verify_pdf

    report = _get(request, report_id)
    now = timezone.now()
    usable = [c for c in credentials_for(request.user) if c.is_active and c.not_before <= now <= c.not_after]
    verification = verify_pdf(pdf=bytes(report.signed_pdf)) if report.is_signed else None
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "recipients": report.recipients.splitlines(),
            "credentials": usable,
            "result": verification,
            "file_name": "",
            "api_url": reverse("api:official_report", args=[report.pk]),
        },
    )


def _file(request: HttpRequest, report_id: int, which: str) -> HttpResponse:
    report = _get(request, report_id)
    try:
        return download(report, which)
    except NotFound as exc:
        raise Http404(exc.message(current_language())) from exc


@login_required
def pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    return _file(request, report_id, "pdf")


@login_required
def docx(request: HttpRequest, report_id: int) -> HttpResponse:
    return _file(request, report_id, "docx")


@login_required
def signed(request: HttpRequest, report_id: int) -> HttpResponse:
    return _file(request, report_id, "signed")


@require_POST
@login_required
def sign(request: HttpRequest, report_id: int) -> HttpResponse:
    from dxmonitor.signing.actions import get_credential

    report = _get(request, report_id)
    try:
        credential_id = int(request.POST.get("credential") or 0)
    except ValueError as exc:
        raise PermissionDenied(_("Choose a signing key.")) from exc
    try:
        credential = get_credential(credential_id=credential_id, user=request.user)
        actions.sign_report(
            report=report,
            credential=credential,
            password=request.POST.get("password") or None,
            user=request.user,
            reason=request.POST.get("reason", "")[:200],
        )
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("reports:detail", report.pk)
    messages.success(request, _("Report signed."))
    return redirect("reports:detail", report.pk)
