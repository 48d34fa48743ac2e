"""The bulk path: many values checked like one, written set-based, every change in the history."""

import datetime

import pytest

from dxmonitor.accounts.actions import grant_role
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, delete_value, record_value
from dxmonitor.collection.bulk import RawValue, import_values
from dxmonitor.collection.models import DataSet, DataSetIndicator, SourceType, Value, ValueChange
from dxmonitor.geo.models import Level, Unit

pytestmark = pytest.mark.django_db
IMPORT = SourceType.IMPORT


def raw(code: str = "098", indicator: str = "CTX.VILLAGES", period: str = "2024", **kwargs) -> RawValue:
    return RawValue(indicator=indicator, period=period, unit_code=code, **kwargs)


@pytest.fixture
def tua_chua() -> Unit:
    return Unit.objects.get(level=Level.DISTRICT, code="098")


def test_created_then_unchanged_then_updated_with_history(admin, tua_chua):
    first = import_values(
        items=[raw(value=120, row=2), raw(indicator="CTX.HOUSEHOLDS", value="4.306", row=3)],
        user=admin,
        source_type=IMPORT,
        source_file="a.csv",
    )
    assert (first.created, first.updated, first.unchanged, first.rejected) == (2, 0, 0, 0)
    households = Value.objects.get(unit=tua_chua, indicator__code="CTX.HOUSEHOLDS")
    assert households.value == 4306 and households.source_file == "a.csv" and households.source_row == 3
    assert households.created_by == admin and households.version == 1
    again = import_values(
        items=[raw(value=120), raw(indicator="CTX.HOUSEHOLDS", value=4306)], user=admin, source_type=IMPORT
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = import_values(
        items=[raw(value=121, row=9)], user=admin, source_type=IMPORT, source_file="b.xlsx"
    )
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 0)
    villages = Value.objects.get(unit=tua_chua, indicator__code="CTX.VILLAGES")
    assert villages.value == 121 and villages.version == 2 and villages.source_file == "b.xlsx"
    history = list(villages.changes.order_by("version"))
    assert [(h.action, h.version) for h in history] == [("create", 1), ("update", 2)]
    assert history[0].after["value"] == 120 and history[0].before is None
    assert history[1].before["value"] == 120 and history[1].after["value"] == 121
    assert (
        history[1].source_file == "b.xlsx" and history[1].source_row == 9 and history[1].changed_by == admin
    )


def test_rates_and_vietnamese_numbers(admin, tua_chua):
    summary = import_values(
        items=[raw(indicator="AWR.CDT_VILLAGE_COVERAGE", numerator="72", denominator="120"),
               raw(indicator="INF.HOUSEHOLD_FIXED_BB", value="24,3%")],
        user=admin, source_type=IMPORT,
    )  # fmt: skip
    assert summary.created == 2
    coverage = Value.objects.get(unit=tua_chua, indicator__code="AWR.CDT_VILLAGE_COVERAGE")
    assert (coverage.value, coverage.numerator, coverage.denominator) == (60, 72, 120)
    assert Value.objects.get(unit=tua_chua, indicator__code="INF.HOUSEHOLD_FIXED_BB").value == 24.3


def test_each_problem_is_reported_with_its_place_and_the_rest_is_kept(admin):
    summary = import_values(
        items=[
            raw(value=1, ref="values[0]"),
            raw(indicator="NOPE.X", value=1, ref="values[1]"),
            raw(code="99999", value=1, ref="values[2]"),
            raw(value="nhiều", ref="values[3]"),
            raw(indicator="INF.HOUSEHOLD_FIXED_BB", value=130, ref="values[4]"),
            raw(indicator="AWR.CDT_VILLAGE_COVERAGE", numerator=130, denominator=120, ref="values[5]"),
            raw(period="2024Q9", value=1, ref="values[6]"),
            raw(value=2, ref="values[7]"),
        ],
        user=admin, source_type=SourceType.API,
    )  # fmt: skip
    assert (summary.created, summary.rejected) == (1, 7)
    reasons = {r.ref: (r.field, r.message_en) for r in summary.rejections}
    assert reasons["values[1]"][0] == "indicator" and reasons["values[2]"][0] == "unit"
    assert "not a number" in reasons["values[3]"][1] and "exceed 100" in reasons["values[4]"][1]
    assert "larger than denominator" in reasons["values[5]"][1] and reasons["values[6]"][0] == "period"
    assert "appear twice" in reasons["values[7]"][1]
    assert all(r.message_vi for r in summary.rejections)


