"""JSON twins of the data-entry pages, and report submission for machine clients."""

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dxmonitor.accounts.api import WRITE_AUTH, requester
from dxmonitor.common.api import WRITE_ERRORS, ErrorOut, Paging, page
from dxmonitor.common.errors import DomainError, Forbidden, NotFound
from dxmonitor.common.language import current_language
from dxmonitor.common.users import ApiRequest
from dxmonitor.geo.api import get_unit

from . import approval, queries
from .actions import submit_report
from .inbox import inbox
from .offline import bundle
from .schemas import CollectOut, InboxOut, ReportFormOut, form_out, inbox_out, overview_out

router = Router(tags=["data entry"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class NotSignedIn(DomainError):
    status = 401


class CollectFilter(Paging):
    q: str = Field("", max_length=120, description="part of a commune's name, diacritics optional")


def language() -> str:
    return current_language()


def _user(request: ApiRequest):
    user = requester(request)
    if user is None:
        raise NotSignedIn(
            "sign in or send a bearer token to see reports",
            "Cần đăng nhập hoặc gửi mã truy cập để xem báo cáo",
        )
    return user


@router.get("/collect", response={200: CollectOut, **READ_ERRORS}, url_name="collect")
def collect(request: ApiRequest, filters: Query[CollectFilter]):
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


def _form(request: ApiRequest, dataset: str, unit_id: int, period: str, user) -> queries.ReportForm:
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
def report_detail(request: ApiRequest, dataset: str, unit_id: int, period: str):
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
def report_submit(request: ApiRequest, dataset: str, unit_id: int, period: str):
    """Submit a report. Refused (400) with every missing required figure or broken rule listed,
    (409) when the period is closed or the report was already submitted; marked late after
    the deadline."""
    user = request.auth
    form = _form(request, dataset, unit_id, period, user)
    submit_report(dataset=form.dataset, unit=form.unit, period=form.period, user=user)
    refreshed = queries.report_form(dataset=form.dataset, unit=form.unit, period=form.period, user=user)
    return form_out(refreshed, language())


class DecisionIn(Schema):
    reason: str = Field("", max_length=2000, description="why: required to return or unlock")


class ReportKey(Schema):
    dataset: str = Field(max_length=40)
    unit_id: int
    period: str = Field(max_length=8)


class BulkApproveIn(Schema):
    reports: list[ReportKey] = Field(max_length=500)
    note: str = Field("", max_length=2000)


class ReportBulkResultOut(Schema):
    dataset: str
    unit_id: int
    period: str
    approved: bool
    status: str
    error: str | None


def _report(request: ApiRequest, dataset: str, unit_id: int, period: str, user):
    form = _form(request, dataset, unit_id, period, user)
    if form.report is None:
        raise NotFound(
            f"the {form.period.code} report of {form.unit.name} has not been submitted",
            f"Báo cáo {form.period.label('vi')} của {form.unit.name} chưa được nộp",
            field="report",
        )
    return form


def _decided(request: ApiRequest, form, user):
    refreshed = queries.report_form(dataset=form.dataset, unit=form.unit, period=form.period, user=user)
    return form_out(refreshed, language())


DECISION_ERRORS = {**WRITE_ERRORS, 409: ErrorOut}


@router.post(
    "/reports/{dataset}/{unit_id}/{period}/approve",
    response={200: ReportFormOut, **DECISION_ERRORS},
    auth=WRITE_AUTH,
    url_name="report_approve",
)
def report_approve(request: ApiRequest, dataset: str, unit_id: int, period: str, payload: DecisionIn):
    """Approve a submitted report at the level it waits for; the last level locks it. Refused
    (403) outside the approver's subtree or level, (409) when it is not waiting for approval
    (already approved, returned, not submitted)."""
    user = request.auth
    form = _report(request, dataset, unit_id, period, user)
    approval.approve_report(report=form.report, user=user, note=payload.reason)
    return _decided(request, form, user)


@router.post(
    "/reports/{dataset}/{unit_id}/{period}/return",
    response={200: ReportFormOut, **DECISION_ERRORS},
    auth=WRITE_AUTH,
    url_name="report_return",
)
def report_return(request: ApiRequest, dataset: str, unit_id: int, period: str, payload: DecisionIn):
    """Return a submitted report to its unit with the reason (required)."""
    user = request.auth
    form = _report(request, dataset, unit_id, period, user)
    approval.return_report(report=form.report, user=user, reason=payload.reason)
    return _decided(request, form, user)


@router.post(
    "/reports/{dataset}/{unit_id}/{period}/unlock",
    response={200: ReportFormOut, **DECISION_ERRORS},
    auth=WRITE_AUTH,
    url_name="report_unlock",
)
def report_unlock(request: ApiRequest, dataset: str, unit_id: int, period: str, payload: DecisionIn):
    """Unlock an approved report for correction, with the reason (required); it goes back to
    its unit as returned."""
    user = request.auth
    form = _report(request, dataset, unit_id, period, user)
    approval.unlock_report(report=form.report, user=user, reason=payload.reason)
    return _decided(request, form, user)


@router.post(
    "/reports/approve",
    response={200: list[ReportBulkResultOut], **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="reports_approve",
)
def reports_approve(request: ApiRequest, payload: BulkApproveIn):
    """Approve many reports at once. Each is decided on its own: the answer says, per report,
    whether it was approved or why not."""
    user = request.auth
    results = []
    for key in payload.reports:
        try:
            form = _report(request, key.dataset, key.unit_id, key.period, user)
        except DomainError as exc:
            results.append({**key.dict(), "approved": False, "status": "", "error": exc.message_en})
            continue
        (outcome,) = approval.approve_reports(reports=[form.report], user=user, note=payload.note)
        results.append(
            {
                **key.dict(),
                "approved": outcome.error is None,
                "status": outcome.report.status,
                "error": outcome.error.message_en if outcome.error else None,
            }
        )
    return results


@router.get("/offline", response={200: dict, **READ_ERRORS}, url_name="offline")
def offline_bundle(request: ApiRequest):
    """What the entry form keeps on the requester's device to work without a connection: the
    forms of `/collect/` (open periods first), the declared rules as parsed trees, the
    single-value checks' messages, the figures the rules name, the last approved figures and
    the catalogue entries of the forms. The service worker fetches it with each visit online."""
    user = _user(request)
    return bundle(user, today=timezone.localdate(), language=language())


@router.get("/inbox", response={200: InboxOut, **READ_ERRORS}, url_name="inbox")
def inbox_detail(request: ApiRequest):
    """What waits for the requester: reports to approve at their level, reports returned to
    their units, and reports due within a week or late (twin of `/inbox/`)."""
    user = _user(request)
    return inbox_out(inbox(user, today=timezone.localdate()), language())
