"""DHIS2's Web API surface: its spellings of a path, system info, ping, me, and clear refusals
(a WebMessage with its status, never a 500) for what cannot be imported."""

import base64
import datetime

import pytest

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
