"""DHIS2's spellings of one path, brought to the one route that answers them.

DHIS2 clients call `/api/40/dataValueSets`, `/api/dataValueSets/`, `/api/dataValueSets.csv` or
`/api/29/system/info.json` for the same resource. Outside the product's own `/api/v1/` (and the
docs), this middleware drops the version segment and a trailing slash and turns a format suffix
into `request.dhis2_suffix` before the URL is resolved, so each DHIS2 operation is one route and
one entry of the OpenAPI document.
"""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_VERSION = re.compile(r"^/api/(\d{2})(/|$)")
SUFFIXES = ("json", "csv", "xml", "adx")
_SUFFIX = re.compile(r"\.(json|csv|xml|adx)$", re.IGNORECASE)
OWN = ("/api/v1/", "/api/docs")


def dhis2_path(path: str) -> tuple[str, str] | None:
    """The route's path and the format suffix of a DHIS2 path; None for the product's own paths."""
    if not path.startswith("/api/") or path.startswith(OWN):
        return None
    found = _VERSION.match(path)
    if found:
        path = "/api/" + path[found.end() :]
    if len(path) > len("/api/") and path.endswith("/"):
        path = path.rstrip("/")
    suffix = ""
    match = _SUFFIX.search(path)
    if match:
        suffix = match.group(1).lower()
        path = path[: match.start()]
    return path, suffix


class Dhis2PathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = dhis2_path(request.path_info)
        if found is not None:
            request.path_info, request.dhis2_suffix = found  # type: ignore[attr-defined]
            request.dhis2 = True  # type: ignore[attr-defined]
        return self.get_response(request)
