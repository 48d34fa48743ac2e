"""DHIS2's Web API at DHIS2's paths, for clients and integrations written for DHIS2.

Routes are registered once at `/api/…`; `dhis2_paths.Dhis2PathMiddleware` brings DHIS2's other
spellings (`/api/40/…`, a trailing slash, `.json`/`.csv`/`.xml`/`.adx`) to them. Answers follow
DHIS2 2.38 and later: imports in a WebMessage (`httpStatus`, `httpStatusCode`, `status`,
`message`, `response`), whose `response` is the ImportSummary.
"""

import datetime
import json
import uuid
from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from dxmonitor.accounts.client_auth import BULK_AUTH
from dxmonitor.accounts.permissions import ENTER, grants
from dxmonitor.accounts.queries import can_administer
from dxmonitor.common.api import WRITE_ERRORS, ErrorOut
from dxmonitor.common.errors import DomainError
from dxmonitor.common.retry import RETRY_AFTER
from dxmonitor.common.users import ApiRequest

from .bulk_api import BODY_DOC, BulkQuery, ImportSummaryOut, submit
from .dhis2_export import ExportQuery, ExportRefused, export_rows
from .dhis2_formats import MEDIA, write
from .dhis2_single import delete_one, read_one, write_one
from .dhis2_summary import refused_summary
from .jobs import get_job
from .models import ImportJob

dhis2_router = Router(tags=["DHIS2"])

# The DHIS2 release whose Web API behaviour these routes follow (WebMessage answers).
DHIS2_VERSION = "2.40.0"


class Dhis2Query(BulkQuery):
    preheatCache: bool | None = Field(None, description="ignored")
    skipAudit: bool | None = Field(None, description="ignored")
    skipExistingCheck: bool | None = Field(None, description="ignored")


class ImportMessageOut(Schema):
    httpStatus: str
    httpStatusCode: int
    status: str
    message: str
    response: ImportSummaryOut


class Dhis2JobOut(Schema):
    responseType: str
    name: str
    id: str
    created: datetime.datetime
    jobType: str
    jobStatus: str
    jobParameters: dict | None
    relativeNotifierEndpoint: str


class JobMessageOut(Schema):
    httpStatus: str
    httpStatusCode: int
    status: str
    message: str
    response: Dhis2JobOut


def web_message(*, status: int, summary: dict) -> dict:
    """An ImportSummary in DHIS2's WebMessage: 200 OK when clean, 409 with WARNING when some
    values were refused, 409 (or the refusal's own status) with ERROR when none could be kept."""
    if summary.get("status") == "ERROR":
        state, message = "ERROR", "An error occurred, please check import summary."
        status = status if status >= 400 else 409
    elif summary.get("conflicts"):
        state, message, status = (
            "WARNING",
            "One more conflicts encountered, please check import summary.",
            409,
        )
    else:
        state, message = "OK", "Import was successful."
    return {
        "httpStatus": HTTPStatus(status).phrase,
        "httpStatusCode": status,
        "status": state,
        "message": message,
        "response": summary,
    }


IMPORT_RESPONSES = {
    200: ImportMessageOut | JobMessageOut,
    409: ImportMessageOut,
    413: ImportMessageOut,
    415: ImportMessageOut,
    503: ImportMessageOut,
    **WRITE_ERRORS,
}


def suffix_of(request: ApiRequest) -> str:
    return getattr(request, "dhis2_suffix", "")


@dhis2_router.post(
    "/dataValueSets",
    response=IMPORT_RESPONSES,
    auth=BULK_AUTH,
    url_name="dhis2_data_value_sets",
    openapi_extra=BODY_DOC,
)
def dhis2_post_data_value_sets(request: ApiRequest, response: HttpResponse, options: Query[Dhis2Query]):
    """DHIS2's import of data values (also `/api/NN/dataValueSets`, a trailing slash, `.json`,
    `.csv`): DHIS2 JSON or CSV by Content-Type, authenticated by HTTP Basic, `ApiToken` or
    `Bearer`. Answers a WebMessage holding the ImportSummary. Large payloads are imported while
    the client waits (streamed, memory stays flat) unless `async=true`."""
    status, body, _fmt = submit(request, options, suffix=suffix_of(request), dhis2=True)
    if status == 202:
        # DHIS2 answers an async import with 200 and the job to follow at system/tasks.
        notifier = f"/api/system/tasks/DATAVALUE_IMPORT/{body['id']}"
        response["Location"] = notifier
        return Status(
            200,
            {
                "httpStatus": "OK",
                "httpStatusCode": 200,
                "status": "OK",
                "message": "Initiated DATAVALUE_IMPORT",
                "response": {
                    "responseType": "JobConfigurationWebMessageResponse",
                    "name": "DATAVALUE_IMPORT",
                    "id": body["id"],
                    "created": body["created_at"],
                    "jobType": "DATAVALUE_IMPORT",
                    "jobStatus": "SCHEDULED",
                    "jobParameters": None,
                    "relativeNotifierEndpoint": notifier,
                },
            },
        )
    message = web_message(status=status, summary=body)
    if status == 503:
        # Other writers held the same figures through every try: nothing was written.
        response["Retry-After"] = str(RETRY_AFTER)
    return Status(message["httpStatusCode"], message)


