"""The catalogue API: reads for everyone, changes for administrators."""

import pytest

from dxmonitor.catalog.models import Indicator

pytestmark = pytest.mark.django_db

NEW = {
    "code": "SOC.PUBLIC_WIFI_USERS",
    "group": "SOC",
    "name_vi": "Số lượt truy cập wifi công cộng",
    "name_en": "Public wifi sessions",
    "measure_unit": "session",
    "kind": "count",
    "aggregation": "sum",
    "direction": "up",
    "phrasings": ["wifi công cộng"],
    "targets": [{"year": 2030, "value": 100000, "source": "Kế hoạch 2026"}],
}


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_list_and_filter(client):
    body = client.get("/api/v1/indicators").json()
    assert body["count"] == 66
    assert {i["code"] for i in client.get("/api/v1/indicators", {"group": "CTX"}).json()["items"]} == {
        "CTX.POPULATION",
        "CTX.HOUSEHOLDS",
        "CTX.VILLAGES",
        "CTX.COMMUNES",
        "CTX.OFFICIALS",
        "CTX.ENTERPRISES",
    }
    found = client.get("/api/v1/indicators", {"q": "chu ky so"}).json()["items"]
    assert "GOV.DIGITAL_SIGNATURES_ISSUED" in {i["code"] for i in found}


def test_detail_in_both_languages(client):
    body = client.get("/api/v1/indicators/INF.HOUSEHOLD_FIXED_BB").json()
    assert body["name"] == body["name_vi"].strip() and body["name"].startswith("Tỷ lệ hộ gia đình")
    assert body["denominator_indicator"] == "CTX.HOUSEHOLDS" and body["aggregation"] == "ratio_of_sums"
    assert {(t["year"], t["value"]) for t in body["targets"]} == {(2025, 80.0), (2030, 100.0)}
    english = client.get("/api/v1/indicators/INF.HOUSEHOLD_FIXED_BB", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["name"] == "Share of households with fixed broadband (fibre)"


def test_groups(client):
    groups = client.get("/api/v1/indicator-groups").json()
    assert [g["code"] for g in groups] == ["CTX", "AWR", "INF", "HR", "GOV", "ECO", "SOC", "DTI", "DX"]


def test_unknown_code_is_404(client):
    response = client.get("/api/v1/indicators/INF.NOPE")
    assert response.status_code == 404 and response.json()["detail"] == "unknown indicator INF.NOPE"


def test_create_needs_an_administrator(client, admin_token, officer_token):
    assert client.post("/api/v1/indicators", NEW, content_type="application/json").status_code == 401
    assert (
        client.post(
            "/api/v1/indicators", NEW, content_type="application/json", **bearer(officer_token)
        ).status_code
        == 403
    )
    assert not Indicator.objects.filter(code=NEW["code"]).exists()
    response = client.post("/api/v1/indicators", NEW, content_type="application/json", **bearer(admin_token))
    assert response.status_code == 201
    assert response.json()["targets"][0]["value"] == 100000
    history = client.get(f"/api/v1/indicators/{NEW['code']}/history", **bearer(admin_token)).json()
    assert (
        history[0]["action"] == "create"
        and history[0]["channel"] == "api"
        and history[0]["changed_by"] == "quantri"
    )


def test_invalid_definition_lists_problems(client, admin_token):
    response = client.post(
        "/api/v1/indicators",
        {**NEW, "code": "x", "kind": "many"},
        content_type="application/json",
        **bearer(admin_token),
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} >= {"code", "kind"}


def test_patch_changes_some_fields_and_records_them(client, admin_token):
    response = client.patch(
        "/api/v1/indicators/INF.BTS_STATIONS",
        {"name_en": "BTS sites"},
        content_type="application/json",
        **bearer(admin_token),
    )
    assert response.status_code == 200 and response.json()["name_en"] == "BTS sites"
    assert response.json()["name_vi"] == "Số trạm thu phát sóng di động (BTS)"
    history = client.get("/api/v1/indicators/INF.BTS_STATIONS/history").json()
    assert history[0]["changes"]["name_en"] == ["Mobile base stations (BTS)", "BTS sites"]
    missing = client.patch(
        "/api/v1/indicators/INF.NOPE",
        {"name_en": "x"},
        content_type="application/json",
        **bearer(admin_token),
    )
    assert missing.status_code == 404


def test_a_revoked_token_is_refused(client, admin):
    from dxmonitor.accounts.actions import create_token, revoke_token

    token, plain = create_token(user=admin, name="cu")
    revoke_token(token=token)
    response = client.patch(
        "/api/v1/indicators/INF.BTS_STATIONS",
        {"name_en": "x"},
        content_type="application/json",
        **bearer(plain),
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        '{"name_vi": null}',
        '{"kind": null}',
        '{"targets": [{"year": 2025, "value": NaN}]}',
        '{"targets": [{"year": 2025, "value": Infinity}]}',
        '{"name_en": "' + "x" * 400 + '"}',
    ],
)
def test_malformed_patches_are_400_and_change_nothing(client, admin_token, body):
    response = client.patch(
        "/api/v1/indicators/CTX.VILLAGES", body, content_type="application/json", **bearer(admin_token)
    )
    assert response.status_code == 400, response.content
    assert not Indicator.objects.get(code="CTX.VILLAGES").changes.filter(action="update").exists()


def test_long_codes_are_refused_on_every_database(client, admin_token):
    response = client.post(
        "/api/v1/indicators",
        {**NEW, "code": "INF." + "X" * 100},
        content_type="application/json",
        **bearer(admin_token),
    )
    assert response.status_code == 400
