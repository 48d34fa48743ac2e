"""The steering committee's dashboard of one unit: where it stands against its targets, how its
figures moved, which of its units lag, how they rank and how fully they report.

Everything here reads the analytics store (figures, completeness), the catalogue's targets and
the stored scores, through the same answers as the analysis pages, so that the dashboard, its
JSON twin and its downloads agree with them. A unit asked about for a year before it existed
(the merged Lai Châu in 2024) answers through the units it was formed from, as everywhere.
"""

from dataclasses import dataclass

from django.utils import timezone

from dxmonitor.accounts.permissions import READ, grants
from dxmonitor.analytics import answers, scores
from dxmonitor.analytics.completeness import completeness
from dxmonitor.analytics.queries import Figure
from dxmonitor.analytics.schemas import display, indicator_ref, period_out, unit_ref
from dxmonitor.analytics.store import store
from dxmonitor.analytics.targets import target_gaps
from dxmonitor.catalog.models import Indicator, IndicatorGroup, ScoringScheme, Target
from dxmonitor.collection.models import DataSet
from dxmonitor.collection.periods import MONTH, QUARTER, YEAR, Period, parse_period
from dxmonitor.common.display import format_value
from dxmonitor.common.errors import DomainError, NotFound
from dxmonitor.common.language import current_language
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import LEVEL_ORDER, Level, Unit
from dxmonitor.geo.queries import ancestors, get_unit, predecessors, successors, valid_on

from .figures import figures_for, judged_indicators, source_text, status_of

MAX_TILES = 12
LAGGARDS = 5


def language() -> str:
    return current_language()


# --- what is asked --------------------------------------------------------------------------


def store_years() -> list[int]:
    """The years the store holds yearly figures for, latest first."""
    with store() as cursor:
        rows = cursor.execute(
            "SELECT DISTINCT year FROM figures WHERE ptype = 'Y' AND kind = 'actual' AND year > 0 "
            "ORDER BY year DESC"
        ).fetchall()
    return [y for (y,) in rows]


def own_unit(viewer: AnyUser | None) -> Unit | None:
    """The highest unit the viewer reads, or None for a national role (or no role at all)."""
    found = grants(viewer)
    paths = found.paths(READ)
    if found.everything or "" in paths or not paths:
        return None
    return Unit.objects.filter(path=sorted(paths, key=len)[0]).first()


def default_unit(viewer: AnyUser | None) -> Unit | None:
    """The viewer's own unit; for a national role, the province whose units hold the most figures."""
    found = grants(viewer)
    paths = found.paths(READ)
    if not found.everything and "" not in paths:
        if not paths:
            return None
        return Unit.objects.filter(path=sorted(paths, key=len)[0]).first()
    with store() as cursor:
        row = cursor.execute(
            "SELECT p.id FROM figures f JOIN units u ON u.id = f.unit_id "
            "JOIN units p ON p.level = 'province' AND starts_with(u.path, p.path) "
            "WHERE f.ptype = 'Y' AND f.kind = 'actual' GROUP BY p.id ORDER BY count(*) DESC, p.id LIMIT 1"
        ).fetchone()
    unit = get_unit(row[0]) if row else None
    if unit is None:
        unit = (
            Unit.objects.filter(valid_on(timezone.localdate()), level=Level.PROVINCE).order_by("code").first()
        )
    return unit


def default_period(unit: Unit | None) -> Period:
    """The latest year in which more than half as many units reported figures as in the best
    year, counting the units under `unit` (None: the country) and under the units it was formed
    from (a province formed in 2025 reads its earlier years from theirs): a year that has just
    begun (figures for two communes so far) does not hide the last complete one. Else the
    store's latest year."""
    paths = [u.path for u in _lineage(unit)] if unit is not None else [""]
    under = " OR ".join(["starts_with(u.path, ?)"] * len(paths))
    with store() as cursor:
        rows = cursor.execute(
            "SELECT f.year, count(DISTINCT f.unit_id) FROM figures f JOIN units u ON u.id = f.unit_id "
            "WHERE f.ptype = 'Y' AND f.kind = 'actual' AND f.method = 'reported' AND f.year > 0 "
            f"AND ({under}) GROUP BY f.year ORDER BY f.year DESC",
            paths,
        ).fetchall()
    best = max((count for _, count in rows), default=0)
    year = next((y for y, count in rows if 2 * count > best), None)
    if year is None:
        year = next(iter(store_years()), timezone.localdate().year)
    return parse_period(str(year))


