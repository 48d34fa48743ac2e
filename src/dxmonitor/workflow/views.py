"""Data-entry pages: what a user may enter, the report form, its cells, submission, reopening.

The form works without JavaScript (one POST saves every changed cell); with htmx each cell
saves itself when the user leaves it and the page's completeness follows.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxmonitor.accounts.permissions import APPROVE, ENTER, can, grants
from dxmonitor.collection.actions import CREATED, DELETED, RESTORED, UNCHANGED, UPDATED
from dxmonitor.collection.datasets import reopen_period
from dxmonitor.common.errors import DomainError, Forbidden, NotFound
from dxmonitor.common.language import current_language
from dxmonitor.geo.queries import get_unit

from . import queries
from .actions import UNTOUCHED, Entry, Locked, save_entry, submit_report
from .approval import decision

UNITS_PER_PAGE = 20
SAVED = {CREATED, UPDATED, RESTORED, UNCHANGED}


def _load(code: str, unit_id: int, period: str) -> tuple:
    try:
        dataset = queries.get_dataset(code)
        unit = get_unit(unit_id)
        if unit is None:
            raise NotFound(f"no unit {unit_id}", f"Không có đơn vị {unit_id}")
        return dataset, unit, queries.period_of(dataset, period)
    except NotFound as exc:
        raise Http404(exc.message(current_language())) from exc


def _form(request: HttpRequest, code: str, unit_id: int, period: str) -> queries.ReportForm:
    dataset, unit, parsed = _load(code, unit_id, period)
    try:
        queries.check_reporting_unit(dataset, unit, parsed)
    except NotFound as exc:
        raise Http404(exc.message(current_language())) from exc
    if not queries.may_read(request.user, unit):
        raise PermissionDenied(_("You may not see the reports of this unit."))
    try:
        return queries.report_form(dataset=dataset, unit=unit, period=parsed, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message(current_language())) from exc


def form_url(form: queries.ReportForm) -> str:
    return reverse("web:entry_form", args=[form.dataset.code, form.unit.pk, form.period.code])


def _api_url(form: queries.ReportForm) -> str:
    return reverse("api:report_detail", args=[form.dataset.code, form.unit.pk, form.period.code])


# ---------------------------------------------------------------------------------------------
# What a user may enter


@login_required
def collect(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    q = (request.GET.get("q") or "").strip()[:120]
    communes = queries.entry_communes(request.user, today=today, q=q)
    sections = []
    for dataset in queries.active_datasets():
        units = queries.reporting_communes(dataset, communes, today=today)
        param = f"page_{dataset.code}"
        page = Paginator(units, UNITS_PER_PAGE).get_page(request.GET.get(param))
        overview = queries.dataset_overview(
            dataset, list(page.object_list), count=page.paginator.count, today=today
        )
        sections.append(
            {
                "overview": overview,
                "page": page,
                "previous_url": _page_url(request, param, page.previous_page_number())
                if page.has_previous()
                else "",
                "next_url": _page_url(request, param, page.next_page_number()) if page.has_next() else "",
            }
        )
    return render(
        request,
        "web/collect.html",
        {
            "sections": sections,
            "q": q,
            "has_scope": bool(grants(request.user).paths(ENTER)) or grants(request.user).everything,
            "today": today,
            "api_url": reverse("api:collect") + (f"?q={q}" if q else ""),
        },
    )


def _page_url(request: HttpRequest, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()


# ---------------------------------------------------------------------------------------------
# The report form


def _context(form: queries.ReportForm, rows=None, *, user=None) -> dict:
    previous = queries.previous_period(form.period)
    following = queries.period_containing(form.period.type, form.period.end + datetime.timedelta(days=1))
    return {
        "form": form,
        "rows": rows if rows is not None else form.rows(),
        "completeness": form.completeness,
        "api_url": _api_url(form),
        "form_url": form_url(form),
        "previous_period": previous if queries.unit_exists_during(form.unit, previous) else None,
        "next_period": following if following.start <= form.today else None,
        "reopen_default": (form.today + datetime.timedelta(days=14)).strftime("%d/%m/%Y"),
        # How numbers are typed, shown in the help line.
        "examples": {"number": "1.234,5", "rate": "24,3%"},
        "decision": decision(user, form.report),
    }


@login_required
def entry_form(request: HttpRequest, code: str, unit_id: int, period: str) -> HttpResponse:
    form = _form(request, code, unit_id, period)
    if request.method != "POST":
        return render(request, "web/entry_form.html", _context(form, user=request.user))
    if not form.can_enter:
        raise PermissionDenied(_("You may not enter figures for this unit."))
    language = current_language()
    rows, saved, failed = [], 0, 0
    for unit, cells in form.rows():
        done = []
        for cell in cells:
            if cell.name("v") not in request.POST:
                done.append(cell)  # not in the form that was sent (it was read-only)
                continue
            member = form.member(cell.indicator.code)
            entry, cell = _save(request, form, cell.unit, member, language)
            saved += entry is not None and entry.outcome in (CREATED, UPDATED, RESTORED, DELETED)
            failed += cell.state in ("error", "refused")
            done.append(cell)
        rows.append((unit, done))
    if failed:
        messages.error(
            request,
            _("%(failed)d figures could not be saved; they are marked below. The others were saved.")
            % {"failed": failed},
        )
        form = queries.report_form(
            dataset=form.dataset, unit=form.unit, period=form.period, user=request.user
        )
        return render(
            request, "web/entry_form.html", _context(form, rows=_refresh(form, rows), user=request.user)
        )
    if saved:
        messages.success(request, _("%(saved)d figures saved.") % {"saved": saved})
    else:
        messages.info(request, _("Nothing had changed; nothing was saved."))
    return redirect(form_url(form))


def _refresh(form: queries.ReportForm, rows: list) -> list:
    """Cells with their save results, on a freshly loaded form (completeness, versions)."""
    result = []
    for unit, cells in rows:
        fresh = []
        for cell in cells:
            if cell.state in ("error", "refused"):
                cell.editable = form.editable
                fresh.append(cell)
                continue
            member = form.member(cell.indicator.code)
            updated = form.cell(unit, member)
            updated.state, updated.notice = cell.state, cell.notice
            fresh.append(updated)
        result.append((unit, fresh))
    return result


def _save(request: HttpRequest, form: queries.ReportForm, unit, member, language: str):
    """Save one cell from the POST; the cell to show, with its state and messages."""
    cell = form.cell(unit, member)
    typed = {part: request.POST.get(cell.name(part), "") for part in ("v", "n", "d")}
    try:
        seen = int(request.POST.get(cell.name("ver"), "0") or 0)
    except ValueError:
        seen = 0
    try:
        entry: Entry | None = save_entry(
            dataset=form.dataset,
            report_unit=form.unit,
            unit=unit,
            indicator=member.indicator,
            period=form.period,
            value=typed["v"],
            numerator=typed["n"],
            denominator=typed["d"],
            seen_version=seen,
            user=request.user,
        )
    except DomainError as exc:
        cell.value_text, cell.numerator_text, cell.denominator_text = typed["v"], typed["n"], typed["d"]
        cell.state = "refused" if isinstance(exc, Forbidden | Locked) else "error"
        cell.errors = _messages(exc, language)
        parts = {_PARTS[p.field] for p in _causes(exc.problems) if p.field in _PARTS}
        cell.invalid = (
            parts
            if parts and cell.state == "error"
            else ({"v", "n", "d"} if cell.state == "error" else set())
        )
        if isinstance(exc, Locked | Forbidden):
            cell.editable = False
        return None, cell
    form.values[(unit.pk, member.indicator_id)] = entry.value
    cell = form.cell(unit, member)
    if entry.outcome in SAVED:
        cell.state = "saved"
    elif entry.outcome == DELETED:
        cell.state = "cleared"
    elif entry.outcome == UNTOUCHED and entry.conflict is not None:
        cell.state = "notice"
    cell.notice = entry.notice(language)
    return entry, cell


_PARTS = {"value": "v", "numerator": "n", "denominator": "d"}


def _messages(exc: DomainError, language: str) -> list[str]:
    """What to tell about a refused cell. A wrong numerator or denominator also makes a wrong
    rate; saying the cause is enough."""
    return list(dict.fromkeys(p.message(language) for p in _causes(exc.problems))) or [exc.message(language)]


def _causes(problems: list) -> list:
    if any(p.field in ("numerator", "denominator") for p in problems):
        return [p for p in problems if p.field != "value"]
    return problems


@require_POST
def entry_cell(
    request: HttpRequest, code: str, unit_id: int, period: str, cell_unit_id: int, indicator: str
) -> HttpResponse:
    """Save one cell (htmx): the cell again, with its state, and the page's completeness."""
    if not request.user.is_authenticated:
        # The session ended while the form was open: send the whole page to the log-in, not a cell.
        login = (
            reverse("web:login")
            + "?"
            + urlencode({"next": reverse("web:entry_form", args=[code, unit_id, period])})
        )
        if request.headers.get("HX-Request"):
            return HttpResponse(status=401, headers={"HX-Redirect": login})
        return redirect(login)
    form = _form(request, code, unit_id, period)
    unit = form.entry_unit(cell_unit_id)
    member = form.member(indicator)
    if unit is None or member is None:
        raise Http404(_("This figure is not part of the report."))
    cell = _save(request, form, unit, member, current_language())[1]
    if cell.state not in ("error", "refused"):
        form = queries.report_form(
            dataset=form.dataset, unit=form.unit, period=form.period, user=request.user
        )
    return render(
        request,
        "web/_entry_cell_response.html",
        {"cell": cell, "form": form, "completeness": form.completeness, "form_url": form_url(form)},
    )


