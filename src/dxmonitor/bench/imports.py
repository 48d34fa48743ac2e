"""`dxmonitor bench import`: many values through the bulk path, a sample through per-row saves.

The values are made up, lazily (memory stays flat), on real units: the communes of the
structure before 2025 × the catalogue's count indicators × years before 2020 (2019, 2018, …),
where neither the demo nor real reports put figures. They go through `import_values` exactly
as an import does (checks, set-based writes, history, rules and outlier checks), then a sample
of other years goes through what one would write without a bulk path: per value, look the
unit and the indicator up, check it, get-or-create the value by its key and save it, create
its history row, each value in its own transaction. Everything the bench wrote is removed at
the end, also when it fails.
"""

import datetime
import math
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction

from dxmonitor.catalog.models import Indicator, Kind
from dxmonitor.collection.bulk import RawValue, import_values
from dxmonitor.collection.models import RuleViolation, SourceType, Value, ValueChange, ValueFlag
from dxmonitor.collection.periods import parse_period
from dxmonitor.collection.schemas import check_value
from dxmonitor.common.errors import DomainError
from dxmonitor.geo.models import Level, Unit
from dxmonitor.geo.queries import valid_on

BENCH_CLIENT = "dxmonitor bench"
LAST_YEAR = 2019  # the bench writes this year and earlier ones


@dataclass(frozen=True)
class Space:
    """Where the bench puts its values: unit codes × indicator codes × years."""

    codes: tuple[str, ...]
    indicators: tuple[str, ...]

    @property
    def per_year(self) -> int:
        return len(self.codes) * len(self.indicators)

    def years(self, count: int, *, skip: int = 0) -> list[int]:
        """The years `count` values need, below the `skip` values written before."""
        first = skip // self.per_year
        last = math.ceil((skip + count) / self.per_year)
        return [LAST_YEAR - n for n in range(first, max(first, last))]

    def values(self, count: int, *, skip: int = 0) -> Iterator[RawValue]:
        """`count` values after the first `skip` ones, made as they are asked for."""
        per_year, width = self.per_year, len(self.indicators)
        n = 0
        for position in range(skip - skip % width, skip + count, width):
            year, rest = divmod(position, per_year)
            period, code = str(LAST_YEAR - year), self.codes[rest // width]
            for offset, indicator in enumerate(self.indicators):
                if position + offset < skip:
                    continue
                if n == count:
                    return
                yield RawValue(
                    indicator=indicator,
                    period=period,
                    unit_code=code,
                    value=float(((position + offset) * 7919) % 97 + 1),
                    ref=str(n),
                )
                n += 1


def space() -> Space:
    day = datetime.date(LAST_YEAR, 12, 31)
    codes = (
        Unit.objects.filter(valid_on(day), level=Level.COMMUNE)
        .order_by("code")
        .values_list("code", flat=True)
    )
    indicators = Indicator.objects.filter(kind=Kind.COUNT, is_active=True).order_by("code")
    found = Space(tuple(codes), tuple(indicators.values_list("code", flat=True)))
    if not found.per_year:
        raise DomainError(
            "the bench needs the units (dxmonitor units load) and the catalogue (dxmonitor catalog load)",
            "Cần nạp đơn vị hành chính và danh mục chỉ tiêu trước khi chạy đo hiệu năng",
        )
    return found


def remove(*, periods: list[str]) -> dict[str, int]:
    """Delete what the bench wrote in these periods: values, history, flags, violations.

    Set-based statements (the ORM's delete would load a million rows to cascade); no value of
    anyone else is in these periods (checked before the bench writes).
    """
    if not periods:
        return {}
    marks = ", ".join(["%s"] * len(periods))
    bench_values = f"SELECT id FROM {Value._meta.db_table} WHERE period IN ({marks}) AND api_client = %s"
    params = [*periods, BENCH_CLIENT]
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (ValueFlag, ValueChange):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE value_id IN ({bench_values})", params)
            counts[model._meta.model_name] = cursor.rowcount
        cursor.execute(f"DELETE FROM {RuleViolation._meta.db_table} WHERE period IN ({marks})", periods)
        counts["ruleviolation"] = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {Value._meta.db_table} WHERE period IN ({marks}) AND api_client = %s", params
        )
        counts["value"] = cursor.rowcount
    return counts


