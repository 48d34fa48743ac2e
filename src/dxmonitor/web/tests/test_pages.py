"""Every page renders, shows what it promises, and names its JSON twin."""

import re

import pytest

from dxmonitor.collection.models import Document, Value
from dxmonitor.demo.actions import load_seed_facts
from dxmonitor.geo.models import Level, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeds(db):
    return load_seed_facts()


def twin_of(html: str) -> str:
    match = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)">', html)
    assert match, "page has no JSON twin"
    return match.group(1).replace("&amp;", "&")


def pages() -> list[str]:
    tua_chua = Unit.objects.get(level=Level.DISTRICT, name="Huyện Tủa Chùa")
    document = Document.objects.get(file_name="001_29dcb6295ea1d3f0.txt")
    value = Value.objects.get(indicator__code="INF.HOUSEHOLD_FIXED_BB")
    return [
        "/",
        "/units/",
        "/units/?as_of=2024-06-30&level=district",
        f"/units/{tua_chua.pk}/",
        "/indicators/",
        "/indicators/INF.HOUSEHOLD_FIXED_BB/",
        "/search/?q=tua+chua",
        "/documents/",
        f"/documents/{document.pk}/",
        f"/values/{value.pk}/",
    ]


def test_every_page_renders_and_its_json_twin_answers(client, seeds):
    for url in pages():
        response = client.get(url)
        assert response.status_code == 200, url
        twin = client.get(twin_of(response.content.decode()))
        assert twin.status_code == 200, url
        assert twin["Content-Type"].startswith("application/json"), url


def test_unit_page_shows_values_with_quote_and_targets(client, seeds):
    tua_chua = Unit.objects.get(level=Level.DISTRICT, name="Huyện Tủa Chùa")
    html = client.get(f"/units/{tua_chua.pk}/").content.decode()
    assert "24,3%" in html
    assert "tỷ lệ hộ gia đình kết nối internet băng rộng đạt 24,3%" in html
    assert 'class="badge not_met"' in html and 'class="badge met"' in html
    assert "Tỉnh Điện Biên" in html  # its province in the breadcrumb
    successor = Unit.objects.get(level=Level.PROVINCE, name="Tỉnh Điện Biên", valid_from__isnull=False)
    assert f"/units/{successor.pk}/" in html  # where its territory went on 01/07/2025


def test_unit_page_of_a_new_commune_lists_where_it_came_from(client):
    commune = Unit.objects.get(level=Level.COMMUNE, code="03217", valid_from__isnull=False)
    html = client.get(f"/units/{commune.pk}/").content.decode()
    assert "Thị trấn Tủa Chùa" in html


def test_units_page_switches_structure(client):
    legacy = client.get("/units/?as_of=2024-06-30").content.decode()
    current = client.get("/units/?as_of=2025-08-01").content.decode()
    assert "Tỉnh Yên Bái" in legacy and "Tỉnh Yên Bái" not in current
    assert legacy.count('<tr><td class="code">') == 63
    assert current.count('<tr><td class="code">') == 34


def test_indicator_page_has_definition_targets_and_values(client, seeds):
    html = client.get("/indicators/INF.HOUSEHOLD_FIXED_BB/").content.decode()
    assert "CTX.HOUSEHOLDS" in html and "QĐ 411/QĐ-TTg" in html and "Huyện Tủa Chùa" in html
    assert client.get("/indicators/NOPE.NOPE/").status_code == 404


def test_document_page_highlights_the_evidence(client, seeds):
    document = Document.objects.get(file_name="001_29dcb6295ea1d3f0.txt")
    html = client.get(f"/documents/{document.pk}/").content.decode()
    marked = re.findall(r"<mark [^>]*>(.*?)</mark>", html, flags=re.S)
    assert document.values.count() == 22 and len(marked) >= 15
    for value in document.values.all():
        # Quotes that overlap are shown as one highlighted stretch.
        assert any(value.evidence_quote in m or m in value.evidence_quote for m in marked), (
            value.evidence_quote
        )


