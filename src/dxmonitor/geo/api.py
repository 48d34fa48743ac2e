"""JSON API for administrative units: the twin of the unit pages."""

import datetime

from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from dxmonitor.accounts.api import WRITE_AUTH
from dxmonitor.accounts.queries import can_administer
from dxmonitor.common.api import ERRORS, WRITE_ERRORS, Paging, page
from dxmonitor.common.errors import DomainError, Forbidden, NotFound
from dxmonitor.common.ids import is_id
from dxmonitor.common.tables import read_rows
from dxmonitor.common.users import ApiRequest

from . import queries
from .actions import add_village, import_villages
from .models import Level, Unit
from .schemas import (
    UnitDetailOut,
    UnitOut,
    UnitPage,
    VillageIn,
    succession_out,
    unit_brief,
    unit_out,
)

router = Router(tags=["units"])


class UnitFilter(Paging):
    level: Level | None = None
    as_of: datetime.date | None = None
    parent: int | None = None
    code: str | None = Field(None, max_length=24)
    type: str | None = Field(None, max_length=16)
    q: str | None = Field(None, max_length=200)


def get_unit(unit_id: int) -> Unit:
    unit = Unit.objects.select_related("parent").filter(pk=unit_id).first() if is_id(unit_id) else None
    if unit is None:
        raise NotFound(f"unit {unit_id} does not exist", f"Không có đơn vị hành chính {unit_id}")
    return unit


@router.get("/units", response={200: UnitPage, **ERRORS}, url_name="units")
def list_units(request: ApiRequest, filters: Query[UnitFilter]):
    """Units, filtered by level, the date they were in force, parent, code, type or name."""
    parent = get_unit(filters.parent) if filters.parent else None
    units = queries.filter_units(
        level=filters.level,
        as_of=filters.as_of,
        parent=parent,
        code=filters.code,
        unit_type=filters.type,
        q=filters.q,
    ).select_related("parent")
    count, items = page(units, limit=filters.limit, offset=filters.offset)
    return {"count": count, "items": [unit_out(u) for u in items]}


@router.get("/units/search", response={200: UnitPage, **ERRORS}, url_name="unit_search")
def search(
    request: ApiRequest,
    q: str = Query(..., max_length=200),
    as_of: datetime.date | None = None,
    level: Level | None = None,
    limit: int = Query(20, ge=1, le=100),
):
    """Name search that tolerates missing diacritics and level words: "tua chua" finds huyện Tủa Chùa."""
    hits = queries.search_units(q=q, as_of=as_of, level=level, limit=limit)
    return {"count": len(hits), "items": [unit_out(u) for u in hits]}


@router.get("/units/{unit_id}", response={200: UnitDetailOut, **ERRORS}, url_name="unit_detail")
def unit_detail(request: ApiRequest, unit_id: int):
    """One unit with its ancestors, children and succession links across the 2025 reorganisation."""
    unit = get_unit(unit_id)
    kids = list(queries.children(unit))
    return {
        **unit_out(unit),
        "ancestors": [unit_brief(a) for a in queries.ancestors(unit)],
        "children_count": len(kids),
        "children": [unit_brief(c) for c in kids],
        "predecessors": [succession_out(s, forward=False) for s in queries.predecessors(unit)],
        "successors": [succession_out(s, forward=True) for s in queries.successors(unit)],
    }


@router.get("/units/{unit_id}/descendants", response={200: UnitPage, **ERRORS}, url_name="unit_descendants")
def unit_descendants(request: ApiRequest, unit_id: int, paging: Query[Paging], level: Level | None = None):
    unit = get_unit(unit_id)
    units = queries.descendants(unit, level=level).select_related("parent").order_by("path")
    count, items = page(units, limit=paging.limit, offset=paging.offset)
    return {"count": count, "items": [unit_out(u) for u in items]}


class VillageRow(Schema):
    name: str
    code: str
    commune: str
    id: int | None = Field(None, description="empty in a dry run: nothing was saved")


class VillageImportOut(Schema):
    created: list[VillageRow]
    unchanged: int
    dry_run: bool


MAX_UPLOAD = 5 * 1024 * 1024


@router.post(
    "/villages/import",
    response={200: VillageImportOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="import_villages",
)
def upload_villages(request: ApiRequest, file: File[UploadedFile], dry_run: bool = False):
    """Add villages from a CSV file (columns commune_code, name, type[, code, latitude, longitude]).

    All or nothing: a file with problems is refused with every problem and its line. Codes mean
    the communes in force today. Administrators only.
    """
    if not can_administer(request.auth):
        raise Forbidden("only administrators can add villages", "Chỉ quản trị viên được thêm thôn, bản")
    if file.size > MAX_UPLOAD:
        raise DomainError(
            f"the file is larger than {MAX_UPLOAD // 1024 // 1024} MB",
            f"Tệp lớn hơn {MAX_UPLOAD // 1024 // 1024} MB",
            field="file",
        )
    report = import_villages(
        rows=read_rows(file.read()), on=timezone.localdate(), dry_run=dry_run, source="api"
    )
    created = [
        {"name": u.name, "code": u.code, "commune": u.parent.name, "id": None if dry_run else u.pk}
        for u in report.created
    ]
    return {"created": created, "unchanged": report.unchanged, "dry_run": report.dry_run}


@router.post(
    "/units/{unit_id}/villages",
    response={201: UnitOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="add_village",
)
def create_village(request: ApiRequest, unit_id: int, payload: VillageIn):
    """Add a village (thôn, bản, tổ dân phố) under a commune. Administrators only."""
    if not can_administer(request.auth):
        raise Forbidden("only administrators can add villages", "Chỉ quản trị viên được thêm thôn, bản")
    commune = get_unit(unit_id)
    village = add_village(
        commune=commune,
        name=payload.name,
        unit_type=payload.unit_type,
        code=payload.code,
        latitude=payload.latitude,
        longitude=payload.longitude,
        source="api",
    )
    return Status(201, unit_out(village))
