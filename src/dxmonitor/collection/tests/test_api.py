"""The values API: lists with provenance, writes that keep history, documents, periods."""

import pytest

from dxmonitor.collection.models import Value
from dxmonitor.demo.actions import load_seed_facts
from dxmonitor.geo.models import Level, Unit

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def seeds(db):
    return load_seed_facts()


def test_household_broadband_of_tua_chua_with_its_provenance(client, seeds):
    body = client.get("/api/v1/values", {"indicator": "INF.HOUSEHOLD_FIXED_BB"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["value"] == 24.3 and item["display"] == "24,3%"
    assert item["unit"]["name"] == "Huyện Tủa Chùa" and item["unit"]["code"] == "098"
    assert (item["period"], item["kind"], item["comparator"]) == ("", "actual", "eq")
    assert item["period_label"] == "Không rõ thời điểm"
    assert item["synthetic"] is False and item["data_label"] == "real"
    provenance = item["provenance"]
    assert provenance["source_type"] == "document"
    assert provenance["document"]["title"].startswith("ĐBP - Mặc dù còn gặp nhiều khó khăn")
    assert provenance["evidence"]["quote"] == "tỷ lệ hộ gia đình kết nối internet băng rộng đạt 24,3%"
    assert provenance["evidence"]["end"] > provenance["evidence"]["start"]
    assert item["targets"][0]["status"] == "not_met" and item["targets"][0]["target"] == 80


def test_english_display(client, seeds):
    item = client.get(
        "/api/v1/values", {"indicator": "INF.MOBILE_VILLAGE_COVERAGE"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()["items"][0]
    assert item["display"] == "over 97%" and item["comparator"] == "gt"


def test_filters(client, seeds):
    lai_chau = Unit.objects.get(level=Level.PROVINCE, code="12", valid_to__isnull=False)
    by_unit = client.get("/api/v1/values", {"unit": lai_chau.pk}).json()
    assert by_unit["count"] == 10
    within = client.get("/api/v1/values", {"within": lai_chau.pk}).json()
    assert within["count"] == by_unit["count"] + 4 + 1  # Than Uyên's 4 facts and Hua Nà's one
    assert client.get("/api/v1/values", {"period": "2023"}).json()["count"] == 4
    assert client.get("/api/v1/values", {"period": "2025", "kind": "target"}).json()["count"] == 1
    assert client.get("/api/v1/values", {"synthetic": "true"}).json()["count"] == 0


def test_bad_filters(client):
    response = client.get("/api/v1/values", {"period": "2024Q5"})
    assert response.status_code == 400
    assert "unknown period" in response.json()["detail"] and "Kỳ báo cáo" in response.json()["detail_vi"]
    response = client.get("/api/v1/values", {"indicator": "INF.NOPE"})
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "indicator"
    assert client.get("/api/v1/values", {"unit": 999999999}).status_code == 404


def post(client, token, **payload):
    return client.post("/api/v1/values", payload, content_type="application/json", **bearer(token))


def test_post_create_unchanged_update_and_history(client, admin_token):
    payload = {"unit_code": "098", "indicator": "CTX.VILLAGES", "period": "2024", "value": 120}
    first = post(client, admin_token, **payload)
    assert first.status_code == 201 and first.json()["outcome"] == "created"
    assert first.json()["value"]["unit"]["name"] == "Huyện Tủa Chùa"
    assert first.json()["value"]["provenance"]["api_client"] == "tich-hop-thu-nghiem"
    again = post(client, admin_token, **payload)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    changed = post(client, admin_token, **{**payload, "value": "121"})
    assert changed.json()["outcome"] == "updated" and changed.json()["value"]["version"] == 2
    value_id = changed.json()["value"]["id"]
    history = client.get(f"/api/v1/values/{value_id}/history", **bearer(admin_token)).json()
    assert [(h["version"], h["action"], h["after"]["value"]) for h in history] == [
        (1, "create", 120.0),
        (2, "update", 121.0),
    ]
    assert history[1]["before"]["value"] == 120.0 and history[1]["changed_by"] == "quantri"
    assert Value.objects.filter(indicator__code="CTX.VILLAGES").count() == 1


def test_a_code_means_the_unit_in_force_during_the_period(client, admin_token):
    old = post(client, admin_token, unit_code="03217", indicator="CTX.VILLAGES", period="2024", value=9)
    new = post(client, admin_token, unit_code="03217", indicator="CTX.VILLAGES", period="2025Q4", value=31)
    assert old.json()["value"]["unit"]["name"] == "Thị trấn Tủa Chùa"
    assert new.json()["value"]["unit"]["name"] == "Xã Tủa Chùa"
    missing = post(client, admin_token, unit_code="99999", indicator="CTX.VILLAGES", period="2024", value=1)
    assert missing.status_code == 404


def test_post_refuses_bad_values_and_writes_nothing(client, admin_token, officer_token):
    base = {"unit_code": "098", "indicator": "INF.HOUSEHOLD_FIXED_BB", "period": "2024"}
    over = post(client, admin_token, **base, value=130)
    assert over.status_code == 400 and "exceed 100" in over.json()["detail"]
    ratio = post(client, admin_token, **base, value=None, numerator=900, denominator=800)
    assert ratio.status_code == 400 and ratio.json()["errors"][0]["field"] == "numerator"
    assert post(client, admin_token, **{**base, "period": "2024Q9"}, value=3).status_code == 400
    assert post(client, admin_token, **{**base, "indicator": "NOPE.X"}, value=3).status_code == 404
    assert post(client, officer_token, **base, value=30).status_code == 403
    assert (
        client.post("/api/v1/values", {**base, "value": 30}, content_type="application/json").status_code
        == 401
    )
    assert not Value.objects.filter(indicator__code="INF.HOUSEHOLD_FIXED_BB").exists()


def test_delete_is_soft(client, admin_token):
    created = post(
        client, admin_token, unit_code="098", indicator="CTX.VILLAGES", period="2024", value=120
    ).json()
    value_id = created["value"]["id"]
    deleted = client.delete(f"/api/v1/values/{value_id}?reason=nhap+nham", **bearer(admin_token))
    assert deleted.status_code == 200 and deleted.json()["outcome"] == "deleted"
    assert (
        client.get("/api/v1/values", {"indicator": "CTX.VILLAGES"}, **bearer(admin_token)).json()["count"]
        == 0
    )
    hidden = client.get("/api/v1/values", {"indicator": "CTX.VILLAGES", "include_deleted": "true"})
    assert hidden.status_code == 403
    kept = client.get(
        "/api/v1/values", {"indicator": "CTX.VILLAGES", "include_deleted": "true"}, **bearer(admin_token)
    ).json()
    assert kept["items"][0]["deleted"] is True
    history = client.get(f"/api/v1/values/{value_id}/history", **bearer(admin_token)).json()
    assert history[-1]["action"] == "delete" and history[-1]["reason"] == "nhap nham"
    assert client.get(f"/api/v1/values/{value_id}", **bearer(admin_token)).json()["deleted"] is True


def test_documents(client, seeds):
    body = client.get("/api/v1/documents").json()
    assert body["count"] == 5
    dated = [d for d in body["items"] if d["published_on"]]
    assert [d["published_on"] for d in dated] == ["2023-07-25"]
    first = body["items"][0]
    detail = client.get(f"/api/v1/documents/{first['id']}").json()
    assert detail["text"] and detail["values_count"] == first["values_count"] > 0
    assert client.get("/api/v1/documents/999999").status_code == 404


def test_periods(client):
    body = client.get("/api/v1/periods/2024Q3").json()
    assert body == {
        "code": "2024Q3",
        "type": "Q",
        "start": "2024-07-01",
        "end": "2024-09-30",
        "label_vi": "Quý III/2024",
        "label_en": "Q3 2024",
    }
    assert client.get("/api/v1/periods/2024Q5").status_code == 400


def test_real_figures_come_first_even_among_many_synthetic_ones(client, seeds):
    from dxmonitor.demo.actions import load_synthetic

    load_synthetic()
    body = client.get("/api/v1/values", {"indicator": "INF.HOUSEHOLD_FIXED_BB"}).json()
    assert body["count"] > 100
    assert body["items"][0]["unit"]["name"] == "Huyện Tủa Chùa" and body["items"][0]["value"] == 24.3
    assert all(item["synthetic"] for item in body["items"][1:])


def test_lists_cost_a_fixed_number_of_queries(client, seeds, django_assert_max_num_queries):
    from dxmonitor.analytics.refresh import refresh
    from dxmonitor.demo.actions import load_synthetic

    load_synthetic()
    # The worker's refresh, done: a page would otherwise queue one, which tests run inline.
    refresh()
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/values", {"limit": 300}).json()["items"]) == 300
    with django_assert_max_num_queries(12):
        client.get("/api/v1/home")
    with django_assert_max_num_queries(4):
        client.get("/api/v1/documents")


def test_collected_figures_are_for_readers_within_the_unit(client, admin_token):
    created = post(
        client, admin_token, unit_code="098", indicator="CTX.VILLAGES", period="2024", value=120
    ).json()
    value_id = created["value"]["id"]
    # Figures collected from a unit are not public: an outsider does not even see them.
    assert client.get(f"/api/v1/values/{value_id}").status_code == 404
    assert client.get("/api/v1/values", {"indicator": "CTX.VILLAGES"}).json()["count"] == 0
    signed = client.get(f"/api/v1/values/{value_id}", **bearer(admin_token)).json()["provenance"]
    assert signed["created_by"] == "quantri" and signed["api_client"] == "tich-hop-thu-nghiem"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"value": True}, "value"),
        ({"value": 1, "kind": "target", "period": ""}, "period"),
        ({"value": 1, "evidence": {"quote": "x", "start": 9, "end": 3}}, "evidence"),
        ({"value": 1, "note": "x" * 3000}, "note"),
        ({"value": 1, "indicator": "X" * 100}, "indicator"),
        ({"value": 1, "unit_code": "9" * 99}, "unit_code"),
    ],
)
def test_malformed_values_are_400_not_500(client, admin_token, payload, field):
    tua_chua = Unit.objects.get(level=Level.DISTRICT, code="098")
    body = {"unit_id": tua_chua.pk, "indicator": "CTX.VILLAGES", "period": "2024", **payload}
    if "unit_code" in payload:
        del body["unit_id"]
    response = client.post("/api/v1/values", body, content_type="application/json", **bearer(admin_token))
    assert response.status_code == 400, response.content
    assert field in {e["field"].split(".")[0] for e in response.json()["errors"]}
    assert not Value.objects.exists()


