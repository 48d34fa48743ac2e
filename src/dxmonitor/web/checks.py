"""Pages of the checks: declared rules, their violations and outlier flags, with the re-run and
"seen, kept" actions. Views parse the request, ask rules/outliers, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxmonitor.accounts.permissions import READ, grants
from dxmonitor.collection import outliers, rules
from dxmonitor.collection.models import ValidationRule
from dxmonitor.collection.periods import PeriodError, parse_period
from dxmonitor.common.errors import DomainError
from dxmonitor.common.language import current_language
from dxmonitor.geo import queries as unit_queries
from dxmonitor.geo.models import Unit

PAGE_SIZE = 50
FLAGS_SHOWN = 100


def _home_unit(request: HttpRequest) -> Unit | None:
    """The unit a user with a single area of responsibility looks at by default."""
    found = grants(request.user)
    paths = set(found.paths(READ))
    if found.everything or "" in paths or len(paths) != 1:
        return None
    last = next(iter(paths)).rstrip("/").rsplit("/", 1)[-1]
    return unit_queries.get_unit(int(last)) if last.isdigit() else None


def _filters(request: HttpRequest, source) -> tuple[Unit | None, str, list[Unit], str]:
    """(subtree, period code, other units matching the search, search text) from a request."""
    within, others = None, []
    q = (source.get("q") or "").strip()[:200]
    raw_unit = (source.get("unit") or "").strip()
    if raw_unit.isdigit():
        within = unit_queries.get_unit(int(raw_unit))
        if within is None:
            messages.error(request, _("No such administrative unit."))
    elif q:
        found = unit_queries.search_units(q=q, limit=8)
        within, others = (found[0], found[1:]) if found else (None, [])
        if within is None:
            messages.error(request, _("No unit matches “%(text)s”.") % {"text": q[:40]})
    elif "unit" not in source:
        within = _home_unit(request)
    period = ""
    raw_period = (source.get("period") or "").strip()
    if raw_period:
        try:
            period = parse_period(raw_period[:16]).code
        except PeriodError as exc:
            messages.error(request, exc.message(current_language()))
    return within, period, others, q


def _checks_url(within: Unit | None, period: str) -> str:
    params = {"unit": within.pk if within else "", "period": period}
    return reverse("web:checks") + "?" + urlencode(params)


@login_required
def checks(request: HttpRequest) -> HttpResponse:
    within, period, others, q = _filters(request, request.GET)
    found = rules.violations(within=within, period=period or None, user=request.user)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    open_flags = outliers.flags(within=within, period=period or None, user=request.user, open=True)
    flag_count = open_flags.count()
    flag_rows = [(flag, outliers.may_resolve(request.user, flag)) for flag in open_flags[:FLAGS_SHOWN]]
    twin = {"within": within.pk if within else "", "period": period}
    query = urlencode({k: v for k, v in twin.items() if v})
    return render(
        request,
        "web/checks.html",
        {
            "within": within,
            "period": period,
            "q": q,
            "others": others,
            "page": page,
            "flag_rows": flag_rows,
            "flag_count": flag_count,
            "flags_shown": FLAGS_SHOWN,
            "can_recheck": rules.may_recheck(request.user, within),
            "here": request.get_full_path(),
            "api_url": reverse("api:violations") + (f"?{query}" if query else ""),
            "flags_api_url": reverse("api:flags") + (f"?{query}" if query else ""),
        },
    )


@require_POST
@login_required
def checks_refresh(request: HttpRequest) -> HttpResponse:
    within, period, _others, _q = _filters(request, request.POST)
    try:
        report = rules.recheck(within=within, period=period or None, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
    else:
        messages.success(
            request,
            _(
                "Checked again: %(violations)d rule violations stand (%(created)d new, %(removed)d "
                "resolved); %(flags)d values flagged as unusual."
            )
            % {
                "violations": report.violations.violations,
                "created": report.violations.created,
                "removed": report.violations.removed,
                "flags": report.flags.open,
            },
        )
    return redirect(_checks_url(within, period))


@require_POST
@login_required
def flag_resolve(request: HttpRequest, flag_id: int) -> HttpResponse:
    back = request.POST.get("next") or reverse("web:checks")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("web:checks")
    try:
        flag = outliers.get_flag(flag_id=flag_id, user=request.user)
        outliers.resolve_flag(flag=flag, user=request.user, note=request.POST.get("note", "")[:2000])
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
    else:
        messages.success(request, _("Marked as seen; the value is kept."))
    return redirect(back)


def rules_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/rules.html",
        {"rules": ValidationRule.objects.order_by("-is_active", "code"), "api_url": reverse("api:rules")},
    )