def _lineage(unit: Unit, limit: int = 200) -> list[Unit]:
    """The unit and every unit it was formed from, however far back."""
    found, frontier = {unit.pk: unit}, [unit]
    while frontier and len(found) < limit:
        current = frontier.pop()
        for link in predecessors(current):
            if link.predecessor_id not in found:
                found[link.predecessor_id] = link.predecessor
                frontier.append(link.predecessor)
    return list(found.values())


def require_group(code: str) -> IndicatorGroup | None:
    if not code:
        return None
    group = IndicatorGroup.objects.filter(code=code).first()
    if group is None:
        raise NotFound(f"no indicator group {code}", f"Không có nhóm chỉ tiêu {code}", field="group")
    return group


def require_scheme(code: str) -> ScoringScheme | None:
    if not code:
        return None
    scheme = ScoringScheme.objects.filter(code=code).first()
    if scheme is None:
        raise NotFound(f"no scoring scheme {code}", f"Không có bộ chỉ số {code}", field="scheme")
    return scheme


def dashboard_question(
    *, viewer, unit_id: int | None, period: str, group: str, indicator: str, scheme: str
) -> "Question":
    """The question a page or an API call asks, checked: the unit readable, a year, known codes."""
    answers.ensure_fresh()  # the defaults read the store too
    unit = answers.require_unit(unit_id) if unit_id is not None else default_unit(viewer)
    answers.check_read(viewer, unit)
    if unit is None:  # a national role over an empty database
        raise NotFound("no unit to show", "Chưa có đơn vị nào để hiển thị", field="unit")
    return Question(
        unit=unit,
        period=require_year(period) if period else default_period(unit),
        period_chosen=not period,
        group=require_group(group),
        indicator=answers.require_indicators([indicator])[0] if indicator else None,
        scheme=require_scheme(scheme),
    )


def require_year(text: str) -> Period:
    period = answers.require_period(text)
    if period.type != YEAR:
        raise DomainError(
            f"the dashboard is by year: {text} is not a year",
            f"Bảng điều hành theo năm: {text} không phải một năm",
            field="period",
        )
    return period


# --- the dashboard ---------------------------------------------------------------------------


@dataclass
class Question:
    unit: Unit
    period: Period
    group: IndicatorGroup | None = None
    indicator: Indicator | None = None
    scheme: ScoringScheme | None = None
    # No year asked: the page says which it opened on, and why.
    period_chosen: bool = False


def dashboard_answer(question: Question) -> dict:
    """The dashboard of a question from dashboard_question, which brought the store up to date."""
    lang = language()
    unit, period = question.unit, question.period
    children = answers.units_under(within=unit, level=None, period=period)
    judged = judged_indicators(question.group)
    own = figures_for(units=[unit], indicators=judged, period=period)
    tiles_of = [i for i in judged if (unit.pk, i.pk) in own][:MAX_TILES]
    gaps = target_gaps(
        figures=[own[(unit.pk, i.pk)] for i in tiles_of],
        units={unit.pk: unit},
        indicators={i.pk: i for i in tiles_of},
        year=period.year,
    )
    tiles = [tile(own[(unit.pk, i.pk)], i, gaps.get((unit.pk, i.pk), []), lang) for i in tiles_of]
    indicator = question.indicator or (tiles_of[0] if tiles_of else first_with_figure(unit, question.group))
    child_figures = (
        figures_for(units=children, indicators=list({i.pk: i for i in [*tiles_of, indicator] if i}.values()),
                    period=period)
        if children
        else {}
    )  # fmt: skip
    return {
        "unit": unit_ref(unit),
        "trail": [unit_ref(u) for u in ancestors(unit)],
        "reorganisation": reorganisation(unit),
        "period": period_out(period.code, lang),
        "period_chosen": question.period_chosen,
        "periods": [period_out(str(y), lang) for y in store_years()],
        "group": question.group.code if question.group else None,
        "groups": [
            {"code": g.code, "name": g.name_en if lang.startswith("en") else g.name_vi}
            for g in IndicatorGroup.objects.all()
        ],
        "indicator": indicator_ref(indicator, lang) if indicator else None,
        "indicators": [indicator_ref(i, lang) for i in indicators_of(question.group)],
        "tiles": tiles,
        "trend": trend(unit, indicator, lang) if indicator else None,
        "children": [child_row(c, indicator, child_figures, lang) for c in children] if indicator else [],
        "laggards": laggards(children, tiles_of, child_figures, period, lang),
        "ranking": ranking(unit, period, question.scheme, lang),
        "completeness": reporting(unit, period, lang),
    }


