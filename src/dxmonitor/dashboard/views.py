"""The dashboard and map pages. Each reads the same answer as its JSON twin; every table downloads
as .xlsx or .csv (`?table=…&format=…`), every chart as PNG in the browser."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dxmonitor.catalog.models import Indicator
from dxmonitor.common import exports
from dxmonitor.common.errors import DomainError
from dxmonitor.common.numbers import format_number
from dxmonitor.geo.models import LEGACY_LAST_DAY, REORGANISATION_DATE, Level

from . import maps, queries

TABLES = ("tiles", "trend", "children", "laggards", "ranking", "completeness")


def _say(request: HttpRequest, exc: DomainError) -> None:
    english = (request.LANGUAGE_CODE or "vi").startswith("en")
    messages.error(request, exc.message_en if english else exc.message_vi)


def _unit_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("unit", "").strip()
    return int(raw) if raw.isdigit() else None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        question = queries.dashboard_question(
            viewer=request.user,
            unit_id=_unit_id(request),
            period=request.GET.get("period", "").strip(),
            group=request.GET.get("group", "").strip(),
            indicator=request.GET.get("indicator", "").strip(),
            scheme=request.GET.get("scheme", "").strip(),
        )
        answer = queries.dashboard_answer(question)
    except DomainError as exc:
        _say(request, exc)
        return render(request, "dashboard/dashboard.html", {"failed": True}, status=exc.status)
    filters = {
        "unit": answer["unit"]["id"],
        "period": answer["period"]["code"],
        "group": answer["group"] or "",
        "indicator": answer["indicator"]["code"] if answer["indicator"] else "",
        "scheme": answer["ranking"]["scheme"]["code"] if answer["ranking"]["scheme"] else "",
    }
    clean = {k: v for k, v in filters.items() if v}
    table = request.GET.get("table", "")
    if request.GET.get("format") in exports.FORMATS and table in TABLES:
        stem = f"bang-dieu-hanh-{table}-{answer['unit']['code']}-{answer['period']['code']}"
        return exports.response(_table(answer, table), format=request.GET["format"], stem=stem)
    map_query = {k: clean[k] for k in ("unit", "indicator", "period") if k in clean}
    keep = {k: v for k, v in clean.items() if k != "unit"}
    lang = request.LANGUAGE_CODE or "vi"
    for row in answer["ranking"]["rows"]:
        # Shaped here rather than in the template: a province has a hundred rows and more.
        row["score_display"] = share(row["score"], lang)
        row["cells"] = [share(row["groups"].get(g["code"]), lang) for g in answer["ranking"]["groups"]]
        row["lost"] = -row["change"] if row["change"] is not None and row["change"] < 0 else None
    for row in answer["completeness"]:
        row["share_display"] = share(row["share"], lang)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "answer": answer,
            "filters": filters,
            "query": urlencode(clean),
            "keep": keep,
            "drill": "?" + urlencode(keep) + ("&" if keep else "") + "unit=",
            "gained": _("places gained"),
            "lost": _("places lost"),
            "same": _("same place"),
            "api_url": reverse("api:dashboard") + "?" + urlencode(clean),
            "map_url": reverse("dashboard:map") + "?" + urlencode(map_query),
            "charts": {
                "trend": answer["trend"],
                "children": answer["children"],
                "indicator": answer["indicator"],
                "unit": answer["unit"]["name"],
                "period": answer["period"]["label"],
                "tiles": answer["tiles"],
                "labels": {
                    "value": _("Value"),
                    "target": _("Target"),
                    "no_figure": _("no figure"),
                },
            },
        },
    )


def share(value: float | None, language: str) -> str:
    """0.7797 → "78,0%": a score or a group's share of its points."""
    if value is None:
        return ""
    return format_number(100.0 * value, language=language, decimals=1) + "%"


