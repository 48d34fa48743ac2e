"""The overview of what a user may enter, the JSON twins, and the demo's data-entry set-up."""

import pytest

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import DataSet, SourceType
from dxmonitor.workflow.queries import period_containing, previous_period, recent_periods

from .conftest import form_path
from .test_submit import fill

pytestmark = pytest.mark.django_db


def test_recent_periods_go_back_from_today():
    import datetime

    assert [p.code for p in recent_periods("Q", datetime.date(2026, 2, 3), 5)] == [
        "2026Q1",
        "2025Q4",
        "2025Q3",
        "2025Q2",
        "2025Q1",
    ]
    assert [p.code for p in recent_periods("M", datetime.date(2026, 1, 31), 2)] == ["202601", "202512"]
    assert previous_period(period_containing("Y", datetime.date(2026, 5, 1))).code == "2025"


def test_the_overview_lists_each_commune_and_period(clerk_client, clerk, quarterly, commune, current_quarter):
    fill(commune, current_quarter, clerk, codes={"CTX.VILLAGES"})
    response = clerk_client.get("/collect/")
    assert response.status_code == 200
    html = response.content.decode()
    assert quarterly.name_vi in html and "Xã Than Uyên" in html and "Xã Tân Uyên" not in html
    assert form_path(quarterly, commune, current_quarter) in html
    assert f'data-period="{current_quarter.code}" data-state="open" data-status="draft"' in html
    assert "<b>1/4</b>" in html  # required figures entered, of the current quarter
    assert 'href="/api/v1/collect"' in html  # its JSON twin


def test_the_overview_of_a_province_approver_is_paged(client, approver, quarterly):
    client.force_login(approver)
    html = client.get("/collect/").content.decode()
    assert html.count('<th scope="row" class="sticky">') == 20  # 38 communes of Lai Châu, 20 a page
    assert "page_XA_THU=2" in html
    second = client.get("/collect/?page_XA_THU=2").content.decode()
    assert second.count('<th scope="row" class="sticky">') == 18
    found = client.get("/collect/?q=than+uyen").content.decode()
    assert found.count('<th scope="row" class="sticky">') == 1


def test_the_overview_takes_few_queries(client, approver, quarterly, django_assert_max_num_queries):
    client.force_login(approver)
    with django_assert_max_num_queries(25):
        client.get("/collect/")


def test_the_overview_needs_a_login_and_says_when_there_is_nothing_to_enter(client, officer, quarterly):
    assert client.get("/collect/").status_code == 302
    client.force_login(officer)  # no role
    html = client.get("/collect/").content.decode()
    assert quarterly.name_vi not in html and 'class="note"' in html


def test_collect_api(client, officer_token, clerk, quarterly, village_set, villages, commune):
    assert client.get("/api/v1/collect").status_code == 401
    data = client.get("/api/v1/collect", HTTP_AUTHORIZATION=f"Bearer {officer_token}").json()
    by_code = {d["dataset"]["code"]: d for d in data["datasets"]}
    assert set(by_code) == {"XA_THU", "THON_THU"}
    quarterly_out = by_code["XA_THU"]
    assert quarterly_out["count"] == 1 and quarterly_out["items"][0]["unit"]["name"] == "Xã Than Uyên"
    first = quarterly_out["items"][0]["periods"][0]
    assert first["state"] == "open" and first["completeness"]["required"] == 4
    assert first["report"]["status"] == "draft"
    assert client.get(first["api_url"], HTTP_AUTHORIZATION=f"Bearer {officer_token}").status_code == 200
    assert by_code["THON_THU"]["items"][0]["periods"][0]["completeness"]["total"] == 9


