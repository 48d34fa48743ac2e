"""Pages. Views parse the request, ask queries and actions, and render; nothing else."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import user_passes_test
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxmonitor.accounts.queries import can_administer
from dxmonitor.catalog import queries as catalog_queries
from dxmonitor.catalog.actions import create_indicator, update_indicator
from dxmonitor.catalog.models import Indicator
from dxmonitor.catalog.schemas import IndicatorPatch
from dxmonitor.collection import queries as value_queries
from dxmonitor.common.errors import DomainError
from dxmonitor.common.language import current_language
from dxmonitor.geo import queries as unit_queries
from dxmonitor.geo.actions import add_village
from dxmonitor.geo.models import LEGACY_LAST_DAY, REORGANISATION_DATE, Level

from .forms import IndicatorForm, VillageForm
from .summary import evidence_segments, summary

PAGE_SIZE = 50


def _as_of(request: HttpRequest) -> datetime.date:
    """The day asked for, or today in Vietnam; a date that is not one is said, not ignored."""
    raw = request.GET.get("as_of", "")
    today = timezone.localdate()
    if not raw:
        return today
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        messages.error(request, _("“%(text)s” is not a date; showing today.") % {"text": raw[:40]})
        return today


def _twin(name: str, *args, **params) -> str:
    """The API address of a page's data, with the page's own filters."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name, args=args) + (f"?{query}" if query else "")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {**summary(viewer=request.user), "api_url": reverse("api:home")})


def units_index(request: HttpRequest) -> HttpResponse:
    as_of = _as_of(request)
    level = request.GET.get("level") or Level.PROVINCE
    if level not in Level.values:
        messages.error(request, _("There is no level “%(text)s”; showing provinces.") % {"text": level[:40]})
        level = Level.PROVINCE
    q = (request.GET.get("q") or "").strip()
    units = unit_queries.filter_units(level=level, as_of=as_of, q=q or None).select_related("parent")
    paginator = Paginator(units, PAGE_SIZE * 2)
    page = paginator.get_page(request.GET.get("page"))
    api_url = _twin(
        "api:units",
        level=level,
        as_of=as_of.isoformat(),
        q=q,
        limit=paginator.per_page,
        offset=(page.number - 1) * paginator.per_page,
    )
    return render(
        request,
        "web/units.html",
        {
            "page": page,
            "as_of": as_of,
            "level": level,
            "levels": Level.choices,
            "q": q,
            "legacy_day": LEGACY_LAST_DAY,
            "new_day": REORGANISATION_DATE,
            "api_url": api_url,
            "structure": "legacy" if as_of < REORGANISATION_DATE else "2025",
        },
    )


def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = unit_queries.get_unit(unit_id)
    if unit is None:
        raise Http404(_("No such administrative unit."))
    values = list(value_queries.filter_values(unit=unit, viewer=request.user))
    comparisons = value_queries.compare_all(values)
    real = [(v, comparisons.get(v.pk, [])) for v in values if not v.is_synthetic]
    synthetic = [(v, comparisons.get(v.pk, [])) for v in values if v.is_synthetic]
    children = Paginator(unit_queries.children(unit), PAGE_SIZE * 4).get_page(request.GET.get("page"))
    return render(
        request,
        "web/unit.html",
        {
            "unit": unit,
            "ancestors": unit_queries.ancestors(unit),
            "children": children,
            "predecessors": list(unit_queries.predecessors(unit)),
            "successors": list(unit_queries.successors(unit)),
            "real_rows": real,
            "synthetic_rows": synthetic,
            "api_url": reverse("api:unit_detail", args=[unit.pk]),
            "values_api_url": reverse("api:values") + f"?unit={unit.pk}",
            "village_form": VillageForm()
            if unit.level == Level.COMMUNE and can_administer(request.user)
            else None,
        },
    )


@require_POST
@user_passes_test(can_administer)
def unit_add_village(request: HttpRequest, unit_id: int) -> HttpResponse:
    commune = unit_queries.get_unit(unit_id)
    if commune is None:
        raise Http404(_("No such administrative unit."))
    form = VillageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the village a type and a name."))
        return redirect("web:unit", unit_id=commune.pk)
    try:
        village = add_village(
            commune=commune,
            name=form.cleaned_data["name"],
            unit_type=form.cleaned_data["unit_type"],
            source="form",
        )
    except DomainError as exc:
        messages.error(request, exc.message(current_language()))
        return redirect("web:unit", unit_id=commune.pk)
    messages.success(request, _("%(name)s added.") % {"name": village.name})
    return redirect("web:unit", unit_id=commune.pk)