class SystemInfoOut(Schema):
    version: str
    revision: str
    buildTime: str
    serverDate: str
    serverTimeZoneId: str
    serverTimeZoneDisplayName: str
    calendar: str
    dateFormat: str
    contextPath: str
    systemName: str
    systemId: str
    instanceBaseUrl: str


@dhis2_router.get("/system/info", response={200: SystemInfoOut, **WRITE_ERRORS}, auth=BULK_AUTH)
def system_info(request: ApiRequest):
    """DHIS2's system information, for clients that check the server before they import:
    `version` is the DHIS2 release whose Web API these paths follow."""
    now = timezone.localtime()
    base = request.build_absolute_uri("/").rstrip("/")
    return {
        "version": DHIS2_VERSION,
        "revision": "dxmonitor",
        "buildTime": "2026-01-01T00:00:00.000",
        "serverDate": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}",
        "serverTimeZoneId": settings.TIME_ZONE,
        "serverTimeZoneDisplayName": settings.TIME_ZONE,
        "calendar": "iso8601",
        "dateFormat": "yyyy-mm-dd",
        "contextPath": base,
        "systemName": "dxmonitor",
        "systemId": "dxmonitor",
        "instanceBaseUrl": base,
    }


@dhis2_router.get(
    "/system/ping",
    response={200: str},
    openapi_extra={
        "responses": {200: {"description": "pong", "content": {"text/plain": {"schema": {"type": "string"}}}}}
    },
)
def system_ping(request: ApiRequest):
    """`pong`, without authentication: the server is up."""
    return HttpResponse("pong", content_type="text/plain")


class OrgUnitRefOut(Schema):
    id: str


class UserCredentialsOut(Schema):
    username: str


class MeOut(Schema):
    id: str
    username: str
    name: str
    displayName: str
    firstName: str
    surname: str
    email: str
    authorities: list[str]
    organisationUnits: list[OrgUnitRefOut]
    userCredentials: UserCredentialsOut
    created: datetime.datetime | None


@dhis2_router.get("/me", response={200: MeOut, **WRITE_ERRORS}, auth=BULK_AUTH)
def me(request: ApiRequest):
    """The account the credentials belong to, as DHIS2's `/api/me` shows it: `authorities` says
    what it may do here (`ALL` for administrators, `F_DATAVALUE_ADD` for data entry)."""
    user = request.auth
    found = grants(user)
    if can_administer(user):
        authorities = ["ALL", "F_DATAVALUE_ADD", "F_DATAVALUE_DELETE"]
    elif found.everything or found.paths(ENTER):
        authorities = ["F_DATAVALUE_ADD", "F_DATAVALUE_DELETE"]
    else:
        authorities = []
    name = user.get_full_name() or user.get_username()
    return {
        "id": str(user.pk),
        "username": user.get_username(),
        "name": name,
        "displayName": name,
        "firstName": user.first_name,
        "surname": user.last_name,
        "email": user.email,
        "authorities": authorities,
        "organisationUnits": [],
        "userCredentials": {"username": user.get_username()},
        "created": user.date_joined,
    }


class ExportFilter(Schema):
    dataSet: list[str] = Field([], description="data set codes (dxmonitor's)")
    dataElement: list[str] = Field([], description="mapped DHIS2 data elements")
    period: list[str] = Field([], description="periods: 2024, 2024Q3, 202409")
    startDate: datetime.date | None = None
    endDate: datetime.date | None = None
    orgUnit: list[str] = Field([], description="mapped DHIS2 org units or dxmonitor unit codes")
    children: bool = Field(False, description="also the units under each orgUnit")
    format: str | None = Field(
        None, max_length=8, description="json, csv, xml or adx (else the suffix or Accept)"
    )