def test_all_or_nothing_writes_nothing_when_anything_is_wrong(admin):
    summary = import_values(
        items=[raw(value=1), raw(indicator="NOPE.X", value=1)],
        user=admin,
        source_type=IMPORT,
        all_or_nothing=True,
    )
    assert not summary.applied and summary.rejected == 1
    assert not Value.objects.exists() and not ValueChange.objects.exists()


def test_dry_run_counts_and_writes_nothing(admin):
    summary = import_values(items=[raw(value=1)], user=admin, source_type=IMPORT, dry_run=True)
    assert (summary.created, summary.applied) == (1, False)
    assert not Value.objects.exists()


def test_outside_the_users_subtree_is_refused(officer, tua_chua):
    grant_role(user=officer, role="data_entry", unit=tua_chua)
    summary = import_values(items=[raw(value=1), raw(code="089", value=1)], user=officer, source_type=IMPORT)
    assert summary.created == 1 and summary.rejected == 1
    assert "outside the units" in summary.rejections[0].message_en
    assert not Value.objects.filter(unit__code="089").exists()


def test_a_code_means_the_unit_in_force_during_the_period(admin):
    import_values(
        items=[raw(code="03217", period="2024", value=9), raw(code="03217", period="2025Q4", value=31)],
        user=None,
        source_type=IMPORT,
    )
    names = dict(Value.objects.values_list("period", "unit__name"))
    assert names == {"2024": "Thị trấn Tủa Chùa", "2025Q4": "Xã Tủa Chùa"}


def test_a_closed_period_is_refused(admin):
    commune = Unit.objects.get(level=Level.COMMUNE, code="03217", valid_from__isnull=False)
    dataset = DataSet.objects.create(
        code="T", name_vi="T", name_en="T", period_type="Q", level="commune", due_days=5, closes_days=10
    )
    DataSetIndicator.objects.create(dataset=dataset, indicator=Indicator.objects.get(code="CTX.VILLAGES"))
    summary = import_values(
        items=[raw(code="03217", period="2025Q3", value=3)], user=None, source_type=IMPORT
    )
    assert summary.rejected == 1 and "closed" in summary.rejections[0].message_en
    assert not Value.objects.filter(unit=commune).exists()


def test_deleted_values_come_back_as_restored(admin, tua_chua):
    value = record_value(
        unit=tua_chua,
        indicator=Indicator.objects.get(code="CTX.VILLAGES"),
        period="2024",
        value=120,
        provenance=Provenance(source_type=SourceType.FORM),
    ).value
    delete_value(value=value, provenance=Provenance(source_type=SourceType.FORM))
    summary = import_values(items=[raw(value=120)], user=admin, source_type=IMPORT)
    assert summary.updated == 1
    value.refresh_from_db()
    assert not value.is_deleted and value.version == 3
    assert [c.action for c in value.changes.order_by("version")] == ["create", "delete", "restore"]


def test_real_and_synthetic_never_replace_each_other(admin, tua_chua):
    import_values(items=[raw(value=120)], user=None, source_type=SourceType.SYNTHETIC, synthetic=True)
    real = import_values(items=[raw(value=118)], user=admin, source_type=IMPORT)
    assert real.rejected == 1 and "synthetic value holds" in real.rejections[0].message_en
    import_values(items=[raw(indicator="CTX.HOUSEHOLDS", value=900)], user=admin, source_type=IMPORT)
    made_up = import_values(
        items=[raw(indicator="CTX.HOUSEHOLDS", value=1)],
        user=None,
        source_type=SourceType.SYNTHETIC,
        synthetic=True,
    )
    assert made_up.rejected == 1 and "real value holds" in made_up.rejections[0].message_en
    assert Value.objects.get(indicator__code="CTX.VILLAGES").is_synthetic
    assert Value.objects.get(indicator__code="CTX.HOUSEHOLDS").value == 900


def test_rules_run_after_each_chunk(admin, tua_chua):
    from dxmonitor.collection.models import RuleViolation

    summary = import_values(
        items=[
            raw(value=10, period="2023"),
            raw(indicator="INF.VILLAGES_WITHOUT_MOBILE", value=36, period="2023"),
        ],
        user=admin, source_type=IMPORT, chunk_size=1,
    )  # fmt: skip
    assert summary.created == 2
    assert RuleViolation.objects.filter(unit=tua_chua, period="2023").exists()


