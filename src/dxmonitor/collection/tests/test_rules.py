"""Declared validation rules: the expression language, judging, the violation lifecycle, cost."""

import pytest

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, delete_value, record_value
from dxmonitor.collection.expressions import (
    ExpressionError,
    Number,
    Ref,
    holds,
    parse_expression,
    split_rule,
)
from dxmonitor.collection.models import RuleViolation, SourceType, ValidationRule
from dxmonitor.collection.rules import (
    after_bulk,
    check_rules,
    refresh_violations,
    violations,
    violations_for,
)
from dxmonitor.collection.rules_file import DEFAULT_RULES, load_rules
from dxmonitor.common.errors import InvalidInput
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import descendants

pytestmark = pytest.mark.django_db
FORM = Provenance(source_type=SourceType.FORM)


def put(unit: Unit, code: str, period: str, value, **extra):
    return record_value(
        unit=unit,
        indicator=Indicator.objects.get(code=code),
        period=period,
        value=value,
        provenance=FORM,
        **extra,
    ).value


@pytest.fixture
def commune(unit_named):
    return unit_named("xã Hua Nà")


def rule_codes(unit: Unit, period: str) -> set[str]:
    return {v.rule.code for v in violations_for(unit=unit, period=period)}


# --- the language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("CTX.VILLAGES", {Ref("CTX.VILLAGES")}),
        ("AWR.CDT_VILLAGE_COVERAGE.numerator", {Ref("AWR.CDT_VILLAGE_COVERAGE", "numerator")}),
        ("INF.HOUSEHOLD_FIXED_BB.denominator", {Ref("INF.HOUSEHOLD_FIXED_BB", "denominator")}),
        ("CTX.VILLAGES.value * 1.5", {Ref("CTX.VILLAGES")}),
        ("-(CTX.A + 2) / (CTX.B - -1)", {Ref("CTX.A"), Ref("CTX.B")}),
        ("  3  ", set()),
    ],
)
def test_good_expressions_parse(text, refs):
    assert parse_expression(text).refs == refs


def test_numbers_and_precedence():
    expression = parse_expression("1 + 2 * 3 - 4 / 2")
    assert expression.evaluate(lambda code, part: None) == 5
    assert parse_expression("(1 + 2) * 3").evaluate(lambda code, part: None) == 9
    assert parse_expression("1.5").node == Number(1.5)


@pytest.mark.parametrize(
    ("text", "english", "vietnamese"),
    [
        ("", "empty", "để trống"),
        ("CTX.VILLAGES +", "ends where a figure", "còn thiếu"),
        ("(CTX.VILLAGES", "expected “)”", "Thiếu dấu “)”"),
        ("CTX.VILLAGES)", "expected an operator", "Cần một phép tính"),
        ("CTX.VILLAGES CTX.HOUSEHOLDS", "expected an operator", "Cần một phép tính"),
        ("ctx.villages", "not an indicator code", "không phải mã chỉ tiêu"),
        ("VILLAGES", "not an indicator code", "không phải mã chỉ tiêu"),
        ("CTX.VILLAGES.Numerator", "lower case", "chữ thường"),
        ("1,5 * CTX.VILLAGES", "decimals with a point", "dấu chấm"),
        ("2x", "is not a number", "không phải là một số"),
        ("CTX.VILLAGES ^ 2", "unexpected “^”", "không hợp lệ"),
        ("__import__('os')", "unexpected", "không hợp lệ"),
        ("(" * 40 + "1" + ")" * 40, "nested deeper", "Lồng ngoặc"),
        ("1 + " * 200 + "1", "longer than", "dài quá"),
    ],
)
def test_malformed_expressions_are_refused_in_both_languages(text, english, vietnamese):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert english in caught.value.message_en
    assert vietnamese in caught.value.message_vi


def test_a_rule_is_split_at_its_one_comparison():
    assert split_rule("AWR.CDT_MEMBERS >= AWR.CDT_TEAMS_VILLAGE") == (
        "AWR.CDT_MEMBERS",
        ">=",
        "AWR.CDT_TEAMS_VILLAGE",
    )
    assert split_rule("CTX.A ≤ 2 * CTX.B") == ("CTX.A", "<=", "2 * CTX.B")
    assert split_rule("CTX.A = CTX.B")[1] == "=="
    for bad in ("CTX.A", "CTX.A < CTX.B < 3", "CTX.A <= ", "<= CTX.A"):
        with pytest.raises(ExpressionError):
            split_rule(bad)


