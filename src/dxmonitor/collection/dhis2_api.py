"""DHIS2's Web API at DHIS2's paths, for clients and integrations written for DHIS2.

Routes are registered once at `/api/…`; `dhis2_paths.Dhis2PathMiddleware` brings DHIS2's other
spellings (`/api/40/…`, a trailing slash, `.json`/`.csv`/`.xml`/`.adx`) to them. Answers follow
DHIS2 2.38 and later: imports in a WebMessage (`httpStatus`, `httpStatusCode`, `status`,
`message`, `response`), whose `response` is the ImportSummary.
"""

import datetime
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from dxmonitor.accounts.client_auth import BULK_AUTH
from dxmonitor.accounts.permissions import ENTER, grants
from dxmonitor.accounts.queries import can_administer
from dxmonitor.common.api import WRITE_ERRORS
from dxmonitor.common.retry import RETRY_AFTER

from .bulk_api import BODY_DOC, BulkQuery, ImportJobOut, ImportSummaryOut, submit

dhis2_router = Router(tags=["DHIS2"])

# The DHIS2 release whose Web API behaviour these routes follow (WebMessage answers).
DHIS2_VERSION = "2.40.0"


class Dhis2Query(BulkQuery):
    atomicMode: str | None = Field(None, max_length=12, description="NONE (default)")
    preheatCache: bool | None = Field(None, description="ignored")
    skipAudit: bool | None = Field(None, description="ignored")
    skipExistingCheck: bool | None = Field(None, description="ignored")


class ImportMessageOut(Schema):
    httpStatus: str
    httpStatusCode: int
    status: str
    message: str
    response: ImportSummaryOut


class JobMessageOut(Schema):
    httpStatus: str
    httpStatusCode: int
    status: str
    message: str
    response: ImportJobOut


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
    200: ImportMessageOut,
    202: JobMessageOut,
    409: ImportMessageOut,
    413: ImportMessageOut,
    415: ImportMessageOut,
    503: ImportMessageOut,
    **WRITE_ERRORS,
}


def suffix_of(request: HttpRequest) -> str:
    return getattr(request, "dhis2_suffix", "")


@dhis2_router.post(
    "/dataValueSets",
    response=IMPORT_RESPONSES,
    auth=BULK_AUTH,
    url_name="dhis2_data_value_sets",
    openapi_extra=BODY_DOC,
)
def dhis2_post_data_value_sets(request: HttpRequest, response: HttpResponse, options: Query[Dhis2Query]):
    """DHIS2's import of data values (also `/api/NN/dataValueSets`, a trailing slash, `.json`,
    `.csv`): DHIS2 JSON or CSV by Content-Type, authenticated by HTTP Basic, `ApiToken` or
    `Bearer`. Answers a WebMessage holding the ImportSummary. Large payloads are imported while
    the client waits (streamed, memory stays flat) unless `async=true`."""
    status, body, _fmt = submit(request, options, suffix=suffix_of(request), dhis2=True)
    if status == 202:
        response["Location"] = body["status_url"]
        return Status(
            202,
            {
                "httpStatus": HTTPStatus(202).phrase,
                "httpStatusCode": 202,
                "status": "OK",
                "message": "Initiated DATAVALUE_IMPORT",
                "response": body,
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
def system_info(request: HttpRequest):
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
def system_ping(request: HttpRequest):
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
def me(request: HttpRequest):
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