def test_report_api_and_submit(
    client, officer_token, clerk, quarterly, commune, other_commune, current_quarter
):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {officer_token}"}
    url = f"/api/v1/reports/{quarterly.code}/{commune.pk}/{current_quarter.code}"
    fill(commune, current_quarter, clerk, codes={"CTX.HOUSEHOLDS", "AWR.CDT_VILLAGE_COVERAGE"})
    data = client.get(url, **auth).json()
    assert data["window"]["state"] == "open" and data["editable"] is True
    assert data["completeness"]["required_filled"] == 2
    assert [i["code"] for i in data["indicators"]][:2] == ["CTX.VILLAGES", "CTX.HOUSEHOLDS"]
    cells = {c["indicator"]: c for c in data["rows"][0]["cells"]}
    assert cells["CTX.HOUSEHOLDS"]["value"] == 1234 and cells["CTX.HOUSEHOLDS"]["version"] == 1
    assert cells["AWR.CDT_VILLAGE_COVERAGE"]["numerator"] == 12
    assert data["page_url"] == form_path(quarterly, commune, current_quarter)
    assert client.get(url).status_code == 401
    other = f"/api/v1/reports/{quarterly.code}/{other_commune.pk}/{current_quarter.code}"
    assert client.get(other, **auth).status_code == 403

    refused = client.post(url + "/submit", **auth)
    assert refused.status_code == 400
    body = refused.json()
    assert "còn thiếu 2 chỉ tiêu bắt buộc" in body["detail_vi"]
    assert {e["field"] for e in body["errors"]} == {"CTX.VILLAGES", "GOV.ONLINE_DOSSIER_RATE"}
    fill(commune, current_quarter, clerk, codes={"CTX.VILLAGES", "GOV.ONLINE_DOSSIER_RATE"})
    done = client.post(url + "/submit", **auth)
    assert done.status_code == 200 and done.json()["report"]["status"] == "submitted"
    assert done.json()["lock"] == "submitted" and done.json()["editable"] is False
    assert client.post(url + "/submit", **auth).status_code == 409
    assert client.post(url + "/submit").status_code == 401


def test_the_form_page_names_its_twin(clerk_client, quarterly, commune, current_quarter):
    html = clerk_client.get(form_path(quarterly, commune, current_quarter)).content.decode()
    twin = f"/api/v1/reports/{quarterly.code}/{commune.pk}/{current_quarter.code}"
    assert f'<link rel="alternate" type="application/json" href="{twin}">' in html
    assert clerk_client.get(twin).status_code == 200  # the session is enough for reads


def test_the_demo_sets_up_data_entry_once(settings, tmp_path):
    from dxmonitor.accounts.permissions import APPROVE, ENTER, can
    from dxmonitor.demo.entry import demo_accounts, load_entry_demo
    from dxmonitor.geo.models import Unit

    settings.VAR_DIR = tmp_path
    first = load_entry_demo()
    assert first.datasets_changed == 2 and first.villages_added == 11
    accounts = {a.username: a for a in demo_accounts()}
    saved = (tmp_path / "demo-accounts.txt").read_text(encoding="utf-8")
    second = load_entry_demo()
    assert (second.datasets_changed, second.villages_added) == (0, 0)
    assert (tmp_path / "demo-accounts.txt").read_text(encoding="utf-8") == saved
    assert {a.username: a.password for a in demo_accounts()} == {k: v.password for k, v in accounts.items()}

    quarterly = DataSet.objects.get(code="XA_QUY")
    assert quarterly.period_type == "Q" and quarterly.level == "commune" and quarterly.members.count() == 12
    village_set = DataSet.objects.get(code="THON_NAM")
    assert village_set.period_type == "Y" and village_set.level == "village"
    villages = Unit.objects.filter(level="village", is_synthetic=True, name__endswith="(mô phỏng)")
    assert villages.count() == 11
    assert villages.filter(name="Bản Nà Mô (mô phỏng)", parent__name="Xã Than Uyên").exists()

    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    officer = users.get(username="canbo.thanuyen")
    approver = users.get(username="pheduyet.laichau")
    assert officer.check_password(accounts["canbo.thanuyen"].password)
    than_uyen = villages.get(name="Bản Nà Mô (mô phỏng)").parent
    tan_uyen = villages.filter(parent__name="Xã Tân Uyên").first().parent
    assert can(officer, ENTER, than_uyen) and not can(officer, ENTER, tan_uyen)
    assert can(approver, APPROVE, tan_uyen) and not can(officer, APPROVE, than_uyen)


def test_a_value_for_a_missing_unit_never_breaks_the_overview(clerk_client, clerk, quarterly, commune, today):
    # A figure for a period of another data set's type is simply not counted.
    record_value(
        unit=commune,
        indicator=Indicator.objects.get(code="CTX.VILLAGES"),
        period=str(today.year),
        value=15,
        provenance=Provenance(source_type=SourceType.FORM),
        user=clerk,
    )
    assert clerk_client.get("/collect/").status_code == 200


def test_the_form_takes_few_queries_whatever_its_size(
    clerk_client, clerk, village_set, commune, villages, today, django_assert_max_num_queries
):
    year = period_containing("Y", today)
    for village in villages:
        for code in ("CTX.HOUSEHOLDS", "INF.BTS_STATIONS"):
            record_value(
                unit=village,
                indicator=Indicator.objects.get(code=code),
                period=year.code,
                value=4,
                provenance=Provenance(source_type=SourceType.FORM),
                user=clerk,
            )
    with django_assert_max_num_queries(15):
        response = clerk_client.get(form_path(village_set, commune, year))
    assert response.content.decode().count('data-state=""') == 9
