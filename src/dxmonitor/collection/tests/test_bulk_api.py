"""The bulk API in our own format: POST /api/v1/dataValueSets and its background jobs."""

import json
import uuid

import pytest
from django.test import override_settings

from dxmonitor.collection import jobs, payloads
from dxmonitor.collection.models import ImportJob, Value, ValueChange

pytestmark = pytest.mark.django_db

URL = "/api/v1/dataValueSets"


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client, token: str | None, body, *, query: str = "", content_type: str = "application/json"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    headers = bearer(token) if token else {}
    return client.post(URL + query, data, content_type=content_type, **headers)


VALUES = [
    {"unit": "098", "indicator": "CTX.VILLAGES", "period": "2024", "value": 120},
    {
        "unit_code": "03217",
        "indicator": "CTX.HOUSEHOLDS",
        "period": "2024",
        "kind": "actual",
        "value": "1.234",
    },
    {
        "unit": "098",
        "indicator": "AWR.CDT_VILLAGE_COVERAGE",
        "period": "2024",
        "numerator": 90,
        "denominator": 120,
        "comparator": "eq",
        "note": "báo cáo quý",
    },
]


def test_created_then_unchanged_then_updated(client, admin_token):
    first = post(client, admin_token, {"values": VALUES})
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["total"], body["created"], body["updated"], body["unchanged"], body["rejected"]) == (
        3,
        3,
        0,
        0,
        0,
    )
    assert body["applied"] is True and body["dry_run"] is False
    stored = Value.objects.get(indicator__code="AWR.CDT_VILLAGE_COVERAGE", period="2024")
    assert stored.value == 75.0 and stored.numerator == 90 and stored.note == "báo cáo quý"
    assert stored.source_type == "api" and stored.api_client == "tich-hop-thu-nghiem"
    assert Value.objects.get(indicator__code="CTX.HOUSEHOLDS", period="2024").value == 1234
    assert Value.objects.get(indicator__code="CTX.HOUSEHOLDS", period="2024").unit.name == "Thị trấn Tủa Chùa"

    again = post(client, admin_token, {"values": VALUES}).json()
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (0, 0, 3, 0)
    assert ValueChange.objects.filter(value__period="2024", value__source_type="api").count() == 3

    changed = [dict(VALUES[0], value=121), *VALUES[1:]]
    third = post(client, admin_token, {"values": changed}).json()
    assert (third["created"], third["updated"], third["unchanged"]) == (0, 1, 2)
    value = Value.objects.get(indicator__code="CTX.VILLAGES", period="2024", unit__code="098")
    assert value.value == 121 and value.version == 2


def test_each_rejected_value_says_why_with_its_index(client, admin_token):
    payload = {
        "values": [
            VALUES[0],
            {"unit": "098", "indicator": "CTX.NOPE", "period": "2024", "value": 1},
            {"unit": "99999", "indicator": "CTX.VILLAGES", "period": "2024", "value": 1},
            {"unit": "098", "indicator": "CTX.VILLAGES", "period": "2023", "value": "mười hai"},
            {"unit": "098", "indicator": "CTX.VILLAGES", "period": "2024Q5", "value": 1},
            {"unit": "098", "indicator": "AWR.CDT_VILLAGE_COVERAGE", "period": "2023", "value": 130},
            "not an object",
            {"unit": "098", "indicator": "CTX.VILLAGES", "period": "2022", "value": {"nested": 1}},
        ]
    }
    body = post(client, admin_token, payload).json()
    assert (body["total"], body["created"], body["rejected"]) == (8, 1, 7)
    reasons = {r["index"]: r for r in body["rejections"]}
    assert [r["index"] for r in body["rejections"]] == [1, 2, 3, 4, 5, 6, 7]
    assert reasons[1]["field"] == "indicator" and "unknown indicator 'CTX.NOPE'" in reasons[1]["message"]
    assert reasons[2]["field"] == "unit" and "'99999'" in reasons[2]["message_en"]
    assert reasons[3]["field"] == "value" and "not a number" in reasons[3]["message"]
    assert "không phải là số" in reasons[3]["message_vi"]
    assert reasons[4]["field"] == "period"
    assert "cannot exceed 100" in reasons[5]["message"]
    assert reasons[6]["message"] == "each value must be a JSON object"
    assert reasons[7]["field"] == "value"
    assert Value.objects.filter(unit__code="098", indicator__code="CTX.VILLAGES").count() == 1