def test_search_page_finds_units_and_indicators(client):
    html = client.get("/search/?q=tua+chua").content.decode()
    assert html.index("Huyện Tủa Chùa") < html.index("Xã Tủa Chùa")
    html = client.get("/search/?q=cap+quang").content.decode()
    assert "INF.HOUSEHOLD_FIXED_BB" in html


def test_value_page_shows_history(client, seeds):
    value = Value.objects.get(indicator__code="INF.HOUSEHOLD_FIXED_BB")
    html = client.get(f"/values/{value.pk}/").content.decode()
    assert "24,3" in html and "tỷ lệ hộ gia đình kết nối" in html


def test_pages_use_vietnamese_number_format_and_english_on_request(client, seeds):
    lai_chau = Unit.objects.get(level=Level.PROVINCE, code="12", valid_to__isnull=False)
    assert "4.306" in client.get(f"/units/{lai_chau.pk}/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "4,306" in client.get(f"/units/{lai_chau.pk}/").content.decode()


def test_home_and_search_twins(client, seeds):
    home = client.get("/api/v1/home").json()
    assert [s["counts"]["province"] for s in home["structures"]] == [63, 34]
    assert home["indicators"] == 66 and home["values"]["real_values"] == 45
    latest = home["latest_real_facts"][0]
    assert latest["provenance"]["document"]["title"] and latest["provenance"]["evidence"]["quote"]
    found = client.get("/api/v1/search", {"q": "tua chua"}).json()
    assert found["units"]["items"][0]["name"] == "Huyện Tủa Chùa"


def test_only_administrators_edit_indicators(client, admin, officer):
    assert client.get("/indicators/new/").status_code == 302
    client.force_login(officer)
    assert client.get("/indicators/INF.BTS_STATIONS/edit/").status_code == 302
    client.force_login(admin)
    assert client.get("/indicators/INF.BTS_STATIONS/edit/").status_code == 200


def test_edit_form_saves_and_records(client, admin):
    from dxmonitor.catalog.models import Indicator

    client.force_login(admin)
    form = client.get("/indicators/INF.BTS_STATIONS/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name_en="Base stations", is_active="on")
    response = client.post("/indicators/INF.BTS_STATIONS/edit/", data)
    assert response.status_code == 302
    assert Indicator.objects.get(code="INF.BTS_STATIONS").name_en == "Base stations"
    bad = client.post("/indicators/INF.BTS_STATIONS/edit/", {**data, "targets": "năm sau nhiều"})
    assert bad.status_code == 200 and bad.context["form"].errors["targets"]


def test_new_indicator_form(client, admin):
    client.force_login(admin)
    response = client.post(
        "/indicators/new/",
        {
            "code": "INF.PUBLIC_WIFI",
            "group": "INF",
            "name_vi": "Điểm wifi công cộng",
            "name_en": "Public wifi",
            "measure_unit": "point",
            "kind": "count",
            "aggregation": "sum",
            "direction": "up",
            "targets": "2030 500 | Kế hoạch tỉnh",
            "is_active": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/indicators/INF.PUBLIC_WIFI/"
    refused = client.post(
        "/indicators/new/",
        {
            "code": "bad code",
            "group": "INF",
            "name_vi": "x",
            "name_en": "x",
            "measure_unit": "percent",
            "kind": "rate",
            "aggregation": "ratio_of_sums",
            "direction": "up",
        },
    )
    assert refused.status_code == 200 and refused.context["form"].errors


def test_an_administrator_adds_a_village_from_the_commune_page(client, admin, officer):
    hua_na = Unit.objects.get(level=Level.COMMUNE, name="Xã Hua Nà")
    url = f"/units/{hua_na.pk}/villages/"
    client.force_login(officer)
    assert 'action="' + url not in client.get(f"/units/{hua_na.pk}/").content.decode()
    assert client.post(url, {"unit_type": "ban", "name": "Nà Khương"}).status_code == 302
    assert not Unit.objects.filter(level=Level.VILLAGE).exists()
    client.force_login(admin)
    assert 'action="' + url in client.get(f"/units/{hua_na.pk}/").content.decode()
    response = client.post(url, {"unit_type": "ban", "name": "Nà Khương"}, follow=True)
    assert "Đã thêm Bản Nà Khương." in response.content.decode()
    village = Unit.objects.get(level=Level.VILLAGE)
    assert village.parent == hua_na and village.name == "Bản Nà Khương"
    again = client.post(url, {"unit_type": "ban", "name": "na khuong"}, follow=True)
    assert "đã có trong Xã Hua Nà" in again.content.decode()
    assert Unit.objects.filter(level=Level.VILLAGE).count() == 1
    assert client.get(url).status_code == 405


def test_units_page_counts_with_vietnamese_separators(client):
    html = client.get("/units/?as_of=2025-08-01&level=commune").content.decode()
    assert "3.321 đơn vị" in html


def test_unit_page_costs_a_fixed_number_of_queries(client, seeds, django_assert_max_num_queries):
    tua_chua = Unit.objects.get(level=Level.DISTRICT, name="Huyện Tủa Chùa")
    lai_chau = Unit.objects.get(level=Level.PROVINCE, code="12", valid_to__isnull=False)
    for unit in (tua_chua, lai_chau):
        with django_assert_max_num_queries(16):
            assert client.get(f"/units/{unit.pk}/").status_code == 200


def test_twins_keep_the_page_filters(client):
    html = client.get("/units/?as_of=2024-06-30&level=commune&q=tua+chua&page=1").content.decode()
    twin = twin_of(html)
    assert "q=tua+chua" in twin and "level=commune" in twin and "as_of=2024-06-30" in twin
    body = client.get(twin).json()
    assert body["count"] == len(body["items"]) > 0
    assert "q=a%26b" in twin_of(client.get("/search/?q=a%26b").content.decode())
    assert "q=cap" in twin_of(client.get("/indicators/?q=cap").content.decode())


def test_a_bad_date_or_level_is_said_in_vietnamese(client):
    html = client.get("/units/?as_of=garbage").content.decode()
    assert "không phải là ngày hợp lệ" in html
    html = client.get("/units/?level=zzz").content.decode()
    assert "Không có cấp" in html


def test_pages_stay_vietnamese_whatever_the_browser_language(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


def test_collected_figures_are_read_within_the_unit_only(client, admin, officer):
    from dxmonitor.accounts.actions import grant_role
    from dxmonitor.catalog.models import Indicator
    from dxmonitor.collection.actions import Provenance, record_value
    from dxmonitor.collection.models import SourceType

    tua_chua = Unit.objects.get(level=Level.DISTRICT, name="Huyện Tủa Chùa")
    value = record_value(
        unit=tua_chua,
        indicator=Indicator.objects.get(code="CTX.VILLAGES"),
        period="2024",
        value=120,
        user=admin,
        provenance=Provenance(source_type=SourceType.FORM),
    ).value
    assert client.get(f"/values/{value.pk}/").status_code == 404
    assert "120 thôn" not in client.get(f"/units/{tua_chua.pk}/").content.decode()
    client.force_login(officer)
    assert client.get(f"/values/{value.pk}/").status_code == 404
    grant_role(user=officer, role="analyst", unit=tua_chua.parent)
    page = client.get(f"/values/{value.pk}/").content.decode()
    assert "quantri" in page  # signed-in readers see who entered it


def test_password_guessing_is_slowed_down(client, admin):
    for _ in range(5):
        client.post("/login/", {"username": "quantri", "password": "sai"})
    response = client.post("/login/", {"username": "quantri", "password": "mat-khau-dai-123"}, follow=True)
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
