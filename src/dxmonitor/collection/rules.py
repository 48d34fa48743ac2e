"""Declared validation rules over the figures of one unit and period, and their violations.

A rule is `left operator right` in the language of `expressions.py`. Rules are judged for
many (unit id, period) pairs at once with a bounded number of queries: the figures the rules
name are streamed per period in unit order, in chunks of unit ids (or the period whole when
many of its units are asked for), so a check after an import of a million values costs tens
of queries, not millions, and holds one unit's figures at a time. A rule whose figures are
missing is not judged (nor evaluated); only actual figures stated as exact or approximate
take part (a bound such as "trên 50%" says too little).

`RuleViolation` holds what failed when last checked: `refresh_violations` creates, updates
and deletes its rows. `after_write` (one value) and `after_bulk` (a whole import) keep
violations and outlier flags current in the writer's transaction.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from operator import itemgetter

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, When
from django.db.models import Value as V
from django.utils import timezone

from dxmonitor.accounts.permissions import APPROVE, ENTER, READ, grants
from dxmonitor.common.errors import DomainError, Forbidden
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from . import bulk_sql
from .expressions import (
    Expression,
    ExpressionError,
    Figures,
    holds,
    normalise_operator,
    parse_expression,
)
from .models import Comparator, RuleViolation, ValidationRule, Value, ValueKind
from .outliers import FlagReport, flag_outliers, flag_value
from .periods import parse_period

log = logging.getLogger(__name__)

_RULE_FIELDS = ("code", "severity", "left", "operator", "right")
# Unit ids per query; a period with more units asked than SCAN_ABOVE is read whole instead.
CHUNK = 500
SCAN_ABOVE = 5000
FETCH = 5000
# Figures a rule can use: exact or approximate; a bound ("> 50") is not a figure to compare.
_USABLE = (Comparator.EQ, Comparator.APPROX)

Pair = tuple[int, str]


@dataclass(frozen=True)
class CompiledRule:
    id: int
    code: str
    severity: str
    left: Expression
    operator: str
    right: Expression

    @cached_property
    def codes(self) -> frozenset[str]:
        return self.left.codes | self.right.codes

    def judge(self, lookup) -> tuple[float, float] | None:
        """(left, right) when the rule fails; None when it holds or cannot be judged."""
        left = self.left.evaluate(lookup)
        if left is None:
            return None
        right = self.right.evaluate(lookup)
        if right is None or holds(left, self.operator, right):
            return None
        return left, right

    def check(self, figures: Figures) -> tuple[float, float] | None:
        """`judge` over a unit's figures (code → value, numerator, denominator)."""
        left = self.left.compiled(figures)
        if left is None:
            return None
        right = self.right.compiled(figures)
        if right is None or holds(left, self.operator, right):
            return None
        return left, right


@dataclass(frozen=True)
class Finding:
    """A rule that fails for a unit and period, with both sides as computed."""

    rule_id: int
    rule_code: str
    severity: str
    unit_id: int
    period: str
    left_value: float
    right_value: float


@dataclass
class RefreshReport:
    pairs: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def violations(self) -> int:
        """Violations standing for the pairs checked."""
        return self.created + self.updated + self.unchanged


@dataclass
class CheckReport:
    """What a check after writes did: violations refreshed and outlier flags."""

    violations: RefreshReport = field(default_factory=RefreshReport)
    flags: FlagReport = field(default_factory=FlagReport)


def compile_rule(rule: ValidationRule) -> CompiledRule:
    """Parse a stored rule (parsing is cached by text); raises ExpressionError when malformed."""
    return CompiledRule(
        id=rule.pk,
        code=rule.code,
        severity=rule.severity,
        left=parse_expression(rule.left, field="left"),
        operator=normalise_operator(rule.operator),
        right=parse_expression(rule.right, field="right"),
    )


