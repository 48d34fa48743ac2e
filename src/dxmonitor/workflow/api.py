"""JSON twins of the data-entry pages, and report submission for machine clients."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Query, Router
from pydantic import Field

from dxmonitor.accounts.api import WRITE_AUTH, requester
from dxmonitor.common.api import WRITE_ERRORS, ErrorOut, Paging, page
from dxmonitor.common.errors import DomainError, Forbidden
from dxmonitor.geo.api import get_unit

from . import queries
from .actions import submit_report
from .schemas import CollectOut, ReportFormOut, form_out, overview_out

router = Router(tags=["data entry"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class NotSignedIn(DomainError):
    status = 401


class CollectFilter(Paging):
    q: str = Field("", max_length=120, description="part of a commune's name, diacritics optional")


def language() -> str:
    return get_language() or "vi"


def _user(request: HttpRequest):
    user = requester(request)
    if user is None:
        raise NotSignedIn(
            "sign in or send a bearer token to see reports",
            "Cần đăng nhập hoặc gửi mã truy cập để xem báo cáo",
        )
    return user


@router.get("/collect", response={200: CollectOut, **READ_ERRORS}, url_name="collect")
def collect(request: HttpRequest, filters: Query[CollectFilter]):
    """What the requester may enter: each data set's recent periods with, per commune,
    completeness, window state and report status (twin of `/collect/`). `limit` and `offset`
    page the communes of each data set."""
    user = _user(request)
    today = timezone.localdate()
    communes = queries.entry_communes(user, today=today, q=filters.q.strip())
    datasets = []
    for dataset in queries.active_datasets():
        units = queries.reporting_communes(dataset, communes, today=today)
        count, items = page(units, limit=filters.limit, offset=filters.offset)
        overview = queries.dataset_overview(dataset, items, count=count, today=today)
        datasets.append(overview_out(overview, language()))
    return {"as_of": today, "datasets": datasets}


def _form(request: HttpRequest, dataset: str, unit_id: int, period: str, user) -> queries.ReportForm:
    found = queries.get_dataset(dataset)
    unit = get_unit(unit_id)
    parsed = queries.period_of(found, period)
    if not queries.may_read(user, unit):
        raise Forbidden(
            f"{user.get_username()} may not see the reports of {unit.name}",
            f"Tài khoản {user.get_username()} không được xem báo cáo của {unit.name}",
            field="unit",
        )
    return queries.report_form(dataset=found, unit=unit, period=parsed, user=user)


@router.get(
    "/reports/{dataset}/{unit_id}/{period}",
    response={200: ReportFormOut, **READ_ERRORS},
    url_name="report_detail",
)
def report_detail(request: HttpRequest, dataset: str, unit_id: int, period: str):
    """One report's form: indicators, values with their versions, completeness, window and
    status (twin of `/collect/{dataset}/{unit_id}/{period}/`)."""
    user = _user(request)
    return form_out(_form(request, dataset, unit_id, period, user), language())


@router.post(
    "/reports/{dataset}/{unit_id}/{period}/submit",
    response={200: ReportFormOut, **WRITE_ERRORS, 409: ErrorOut},
    auth=WRITE_AUTH,
    url_name="report_submit",
)
def report_submit(request: HttpRequest, dataset: str, unit_id: int, period: str):
    """Submit a report. Refused (400) with every missing required figure or broken rule listed,
    (409) when the period is closed or the report was already submitted; marked late after
    the deadline."""
    user = request.auth
    form = _form(request, dataset, unit_id, period, user)
    submit_report(dataset=form.dataset, unit=form.unit, period=form.period, user=user)
    refreshed = queries.report_form(dataset=form.dataset, unit=form.unit, period=form.period, user=user)
    return form_out(refreshed, language())
