"""The public open-data portal's pages, open to everyone without signing in.

Views parse the request, ask `queries` (which reads through the one public rule) and render; the
JSON twins are in `api.py`, the downloads in `downloads.py`.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dxmonitor.collection.periods import PeriodError
from dxmonitor.common.errors import NotFound
from dxmonitor.common.language import current_language
from dxmonitor.geo.models import Level
from dxmonitor.geo.queries import ancestors
from dxmonitor.geo.queries import predecessors as unit_predecessors
from dxmonitor.geo.queries import successors as unit_successors

from . import downloads, queries
from .actions import request_summary
from .api import download_links
from .licence import (
    AGGREGATES_NOTE,
    ATTRIBUTION,
    LICENCE_NAME,
    LICENCE_STATEMENT,
    LICENCE_URL,
    RULE,
    SYNTHETIC_NOTE,
)
from .schemas import PAGE_LIMIT

UNITS_PAGE = 100
SUCCESSION_LINKS = 60


def _twin(name: str, *args, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name, args=args) + (f"?{query}" if query else "")


def _statements() -> dict[str, str]:
    language = current_language()
    return {
        "rule": RULE.text(language),
        "synthetic_note": SYNTHETIC_NOTE.text(language),
        "aggregates_note": AGGREGATES_NOTE.text(language),
        "licence_statement": LICENCE_STATEMENT.text(language),
        "attribution": ATTRIBUTION.text(language),
        "licence_name": LICENCE_NAME,
        "licence_url": LICENCE_URL,
    }


def _selection(request: HttpRequest, **fixed) -> queries.Selection:
    """The page's filters (data, period) on top of its own subject; a bad filter is said and dropped."""
    data = request.GET.get("data") or queries.ALL
    if data not in queries.DATA_CHOICES:
        messages.error(request, _("Show all, real or synthetic figures; showing all."))
        data = queries.ALL
    period = (request.GET.get("period") or "").strip()[:16]
    try:
        return queries.select(period=period, data=data, **fixed)
    except NotFound as exc:
        raise Http404(exc.message(current_language())) from exc
    except PeriodError:
        messages.error(request, _("“%(text)s” is not a period; showing every period.") % {"text": period})
        return queries.select(data=data, **fixed)


def _values_page(request: HttpRequest, selection: queries.Selection):
    return Paginator(selection.values(), PAGE_LIMIT).get_page(request.GET.get("page"))


def home(request: HttpRequest) -> HttpResponse:
    request_summary()
    counts, summaries = queries.public_summary()
    return render(
        request,
        "portal/home.html",
        {
            **_statements(),
            "counts": counts,
            "summaries": summaries,
            "downloads": download_links({}),
            "api_url": reverse("api:public_home"),
        },
    )


def about(request: HttpRequest) -> HttpResponse:
    request_summary()
    return render(
        request,
        "portal/about.html",
        {
            **_statements(),
            "counts": queries.public_summary()[0],
            "documents": queries.public_documents(),
            "max_rows": downloads.MAX_DOWNLOAD_ROWS,
            "api_url": reverse("api:public_about"),
        },
    )


def units_index(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level") or ""
    if level and level not in Level.values:
        messages.error(
            request, _("There is no level “%(text)s”; showing every level.") % {"text": level[:40]}
        )
        level = ""
    q = (request.GET.get("q") or "").strip()[:120]
    paginator = Paginator(queries.public_units(level=level or None, q=q), UNITS_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/units.html",
        {
            "page": page,
            "level": level,
            "q": q,
            "levels": Level.choices,
            "api_url": _twin(
                "api:public_units", level=level, q=q, limit=UNITS_PAGE, offset=(page.number - 1) * UNITS_PAGE
            ),
        },
    )


def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    selection = _selection(request, within=unit_id)
    unit = selection.within
    every = queries.select(within=unit_id).values()
    page = _values_page(request, selection)
    params = selection.as_params()
    return render(
        request,
        "portal/unit.html",
        {
            "unit": unit,
            "ancestors": ancestors(unit),
            # Figures stay on the units they were reported for: the 2025 reorganisation is followed by
            # links, not by moving or adding up figures.
            "successors": list(unit_successors(unit)[:SUCCESSION_LINKS]),
            "predecessors": list(unit_predecessors(unit)[:SUCCESSION_LINKS]),
            "counts": queries.counts(every),
            "periods": queries.periods(every),
            "selection": selection,
            "page": page,
            "downloads": download_links(params),
            "synthetic_note": SYNTHETIC_NOTE.text(current_language()),
            "api_url": _twin(
                "api:public_unit",
                unit.pk,
                period=params.get("period"),
                data=params.get("data"),
                limit=PAGE_LIMIT,
                offset=(page.number - 1) * PAGE_LIMIT,
            ),
        },
    )


def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    selection = _selection(request, indicator=code)
    indicator = selection.indicator
    every = queries.select(indicator=code).values()
    page = _values_page(request, selection)
    params = selection.as_params()
    return render(
        request,
        "portal/indicator.html",
        {
            "indicator": indicator,
            "targets": list(indicator.targets.filter(scope_unit__isnull=True).order_by("year", "level")),
            "counts": queries.counts(every),
            "periods": queries.periods(every),
            "selection": selection,
            "page": page,
            "downloads": download_links(params),
            "synthetic_note": SYNTHETIC_NOTE.text(current_language()),
            "api_url": _twin(
                "api:public_indicator",
                indicator.code,
                period=params.get("period"),
                data=params.get("data"),
                limit=PAGE_LIMIT,
                offset=(page.number - 1) * PAGE_LIMIT,
            ),
        },
    )
