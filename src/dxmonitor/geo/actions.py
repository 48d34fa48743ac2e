"""Every change to administrative units goes through these functions; each owns its transaction."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from dxmonitor.common.errors import DomainError, InvalidInput, Problem
from dxmonitor.common.hygiene import text_problem
from dxmonitor.common.numbers import NumberFormatError, parse_number
from dxmonitor.common.text import fold

from .models import LEVEL_OF_TYPE, NAME_PREFIX, Level, Succession, Unit
from .queries import valid_on
from .sources import LEGAL_BASIS, UnitRecord, read_source

Progress = Callable[[str], None]

_UNIT_FIELDS = (
    "name",
    "short_name",
    "unit_type",
    "parent_id",
    "valid_to",
    "latitude",
    "longitude",
    "area_km2",
    "search_key",
    "search_text",
    "source",
)


class UnitError(DomainError):
    """A unit change that cannot be made."""


@dataclass
class LoadReport:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    successions_removed: int = 0
    by_level: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.successions_created
            or self.successions_updated
            or self.successions_removed
        )


def load_units(*, source_dir: Path | None = None, progress: Progress | None = None) -> LoadReport:
    """Load both administrative structures and their succession links; idempotent.

    The source is read and checked whole before the first write, and the writes share one
    transaction, so a bad source leaves the database as it was.
    """
    say = progress or (lambda _msg: None)
    say("reading source")
    source = read_source(source_dir)
    report = LoadReport(source=source.label)
    by_key = {r.key: r for r in source.units}
    with transaction.atomic():
        existing = {(u.level, u.code, u.valid_from): u for u in Unit.objects.exclude(level=Level.VILLAGE)}
        saved: dict[str, Unit] = {}
        for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
            records = [r for r in source.units if r.level == level]
            say(f"{level}: {len(records)}")
            _upsert_level(records, by_key, saved, existing, report, source.label)
            report.by_level[level] = len(records)
        say("succession links")
        _upsert_successions(source.successions, saved, report, source.label)
    return report


def _ancestor_names(record: UnitRecord, by_key: dict[str, UnitRecord]) -> list[str]:
    names = []
    parent_key = record.parent_key
    while parent_key:
        parent = by_key[parent_key]
        names.append(parent.short_name)
        parent_key = parent.parent_key
    return names


def _search_fields(name: str, short_name: str, aliases: list[str], ancestors: list[str]) -> tuple[str, str]:
    search_key = fold(short_name)
    text = " ".join([fold(name), *aliases, *(fold(a) for a in ancestors)])
    return search_key, text[:500]


def _upsert_level(
    records: list[UnitRecord],
    by_key: dict[str, UnitRecord],
    saved: dict[str, Unit],
    existing: dict[tuple, Unit],
    report: LoadReport,
    source_label: str,
) -> None:
    to_create: list[Unit] = []
    to_update: list[Unit] = []
    for record in records:
        parent = saved[record.parent_key] if record.parent_key else None
        search_key, search_text = _search_fields(
            record.name, record.short_name, record.aliases, _ancestor_names(record, by_key)
        )
        wanted = {
            "name": record.name,
            "short_name": record.short_name,
            "unit_type": record.unit_type,
            "parent_id": parent.pk if parent else None,
            "valid_to": record.valid_to,
            "latitude": record.latitude,
            "longitude": record.longitude,
            "area_km2": record.area_km2,
            "search_key": search_key,
            "search_text": search_text,
            "source": source_label,
        }
        unit = existing.get((record.level, record.code, record.valid_from))
        if unit is None:
            unit = Unit(level=record.level, code=record.code, valid_from=record.valid_from, **wanted)
            unit.depth = (parent.depth + 1) if parent else 0
            to_create.append(unit)
        else:
            # The source label alone is not a change: the same data read from another folder.
            if any(getattr(unit, k) != v for k, v in wanted.items() if k != "source") or not unit.path:
                for k, v in wanted.items():
                    setattr(unit, k, v)
                to_update.append(unit)
            else:
                report.unchanged += 1
        saved[record.key] = unit
        unit._parent_cache = parent  # type: ignore[attr-defined]
    Unit.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        for unit in to_update:
            parent = unit._parent_cache  # type: ignore[attr-defined]
            unit.path = (parent.path if parent else "") + f"{unit.pk}/"
            unit.depth = (parent.depth + 1) if parent else 0
        Unit.objects.bulk_update(to_update, [*_UNIT_FIELDS, "path", "depth"], batch_size=500)
    if to_create:
        # One UPDATE per level computes the new units' paths from their parents' in SQL;
        # Python-side bulk updates of 10,000 rows cost half a minute.
        set_paths(level=records[0].level)
        paths = dict(Unit.objects.filter(pk__in=[u.pk for u in to_create]).values_list("pk", "path"))
        for unit in to_create:
            unit.path = paths[unit.pk]
    report.created += len(to_create)
    report.updated += len(to_update)


def set_paths(*, level: str) -> int:
    """Fill the empty paths of one level from the parents' paths: "<parent path><id>/"."""
    own = Cast("id", output_field=CharField())
    parent_path = Subquery(Unit.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
    rows = Unit.objects.filter(level=level, path="")
    roots = rows.filter(parent__isnull=True).update(path=Concat(own, Value("/")))
    children = rows.filter(parent__isnull=False).update(
        path=Concat(parent_path, own, Value("/"), output_field=CharField())
    )
    return roots + children


def _upsert_successions(records, saved: dict[str, Unit], report: LoadReport, source_label: str) -> None:
    effective_on = datetime.date(2025, 7, 1)
    existing = {(s.predecessor_id, s.successor_id): s for s in Succession.objects.all()}
    wanted_pairs = set()
    to_create, to_update = [], []
    for record in records:
        predecessor = saved[record.predecessor_key]
        successor = saved[record.successor_key]
        pair = (predecessor.pk, successor.pk)
        wanted_pairs.add(pair)
        values = {
            "weight": record.weight,
            "weight_method": record.weight_method,
            "is_primary": record.is_primary,
            "effective_on": effective_on,
            "legal_basis": LEGAL_BASIS,
            "source": source_label,
        }
        link = existing.get(pair)
        if link is None:
            to_create.append(Succession(predecessor=predecessor, successor=successor, **values))
        elif any(getattr(link, k) != v for k, v in values.items() if k != "source"):
            for k, v in values.items():
                setattr(link, k, v)
            to_update.append(link)
    Succession.objects.bulk_create(to_create, batch_size=2000)
    Succession.objects.bulk_update(
        to_update,
        ["weight", "weight_method", "is_primary", "effective_on", "legal_basis", "source"],
        batch_size=1000,
    )
    stale = [s.pk for pair, s in existing.items() if pair not in wanted_pairs]
    Succession.objects.filter(pk__in=stale).delete()
    report.successions_created = len(to_create)
    report.successions_updated = len(to_update)
    report.successions_removed = len(stale)


def add_village(
    *,
    commune: Unit,
    name: str,
    unit_type: str,
    code: str = "",
    valid_from: datetime.date | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    is_synthetic: bool = False,
    source: str = "user",
) -> Unit:
    """Add a village (thôn, bản, tổ dân phố …) under a commune.

    `name` may be given with or without its type word ("Bản Nà Khoang" or "Nà Khoang").
    Without a code the village gets the commune's code and the next free number.
    """
    if commune.level != Level.COMMUNE:
        raise UnitError(
            f"villages belong under a commune, not a {commune.level}",
            "Thôn, bản chỉ được thêm vào đơn vị cấp xã",
            field="commune",
        )
    if LEVEL_OF_TYPE.get(unit_type) != Level.VILLAGE:
        raise UnitError(
            f"unknown village type {unit_type!r}",
            f"Loại thôn, bản không hợp lệ: {unit_type!r}",
            field="unit_type",
        )
    short_name = _village_short_name(name or "", unit_type)
    if not short_name:
        raise UnitError("a village needs a name", "Cần nhập tên thôn, bản", field="name")
    problem = text_problem(short_name, field="name", max_length=VILLAGE_NAME_LENGTH)
    if problem is not None:
        raise UnitError(problem.message_en, problem.message_vi, field="name")
    with transaction.atomic():
        siblings = _Siblings(commune)
        return siblings.add(
            name=short_name,
            unit_type=unit_type,
            code=code,
            valid_from=valid_from or commune.valid_from,
            latitude=latitude,
            longitude=longitude,
            is_synthetic=is_synthetic,
            source=source,
        )


# Unit.short_name holds 160 characters; a village's name is kept well within it.
VILLAGE_NAME_LENGTH = 120


class _Siblings:
    """The villages of a commune, read once (and locked) so that adding many costs one query
    each, not a scan of all the others."""

    def __init__(self, commune: Unit) -> None:
        self.commune = commune
        found = list(Unit.objects.select_for_update().filter(parent=commune, level=Level.VILLAGE))
        self.names = {(fold(v.short_name), v.unit_type) for v in found}
        self.codes = {v.code for v in found}
        self.number = len(self.codes)
        self.ancestors = [
            a.short_name for a in [commune, *Unit.objects.filter(pk__in=commune.ancestor_ids())]
        ]

    def has(self, *, name: str, unit_type: str) -> bool:
        return (fold(name), unit_type) in self.names

    def add(
        self,
        *,
        name: str,
        unit_type: str,
        code: str,
        valid_from: datetime.date,
        latitude: float | None = None,
        longitude: float | None = None,
        is_synthetic: bool = False,
        source: str = "user",
    ) -> Unit:
        commune = self.commune
        prefix = NAME_PREFIX[unit_type]
        if self.has(name=name, unit_type=unit_type):
            raise UnitError(
                f"{prefix} {name} already exists in {commune.name}",
                f"{prefix} {name} đã có trong {commune.name}",
                field="name",
            )
        if not code:
            self.number += 1
            while f"{commune.code}-{self.number:03d}" in self.codes:
                self.number += 1
            code = f"{commune.code}-{self.number:03d}"
        elif (
            code in self.codes
            or Unit.objects.filter(level=Level.VILLAGE, code=code, valid_from=valid_from).exists()
        ):
            raise UnitError(
                f"village code {code} is already used", f"Mã thôn {code} đã được dùng", field="code"
            )
        full_name = f"{prefix} {name}"
        search_key, search_text = _search_fields(full_name, name, [], self.ancestors)
        village = Unit.objects.create(
            code=code,
            name=full_name,
            short_name=name,
            unit_type=unit_type,
            level=Level.VILLAGE,
            parent=commune,
            valid_from=valid_from,
            valid_to=commune.valid_to,
            latitude=latitude,
            longitude=longitude,
            depth=commune.depth + 1,
            search_key=search_key,
            search_text=search_text,
            source=source,
            is_synthetic=is_synthetic,
        )
        village.path = f"{commune.path}{village.pk}/"
        village.save(update_fields=["path"])
        self.names.add((fold(name), unit_type))
        self.codes.add(code)
        return village


@dataclass
class VillageImport:
    created: list[Unit] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False


VILLAGE_COLUMNS = ("commune_code", "name", "type")


def import_villages(
    *,
    rows: list[tuple[int, dict[str, str]]],
    on: datetime.date,
    dry_run: bool = False,
    source: str = "import",
) -> VillageImport:
    """Add the villages of a table (commune_code, name, type[, code, latitude, longitude]); all or nothing.

    A village already under its commune with the same name and type is left as it is, so the
    same file twice adds nothing. Every problem is reported with its line.
    """
    problems: list[Problem] = []
    if rows and (missing := [c for c in VILLAGE_COLUMNS if c not in rows[0][1]]):
        raise InvalidInput(
            [Problem("file", f"missing columns: {', '.join(missing)}", f"Thiếu cột: {', '.join(missing)}")]
        )
    communes = {
        u.code: u
        for u in Unit.objects.filter(
            valid_on(on), level=Level.COMMUNE, code__in={r["commune_code"] for _, r in rows}
        )
    }
    wanted: list[tuple[int, Unit, str, str, dict]] = []
    for number, row in rows:
        commune = communes.get(row["commune_code"])
        unit_type = village_type(row["type"])
        if commune is None:
            problems.append(
                Problem(
                    "commune_code",
                    f"no commune with code {row['commune_code']!r} on {on}",
                    f"Không có xã mã {row['commune_code']!r} tại ngày {on:%d/%m/%Y}",
                    number,
                )
            )
        if unit_type is None:
            problems.append(
                Problem(
                    "type",
                    f"unknown village type {row['type']!r}",
                    f"Loại thôn, bản không hợp lệ: {row['type']!r}",
                    number,
                )
            )
        if not row["name"].strip():
            problems.append(Problem("name", "a village needs a name", "Cần nhập tên thôn, bản", number))
        for column in ("name", "code", "commune_code", "type"):
            limit = VILLAGE_NAME_LENGTH if column == "name" else 24
            if problem := text_problem(row.get(column, ""), field=column, max_length=limit, row=number):
                problems.append(problem)
        extra = {}
        for column in ("latitude", "longitude"):
            raw = row.get(column, "")
            try:
                extra[column] = parse_number(raw) if raw else None
            except NumberFormatError:
                problems.append(
                    Problem(
                        column,
                        f"{column} {raw!r} is not a number",
                        f"{column} {raw!r} không phải là số",
                        number,
                    )
                )
        if commune is not None and unit_type is not None and row["name"].strip():
            wanted.append((number, commune, row["name"], unit_type, {**extra, "code": row.get("code", "")}))
    if problems:
        raise InvalidInput(problems)
    report = VillageImport(dry_run=dry_run)
    with transaction.atomic():
        siblings: dict[int, _Siblings] = {}
        for number, commune, name, unit_type, extra in wanted:
            villages = siblings.get(commune.pk) or siblings.setdefault(commune.pk, _Siblings(commune))
            short = _village_short_name(name, unit_type)
            if villages.has(name=short, unit_type=unit_type):
                report.unchanged += 1
                continue
            try:
                report.created.append(
                    villages.add(
                        name=short, unit_type=unit_type, valid_from=commune.valid_from, source=source, **extra
                    )
                )
            except UnitError as exc:
                raise InvalidInput([Problem(exc.field, exc.message_en, exc.message_vi, number)]) from exc
        if dry_run:
            transaction.set_rollback(True)
    return report


def village_type(text: str) -> str | None:
    """A village type from its code ("to_dan_pho") or its name as people write it ("Tổ dân phố")."""
    wanted = fold(text).replace("_", " ")
    for unit_type, level in LEVEL_OF_TYPE.items():
        if level == Level.VILLAGE and wanted in {
            fold(unit_type).replace("_", " "),
            fold(NAME_PREFIX[unit_type]),
        }:
            return unit_type
    return None


def _village_short_name(name: str, unit_type: str) -> str:
    prefix = NAME_PREFIX[unit_type]
    short = " ".join(name.split())
    if short.lower().startswith(prefix.lower() + " "):
        short = short[len(prefix) + 1 :].strip()
    return short
