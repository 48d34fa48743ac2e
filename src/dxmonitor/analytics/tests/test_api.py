"""The analytics API as clients use it: figures with their method and target gaps, pivots,
rankings, series, completeness, who may read them, and answers that follow the database."""

import datetime

import pytest
from django.utils import timezone

from dxmonitor.accounts.actions import grant_role
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import unit_for_code
from dxmonitor.workflow.queries import period_containing, previous_period

pytestmark = pytest.mark.django_db
FORM = Provenance(source_type=SourceType.FORM)
AFTER = datetime.date(2025, 8, 1)


def put(unit: Unit, code: str, period: str, value=None, **kwargs):
    return record_value(
        unit=unit,
        indicator=Indicator.objects.get(code=code),
        period=period,
        value=value,
        provenance=FORM,
        **kwargs,
    )


@pytest.fixture
def province() -> Unit:
    return unit_for_code(code="12", on=AFTER)  # tỉnh Lai Châu


@pytest.fixture
def communes(province) -> list[Unit]:
    return list(province.children.order_by("code")[:3])


@pytest.fixture
def admin_client(client, admin, analytics):
    client.force_login(admin)
    return client


def get(client, path: str, **params):
    return client.get(f"/api/v1/analytics/{path}", params)


def test_a_figure_states_its_method_coverage_and_the_gap_to_its_levels_target(
    admin_client, province, communes
):
    one, two, _ = communes
    put(one, "GOV.WORK_RECORDS_ONLINE", "2025", None, numerator=50, denominator=100)
    put(two, "GOV.WORK_RECORDS_ONLINE", "2025", None, numerator=30, denominator=100)
    commune = get(
        admin_client, "figure", unit=one.pk, indicator="GOV.WORK_RECORDS_ONLINE", period="2025"
    ).json()
    assert (commune["value"], commune["method"], commune["display"]) == (50, "reported", "50%")
    # Communes are held to 60% (749/QĐ-TTg), provinces to 90%.
    [national] = commune["targets"]
    assert (national["target"], national["target_level"], national["gap"], national["status"]) == (
        60,
        "commune",
        10,
        "not_met",
    )
    answer = get(admin_client, "figure", unit=province.pk, indicator="GOV.WORK_RECORDS_ONLINE", period="2025")
    figure = answer.json()
    assert figure["value"] == pytest.approx(40.0)  # (50 + 30) / (100 + 100)
    assert (figure["numerator"], figure["denominator"], figure["method"]) == (80, 200, "children")
    assert figure["method_label"] == "tổng hợp từ các đơn vị trực thuộc"
    assert (figure["parts"], figure["expected"], figure["complete"]) == (2, province.children.count(), False)
    [national] = figure["targets"]
    assert (national["target"], national["target_level"], national["gap"]) == (
        90,
        "province",
        pytest.approx(50),
    )


def test_a_figure_by_gso_code_and_an_unknown_one(admin_client, province):
    put(province, "CTX.HOUSEHOLDS", "2025", 120_000)
    found = get(admin_client, "figure", unit_code="12", indicator="CTX.HOUSEHOLDS", period="2025")
    assert found.status_code == 200 and found.json()["unit"]["id"] == province.pk
    missing = get(admin_client, "figure", unit=province.pk, indicator="CTX.HOUSEHOLDS", period="2023")
    assert missing.status_code == 404 and "Không có số liệu" in missing.json()["detail_vi"]
    unknown = get(admin_client, "figure", unit=province.pk, indicator="KHONG.CO", period="2025")
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["field"] == "indicator"
    bad = get(admin_client, "figure", unit=province.pk, indicator="CTX.HOUSEHOLDS", period="2025Q7")
    assert bad.status_code == 400


