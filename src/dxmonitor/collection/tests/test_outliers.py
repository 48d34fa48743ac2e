"""Outlier flags: against a unit's own history and against its peers; kept, reviewed, resolved."""

import pytest

from dxmonitor.accounts.actions import ensure_user, grant_role
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, delete_value, record_value
from dxmonitor.collection.models import SourceType, Value, ValueFlag
from dxmonitor.collection.outliers import (
    NOTE_BACK_IN_RANGE,
    NOTE_DELETED,
    expected_range,
    flag_outliers,
    flags,
    resolve_flag,
)
from dxmonitor.common.errors import Forbidden
from dxmonitor.geo.models import Level
from dxmonitor.geo.queries import descendants

pytestmark = pytest.mark.django_db
FORM = Provenance(source_type=SourceType.FORM)


def put(unit, code: str, period: str, value, **extra) -> Value:
    return record_value(
        unit=unit,
        indicator=Indicator.objects.get(code=code),
        period=period,
        value=value,
        provenance=FORM,
        **extra,
    ).value


@pytest.fixture
def communes(unit_named):
    district = unit_named("huyện Tủa Chùa")
    found = list(descendants(district, level=Level.COMMUNE).order_by("code"))
    assert len(found) >= 8
    return found


def open_flags(value: Value) -> list[ValueFlag]:
    return list(value.flags.filter(resolved_at__isnull=True))


def households(commune, figures: dict[str, float]) -> Value:
    last = None
    for period, number in figures.items():
        last = put(commune, "CTX.HOUSEHOLDS", period, number)
    assert last is not None
    return last


def test_expected_range_is_robust_and_never_zero_wide():
    low, high = expected_range([1000, 1010, 1020], k=4)
    assert low < 1000 and 1020 < high < 10_200  # a tenth of the median at least
    assert expected_range([12, 12, 12], k=4) == pytest.approx((7.2, 16.8))
    assert expected_range([0, 0, 0], k=4) == (0.0, 4.0)
    # Counts: never beyond a third to three times the median, however noisy the series.
    low, high = expected_range([10, 100, 40, 200], k=4, count=True)
    assert (low, high) == pytest.approx((70 / 3, 210))


def test_a_jump_against_the_units_own_history_is_flagged_and_kept(communes):
    commune = communes[0]
    households(commune, {"2020": 1000, "2021": 1010, "2022": 1020})
    value = put(commune, "CTX.HOUSEHOLDS", "2023", 10_200)  # a zero too many
    assert Value.objects.get(pk=value.pk).value == 10_200  # kept, not refused
    [flag] = open_flags(value)
    assert flag.reason == ValueFlag.Reason.HISTORY and flag.flagged_value == 10_200
    assert flag.expected_low < 1010 < flag.expected_high < 10_200
    # Fixed by its unit: the flag closes by itself and says why.
    put(commune, "CTX.HOUSEHOLDS", "2023", 1030)
    flag.refresh_from_db()
    assert flag.resolved_at is not None and flag.resolved_by is None
    assert flag.resolution_note == NOTE_BACK_IN_RANGE
    assert open_flags(value) == []


def test_a_usual_change_and_a_short_history_are_not_flagged(communes):
    commune = communes[0]
    households(commune, {"2021": 1000, "2022": 1100})
    assert open_flags(put(commune, "CTX.HOUSEHOLDS", "2023", 9000)) == []  # two earlier values only
    growing = households(communes[1], {"2020": 800, "2021": 850, "2022": 900, "2023": 960})
    assert open_flags(growing) == []
    # Quarters are compared with quarters, not with years.
    assert open_flags(put(communes[1], "CTX.HOUSEHOLDS", "2024Q1", 9600)) == []


