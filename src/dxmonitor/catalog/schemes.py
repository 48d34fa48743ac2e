"""Scoring schemes: loading their files as new versions, and finding a scheme and its versions.

A version is published when it is loaded and never changes afterwards. Loading the same files
again changes nothing; a scheme whose table changed gets a new version beside the old ones, so
that every score keeps the definition it was computed with.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Count, QuerySet

from dxmonitor.common.errors import DomainError, InvalidInput, NotFound, Problem
from dxmonitor.common.users import AnyUser

from .models import Indicator, SchemeComponent, SchemeGroup, SchemeVersion, ScoringScheme
from .scheme_file import DEFAULT_INDEX, SchemeDef, read_index


@dataclass
class SchemesReport:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)


def load_schemes(*, path: Path | None = None, user: AnyUser | None = None) -> SchemesReport:
    """Load every scheme of an index file, all or nothing; a changed table makes a new version."""
    path = Path(path) if path else DEFAULT_INDEX
    definitions, problems = read_index(path)
    if not problems:
        problems = _level_changes(definitions)
    if problems:
        raise InvalidInput(problems)
    report = SchemesReport()
    with transaction.atomic():
        for definition in definitions:
            _load_one(definition, path=path, user=user, report=report)
    return report


def _level_changes(definitions: list[SchemeDef]) -> list[Problem]:
    levels = dict(
        ScoringScheme.objects.filter(code__in=[d.code for d in definitions]).values_list("code", "level")
    )
    return [
        Problem(
            "level",
            f"scheme {d.code} scores units of level {levels[d.code]}; "
            f"a scheme for {d.level} needs a new code",
            f"Bộ chỉ số {d.code} chấm đơn vị cấp {levels[d.code]}; bộ chỉ số cho cấp {d.level} cần mã mới",
        )
        for d in definitions
        if d.code in levels and levels[d.code] != d.level
    ]


def _load_one(definition: SchemeDef, *, path: Path, user, report: SchemesReport) -> None:
    scheme = ScoringScheme.objects.select_for_update().filter(code=definition.code).first()
    if scheme is None:
        scheme = ScoringScheme.objects.create(
            code=definition.code,
            name_vi=definition.name_vi,
            name_en=definition.name_en,
            level=definition.level,
        )
    elif (scheme.name_vi, scheme.name_en) != (definition.name_vi, definition.name_en):
        # A scheme's name is not part of how it scores: renaming it needs no new version.
        scheme.name_vi, scheme.name_en = definition.name_vi, definition.name_en
        scheme.save(update_fields=["name_vi", "name_en", "updated_at"])
        report.renamed.append(scheme.code)
    latest = scheme.versions.order_by("-number").first()
    fingerprint = definition.fingerprint()
    if latest is not None and latest.fingerprint == fingerprint:
        report.unchanged.append(f"{scheme.code} v{latest.number}")
        return
    version = SchemeVersion.objects.create(
        scheme=scheme,
        number=(latest.number + 1) if latest else 1,
        basis=definition.basis,
        max_points=definition.max_points,
        fingerprint=fingerprint,
        source_file=f"{path.parent.name}/{definition.file}",
        published_by=user,
    )
    indicators = {i.code: i for i in Indicator.objects.all()}
    groups: dict[str, SchemeGroup] = {}
    for position, item in enumerate(definition.items, start=1):
        if item.is_group:
            groups[item.code] = SchemeGroup.objects.create(
                version=version,
                parent=groups.get(item.parent),
                code=item.code,
                name_vi=item.name_vi,
                name_en=item.name_en,
                max_points=item.max_points or 0,
                position=position,
            )
            continue
        SchemeComponent.objects.create(
            version=version,
            group=groups[item.parent],
            code=item.code,
            name_vi=item.name_vi,
            name_en=item.name_en,
            max_points=item.max_points or 0,
            rule=item.rule,
            indicator=indicators[item.indicator],
            denominator=indicators.get(item.denominator) if item.denominator else None,
            thresholds=item.thresholds,
            terms=item.terms,
            evidence=item.evidence,
            source=item.source,
            position=position,
        )
    (report.new_versions if latest else report.created).append(f"{scheme.code} v{version.number}")


# --- lookups --------------------------------------------------------------------------------


def schemes() -> QuerySet[ScoringScheme]:
    return ScoringScheme.objects.annotate(version_count=Count("versions")).order_by("code")


def require_scheme(code: str) -> ScoringScheme:
    scheme = ScoringScheme.objects.filter(code=(code or "").strip()[:40]).first()
    if scheme is None:
        raise NotFound(f"no scoring scheme {code}", f"Không có bộ chỉ số {code}", field="scheme")
    return scheme


def require_version(scheme: ScoringScheme, number: int | None = None) -> SchemeVersion:
    """A version of a scheme: the one asked for, or the latest."""
    versions = scheme.versions.order_by("-number")
    version = versions.filter(number=number).first() if number is not None else versions.first()
    if version is None:
        if number is None:
            raise DomainError(
                f"scheme {scheme.code} has no version yet; run `dxmonitor scores load`",
                f"Bộ chỉ số {scheme.code} chưa có phiên bản nào; hãy chạy `dxmonitor scores load`",
                field="version",
            )
        raise NotFound(
            f"scheme {scheme.code} has no version {number}",
            f"Bộ chỉ số {scheme.code} không có phiên bản {number}",
            field="version",
        )
    return version


@dataclass
class Tree:
    """A version's groups and components in file order, with each group's children."""

    version: SchemeVersion
    groups: list[SchemeGroup]
    components: list[SchemeComponent]

    @property
    def top(self) -> list[SchemeGroup]:
        return [g for g in self.groups if g.parent_id is None]

    def under(self, group: SchemeGroup) -> list[SchemeComponent]:
        """Every component under a group, however deep."""
        inside = {group.pk}
        for g in self.groups:  # file order: a parent always comes before its children
            if g.parent_id in inside:
                inside.add(g.pk)
        return [c for c in self.components if c.group_id in inside]


def tree_of(version: SchemeVersion) -> Tree:
    return Tree(
        version,
        list(version.groups.order_by("position")),
        list(version.components.select_related("indicator", "denominator").order_by("position")),
    )