def active_rules() -> list[CompiledRule]:
    """The active rules, parsed; a stored rule that no longer parses is skipped and logged."""
    compiled = []
    for rule in ValidationRule.objects.filter(is_active=True).order_by("code").only(*_RULE_FIELDS):
        try:
            compiled.append(compile_rule(rule))
        except ExpressionError as exc:
            log.warning("validation rule %s skipped: %s", rule.code, exc.message_en)
    return compiled


def _by_period(pairs: Iterable[Pair]) -> dict[str, list[int]]:
    grouped: dict[str, set[int]] = defaultdict(set)
    for unit_id, period in pairs:
        if period:
            grouped[period].add(unit_id)
    return {period: sorted(units) for period, units in sorted(grouped.items())}


def _batches(pairs: Iterable[Pair]) -> Iterator[tuple[str, list[int] | None, set[int]]]:
    """(period, unit ids to filter on or None to read the period whole, the units wanted)."""
    for period, units in _by_period(pairs).items():
        wanted = set(units)
        if len(units) > SCAN_ABOVE:
            yield period, None, wanted
            continue
        for start in range(0, len(units), CHUNK):
            yield period, units[start : start + CHUNK], wanted


def _unit_figures(period: str, units: list[int] | None, wanted: set[int], codes: list[str]):
    """(unit id, code → figure) for each wanted unit of a batch with figures, streamed in unit order."""
    rows = Value.objects.filter(
        period=period,
        indicator__code__in=codes,
        kind=ValueKind.ACTUAL,
        is_deleted=False,
        comparator__in=_USABLE,
    )
    if units is not None:
        rows = rows.filter(unit_id__in=units)
    columns = ("unit_id", "indicator__code", "value", "numerator", "denominator")
    stream = rows.order_by("unit_id").values_list(*columns).iterator(chunk_size=FETCH)
    for unit_id, found in groupby(stream, key=itemgetter(0)):
        if unit_id in wanted:
            yield unit_id, {row[1]: row[2:] for row in found}


def _codes(rules: list[CompiledRule]) -> set[str]:
    return set().union(*(rule.codes for rule in rules)) if rules else set()


class _Rulebook:
    """The rules, and for each set of codes a unit has figures for, the rules those can judge: a
    rule missing any of its figures is not judged, so it is not even evaluated."""

    def __init__(self, rules: list[CompiledRule]) -> None:
        self.rules = rules
        self.codes = sorted(_codes(rules))
        self.judgeable: dict[frozenset[str], list[CompiledRule]] = {}

    def failures(self, period: str, units: list[int] | None, wanted: set[int]):
        """(rule, unit id, left, right) for each rule failing in a batch of units of one period."""
        if not self.codes:
            return
        for unit_id, figures in _unit_figures(period, units, wanted, self.codes):
            present = frozenset(figures)
            rules = self.judgeable.get(present)
            if rules is None:
                rules = self.judgeable[present] = [r for r in self.rules if r.codes <= present]
            for rule in rules:
                failed = rule.check(figures)
                if failed is not None:
                    yield rule, unit_id, failed[0], failed[1]


def check_rules(*, pairs: set[Pair], rules: list[CompiledRule] | None = None) -> list[Finding]:
    """The failing rules for each (unit id, period) pair; undated pairs are not checked.

    Queries: one for the rules (none when given), one per period and chunk of units — never
    one per pair.
    """
    pairs = {(unit_id, period) for unit_id, period in pairs if period}
    if not pairs:
        return []
    rules = active_rules() if rules is None else rules
    if not rules:
        return []
    book = _Rulebook(rules)
    findings = []
    for period, units, wanted in _batches(pairs):
        for rule, unit_id, left, right in book.failures(period, units, wanted):
            findings.append(Finding(rule.id, rule.code, rule.severity, unit_id, period, left, right))
    findings.sort(key=lambda f: (f.period, f.unit_id, f.rule_code))
    return findings