def test_dry_run_writes_nothing(client, admin_token):
    for query in ("?dryRun=true", "?dry_run=true"):
        body = post(client, admin_token, {"values": VALUES}, query=query).json()
        assert body["dry_run"] is True and body["applied"] is False and body["created"] == 3
    assert not Value.objects.filter(period="2024", source_type="api").exists()


def test_values_outside_the_users_subtree_are_rejected(client, officer, officer_token, unit_named):
    from dxmonitor.accounts.actions import grant_role
    from dxmonitor.conftest import NEW_DAY

    commune = unit_named("xã Than Uyên", as_of=NEW_DAY, province="Lai Châu")
    grant_role(user=officer, role="data_entry", unit=commune)
    payload = {
        "values": [
            {"unit_id": commune.pk, "indicator": "CTX.VILLAGES", "period": "2025Q3", "value": 14},
            {"unit": "03217", "indicator": "CTX.VILLAGES", "period": "2025Q3", "value": 12},
        ]
    }
    body = post(client, officer_token, payload).json()
    assert (body["created"], body["rejected"]) == (1, 1)
    refused = body["rejections"][0]
    assert refused["index"] == 1 and refused["field"] == "unit"
    assert "outside the units you may enter figures for" in refused["message"]
    assert not Value.objects.filter(unit__code="03217", period="2025Q3").exists()
    assert Value.objects.get(unit=commune, period="2025Q3").value == 14


def test_who_may_post(client, officer_token):
    assert post(client, None, {"values": VALUES}).status_code == 401
    refused = post(client, officer_token, {"values": VALUES})  # no role anywhere
    assert refused.status_code == 403 and "any unit" in refused.json()["detail"]


def test_session_users_post_too(client, admin):
    client.force_login(admin)
    assert post(client, None, {"values": VALUES[:1]}).json()["created"] == 1


def test_malformed_payloads_are_refused_whole(client, admin_token):
    broken = post(
        client, admin_token, '{"values": [{"unit": "098", "indicator": "CTX.VILLAGES", "value": 1}, {'
    )
    assert broken.status_code == 400 and "not valid JSON" in broken.json()["detail"]
    assert not Value.objects.filter(source_type="api").exists()
    for body, words in (("[1, 2]", "must be a JSON object"), ('{"items": []}', 'no "values"')):
        response = post(client, admin_token, body)
        assert response.status_code == 400 and words in response.json()["detail"], response.json()
    wrong = post(client, admin_token, "unit,indicator\n", content_type="application/x-www-form-urlencoded")
    assert wrong.status_code == 415 and "application/json" in wrong.json()["detail"]


def test_payload_over_the_limit_is_refused_clearly(client, admin_token):
    payload = {"values": [dict(VALUES[0], period=str(year)) for year in range(2000, 2024)]}
    with override_settings(DXM_MAX_PAYLOAD_MB=0.001):  # 1,048 bytes
        response = post(client, admin_token, payload)
    assert response.status_code == 413
    assert "larger than 0.001 MB (DXM_MAX_PAYLOAD_MB)" in response.json()["detail"]
    assert "chia thành nhiều lần" in response.json()["detail_vi"]
    assert not Value.objects.filter(source_type="api").exists()


def test_body_beyond_djangos_memory_limit_is_read_as_a_stream(client, admin_token):
    payload = {"values": [dict(VALUES[0], period=str(year)) for year in range(1990, 2024)]}
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=500):
        body = post(client, admin_token, payload).json()
    assert body["created"] == 34


