"""Assessment pages: the rounds, a round (progress, ranking, the organiser's steps) and a unit's
sheet, where the unit self-assesses, the appraisers appraise and the unit explains. Each form
posts to `act`, which parses the input and calls the action; the JSON twins are in `api.py`."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dxmonitor.accounts.permissions import ADMINISTER, APPROVE, ENTER, can
from dxmonitor.catalog.models import ScoringScheme
from dxmonitor.common.errors import DomainError
from dxmonitor.common.language import current_language
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import valid_on

from . import actions, appraisal
from .access import appraised_departments, may_read_round, may_read_sheet
from .evidence import max_bytes
from .models import Appraiser, Department, Stage
from .queries import public_evidence, ranking, rounds_for, sheet_summary

STAGES = {
    Stage.SELF: gettext_lazy("self-assessment"),
    Stage.APPRAISAL: gettext_lazy("appraisal"),
    Stage.EXPLANATION: gettext_lazy("provisional ranking and explanation"),
    Stage.PUBLISHED: gettext_lazy("results published"),
}


def _round(request: HttpRequest, round_id: int):
    try:
        round_ = actions.get_round(round_id)
    except DomainError as exc:
        raise Http404(exc.message(current_language())) from exc
    if not may_read_round(request.user, round_):
        raise Http404(_("No such assessment round."))
    return round_


def _organised_provinces(user) -> list[Unit]:
    """Provinces in force whose administrator the user is: where they may open a round."""
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    provinces = Unit.objects.filter(level=Level.PROVINCE).exclude(
        valid_to__lt=datetime.date(today.year - 2, 1, 1)
    )
    return [p for p in provinces.order_by("code", "-valid_from") if can(user, ADMINISTER, p)][:100]


def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "assessment/index.html",
        {
            "rounds": rounds_for(request.user),
            "provinces": _organised_provinces(request.user),
            "schemes": ScoringScheme.objects.order_by("code") if request.user.is_authenticated else [],
            "default_year": today.year - 1,
            "today": today,
        },
    )


def _units_from(text: str, province: Unit, year: int) -> list[Unit] | None:
    """Unit codes typed one per line or separated by commas; none typed means every unit."""
    codes = [c.strip() for c in text.replace(",", "\n").splitlines() if c.strip()]
    if not codes:
        return None
    day = min(datetime.date(year, 12, 31), province.valid_to or datetime.date(year, 12, 31))
    found = {
        u.code: u
        for u in Unit.objects.filter(valid_on(day), code__in=codes[:5000], path__startswith=province.path)
    }
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError(
            f"no unit {', '.join(missing[:5])} in {province.name}",
            f"Không có đơn vị mã {', '.join(missing[:5])} thuộc {province.name}",
            field="units",
        )
    return [found[c] for c in codes]


@require_POST
@login_required
def open_round(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        province = Unit.objects.filter(pk=int(post.get("province") or 0), level=Level.PROVINCE).first()
        year = int(post.get("year") or 0)
        if province is None:
            raise DomainError("choose a province", "Cần chọn tỉnh", field="province")
        scheme = ScoringScheme.objects.filter(code=post.get("scheme", "")[:40]).first()
        if scheme is None:
            raise DomainError("choose a scheme", "Cần chọn bộ chỉ số", field="scheme")
        days = {}
        for name in ("self_until", "appraisal_until", "explanation_until", "publish_by"):
            days[name] = _date(post.get(name, ""))
            if days[name] is None:
                raise DomainError("give every deadline", "Cần ghi đủ các hạn", field=name)
        round_ = actions.open_round(
            scheme=scheme,
            year=year,
            province=province,
            units=_units_from(post.get("units", ""), province, year),
            user=request.user,
            title=post.get("title", "")[:300],
            **days,
        )
    except ValueError:
        messages.error(request, _("The year must be a number."))
        return redirect("assessment:index")
    except DomainError as exc:
        for problem in exc.problems[:20]:
            messages.error(request, problem.message(current_language()))
        return redirect("assessment:index")
    messages.success(request, _("Round opened."))
    return redirect("assessment:round", round_.pk)


@require_POST
@login_required
def add_appraiser(request: HttpRequest, round_id: int) -> HttpResponse:
    from django.contrib.auth import get_user_model

    round_ = _round(request, round_id)
    department = Department.objects.filter(
        scheme_id=round_.scheme_id, code=request.POST.get("department", "")
    ).first()
    user = get_user_model().objects.filter(username=request.POST.get("username", "").strip()[:150]).first()
    if department is None or user is None:
        messages.error(request, _("No such department or account."))
        return redirect("assessment:round", round_.pk)
    try:
        actions.grant_appraiser(
            user=user, department=department, province=round_.province, granted_by=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("assessment:round", round_.pk)
    messages.success(request, _("Appraiser added."))
    return redirect("assessment:round", round_.pk)


def round_page(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(request, round_id)
    user = request.user
    organiser = can(user, ADMINISTER, round_.province)
    show_ranking = round_.stage in (Stage.EXPLANATION, Stage.PUBLISHED) or organiser
    result = ranking(round_) if show_ranking else None
    return render(
        request,
        "assessment/round.html",
        {
            "round": round_,
            "stage": STAGES[round_.stage],
            "organiser": organiser,
            "progress": appraisal.progress(round_) if user.is_authenticated else None,
            "ranking": result,
            "groups": [
                (result.peer_label(code, current_language()), rows) for code, rows in result.groups.items()
            ]
            if result
            else [],
            "pillars": result.tree.top if result else [],
            "sheets": [
                s for s in round_.sheets.select_related("unit") if may_read_sheet(user, round_, s.unit)
            ]
            if user.is_authenticated
            else [],
            "evidence": public_evidence(round_) if round_.stage == Stage.PUBLISHED else [],
            "language": current_language(),
            "departments": appraisal.departments_of(round_) if organiser else [],
            "appraisers": Appraiser.objects.filter(
                province=round_.province, department__scheme_id=round_.scheme_id
            ).select_related("user", "department")
            if organiser
            else [],
        },
    )


@login_required
def sheet_page(request: HttpRequest, round_id: int, unit_id: int) -> HttpResponse:
    round_ = _round(request, round_id)
    try:
        sheet = actions.get_sheet(round_, unit_id)
    except DomainError as exc:
        raise Http404(exc.message(current_language())) from exc
    if not may_read_sheet(request.user, round_, sheet.unit):
        raise Http404(_("No such assessment round."))
    entries, owners = sheet_summary(sheet)
    mine = {d.code for d in appraised_departments(request.user, round_)}
    for entry in entries:
        entry.department = owners[entry.pk]
        entry.mine = entry.department in mine
        entry.name_shown = entry.component.name(current_language())
    return render(
        request,
        "assessment/sheet.html",
        {
            "round": round_,
            "stage": STAGES[round_.stage],
            "sheet": sheet,
            "entries": entries,
            "self_points": round(sum(e.self_points or 0 for e in entries), 2),
            "points": round(sum(e.points or 0 for e in entries), 2),
            "specialist": can(request.user, ENTER, sheet.unit),
            "approver": can(request.user, APPROVE, sheet.unit),
            "appraiser": bool(mine),
            "max_mb": max_bytes() // (1024 * 1024),
        },
    )


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError as exc:
        raise DomainError(
            f"{text!r} is not a date", f"{text!r} không phải là ngày", field="issued_on"
        ) from exc


@require_POST
@login_required
def act(request: HttpRequest, round_id: int, unit_id: int, what: str) -> HttpResponse:
    """One step on a sheet or a component; the outcome is shown as a message on the sheet."""
    round_ = _round(request, round_id)
    post, user = request.POST, request.user
    try:
        sheet = actions.get_sheet(round_, unit_id)
        if what == "submit":
            actions.submit_sheet(sheet=sheet, user=user)
            messages.success(request, _("Self-assessment submitted."))
            return redirect("assessment:sheet", round_.pk, unit_id)
        if what == "accept-rest":
            count = appraisal.accept_rest(sheet=sheet, user=user)
            messages.success(request, _("%(count)s components accepted.") % {"count": count})
            return redirect("assessment:sheet", round_.pk, unit_id)
        entry = actions.get_entry(sheet, post.get("component", ""))
        if what == "figure":
            actions.save_entry(
                entry=entry,
                user=user,
                figure=post.get("figure", ""),
                comment=post.get("comment", ""),
                use_measured=post.get("use_measured") == "1",
            )
        elif what == "evidence":
            upload = request.FILES.get("file")
            actions.add_evidence(
                entry=entry,
                user=user,
                number=post.get("number", "")[:80],
                issued_on=_date(post.get("issued_on", "")),
                issuer=post.get("issuer", "")[:200],
                abstract=post.get("abstract", "")[:4000],
                link=post.get("link", "")[:500],
                file_name=upload.name if upload else "",
                data=upload.read(max_bytes() + 1) if upload else None,
                public=post.get("public") == "1",
            )
        elif what == "appraise":
            appraisal.appraise(
                entry=entry,
                user=user,
                decision=post.get("decision", ""),
                figure=post.get("figure", ""),
                points=post.get("points", ""),
                reason=post.get("reason", ""),
            )
        elif what == "answer":
            actions.answer_question(entry=entry, user=user, answer=post.get("answer", ""))
        elif what == "explain":
            appraisal.explain(entry=entry, user=user, text=post.get("text", ""))
        elif what == "reply":
            appraisal.reply_explanation(
                entry=entry,
                user=user,
                accept=post.get("accept") == "1",
                reply=post.get("reply", ""),
                points=post.get("points", ""),
            )
        else:
            raise Http404(what)
        messages.success(request, _("Saved: %(code)s.") % {"code": entry.component.code})
    except DomainError as exc:
        for problem in exc.problems:
            messages.error(request, problem.message(current_language()))
    return redirect("assessment:sheet", round_.pk, unit_id)


@require_POST
@login_required
def organise(request: HttpRequest, round_id: int, what: str) -> HttpResponse:
    """The organiser closes appraisal or publishes the round."""
    round_ = _round(request, round_id)
    try:
        if what == "close":
            appraisal.close_appraisal(round_=round_, user=request.user)
            messages.success(request, _("Appraisal closed; the provisional ranking is sent to the units."))
        elif what == "publish":
            round_ = appraisal.publish(
                round_=round_,
                user=request.user,
                decision=request.POST.get("decision", ""),
                signer_name=request.POST.get("signer_name", "")[:120],
            )
            messages.success(request, _("Round published; sign its report."))
            return redirect("reports:detail", round_.report_id)
        else:
            raise Http404(what)
    except DomainError as exc:
        for problem in exc.problems[:20]:
            messages.error(request, problem.message(current_language()))
    return redirect("assessment:round", round_.pk)
