"""DHIS2's Web API surface: its spellings of a path, system info, ping, me, and clear refusals
(a WebMessage with its status, never a 500) for what cannot be imported."""

import base64
import datetime
import json
from urllib.parse import urlencode

import pytest
from lxml import etree

from dxmonitor.collection.dhis2_mappings import load_mappings
from dxmonitor.collection.dhis2_paths import dhis2_path
from dxmonitor.collection.models import Value

pytestmark = pytest.mark.django_db

LEGACY_DAY = datetime.date(2024, 6, 30)


def basic(username: str, password: str) -> dict:
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


ADMIN = basic("quantri", "mat-khau-dai-123")


@pytest.fixture
def mapped(db):
    rows = [
        {"kind": "org_unit", "dhis2_id": "DiszpKrYNg8", "unit_code": "098"},
        {"kind": "data_element", "dhis2_id": "DE_VILLAGES", "indicator": "CTX.VILLAGES"},
    ]
    return load_mappings(rows=list(enumerate(rows, start=2)), on=LEGACY_DAY)


def test_dhis2_spellings_of_a_path():
    assert dhis2_path("/api/40/dataValueSets") == ("/api/dataValueSets", "")
    assert dhis2_path("/api/dataValueSets/") == ("/api/dataValueSets", "")
    assert dhis2_path("/api/29/system/info.json") == ("/api/system/info", "json")
    assert dhis2_path("/api/41/dataValueSets.ADX/") == ("/api/dataValueSets", "adx")
    assert dhis2_path("/api/v1/dataValueSets") is None  # the product's own paths stay as they are
    assert dhis2_path("/api/docs") is None and dhis2_path("/units/") is None


@pytest.mark.parametrize(
    "path",
    ["/api/dataValueSets", "/api/40/dataValueSets", "/api/dataValueSets/", "/api/38/dataValueSets.json/"],
)
def test_every_spelling_imports(client, admin, mapped, path):
    body = {
        "orgUnit": "DiszpKrYNg8",
        "period": "2020",
        "dataValues": [{"dataElement": "DE_VILLAGES", "value": "8"}],
    }
    answer = client.post(path, body, content_type="application/json", **ADMIN)
    assert answer.status_code == 200, answer.content
    message = answer.json()
    assert message == {**message, "httpStatus": "OK", "httpStatusCode": 200, "status": "OK"}
    assert message["response"]["importCount"]["imported"] + message["response"]["importCount"]["ignored"] == 1
    assert message["response"]["importOptions"]["importStrategy"] == "CREATE_AND_UPDATE"
    assert Value.objects.get(indicator__code="CTX.VILLAGES", period="2020").value == 8


def test_system_info_ping_and_me(client, admin):
    info = client.get("/api/system/info", **ADMIN)
    assert info.status_code == 200 and info.json()["version"].startswith("2.")
    assert info.json()["calendar"] == "iso8601" and info.json()["serverDate"].startswith("2026-11-20T")
    assert client.get("/api/29/system/info.json", **ADMIN).json()["systemName"] == "dxmonitor"
    assert client.get("/api/system/info").status_code == 401
    ping = client.get("/api/system/ping")
    assert ping.status_code == 200 and ping.content == b"pong"
    me = client.get("/api/40/me/", **ADMIN).json()
    assert me["username"] == "quantri" and "ALL" in me["authorities"]
    assert me["userCredentials"] == {"username": "quantri"}


def test_me_of_an_officer_without_units(client, officer):
    me = client.get("/api/me", **basic("canboxa", "mat-khau-dai-456")).json()
    assert me["username"] == "canboxa" and me["authorities"] == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/pdf", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n"),
        ("application/x-www-form-urlencoded", b"dataElement=DE_VILLAGES&value=1"),
        ("", b'{"dataValues": []}'),
        ("image/png", b"\x89PNG\r\n\x1a\n"),
    ],
    ids=["pdf", "form", "none", "png"],
)
def test_unsupported_bodies_are_415_web_messages(client, admin, content_type, body):
    answer = client.generic("POST", "/api/dataValueSets", body, content_type=content_type, **ADMIN)
    assert answer.status_code == 415, answer.content
    message = answer.json()
    assert message["httpStatusCode"] == 415 and message["status"] == "ERROR"
    assert "Content-Type" in message["response"]["description"]


def test_a_body_over_the_limit_is_413(client, admin, settings):
    settings.DXM_MAX_PAYLOAD_MB = 0.001
    body = '{"dataValues": [' + ",".join(['{"dataElement": "DE_VILLAGES", "value": "1"}'] * 100) + "]}"
    answer = client.post("/api/dataValueSets", body, content_type="application/json", **ADMIN)
    assert answer.status_code == 413
    assert answer.json()["httpStatusCode"] == 413 and "MB" in answer.json()["response"]["description"]
    own = client.post("/api/v1/dataValueSets", body, content_type="application/json", **ADMIN)
    assert own.status_code == 413 and "MB" in own.json()["detail"]


def test_errors_at_dhis2_paths_are_web_messages(client, officer):
    refused = client.post(
        "/api/dataValueSets",
        {"dataValues": []},
        content_type="application/json",
        **basic("canboxa", "mat-khau-dai-456"),
    )
    assert refused.status_code == 403
    assert refused.json()["httpStatus"] == "Forbidden" and refused.json()["status"] == "ERROR"
    assert "enter figures" in refused.json()["message"]
    wrong = client.get("/api/me", **basic("canboxa", "sai"))
    assert wrong.status_code == 401 and wrong.json()["httpStatusCode"] == 401