def test_a_merged_province_names_the_method_asked_for(admin_client):
    before = datetime.date(2024, 6, 30)
    for code, score in (("25", 0.5), ("26", 0.6), ("17", 0.7)):
        put(unit_for_code(code=code, on=before), "DTI.SCORE", "2024", score)
    phu_tho = unit_for_code(code="25", on=AFTER)
    answer = get(
        admin_client,
        "figure",
        unit=phu_tho.pk,
        indicator="DTI.SCORE",
        period="2024",
        method="ministry_average",
    ).json()
    assert answer["value"] == pytest.approx(0.6) and answer["method"] == "ministry_average"
    assert {s["name"] for s in answer["sources"]} == {"Tỉnh Phú Thọ", "Tỉnh Vĩnh Phúc", "Tỉnh Hòa Bình"}
    wrong = get(admin_client, "figure", unit=phu_tho.pk, indicator="DTI.SCORE", period="2024", method="mean")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "method"


def test_a_pivot_lists_the_children_and_only_the_cells_with_figures(admin_client, province, communes):
    for commune, households in zip(communes, (1000, 2000, 3000), strict=True):
        put(commune, "CTX.HOUSEHOLDS", "2025", households)
    put(communes[0], "CTX.VILLAGES", "2025", 12)
    answer = get(
        admin_client, "pivot", within=province.pk, indicators="CTX.HOUSEHOLDS,CTX.VILLAGES", periods="2025"
    ).json()
    assert len(answer["units"]) == province.children.count()
    cells = {(c["unit_id"], c["indicator"]): c for c in answer["cells"]}
    assert len(cells) == 4
    assert cells[(communes[2].pk, "CTX.HOUSEHOLDS")]["display"] == "3.000 hộ"
    assert cells[(communes[0].pk, "CTX.VILLAGES")]["method"] == "reported"
    country = get(admin_client, "pivot", indicators="CTX.HOUSEHOLDS", periods="2025").json()
    lai_chau = next(c for c in country["cells"] if c["unit_id"] == province.pk)
    assert (lai_chau["value"], lai_chau["method"], lai_chau["complete"]) == (6000, "children", False)
    too_many = get(admin_client, "pivot", indicators=",".join(f"X{n}" for n in range(101)), periods="2025")
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["field"] == "indicators"


def test_a_ranking_shares_tied_ranks_and_says_how_places_moved(admin_client, province, communes):
    one, two, three = communes
    for commune, before, now in ((one, 40, 70), (two, 60, 70), (three, 80, 50)):
        put(commune, "INF.HOUSEHOLD_FIXED_BB", "2025Q3", None, numerator=before, denominator=100)
        put(commune, "INF.HOUSEHOLD_FIXED_BB", "2025Q4", None, numerator=now, denominator=100)
    answer = get(
        admin_client,
        "ranking",
        within=province.pk,
        level="commune",
        indicator="INF.HOUSEHOLD_FIXED_BB",
        period="2025Q4",
    ).json()
    assert answer["previous"]["code"] == "2025Q3"
    ranked = [(p["unit"]["id"], p["rank"], p["previous_rank"], p["change"]) for p in answer["items"][:3]]
    assert ranked == [(one.pk, 1, 3, 2), (two.pk, 1, 2, 1), (three.pk, 3, 1, -2)]
    assert all(p["rank"] is None for p in answer["items"][3:])
    assert len(answer["items"]) == province.children.count()


def test_a_series_adds_months_up_to_quarters(admin_client, communes):
    commune = communes[0]
    for month, trainees in (("202507", 5), ("202508", 7), ("202510", 4)):
        put(commune, "HR.DX_TRAINEES", month, trainees)
    months = get(admin_client, "series", unit=commune.pk, indicator="HR.DX_TRAINEES", type="M").json()
    assert [(c["period"], c["value"]) for c in months["items"]] == [
        ("202507", 5),
        ("202508", 7),
        ("202510", 4),
    ]
    quarters = get(admin_client, "series", unit=commune.pk, indicator="HR.DX_TRAINEES", type="Q").json()
    assert [(c["period"], c["value"], c["complete"]) for c in quarters["items"]] == [
        ("2025Q3", 12, False),
        ("2025Q4", 4, False),
    ]


