"""Many values at once: the path behind file imports, the bulk API and DHIS2 payloads.

Values arrive as `RawValue`s from any channel, are checked with the same contract as a single
value (`schemas.check_value`), against the writer's subtree and the data-set calendar, and are
written set-based, a chunk at a time, with one history row per change. The same values sent
twice change nothing. A file is all or nothing; an API payload keeps what is valid and
reports the rest, value by value.
"""

import contextlib
import datetime
import queue
import sys
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from dxmonitor.accounts.permissions import ENTER, Grants, grants
from dxmonitor.catalog.models import Indicator
from dxmonitor.common.errors import Problem
from dxmonitor.common.hygiene import text_problem
from dxmonitor.common.retry import Busy, is_transient, retrying
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import in_force

from . import bulk_sql
from .bulk_sql import Writer, writer
from .datasets import Calendar, refusal_problem
from .periods import PeriodError, parse_period
from .schemas import check_value

CHUNK = 20_000
MAX_REPORTED = 1000


@dataclass
class RawValue:
    """One value as a channel read it; nothing checked yet."""

    indicator: str
    period: str = ""
    unit_code: str | None = None
    unit_id: int | None = None
    kind: str = "actual"
    value: Any = None
    comparator: str = "eq"
    numerator: Any = None
    denominator: Any = None
    note: str = ""
    ref: str = ""
    row: int | None = None


@dataclass(frozen=True)
class Rejection:
    ref: str
    field: str
    message_en: str
    message_vi: str
    row: int | None = None

    def as_dict(self) -> dict:
        return {
            "ref": self.ref,
            "row": self.row,
            "field": self.field,
            "message": self.message_en,
            "message_en": self.message_en,
            "message_vi": self.message_vi,
        }


@dataclass
class BulkSummary:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    dry_run: bool = False
    applied: bool = True
    seconds: float = 0.0
    check_seconds: float = 0.0
    pairs: set[tuple[int, str]] = field(default_factory=set)
    # Ids of the values the load changed, compact: a million of them is 8 MB.
    changed_ids: array = field(default_factory=lambda: array("q"))

    def reject(self, *, ref: str, row: int | None, problem: Problem) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_REPORTED:
            self.rejections.append(
                Rejection(
                    ref or f"#{self.total}",
                    problem.field,
                    problem.message_en,
                    problem.message_vi,
                    row if row is not None else problem.row,
                )
            )

    def merge(self, other: "BulkSummary") -> None:
        self.total += other.total
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        self.rejections.extend(other.rejections[: max(0, MAX_REPORTED - len(self.rejections))])
        self.pairs |= other.pairs
        self.changed_ids.extend(other.changed_ids)
        self.check_seconds += other.check_seconds

    def as_dict(self) -> dict:
        return {
            "total": self.total, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "rejected": self.rejected, "dry_run": self.dry_run,
            "applied": self.applied,
            "seconds": round(self.seconds, 3),
            "check_seconds": round(self.check_seconds, 3),
            "rejections": [r.as_dict() for r in self.rejections],
            "rejections_shown": len(self.rejections),
        }  # fmt: skip


class UnitRow(NamedTuple):
    """What checking a value needs to know of its unit."""

    id: int
    code: str
    name: str
    level: str
    path: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class _Units:
    """Units by code and by id, fetched once per code for the whole import."""

    def __init__(self) -> None:
        self.by_code: dict[str, list[UnitRow]] = {}
        self.by_id: dict[int, UnitRow] = {}

    def fetch(self, *, codes: set[str], ids: set[int]) -> None:
        from dxmonitor.geo.models import Unit

        codes = {c for c in codes if c not in self.by_code}
        ids = {i for i in ids if i not in self.by_id and 0 < i < 2**63}
        fields = ("id", "code", "name", "level", "path", "valid_from", "valid_to")
        for batch in _batches(sorted(codes), 900):
            for row in Unit.objects.filter(code__in=batch).values_list(*fields):
                self.by_code.setdefault(row[1], []).append(UnitRow(*row))
        for batch in _batches(sorted(ids), 900):
            for row in Unit.objects.filter(pk__in=batch).values_list(*fields):
                self.by_id[row[0]] = UnitRow(*row)
        for code in codes:
            self.by_code.setdefault(code, [])

    def on(self, code: str, day: datetime.date) -> UnitRow | None:
        for unit in self.by_code.get(code, ()):
            if in_force(unit.valid_from, unit.valid_to, start=day, end=day):
                return unit
        return None


