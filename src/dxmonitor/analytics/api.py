"""JSON API of the analytics store: figures, pivots, rankings, series, completeness.

Every answer names the method behind each figure and how complete it is. Reading figures
takes a role over the unit asked about; refreshing the store is for administrators.
"""

from ninja import Query, Router, Status

from dxmonitor.accounts.api import WRITE_AUTH, requester
from dxmonitor.accounts.queries import can_administer
from dxmonitor.common.api import ERRORS, WRITE_ERRORS
from dxmonitor.common.errors import Forbidden, NotFound
from dxmonitor.common.users import ApiRequest
from dxmonitor.jobs.schemas import JobOut, job_out

from . import answers
from .actions import request_refresh
from .schemas import (
    CompletenessOut,
    CompletenessQuery,
    FigureOut,
    FigureQuery,
    PivotOut,
    PivotQuery,
    RankingOut,
    RankingQuery,
    RefreshIn,
    SeriesOut,
    SeriesQuery,
    StatusOut,
)

router = Router(tags=["analytics"])
READ_ERRORS = {**ERRORS, 403: WRITE_ERRORS[403]}


@router.get("/analytics/figure", response={200: FigureOut, **READ_ERRORS}, url_name="analytics_figure")
def read_figure(request: ApiRequest, query: Query[FigureQuery]):
    """One unit's figure of one indicator and period, with its method, coverage and target gaps.

    `method=auto` gives the unit's own or added-up figure, and for a unit that did not exist
    yet (a merged province before 2025) goes through the units it was formed from;
    `succession` always does; `ministry_average` is the plain average of those units.
    """
    period = answers.require_period(query.period)
    unit = answers.unit_by_reference(unit_id=query.unit, unit_code=query.unit_code, period=period)
    answers.check_read(requester(request), unit)
    indicator = answers.require_indicators([query.indicator])[0]
    found = answers.figure_answer(
        unit=unit, indicator=indicator, period=period, kind=query.kind, method=query.method
    )
    if found is None:
        raise NotFound(
            f"no figure of {indicator.code} for {unit.name} in {period.code or 'undated'}",
            f"Không có số liệu {indicator.code} của {unit.name} kỳ {period.label('vi')}",
        )
    return found


@router.get("/analytics/pivot", response={200: PivotOut, **READ_ERRORS}, url_name="analytics_pivot")
def read_pivot(request: ApiRequest, query: Query[PivotQuery]):
    """Figures of units × indicators × periods; cells without a figure are left out."""
    periods = answers.require_periods(query.periods)
    indicators = answers.require_indicators(query.indicators)
    viewer = requester(request)
    if query.units:
        units = [answers.require_unit(_number(p), field="units") for p in query.units.split(",") if p.strip()]
        for unit in units:
            answers.check_read(viewer, unit)
    else:
        within = answers.require_unit(query.within, field="within") if query.within is not None else None
        answers.check_read(viewer, within)
        level = answers.require_level(query.level)
        units = answers.units_under(within=within, level=level, period=periods[-1])
    return answers.pivot_answer(units=units, indicators=indicators, periods=periods, kind=query.kind)


@router.get("/analytics/ranking", response={200: RankingOut, **READ_ERRORS}, url_name="analytics_ranking")
def read_ranking(request: ApiRequest, query: Query[RankingQuery]):
    """Units of one level under `within` ranked on an indicator (in its direction), ties sharing
    a rank, with the places gained or lost since the previous period."""
    period = answers.require_period(query.period)
    within = answers.require_unit(query.within, field="within") if query.within is not None else None
    answers.check_read(requester(request), within)
    indicator = answers.require_indicators([query.indicator])[0]
    previous = (
        answers.require_period(query.previous, field="previous")
        if query.previous
        else answers.previous_period(period)
    )
    return answers.ranking_answer(
        within=within,
        level=answers.require_level(query.level) or "province",
        indicator=indicator,
        period=period,
        previous=previous,
    )


@router.get("/analytics/series", response={200: SeriesOut, **READ_ERRORS}, url_name="analytics_series")
def read_series(request: ApiRequest, query: Query[SeriesQuery]):
    """A unit's figures of one indicator over every month, quarter or year the store holds."""
    unit = answers.require_unit(query.unit)
    answers.check_read(requester(request), unit)
    indicator = answers.require_indicators([query.indicator])[0]
    return answers.series_answer(unit=unit, indicator=indicator, ptype=query.type, kind=query.kind)


@router.get(
    "/analytics/completeness",
    response={200: CompletenessOut, **READ_ERRORS},
    url_name="analytics_completeness",
)
def read_completeness(request: ApiRequest, query: Query[CompletenessQuery]):
    """Reports of a data set expected, submitted and on time in a period, for `within` and each
    of its children (ask again with a child as `within` to drill down)."""
    period = answers.require_period(query.period)
    within = answers.require_unit(query.within, field="within") if query.within is not None else None
    answers.check_read(requester(request), within)
    dataset = answers.require_dataset(query.dataset)
    return answers.completeness_answer(dataset=dataset, within=within, period=period)


@router.get("/analytics/status", response={200: StatusOut, **READ_ERRORS}, url_name="analytics_status")
def read_status(request: ApiRequest):
    """How current the analytics store is: its last change taken in and the changes since."""
    answers.check_signed_in(requester(request))
    return vars(answers.store_status())


@router.post(
    "/analytics/refresh",
    auth=WRITE_AUTH,
    response={202: JobOut, **WRITE_ERRORS},
    url_name="analytics_refresh",
)
def post_refresh(request: ApiRequest, payload: RefreshIn):
    """Have the worker take in the changes since the last refresh, or rebuild the store whole
    (`full`): answers 202 with the job (a refresh already waiting is answered instead)."""
    if not can_administer(request.auth):
        raise Forbidden(
            "only administrators refresh the analytics store", "Chỉ quản trị viên làm mới kho phân tích"
        )
    job = request_refresh(full=payload.full, user=request.auth)
    job.refresh_from_db()
    return Status(202, job_out(job, may_retry=True))


def _number(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return -1
