"""The units API: counts per structure, search, detail with succession, villages."""

import pytest

from dxmonitor.geo.models import Level, Unit

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json")
    return response


@pytest.mark.parametrize(
    ("level", "as_of", "count"),
    [
        ("province", "2024-06-30", 63),
        ("province", "2025-08-01", 34),
        ("commune", "2025-08-01", 3321),
        ("district", "2024-06-30", 696),
        ("district", "2025-08-01", 0),
        ("commune", "2024-06-30", 10035),
    ],
)
def test_units_per_level_and_date(client, level, as_of, count):
    response = get(client, "/api/v1/units", level=level, as_of=as_of)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == count
    assert len(body["items"]) == min(count, 100)


def test_unit_items_carry_identity_and_validity(client):
    body = get(client, "/api/v1/units", level="province", code="15").json()
    assert body["count"] == 2
    by_name = {u["name"]: u for u in body["items"]}
    assert (
        by_name["Tỉnh Yên Bái"]["valid_to"] == "2025-06-30"
        and by_name["Tỉnh Yên Bái"]["structure"] == "legacy"
    )
    assert (
        by_name["Tỉnh Lào Cai"]["valid_from"] == "2025-07-01"
        and by_name["Tỉnh Lào Cai"]["structure"] == "2025"
    )
    assert by_name["Tỉnh Lào Cai"]["unit_type"] == "tinh" and by_name["Tỉnh Lào Cai"]["latitude"]


def test_paging(client):
    first = get(client, "/api/v1/units", level="province", as_of="2025-08-01", limit=10).json()
    second = get(client, "/api/v1/units", level="province", as_of="2025-08-01", limit=10, offset=10).json()
    assert first["count"] == second["count"] == 34
    assert first["items"][0]["code"] == "01"
    assert not {u["id"] for u in first["items"]} & {u["id"] for u in second["items"]}


def test_search_without_diacritics(client):
    body = get(client, "/api/v1/units/search", q="tua chua").json()
    assert body["items"][0]["name"] == "Huyện Tủa Chùa"
    assert body["items"][0]["parent"]["name"] == "Tỉnh Điện Biên"


def test_detail_with_hierarchy_and_succession(client):
    yen_bai = Unit.objects.get(level=Level.PROVINCE, code="15", valid_to__isnull=False)
    body = get(client, f"/api/v1/units/{yen_bai.pk}").json()
    assert body["name"] == "Tỉnh Yên Bái" and body["ancestors"] == []
    assert body["children_count"] == len(body["children"]) == yen_bai.children.count() > 0
    assert [s["unit"]["name"] for s in body["successors"]] == ["Tỉnh Lào Cai"]
    assert body["successors"][0]["weight"] == 1.0 and "202/2025/QH15" in body["successors"][0]["legal_basis"]
    commune = Unit.objects.get(level=Level.COMMUNE, code="03217", valid_from__isnull=False)
    body = get(client, f"/api/v1/units/{commune.pk}").json()
    assert [a["name"] for a in body["ancestors"]] == ["Tỉnh Điện Biên"]
    assert "Thị trấn Tủa Chùa" in {p["unit"]["name"] for p in body["predecessors"]}


def test_descendants(client):
    than_uyen = Unit.objects.get(level=Level.DISTRICT, name="Huyện Than Uyên")
    body = get(client, f"/api/v1/units/{than_uyen.pk}/descendants", level="commune").json()
    assert "Xã Hua Nà" in {u["name"] for u in body["items"]}
    assert body["count"] == than_uyen.children.count()


def test_unknown_unit_and_bad_parameters(client):
    response = get(client, "/api/v1/units/999999999")
    assert response.status_code == 404 and "does not exist" in response.json()["detail"]
    response = get(client, "/api/v1/units", as_of="30/06/2024")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "as_of"
    assert get(client, "/api/v1/units", level="hamlet").status_code == 400


def test_adding_a_village_needs_an_administrator(client, admin_token, officer_token):
    hua_na = Unit.objects.get(level=Level.COMMUNE, name="Xã Hua Nà")
    url = f"/api/v1/units/{hua_na.pk}/villages"
    payload = {"name": "Bản Nà Khương", "unit_type": "ban"}
    assert client.post(url, payload, content_type="application/json").status_code == 401
    refused = client.post(
        url, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {officer_token}"
    )
    assert refused.status_code == 403 and refused.json()["detail_vi"]
    assert not Unit.objects.filter(level=Level.VILLAGE).exists()
    created = client.post(
        url, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {admin_token}"
    )
    assert created.status_code == 201
    assert created.json()["name"] == "Bản Nà Khương" and created.json()["parent"]["id"] == hua_na.pk
    again = client.post(
        url, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {admin_token}"
    )
    assert again.status_code == 400 and "already exists" in again.json()["detail"]


def test_a_session_write_needs_the_csrf_token(admin):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    hua_na = Unit.objects.get(level=Level.COMMUNE, name="Xã Hua Nà")
    response = browser.post(
        f"/api/v1/units/{hua_na.pk}/villages",
        {"name": "Nà Ban", "unit_type": "ban"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Unit.objects.filter(level=Level.VILLAGE).exists()


def test_a_page_of_text_as_a_search_query_is_harmless(client):
    words = " ".join(f"tu{i}" for i in range(1000))
    response = client.get("/api/v1/units", {"q": words[:190]})
    assert response.status_code == 200
    assert client.get("/api/v1/units/search", {"q": words}).status_code == 400
    assert (
        client.get("/api/v1/units/search", {"q": "tua chua " * 20}).json()["items"][0]["name"]
        == "Huyện Tủa Chùa"
    )


def test_non_finite_coordinates_are_refused(client, admin_token):
    hua_na = Unit.objects.get(level=Level.COMMUNE, name="Xã Hua Nà")
    response = client.post(
        f"/api/v1/units/{hua_na.pk}/villages",
        '{"name": "Nà Cang", "unit_type": "ban", "latitude": NaN}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {admin_token}",
    )
    assert response.status_code == 400
    assert not Unit.objects.filter(level=Level.VILLAGE).exists()


def test_villages_from_a_file(client, admin_token):
    content = "commune_code;name;type\n03217;Tủa Chùa 1;Tổ dân phố\n03217;Bản Hấu Chua;ban\n".encode("utf-16")
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(data: bytes, **params):
        return client.post(
            "/api/v1/villages/import" + ("?dry_run=true" if params.get("dry_run") else ""),
            {"file": SimpleUploadedFile("thon.csv", data, content_type="text/csv")},
            HTTP_AUTHORIZATION=f"Bearer {admin_token}",
        )

    dry = upload(content, dry_run=True)
    assert dry.status_code == 200 and dry.json()["dry_run"] is True
    assert [v["name"] for v in dry.json()["created"]] == ["Tổ dân phố Tủa Chùa 1", "Bản Hấu Chua"]
    assert not Unit.objects.filter(level=Level.VILLAGE).exists()
    done = upload(content)
    assert [v["id"] is not None for v in done.json()["created"]] == [True, True]
    assert upload(content).json() == {"created": [], "unchanged": 2, "dry_run": False}
    bad = upload(b"commune_code,name,type\n99999,X,thon\n03217,,thon\n03217,Y,hamlet\n")
    assert bad.status_code == 400
    assert {(e["row"], e["field"]) for e in bad.json()["errors"]} == {
        (2, "commune_code"),
        (3, "name"),
        (4, "type"),
    }
    assert Unit.objects.filter(level=Level.VILLAGE).count() == 2
