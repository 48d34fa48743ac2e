"""Score pages: the ranking of a province's units under a scoring scheme, and one unit's score
with its what-if. Each reads the same functions as its JSON twin under /api/v1/scores."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dxmonitor.catalog.models import ScoringScheme
from dxmonitor.catalog.schemes import require_scheme
from dxmonitor.common import exports
from dxmonitor.common.errors import DomainError, NotFound
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import get_unit

from . import scores
from .scoring import peer_root, require_dated
from .views import _common, _say, _within


def _scheme(request: HttpRequest, choices: list[ScoringScheme]) -> ScoringScheme:
    code = request.GET.get("scheme", "").strip()
    if code:
        return require_scheme(code)
    if not choices:
        raise NotFound(
            "no scoring scheme is loaded; run `dxmonitor scores load`",
            "Chưa có bộ chỉ số chấm điểm nào; hãy chạy `dxmonitor scores load`",
        )
    return choices[0]


def _where(request: HttpRequest, scheme: ScoringScheme, periods: list[str]) -> Unit | None:
    """The unit asked for; for a national reader of a commune scheme, the first province scored."""
    within = _within(request)
    if within is not None or scheme.level == Level.PROVINCE or not periods:
        return within
    roots = scores.roots_scored(scheme=scheme, period=require_dated(periods[0]))
    return roots[0] if roots else None


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    choices = list(ScoringScheme.objects.order_by("code"))
    try:
        scheme = _scheme(request, choices)
        periods = scores.periods_scored(scheme)
        within = _where(request, scheme, periods)
        context = _common(request, within, "scores")
        scores.check_read(request.user, within)
        period = require_dated(request.GET.get("period", "").strip() or (periods[0] if periods else ""))
        found = scores.ranking(scheme=scheme, period=period, within=within)
    except DomainError as exc:
        _say(request, exc)
        context = _common(request, _within(request), "scores")
        return render(request, "web/analytics_scores.html", {**context, "failed": True}, status=exc.status)
    filters = {"within": within.pk if within else "", "scheme": scheme.code, "period": period.code}
    clean = {k: v for k, v in filters.items() if v}
    language = request.LANGUAGE_CODE or "vi"
    if request.GET.get("format") in exports.FORMATS and found.version is not None:
        return exports.response(
            _ranking_table(found, language),
            format=request.GET["format"],
            stem=f"diem-{scheme.code}-{period.code}-{within.code if within else 'vn'}",
        )
    rows = [
        {
            "row": row,
            "groups": [_share(row.score.groups.get(g.code)) for g in found.groups],
        }
        for row in found.rows
    ]
    return render(
        request,
        "web/analytics_scores.html",
        {
            **context,
            "found": found,
            "rows": rows,
            "schemes": choices,
            "scheme_name": scheme.name(language),
            "periods": periods,
            "filters": filters,
            "previous": scores.previous_year(period),
            "query": urlencode(clean),
            "api_url": reverse("api:scores") + "?" + urlencode(clean),
        },
    )


def _share(pair: list[float] | None) -> float | None:
    if not pair:
        return None
    points, top = pair
    return points / top if top else 0.0


def _ranking_table(found: scores.Ranking, language: str) -> exports.Table:
    return exports.Table(
        title=_("Scores"),
        columns=[
            exports.Column(_("Rank"), 8),
            exports.Column(_("Previous rank"), 12),
            exports.Column(_("Places gained"), 12),
            exports.Column(_("Unit code"), 10),
            exports.Column(_("Unit"), 30),
            exports.Column(_("Score (0–1)"), 12),
            exports.Column(_("Points"), 10),
            *[exports.Column(g.name(language), 16) for g in found.groups],
            exports.Column(_("Components with a figure"), 14),
            exports.Column(_("Scheme version"), 10),
        ],
        rows=(
            [
                row.score.rank,
                row.previous_rank,
                row.change,
                row.score.unit.code,
                row.score.unit.name,
                round(row.score.score, 4),
                round(row.score.points, 2),
                *[
                    None if (s := _share(row.score.groups.get(g.code))) is None else round(s, 4)
                    for g in found.groups
                ],
                f"{row.score.components_found}/{row.score.components}",
                found.version.number if found.version else None,
            ]
            for row in found.rows
        ),
    )


@login_required
def detail(request: HttpRequest, scheme: str, unit_id: int) -> HttpResponse:
    unit = get_unit(unit_id)
    context = _common(request, unit.parent if unit else None, "scores")
    try:
        if unit is None:
            raise NotFound(f"unit {unit_id} does not exist", f"Không có đơn vị hành chính {unit_id}")
        found_scheme = require_scheme(scheme)
        scores.check_read(request.user, unit)
        periods = scores.periods_scored(found_scheme)
        period = require_dated(request.GET.get("period", "").strip() or (periods[0] if periods else ""))
        found = scores.breakdown(scheme=found_scheme, unit=unit, period=period)
    except DomainError as exc:
        _say(request, exc)
        return render(request, "web/analytics_score.html", {**context, "failed": True}, status=exc.status)
    language = request.LANGUAGE_CODE or "vi"
    root = peer_root(scheme=found_scheme, unit=unit)
    back = {"scheme": found_scheme.code, "period": period.code, **({"within": root.pk} if root else {})}
    return render(
        request,
        "web/analytics_score.html",
        {
            **context,
            "unit": unit,
            "found": found,
            "scheme_name": found_scheme.name(language),
            "period": period,
            "periods": periods,
            "lines": [
                {
                    "line": line,
                    "is_group": isinstance(line, scores.GroupLine),
                    "rule": "" if isinstance(line, scores.GroupLine) else line.rule_text(language),
                    "name": (line.group if isinstance(line, scores.GroupLine) else line.component).name(
                        language
                    ),
                }
                for line in found.lines
            ],
            "ranking_url": reverse("web:analytics_scores") + "?" + urlencode(back),
            "api_url": reverse("api:score_detail", kwargs={"scheme": found_scheme.code, "unit_id": unit.pk})
            + "?"
            + urlencode({"period": period.code}),
        },
    )