def _import(client, rows: list[dict]) -> dict:
    body = {"orgUnit": "DiszpKrYNg8", "dataValues": rows}
    answer = client.post("/api/dataValueSets", body, content_type="application/json", **ADMIN)
    assert answer.status_code == 200, answer.content
    return answer.json()["response"]


def test_export_in_every_format(client, admin, mapped):
    _import(
        client,
        [
            {"dataElement": "DE_VILLAGES", "period": p, "value": v}
            for p, v in (("2021", "15"), ("2022", "16"))
        ],
    )
    query = {"dataElement": "DE_VILLAGES", "period": ["2021", "2022"], "orgUnit": "DiszpKrYNg8"}
    data = client.get("/api/dataValueSets", query, **ADMIN)
    assert data.status_code == 200 and data["Content-Type"].startswith("application/json")
    values = json.loads(b"".join(data.streaming_content))["dataValues"]
    assert [(v["period"], v["value"], v["orgUnit"]) for v in values] == [
        ("2021", "15", "DiszpKrYNg8"),
        ("2022", "16", "DiszpKrYNg8"),
    ]
    assert values[0]["storedBy"] == "quantri"
    csv_text = b"".join(client.get("/api/40/dataValueSets.csv", query, **ADMIN).streaming_content).decode()
    assert csv_text.splitlines()[0].startswith("dataelement,period,orgunit,categoryoptioncombo")
    assert "DE_VILLAGES,2022,DiszpKrYNg8,,,16,quantri" in csv_text
    xml = b"".join(client.get("/api/dataValueSets.xml", query, **ADMIN).streaming_content)
    root = etree.fromstring(xml)
    assert root.tag == "{http://dhis2.org/schema/dxf/2.0}dataValueSet" and len(root) == 2
    assert root[1].get("value") == "16"
    adx = b"".join(client.get("/api/dataValueSets", {**query, "format": "adx"}, **ADMIN).streaming_content)
    root = etree.fromstring(adx)
    assert root.tag == "{urn:ihe:qrph:adx:2015}adx"
    assert [g.get("period") for g in root] == ["2021-01-01/P1Y", "2022-01-01/P1Y"]
    # by date range and the unit above, with its children
    ranged = client.get(
        "/api/dataValueSets.json",
        {
            "dataElement": "DE_VILLAGES",
            "startDate": "2022-01-01",
            "endDate": "2022-12-31",
            "orgUnit": "DiszpKrYNg8",
        },
        **ADMIN,
    )
    assert [v["period"] for v in json.loads(b"".join(ranged.streaming_content))["dataValues"]] == ["2022"]


def test_export_refuses_a_query_dhis2_refuses(client, admin, mapped):
    missing = client.get("/api/dataValueSets", {"orgUnit": "DiszpKrYNg8", "period": "2021"}, **ADMIN)
    assert missing.status_code == 409 and "data set or data element" in missing.json()["message"]
    unknown = client.get(
        "/api/dataValueSets", {"dataElement": "DE_VILLAGES", "period": "2021", "orgUnit": "NOPE"}, **ADMIN
    )
    assert unknown.status_code == 409 and "NOPE" in unknown.json()["detail"]
    wrong = client.get("/api/dataValueSets.pdf", {"dataElement": "DE_VILLAGES"}, **ADMIN)
    assert wrong.status_code in (404, 409)


def test_one_value_written_read_and_deleted(client, admin, mapped):
    key = {"de": "DE_VILLAGES", "pe": "2019", "ou": "DiszpKrYNg8"}
    created = client.post("/api/dataValues?" + urlencode({**key, "value": "21"}), **ADMIN)
    assert created.status_code == 201, created.content
    assert client.get("/api/dataValues", key, **ADMIN).json() == ["21"]
    by_json = client.post(
        "/api/dataValues",
        {"dataElement": "DE_VILLAGES", "period": "2019", "orgUnit": "DiszpKrYNg8", "value": "22"},
        content_type="application/json",
        **ADMIN,
    )
    assert by_json.status_code == 201 and client.get("/api/dataValues", key, **ADMIN).json() == ["22"]
    refused = client.post("/api/dataValues?" + urlencode({**key, "value": "1,500"}), **ADMIN)
    assert refused.status_code == 409 and refused.json()["status"] == "ERROR"
    assert client.delete("/api/dataValues?" + urlencode(key), **ADMIN).status_code == 204
    gone = client.get("/api/dataValues", key, **ADMIN)
    assert gone.status_code == 409 and gone.json()["message"] == "Data value does not exist"
    assert client.delete("/api/dataValues?" + urlencode(key), **ADMIN).status_code == 409
    assert Value.objects.get(indicator__code="CTX.VILLAGES", period="2019").is_deleted


def test_both_csv_headers_name_the_category_option_combo(client, admin, mapped):
    load_mappings(
        rows=[
            (2, {"kind": "data_element", "dhis2_id": "DE_PLAN", "category_option_combo": "COC_PLAN",
                 "indicator": "CTX.HOUSEHOLDS", "value_kind": "target"}),
        ],
        on=LEGACY_DAY,
    )  # fmt: skip
    for header, period in (("categoryoptioncombo", "2018"), ("catoptcombo", "2017")):
        body = (
            f"dataelement,period,orgunit,{header},attributeoptioncombo,value\n"
            f"DE_PLAN,{period},DiszpKrYNg8,COC_PLAN,,40\n"
        )
        answer = client.post("/api/dataValueSets", body, content_type="application/csv", **ADMIN)
        assert answer.status_code == 200, answer.content
        assert Value.objects.get(indicator__code="CTX.HOUSEHOLDS", period=period, kind="target").value == 40