def _table(answer: dict, table: str) -> exports.Table:
    column = exports.Column
    if table == "tiles":
        return exports.Table(
            title=_("Targets"),
            columns=[column(_("Indicator code"), 24), column(_("Indicator"), 50), column(_("Value"), 14),
                     column(_("Target"), 12), column(_("Target year"), 10), column(_("Status"), 12),
                     column(_("Gap"), 12), column(_("Source"), 50)],
            rows=([t["indicator"]["code"], t["indicator"]["name"], t["value"], t["target"], t["target_year"],
                   t["status"], t["gap"], t["source"]] for t in answer["tiles"]),
        )  # fmt: skip
    if table == "trend":
        trend = answer["trend"] or {"indicator": {"code": ""}, "points": []}
        return exports.Table(
            title=_("Trend"),
            columns=[column(_("Unit code"), 10), column(_("Indicator code"), 24), column(_("Period"), 10),
                     column(_("Value"), 14), column(_("Source"), 50)],
            rows=([answer["unit"]["code"], trend["indicator"]["code"], p["period"], p["value"], p["source"]]
                  for p in trend["points"]),
        )  # fmt: skip
    if table == "children":
        code = answer["indicator"]["code"] if answer["indicator"] else ""
        return exports.Table(
            title=_("Units"),
            columns=[column(_("Unit code"), 10), column(_("Unit"), 30), column(_("Indicator code"), 24),
                     column(_("Value"), 14), column(_("Source"), 50)],
            rows=([c["unit"]["code"], c["unit"]["name"], code, c["value"], c["source"]]
                  for c in answer["children"]),
        )  # fmt: skip
    if table == "laggards":
        return exports.Table(
            title=_("Furthest from the targets"),
            columns=[column(_("Unit code"), 10), column(_("Unit"), 30), column(_("Mean shortfall"), 14),
                     column(_("Targets not met"), 12), column(_("Targets judged"), 12),
                     column(_("Furthest indicator"), 30)],
            rows=([r["unit"]["code"], r["unit"]["name"], round(r["shortfall"], 4), r["not_met"], r["judged"],
                   r["worst"]["code"]] for r in answer["laggards"]),
        )  # fmt: skip
    if table == "ranking":
        ranking = answer["ranking"]
        groups = ranking["groups"]
        return exports.Table(
            title=_("Ranking"),
            columns=[column(_("Rank"), 8), column(_("Unit code"), 10), column(_("Unit"), 30),
                     column(_("Score"), 10), *(column(g["code"], 10) for g in groups),
                     column(_("Previous rank"), 12), column(_("Places gained"), 12)],
            rows=([r["rank"], r["unit"]["code"], r["unit"]["name"], round(r["score"], 4),
                   *(None if r["groups"].get(g["code"]) is None else round(r["groups"][g["code"]], 4)
                     for g in groups),
                   r["previous_rank"], r["change"]] for r in ranking["rows"]),
        )  # fmt: skip
    return exports.Table(
        title=_("Reporting"),
        columns=[column(_("Data set"), 14), column(_("Period"), 10), column(_("Expected"), 10),
                 column(_("Submitted"), 10), column(_("On time"), 10), column(_("Late"), 10)],
        rows=([r["dataset"]["code"], r["period"]["code"], r["expected"], r["submitted"], r["on_time"],
               r["late"]] for r in answer["completeness"]),
    )  # fmt: skip


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    try:
        asked = maps.map_question(
            viewer=request.user,
            unit_id=_unit_id(request),
            indicator=request.GET.get("indicator", "").strip(),
            period=request.GET.get("period", "").strip(),
            date=request.GET.get("date", "").strip(),
            level=request.GET.get("level", "").strip(),
        )
        answer = maps.map_answer(**asked)
    except DomainError as exc:
        _say(request, exc)
        return render(request, "dashboard/map.html", {"failed": True}, status=exc.status)
    filters = {
        "unit": answer["within"]["id"] if answer["within"] else "",
        "indicator": answer["indicator"]["code"],
        "period": answer["period"]["code"],
        "date": answer["date"].isoformat(),
        "level": request.GET.get("level", "").strip(),
    }
    clean = {k: v for k, v in filters.items() if v}
    if request.GET.get("format") in exports.FORMATS:
        return exports.response(
            _map_table(answer),
            format=request.GET["format"],
            stem=f"ban-do-{answer['indicator']['code']}-{answer['period']['code']}",
        )
    dashboard_url = reverse("dashboard:dashboard")
    map_url = reverse("dashboard:map")
    keep = {k: clean[k] for k in ("indicator", "period") if k in clean}
    for point in answer["points"]:
        unit = point["unit"]
        drill = unit["level"] in (Level.PROVINCE, Level.DISTRICT)
        point["url"] = (map_url if drill else dashboard_url) + "?" + urlencode({"unit": unit["id"], **keep})
    return render(
        request,
        "dashboard/map.html",
        {
            "answer": answer,
            "filters": filters,
            "query": urlencode(clean),
            "api_url": reverse("api:dashboard_map") + "?" + urlencode(clean),
            "structures": [
                (LEGACY_LAST_DAY.isoformat(), _("Before the reorganisation (30/06/2025)")),
                (REORGANISATION_DATE.isoformat(), _("After the reorganisation (01/07/2025)")),
            ],
            "structure_query": urlencode({k: v for k, v in clean.items() if k not in ("date", "level")}),
            "dashboard_url": dashboard_url
            + "?"
            + urlencode({"unit": filters["unit"], **keep} if filters["unit"] else keep),
            "indicators": Indicator.objects.filter(is_active=True).order_by("group__position", "code"),
            "with_figure": sum(1 for p in answer["points"] if p["value"] is not None),
            "merged": any(len(p["shapes"]) > 1 for p in answer["points"]),
            "chart": {
                "kind": answer["kind"],
                "shapes_url": answer["shapes_url"],
                "date": answer["date"].isoformat(),
                "points": answer["points"],
                # A choropleth's shapes are its backdrop: the communes' dots stay out of the page.
                "basemap": [] if answer["kind"] == "choropleth" else answer["basemap"],
                "indicator": answer["indicator"],
                "title": f"{answer['indicator']['name']} — {answer['period']['label']}",
                "labels": {
                    "met": _("target met"),
                    "not_met": _("target not met"),
                    "undetermined": _("undetermined"),
                    "no_target": _("no target"),
                    "no_figure": _("no figure"),
                    "source": _("Source"),
                    "value": _("Value"),
                    "hoang_sa": _("Hoàng Sa Islands"),
                    "truong_sa": _("Trường Sa Islands"),
                },
            },
        },
    )


def _map_table(answer: dict) -> exports.Table:
    column = exports.Column
    return exports.Table(
        title=_("Map"),
        columns=[column(_("Unit code"), 10), column(_("Unit"), 30), column(_("Latitude"), 10),
                 column(_("Longitude"), 10), column(_("Value"), 14), column(_("Status"), 12),
                 column(_("Source"), 50)],
        rows=([p["unit"]["code"], p["unit"]["name"], p["lat"], p["lon"], p["value"], p["status"], p["source"]]
              for p in answer["points"]),
    )  # fmt: skip