def _split(values: list[str]) -> list[str]:
    return [part.strip()[:64] for value in values for part in value.split(",") if part.strip()][:1000]


ACCEPTS = (("adx", "adx"), ("csv", "csv"), ("xml", "xml"), ("json", "json"))


def export_format(request: ApiRequest, requested: str | None) -> str:
    chosen = (requested or suffix_of(request) or "").lower()
    if not chosen:
        accept = request.headers.get("Accept", "").lower()
        chosen = next((fmt for word, fmt in ACCEPTS if word in accept), "json")
    if chosen not in MEDIA:
        raise ExportRefused(
            f"format {chosen} is not supported: json, csv, xml or adx",
            f"Không hỗ trợ định dạng {chosen}: json, csv, xml hoặc adx",
            field="format",
        )
    return chosen


def export_response(request: ApiRequest, filters: ExportFilter) -> StreamingHttpResponse:
    fmt = export_format(request, filters.format)
    data_sets = _split(filters.dataSet)
    rows = export_rows(
        query=ExportQuery(
            data_sets=data_sets,
            data_elements=_split(filters.dataElement),
            periods=_split(filters.period),
            start=filters.startDate,
            end=filters.endDate,
            org_units=_split(filters.orgUnit),
            children=filters.children,
        )
    )
    data_set = data_sets[0] if len(data_sets) == 1 else ""
    return StreamingHttpResponse(write(fmt, rows, data_set=data_set), content_type=MEDIA[fmt])


EXPORT_DOC = {
    "responses": {
        200: {
            "description": "the data values",
            "content": {media.split(";")[0]: {"schema": {"type": "string"}} for media in MEDIA.values()},
        }
    }
}


@dhis2_router.get(
    "/dataValueSets",
    response={200: str, 409: ErrorOut, **WRITE_ERRORS},
    auth=BULK_AUTH,
    url_name="dhis2_export",
    openapi_extra=EXPORT_DOC,
)
def dhis2_get_data_value_sets(request: ApiRequest, filters: Query[ExportFilter]):
    """Values out as DHIS2 data values (JSON, CSV, XML or ADX by `format`, the path's suffix or
    `Accept`): by data set or data element, period or date range, org unit (with `children`)."""
    return export_response(request, filters)


class SingleQuery(Schema):
    de: str | None = Field(None, max_length=64)
    pe: str | None = Field(None, max_length=16)
    ou: str | None = Field(None, max_length=64)
    co: str | None = Field(None, max_length=64)
    cc: str | None = Field(None, max_length=64)
    cp: str | None = Field(None, max_length=200)
    value: str | None = Field(None, max_length=200)
    comment: str | None = Field(None, max_length=2000)


def _single(request: ApiRequest, query: SingleQuery) -> dict[str, str | None]:
    """The value's fields from the query, a form or a JSON body (DHIS2 takes all three)."""
    found: dict[str, str | None] = {
        "de": query.de,
        "pe": query.pe,
        "ou": query.ou,
        "co": query.co or "",
        "value": query.value,
        "comment": query.comment or "",
    }
    kind = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    if request.method == "POST" and kind == "application/json":
        if len(request.body) > SINGLE_BODY_BYTES:
            raise DomainError(
                "the body is too large for one value", "Dữ liệu quá lớn cho một giá trị", field="body"
            )
        try:
            body = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise DomainError(
                "the body is not valid JSON", "Dữ liệu không phải JSON hợp lệ", field="body"
            ) from exc
        if not isinstance(body, dict):
            raise DomainError(
                "the body must be a JSON object", "Dữ liệu phải là một đối tượng JSON", field="body"
            )
        for key, name in JSON_KEYS.items():
            if body.get(name) is not None:
                found[key] = str(body[name])[:2000]
    elif request.method == "POST" and kind == "application/x-www-form-urlencoded":
        for key in found:
            if request.POST.get(key) is not None:
                found[key] = request.POST[key][:2000]
    missing = [name for name in ("de", "pe", "ou") if not found[name]]
    if missing:
        raise DomainError(
            f"Required parameters missing: {', '.join(missing)}",
            f"Thiếu tham số: {', '.join(missing)}",
            field=missing[0],
        )
    return found


SINGLE_BODY_BYTES = 64 * 1024
JSON_KEYS = {
    "de": "dataElement",
    "pe": "period",
    "ou": "orgUnit",
    "co": "categoryOptionCombo",
    "value": "value",
    "comment": "comment",
}
SINGLE_ERRORS = {409: ErrorOut, **WRITE_ERRORS}


