"""The review queue's JSON twin: read, list, correct, accept, reject, accept all."""

import pytest

from dxmonitor.collection.models import SourceType, Value

REPORT = (
    "Báo cáo chuyển đổi số huyện Tủa Chùa (Điện Biên) năm 2023\n"
    "Huyện Tủa Chùa có 98% cán bộ, công chức được trang bị máy tính; tỷ lệ hộ gia đình kết nối internet "
    "băng rộng đạt 31,5%; đã cấp 420 chữ ký số."
)

pytestmark = pytest.mark.django_db


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def read(client, token, text=REPORT) -> dict:
    response = client.post(
        "/api/v1/extraction/read", {"text": text}, content_type="application/json", **auth(token)
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_reading_needs_a_signed_in_caller(client):
    response = client.post("/api/v1/extraction/read", {"text": REPORT}, content_type="application/json")
    assert response.status_code == 401
    assert client.get("/api/v1/extraction/documents").status_code == 401


def test_read_then_list_and_detail(client, admin_token):
    body = read(client, admin_token)
    codes = [f["indicator"] for f in body["facts"]]
    assert codes == ["HR.OFFICIALS_COMPUTER", "INF.HOUSEHOLD_FIXED_BB", "GOV.DIGITAL_SIGNATURES_ISSUED"]
    fact = body["facts"][1]
    assert body["text"][fact["start"] : fact["end"]] == fact["evidence"]
    assert (fact["value"], fact["unit_name"], fact["status"]) == (31.5, "Huyện Tủa Chùa", "pending")
    listing = client.get("/api/v1/extraction/documents", **auth(admin_token)).json()
    assert listing["count"] == 1
    assert listing["items"][0]["pending"] == 3
    detail = client.get(f"/api/v1/extraction/documents/{body['id']}", **auth(admin_token)).json()
    assert [f["id"] for f in detail["facts"]] == [f["id"] for f in body["facts"]]


def test_upload_of_a_file(client, admin_token):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("baocao.txt", REPORT.encode(), content_type="text/plain")
    response = client.post("/api/v1/extraction/upload", {"file": upload}, **auth(admin_token))
    assert response.status_code == 200, response.content
    assert response.json()["file_name"] == "baocao.txt"
    empty = SimpleUploadedFile("rong.txt", b"", content_type="text/plain")
    refused = client.post("/api/v1/extraction/upload", {"file": empty}, **auth(admin_token))
    assert refused.status_code == 400
    assert "empty" in refused.json()["detail"]


def test_correct_accept_reject_and_validation(client, admin_token):
    facts = read(client, admin_token)["facts"]
    edited = client.patch(
        f"/api/v1/extraction/facts/{facts[2]['id']}",
        {"value": 430, "period": "2024"},
        content_type="application/json",
        **auth(admin_token),
    ).json()
    assert (edited["value"], edited["period"], edited["edited"]) == (430, "2024", True)

    refused = client.post(
        f"/api/v1/extraction/facts/{facts[1]['id']}/accept",
        {"value": 131},
        content_type="application/json",
        **auth(admin_token),
    )
    assert refused.status_code == 400
    assert "100" in refused.json()["detail"]

    accepted = client.post(f"/api/v1/extraction/facts/{facts[0]['id']}/accept", **auth(admin_token)).json()
    assert accepted["status"] == "accepted"
    value = Value.objects.get(pk=accepted["value_id"])
    assert (value.source_type, value.value, value.period) == (SourceType.EXTRACTION, 98, "2023")

    rejected = client.post(f"/api/v1/extraction/facts/{facts[1]['id']}/reject", **auth(admin_token)).json()
    assert rejected["status"] == "rejected"
    again = client.post(f"/api/v1/extraction/facts/{facts[1]['id']}/reject", **auth(admin_token))
    assert again.status_code == 400

    bulk = client.post(f"/api/v1/extraction/documents/{facts[0]['document']}/accept", **auth(admin_token))
    assert bulk.json() == {"accepted": 1, "refused": []}
    assert (
        Value.objects.get(
            pk=client.get(f"/api/v1/extraction/documents/{facts[0]['document']}", **auth(admin_token)).json()[
                "facts"
            ][2]["value_id"]
        ).value
        == 430
    )


def test_unknown_ids_answer_404(client, admin_token):
    assert client.get("/api/v1/extraction/documents/987654", **auth(admin_token)).status_code == 404
    assert client.post("/api/v1/extraction/facts/987654/accept", **auth(admin_token)).status_code == 404
