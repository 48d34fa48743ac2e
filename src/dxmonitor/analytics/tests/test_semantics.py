"""How figures add up, each rule against figures worked out by hand."""

import datetime

import pytest

from dxmonitor.analytics.queries import MINISTRY_AVERAGE, SUCCESSION, figure
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType
from dxmonitor.collection.periods import parse_period
from dxmonitor.geo.actions import add_village
from dxmonitor.geo.models import Level, Unit, UnitType
from dxmonitor.geo.queries import unit_for_code

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


def fig(unit: Unit, code: str, period: str, **kwargs):
    return figure(
        unit_id=unit.pk,
        indicator_id=Indicator.objects.get(code=code).pk,
        period=parse_period(period),
        **kwargs,
    )


@pytest.fixture
def commune() -> Unit:
    province = unit_for_code(code="12", on=AFTER)
    return province.children.order_by("code").first()


@pytest.fixture
def villages(commune) -> list[Unit]:
    return [
        add_village(commune=commune, name=f"Bản {n}", unit_type=UnitType.BAN) for n in ("Một", "Hai", "Ba")
    ]


def test_counts_add_up_with_their_coverage(analytics, commune, villages):
    for village, households in zip(villages, (100, 200, 300), strict=True):
        put(village, "CTX.HOUSEHOLDS", "2025", households)
    analytics()
    result = fig(commune, "CTX.HOUSEHOLDS", "2025")
    assert (result.value, result.method, result.parts, result.expected, result.complete) == (
        600,
        "children",
        3,
        3,
        True,
    )
    province = fig(commune.parent, "CTX.HOUSEHOLDS", "2025")
    assert province.value == 600 and province.method == "children"
    assert (
        province.parts == 1 and province.expected == commune.parent.children.count() and not province.complete
    )


def test_rates_are_the_ratio_of_sums_never_a_mean_of_rates(analytics, commune, villages):
    one, two, _three = villages
    put(one, "CTX.HOUSEHOLDS", "2025", 100)
    put(two, "CTX.HOUSEHOLDS", "2025", 200)
    put(one, "INF.HOUSEHOLD_FIXED_BB", "2025", None, numerator=50, denominator=100)
    put(two, "INF.HOUSEHOLD_FIXED_BB", "2025", "20%")  # weighted by its 200 households: 40
    analytics()
    result = fig(commune, "INF.HOUSEHOLD_FIXED_BB", "2025")
    # (50 + 40) / (100 + 200), not the mean of 50% and 20%.
    assert result.value == pytest.approx(30.0) and (result.numerator, result.denominator) == (90, 300)
    assert (result.parts, result.expected, result.unweighted, result.complete) == (2, 3, 0, False)


def test_a_rate_without_any_weight_makes_the_figure_incomplete(analytics, commune, villages):
    one, two, _ = villages
    put(one, "INF.HOUSEHOLD_FIXED_BB", "2025", None, numerator=30, denominator=100)
    put(two, "INF.HOUSEHOLD_FIXED_BB", "2025", 90)  # no households figure to weigh it by
    analytics()
    result = fig(commune, "INF.HOUSEHOLD_FIXED_BB", "2025")
    assert result.value == pytest.approx(30.0)  # only the weighted part, never (30 + 90) / 2
    assert result.unweighted == 1 and not result.complete


def test_a_units_own_figure_wins_over_its_childrens(analytics, commune, villages):
    for village, households in zip(villages, (100, 200, 300), strict=True):
        put(village, "CTX.HOUSEHOLDS", "2025", households)
    put(commune, "CTX.HOUSEHOLDS", "2025", 650)
    analytics()
    assert (fig(commune, "CTX.HOUSEHOLDS", "2025").value, fig(commune, "CTX.HOUSEHOLDS", "2025").method) == (
        650,
        "reported",
    )
    assert fig(commune.parent, "CTX.HOUSEHOLDS", "2025").value == 650


def test_bounds_carry_through_sums(analytics, commune, villages):
    put(villages[0], "AWR.CDT_MEMBERS", "2025", 20, comparator="gt")
    put(villages[1], "AWR.CDT_MEMBERS", "2025", 15)
    analytics()
    result = fig(commune, "AWR.CDT_MEMBERS", "2025")
    assert (result.value, result.comparator) == (35, "gt")


