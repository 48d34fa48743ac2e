"""Pieces every API router shares: bounded paging, the error shape, who is asking."""

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000


class Paging(Schema):
    limit: int = Field(100, ge=0, le=MAX_LIMIT, description=f"items per page, at most {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="items to skip")


class ProblemOut(Schema):
    field: str
    message: str
    message_en: str = ""
    message_vi: str = ""
    row: int | None = None


class ErrorOut(Schema):
    detail: str
    detail_vi: str
    errors: list[ProblemOut]


# Error answers every operation may give; listed in the OpenAPI schema.
ERRORS = {400: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def page(items: QuerySet | list, *, limit: int, offset: int) -> tuple[int, list]:
    limit = max(0, min(limit, MAX_LIMIT))
    offset = max(0, min(offset, MAX_OFFSET))
    count = items.count() if isinstance(items, QuerySet) else len(items)
    return count, list(items[offset : offset + limit])