def test_a_value_far_from_its_peers_is_flagged(communes):
    for commune, share in zip(communes[:6], (60, 62, 65, 58, 70, 64), strict=True):
        put(commune, "AWR.CDT_VILLAGE_COVERAGE", "2024", share)
    odd = put(communes[6], "AWR.CDT_VILLAGE_COVERAGE", "2024", 5)
    [flag] = open_flags(odd)
    assert flag.reason == ValueFlag.Reason.PEERS
    assert flag.expected_low > 5 and flag.expected_low < 58 and flag.expected_high > 70
    usual = put(communes[7], "AWR.CDT_VILLAGE_COVERAGE", "2024", 55)
    assert open_flags(usual) == []
    # Targets are compared with targets only.
    assert open_flags(put(communes[6], "AWR.CDT_VILLAGE_COVERAGE", "2024", 5, kind="target")) == []


def test_checking_again_changes_nothing(communes):
    commune = communes[0]
    households(commune, {"2020": 1000, "2021": 1010, "2022": 1020})
    value = put(commune, "CTX.HOUSEHOLDS", "2023", 5000)
    first = flag_outliers(value_ids=[value.pk])
    second = flag_outliers(value_ids=[value.pk, value.pk])
    assert (first.created, first.updated, first.open) == (0, 0, 1)
    assert (second.created, second.updated, second.resolved, second.open) == (0, 0, 0, 1)
    assert value.flags.count() == 1
    # Another outlying figure: the same open flag follows it.
    put(commune, "CTX.HOUSEHOLDS", "2023", 6000)
    [flag] = open_flags(value)
    assert flag.flagged_value == 6000 and value.flags.count() == 1


def test_a_deleted_value_has_its_flag_resolved(communes):
    commune = communes[0]
    households(commune, {"2020": 1000, "2021": 1010, "2022": 1020})
    value = put(commune, "CTX.HOUSEHOLDS", "2023", 5000)
    delete_value(value=value, provenance=FORM)
    flag = value.flags.get()
    assert flag.resolved_at is not None and flag.resolution_note == NOTE_DELETED


def test_an_approver_keeps_a_flagged_value(communes, officer):
    commune = communes[0]
    households(commune, {"2020": 1000, "2021": 1010, "2022": 1020})
    value = put(commune, "CTX.HOUSEHOLDS", "2023", 5000)
    [flag] = open_flags(value)
    grant_role(user=officer, role="data_entry", unit=commune)
    with pytest.raises(Forbidden):
        resolve_flag(flag=flag, user=officer, note="")
    approver, _ = ensure_user(username="pheduyet", password="mat-khau-dai-789")
    grant_role(user=approver, role="approver", unit=commune.parent)
    resolved = resolve_flag(flag=flag, user=approver, note="Sáp nhập thôn, số hộ tăng thật")
    assert resolved.resolved_by == approver and resolved.resolution_note == "Sáp nhập thôn, số hộ tăng thật"
    again = resolve_flag(flag=flag, user=approver, note="lần hai")
    assert again.resolution_note == "Sáp nhập thôn, số hộ tăng thật"
    # Seen and kept: the same figure is not flagged again, another outlying one is.
    assert flag_outliers(value_ids=[value.pk]).created == 0
    assert open_flags(value) == []
    put(commune, "CTX.HOUSEHOLDS", "2023", 7000)
    assert len(open_flags(value)) == 1
    assert [f.pk for f in flags(within=commune, user=approver)] == [open_flags(value)[0].pk]
    assert list(flags(within=None, user=approver, open=False)) == [resolved]
    assert list(flags(within=None, user=None)) == []


def test_checking_many_values_costs_a_fixed_number_of_queries(communes, django_assert_max_num_queries):
    ids = []
    for number, commune in enumerate(communes):
        for year, households_count in zip(
            ("2020", "2021", "2022", "2023"), (1000, 1010, 1020, 1030), strict=True
        ):
            ids.append(put(commune, "CTX.HOUSEHOLDS", year, households_count + number).pk)
    ids.append(put(communes[0], "CTX.HOUSEHOLDS", "2024", 90_000).pk)
    ValueFlag.objects.all().delete()
    with django_assert_max_num_queries(8):
        report = flag_outliers(value_ids=ids)
    assert report.checked == len(ids) and report.created == 1
    with django_assert_max_num_queries(8):
        assert flag_outliers(value_ids=ids).created == 0