def refresh_violations(*, pairs: set[Pair], rules: list[CompiledRule] | None = None) -> RefreshReport:
    """Make the stored violations of the pairs what the rules say now.

    A new failure is created, a failure with other figures is updated, a violation that now
    holds (or can no longer be judged, or whose rule was switched off) is deleted. Rows that
    did not change are not written. Batch by batch (a period, or 500 of its units): what the
    checks hold at once is one batch's violations.
    """
    pairs = {(unit_id, period) for unit_id, period in pairs if period}
    report = RefreshReport(pairs=len(pairs))
    if not pairs:
        return report
    with transaction.atomic(savepoint=False):
        book = _Rulebook(active_rules() if rules is None else rules)
        now = bulk_sql.moment(timezone.now())
        whole = False
        for period, units, wanted in _batches(pairs):
            if units is None and not whole:
                bulk_sql.read_whole_results()
                whole = True
            _refresh_batch(book, period, units, wanted, now, report)
    return report


def _refresh_batch(
    book: _Rulebook, period: str, units: list[int] | None, wanted: set[int], now, report: RefreshReport
) -> None:
    existing: dict[tuple[int, int], tuple[int, float, float]] = {}
    rows = RuleViolation.objects.filter(period=period)
    if units is not None:
        rows = rows.filter(unit_id__in=units)
    columns = ("pk", "rule_id", "unit_id", "left_value", "right_value")
    for pk, rule_id, unit_id, left, right in rows.order_by().values_list(*columns).iterator(chunk_size=FETCH):
        if unit_id in wanted:
            existing[(rule_id, unit_id)] = (pk, left, right)
    writes = []
    for rule, unit_id, left, right in book.failures(period, units, wanted):
        before = existing.pop((rule.id, unit_id), None)
        if before is not None and before[1:] == (left, right):
            report.unchanged += 1
            continue
        if before is None:
            report.created += 1
        else:
            report.updated += 1
        writes.append((rule.id, unit_id, period, left, right, now))
    stale = sorted(pk for pk, _, _ in existing.values())
    for start in range(0, len(stale), CHUNK):
        RuleViolation.objects.filter(pk__in=stale[start : start + CHUNK]).delete()
    report.removed += len(stale)
    # An upsert: a concurrent check of the same pair cannot make this write fail.
    bulk_sql.insert_rows(
        RuleViolation._meta.db_table,
        ("rule_id", "unit_id", "period", "left_value", "right_value", "detected_at"),
        writes,
        conflict=(
            "(rule_id, unit_id, period) DO UPDATE SET left_value = excluded.left_value, "
            "right_value = excluded.right_value, detected_at = excluded.detected_at"
        ),
    )


def after_write(*, value: Value) -> CheckReport:
    """Called by `record_value` and `delete_value` inside their transaction."""
    report = CheckReport()
    if value.period and value.kind == ValueKind.ACTUAL:
        rules = active_rules()
        # A figure no rule names cannot change what the rules say about its unit and period.
        named = not Value.indicator.is_cached(value) or value.indicator.code in _codes(rules)
        if named:
            report.violations = refresh_violations(pairs={(value.unit_id, value.period)}, rules=rules)
    report.flags = flag_value(value=value)
    return report


def after_bulk(*, pairs: set[tuple[int, str]], value_ids: Iterable[int]) -> CheckReport:
    """Called by a bulk import once for everything it wrote, inside a transaction.

    `pairs` are the (unit id, period) pairs whose values the load created, changed or
    deleted; `value_ids` the ids of those values. Cost: for the rules a fixed number of
    queries per period and 500 units (a large period is read whole); for the outliers a fixed
    number plus one stream per indicator group and 500 parent units, whatever the load's size.
    """
    with transaction.atomic():
        return CheckReport(
            violations=refresh_violations(pairs=set(pairs)), flags=flag_outliers(value_ids=value_ids)
        )


def violations_for(*, unit: Unit, period: str) -> list[RuleViolation]:
    """The standing violations of one unit and period, errors first."""
    return list(
        _ordered(
            RuleViolation.objects.select_related("rule").filter(
                unit=unit, period=period, rule__is_active=True
            )
        )
    )