def _refuse_if_taken(periods: list[str]) -> None:
    taken = Value.objects.filter(period__in=periods).exclude(api_client=BENCH_CLIENT)
    if taken.exists():
        raise DomainError(
            f"the bench writes {', '.join(periods)}, which already hold figures; it touches no real data",
            f"Đo hiệu năng cần các năm {', '.join(periods)} chưa có số liệu; không ghi đè dữ liệu thật",
        )


def naive_save(raw: RawValue) -> None:
    """What one would write without a bulk path, for one value, in its own transaction."""
    with transaction.atomic():
        period = parse_period(raw.period)
        unit = Unit.objects.get(valid_on(period.end), code=raw.unit_code)
        indicator = Indicator.objects.get(code=raw.indicator)
        checked, problems = check_value(
            unit=unit, indicator=indicator, period=period.code, kind=raw.kind, value=raw.value
        )
        if problems or checked is None:
            return
        value, created = Value.objects.get_or_create(
            unit=unit,
            indicator=indicator,
            period=period.code,
            kind=checked.kind,
            defaults={"value": checked.value, "source_type": SourceType.CLI, "api_client": BENCH_CLIENT},
        )
        if not created:
            value.version += 1
        value.value, value.comparator = checked.value, checked.comparator
        value.period_type, value.period_start, value.period_end = period.type, period.start, period.end
        value.save()
        ValueChange.objects.create(
            value=value,
            version=value.version,
            action=ValueChange.Action.CREATE if created else ValueChange.Action.UPDATE,
            after={"value": value.value, "comparator": value.comparator},
            source_type=SourceType.CLI,
            api_client=BENCH_CLIENT,
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def bench_import(
    *, values: int, sample: int = 2000, checks: bool = True, say: Callable[[str], None] = print
) -> dict:
    """Run the bench and return its figures; everything written is removed before returning."""
    where = space()
    periods = [str(y) for y in where.years(values + sample)]
    remove(periods=periods)  # what an interrupted run left
    _refuse_if_taken(periods)
    bulk_years = where.years(values)
    say(
        f"bench import: {values:,} values on {len(where.codes):,} communes × {len(where.indicators)} count "
        f"indicators, years {bulk_years[-1] if bulk_years else '-'}–{LAST_YEAR} ({connection.vendor}"
        f"{'' if checks else ', without the rules and outlier checks'})"
    )
    try:
        step = max(1, values // 10)
        shown = [0]

        def progress(done: int) -> None:
            if done - shown[0] >= step:
                shown[0] = done
                say(f"  {done:,} values checked")

        started = time.perf_counter()
        summary = import_values(
            items=where.values(values),
            user=None,
            source_type=SourceType.CLI,
            source_file="bench",
            api_client=BENCH_CLIENT,
            progress=progress,
            run_checks=checks,
        )
        seconds = time.perf_counter() - started
        # The load (checks, writes, history) and the rules and outlier checks that follow it
        # once for everything loaded are timed apart.
        load_seconds = seconds - summary.check_seconds
        rate = values / load_seconds if load_seconds else 0.0
        overall = values / seconds if seconds else 0.0
        say(
            f"bulk: {summary.created:,} created, {summary.updated:,} updated, {summary.unchanged:,} "
            f"unchanged, {summary.rejected:,} rejected: loaded in {load_seconds:.1f} s "
            f"({rate:,.0f} values/s), "
            f"rules and outlier checks {summary.check_seconds:.1f} s; {overall:,.0f} values/s overall"
        )
        if summary.rejections:
            say(f"  first rejection: {summary.rejections[0].message_en}")
        baseline = None
        if sample:
            started = time.perf_counter()
            for raw in where.values(sample, skip=values):
                naive_save(raw)
            baseline_seconds = time.perf_counter() - started
            baseline = sample / baseline_seconds if baseline_seconds else 0.0
            say(
                f"baseline (per-value ORM saves): {sample:,} values in {baseline_seconds:.1f} s: "
                f"{baseline:,.0f} values/s; the bulk path is {rate / baseline:,.0f}× faster"
            )
    finally:
        removed = remove(periods=periods)
        say(
            f"removed what the bench wrote: {removed.get('value', 0):,} values, "
            f"{removed.get('valuechange', 0):,} history rows, {removed.get('ruleviolation', 0):,} rule "
            f"violations, {removed.get('valueflag', 0):,} outlier flags"
        )
    return {
        "bench": "import",
        "values": values,
        "values_per_s": round(rate, 1),
        "baseline_values_per_s": round(baseline, 1) if baseline is not None else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "checks_s": round(summary.check_seconds, 1),
        "overall_values_per_s": round(overall, 1),
    }