def test_large_payload_becomes_a_job_with_progress(
    client, admin_token, officer_token, monkeypatch, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(jobs, "BACKGROUND_VALUES", 3)
    payload = {"values": [dict(VALUES[0], period=str(year)) for year in range(2015, 2020)]}
    payload["values"].append({"unit": "098", "indicator": "CTX.NOPE", "period": "2019", "value": 1})
    response = post(client, admin_token, payload)
    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == job["status_url"] == f"/api/v1/imports/{job['id']}"
    # Inside the test's transaction the job runs on the request's thread: already done.
    followed = client.get(job["status_url"], **bearer(admin_token)).json()
    assert (followed["status"], followed["total"], followed["processed"]) == ("done", 6, 6)
    assert followed["format"] == "json" and followed["finished_at"]
    result = followed["result"]
    assert (result["created"], result["rejected"]) == (5, 1) and result["rejections"][0]["index"] == 5
    assert not list((tmp_path / "imports").iterdir()), "the spooled payload is removed"

    assert client.get(job["status_url"], **bearer(officer_token)).status_code == 403
    assert client.get(job["status_url"]).status_code == 401
    assert client.get(f"/api/v1/imports/{uuid.uuid4()}", **bearer(admin_token)).status_code == 404
    assert client.get("/api/v1/imports/not-a-uuid", **bearer(admin_token)).status_code == 400


def test_owner_follows_own_job_and_admin_any(
    client, admin_token, officer, officer_token, monkeypatch, settings, tmp_path, unit_named
):
    from dxmonitor.accounts.actions import grant_role

    settings.VAR_DIR = tmp_path
    grant_role(user=officer, role="data_entry", unit=unit_named("huyện Tủa Chùa"))
    monkeypatch.setattr(jobs, "BACKGROUND_BYTES", 200)  # spooled while read
    monkeypatch.setattr(payloads, "READ_SIZE", 64)  # in many pieces
    payload = {"values": [dict(VALUES[0], period=str(year)) for year in range(2015, 2020)]}
    response = post(client, officer_token, payload, query="?dryRun=true")
    assert response.status_code == 202
    url = response.json()["status_url"]
    mine = client.get(url, **bearer(officer_token)).json()
    assert mine["status"] == "done" and mine["dry_run"] is True and mine["result"]["created"] == 5
    assert client.get(url, **bearer(admin_token)).status_code == 200
    assert not Value.objects.filter(source_type="api").exists()


def test_a_malformed_large_payload_fails_its_job_and_writes_nothing(
    client, admin_token, monkeypatch, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(jobs, "BACKGROUND_BYTES", 100)
    good = ", ".join(json.dumps(dict(VALUES[0], period=str(year))) for year in range(2015, 2020))
    response = post(client, admin_token, '{"values": [' + good + ", {]}")
    job = client.get(response.json()["status_url"], **bearer(admin_token)).json()
    assert job["status"] == "failed" and "not valid JSON" in job["error"]
    assert job["result"]["detail_vi"].startswith("Dữ liệu gửi lên không phải JSON")
    assert not Value.objects.filter(source_type="api").exists()
    assert ImportJob.objects.get(pk=job["id"]).finished_at is not None


def test_a_large_payload_waits_in_the_queue_with_its_file_until_a_worker_runs_it(
    client, admin_token, monkeypatch, settings, tmp_path, job_queue
):
    from dxmonitor.jobs.models import Job

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(jobs, "BACKGROUND_VALUES", 3)
    payload = {"values": [dict(VALUES[0], period=str(year)) for year in range(2015, 2020)]}
    accepted = post(client, admin_token, payload).json()
    followed = client.get(accepted["status_url"], **bearer(admin_token)).json()
    assert followed["status"] == "queued" and followed["job_url"] == f"/api/v1/jobs/{accepted['id']}"
    assert Job.objects.get(pk=accepted["id"]).status == "queued"
    assert len(list((tmp_path / "imports").iterdir())) == 1, "the payload is kept until the job runs"
    assert not Value.objects.filter(source_type="api").exists()

    assert job_queue() == 1
    done = client.get(accepted["status_url"], **bearer(admin_token)).json()
    assert (done["status"], done["processed"], done["result"]["created"]) == ("done", 5, 5)
    job = client.get(done["job_url"], **bearer(admin_token)).json()
    assert (job["status"], job["done"], job["total"], job["attempts"]) == ("done", 5, 5, 1)
    assert not list((tmp_path / "imports").iterdir())