class _Clean(NamedTuple):
    unit_id: int
    indicator_id: int
    indicator_code: str
    period: str
    period_type: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    kind: str
    value: float
    comparator: str
    numerator: float | None
    denominator: float | None
    note: str
    row: int | None
    ref: str


@dataclass
class _Context:
    user: AnyUser | None
    grants: Grants | None
    indicators: dict[str, Indicator]
    calendar: Calendar
    units: _Units
    writer: Writer
    source_type: str
    source_file: str
    api_client: str
    today: datetime.date
    after_chunk: Callable[..., None] | None
    synthetic: bool = False


def import_values(
    *,
    items: Iterable[RawValue],
    user: AnyUser | None,
    source_type: str,
    source_file: str = "",
    api_client: str = "",
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK,
    run_checks: bool = True,
    synthetic: bool = False,
    also_refused: BulkSummary | None = None,
) -> BulkSummary:
    """Check and write many values; report created / updated / unchanged / rejected.

    `user` None is the system itself (the demo, an operator's command without --user);
    otherwise every value must fall in the user's data-entry subtree. With `all_or_nothing`
    (files) a single rejection leaves the database as it was; otherwise (API payloads) valid
    values are kept and each chunk is committed as it goes, so memory stays flat and progress
    shows. `dry_run` checks and counts everything and writes nothing. After each chunk the
    declared rules and the outlier checks run for what it changed (`run_checks`).
    `synthetic` marks made-up demonstration figures; they never replace real ones, nor the
    other way round. With `all_or_nothing`, values a reader refused before checking
    (`also_refused`, e.g. unmapped DHIS2 identifiers) roll the load back too.
    """
    from .rules import after_bulk

    started = time.monotonic()
    context = _Context(
        user=user,
        grants=grants(user) if user is not None else None,
        indicators={i.code: i for i in Indicator.objects.all()},
        calendar=Calendar.load(),
        units=_Units(),
        writer=writer(),
        source_type=source_type,
        source_file=source_file[:255],
        api_client=api_client[:120],
        today=timezone.localdate(),
        after_chunk=after_bulk if run_checks else None,
        synthetic=synthetic,
    )
    summary = BulkSummary(dry_run=dry_run)  # what checking found; the writer counts the rest
    pipeline = _pipeline(context, all_or_nothing=all_or_nothing, dry_run=dry_run)
    try:
        for chunk in _batches(items, chunk_size):
            rows = _validate(chunk, context, summary)
            # A file with a problem will be rolled back: keep checking for the full report,
            # stop writing.
            refused = summary.rejected or (also_refused is not None and also_refused.rejected)
            if rows and not (all_or_nothing and refused):
                pipeline.submit(_Chunk(rows, context.writer.prepare(_staged(rows))))
            if progress:
                progress(summary.total)
        refused = summary.rejected or (also_refused is not None and also_refused.rejected)
        written = pipeline.close(rollback=dry_run or (all_or_nothing and bool(refused)))
    except BaseException as exc:
        pipeline.abandon()
        if is_transient(exc):
            # A load in one transaction (a file, a dry run) met another writer: it wrote
            # nothing, and its caller may send it again.
            raise Busy() from exc
        raise
    summary.merge(written)
    refused = summary.rejected or (also_refused is not None and also_refused.rejected)
    summary.applied = not (dry_run or (all_or_nothing and refused))
    summary.seconds = time.monotonic() - started
    return summary