@pytest.mark.parametrize(
    ("left", "operator", "right", "expected"),
    [
        (1, "<=", 1, True),
        (1 + 1e-12, "<=", 1, True),
        (1.001, "<=", 1, False),
        (1, "<", 1, False),
        (0.9, "<", 1, True),
        (1, ">=", 1, True),
        (0.999, ">=", 1, False),
        (1, ">", 1, False),
        (1.1, ">", 1, True),
        (0.1 + 0.2, "==", 0.3, True),
        (2, "==", 3, False),
        (0.1 + 0.2, "!=", 0.3, False),
        (2, "!=", 3, True),
        (1e12 + 1e-3, "==", 1e12, True),
    ],
)
def test_each_operator_with_a_tiny_tolerance(left, operator, right, expected):
    assert holds(left, operator, right) is expected


def test_evaluation_reads_parts_and_gives_up_on_missing_figures():
    figures = {("AWR.CDT_VILLAGE_COVERAGE", "numerator"): 12.0, ("CTX.VILLAGES", "value"): 10.0}
    lookup = lambda code, part: figures.get((code, part))  # noqa: E731
    assert parse_expression("AWR.CDT_VILLAGE_COVERAGE.numerator - CTX.VILLAGES").evaluate(lookup) == 2
    assert parse_expression("AWR.CDT_VILLAGE_COVERAGE.denominator + 1").evaluate(lookup) is None
    assert parse_expression("CTX.VILLAGES / (CTX.VILLAGES - 10)").evaluate(lookup) is None


# --- judging stored figures -------------------------------------------------------------------


def test_a_violation_appears_changes_and_disappears(commune):
    put(commune, "CTX.VILLAGES", "2024", 10)
    assert rule_codes(commune, "2024") == set()  # the other side is missing: not judged
    teams = put(commune, "AWR.CDT_TEAMS_VILLAGE", "2024", 12)
    [violation] = violations_for(unit=commune, period="2024")
    assert violation.rule.code == "AWR.CDT_TEAMS_VILLAGE_LE_VILLAGES"
    assert (violation.left_value, violation.right_value) == (12, 10)
    put(commune, "AWR.CDT_TEAMS_VILLAGE", "2024", 14)
    [changed] = violations_for(unit=commune, period="2024")
    assert changed.pk == violation.pk and changed.left_value == 14
    put(commune, "AWR.CDT_TEAMS_VILLAGE", "2024", 10)  # fixed: equal is fine
    assert violations_for(unit=commune, period="2024") == []
    put(commune, "AWR.CDT_TEAMS_VILLAGE", "2024", 11)
    assert rule_codes(commune, "2024") == {"AWR.CDT_TEAMS_VILLAGE_LE_VILLAGES"}
    delete_value(value=teams, provenance=FORM)
    assert violations_for(unit=commune, period="2024") == []  # a deleted figure is a missing one
    assert rule_codes(commune, "2023") == set()


def test_a_rate_numerator_is_compared_with_a_context_figure(commune):
    put(commune, "CTX.VILLAGES", "2024", 10)
    put(commune, "AWR.CDT_VILLAGE_COVERAGE", "2024", 80, numerator=12, denominator=15)
    [violation] = violations_for(unit=commune, period="2024")
    assert violation.rule.code == "AWR.CDT_VILLAGES_LE_VILLAGES"
    assert (violation.left_value, violation.right_value) == (12, 10)
    # A rate given without its parts has no numerator to compare: not judged.
    put(commune, "AWR.CDT_VILLAGE_COVERAGE", "2024", 80)
    assert violations_for(unit=commune, period="2024") == []


def test_a_warning_and_an_error_at_once_errors_first(commune):
    put(commune, "CTX.VILLAGES", "2024", 8)
    put(commune, "AWR.CDT_TEAMS_VILLAGE", "2024", 9)
    put(commune, "AWR.CDT_MEMBERS", "2024", 5)
    found = violations_for(unit=commune, period="2024")
    assert [(v.rule.code, v.rule.severity) for v in found] == [
        ("AWR.CDT_TEAMS_VILLAGE_LE_VILLAGES", "error"),
        ("AWR.CDT_MEMBERS_GE_TEAMS", "warning"),
    ]