def tile(figure: Figure, indicator: Indicator, comparisons: list, lang: str) -> dict:
    judged = status_of(comparisons)
    gap = judged["gap"] if judged else None
    return {
        "indicator": indicator_ref(indicator, lang),
        "group": indicator.group.code,
        "value": figure.value,
        "display": display(figure, indicator, lang),
        "method": figure.method,
        "source": source_text(figure, lang),
        "complete": figure.complete,
        "synthetic": figure.synthetic,
        "status": judged["status"] if judged else "no_target",
        "target": judged["target"] if judged else None,
        "target_display": format_value(judged["target"], measure_unit=indicator.measure_unit, language=lang)
        if judged
        else "",
        "target_year": judged["target_year"] if judged else None,
        "target_source": judged["target_source"] if judged else "",
        "gap": gap,
        "gap_display": format_value(gap, measure_unit=indicator.measure_unit, language=lang) if gap else "",
        "direction": indicator.direction,
    }


def first_with_tile(unit: Unit, period: Period) -> Indicator | None:
    """The indicator the dashboard of this unit opens on: its first tile."""
    judged = judged_indicators(None)
    own = figures_for(units=[unit], indicators=judged, period=period)
    return next((i for i in judged if (unit.pk, i.pk) in own), None)


def first_with_figure(unit: Unit | None, group: IndicatorGroup | None) -> Indicator | None:
    found = indicators_of(group)
    with store() as cursor:
        rows = cursor.execute(
            "SELECT DISTINCT f.indicator_id FROM figures f JOIN units u ON u.id = f.unit_id "
            "WHERE f.ptype = 'Y' AND f.kind = 'actual' AND starts_with(u.path, ?)",
            [unit.path if unit else ""],
        ).fetchall()
    ids = {i for (i,) in rows}
    return next((i for i in found if i.pk in ids), found[0] if found else None)


def indicators_of(group: IndicatorGroup | None) -> list[Indicator]:
    found = Indicator.objects.filter(is_active=True).select_related("group")
    if group is not None:
        found = found.filter(group=group)
    return list(found.order_by("group__position", "code"))


def reorganisation(unit: Unit) -> dict:
    """The units this one was formed from, or became, across the 2025 reorganisation."""
    level = unit.level
    before = [unit_ref(s.predecessor) for s in predecessors(unit) if s.predecessor.level == level]
    after = [unit_ref(s.successor) for s in successors(unit) if s.successor.level == level]
    return {"formed_from": before, "became": after}


def trend(unit: Unit, indicator: Indicator, lang: str) -> dict:
    """The unit's yearly figures of one indicator, and the national targets for its level."""
    years = sorted(store_years())
    points = []
    for year in years:
        period = parse_period(str(year))
        found = figures_for(units=[unit], indicators=[indicator], period=period).get((unit.pk, indicator.pk))
        points.append(
            {
                "period": str(year),
                "label": period.label(lang),
                "value": found.value if found else None,
                "display": display(found, indicator, lang),
                "source": source_text(found, lang) if found else "",
            }
        )
    targets = {}
    for target in Target.objects.filter(indicator=indicator, scope_unit__isnull=True).order_by("year"):
        if target.level in ("", unit.level) and (target.year not in targets or target.level):
            targets[target.year] = target
    return {
        "indicator": indicator_ref(indicator, lang),
        "direction": indicator.direction,
        "points": points,
        "targets": [
            {
                "year": t.year,
                "value": t.value,
                "display": format_value(t.value, measure_unit=indicator.measure_unit, language=lang),
                "source": t.source,
            }
            for t in targets.values()
        ],
    }


def child_row(child: Unit, indicator: Indicator, figures: dict, lang: str) -> dict:
    found = figures.get((child.pk, indicator.pk))
    return {
        "unit": unit_ref(child),
        "value": found.value if found else None,
        "display": display(found, indicator, lang),
        "source": source_text(found, lang) if found else "",
        "complete": found.complete if found else False,
    }


