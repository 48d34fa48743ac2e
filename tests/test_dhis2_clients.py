"""DHIS2 client libraries from PyPI, unchanged, against a real `dxmonitor serve`: `dhis2-client`
(httpx) and `dhis2.py` (requests) connect, import JSON and CSV, dry-run, export, read, write and
delete single values, import in the background and follow the job; XML and ADX payloads written
here after DHIS2's and IHE's published formats go in and come out."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from lxml import etree

from tests.live_server import LiveServer, live_server

MAPPINGS = """kind,dhis2_id,category_option_combo,unit_code,indicator,part,value_kind
org_unit,OU_TUACHUA,,098,,,
org_unit,OU_TT,,03217,,,
data_element,DE_VILLAGES,,,CTX.VILLAGES,,
data_element,DE_HH,,,CTX.HOUSEHOLDS,,
data_element,DE_HH,COC_PLAN,,CTX.HOUSEHOLDS,,target
"""


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server("dhis2-clients") as live:
        path = live.var_dir / "mappings.csv"
        path.write_text(MAPPINGS, encoding="utf-8")
        live.run("dhis2", "mappings", "load", str(path), "--as-of", "2024-06-30")
        live.env["TOKEN"] = live.run("token", "create", live.username, "dhis2-e2e").strip().splitlines()[-1]
        yield live


def _raw(server: LiveServer, method: str, path: str, body: bytes, content_type: str) -> tuple[int, dict]:
    request = urllib.request.Request(server.url + path, data=body, method=method)
    request.add_header("Authorization", f"ApiToken {server.env['TOKEN']}")
    request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_dhis2_client_library(server):
    from dhis2_client import DHIS2Client
    from dhis2_client.errors import DHIS2HTTPError

    client = DHIS2Client(server.url, username=server.username, password=server.password, retries=0)
    assert client.get_system_info()["version"].startswith("2.")
    assert client.get_current_user()["username"] == server.username

    payload = {
        "orgUnit": "OU_TUACHUA",
        "period": "2024",
        "dataValues": [
            {"dataElement": "DE_VILLAGES", "value": "120"},
            {"dataElement": "DE_HH", "orgUnit": "OU_TT", "value": "4306"},
            {"dataElement": "DE_HH", "orgUnit": "OU_TT", "categoryOptionCombo": "COC_PLAN", "value": "5000"},
        ],
    }
    answer = client.post_data_value_set(payload)
    assert answer["status"] == "OK" and answer["httpStatusCode"] == 200
    assert answer["response"]["importCount"] == {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}

    payload["dataValues"][0]["value"] = "1,500"  # DHIS2 refuses it; so does dxmonitor for DHIS2 payloads
    with pytest.raises(DHIS2HTTPError) as caught:
        client.post_data_value_set(payload)
    assert caught.value.status_code == 409
    conflicts = caught.value.payload["response"]["conflicts"]
    assert [c["errorCode"] for c in conflicts] == ["E7619"] and caught.value.payload["response"][
        "rejectedIndexes"
    ] == [0]

    exported = client.get_data_value_set(
        {"dataElement": "DE_VILLAGES", "period": "2024", "orgUnit": "OU_TUACHUA"}
    )
    assert [(v["dataElement"], v["value"]) for v in exported["dataValues"]] == [("DE_VILLAGES", "120")]

    client.set_data_value("DE_VILLAGES", "2023", "OU_TUACHUA", 118, co="")
    assert client.get_data_value("DE_VILLAGES", "2023", "OU_TUACHUA") == ["118"]
    client.delete_data_value("DE_VILLAGES", "2023", "OU_TUACHUA", co="")
    with pytest.raises(DHIS2HTTPError) as gone:
        client.get_data_value("DE_VILLAGES", "2023", "OU_TUACHUA")
    assert gone.value.status_code == 409

    by_token = DHIS2Client(server.url, token=server.env["TOKEN"], retries=0)
    assert by_token.get_current_user()["username"] == server.username
    wrong = DHIS2Client(server.url, username=server.username, password="not-the-password", retries=0)
    with pytest.raises(DHIS2HTTPError) as refused:
        wrong.post_data_value_set(payload)
    assert refused.value.status_code == 401


def test_dhis2_py_library(server):
    from dhis2 import Api
    from dhis2.exceptions import RequestException

    api = Api(server.url, server.username, server.password, api_version=40)
    assert api.get_info()["systemName"] == "dxmonitor"  # GET /api/40/system/info.json
    assert api.get("me").json()["username"] == server.username

    payload = {
        "dataValues": [
            {"dataElement": "DE_VILLAGES", "period": "2022", "orgUnit": "OU_TUACHUA", "value": "7"}
        ]
    }
    dry = api.post("dataValueSets", json=payload, params={"dryRun": "true"}).json()
    assert (
        dry["response"]["importOptions"]["dryRun"] is True and dry["response"]["importCount"]["imported"] == 1
    )
    params = {"dataElement": "DE_VILLAGES", "period": "2022", "orgUnit": "OU_TUACHUA"}
    assert api.get("dataValueSets", params=params).json()["dataValues"] == []  # the dry run wrote nothing
    assert api.post("dataValueSets", json=payload).json()["response"]["importCount"]["imported"] == 1

    csv_body = (
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
        "DE_VILLAGES,2021,OU_TUACHUA,,,9\n"
    )
    posted = api.session.post(
        f"{api.api_url}/dataValueSets", data=csv_body.encode(), headers={"Content-Type": "application/csv"}
    )
    assert posted.status_code == 200 and posted.json()["response"]["importCount"]["imported"] == 1

    text = api.get("dataValueSets", file_type="csv", params={**params, "period": ["2021", "2022"]}).text
    assert text.splitlines()[1:] and all(",OU_TUACHUA," in line for line in text.splitlines()[1:])
    started = api.post("dataValueSets", json=payload, params={"async": "true"}).json()
    assert started["message"] == "Initiated DATAVALUE_IMPORT"
    task = started["response"]["relativeNotifierEndpoint"].removeprefix("/api/")
    deadline = time.monotonic() + 120
    while not (notes := api.get(task).json()) or not notes[0]["completed"]:
        assert time.monotonic() < deadline, notes
        time.sleep(0.3)
    assert notes[0]["level"] == "INFO"  # the server's own worker imported it
    summary = api.get(task.replace("system/tasks", "system/taskSummaries")).json()
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 1, "deleted": 0}

    api.delete("dataValues", params={"de": "DE_VILLAGES", "pe": "2021", "ou": "OU_TUACHUA"})
    with pytest.raises(RequestException) as gone:
        api.get("dataValues", params={"de": "DE_VILLAGES", "pe": "2021", "ou": "OU_TUACHUA"})
    assert gone.value.code == 409


DXF = b"""<?xml version="1.0" encoding="UTF-8"?>
<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" period="2020" orgUnit="OU_TUACHUA">
  <dataValue dataElement="DE_VILLAGES" value="33"/>