def test_many_values_in_several_chunks(admin):
    communes = list(Unit.objects.filter(level=Level.COMMUNE, valid_to=datetime.date(2025, 6, 30))
                    .order_by("code").values_list("code", flat=True)[:300])  # fmt: skip
    items = [
        raw(code=c, indicator=i, value=n % 50)
        for n, (c, i) in enumerate(
            (c, i) for c in communes for i in ("CTX.VILLAGES", "CTX.HOUSEHOLDS", "INF.BTS_STATIONS")
        )
    ]
    seen = []
    summary = import_values(items=items, user=admin, source_type=IMPORT, chunk_size=250, progress=seen.append)
    assert (summary.total, summary.created) == (900, 900)
    assert seen[-1] == 900 and len(seen) == 4
    assert ValueChange.objects.filter(action="create").count() == 900


def test_a_reopening_is_for_one_unit_and_a_period_not_open_is_refused(admin):
    from dxmonitor.collection.datasets import reopen_period

    first, second = Unit.objects.filter(level=Level.COMMUNE, valid_from__isnull=False).order_by("code")[:2]
    dataset = DataSet.objects.create(
        code="T", name_vi="T", name_en="T", period_type="Q", level="commune", due_days=5, closes_days=10
    )
    DataSetIndicator.objects.create(dataset=dataset, indicator=Indicator.objects.get(code="CTX.VILLAGES"))
    until = datetime.date.today() + datetime.timedelta(days=7)
    reopen_period(
        dataset=dataset, period="2025Q3", unit=first, until=until, by=admin, reason="bổ sung số liệu"
    )
    summary = import_values(
        items=[
            raw(code=first.code, period="2025Q3", value=3),
            raw(code=second.code, period="2025Q3", value=3),
            raw(code=first.code, period="2099Q1", value=3),
        ],
        user=None, source_type=IMPORT,
    )  # fmt: skip
    assert summary.created == 1 and summary.rejected == 2
    assert {r.message_en.split(" ", 1)[1] for r in summary.rejections} == {
        "of data set T is closed; an approver can reopen it",
        "of data set T is not open for entry yet",
    }
    assert Value.objects.get().unit == first


def test_a_submitted_report_locks_its_figures_on_every_channel(admin):
    from dxmonitor.workflow.models import Report, ReportStatus

    commune = Unit.objects.filter(level=Level.COMMUNE, valid_from__isnull=False).order_by("code").first()
    village_parent = commune
    dataset = DataSet.objects.create(
        code="T", name_vi="T", name_en="T", period_type="Y", level="commune", due_days=400, closes_days=800
    )
    DataSetIndicator.objects.create(dataset=dataset, indicator=Indicator.objects.get(code="CTX.VILLAGES"))
    Report.objects.create(dataset=dataset, unit=commune, period="2025", status=ReportStatus.SUBMITTED)
    items = [
        raw(code=commune.code, period="2025", value=3),
        raw(code=commune.code, period="2025", indicator="CTX.HOUSEHOLDS", value=30),
    ]
    summary = import_values(items=items, user=None, source_type=IMPORT)
    assert summary.created == 1 and summary.rejected == 1
    assert "has been submitted" in summary.rejections[0].message_en
    from dxmonitor.common.errors import DomainError

    with pytest.raises(DomainError, match="has been submitted"):
        record_value(
            unit=village_parent,
            indicator=Indicator.objects.get(code="CTX.VILLAGES"),
            period="2025",
            value=4,
            provenance=Provenance(source_type=SourceType.API),
        )


def test_the_checks_run_once_for_the_whole_load(admin, monkeypatch):
    from dxmonitor.collection import rules

    calls = []
    original = rules.after_bulk

    def counting(**kwargs):
        calls.append((len(kwargs["pairs"]), len(kwargs["value_ids"])))
        return original(**kwargs)

    monkeypatch.setattr(rules, "after_bulk", counting)
    codes = list(
        Unit.objects.filter(level=Level.DISTRICT).order_by("code").values_list("code", flat=True)[:3]
    )
    items = [raw(code=c, value=10, period=p) for c in codes for p in ("2022", "2023")]
    summary = import_values(items=items, user=admin, source_type=IMPORT, chunk_size=2)
    assert summary.created == 6
    assert calls == [(6, 6)]
