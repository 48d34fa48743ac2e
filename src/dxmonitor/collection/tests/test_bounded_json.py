"""JSON within limits on every path: nested brackets and endless tokens get a 400 naming the limit,
and cost little memory on the way."""

import json
import tracemalloc

import pytest
from django.test import override_settings

from dxmonitor.cli import main
from dxmonitor.collection.models import Value

pytestmark = pytest.mark.django_db

# About 20 KB of brackets, 10,000 levels: enough to take gigabytes through a prefix per level.
NESTED = '{"values": [' + "[" * 10_000 + "]" * 10_000 + "]}"


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def peak_memory(call):
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("url", ["/api/v1/dataValueSets", "/api/dataValueSets"])
def test_nested_brackets_are_refused_with_the_limit_in_little_memory(client, admin_token, url):
    assert len(NESTED) > 20_000
    client.post(url, "{}", content_type="application/json", **bearer(admin_token))  # imports, URLs
    response, peak = peak_memory(
        lambda: client.post(url, NESTED, content_type="application/json", **bearer(admin_token))
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert "nested deeper than 32 levels (DXM_JSON_MAX_DEPTH)" in body["detail"]
    assert "sâu hơn 32 mức" in body["detail_vi"]
    assert peak < 8 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_nesting_before_the_array_is_measured_too(client, admin_token):
    body = '{"meta": ' + "[" * 5_000 + "]" * 5_000 + ', "dataValues": []}'
    response = client.post("/api/dataValueSets", body, content_type="application/json", **bearer(admin_token))
    assert response.status_code == 400 and "DXM_JSON_MAX_DEPTH" in response.json()["detail"]


def test_a_value_nested_a_thousand_objects_deep_is_a_400_not_a_recursion_error(client, admin_token):
    note = "1"
    for _ in range(1_000):
        note = '{"a": ' + note + "}"
    body = '{"unit": "098", "indicator": "CTX.VILLAGES", "period": "2024", "value": 1, "note": ' + note + "}"
    response = client.post("/api/v1/values", body, content_type="application/json", **bearer(admin_token))
    assert response.status_code == 400, response.content
    assert "nested deeper than 32 levels" in response.json()["detail"]
    assert not Value.objects.exists()


def test_more_tokens_than_the_limit_are_refused(client, admin_token):
    values = [
        {"unit": "098", "indicator": "CTX.VILLAGES", "period": str(y), "value": 1} for y in range(2000, 2020)
    ]
    with override_settings(DXM_JSON_MAX_TOKENS=100):
        response = client.post(
            "/api/v1/dataValueSets",
            json.dumps({"values": values}),
            content_type="application/json",
            **bearer(admin_token),
        )
    assert response.status_code == 400
    assert "more than 100 tokens (DXM_JSON_MAX_TOKENS)" in response.json()["detail"]
    assert not Value.objects.exists()


def test_import_of_a_nested_json_file_names_the_limit(capsys, tmp_path, admin):
    path = tmp_path / "values.json"
    path.write_text(NESTED, encoding="utf-8")
    assert main(["import", str(path), "--user", admin.username]) == 1
    captured = capsys.readouterr()
    assert "nested deeper than 32 levels (DXM_JSON_MAX_DEPTH)" in captured.out + captured.err


def test_ordinary_payloads_still_pass(client, admin_token):
    values = [{"unit": "098", "indicator": "CTX.VILLAGES", "period": "2024", "value": 12, "note": "ổn"}]
    response = client.post(
        "/api/v1/dataValueSets",
        json.dumps({"values": values}),
        content_type="application/json",
        **bearer(admin_token),
    )
    assert response.status_code == 200 and response.json()["created"] == 1