def _pipeline(context: _Context, *, all_or_nothing: bool, dry_run: bool) -> "_Inline":
    # Inside someone else's transaction (a test, a caller's atomic block) the writes must share
    # it; elsewhere on PostgreSQL a second connection writes while this thread checks.
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _Threaded(context, all_or_nothing=all_or_nothing, dry_run=dry_run)
    return _Inline(context, all_or_nothing=all_or_nothing, dry_run=dry_run)


class _Inline:
    """Writes each chunk as it comes, on this thread's connection.

    A file (all or nothing) or a dry run is one transaction, rolled back at the end when
    anything was refused or nothing is to be kept; an API payload commits chunk by chunk.
    """

    def __init__(self, context: _Context, *, all_or_nothing: bool, dry_run: bool) -> None:
        self.context = context
        self.written = BulkSummary()
        self.all_or_nothing = all_or_nothing
        self.single = all_or_nothing or dry_run
        self.outer = transaction.atomic() if self.single else None
        if self.outer is not None:
            self.outer.__enter__()

    def submit(self, chunk: "_Chunk") -> None:
        self.write(chunk)

    def write(self, chunk: "_Chunk") -> None:
        if self.single:
            _write(chunk, self.context, self.written)
            return

        def attempt() -> None:
            # Another writer may insert one of these keys between our look-up and our insert,
            # or be chosen with us as a deadlock's victim: the chunk rolls back whole and runs
            # again, and the values it meets are then updates. `_write` counts only once the
            # statements succeeded, and a later failure of the commit raises before the count.
            counted = BulkSummary()
            with transaction.atomic():
                _write(chunk, self.context, counted)
            self.written.merge(counted)

        retrying(attempt)

    def must_roll_back(self, rollback: bool) -> bool:
        return rollback or (self.all_or_nothing and bool(self.written.rejected))

    def check(self, rollback: bool) -> None:
        """The declared rules and outlier checks, once for everything the load changed.

        Once at the end rather than after each chunk: a pair touched by several chunks is
        checked once, and the checks read statistics that describe the loaded table.
        """
        if self.must_roll_back(rollback):
            return
        started = time.monotonic()

        def attempt() -> None:
            with transaction.atomic():
                self.context.writer.finish(inserted=self.written.created)
                if self.context.after_chunk is not None and self.written.changed_ids:
                    self.context.after_chunk(pairs=self.written.pairs, value_ids=self.written.changed_ids)

        if self.single:
            attempt()  # inside the load's own transaction: a failure is the whole load's
        else:
            retrying(attempt)
        self.written.check_seconds = time.monotonic() - started

    def close(self, *, rollback: bool) -> BulkSummary:
        self.closed = True
        try:
            self.check(rollback)
        except BaseException:
            self._leave(rollback=True)
            raise
        self._leave(rollback=self.must_roll_back(rollback))
        return self.written

    def _leave(self, *, rollback: bool) -> None:
        if self.outer is not None:
            outer, self.outer = self.outer, None
            if rollback:
                transaction.set_rollback(True)
            outer.__exit__(None, None, None)

    def abandon(self) -> None:
        """After a failure: roll back what is still open; the failure itself is the caller's."""
        if getattr(self, "closed", False):
            return
        # The caller is already raising the first failure; a second one would hide it.
        with contextlib.suppress(Exception):
            self.close(rollback=True)


_DONE = object()