</dataValueSet>
"""
ADX = b"""<?xml version="1.0" encoding="UTF-8"?>
<adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-11-20T10:00:00+07:00">
  <group orgUnit="OU_TT" period="2020-01-01/P1Y" dataSet="DS">
    <dataValue dataElement="DE_HH" value="1350"/>
  </group>
</adx>
"""


def test_xml_and_adx_in_and_out(server):
    code, answer = _raw(server, "POST", "/api/dataValueSets", DXF, "application/xml")
    assert code == 200 and answer["response"]["importCount"]["imported"] == 1, answer
    code, answer = _raw(server, "POST", "/api/41/dataValueSets.adx", ADX, "application/adx+xml")
    assert code == 200 and answer["response"]["importCount"]["imported"] == 1, answer
    code, own = _raw(server, "POST", "/api/v1/dataValueSets", ADX, "application/adx+xml")
    assert code == 200 and own["importCount"]["ignored"] == 1
    code, bomb = _raw(server, "POST", "/api/dataValueSets", b'<!DOCTYPE x [<!ENTITY a "a">]><x/>', "text/xml")
    assert code == 409 and "DOCTYPE" in bomb["response"]["description"]

    request = urllib.request.Request(
        server.url
        + "/api/dataValueSets.adx?dataElement=DE_HH,DE_VILLAGES&period=2020&orgUnit=OU_TT,OU_TUACHUA"
    )
    request.add_header("Authorization", f"ApiToken {server.env['TOKEN']}")
    with urllib.request.urlopen(request, timeout=60) as response:
        root = etree.fromstring(response.read())
    groups = {g.get("orgUnit"): [(v.get("dataElement"), v.get("value")) for v in g] for g in root}
    assert groups == {"OU_TUACHUA": [("DE_VILLAGES", "33")], "OU_TT": [("DE_HH", "1350")]}