@require_POST
@login_required
def entry_submit(request: HttpRequest, code: str, unit_id: int, period: str) -> HttpResponse:
    form = _form(request, code, unit_id, period)
    try:
        report = submit_report(dataset=form.dataset, unit=form.unit, period=form.period, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect(form_url(form))
    if report.is_late:
        messages.success(request, _("Report submitted, after the deadline (marked late)."))
    else:
        messages.success(request, _("Report submitted on time."))
    return redirect(form_url(form))


def _day(text: str) -> datetime.date | None:
    """A day as officials write it (25/12/2026) or as ISO (2026-12-25)."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@require_POST
@login_required
def entry_reopen(request: HttpRequest, code: str, unit_id: int, period: str) -> HttpResponse:
    form = _form(request, code, unit_id, period)
    if not can(request.user, APPROVE, form.unit):
        raise PermissionDenied(_("Only an approver can reopen a period."))
    until = _day(request.POST.get("until", ""))
    if until is None:
        messages.error(request, _("Give the last day the period stays open."))
        return redirect(form_url(form))
    try:
        reopen_period(
            dataset=form.dataset,
            period=form.period.code,
            unit=form.unit,
            until=until,
            by=request.user,
            reason=request.POST.get("reason", "")[:2000],
        )
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect(form_url(form))
    messages.success(
        request, _("The period is open again until %(day)s.") % {"day": until.strftime("%d/%m/%Y")}
    )
    return redirect(form_url(form))