def laggards(
    children: list[Unit], indicators: list[Indicator], figures: dict, period: Period, lang: str
) -> list[dict]:
    """The units furthest from their targets: the mean shortfall against the target, as a share of
    the target, over the tiles' indicators they have a figure for (a target met counts 0)."""
    if not children or not indicators:
        return []
    by_id = {i.pk: i for i in indicators}
    gaps = target_gaps(
        figures=[f for (u, i), f in figures.items() if i in by_id],
        units={c.pk: c for c in children},
        indicators=by_id,
        year=period.year,
    )
    found = []
    for child in children:
        shortfalls = []
        for indicator in indicators:
            judged = status_of(gaps.get((child.pk, indicator.pk), []))
            if judged is None or not judged["target"]:
                continue
            share = (judged["gap"] or 0.0) / abs(judged["target"]) if judged["status"] != "met" else 0.0
            shortfalls.append((share, indicator, judged))
        if not shortfalls:
            continue
        worst = max(shortfalls, key=lambda s: s[0])
        mean = sum(s[0] for s in shortfalls) / len(shortfalls)
        if mean <= 0:
            continue
        share, indicator, judged = worst
        found.append(
            {
                "unit": unit_ref(child),
                "shortfall": mean,
                "not_met": sum(1 for s in shortfalls if s[0] > 0),
                "judged": len(shortfalls),
                "worst": indicator_ref(indicator, lang),
                "worst_display": display(figures[(child.pk, indicator.pk)], indicator, lang),
                "worst_target": format_value(
                    judged["target"], measure_unit=indicator.measure_unit, language=lang
                ),
            }
        )
    return sorted(found, key=lambda r: -r["shortfall"])[:LAGGARDS]


def schemes_for(unit: Unit) -> list[ScoringScheme]:
    """Schemes that rank this unit's units (or the unit itself, at its own level)."""
    mine = LEVEL_ORDER.get(unit.level, 9)
    return [s for s in ScoringScheme.objects.order_by("code") if LEVEL_ORDER.get(s.level, 9) >= mine]


def ranking(unit: Unit, period: Period, scheme: ScoringScheme | None, lang: str) -> dict:
    """The stored scores of the units under `unit`, best first, with the score of each group."""
    available = schemes_for(unit)
    chosen = None
    result = None
    for candidate in [scheme] if scheme else available:
        if period.type != YEAR:
            break
        found = scores.ranking(scheme=candidate, period=period, within=unit)
        if found.rows or scheme:
            chosen, result = candidate, found
            break
    out = {
        "scheme": {"code": chosen.code, "name": chosen.name(lang), "level": chosen.level} if chosen else None,
        "schemes": [{"code": s.code, "name": s.name(lang), "level": s.level} for s in available],
        "version": result.version.number if result and result.version else None,
        "peers": result.peers if result else 0,
        "groups": [],
        "rows": [],
    }
    if result is None or result.version is None:
        return out
    out["groups"] = [{"code": g.code, "name": g.name(lang)} for g in result.groups]
    for row in result.rows:
        score = row.score
        out["rows"].append(
            {
                "rank": score.rank,
                "previous_rank": row.previous_rank,
                "change": row.change,
                "unit": unit_ref(score.unit),
                "parent": score.unit.parent.name if score.unit.parent_id else "",
                "score": score.score,
                "points": score.points,
                "max_points": score.max_points,
                "coverage": score.coverage,
                "synthetic": score.synthetic,
                "groups": {
                    g.code: (lambda p: p[0] / p[1] if p and p[1] else None)(score.groups.get(g.code))
                    for g in result.groups
                },
            }
        )
    return out


def reporting_periods(dataset: DataSet, year: int) -> list[Period]:
    today = timezone.localdate()
    if dataset.period_type == YEAR:
        codes = [str(year)]
    elif dataset.period_type == QUARTER:
        codes = [f"{year}Q{q}" for q in range(1, 5)]
    elif dataset.period_type == MONTH:
        codes = [f"{year}{m:02d}" for m in range(1, 13)]
    else:
        codes = []
    return [p for p in map(parse_period, codes) if p.start and p.start <= today]


def reporting(unit: Unit, period: Period, lang: str) -> list[dict]:
    """Reports expected, submitted and on time from the unit's communes, per data set and period."""
    if period.year is None:
        return []
    rows = []
    for dataset in DataSet.objects.filter(is_active=True).order_by("code"):
        for asked in reporting_periods(dataset, period.year):
            total, _children = completeness(dataset=dataset, within=unit, period=asked)
            rows.append(
                {
                    "dataset": {"code": dataset.code, "name": dataset.name(lang)},
                    "period": period_out(asked.code, lang),
                    **{k: v for k, v in total.as_dict().items() if k not in ("unit_id", "name", "code")},
                }
            )
    return rows


# --- the map ---------------------------------------------------------------------------------
