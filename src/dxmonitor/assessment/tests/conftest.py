"""A round of the 2025 commune index over three units of Lai Châu: two communes (xã) and a ward
(phường), departments and appraisers, a specialist and an approver per unit — all made through the
product's own actions. The clock is pinned to 20/11/2026."""

import datetime

import pytest

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType

NEW_DAY = datetime.date(2025, 8, 1)
YEAR = 2025
PASSWORD = "mat-khau-dai-2026"
FORM = Provenance(source_type=SourceType.FORM)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DEADLINES = {
    "self_until": datetime.date(2026, 11, 30),
    "appraisal_until": datetime.date(2026, 12, 10),
    "explanation_until": datetime.date(2026, 12, 20),
    "publish_by": datetime.date(2026, 12, 31),
}
DEPARTMENTS = [
    ("SKHCN", "Sở Khoa học và Công nghệ", "Department of Science and Technology", ["NT"]),
    ("VPUB", "Văn phòng UBND tỉnh", "Provincial People's Committee Office", ["CQS"]),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade", ["KTS", "XHS"]),
]


@pytest.fixture
def analytics(settings, tmp_path):
    from dxmonitor.analytics import store

    settings.ANALYTICS_PATH = str(tmp_path / "analytics.duckdb")
    yield
    store.close_all()


@pytest.fixture
def province(unit_named):
    return unit_named("tỉnh Lai Châu", as_of=NEW_DAY)


@pytest.fixture
def units(unit_named):
    return [
        unit_named("xã Than Uyên", as_of=NEW_DAY, province="Lai Châu"),
        unit_named("xã Tân Uyên", as_of=NEW_DAY, province="Lai Châu"),
        unit_named("phường Tân Phong", as_of=NEW_DAY, province="Lai Châu"),
    ]


@pytest.fixture
def scheme(db, admin):
    from dxmonitor.assessment.actions import set_department
    from dxmonitor.catalog.schemes import load_schemes, require_scheme

    load_schemes()
    found = require_scheme("DTI_XA_405")
    for code, vi, en, prefixes in DEPARTMENTS:
        set_department(scheme=found, code=code, name_vi=vi, name_en=en, prefixes=prefixes, user=admin)
    return found


def _user(name: str, role: str | None = None, unit=None):
    from dxmonitor.accounts.actions import ensure_user, grant_role

    user, _ = ensure_user(username=name, password=PASSWORD)
    if role:
        grant_role(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def people(db, admin, province, units, scheme):
    """organiser (administrator of the province), a specialist and an approver of each unit, the
    appraisers of the Office (government services) and of Science and Technology."""
    from dxmonitor.assessment.actions import grant_appraiser
    from dxmonitor.assessment.models import Department

    found = {"organiser": _user("bantochuc", "admin", province)}
    for number, unit in enumerate(units, start=1):
        found[f"specialist{number}"] = _user(f"chuyenvien{number}", "data_entry", unit)
        found[f"approver{number}"] = _user(f"lanhdao{number}", "approver", unit)
    for code, name in (("VPUB", "thamdinh_vp"), ("SKHCN", "thamdinh_khcn")):
        found[name] = _user(name)
        grant_appraiser(
            user=found[name],
            department=Department.objects.get(scheme=scheme, code=code),
            province=province,
            granted_by=found["organiser"],
        )
    return found


@pytest.fixture
def measured(db, analytics, units):
    """Online dossiers handled by the first two communes in 2025, as they reported them."""
    rate = Indicator.objects.get(code="GOV.ONLINE_DOSSIER_RATE")
    for unit, (top, bottom) in zip(units[:2], [(45, 60), (30, 80)], strict=False):
        record_value(
            unit=unit,
            indicator=rate,
            period=str(YEAR),
            value=None,
            numerator=top,
            denominator=bottom,
            provenance=FORM,
        )


@pytest.fixture
def opened(people, measured, scheme, province, units):
    from dxmonitor.assessment.actions import open_round

    return open_round(
        scheme=scheme, year=YEAR, province=province, units=units, user=people["organiser"], **DEADLINES
    )


def fill(round_, unit, user, *, skip: tuple[str, ...] = ()) -> None:
    """Enter every component the system did not measure, each with a document."""
    from dxmonitor.assessment.actions import add_evidence, get_entry, get_sheet, save_entry

    sheet = get_sheet(round_, unit.pk)
    for entry in sheet.entries.select_related("component"):
        if entry.measured or entry.component.code in skip:
            continue
        found = get_entry(sheet, entry.component.code)
        save_entry(entry=found, user=user, figure="1")
        add_evidence(
            entry=found,
            user=user,
            number=f"{entry.component.position}/QĐ-UBND",
            issued_on=datetime.date(2025, 3, 1),
            issuer=f"UBND {unit.name}",
            abstract="Quyết định minh chứng",
            link="https://laichau.gov.vn/van-ban/1",
        )