def test_flows_add_up_over_months_and_stocks_are_read_at_the_end(analytics, commune, villages):
    one = villages[0]
    put(one, "HR.DX_TRAINEES", "202507", 5)
    put(one, "HR.DX_TRAINEES", "202508", 7)
    put(one, "CTX.VILLAGES", "202507", 10)
    put(one, "CTX.VILLAGES", "202509", 12)
    analytics()
    trainees = fig(one, "HR.DX_TRAINEES", "2025Q3")
    assert (trainees.value, trainees.method, trainees.parts, trainees.expected) == (12, "months", 2, 3)
    assert fig(commune, "HR.DX_TRAINEES", "2025Q3").value == 12
    assert fig(commune, "HR.DX_TRAINEES", "2025").value == 12
    stock = fig(commune, "CTX.VILLAGES", "2025Q3")
    assert stock.value == 12
    assert fig(one, "CTX.VILLAGES", "2025Q3").value == 12 and fig(one, "CTX.VILLAGES", "2025Q3").complete


def test_latest_and_unaggregated_indicators_are_not_added_across_units(analytics, commune, villages):
    put(commune, "GOV.ONLINE_SERVICES_COUNT", "2025", 120)
    sibling = commune.parent.children.order_by("code")[1]
    put(sibling, "GOV.ONLINE_SERVICES_COUNT", "2025", 80)
    analytics()
    assert fig(commune.parent, "GOV.ONLINE_SERVICES_COUNT", "2025") is None


def test_a_merged_province_before_it_existed_comes_from_its_predecessors(analytics):
    before = datetime.date(2024, 6, 30)
    old = {
        code: unit_for_code(code=code, on=before) for code in ("25", "26", "17")
    }  # Phú Thọ, Vĩnh Phúc, Hòa Bình
    for unit, villages_count in zip(old.values(), (100, 200, 300), strict=True):
        put(unit, "CTX.VILLAGES", "2024", villages_count)
    for unit, score in zip(old.values(), (0.5, 0.6, 0.7), strict=True):
        put(unit, "DTI.SCORE", "2024", score)
    analytics()
    phu_tho = unit_for_code(code="25", on=AFTER)
    result = fig(phu_tho, "CTX.VILLAGES", "2024")
    assert (result.value, result.method, result.parts, result.expected) == (600, SUCCESSION, 3, 3)
    assert {s["name"] for s in result.sources} == {"Tỉnh Phú Thọ", "Tỉnh Vĩnh Phúc", "Tỉnh Hòa Bình"}
    average = fig(phu_tho, "DTI.SCORE", "2024", method=MINISTRY_AVERAGE)
    assert average.value == pytest.approx(0.6) and average.method == MINISTRY_AVERAGE


def test_a_split_commune_passes_its_share_by_weight(analytics):
    from dxmonitor.geo.models import Succession

    link = (
        Succession.objects.filter(weight__lt=1, predecessor__level=Level.COMMUNE)
        .select_related("predecessor", "successor")
        .first()
    )
    put(link.predecessor, "CTX.HOUSEHOLDS", "2024", 1000)
    analytics()
    result = fig(link.successor, "CTX.HOUSEHOLDS", "2024")
    share = next(s for s in result.sources if s["unit_id"] == link.predecessor_id)
    assert share["weight"] == pytest.approx(link.weight)
    assert result.method == SUCCESSION and result.value >= 1000 * link.weight - 1e-6


def test_the_seed_facts_aggregate_without_double_counting(analytics):
    from dxmonitor.demo.actions import load_seed_facts

    load_seed_facts()
    analytics()
    before = datetime.date(2024, 6, 30)
    lai_chau = unit_for_code(code="12", on=before)
    # The province's own figure stands; nothing of huyện Than Uyên is added to it.
    own = fig(lai_chau, "GOV.DIGITAL_SIGNATURES_ISSUED", "")
    assert (own.value, own.method) == (4306, "reported")
    # Where only the district reported, the province's figure is the district's, marked incomplete.
    teams = fig(lai_chau, "AWR.CDT_TEAMS_VILLAGE", "")
    assert (teams.value, teams.method, teams.parts) == (131, "children", 1) and not teams.complete
    assert teams.expected == lai_chau.children.count()
    assert fig(lai_chau, "ECO.DIGITAL_ECONOMY_SHARE", "2023").value == 6.7


def test_an_incremental_refresh_changes_only_what_moved(analytics, commune, villages):
    put(villages[0], "CTX.HOUSEHOLDS", "2025", 100)
    put(villages[1], "CTX.HOUSEHOLDS", "2025", 200)
    assert analytics().full
    put(villages[1], "CTX.HOUSEHOLDS", "2025", 250)
    report = analytics()
    assert not report.full and report.values == 1 and report.years == [2025]
    assert fig(commune, "CTX.HOUSEHOLDS", "2025").value == 350
    assert fig(commune.parent, "CTX.HOUSEHOLDS", "2025").value == 350
    assert analytics().values == 0
