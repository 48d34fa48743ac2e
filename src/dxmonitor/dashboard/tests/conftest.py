"""A small province set up through the product's own actions: two communes of one district of
Lai Châu (before 2025) reporting for 2023 and 2024, a village, and a trial scoring scheme."""

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import unit_for_code

FORM = Provenance(source_type=SourceType.FORM)
LEGACY = datetime.date(2024, 6, 30)

INDEX = """code,name_vi,name_en,level,basis,file
THU_XA,Bộ chỉ số thử,Trial index,commune,Bộ chỉ số dùng để kiểm thử,thu.csv
"""
TABLE = """code,parent,name_vi,name_en,max_points,rule,indicator,thresholds,evidence,source
G1,,Dịch vụ công,Public services,100,,,,,
G1.1,G1,Hồ sơ trực tuyến,Dossiers online,60,tỷ lệ,GOV.ONLINE_DOSSIER_RATE,80,,
G1.2,G1,Thôn lõm sóng,Villages without signal,40,bậc,INF.VILLAGES_WITHOUT_MOBILE,≤0: 40; ≤1: 20,,
"""


def put(unit: Unit, code: str, period: str, value: float, **parts) -> None:
    record_value(
        unit=unit,
        indicator=Indicator.objects.get(code=code),
        period=period,
        value=value,
        provenance=FORM,
        **parts,
    )


@pytest.fixture
def analytics(settings, tmp_path):
    """A fresh analytics store for the test (the dashboard refreshes it before every answer)."""
    from dxmonitor.analytics import store

    settings.ANALYTICS_PATH = str(tmp_path / "analytics.duckdb")
    yield
    store.close_all()


@dataclass
class Place:
    province: Unit
    district: Unit
    good: Unit
    poor: Unit
    village: Unit


@pytest.fixture
def place(db, analytics) -> Place:
    from dxmonitor.geo.actions import add_village

    province = unit_for_code(code="12", on=LEGACY)  # tỉnh Lai Châu before 2025
    district = Unit.objects.filter(parent=province).order_by("code").first()
    good, poor = Unit.objects.filter(parent=district, level=Level.COMMUNE).order_by("code")[:2]
    for year, step in (("2023", 0), ("2024", 10)):
        # Dossiers online: the good commune 60 → 70 of 100, the poor one 10 → 20 of 100.
        put(good, "GOV.ONLINE_DOSSIER_RATE", year, 60 + step, numerator=60 + step, denominator=100)
        put(poor, "GOV.ONLINE_DOSSIER_RATE", year, 10 + step, numerator=10 + step, denominator=100)
        put(good, "INF.VILLAGES_WITHOUT_MOBILE", year, 0)
        put(poor, "INF.VILLAGES_WITHOUT_MOBILE", year, 3)
    village = add_village(commune=good, name="Bản Thử Nghiệm", unit_type="ban")
    put(village, "CTX.HOUSEHOLDS", "2024", 120)
    return Place(province, district, good, poor, village)


@pytest.fixture
def scored(place, tmp_path: Path):
    from dxmonitor.analytics.scoring import compute_scores
    from dxmonitor.catalog.schemes import load_schemes, require_scheme

    (tmp_path / "thu.csv").write_text(TABLE, encoding="utf-8")
    (tmp_path / "schemes.csv").write_text(INDEX, encoding="utf-8")
    load_schemes(path=tmp_path / "schemes.csv")
    scheme = require_scheme("THU_XA")
    for year in ("2023", "2024"):
        compute_scores(scheme=scheme, period=year, within=place.province)
    return scheme
