"""DHIS2's import semantics: atomicMode, importStrategy, deletions, and disaggregations added up."""

import base64
import datetime

import pytest

from dxmonitor.collection.dhis2_mappings import load_mappings
from dxmonitor.collection.models import Value

pytestmark = pytest.mark.django_db

ADMIN = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"quantri:mat-khau-dai-123").decode()}


@pytest.fixture
def mapped(db):
    rows = [
        {"kind": "org_unit", "dhis2_id": "OU_TC", "unit_code": "098"},
        {"kind": "data_element", "dhis2_id": "DE_VILLAGES", "indicator": "CTX.VILLAGES"},
        {"kind": "data_element", "dhis2_id": "DE_POP", "indicator": "CTX.POPULATION"},
    ]
    return load_mappings(rows=list(enumerate(rows, start=2)), on=datetime.date(2024, 6, 30))


def post(client, rows: list[dict], query: str = ""):
    body = {"orgUnit": "OU_TC", "period": "2024", "dataValues": rows}
    return client.post("/api/dataValueSets" + query, body, content_type="application/json", **ADMIN)


def figure(indicator: str, period: str = "2024") -> float | None:
    found = Value.objects.filter(indicator__code=indicator, period=period, is_deleted=False).first()
    return found.value if found else None


def test_atomic_mode_all_writes_nothing_on_a_conflict(client, admin, mapped):
    rows = [{"dataElement": "DE_VILLAGES", "value": "12"}, {"dataElement": "DE_UNKNOWN", "value": "1"}]
    answer = post(client, rows, "?atomicMode=ALL")
    summary = answer.json()["response"]
    assert answer.status_code == 409 and summary["status"] == "ERROR"
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}
    assert figure("CTX.VILLAGES") is None
    kept = post(client, rows, "?atomicMode=NONE").json()["response"]  # DHIS2's default keeps what is valid
    assert kept["importCount"]["imported"] == 1 and figure("CTX.VILLAGES") == 12
    clean = post(client, [*rows[:1], {"dataElement": "DE_POP", "value": "5"}], "?atomicMode=ALL")
    assert clean.status_code == 200 and figure("CTX.POPULATION") == 5


def test_import_strategies(client, admin, mapped):
    post(client, [{"dataElement": "DE_VILLAGES", "value": "12"}])
    created = post(
        client,
        [{"dataElement": "DE_VILLAGES", "value": "13"}, {"dataElement": "DE_POP", "value": "7"}],
        "?importStrategy=CREATE",
    ).json()["response"]
    assert created["importCount"]["imported"] == 1 and created["conflicts"][0]["property"] == "importStrategy"
    assert figure("CTX.VILLAGES") == 12 and figure("CTX.POPULATION") == 7
    updated = post(
        client,
        [
            {"dataElement": "DE_VILLAGES", "value": "14"},
            {"dataElement": "DE_POP", "period": "2023", "value": "1"},
        ],
        "?importStrategy=UPDATE",
    ).json()["response"]
    assert updated["importCount"]["updated"] == 1 and "no value to update" in updated["conflicts"][0]["value"]
    assert figure("CTX.VILLAGES") == 14 and figure("CTX.POPULATION", "2023") is None

    dry = post(client, [{"dataElement": "DE_VILLAGES", "value": "14"}], "?importStrategy=DELETE&dryRun=true")
    assert dry.json()["response"]["importCount"]["deleted"] == 1 and figure("CTX.VILLAGES") == 14
    deleted = post(client, [{"dataElement": "DE_VILLAGES", "value": "14"}], "?importStrategy=DELETES")
    assert deleted.status_code == 200 and deleted.json()["response"]["importCount"]["deleted"] == 1
    assert figure("CTX.VILLAGES") is None
    assert Value.objects.get(
        indicator__code="CTX.VILLAGES", period="2024"
    ).is_deleted  # kept with its history


def test_an_empty_or_deleted_value_deletes(client, admin, mapped):
    post(client, [{"dataElement": "DE_VILLAGES", "value": "12"}, {"dataElement": "DE_POP", "value": "8"}])
    answer = post(
        client,
        [
            {"dataElement": "DE_VILLAGES", "value": ""},
            {"dataElement": "DE_POP", "value": "8", "deleted": True},
        ],
    )
    assert answer.status_code == 200 and answer.json()["response"]["importCount"]["deleted"] == 2
    assert figure("CTX.VILLAGES") is None and figure("CTX.POPULATION") is None
    again = post(client, [{"dataElement": "DE_VILLAGES", "value": ""}]).json()["response"]
    assert again["importCount"] == {"imported": 0, "updated": 0, "ignored": 1, "deleted": 0}


def test_disaggregations_of_an_element_mapped_for_any_combo_are_added_up(client, admin, mapped):
    rows = [
        {"dataElement": "DE_POP", "categoryOptionCombo": "COC_MALE", "value": "2100"},
        {"dataElement": "DE_POP", "categoryOptionCombo": "COC_FEMALE", "value": "2200.5"},
    ]
    answer = post(client, rows)
    assert answer.status_code == 200, answer.content
    assert answer.json()["response"]["importCount"]["imported"] == 1 and figure("CTX.POPULATION") == 4300.5
    twice = post(client, [*rows, rows[0]]).json()["response"]
    assert twice["conflicts"][0]["property"] == "categoryOptionCombo" and twice["rejectedIndexes"] == [2]