def _ordered(rows: QuerySet[RuleViolation]) -> QuerySet[RuleViolation]:
    severity = Case(
        When(rule__severity=ValidationRule.Severity.ERROR, then=V(0)),
        default=V(1),
        output_field=IntegerField(),
    )
    return rows.annotate(severity_rank=severity).order_by(
        "severity_rank", "-period", "unit__name", "rule__code"
    )


def standing_violations(*, within: Unit | None, period: str | None) -> QuerySet[RuleViolation]:
    """Every standing violation in a unit's subtree and a period (None: all), errors first:
    the operator's view; users get `violations`."""
    rows = RuleViolation.objects.select_related("rule", "unit", "unit__parent").filter(rule__is_active=True)
    if within is not None:
        rows = rows.filter(unit__path__startswith=within.path)
    if period:
        rows = rows.filter(period=parse_period(period).code)
    return _ordered(rows)


def violations(*, within: Unit | None, period: str | None, user: AnyUser | None) -> QuerySet[RuleViolation]:
    """Standing violations the user may read, in a unit's subtree and a period (None: all)."""
    return standing_violations(within=within, period=period).filter(
        grants(user).unit_filter(READ, prefix="unit__")
    )


def may_recheck(user: AnyUser | None, within: Unit | None) -> bool:
    """Whoever enters or approves figures for a subtree may re-run its checks."""
    found = grants(user)
    if within is None:
        return found.everything or "" in found.paths(ENTER) or "" in found.paths(APPROVE)
    return found.covers(ENTER, within) or found.covers(APPROVE, within)


def recheck(*, within: Unit | None, period: str | None, user: AnyUser | None = None) -> CheckReport:
    """Re-run the rules and the outlier checks over a subtree and period (None: everything).

    With a `user`, the user must enter or approve figures for the whole subtree; without
    one it is the operator's command.
    """
    if user is not None and not may_recheck(user, within):
        where = within.name if within else "the whole country"
        where_vi = within.name if within else "toàn quốc"
        raise Forbidden(
            f"{user.get_username()} may not re-run the checks of {where}",
            f"Tài khoản {user.get_username()} không được kiểm tra lại số liệu của {where_vi}",
            field="within",
        )
    code = parse_period(period).code if period else None
    if period and not code:
        raise DomainError("give a dated period", "Cần chỉ rõ kỳ báo cáo", field="period")
    values = Value.objects.filter(is_deleted=False).exclude(period="").order_by()
    stored = RuleViolation.objects.order_by()
    if within is not None:
        values = values.filter(unit__path__startswith=within.path)
        stored = stored.filter(unit__path__startswith=within.path)
    if code:
        values = values.filter(period=code)
        stored = stored.filter(period=code)
    codes = _codes(active_rules())
    pairs: set[Pair] = set(
        values.filter(kind=ValueKind.ACTUAL, indicator__code__in=codes)
        .values_list("unit_id", "period")
        .distinct()
    )
    pairs |= set(stored.values_list("unit_id", "period").distinct())
    with transaction.atomic():
        report = CheckReport(violations=refresh_violations(pairs=pairs))
        report.flags = flag_outliers(value_ids=list(values.values_list("pk", flat=True)))
    return report


def refresh_rules(*, rule_ids: Iterable[int]) -> RefreshReport:
    """Re-judge every pair the given rules touch: after rules are added or changed."""
    rules = [compile_rule(r) for r in ValidationRule.objects.filter(pk__in=list(rule_ids))]
    if not rules:
        return RefreshReport()
    codes = _codes(rules)
    pairs: set[Pair] = set(
        Value.objects.filter(indicator__code__in=codes, kind=ValueKind.ACTUAL, is_deleted=False)
        .exclude(period="")
        .order_by()
        .values_list("unit_id", "period")
        .distinct()
    )
    pairs |= set(
        RuleViolation.objects.filter(rule_id__in=[r.id for r in rules])
        .order_by()
        .values_list("unit_id", "period")
        .distinct()
    )
    return refresh_violations(pairs=pairs)
