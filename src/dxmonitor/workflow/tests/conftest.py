"""Data sets, a commune with villages, an officer and an approver, made through the product's actions.

Periods are chosen relative to today, so the tests hold whatever day they run on: the
current quarter is open, a quarter a year back is closed, and the data set LATE_Q is due on
the last day of each quarter but closes only ten years later (its last quarter is late).
"""

import datetime

import pytest
from django.utils import timezone

from dxmonitor.workflow.queries import period_containing, previous_period

NEW_DAY = datetime.date(2025, 8, 1)

QUARTERLY = [
    ("CTX.VILLAGES", True),
    ("CTX.HOUSEHOLDS", True),
    ("AWR.CDT_VILLAGE_COVERAGE", True),
    ("GOV.ONLINE_DOSSIER_RATE", True),
    ("GOV.LATE_DOSSIERS", False),
    ("HR.DX_TRAINEES", False),
]
VILLAGE_SET = [("CTX.HOUSEHOLDS", True), ("INF.BTS_STATIONS", True), ("AWR.CDT_MEMBERS", False)]


def _define(code: str, **overrides):
    from dxmonitor.collection.datasets import define_dataset

    fields = {
        "code": code,
        "name_vi": f"Bộ số liệu thử {code}",
        "name_en": f"Test data set {code}",
        "period_type": "Q",
        "level": "commune",
        "indicators": QUARTERLY,
        "opens_after_days": 0,
        "due_days": 20,
        "closes_days": 60,
    }
    fields.update(overrides)
    return define_dataset(**fields)[0]


@pytest.fixture
def quarterly(db):
    return _define("XA_THU")


@pytest.fixture
def late_quarterly(db):
    return _define("LATE_Q", due_days=0, closes_days=3650)


@pytest.fixture
def village_set(db):
    return _define(
        "THON_THU", period_type="Y", level="village", indicators=VILLAGE_SET, due_days=31, closes_days=90
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def current_quarter(today):
    return period_containing("Q", today)


@pytest.fixture
def last_quarter(current_quarter):
    return previous_period(current_quarter)


@pytest.fixture
def closed_quarter(current_quarter):
    """A quarter four back: closed 60 days after it ended, long ago (and after 01/07/2025 when
    the tests run in 2026 or later; before that the 2025 communes did not exist)."""
    period = current_quarter
    for _ in range(4):
        period = previous_period(period)
    return period


@pytest.fixture
def commune(unit_named):
    return unit_named("xã Than Uyên", as_of=NEW_DAY, province="Lai Châu")


@pytest.fixture
def other_commune(unit_named):
    return unit_named("xã Tân Uyên", as_of=NEW_DAY, province="Lai Châu")


@pytest.fixture
def province(unit_named):
    return unit_named("tỉnh Lai Châu", as_of=NEW_DAY)


@pytest.fixture
def villages(commune):
    from dxmonitor.geo.actions import add_village

    return [
        add_village(commune=commune, name=f"Bản {name} (thử)", unit_type="ban", is_synthetic=True)
        for name in ("Nà Mô", "Noong Quài", "Phiêng Ngòi")
    ]


@pytest.fixture
def clerk(officer, commune):
    """The commune officer, with data entry over xã Than Uyên."""
    from dxmonitor.accounts.actions import grant_role

    grant_role(user=officer, role="data_entry", unit=commune)
    return officer


@pytest.fixture
def approver(db, province):
    from dxmonitor.accounts.actions import ensure_user, grant_role

    user, _ = ensure_user(username="pheduyet", password="mat-khau-dai-789")
    grant_role(user=user, role="approver", unit=province)
    return user


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


def form_path(dataset, unit, period) -> str:
    return f"/collect/{dataset.code}/{unit.pk}/{period.code}/"


def cell_path(dataset, unit, period, cell_unit, code: str) -> str:
    return f"{form_path(dataset, unit, period)}cell/{cell_unit.pk}/{code}/"
