"""The dashboard and map pages: tiles against targets, drill-down, laggards, ranking, downloads,
and who may read them."""

import io
import json

import pytest
from openpyxl import load_workbook

from dxmonitor.accounts.actions import grant_role

pytestmark = pytest.mark.django_db


def test_the_dashboard_judges_the_targets_and_drills_down(client, admin, place, scored):
    client.force_login(admin)
    page = client.get("/dashboard/", {"unit": place.district.pk, "period": "2024"})
    html = page.content.decode()
    assert page.status_code == 200
    # Dossiers online: (70 + 20) / 200 = 45%, short of the national 2025 target (50%).
    assert "45%" in html and 'class="kpi not_met' in html
    # The communes are listed, each a link one level down; the poorer one lags furthest.
    assert f"unit={place.good.pk}" in html and place.poor.name in html
    laggards = html.split('id="h-laggards"', 1)[1].split("</section>", 1)[0]
    assert place.poor.name in laggards.split("</li>", 1)[0]
    # The charts' figures are embedded for the page's script, the JSON twin is linked.
    assert 'id="dashboard-data"' in html and f"/api/v1/dashboard?unit={place.district.pk}" in html
    # The ranking by score, best first, with the places gained since 2023.
    ranking = html.split('id="h-ranking"', 1)[1].split("</section>", 1)[0]
    assert ranking.index(place.good.name) < ranking.index(place.poor.name)


def test_a_commune_lists_its_villages(client, admin, place):
    client.force_login(admin)
    html = client.get(
        "/dashboard/", {"unit": place.good.pk, "period": "2024", "indicator": "CTX.HOUSEHOLDS"}
    ).content.decode()
    assert place.village.name in html and "120 hộ" in html
    village = client.get("/dashboard/", {"unit": place.village.pk, "period": "2024"})
    assert village.status_code == 200 and place.good.name in village.content.decode()  # in the trail