class _Threaded(_Inline):
    """Writes on a second connection while the importing thread checks the next chunk."""

    def __init__(self, context: _Context, *, all_or_nothing: bool, dry_run: bool) -> None:
        self.context = context
        self.written = BulkSummary()
        self.all_or_nothing = all_or_nothing
        self.single = all_or_nothing or dry_run
        self.outer = None
        self.queue: queue.Queue = queue.Queue(maxsize=2)  # two chunks in flight: memory stays flat
        self.failure: BaseException | None = None
        self.rollback = False
        self.thread = threading.Thread(target=self._run, name="dxm-bulk-writer", daemon=True)
        # The writing thread mostly waits for the database; when an answer arrives it needs the
        # interpreter back from the checking thread at once, not after the default 5 ms.
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(0.0005)
        self.thread.start()

    def submit(self, chunk: "_Chunk") -> None:
        if self.failure is not None:
            raise self.failure
        self.queue.put(chunk)

    def _run(self) -> None:
        try:
            outer = transaction.atomic() if self.single else None
            if outer is not None:
                outer.__enter__()
            try:
                while (chunk := self.queue.get()) is not _DONE:
                    if self.failure is None:
                        self.write(chunk)
                if self.failure is None:
                    self.check(self.rollback)
            except BaseException as exc:
                self.failure = exc
                while self.queue.get() is not _DONE:
                    pass
            finally:
                if outer is not None:
                    if self.must_roll_back(self.rollback) or self.failure is not None:
                        transaction.set_rollback(True)
                    outer.__exit__(None, None, None)
        except BaseException as exc:
            self.failure = self.failure or exc
        finally:
            connection.close()

    def close(self, *, rollback: bool) -> BulkSummary:
        self.closed = True
        self.rollback = rollback
        self.queue.put(_DONE)
        self.thread.join()
        sys.setswitchinterval(self.switch_interval)
        if self.failure is not None:
            raise self.failure
        return self.written


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _validate(chunk: list[RawValue], context: _Context, summary: BulkSummary) -> list["_Clean"]:
    # Texts first: a code holding NUL must not reach a query (PostgreSQL refuses the statement).
    refused = [_text_problem(raw) for raw in chunk]
    context.units.fetch(
        codes={
            r.unit_code
            for r, bad in zip(chunk, refused, strict=True)
            if not bad and r.unit_id is None and r.unit_code
        },
        ids={r.unit_id for r in chunk if r.unit_id is not None},
    )
    clean: dict[tuple[int, int, str, str], _Clean] = {}
    for raw, problem in zip(chunk, refused, strict=True):
        summary.total += 1
        result = problem or _check(raw, context)
        if isinstance(result, Problem):
            summary.reject(ref=raw.ref, row=raw.row, problem=result)
            continue
        key = (result.unit_id, result.indicator_id, result.period, result.kind)
        if key in clean:
            summary.reject(ref=raw.ref, row=raw.row, problem=Problem(
                "value", "the same unit, indicator, period and kind appear twice",
                "Trùng đơn vị, chỉ tiêu, kỳ và loại số liệu với một dòng trước", raw.row))  # fmt: skip
            continue
        clean[key] = result
    # In key order: concurrent writers of overlapping chunks insert their new keys in the same
    # order, so one waits for the other instead of each waiting for the other's key.
    return [clean[key] for key in sorted(clean)]


def _check(raw: RawValue, context: _Context) -> _Clean | Problem:
    indicator = context.indicators.get((raw.indicator or "").strip())
    if indicator is None:
        return Problem(
            "indicator",
            f"unknown indicator {raw.indicator!r}",
            f"Không có chỉ tiêu {raw.indicator!r}",
            raw.row,
        )
    try:
        period = parse_period(raw.period)
    except PeriodError as exc:
        return Problem("period", exc.message_en, exc.message_vi, raw.row)
    if raw.unit_id is not None:
        unit = context.units.by_id.get(raw.unit_id)
    else:
        day = period.end or context.today
        unit = context.units.on((raw.unit_code or "").strip(), day)
    if unit is None:
        ref = raw.unit_id if raw.unit_id is not None else raw.unit_code
        return Problem(
            "unit",
            f"no unit {ref!r} in force during {period.code or 'today'}",
            f"Không có đơn vị {ref!r} trong kỳ {period.label('vi')}",
            raw.row,
        )
    if context.grants is not None and not context.grants.covers(ENTER, unit):
        return Problem(
            "unit",
            f"{unit.name} is outside the units you may enter figures for",
            f"{unit.name} nằm ngoài các đơn vị bạn được nhập số liệu",
            raw.row,
        )
    refused = context.calendar.refusal(indicator_id=indicator.pk, unit=unit, period=period)
    if refused is not None:
        return refusal_problem(refused[0], refused[1], period, raw.row)
    checked, problems = check_value(
        unit=unit,
        indicator=indicator,
        period=period.code,
        kind=raw.kind,
        value=raw.value,  # type: ignore[arg-type]
        comparator=raw.comparator,
        numerator=raw.numerator,
        denominator=raw.denominator,
        row=raw.row,
    )
    if problems:
        return problems[0]
    assert checked is not None
    return _Clean(
        unit.id,
        indicator.pk,
        indicator.code,
        period.code,
        period.type,
        period.start,
        period.end,
        checked.kind,
        checked.value,
        checked.comparator,
        checked.numerator,
        checked.denominator,
        raw.note or "",
        raw.row,
        raw.ref or (f"row {raw.row}" if raw.row else ""),
    )


