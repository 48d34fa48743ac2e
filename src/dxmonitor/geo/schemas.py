"""The shapes units take in the API and in the village contract."""

import datetime

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from .models import Succession, Unit, UnitType


class UnitBrief(Schema):
    id: int
    code: str
    name: str
    level: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    unit_type: str
    unit_type_label: str
    level: str
    structure: str
    parent: UnitBrief | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    latitude: float | None
    longitude: float | None
    area_km2: float | None
    synthetic: bool
    url: str
    api_url: str


class SuccessionOut(Schema):
    unit: UnitBrief
    weight: float
    weight_method: str
    is_primary: bool
    effective_on: datetime.date
    legal_basis: str


class UnitDetailOut(UnitOut):
    ancestors: list[UnitBrief]
    children_count: int
    children: list[UnitBrief]
    predecessors: list[SuccessionOut]
    successors: list[SuccessionOut]


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


class VillageIn(Schema):
    name: str = Field(..., max_length=160)
    unit_type: str = Field(UnitType.THON, max_length=16)
    code: str = Field("", max_length=24)
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)


def unit_brief(unit: Unit) -> dict:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
    }


def unit_out(unit: Unit) -> dict:
    parent = unit.parent if unit.parent_id else None
    return {
        **unit_brief(unit),
        "short_name": unit.short_name,
        "unit_type": unit.unit_type,
        "unit_type_label": UnitType(unit.unit_type).label
        if unit.unit_type in UnitType.values
        else unit.unit_type,
        "structure": unit.structure,
        "parent": unit_brief(parent) if parent else None,
        "latitude": unit.latitude,
        "longitude": unit.longitude,
        "area_km2": unit.area_km2,
        "synthetic": unit.is_synthetic,
        "url": reverse("web:unit", args=[unit.pk]),
        "api_url": reverse("api:unit_detail", args=[unit.pk]),
    }


def succession_out(link: Succession, *, forward: bool) -> dict:
    other = link.successor if forward else link.predecessor
    return {
        "unit": unit_brief(other),
        "weight": link.weight,
        "weight_method": link.weight_method,
        "is_primary": link.is_primary,
        "effective_on": link.effective_on,
        "legal_basis": link.legal_basis,
    }
