"""JSON API for the indicator catalogue: the twin of the indicator pages."""

from ninja import Query, Router, Status

from dxmonitor.accounts.api import WRITE_AUTH, is_signed_in
from dxmonitor.accounts.queries import can_administer
from dxmonitor.common.api import ERRORS, WRITE_ERRORS
from dxmonitor.common.errors import Forbidden, NotFound
from dxmonitor.common.language import current_language
from dxmonitor.common.users import ApiRequest

from . import queries
from .actions import create_indicator, update_indicator
from .models import Indicator
from .schemas import (
    GroupOut,
    IndicatorChangeOut,
    IndicatorIn,
    IndicatorOut,
    IndicatorPage,
    IndicatorPatch,
    indicator_out,
)

router = Router(tags=["indicators"])


def require_indicator(code: str) -> Indicator:
    indicator = queries.get_indicator(code)
    if indicator is None:
        raise NotFound(f"unknown indicator {code}", f"Không có chỉ tiêu {code}", field="indicator")
    return indicator


def require_admin(request: ApiRequest) -> None:
    if not can_administer(request.auth):
        raise Forbidden(
            "only administrators can change the catalogue",
            "Chỉ quản trị viên được sửa danh mục chỉ tiêu",
        )


@router.get("/indicator-groups", response={200: list[GroupOut], **ERRORS}, url_name="indicator_groups")
def list_groups(request: ApiRequest):
    return list(queries.groups())


@router.get("/indicators", response={200: IndicatorPage, **ERRORS}, url_name="indicators")
def list_indicators(
    request: ApiRequest,
    group: str | None = Query(None, max_length=12),
    q: str | None = Query(None, max_length=200),
    include_retired: bool = False,
):
    """The whole catalogue, or one group, or a diacritic-insensitive search."""
    found = list(queries.filter_indicators(group=group, q=q, active=None if include_retired else True))
    language = current_language()
    return {"count": len(found), "items": [indicator_out(i, language=language) for i in found]}


@router.get("/indicators/{code}", response={200: IndicatorOut, **ERRORS}, url_name="indicator_detail")
def indicator_detail(request: ApiRequest, code: str):
    return indicator_out(require_indicator(code), language=current_language())


@router.get(
    "/indicators/{code}/history",
    response={200: list[IndicatorChangeOut], **ERRORS},
    url_name="indicator_history",
)
def indicator_history(request: ApiRequest, code: str):
    """Every change to the definition; who made it is shown to signed-in users and token holders."""
    indicator = require_indicator(code)
    people = is_signed_in(request)
    return [
        {
            "changed_at": c.changed_at.isoformat(),
            "changed_by": c.changed_by.username if c.changed_by and people else None,
            "channel": c.channel,
            "action": c.action,
            "changes": c.changes,
        }
        for c in indicator.changes.select_related("changed_by")
    ]


@router.post(
    "/indicators", response={201: IndicatorOut, **WRITE_ERRORS}, auth=WRITE_AUTH, url_name="indicator_create"
)
def add_indicator(request: ApiRequest, payload: IndicatorIn):
    """Add an indicator to the catalogue. Administrators only."""
    require_admin(request)
    indicator = create_indicator(data=payload, user=request.auth, channel="api")
    return Status(201, indicator_out(require_indicator(indicator.code)))


@router.patch(
    "/indicators/{code}",
    response={200: IndicatorOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="indicator_update",
)
def change_indicator(request: ApiRequest, code: str, payload: IndicatorPatch):
    """Change some fields of an indicator; `targets`, when given, replaces the national targets."""
    require_admin(request)
    update_indicator(code=code, data=payload, user=request.auth, channel="api")
    return indicator_out(require_indicator(code))
