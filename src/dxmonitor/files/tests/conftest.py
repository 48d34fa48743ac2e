"""A quarterly commune data set and a yearly village one, a commune officer, and helpers that
make templates and edit them with openpyxl as an officer would in Excel.

Periods are relative to today: the current quarter is open, a quarter a year back is closed.
Uploaded files are kept under a temporary VAR_DIR.
"""

import datetime

import pytest
from django.utils import timezone

NEW_DAY = datetime.date(2025, 8, 1)
QUARTERLY = [
    ("CTX.VILLAGES", True),
    ("CTX.HOUSEHOLDS", True),
    ("AWR.CDT_VILLAGE_COVERAGE", True),
    ("GOV.ONLINE_DOSSIER_RATE", False),
    ("HR.DX_TRAINEES", False),
]
VILLAGE_SET = [("CTX.HOUSEHOLDS", True), ("INF.BTS_STATIONS", True)]


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _define(code: str, **overrides):
    from dxmonitor.collection.datasets import define_dataset

    fields = {
        "code": code,
        "name_vi": f"Báo cáo thử {code}",
        "name_en": f"Test report {code}",
        "period_type": "Q",
        "level": "commune",
        "indicators": QUARTERLY,
        "due_days": 20,
        "closes_days": 60,
    }
    fields.update(overrides)
    return define_dataset(**fields)[0]


@pytest.fixture
def quarterly(db):
    return _define("XA_FILE")


@pytest.fixture
def village_set(db):
    return _define("THON_FILE", period_type="Y", level="village", indicators=VILLAGE_SET, closes_days=90)


@pytest.fixture
def current_quarter():
    from dxmonitor.workflow.queries import period_containing

    return period_containing("Q", timezone.localdate())


@pytest.fixture
def closed_quarter(current_quarter):
    from dxmonitor.workflow.queries import previous_period

    period = current_quarter
    for _ in range(4):
        period = previous_period(period)
    return period


@pytest.fixture
def this_year():
    from dxmonitor.collection.periods import parse_period

    return parse_period(str(timezone.localdate().year))


@pytest.fixture
def commune(unit_named):
    return unit_named("xã Than Uyên", as_of=NEW_DAY, province="Lai Châu")


@pytest.fixture
def other_commune(unit_named):
    return unit_named("xã Tân Uyên", as_of=NEW_DAY, province="Lai Châu")


@pytest.fixture
def villages(commune):
    from dxmonitor.geo.actions import add_village

    return [
        add_village(commune=commune, name=f"Bản {name} (thử)", unit_type="ban", is_synthetic=True)
        for name in ("Nà Mô", "Noong Quài")
    ]


@pytest.fixture
def clerk(officer, commune):
    from dxmonitor.accounts.actions import grant_role

    grant_role(user=officer, role="data_entry", unit=commune)
    return officer


@pytest.fixture
def clerk_token(clerk):
    from dxmonitor.accounts.actions import create_token

    return create_token(user=clerk, name="may-xa")[1]


@pytest.fixture
def template(clerk, quarterly, current_quarter):
    """The clerk's template of the current quarter, as bytes."""
    from dxmonitor.files.template import build_template, template_scope

    return build_template(template_scope(dataset=quarterly, period=current_quarter, user=clerk))