def indicators_index(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()
    indicators = catalog_queries.filter_indicators(q=q or None)
    groups = []
    for group in catalog_queries.groups():
        members = [i for i in indicators if i.group_id == group.pk]
        if members:
            groups.append((group, members))
    return render(
        request,
        "web/indicators.html",
        {
            "groups": groups,
            "q": q,
            "can_edit": can_administer(request.user),
            "api_url": _twin("api:indicators", q=q),
        },
    )


def _indicator_or_404(code: str) -> Indicator:
    indicator = catalog_queries.get_indicator(code)
    if indicator is None:
        raise Http404(_("No such indicator."))
    return indicator


def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = _indicator_or_404(code)
    values = value_queries.filter_values(indicator=indicator, viewer=request.user)
    real = Paginator(values.filter(is_synthetic=False), PAGE_SIZE).get_page(request.GET.get("page"))
    synthetic = values.filter(is_synthetic=True)
    return render(
        request,
        "web/indicator.html",
        {
            "indicator": indicator,
            "targets": list(indicator.targets.filter(scope_unit__isnull=True)),
            "real": real,
            "synthetic_count": synthetic.count(),
            "synthetic": synthetic[:PAGE_SIZE],
            "changes": indicator.changes.select_related("changed_by")[:20],
            "can_edit": can_administer(request.user),
            "api_url": reverse("api:indicator_detail", args=[indicator.code]),
            "values_api_url": reverse("api:values") + f"?indicator={indicator.code}",
        },
    )


@user_passes_test(can_administer)
def indicator_new(request: HttpRequest) -> HttpResponse:
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = create_indicator(data=form.to_input(), user=request.user, channel="form")
        except DomainError as exc:
            form.add_domain_error(exc, current_language())
        else:
            messages.success(request, _("Indicator %(code)s added.") % {"code": indicator.code})
            return redirect("web:indicator", code=indicator.code)
    return render(request, "web/indicator_form.html", {"form": form, "indicator": None})


@user_passes_test(can_administer)
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    indicator = _indicator_or_404(code)
    form = IndicatorForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        data = form.to_input()
        try:
            update_indicator(
                code=indicator.code,
                data=IndicatorPatch(
                    **data.model_dump(exclude={"code", "is_active"}), is_active=data.is_active
                ),
                user=request.user,
                channel="form",
            )
        except DomainError as exc:
            form.add_domain_error(exc, current_language())
        else:
            messages.success(request, _("Indicator %(code)s saved.") % {"code": indicator.code})
            return redirect("web:indicator", code=indicator.code)
    return render(request, "web/indicator_form.html", {"form": form, "indicator": indicator})


def search(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()
    units = unit_queries.search_units(q=q, limit=30) if q else []
    indicators = catalog_queries.search_indicators(q=q, limit=20) if q else []
    return render(
        request,
        "web/search.html",
        {
            "q": q,
            "units": units,
            "indicators": indicators,
            "api_url": _twin("api:search", q=q) if q else None,
        },
    )


def documents_index(request: HttpRequest) -> HttpResponse:
    documents = value_queries.documents()
    return render(
        request, "web/documents.html", {"documents": documents, "api_url": reverse("api:documents")}
    )


def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document = value_queries.documents().filter(pk=document_id).first()
    if document is None:
        raise Http404(_("No such document."))
    values = list(
        value_queries.filter_values(document=document, viewer=request.user).order_by("evidence_start")
    )
    return render(
        request,
        "web/document.html",
        {
            "document": document,
            "values": values,
            "segments": evidence_segments(document.text, values),
            "api_url": reverse("api:document_detail", args=[document.pk]),
            "values_api_url": reverse("api:values") + f"?document={document.pk}",
        },
    )


def value_detail(request: HttpRequest, value_id: int) -> HttpResponse:
    value = value_queries.filter_values(include_deleted=True, viewer=request.user).filter(pk=value_id).first()
    if value is None or (value.is_deleted and not can_administer(request.user)):
        raise Http404(_("No such value."))
    return render(
        request,
        "web/value.html",
        {
            "value": value,
            "history": value_queries.value_history(value),
            "comparisons": value_queries.target_comparisons(value),
            "api_url": reverse("api:value_detail", args=[value.pk]),
            "history_api_url": reverse("api:value_history", args=[value.pk]),
        },
    )
