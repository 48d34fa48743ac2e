"""DHIS2 clients post here unchanged: dataValueSets JSON and CSV through the mappings, DHIS2's
paths and authentication, ImportSummary answers; mappings managed by administrators."""

import base64
import datetime
import json

import pytest

from dxmonitor.collection.dhis2_mappings import load_mappings
from dxmonitor.collection.models import Dhis2Mapping, Value
from dxmonitor.common.errors import InvalidInput

pytestmark = pytest.mark.django_db

LEGACY_DAY = datetime.date(2024, 6, 30)
NEW_DAY = datetime.date(2025, 8, 1)

MAPPINGS = [
    {"kind": "org_unit", "dhis2_id": "DiszpKrYNg8", "unit_code": "098"},
    {"kind": "org_unit", "dhis2_id": "OU_TT_TUACHUA", "unit_code": "03217"},
    {"kind": "data_element", "dhis2_id": "DE_VILLAGES", "indicator": "CTX.VILLAGES"},
    {
        "kind": "data_element",
        "dhis2_id": "DE_CDT_NUM",
        "indicator": "AWR.CDT_VILLAGE_COVERAGE",
        "part": "numerator",
    },
    {
        "kind": "data_element",
        "dhis2_id": "DE_CDT_DEN",
        "indicator": "AWR.CDT_VILLAGE_COVERAGE",
        "part": "denominator",
    },
    {"kind": "data_element", "dhis2_id": "DE_HH", "indicator": "CTX.HOUSEHOLDS"},
    {
        "kind": "data_element",
        "dhis2_id": "DE_HH",
        "category_option_combo": "COC_PLAN",
        "indicator": "CTX.HOUSEHOLDS",
        "value_kind": "target",
    },
]


@pytest.fixture
def mapped(db):
    rows = [(n, {k: str(v) for k, v in m.items()}) for n, m in enumerate(MAPPINGS, start=2)]
    return load_mappings(rows=rows, on=LEGACY_DAY)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def basic(username: str, password: str) -> dict:
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


DATA_VALUE_SET = {
    "dataSet": "pBOMPrpg1QX",
    "completeDate": "2024-12-31",
    "period": "2024",
    "orgUnit": "DiszpKrYNg8",
    "attributeOptionCombo": "HllvX50cXC0",
    "dataValues": [
        {
            "dataElement": "DE_VILLAGES",
            "categoryOptionCombo": "HllvX50cXC0",
            "value": "120",
            "comment": "theo báo cáo huyện",
            "storedBy": "admin",
            "followup": False,
        },
        {"dataElement": "DE_CDT_NUM", "value": "90"},
        {"dataElement": "DE_HH", "orgUnit": "OU_TT_TUACHUA", "value": "4.306"},
        {
            "dataElement": "DE_HH",
            "orgUnit": "OU_TT_TUACHUA",
            "categoryOptionCombo": "COC_PLAN",
            "value": "5000",
        },
        {"dataElement": "DE_UNKNOWN", "value": "1"},
        {"dataElement": "DE_VILLAGES", "orgUnit": "OU_UNKNOWN", "value": "1"},
        {"dataElement": "DE_CDT_DEN", "value": "120"},
    ],
}


def summary_of(response) -> dict:
    """The ImportSummary inside DHIS2's WebMessage."""
    return response.json()["response"]