def test_bounds_and_targets_do_not_take_part(commune):
    put(commune, "CTX.VILLAGES", "2024", 10)
    put(commune, "INF.VILLAGES_WITHOUT_MOBILE", "2024", 12, comparator="gt")
    assert violations_for(unit=commune, period="2024") == []
    put(commune, "INF.VILLAGES_WITHOUT_GRID", "2024", 12, kind="target")
    assert violations_for(unit=commune, period="2024") == []
    put(commune, "INF.VILLAGES_WITHOUT_GRID", "2024", 12, comparator="approx")
    assert rule_codes(commune, "2024") == {"INF.NO_GRID_LE_VILLAGES"}


def test_an_inactive_rule_loses_its_violations_at_the_next_check(commune):
    put(commune, "CTX.VILLAGES", "2024", 10)
    put(commune, "INF.VILLAGES_WITHOUT_GRID", "2024", 11)
    assert RuleViolation.objects.filter(unit=commune).count() == 1
    ValidationRule.objects.filter(code="INF.NO_GRID_LE_VILLAGES").update(is_active=False)
    assert violations_for(unit=commune, period="2024") == []
    report = refresh_violations(pairs={(commune.pk, "2024")})
    assert report.removed == 1 and not RuleViolation.objects.filter(unit=commune).exists()


def test_refreshing_twice_writes_nothing_the_second_time(commune):
    put(commune, "CTX.VILLAGES", "2024", 10)
    put(commune, "INF.VILLAGES_WITHOUT_GRID", "2024", 11)
    pairs = {(commune.pk, "2024"), (commune.pk, "")}
    report = refresh_violations(pairs=pairs)
    assert (report.pairs, report.created, report.updated, report.removed, report.unchanged) == (1, 0, 0, 0, 1)