def test_every_table_downloads(client, admin, place, scored):
    client.force_login(admin)
    query = {"unit": place.district.pk, "period": "2024", "indicator": "INF.VILLAGES_WITHOUT_MOBILE"}
    children = client.get("/dashboard/", {**query, "table": "children", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(children.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Mã đơn vị"
    assert {(r[0], r[3]) for r in rows[1:]} >= {(place.good.code, 0), (place.poor.code, 3)}
    ranking = client.get("/dashboard/", {**query, "table": "ranking", "format": "csv"})
    text = b"".join(ranking.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Hạng,Mã đơn vị") and place.good.code in text
    for table in ("tiles", "trend", "laggards", "completeness"):
        answer = client.get("/dashboard/", {**query, "table": table, "format": "xlsx"})
        assert answer.status_code == 200 and answer["Content-Disposition"].endswith('.xlsx"')


def test_no_scores_is_said_plainly(client, admin, place):
    client.force_login(admin)
    html = client.get("/dashboard/", {"unit": place.province.pk, "period": "2024"}).content.decode()
    ranking = html.split('id="h-ranking"', 1)[1].split("</section>", 1)[0]
    assert 'class="empty"' in ranking and "<table" not in ranking


def test_bad_filters_get_a_clear_answer(client, admin, place):
    client.force_login(admin)
    quarter = client.get("/dashboard/", {"unit": place.province.pk, "period": "2024Q1"})
    assert quarter.status_code == 400 and "không phải một năm" in quarter.content.decode()
    group = client.get("/dashboard/", {"unit": place.province.pk, "group": "KHONG"})
    assert group.status_code == 404 and "Không có nhóm chỉ tiêu KHONG" in group.content.decode()


def test_a_user_reads_only_under_their_role(client, officer, place):
    assert client.get("/dashboard/").status_code == 302  # to the login page
    grant_role(user=officer, role="data_entry", unit=place.good)
    client.force_login(officer)
    own = client.get("/dashboard/", {"period": "2024"})
    assert own.status_code == 200 and place.good.name in own.content.decode()
    assert client.get("/dashboard/", {"unit": place.province.pk}).status_code == 403
    assert client.get("/dashboard/map/", {"unit": place.province.pk}).status_code == 403
    assert client.get("/api/v1/dashboard", {"unit": place.province.pk}).status_code == 403


def test_the_map_page_draws_the_units_and_switches_structure(client, admin, place):
    client.force_login(admin)
    query = {"unit": place.province.pk, "period": "2024", "indicator": "INF.VILLAGES_WITHOUT_MOBILE"}
    html = client.get("/dashboard/map/", query).content.decode()
    assert 'id="map-data"' in html and place.poor.name in html
    assert "date=2025-07-01" in html and "date=2025-06-30" in html  # the two structures
    after = client.get("/dashboard/map/", {**query, "date": "2025-07-01"}).content.decode()
    assert f"?unit={place.poor.pk}&" not in after and "01/07/2025" in after  # the communes of 2025
    csv = client.get("/dashboard/map/", {**query, "format": "csv"})
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert place.poor.code in text
    # The country: a choropleth of the provinces, without the communes' dots in the page.
    country = client.get("/dashboard/map/", {"period": "2024", "date": "2025-07-01"}).content.decode()
    data = json.loads(country.split('id="map-data" type="application/json">')[1].split("</script>")[0])
    assert data["kind"] == "choropleth" and data["basemap"] == [] and len(data["points"]) == 34
    assert "Natural Earth" in country and "01/07/2025" in country


def test_a_province_approver_opens_the_map_on_their_province(client, officer, place):
    grant_role(user=officer, role="approver", unit=place.province)
    client.force_login(officer)
    page = client.get("/dashboard/map/", {"period": "2024"})
    assert page.status_code == 200, page.content.decode()[:500]
    data = json.loads(
        page.content.decode().split('id="map-data" type="application/json">')[1].split("</script>")[0]
    )
    drawn = {p["unit"]["id"] for p in data["points"]}
    assert {place.good.pk, place.poor.pk} <= drawn and data["kind"] == "symbols"
    twin = client.get("/api/v1/dashboard/map", {"period": "2024"}).json()
    assert twin["within"]["id"] == place.province.pk


def test_the_dashboard_opens_on_the_latest_year_most_units_report_and_says_so(client, admin, place):
    from dxmonitor.dashboard.tests.conftest import put

    # 2025 has begun: one commune of the province has a figure so far.
    put(place.good, "INF.VILLAGES_WITHOUT_MOBILE", "2025", 0)
    client.force_login(admin)
    page = client.get("/dashboard/", {"unit": place.district.pk})
    html = page.content.decode()
    assert page.status_code == 200
    said = html.split("period-chosen", 1)[1]
    assert "Đang xem năm 2024, năm gần nhất có số liệu của phần lớn các đơn vị ở đây" in said
    twin = client.get("/api/v1/dashboard", {"unit": place.district.pk}).json()
    assert twin["period"]["code"] == "2024" and twin["period_chosen"] is True
    asked = client.get("/dashboard/", {"unit": place.district.pk, "period": "2025"}).content.decode()
    assert "Đang xem" not in asked
    assert (
        client.get("/api/v1/dashboard", {"unit": place.district.pk, "period": "2025"}).json()["period_chosen"]
        is False
    )


def test_the_ranking_panel_speaks_plainly_to_the_committee(client, admin, place, scored):
    client.force_login(admin)
    html = client.get("/dashboard/", {"unit": place.province.pk, "period": "2022"}).content.decode()
    ranking = html.split('id="h-ranking"', 1)[1].split("</section>", 1)[0]
    assert "dxmonitor" not in ranking and "khi cán bộ phân tích của tỉnh tính xong" in ranking


def test_the_country_map_opens_on_the_latest_year_most_units_report(client, admin, place):
    from dxmonitor.dashboard.tests.conftest import put

    put(place.good, "INF.VILLAGES_WITHOUT_MOBILE", "2025", 0)
    client.force_login(admin)
    twin = client.get("/api/v1/dashboard/map", {"indicator": "INF.VILLAGES_WITHOUT_MOBILE"}).json()
    assert twin["within"] is None and twin["period"]["code"] == "2024"