def test_dhis2_json_through_the_mappings(client, admin_token, mapped):
    response = client.post(
        "/api/dataValueSets", DATA_VALUE_SET, content_type="application/json", **bearer(admin_token)
    )
    assert response.status_code == 409, response.content  # DHIS2 answers conflicts with 409
    message = response.json()
    assert (message["httpStatus"], message["httpStatusCode"], message["status"]) == (
        "Conflict",
        409,
        "WARNING",
    )
    summary = message["response"]
    assert summary["responseType"] == "ImportSummary" and summary["status"] == "WARNING"
    assert summary["rejectedIndexes"] == [4, 5]
    assert summary["importCount"] == {"imported": 4, "updated": 0, "ignored": 2, "deleted": 0}
    assert summary["dataSetComplete"] == "false"
    conflicts = {c["object"]: c for c in summary["conflicts"]}
    assert set(conflicts) == {"DE_UNKNOWN", "OU_UNKNOWN"}
    assert "not mapped" in conflicts["DE_UNKNOWN"]["value"] and conflicts["DE_UNKNOWN"]["indexes"] == [4]
    assert conflicts["DE_UNKNOWN"]["errorCode"] == "E7610" and conflicts["OU_UNKNOWN"]["errorCode"] == "E7612"
    assert conflicts["OU_UNKNOWN"]["indexes"] == [5]

    villages = Value.objects.get(indicator__code="CTX.VILLAGES", period="2024")
    assert villages.unit.code == "098" and villages.value == 120 and villages.note == "theo báo cáo huyện"
    coverage = Value.objects.get(indicator__code="AWR.CDT_VILLAGE_COVERAGE", period="2024")
    assert (coverage.numerator, coverage.denominator, coverage.value) == (90, 120, 75)
    households = Value.objects.get(indicator__code="CTX.HOUSEHOLDS", period="2024", kind="actual")
    assert households.value == 4.306 and households.unit.name == "Thị trấn Tủa Chùa"  # a machine number
    assert Value.objects.get(indicator__code="CTX.HOUSEHOLDS", period="2024", kind="target").value == 5000

    again = summary_of(
        client.post(
            "/api/dataValueSets", DATA_VALUE_SET, content_type="application/json", **bearer(admin_token)
        )
    )
    assert again["importCount"] == {"imported": 0, "updated": 0, "ignored": 6, "deleted": 0}


def test_envelope_after_the_values_still_gives_the_defaults(client, admin_token, mapped):
    text = (
        '{"dataValues": [{"dataElement": "DE_VILLAGES", "value": "7"}], '
        '"orgUnit": "DiszpKrYNg8", "period": "2023"}'
    )
    summary = client.post(
        "/api/v1/dataValueSets", text, content_type="application/json", **bearer(admin_token)
    ).json()
    assert summary["status"] == "SUCCESS" and summary["importCount"]["imported"] == 1
    assert Value.objects.get(indicator__code="CTX.VILLAGES", period="2023").value == 7


def test_a_value_without_its_period_is_a_conflict(client, admin_token, mapped):
    text = {"dataValues": [{"dataElement": "DE_VILLAGES", "orgUnit": "DiszpKrYNg8", "value": "7"}]}
    response = client.post(
        "/api/dataValueSets.json", text, content_type="application/json", **bearer(admin_token)
    )
    summary = summary_of(response)
    assert (
        response.status_code == 409 and summary["status"] == "ERROR" and response.json()["status"] == "ERROR"
    )
    assert summary["conflicts"][0]["value"] == "period is missing"


HEADER = (
    "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,followup,deleted"
)
CSV = (
    HEADER
    + """
DE_VILLAGES,2022,DiszpKrYNg8,HllvX50cXC0,HllvX50cXC0,118,admin,2022-12-31,,false,
DE_CDT_DEN,2022,DiszpKrYNg8,,,118,,,,,
DE_CDT_NUM,2022,DiszpKrYNg8,,,59,,,,,
DE_VILLAGES,2022,DiszpKrYNg8,,,abc,,,,,
DE_VILLAGES,2021,DiszpKrYNg8,,,100,,,,,true
"""
)


def test_dhis2_csv_with_and_without_header(client, admin_token, mapped):
    response = client.post("/api/dataValueSets", CSV, content_type="application/csv", **bearer(admin_token))
    summary = summary_of(response)
    assert response.status_code == 409 and summary["status"] == "WARNING", summary
    assert summary["importCount"]["imported"] == 2 and summary["importCount"]["ignored"] == 2
    messages = sorted(c["value"] for c in summary["conflicts"])
    assert any("not a number" in m for m in messages)  # the deleted row had nothing to delete: ignored
    coverage = Value.objects.get(indicator__code="AWR.CDT_VILLAGE_COVERAGE", period="2022")
    assert coverage.value == 50 and coverage.source_row == 1  # the index of its first part

    bare = "DE_VILLAGES,2020,DiszpKrYNg8,,,101\n"
    summary = summary_of(
        client.post("/api/dataValueSets.csv", bare, content_type="text/plain", **bearer(admin_token))
    )
    assert summary["importCount"]["imported"] == 1
    summary = client.post(
        "/api/v1/dataValueSets", bare, content_type="text/csv", **bearer(admin_token)
    ).json()
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 1, "deleted": 0}