def test_evidence_must_be_in_the_cited_document(client, admin_token, seeds):
    document = client.get("/api/v1/documents").json()["items"][0]
    base = {"unit_code": "098", "indicator": "CTX.VILLAGES", "period": "2024", "value": 1}
    invented = post(
        client, admin_token, **base, evidence={"document_id": document["id"], "quote": "<script>"}
    )
    assert invented.status_code == 400 and "does not appear" in invented.json()["detail"]
    text = client.get(f"/api/v1/documents/{document['id']}").json()["text"]
    quote = text[200:240]
    found = post(client, admin_token, **base, evidence={"document_id": document["id"], "quote": quote})
    evidence = found.json()["value"]["provenance"]["evidence"]
    assert found.status_code == 201 and (evidence["start"], evidence["end"]) == (200, 240)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/values?offset=99999999999999999999",
        "/api/v1/values?limit=5000",
        "/api/v1/values?limit=-1",
        "/api/v1/documents?offset=-3",
    ],
)
def test_out_of_range_paging_is_400(client, url):
    assert client.get(url).status_code == 400


def test_huge_ids_are_not_found(client):
    assert client.get("/api/v1/values/99999999999999999999999").status_code in (400, 404)
    assert client.get("/api/v1/units/99999999999999999999999").status_code in (400, 404)
