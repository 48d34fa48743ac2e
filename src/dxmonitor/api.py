"""The JSON API under /api/v1/, with OpenAPI docs at /api/docs."""

from http import HTTPStatus

from django.db import DatabaseError
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from dxmonitor.accounts.api import router as accounts_router
from dxmonitor.analytics.api import router as analytics_router
from dxmonitor.analytics.scores_api import router as scores_router
from dxmonitor.assessment.api import router as assessment_router
from dxmonitor.catalog.api import router as catalog_router
from dxmonitor.collection.api import router as collection_router
from dxmonitor.collection.bulk_api import router as bulk_router
from dxmonitor.collection.checks_api import router as checks_router
from dxmonitor.collection.dhis2_api import dhis2_router
from dxmonitor.common import bounded_json
from dxmonitor.common.errors import DomainError
from dxmonitor.common.hygiene import refuse_control
from dxmonitor.common.retry import Busy, is_transient
from dxmonitor.dashboard.api import router as dashboard_router
from dxmonitor.extraction.api import router as extraction_router
from dxmonitor.files.api import router as files_router
from dxmonitor.geo.api import router as geo_router
from dxmonitor.jobs.api import router as jobs_router
from dxmonitor.portal.api import router as portal_router
from dxmonitor.reports.api import router as reports_router
from dxmonitor.signing.api import router as signing_router
from dxmonitor.web.api import router as web_router
from dxmonitor.workflow.api import router as workflow_router


class CachedSchemaAPI(NinjaAPI):
    """The OpenAPI schema depends on the code only, yet takes seconds to build for every path:
    build it once per process and prefix, so the docs page opens at once."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_schemas", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return cache[path_prefix]


class BoundedParser(Parser):
    """JSON bodies measured against DXM_JSON_MAX_DEPTH and DXM_JSON_MAX_TOKENS before json.loads,
    and refused when a text holds a control character."""

    def parse_body(self, request: HttpRequest):
        data = bounded_json.loads(request.body)
        refuse_control(data)  # every text field of every body, before a schema sees it
        return data


api = CachedSchemaAPI(
    parser=BoundedParser(),
    title="dxmonitor API",
    version="1",
    description=(
        "Digital-transformation indicators of Vietnamese local governments: administrative units "
        "(before and after the 2025 reorganisation), the indicator catalogue, values with provenance. "
        "Every page of the web interface has its twin here. Reads are public; writes take a bearer "
        "token (`Authorization: Bearer dxm_…`) or a logged-in session with its CSRF token."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/v1/openapi.json",
)
api.add_router("/v1/", web_router)
api.add_router("/v1/", geo_router)
api.add_router("/v1/", catalog_router)
# Before the values router: /values/export must not be read as /values/{value_id}.
api.add_router("/v1/", files_router)
api.add_router("/v1/", collection_router)
api.add_router("/v1/", accounts_router)
api.add_router("/v1/", workflow_router)
api.add_router("/v1/", checks_router)
api.add_router("/v1/", bulk_router)
api.add_router("/v1/", analytics_router)
api.add_router("/v1/", scores_router)
api.add_router("/v1/", extraction_router)
api.add_router("/v1/", dashboard_router)
api.add_router("/v1/", portal_router)
api.add_router("/v1/", signing_router)
api.add_router("/v1/", reports_router)
api.add_router("/v1/", jobs_router)
api.add_router("/v1/", assessment_router)
# DHIS2's own paths (/api/dataValueSets…), so that DHIS2 integrations post here unchanged.
api.add_router("/", dhis2_router)


def _error(request: HttpRequest, body: dict, *, status: int):
    # At DHIS2's paths an error is also DHIS2's WebMessage, so that DHIS2 clients show its message.
    if getattr(request, "dhis2", False):
        body = {
            "httpStatus": HTTPStatus(status).phrase,
            "httpStatusCode": status,
            "status": "ERROR",
            "message": body["detail"],
            **body,
        }
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    response = _error(
        request,
        {
            "detail": exc.message_en,
            "detail_vi": exc.message_vi,
            "errors": [p.as_dict() for p in exc.problems],
        },
        status=exc.status,
    )
    if isinstance(exc, Busy):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(DatabaseError)
def database_error(request: HttpRequest, exc: DatabaseError):
    # A write that met concurrent writers and was not retried where it ran: the client sends it
    # again. Any other database failure stays a server error.
    if not is_transient(exc):
        raise exc
    return domain_error(request, Busy())


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError):
    # A missing or failed credential is 401 with the schemes the operation accepts, so that
    # clients (DHIS2's among them) know to send or fix their credentials; a credential that
    # works but lacks the right stays 403 (Forbidden).
    sent = bool(request.headers.get("Authorization"))
    response = _error(
        request,
        {
            "detail": "the credentials are wrong" if sent else "authentication is required",
            "detail_vi": "Thông tin xác thực không đúng" if sent else "Cần đăng nhập hoặc gửi mã truy cập",
            "errors": [],
        },
        status=401,
    )
    schemes = getattr(request, "auth_challenges", None) or ["Bearer"]
    response["WWW-Authenticate"] = ", ".join(f'{scheme} realm="dxmonitor"' for scheme in schemes)
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    # django-ninja words every body it cannot parse the same way; the limit a body passed is
    # worth saying.
    if isinstance(exc.__cause__, DomainError):
        return domain_error(request, exc.__cause__)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    # Malformed parameters (a date that is not a date, a word where a number goes) are the
    # client's mistake: 400 with the field, like every other bad input.
    errors = [{"field": _field(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
    first = errors[0] if errors else {"field": "", "message": "invalid input"}
    return _error(
        request,
        {
            "detail": f"{first['field']}: {first['message']}" if first["field"] else first["message"],
            "detail_vi": "Tham số không hợp lệ: " + (first["field"] or first["message"]),
            "errors": errors,
        },
        status=400,
    )


def _field(loc: tuple) -> str:
    """("body", "payload", "unit_code") → "unit_code": the name the client sent."""
    parts = [str(p) for p in loc]
    skip = 2 if parts[:1] == ["body"] and len(parts) > 2 else 1
    return ".".join(parts[skip:])
