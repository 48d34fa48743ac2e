"""Every change to the catalogue goes through these functions; each owns its transaction."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from dxmonitor.common.errors import DomainError, InvalidInput, NotFound, Problem
from dxmonitor.common.users import AnyUser

from .catalog_file import DEFAULT_CATALOG, DEFAULT_GROUPS, parse_catalog, parse_groups
from .models import Indicator, IndicatorChange, IndicatorGroup, Target
from .schemas import IndicatorIn, IndicatorPatch, TargetIn, check_indicator

# Fields a catalogue file has no column for: only people change them.
_NOT_IN_FILE = {"definition", "is_active"}
_NULLABLE = {"denominator_indicator"}
_PLAIN_FIELDS = (
    "name_vi",
    "name_en",
    "measure_unit",
    "kind",
    "numerator_label",
    "denominator_label",
    "aggregation",
    "period_aggregation",
    "direction",
    "phrasings",
    "definition",
    "is_active",
)


@dataclass
class CatalogReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unchanged: int = 0
    groups_created: int = 0


def load_catalog(
    *,
    path: Path | None = None,
    groups_path: Path | None = None,
    user: AnyUser | None = None,
    overwrite: bool = False,
) -> CatalogReport:
    """Create or update every indicator in a catalogue file; all or nothing.

    Indicators the file does not mention are left alone: administrators may have added them.
    Indicators an administrator has edited are kept as edited unless `overwrite` is set, and
    fields the file has no column for (definition, in use) are never touched.
    """
    path = Path(path) if path else DEFAULT_CATALOG
    if not path.is_file():
        raise DomainError(f"catalogue file not found: {path}", f"Không tìm thấy tệp danh mục: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DomainError(
            f"catalogue file {path} is not UTF-8: {exc}",
            f"Tệp danh mục {path} không phải UTF-8: {exc}",
        ) from exc
    definitions, problems = parse_catalog(text)
    group_rows = parse_groups(Path(groups_path or DEFAULT_GROUPS).read_text(encoding="utf-8"))
    known_groups = {row["code"] for row in group_rows}
    seen: set[str] = set()
    for number, definition in enumerate(definitions, start=2):
        problems.extend(check_indicator(definition, row=number))
        if definition.group not in known_groups:
            problems.append(
                Problem(
                    "pillar",
                    f"unknown group {definition.group!r}",
                    f"Nhóm chỉ tiêu {definition.group!r} không tồn tại",
                    number,
                )
            )
        if definition.code in seen:
            problems.append(
                Problem(
                    "code",
                    f"code {definition.code} appears twice",
                    f"Mã {definition.code} bị lặp",
                    number,
                )
            )
        seen.add(definition.code)
    if problems:
        raise InvalidInput(problems)
    report = CatalogReport()
    with transaction.atomic():
        for row in group_rows:
            _, created = IndicatorGroup.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_vi": row["name_vi"],
                    "name_en": row["name_en"],
                    "position": int(row.get("position") or 0),
                },
            )
            report.groups_created += int(created)
        # Denominators point at other indicators: create them all before linking.
        for definition in definitions:
            indicator = Indicator.objects.filter(code=definition.code).first()
            if indicator is None:
                _create(definition, user=user, channel="catalog load", link=False)
                report.created.append(definition.code)
        edited = set(
            IndicatorChange.objects.exclude(channel="catalog load").values_list("indicator__code", flat=True)
        )
        for definition in definitions:
            indicator = Indicator.objects.get(code=definition.code)
            fresh = definition.code in report.created
            if definition.code in edited and not overwrite and not fresh:
                # An administrator changed it here: the shipped file does not undo that.
                report.kept.append(definition.code)
                continue
            changes = _apply(
                indicator,
                definition.model_dump(exclude={"code", *_NOT_IN_FILE}),
                user=user,
                channel="catalog load",
                record=not fresh,
            )
            if fresh:
                continue
            if changes:
                report.updated.append(definition.code)
            else:
                report.unchanged += 1
    return report


def create_indicator(*, data: IndicatorIn, user: AnyUser | None = None, channel: str = "form") -> Indicator:
    problems = check_indicator(data)
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        if Indicator.objects.filter(code=data.code).exists():
            raise DomainError(
                f"indicator {data.code} already exists",
                f"Chỉ tiêu {data.code} đã tồn tại",
                field="code",
            )
        return _create(data, user=user, channel=channel, link=True)


def update_indicator(
    *, code: str, data: IndicatorPatch, user: AnyUser | None = None, channel: str = "form"
) -> Indicator:
    with transaction.atomic():
        indicator = Indicator.objects.select_for_update().filter(code=code).first()
        if indicator is None:
            raise NotFound(f"unknown indicator {code}", f"Không có chỉ tiêu {code}", field="code")
        given = data.model_dump(exclude_unset=True)
        empty = [name for name, value in given.items() if value is None and name not in _NULLABLE]
        if empty:
            raise InvalidInput(
                [
                    Problem(name, f"{name} cannot be null", f"Trường {name} không được để trống")
                    for name in empty
                ]
            )
        current = _as_input(indicator)
        merged = IndicatorIn(**{**current.model_dump(), **given})
        problems = check_indicator(merged)
        if problems:
            raise InvalidInput(problems)
        _apply(indicator, given, user=user, channel=channel, record=True)
        return indicator


def _as_input(indicator: Indicator) -> IndicatorIn:
    return IndicatorIn(
        code=indicator.code,
        group=indicator.group.code,
        **{f: getattr(indicator, f) for f in _PLAIN_FIELDS},
        denominator_indicator=indicator.denominator_indicator.code
        if indicator.denominator_indicator
        else None,
        targets=[
            TargetIn(year=t.year, value=t.value, level=t.level, source=t.source)
            for t in indicator.targets.filter(scope_unit__isnull=True)
        ],
    )


def _group(code: str) -> IndicatorGroup:
    group = IndicatorGroup.objects.filter(code=code).first()
    if group is None:
        raise DomainError(
            f"unknown indicator group {code!r}",
            f"Nhóm chỉ tiêu {code!r} không tồn tại",
            field="group",
        )
    return group


def _denominator(code: str | None) -> Indicator | None:
    if not code:
        return None
    found = Indicator.objects.filter(code=code).first()
    if found is None:
        raise DomainError(
            f"denominator indicator {code} does not exist",
            f"Chỉ tiêu mẫu số {code} không tồn tại",
            field="denominator_indicator",
        )
    return found


def _create(data: IndicatorIn, *, user, channel: str, link: bool) -> Indicator:
    indicator = Indicator.objects.create(
        code=data.code,
        group=_group(data.group),
        denominator_indicator=_denominator(data.denominator_indicator) if link else None,
        **{f: getattr(data, f) for f in _PLAIN_FIELDS},
    )
    _replace_targets(indicator, data.targets)
    IndicatorChange.objects.create(
        indicator=indicator,
        changed_by=user,
        channel=channel,
        action="create",
        changes={"definition": data.model_dump(mode="json")},
    )
    return indicator


def _apply(indicator: Indicator, values: dict, *, user, channel: str, record: bool) -> dict:
    """Set the given fields; return {field: [old, new]} for those that changed."""
    changes: dict[str, list] = {}
    for name in _PLAIN_FIELDS:
        if name in values and values[name] is not None and getattr(indicator, name) != values[name]:
            changes[name] = [getattr(indicator, name), values[name]]
            setattr(indicator, name, values[name])
    if values.get("group") and values["group"] != indicator.group.code:
        changes["group"] = [indicator.group.code, values["group"]]
        indicator.group = _group(values["group"])
    if "denominator_indicator" in values:
        old = indicator.denominator_indicator.code if indicator.denominator_indicator else None
        if old != values["denominator_indicator"]:
            changes["denominator_indicator"] = [old, values["denominator_indicator"]]
            indicator.denominator_indicator = _denominator(values["denominator_indicator"])
    if values.get("targets") is not None:
        wanted = [TargetIn(**t) if isinstance(t, dict) else t for t in values["targets"]]
        old_targets = _target_tuples(indicator)
        new_targets = sorted((t.year, t.level, t.value, t.source) for t in wanted)
        if old_targets != new_targets:
            changes["targets"] = [old_targets, new_targets]
            _replace_targets(indicator, wanted)
    if changes:
        indicator.save()
        if record:
            IndicatorChange.objects.create(
                indicator=indicator,
                changed_by=user,
                channel=channel,
                action="update",
                changes={k: [_jsonable(v[0]), _jsonable(v[1])] for k, v in changes.items()},
            )
    return changes


def _target_tuples(indicator: Indicator) -> list[tuple]:
    return sorted(
        (t.year, t.level, t.value, t.source) for t in indicator.targets.filter(scope_unit__isnull=True)
    )


def _replace_targets(indicator: Indicator, targets: list[TargetIn]) -> None:
    indicator.targets.filter(scope_unit__isnull=True).delete()
    Target.objects.bulk_create(
        Target(indicator=indicator, year=t.year, value=t.value, level=t.level, source=t.source)
        for t in targets
    )


def _jsonable(value):
    if isinstance(value, list):
        return [list(v) if isinstance(v, tuple) else v for v in value]
    return value