def test_completeness_counts_expected_submitted_and_on_time_reports_and_drills_down(
    admin_client, province, communes, officer
):
    from dxmonitor.collection.datasets import define_dataset
    from dxmonitor.workflow.actions import submit_report

    dataset, _ = define_dataset(
        code="DAY_DU",
        name_vi="Báo cáo quý thử",
        name_en="Test quarterly report",
        period_type="Q",
        level="commune",
        indicators=[("CTX.VILLAGES", True)],
        opens_after_days=0,
        due_days=0,
        closes_days=3650,
    )
    now = period_containing("Q", timezone.localdate())
    before = previous_period(now)
    one, two, _ = communes
    grant_role(user=officer, role="data_entry", unit=province)
    for commune, period in ((one, now), (two, before)):
        put(commune, "CTX.VILLAGES", period.code, 10)
        submit_report(dataset=dataset, unit=commune, period=period.code, user=officer)
    expected = province.children.filter(level=Level.COMMUNE).count()
    answer = get(admin_client, "completeness", dataset="DAY_DU", period=now.code, within=province.pk).json()
    total = answer["total"]
    assert (total["expected"], total["submitted"], total["on_time"]) == (expected, 1, 1)
    rows = {r["unit_id"]: r for r in answer["children"]}
    assert (rows[one.pk]["submitted"], rows[two.pk]["submitted"]) == (1, 0)
    late = get(admin_client, "completeness", dataset="DAY_DU", period=before.code, within=province.pk).json()
    assert (late["total"]["submitted"], late["total"]["on_time"], late["total"]["late"]) == (1, 0, 1)
    country = get(admin_client, "completeness", dataset="DAY_DU", period=now.code).json()
    lai_chau = next(r for r in country["children"] if r["unit_id"] == province.pk)
    assert (lai_chau["expected"], lai_chau["submitted"]) == (expected, 1)
    drilled = get(admin_client, "completeness", dataset="DAY_DU", period=now.code, within=one.pk).json()
    assert (drilled["total"]["expected"], drilled["total"]["on_time"], drilled["children"]) == (1, 1, [])
    wrong = get(admin_client, "completeness", dataset="DAY_DU", period="2025", within=province.pk)
    assert wrong.status_code == 400 and "theo quý" in wrong.json()["detail_vi"]


def test_figures_are_read_only_over_ones_own_units(client, officer, analytics, province, communes):
    one, two, _ = communes
    put(one, "CTX.HOUSEHOLDS", "2025", 100)
    question = {"indicator": "CTX.HOUSEHOLDS", "period": "2025"}
    anonymous = get(client, "figure", unit=one.pk, **question)
    assert anonymous.status_code == 403 and "đăng nhập" in anonymous.json()["detail_vi"]
    grant_role(user=officer, role="data_entry", unit=one)
    client.force_login(officer)
    assert get(client, "figure", unit=one.pk, **question).json()["value"] == 100
    assert get(client, "figure", unit=two.pk, **question).status_code == 403
    assert get(client, "figure", unit=province.pk, **question).status_code == 403
    assert (
        get(client, "ranking", level="province", indicator="CTX.HOUSEHOLDS", period="2025").status_code == 403
    )
    assert (
        get(
            client, "pivot", units=f"{one.pk},{two.pk}", indicators="CTX.HOUSEHOLDS", periods="2025"
        ).status_code
        == 403
    )
    assert (
        client.post("/api/v1/analytics/refresh", {"full": True}, content_type="application/json").status_code
        == 403
    )


def test_answers_follow_the_database_without_a_manual_refresh(admin_client, communes):
    commune = communes[0]
    put(commune, "CTX.HOUSEHOLDS", "2025", 100)
    question = {"unit": commune.pk, "indicator": "CTX.HOUSEHOLDS", "period": "2025"}
    assert get(admin_client, "figure", **question).json()["value"] == 100
    put(commune, "CTX.HOUSEHOLDS", "2025", 140)
    assert get(admin_client, "figure", **question).json()["value"] == 140
    status = get(admin_client, "status").json()
    assert status["pending_changes"] == 0 and status["facts"] == 1
    rebuilt = admin_client.post("/api/v1/analytics/refresh", {"full": True}, content_type="application/json")
    # The worker rebuilds it (here jobs run at once): the answer is the job, done.
    assert rebuilt.status_code == 202 and rebuilt.json()["status"] == "done"
    assert rebuilt.json()["result"]["full"] and rebuilt.json()["result"]["values"] == 1
