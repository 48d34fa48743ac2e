"""DHIS2's XML and ADX payloads in (at DHIS2's path and the product's own), read safely, and ADX
out and back in."""

import base64
import datetime

import pytest

from dxmonitor.collection.dhis2_mappings import load_mappings
from dxmonitor.collection.dhis2_xml import adx_period
from dxmonitor.collection.models import Value

pytestmark = pytest.mark.django_db

ADMIN = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"quantri:mat-khau-dai-123").decode()}

DXF = """<?xml version="1.0" encoding="UTF-8"?>
<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="pBOMPrpg1QX" period="2023"
  orgUnit="DiszpKrYNg8">
  <!-- the envelope gives period and orgUnit to values without their own -->
  <dataValue dataElement="DE_VILLAGES" value="31" comment="theo báo cáo"/>
  <dataValue dataElement="DE_HH" period="2023Q2" orgUnit="OU_TT" value="1406"/>
  <dataValue dataElement="DE_VILLAGES" period="2023W12" value="4"/>
  <dataValue dataElement="DE_NOPE" value="4"/>
</dataValueSet>
"""

ADX = """<?xml version="1.0" encoding="UTF-8"?>
<adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-11-20T10:00:00+07:00">
  <group orgUnit="DiszpKrYNg8" period="2022-01-01/P1Y" dataSet="DS_CTX">
    <dataValue dataElement="DE_VILLAGES" value="12"/>
  </group>
  <group orgUnit="OU_TT" period="2022-07-01/P3M" dataSet="DS_CTX">
    <dataValue dataElement="DE_POP" SEX="F" value="2100"/>
    <dataValue dataElement="DE_POP" SEX="M" value="2000"><annotation>ước tính</annotation></dataValue>
  </group>
  <group orgUnit="OU_TT" period="2022-03-07/P7D" dataSet="DS_CTX">
    <dataValue dataElement="DE_VILLAGES" value="1"/>
  </group>
</adx>
"""


@pytest.fixture
def mapped(db):
    rows = [
        {"kind": "org_unit", "dhis2_id": "DiszpKrYNg8", "unit_code": "098"},
        {"kind": "org_unit", "dhis2_id": "OU_TT", "unit_code": "03217"},
        {"kind": "data_element", "dhis2_id": "DE_VILLAGES", "indicator": "CTX.VILLAGES"},
        {"kind": "data_element", "dhis2_id": "DE_HH", "indicator": "CTX.HOUSEHOLDS"},
        {
            "kind": "data_element",
            "dhis2_id": "DE_POP",
            "category_option_combo": "SEX=F",
            "indicator": "CTX.POPULATION",
        },
    ]
    return load_mappings(rows=list(enumerate(rows, start=2)), on=datetime.date(2024, 6, 30))


def test_adx_periods():
    assert adx_period("2024-01-01/P1Y") == "2024"
    assert adx_period("2024-07-01/P3M") == "2024Q3"
    assert adx_period("2024-09-01/P1M") == "202409"
    assert adx_period("2024-03-07/P7D") == "2024-03-07/P7D"  # a week: refused by the period check
    assert adx_period("2024-02-30/P1M") == "2024-02-30/P1M"


def test_dhis2_xml_import(client, admin, mapped):
    answer = client.post("/api/dataValueSets", DXF, content_type="application/xml", **ADMIN)
    assert answer.status_code == 409, answer.content  # two conflicts, the rest imported
    summary = answer.json()["response"]
    assert summary["importCount"]["imported"] == 2 and summary["rejectedIndexes"] == [2, 3]
    conflicts = {c["indexes"][0]: c for c in summary["conflicts"]}
    assert conflicts[2]["errorCode"] == "E7611" and "weekly" in conflicts[2]["value"]
    assert conflicts[3]["errorCode"] == "E7610"
    villages = Value.objects.get(indicator__code="CTX.VILLAGES", period="2023")
    assert villages.value == 31 and villages.note == "theo báo cáo" and villages.unit.code == "098"
    assert Value.objects.get(indicator__code="CTX.HOUSEHOLDS", period="2023Q2").value == 1406


def test_adx_import_at_both_apis(client, admin, mapped):
    answer = client.post("/api/dataValueSets", ADX, content_type="application/adx+xml", **ADMIN)
    summary = answer.json()["response"]
    assert answer.status_code == 409 and summary["importCount"]["imported"] == 2, summary
    by_index = {c["indexes"][0]: c for c in summary["conflicts"]}
    assert set(by_index) == {2, 3}
    assert "SEX=M" in by_index[2]["value"]  # no mapping for this disaggregation
    assert by_index[3]["property"] == "period"
    assert Value.objects.get(indicator__code="CTX.VILLAGES", period="2022").value == 12
    assert Value.objects.get(indicator__code="CTX.POPULATION", period="2022Q3").value == 2100

    again = ADX.replace('value="12"', 'value="13"')
    own = client.post("/api/v1/dataValueSets", again, content_type="application/adx+xml", **ADMIN)
    assert own.status_code == 200 and own.json()["responseType"] == "ImportSummary"
    assert own.json()["importCount"]["updated"] == 1
    suffix = client.post("/api/dataValueSets.adx", again, content_type="text/plain", **ADMIN)
    assert suffix.json()["response"]["importCount"]["ignored"] == 4


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0">
  <dataValue dataElement="&lol2;" value="1"/></dataValueSet>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"><dataValue dataElement="&x;" value="1"/></dataValueSet>
"""


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (BOMB, "DOCTYPE"),
        (EXTERNAL, "DOCTYPE"),
        ("<dataValueSet><dataValue", "not well-formed XML"),
        ("<html><body>hi</body></html>", "root must be"),
        ("  \n", "not well-formed XML"),
    ],
    ids=["entities", "external", "truncated", "other-root", "empty"],
)
def test_unsafe_or_broken_xml_is_refused_whole(client, admin, mapped, body, words):
    answer = client.post("/api/dataValueSets", body, content_type="application/xml", **ADMIN)
    assert answer.status_code == 409, answer.content
    assert words in answer.json()["response"]["description"] and answer.json()["status"] == "ERROR"
    own = client.post("/api/v1/dataValueSets", body, content_type="text/xml", **ADMIN)
    assert own.status_code in (400, 409) and words in own.content.decode()
    assert not Value.objects.filter(api_client__startswith="basic:").exists()


def test_adx_export_imports_back(client, admin, mapped):
    client.post("/api/dataValueSets", ADX, content_type="application/adx+xml", **ADMIN)
    exported = b"".join(
        client.get(
            "/api/dataValueSets.adx",
            {
                "dataElement": "DE_VILLAGES,DE_POP",
                "period": ["2022", "2022Q3"],
                "orgUnit": ["DiszpKrYNg8", "OU_TT"],
            },
            **ADMIN,
        ).streaming_content
    ).decode()
    assert 'period="2022-07-01/P3M"' in exported and 'SEX="F"' in exported
    back = client.post("/api/dataValueSets", exported, content_type="application/adx+xml", **ADMIN)
    assert back.status_code == 200, back.content
    assert back.json()["response"]["importCount"] == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}