def test_check_rules_costs_a_fixed_number_of_queries(unit_named, django_assert_max_num_queries):
    district = unit_named("huyện Tủa Chùa")
    communes = list(descendants(district, level=Level.COMMUNE).order_by("code"))
    for number, commune in enumerate(communes[:6]):
        put(commune, "CTX.VILLAGES", "2024", 10)
        put(commune, "AWR.CDT_TEAMS_VILLAGE", "2024", 8 + number)
    broken = {c.pk for c in communes[3:6]}
    # Many more pairs than units with figures, over two periods and several chunks of units.
    other_ids = list(Unit.objects.filter(level=Level.COMMUNE).values_list("pk", flat=True)[:1200])
    pairs = {(unit_id, period) for unit_id in other_ids for period in ("2023", "2024")}
    pairs |= {(c.pk, "2024") for c in communes}
    chunks_per_period = -(-len({u for u, _ in pairs}) // 500)
    with django_assert_max_num_queries(2 + 2 * chunks_per_period):
        findings = check_rules(pairs=pairs)
    assert {f.unit_id for f in findings} == broken
    assert {f.rule_code for f in findings} == {"AWR.CDT_TEAMS_VILLAGE_LE_VILLAGES"}
    with django_assert_max_num_queries(5 + 4 * chunks_per_period):
        report = refresh_violations(pairs=pairs)
    assert report.violations == 3
    with django_assert_max_num_queries(5 + 4 * chunks_per_period + 8):
        after_bulk(pairs=pairs, value_ids=[])


def test_after_bulk_refreshes_violations_and_flags(commune):
    villages = put(commune, "CTX.VILLAGES", "2024", 10)
    teams = put(commune, "AWR.CDT_TEAMS_VILLAGE", "2024", 9)
    # As a set-based import would: change rows without record_value, then call after_bulk.
    type(teams).objects.filter(pk=teams.pk).update(value=15)
    assert violations_for(unit=commune, period="2024") == []
    report = after_bulk(pairs={(commune.pk, "2024")}, value_ids=[villages.pk, teams.pk])
    assert report.violations.created == 1 and report.flags.checked == 2
    assert rule_codes(commune, "2024") == {"AWR.CDT_TEAMS_VILLAGE_LE_VILLAGES"}


def test_violations_are_listed_within_the_readers_subtree(unit_named, officer):
    from dxmonitor.accounts.actions import grant_role

    hua_na = unit_named("xã Hua Nà")
    other = unit_named("huyện Tủa Chùa")
    for unit in (hua_na, other):
        put(unit, "CTX.VILLAGES", "2024", 5)
        put(unit, "INF.VILLAGES_WITHOUT_GRID", "2024", 6)
    assert list(violations(within=None, period="2024", user=officer)) == []
    grant_role(user=officer, role="analyst", unit=hua_na)
    assert [v.unit for v in violations(within=None, period="2024", user=officer)] == [hua_na]
    assert list(violations(within=other, period="2024", user=officer)) == []
    assert list(violations(within=None, period="2023", user=officer)) == []
    assert len(violations(within=None, period=None, user=None)) == 0


# --- the rules file -------------------------------------------------------------------------


def test_the_shipped_rules_are_loaded_and_loading_again_changes_nothing():
    shipped = DEFAULT_RULES.read_text(encoding="utf-8").count("\n") - 1
    assert ValidationRule.objects.count() == shipped >= 7
    report = load_rules()
    assert (report.created, report.updated, report.unchanged) == ([], [], shipped)
    rule = ValidationRule.objects.get(code="AWR.CDT_VILLAGES_LE_VILLAGES")
    assert (rule.left, rule.operator, rule.right) == (
        "AWR.CDT_VILLAGE_COVERAGE.numerator",
        "<=",
        "CTX.VILLAGES",
    )
    assert ValidationRule.objects.get(code="AWR.CDT_MEMBERS_GE_TEAMS").severity == "warning"


def test_a_bad_rules_file_changes_nothing_and_names_every_line(tmp_path):
    bad = tmp_path / "rules.csv"
    bad.write_text(
        "code,name_vi,name_en,rule,severity\n"
        "X.GOOD,Tốt,Good,CTX.HOUSEHOLDS <= CTX.POPULATION * 2,error\n"
        "X.NO_OP,Thiếu,Missing,CTX.HOUSEHOLDS CTX.POPULATION,error\n"
        "X.UNKNOWN,Lạ,Unknown,CTX.NOPE <= 3,warning\n"
        "X.PART,Phần,Part,CTX.VILLAGES.numerator <= 3,error\n"
        "X.GOOD,Lặp,Twice,CTX.VILLAGES >= 0,fatal\n"
        "lower,,Names,CTX.VILLAGES >= 0,error\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as caught:
        load_rules(path=bad)
    rows = sorted({p.row for p in caught.value.problems})
    assert rows == [3, 4, 5, 6, 7]
    messages = " ".join(p.message_en for p in caught.value.problems)
    assert (
        "CTX.NOPE is not in the indicator catalogue" in messages
        and "CTX.VILLAGES has no numerator" in messages
    )
    assert "appears twice" in messages and "severity 'fatal'" in messages
    assert not ValidationRule.objects.filter(code__startswith="X.").exists()


def test_a_changed_rule_is_rejudged_where_it_applies(tmp_path, commune):
    put(commune, "CTX.VILLAGES", "2024", 10)
    put(commune, "CTX.HOUSEHOLDS", "2024", 900)
    put(commune, "CTX.POPULATION", "2024", 800)
    assert rule_codes(commune, "2024") == {"CTX.HOUSEHOLDS_LE_POPULATION"}
    edited = tmp_path / "rules.csv"
    edited.write_text(
        "code,name_vi,name_en,rule,severity\n"
        "CTX.HOUSEHOLDS_LE_POPULATION,Hộ,Households,CTX.HOUSEHOLDS <= CTX.POPULATION * 2,error\n"
        "CTX.VILLAGES_FEW,Thôn,Villages,CTX.VILLAGES < 5,warning\n",
        encoding="utf-8",
    )
    report = load_rules(path=edited)
    assert report.updated == ["CTX.HOUSEHOLDS_LE_POPULATION"] and report.created == ["CTX.VILLAGES_FEW"]
    assert rule_codes(commune, "2024") == {"CTX.VILLAGES_FEW"}
    assert report.violations.removed == 1 and report.violations.created == 1
