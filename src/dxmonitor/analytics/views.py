"""Analysis pages: a table of figures, a ranking and the completeness of reporting, for the
units a user may read. Each reads the same answers as its JSON twin under /api/v1/analytics/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dxmonitor.accounts.permissions import READ, grants
from dxmonitor.catalog.models import Indicator, IndicatorGroup
from dxmonitor.collection.models import DataSet
from dxmonitor.common import exports
from dxmonitor.common.errors import DomainError
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import ancestors, get_unit
from dxmonitor.workflow.queries import period_containing

from . import answers
from .schemas import method_label
from .store import store

MAX_DEFAULT_INDICATORS = 12


def _say(request: HttpRequest, exc: DomainError) -> None:
    english = (request.LANGUAGE_CODE or "vi").startswith("en")
    messages.error(request, exc.message_en if english else exc.message_vi)


def _within(request: HttpRequest) -> Unit | None:
    """The unit asked for, or the user's own: the country for a national role, else the first
    unit the user has a role over."""
    raw = request.GET.get("within")
    found = grants(request.user)
    if raw == "" and (found.everything or "" in found.paths(READ)):
        return None
    if raw and raw.isdigit():
        unit = get_unit(int(raw))
        if unit is not None:
            return unit
    paths = found.paths(READ)
    if found.everything or "" in paths or not paths:
        return None
    return Unit.objects.filter(path=sorted(paths, key=len)[0]).first()


def _store_years() -> list[int]:
    with store() as cursor:
        rows = cursor.execute(
            "SELECT DISTINCT year FROM figures WHERE year > 0 ORDER BY year DESC"
        ).fetchall()
    return [y for (y,) in rows]


def _common(request: HttpRequest, within: Unit | None, tab: str) -> dict:
    query = {"within": within.pk} if within else {}
    found = grants(request.user)
    return {
        "national": found.everything or "" in found.paths(READ),
        "within": within,
        "trail": ancestors(within) if within else [],
        "tab": tab,
        "tabs": [
            ("table", _("Figures"), reverse("web:analytics") + "?" + urlencode(query)),
            ("ranking", _("Ranking"), reverse("web:analytics_ranking") + "?" + urlencode(query)),
            ("completeness", _("Reporting"), reverse("web:analytics_completeness") + "?" + urlencode(query)),
            ("scores", _("Scores"), reverse("web:analytics_scores") + "?" + urlencode(query)),
        ],
    }


def _indicators(request: HttpRequest, units: list[Unit], periods: list) -> tuple[list[Indicator], str]:
    """Indicators asked for by code or by group; else those with figures for these units."""
    if codes := request.GET.get("indicators", "").strip():
        return answers.require_indicators(codes), ""
    group = request.GET.get("group", "")
    if group:
        return list(Indicator.objects.filter(group__code=group).order_by("code")[:100]), group
    if not units or not periods:
        return [], ""
    with store() as cursor:
        rows = cursor.execute(
            "SELECT indicator_id, count(*) AS n FROM figures WHERE unit_id IN (SELECT unnest(?)) "
            "AND year IN (SELECT unnest(?)) AND ptype = 'Y' GROUP BY indicator_id ORDER BY n DESC LIMIT ?",
            [[u.pk for u in units], [p.year for p in periods if p.year], MAX_DEFAULT_INDICATORS],
        ).fetchall()
    ids = [i for i, _count in rows]
    return sorted(Indicator.objects.filter(pk__in=ids), key=lambda i: i.code), ""


@login_required
def figures_table(request: HttpRequest) -> HttpResponse:
    within = _within(request)
    context = _common(request, within, "table")
    level = request.GET.get("level", "")
    try:
        answers.check_read(request.user, within)
        answers.ensure_fresh()
        years = _store_years()
        default_periods = ",".join(str(y) for y in sorted(years[:2]))
        periods_text = request.GET.get("periods", "").strip() or default_periods
        periods = answers.require_periods(periods_text) if periods_text else []
        level = answers.require_level(level) or ""
        units = answers.units_under(within=within, level=level or None, period=periods[-1]) if periods else []
        indicators, group = _indicators(request, units, periods)
        answer = (
            answers.pivot_answer(units=units, indicators=indicators, periods=periods) if indicators else None
        )
    except DomainError as exc:
        _say(request, exc)
        return render(request, "web/analytics_table.html", {**context, "failed": True}, status=exc.status)
    if request.GET.get("format") in exports.FORMATS and answer is not None:
        return exports.response(
            _table(answer),
            format=request.GET["format"],
            stem=f"so-lieu-tong-hop-{within.code if within else 'vn'}",
        )
    cells = {(c["unit_id"], c["indicator"], c["period"]): c for c in answer["cells"]} if answer else {}
    rows = [
        {
            "unit": unit,
            "cells": [
                cells.get((unit.pk, indicator.code, period.code))
                for indicator in indicators
                for period in periods
            ],
        }
        for unit in units
    ]
    filters = {
        "within": within.pk if within else "",
        "level": level,
        "indicators": ",".join(i.code for i in indicators) if not group else "",
        "group": group,
        "periods": ",".join(p.code for p in periods),
    }
    clean = {k: v for k, v in filters.items() if v}
    return render(
        request,
        "web/analytics_table.html",
        {
            **context,
            "rows": rows,
            "indicators": indicators,
            "periods": periods,
            "filters": filters,
            "groups": IndicatorGroup.objects.all(),
            "levels": Level.choices,
            "methods": [(m, method_label(m, request.LANGUAGE_CODE or "vi")) for m in ("children", "months")],
            "query": urlencode(clean),
            "api_url": reverse("api:analytics_pivot")
            + "?"
            + urlencode(
                {
                    **{k: v for k, v in clean.items() if k != "group"},
                    "indicators": ",".join(i.code for i in indicators),
                }
            ),
        },
    )


def _table(answer: dict) -> exports.Table:
    units = {u["id"]: u for u in answer["units"]}
    names = {i["code"]: i["name"] for i in answer["indicators"]}
    return exports.Table(
        title=_("Figures"),
        columns=[
            exports.Column(_("Unit code"), 10),
            exports.Column(_("Unit"), 30),
            exports.Column(_("Indicator code"), 24),
            exports.Column(_("Indicator"), 40),
            exports.Column(_("Period"), 10),
            exports.Column(_("Value"), 14),
            exports.Column(_("Comparator"), 10),
            exports.Column(_("Method"), 14),
            exports.Column(_("Complete"), 10),
        ],
        rows=(
            [
                units[c["unit_id"]]["code"],
                units[c["unit_id"]]["name"],
                c["indicator"],
                names[c["indicator"]],
                c["period"],
                c["value"],
                c["comparator"],
                c["method"],
                _("yes") if c["complete"] else _("no"),
            ]
            for c in answer["cells"]
        ),
    )


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    within = _within(request)
    context = _common(request, within, "ranking")
    try:
        answers.check_read(request.user, within)
        answers.ensure_fresh()
        years = _store_years()
        period = answers.require_period(
            request.GET.get("period", "").strip() or str(years[0] if years else "")
        )
        child = Unit.objects.filter(parent=within).values_list("level", flat=True).first() if within else None
        level = answers.require_level(request.GET.get("level")) or child or Level.PROVINCE
        code = request.GET.get("indicator", "").strip() or "CTX.HOUSEHOLDS"
        indicator = answers.require_indicators([code])[0]
        answer = answers.ranking_answer(
            within=within,
            level=level,
            indicator=indicator,
            period=period,
            previous=answers.previous_period(period),
        )
    except DomainError as exc:
        _say(request, exc)
        return render(request, "web/analytics_ranking.html", {**context, "failed": True}, status=exc.status)
    filters = {
        "within": within.pk if within else "",
        "level": level,
        "indicator": indicator.code,
        "period": period.code,
    }
    clean = {k: v for k, v in filters.items() if v}
    if request.GET.get("format") in exports.FORMATS:
        return exports.response(
            _ranking_table(answer),
            format=request.GET["format"],
            stem=f"xep-hang-{indicator.code}-{period.code}",
        )
    return render(
        request,
        "web/analytics_ranking.html",
        {
            **context,
            "answer": answer,
            "filters": filters,
            "indicators": Indicator.objects.order_by("code"),
            "levels": Level.choices,
            "query": urlencode(clean),
            "api_url": reverse("api:analytics_ranking") + "?" + urlencode(clean),
        },
    )


def _ranking_table(answer: dict) -> exports.Table:
    return exports.Table(
        title=_("Ranking"),
        columns=[
            exports.Column(_("Rank"), 8),
            exports.Column(_("Unit code"), 10),
            exports.Column(_("Unit"), 30),
            exports.Column(_("Value"), 14),
            exports.Column(_("Comparator"), 10),
            exports.Column(_("Previous rank"), 12),
            exports.Column(_("Places gained"), 12),
            exports.Column(_("Method"), 14),
        ],
        rows=(
            [
                p["rank"],
                p["unit"]["code"],
                p["unit"]["name"],
                p["value"],
                p["comparator"],
                p["previous_rank"],
                p["change"],
                p["method"],
            ]
            for p in answer["items"]
        ),
    )


@login_required
def completeness(request: HttpRequest) -> HttpResponse:
    within = _within(request)
    context = _common(request, within, "completeness")
    datasets = list(DataSet.objects.filter(is_active=True))
    try:
        answers.check_read(request.user, within)
        code = request.GET.get("dataset", "") or (datasets[0].code if datasets else "")
        dataset = answers.require_dataset(code)
        period_text = request.GET.get("period", "").strip()
        period = (
            answers.require_period(period_text)
            if period_text
            else period_containing(dataset.period_type, timezone.localdate())
        )
        answer = answers.completeness_answer(dataset=dataset, within=within, period=period)
    except DomainError as exc:
        _say(request, exc)
        return render(
            request, "web/analytics_completeness.html", {**context, "datasets": datasets, "failed": True},
            status=exc.status,
        )  # fmt: skip
    filters = {"within": within.pk if within else "", "dataset": dataset.code, "period": period.code}
    clean = {k: v for k, v in filters.items() if v}
    return render(
        request,
        "web/analytics_completeness.html",
        {
            **context,
            "answer": answer,
            "datasets": datasets,
            "filters": filters,
            "previous": answers.previous_period(period),
            "api_url": reverse("api:analytics_completeness") + "?" + urlencode(clean),
        },
    )