def test_dhis2_authentication(client, admin, admin_token, mapped):
    body = {
        "period": "2019",
        "orgUnit": "DiszpKrYNg8",
        "dataValues": [{"dataElement": "DE_VILLAGES", "value": "9"}],
    }
    ok = client.post(
        "/api/dataValueSets", body, content_type="application/json", **basic("quantri", "mat-khau-dai-123")
    )
    assert ok.status_code == 200 and summary_of(ok)["status"] == "SUCCESS" and ok.json()["status"] == "OK"
    value = Value.objects.get(indicator__code="CTX.VILLAGES", period="2019")
    assert value.updated_by == admin and value.api_client == "basic:quantri"
    token = client.post(
        "/api/dataValueSets",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"ApiToken {admin_token}",
    )
    assert token.status_code == 200 and summary_of(token)["importCount"]["ignored"] == 1
    wrong = client.post(
        "/api/dataValueSets", body, content_type="application/json", **basic("quantri", "sai-mat-khau")
    )
    assert wrong.status_code == 401
    assert (
        client.post(
            "/api/dataValueSets",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION="ApiToken dxm_nope",
        ).status_code
        == 401
    )


def test_unsupported_options_are_refused_as_import_summaries(client, admin_token, mapped):
    body = {
        "period": "2019",
        "orgUnit": "DiszpKrYNg8",
        "dataValues": [{"dataElement": "DE_VILLAGES", "value": "9"}],
    }
    for query, words in (
        ("?importStrategy=MERGE", "importStrategy MERGE"),
        ("?atomicMode=SOME", "atomicMode SOME"),
        ("?idScheme=NAME", "idScheme NAME"),
        ("?orgUnitIdScheme=ATTRIBUTE:abc", "orgUnitIdScheme"),
    ):
        response = client.post(
            "/api/dataValueSets" + query, body, content_type="application/json", **bearer(admin_token)
        )
        assert response.status_code == 409 and summary_of(response)["status"] == "ERROR"
        assert words in summary_of(response)["description"]
    fine = "?importStrategy=CREATE_AND_UPDATE&idScheme=code&dataElementIdScheme=UID&dryRun=true"
    summary = summary_of(
        client.post("/api/dataValueSets" + fine, body, content_type="application/json", **bearer(admin_token))
    )
    assert summary["status"] == "SUCCESS" and summary["importCount"]["imported"] == 1
    assert summary["importOptions"]["dryRun"] is True and "dry run" in summary["description"]
    assert not Value.objects.filter(indicator__code="CTX.VILLAGES", period="2019").exists()
    broken = client.post("/api/dataValueSets", "{", content_type="application/json", **bearer(admin_token))
    assert broken.status_code == 409 and "not valid JSON" in summary_of(broken)["description"]


def test_dhis2_paths_can_run_in_the_background(client, admin_token, mapped, monkeypatch, settings, tmp_path):
    from dxmonitor.collection import jobs

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(jobs, "BACKGROUND_VALUES", 1)
    body = {
        "orgUnit": "DiszpKrYNg8",
        "dataValues": [
            {"dataElement": "DE_VILLAGES", "period": str(year), "value": "9"} for year in (2016, 2017, 2018)
        ],
    }
    waited = client.post("/api/dataValueSets", body, content_type="application/json", **bearer(admin_token))
    assert waited.status_code == 200 and summary_of(waited)["importCount"]["imported"] == 3
    body["dataValues"][0]["value"] = "10"
    queued = client.post(
        "/api/dataValueSets?async=true", body, content_type="application/json", **bearer(admin_token)
    )
    assert queued.status_code == 200  # DHIS2 answers an async import with 200 and the job
    started = summary_of(queued)
    assert (
        started["jobType"] == "DATAVALUE_IMPORT" and queued.json()["message"] == "Initiated DATAVALUE_IMPORT"
    )
    assert started["relativeNotifierEndpoint"] == f"/api/system/tasks/DATAVALUE_IMPORT/{started['id']}"
    notes = client.get(started["relativeNotifierEndpoint"], **bearer(admin_token)).json()
    assert notes[0]["completed"] is True and notes[0]["message"] == "Import done" and len(notes) == 3
    summary = client.get(
        f"/api/40/system/taskSummaries/DATAVALUE_IMPORT/{started['id']}.json", **bearer(admin_token)
    ).json()
    assert summary["importCount"] == {"imported": 0, "updated": 1, "ignored": 2, "deleted": 0}
    job = client.get(f"/api/v1/imports/{started['id']}", **bearer(admin_token)).json()
    assert job["format"] == "dhis2-json" and job["status"] == "done"