@dhis2_router.get(
    "/dataValues", response={200: list[str], **SINGLE_ERRORS}, auth=BULK_AUTH, url_name="dhis2_value"
)
def dhis2_get_value(request: ApiRequest, query: Query[SingleQuery]):
    """One value as DHIS2 gives it: `["12"]`; 409 when there is none."""
    found = _single(request, query)
    return [read_one(data_element=found["de"], period=found["pe"], org_unit=found["ou"], combo=found["co"])]


@dhis2_router.post("/dataValues", response={201: None, **SINGLE_ERRORS}, auth=BULK_AUTH)
def dhis2_post_value(request: ApiRequest, query: Query[SingleQuery]):
    """Create or update one value (`de`, `pe`, `ou`, `co`, `value`, `comment` in the query, a form or
    DHIS2's JSON keys); an empty value deletes it. 201, or 409 with the conflict."""
    found = _single(request, query)
    write_one(
        user=request.auth,
        data_element=found["de"],
        period=found["pe"],
        org_unit=found["ou"],
        combo=found["co"],
        value=found["value"],
        comment=found["comment"],
        api_client=getattr(request, "api_client", "") or "session",
    )
    return Status(201, None)


@dhis2_router.delete("/dataValues", response={204: None, **SINGLE_ERRORS}, auth=BULK_AUTH)
def dhis2_delete_value(request: ApiRequest, query: Query[SingleQuery]):
    """Delete one value (soft, with its history kept); 204, or 409 when there is none."""
    found = _single(request, query)
    delete_one(
        user=request.auth,
        data_element=found["de"],
        period=found["pe"],
        org_unit=found["ou"],
        combo=found["co"],
        api_client=getattr(request, "api_client", "") or "session",
    )
    return Status(204, None)


class NotificationOut(Schema):
    uid: str
    id: str
    level: str
    category: str
    time: datetime.datetime
    message: str
    completed: bool
    dataType: str | None = None


def _import_job(request: ApiRequest, job_id: uuid.UUID):
    return get_job(job_id=job_id, user=request.auth)


@dhis2_router.get(
    "/system/tasks/DATAVALUE_IMPORT/{job_id}",
    response={200: list[NotificationOut], **WRITE_ERRORS},
    auth=BULK_AUTH,
    url_name="dhis2_task",
)
def dhis2_task(request: ApiRequest, job_id: uuid.UUID):
    """An async import's notifications, newest first, as DHIS2 gives them; the last one has
    `completed` true once the import ended (`level` `ERROR` when it failed)."""
    job = _import_job(request, job_id)
    base = {"category": "DATAVALUE_IMPORT", "dataType": None}
    notes = [
        {**base, "level": "INFO", "time": job.created_at, "message": "Import queued", "completed": False}
    ]
    if job.status != ImportJob.Status.QUEUED:
        progress = f"Importing data values: {job.processed} of {job.total}"
        notes.append(
            {**base, "level": "INFO", "time": job.created_at, "message": progress, "completed": False}
        )
    if job.status == ImportJob.Status.DONE:
        notes.append(
            {
                **base,
                "level": "INFO",
                "time": job.finished_at or job.created_at,
                "message": "Import done",
                "completed": True,
                "dataType": "PARAMETERS",
            }
        )
    elif job.status == ImportJob.Status.FAILED:
        when = job.finished_at or job.created_at
        notes.append({**base, "level": "ERROR", "time": when, "message": job.error, "completed": True})
    return [
        {**note, "uid": f"{job.pk}-{n}", "id": f"{job.pk}-{n}"}
        for n, note in reversed(list(enumerate(notes)))
    ]


@dhis2_router.get(
    "/system/taskSummaries/DATAVALUE_IMPORT/{job_id}",
    response={200: ImportSummaryOut, 409: ErrorOut, **WRITE_ERRORS},
    auth=BULK_AUTH,
    url_name="dhis2_task_summary",
)
def dhis2_task_summary(request: ApiRequest, job_id: uuid.UUID):
    """An async import's ImportSummary once it ended (409 while it runs)."""
    job = _import_job(request, job_id)
    if job.status == ImportJob.Status.DONE and job.summary:
        return job.summary
    if job.status == ImportJob.Status.FAILED:
        return refused_summary(
            DomainError(job.error or "the import failed", job.error or "Lượt nhập thất bại", field="body"),
            dry_run=job.dry_run,
        )
    raise ExportRefused(
        "the import has not ended yet; follow it at system/tasks", "Lượt nhập chưa xong", field="job"
    )
