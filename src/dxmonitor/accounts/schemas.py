"""The shapes of users and roles in the API."""

import datetime

from ninja import Schema
from pydantic import Field


class RoleIn(Schema):
    role: str = Field(..., max_length=12, description="data_entry, approver, analyst or admin")
    unit_id: int | None = Field(None, gt=0, lt=2**63)
    unit_code: str | None = Field(None, max_length=24, description="GSO code of a unit in force on `as_of`")
    as_of: datetime.date | None = None


class RoleUnitOut(Schema):
    id: int
    code: str
    name: str
    level: str


class RoleOut(Schema):
    role: str
    unit: RoleUnitOut | None
    granted_at: datetime.datetime


class UserOut(Schema):
    username: str
    is_active: bool
    is_superuser: bool
    roles: list[RoleOut]
    active_tokens: int


def user_out(user, *, active_tokens: int) -> dict:
    return {
        "username": user.username,
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
        "roles": [
            {
                "role": a.role,
                "unit": {"id": a.unit.pk, "code": a.unit.code, "name": a.unit.name, "level": a.unit.level}
                if a.unit_id
                else None,
                "granted_at": a.granted_at,
            }
            for a in user.roles.all()
        ],
        "active_tokens": active_tokens,
    }