NOTE_LENGTH = 2000
_LENGTHS = {"indicator": 64, "period": 16, "unit_code": 24, "kind": 8, "comparator": 8}


def _text_problem(raw: RawValue) -> Problem | None:
    """Control characters in any text of a value, or a text longer than its field holds: refused
    before anything is looked up (PostgreSQL cannot even compare a text holding NUL)."""
    for name, limit in _LENGTHS.items():
        text = getattr(raw, name)
        if text and (problem := text_problem(text, field=name, max_length=limit, row=raw.row)):
            return problem
    return text_problem(raw.note or "", field="note", max_length=NOTE_LENGTH, multiline=True, row=raw.row)


# Why a place is refused, by whether the import is synthetic.
_HELD = {
    False: ("a synthetic value holds this place; delete it first",
            "Vị trí này đang có dữ liệu mô phỏng; hãy xóa trước"),
    True: ("a real value holds this place; synthetic figures never replace real ones",
           "Vị trí này đang có số liệu thật; dữ liệu mô phỏng không được ghi đè"),
}  # fmt: skip


class _Chunk(NamedTuple):
    rows: list[_Clean]
    payload: Any  # what the writer stages: COPY text for PostgreSQL, rows for SQLite


def _staged(rows: list[_Clean]) -> list[tuple]:
    return [
        (seq, r.unit_id, r.indicator_id, r.period, r.period_type, bulk_sql.day(r.period_start),
         bulk_sql.day(r.period_end), r.kind, r.value, r.comparator, r.numerator, r.denominator, r.note, r.row)
        for seq, r in enumerate(rows)
    ]  # fmt: skip


def _write(chunk: _Chunk, context: _Context, summary: BulkSummary) -> None:
    """Write one chunk; only the writing thread touches `summary` (the pipeline's own)."""
    who = bulk_sql.Provenance(
        now=bulk_sql.moment(timezone.now()),
        user_id=context.user.pk if context.user is not None else None,
        source_type=context.source_type,
        source_file=context.source_file,
        api_client=context.api_client,
        synthetic=context.synthetic,
    )
    rows = chunk.rows
    outcome = context.writer.write(chunk.payload, who, count=len(rows))
    held_en, held_vi = _HELD[context.synthetic]
    for seq in outcome.refused_seqs:
        row = rows[seq]
        summary.reject(ref=row.ref, row=row.row, problem=Problem("value", held_en, held_vi))
    summary.created += len(outcome.created_ids)
    summary.updated += len(outcome.updated_ids)
    summary.unchanged += (
        len(rows) - len(outcome.created_ids) - len(outcome.updated_ids) - len(outcome.refused_seqs)
    )
    if outcome.created_ids or outcome.updated_ids:
        # Every staged row's (unit, period) may have moved a rule; the checks run once at the end.
        refused = set(outcome.refused_seqs)
        summary.pairs |= {(r.unit_id, r.period) for seq, r in enumerate(rows) if seq not in refused}
        summary.changed_ids.extend(outcome.created_ids)
        summary.changed_ids.extend(outcome.updated_ids)
