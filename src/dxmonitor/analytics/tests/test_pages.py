"""The analysis pages: the figures table, the ranking and reporting, with their downloads."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from dxmonitor.accounts.actions import grant_role
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType
from dxmonitor.geo.queries import unit_for_code

pytestmark = pytest.mark.django_db
FORM = Provenance(source_type=SourceType.FORM)


@pytest.fixture
def province():
    return unit_for_code(code="12", on=datetime.date(2025, 8, 1))


@pytest.fixture
def figures(province):
    households = Indicator.objects.get(code="CTX.HOUSEHOLDS")
    communes = list(province.children.order_by("code")[:2])
    for commune, count in zip(communes, (1200, 800), strict=True):
        record_value(unit=commune, indicator=households, period="2025", value=count, provenance=FORM)
    return communes


def test_the_figures_table_adds_up_and_drills_down(client, admin, analytics, province, figures):
    client.force_login(admin)
    page = client.get("/analytics/", {"within": province.pk})
    html = page.content.decode()
    assert page.status_code == 200 and "1.200 hộ" in html and figures[0].name in html
    assert f"/api/v1/analytics/pivot?within={province.pk}" in html
    country = client.get("/analytics/", {"within": "", "indicators": "CTX.HOUSEHOLDS"}).content.decode()
    assert "2.000 hộ" in country and "<sup>Σ</sup>*" in country  # added up, and not every commune reported
    download = client.get("/analytics/", {"within": province.pk, "periods": "2025", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Mã đơn vị"
    assert {(r[0], r[5]) for r in rows[1:]} == {(figures[0].code, 1200), (figures[1].code, 800)}


def test_the_ranking_and_reporting_pages(client, admin, analytics, province, figures):
    client.force_login(admin)
    ranking = client.get(
        "/analytics/ranking/", {"within": province.pk, "indicator": "CTX.HOUSEHOLDS", "period": "2025"}
    ).content.decode()
    assert ranking.index(figures[0].name) < ranking.index(figures[1].name)
    unknown = client.get("/analytics/ranking/", {"within": province.pk, "indicator": "KHONG.CO"})
    assert unknown.status_code == 404 and "Không có chỉ tiêu KHONG.CO" in unknown.content.decode()
    reporting = client.get("/analytics/reporting/", {"within": province.pk})
    assert reporting.status_code in (200, 404)  # 404 only when no data set is defined


def test_a_user_sees_their_own_unit_and_nothing_above_it(client, officer, analytics, province, figures):
    grant_role(user=officer, role="data_entry", unit=figures[0])
    client.force_login(officer)
    own = client.get("/analytics/").content.decode()
    assert f"Phân tích: {figures[0].name}" in own
    refused = client.get("/analytics/", {"within": province.pk})
    assert refused.status_code == 403 and "Bạn không có vai trò tại" in refused.content.decode()
    # Asking for the whole country brings a local user back to their own unit.
    assert f"Phân tích: {figures[0].name}" in client.get("/analytics/", {"within": ""}).content.decode()