def test_async_even_a_small_payload_is_a_job(client, admin_token, officer_token, mapped, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    body = {
        "orgUnit": "DiszpKrYNg8",
        "dataValues": [{"dataElement": "DE_VILLAGES", "period": "2014", "value": "5"}],
    }
    queued = client.post(
        "/api/dataValueSets?async=true", body, content_type="application/json", **bearer(admin_token)
    )
    started = summary_of(queued)
    assert started["jobStatus"] == "SCHEDULED" and Value.objects.get(period="2014").value == 5
    other = client.get(started["relativeNotifierEndpoint"], **bearer(officer_token))
    assert other.status_code == 403  # the sender's and administrators' only


def test_mappings_file_is_all_or_nothing_and_idempotent(mapped):
    assert len(mapped.created) == 7
    again = load_mappings(
        rows=[(n, {k: str(v) for k, v in m.items()}) for n, m in enumerate(MAPPINGS, 2)], on=LEGACY_DAY
    )
    assert (len(again.created), len(again.updated), again.unchanged) == (0, 0, 7)
    bad = [
        (2, {"kind": "org_unit", "dhis2_id": "X1", "unit_code": "00000"}),
        (3, {"kind": "data_element", "dhis2_id": "X2", "indicator": "CTX.VILLAGES", "part": "numerator"}),
        (4, {"kind": "data_element", "dhis2_id": "X3", "indicator": "CTX.NOPE"}),
        (5, {"kind": "category", "dhis2_id": "X4"}),
        (
            6,
            {
                "kind": "data_element",
                "dhis2_id": "DE_HH",
                "indicator": "CTX.HOUSEHOLDS",
                "value_kind": "plan",
            },
        ),
        (7, {"kind": "data_element", "dhis2_id": "X5", "indicator": "CTX.VILLAGES"}),
        (8, {"kind": "data_element", "dhis2_id": "X5", "indicator": "CTX.VILLAGES"}),
    ]
    with pytest.raises(InvalidInput) as caught:
        load_mappings(rows=bad, on=LEGACY_DAY)
    assert [p.row for p in caught.value.problems] == [2, 3, 4, 5, 6, 8]
    assert "not a rate" in caught.value.problems[1].message_en
    assert not Dhis2Mapping.objects.filter(dhis2_id__startswith="X").exists()


def test_mappings_api_and_page_for_administrators(client, admin, admin_token, officer_token, mapped):
    listed = client.get("/api/v1/dhis2/mappings", {"kind": "org_unit"}, **bearer(admin_token)).json()
    assert listed["count"] == 2
    first = listed["items"][0]
    assert first["dhis2_id"] == "DiszpKrYNg8" and first["unit"]["name"] == "Huyện Tủa Chùa"
    assert client.get("/api/v1/dhis2/mappings", **bearer(officer_token)).status_code == 403
    posted = client.post(
        "/api/v1/dhis2/mappings",
        {
            "mappings": [
                {"kind": "org_unit", "dhis2_id": "OU_TT", "unit_code": "03217"},
                {"kind": "data_element", "dhis2_id": "DE_HH", "indicator": "CTX.POPULATION"},
            ],
            "as_of": "2025-08-01",
        },
        content_type="application/json",
        **bearer(admin_token),
    )
    assert posted.status_code == 200 and posted.json() == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "dry_run": False,
    }
    assert Dhis2Mapping.objects.get(dhis2_id="OU_TT").unit.name == "Xã Tủa Chùa"
    refused = client.post(
        "/api/v1/dhis2/mappings",
        {"mappings": [{"kind": "x", "dhis2_id": "y"}]},
        content_type="application/json",
        **bearer(admin_token),
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["row"] == 1

    client.force_login(admin)
    page = client.get("/dhis2/mappings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "DiszpKrYNg8" in html
        and "AWR.CDT_VILLAGE_COVERAGE" in html
        and 'href="/api/v1/dhis2/mappings"' in html
    )


def test_mappings_page_is_for_administrators(client, officer):
    assert client.get("/dhis2/mappings/").status_code == 302  # to the log-in page
    client.force_login(officer)
    assert client.get("/dhis2/mappings/").status_code == 403


def test_json_payload_keys_may_come_in_any_order(client, admin_token, mapped):
    payload = json.dumps(
        {
            "dataValues": [
                {"value": "3", "period": "2015", "dataElement": "DE_VILLAGES", "orgUnit": "DiszpKrYNg8"}
            ]
        }
    )
    response = client.post(
        "/api/dataValueSets", payload, content_type="application/json; charset=utf-8", **bearer(admin_token)
    )
    assert summary_of(response)["importCount"]["imported"] == 1
