"""Read-side questions about administrative units. One filter definition serves the HTML
pages, the API and exports."""

import datetime

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from dxmonitor.common.errors import NotFound
from dxmonitor.common.text import fold, strip_level_words

from .models import LEVEL_ORDER, Level, Succession, Unit, UnitType

# Which unit types a leading level word in a query points at.
_TYPES_OF_WORD: dict[str, set[str]] = {
    "tinh": {UnitType.TINH},
    "thanh pho truc thuoc trung uong": {UnitType.THANH_PHO_TW},
    "thanh pho": {UnitType.THANH_PHO_TW, UnitType.THANH_PHO},
    "tp": {UnitType.THANH_PHO_TW, UnitType.THANH_PHO},
    "huyen": {UnitType.HUYEN},
    "quan": {UnitType.QUAN},
    "thi xa": {UnitType.THI_XA},
    "tx": {UnitType.THI_XA},
    "xa": {UnitType.XA},
    "phuong": {UnitType.PHUONG},
    "thi tran": {UnitType.THI_TRAN},
    "tt": {UnitType.THI_TRAN},
    "dac khu": {UnitType.DAC_KHU},
    "thon": {UnitType.THON},
    "ban": {UnitType.BAN},
    "to dan pho": {UnitType.TO_DAN_PHO},
    "khu pho": {UnitType.KHU_PHO},
    "xom": {UnitType.XOM},
    "ap": {UnitType.AP},
    "buon": {UnitType.BUON},
    "lang": {UnitType.LANG},
}


def get_unit(unit_id: int) -> Unit | None:
    if not 0 < unit_id < 2**63:
        return None
    return Unit.objects.select_related("parent").filter(pk=unit_id).first()


def valid_during(start: datetime.date, end: datetime.date) -> Q:
    """Units in force on at least one day from start to end: `geo.models.in_force` in SQL."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=end)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )


def valid_on(day: datetime.date) -> Q:
    return valid_during(day, day)


def level_rank() -> Case:
    return Case(
        *(When(level=level, then=Value(rank)) for level, rank in LEVEL_ORDER.items()),
        default=Value(9),
        output_field=IntegerField(),
    )


def filter_units(
    *,
    level: str | None = None,
    as_of: datetime.date | None = None,
    parent: Unit | None = None,
    code: str | None = None,
    unit_type: str | None = None,
    q: str | None = None,
) -> QuerySet[Unit]:
    units = Unit.objects.all()
    if level:
        units = units.filter(level=level)
    if as_of:
        units = units.filter(valid_on(as_of))
    if parent is not None:
        units = units.filter(parent=parent)
    if code:
        units = units.filter(code=code)
    if unit_type:
        units = units.filter(unit_type=unit_type)
    if q:
        units = _match(units, q)
    # GSO code order is the order of every official table (01 Hà Nội first).
    return units.order_by(level_rank(), "code", "valid_from")


MAX_QUERY_LENGTH = 120
MAX_TOKENS = 8


def _tokens(text: str) -> list[str]:
    """Distinct words of a query, at most a few: a name has few words; a page of text is not a name."""
    return list(dict.fromkeys(text.split()))[:MAX_TOKENS]


def _match(units: QuerySet[Unit], q: str) -> QuerySet[Unit]:
    stripped, _ = strip_level_words(fold(q[:MAX_QUERY_LENGTH]))
    for token in _tokens(stripped):
        units = units.filter(search_text__contains=token)
    return units


def search_units(
    *,
    q: str,
    as_of: datetime.date | None = None,
    level: str | None = None,
    limit: int = 20,
) -> list[Unit]:
    """Units whose names match `q`, best first, tolerating missing diacritics and level words.

    "tua chua" and "huyen Tua Chua" both put huyện Tủa Chùa first: an exact name beats a
    prefix, which beats a mention; a level word in the query promotes units of that type;
    a larger unit comes before a smaller one of the same name; units in force come first.
    """
    folded = " ".join(_tokens(fold(q[:MAX_QUERY_LENGTH])))
    stripped, word = strip_level_words(folded)
    if not stripped:
        return []
    units = _match(Unit.objects.all(), q)
    if level:
        units = units.filter(level=level)
    if as_of:
        units = units.filter(valid_on(as_of))
    # "ban lang" is first the name Bản Lang, and only then "lang" after the level word "bản".
    match_rank = Case(
        When(search_key=folded, then=Value(0)),
        When(search_key=stripped, then=Value(1)),
        When(search_key__startswith=stripped, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    wanted_types = _TYPES_OF_WORD.get(word or "", set())
    type_rank = Case(
        When(unit_type__in=wanted_types, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    current_rank = Case(
        When(valid_to__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    units = units.annotate(
        match_rank=match_rank,
        type_rank=type_rank,
        level_rank=level_rank(),
        current_rank=current_rank,
    ).order_by("match_rank", "type_rank", "level_rank", "current_rank", "name")
    return list(units.select_related("parent")[: max(1, min(limit, 100))])


def ancestors(unit: Unit) -> list[Unit]:
    """From the root (province) down to the unit's parent."""
    ids = unit.ancestor_ids()
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


def descendants(unit: Unit, *, level: str | None = None) -> QuerySet[Unit]:
    units = Unit.objects.filter(path__startswith=unit.path).exclude(pk=unit.pk)
    if level:
        units = units.filter(level=level)
    return units


def subtree(unit: Unit) -> QuerySet[Unit]:
    """The unit and all its descendants."""
    return Unit.objects.filter(path__startswith=unit.path)


def children(unit: Unit) -> QuerySet[Unit]:
    return unit.children.order_by(level_rank(), "code")


def successors(unit: Unit) -> QuerySet[Succession]:
    return unit.successions_out.select_related("successor__parent").order_by("-weight")


def predecessors(unit: Unit) -> QuerySet[Succession]:
    return unit.successions_in.select_related("predecessor__parent").order_by("predecessor__name")


def resolve_unit(
    *,
    name: str,
    level: str | None = None,
    province: str | None = None,
    as_of: datetime.date | None = None,
) -> Unit | None:
    """The one unit a place name refers to, or None when there is none or it is ambiguous.

    Used to place facts named in narrative text ("huyện Tủa Chùa", province "Điện Biên").
    """
    hits = search_units(q=name, as_of=as_of, level=level, limit=50)
    folded_name = strip_level_words(fold(name))[0]
    exact = [u for u in hits if u.search_key == folded_name or u.search_key == fold(name)]
    if province:
        wanted = strip_level_words(fold(province))[0]
        exact = [u for u in exact if _province_key(u) == wanted]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        # "Tủa Chùa" is both a district and the township that is its seat: prefer the level
        # word the text used, then the larger unit.
        _, word = strip_level_words(fold(name))
        typed = [u for u in exact if u.unit_type in _TYPES_OF_WORD.get(word or "", set())]
        if len(typed) == 1:
            return typed[0]
    return None


def _province_key(unit: Unit) -> str:
    if unit.level == Level.PROVINCE:
        return unit.search_key
    root_id = unit.ancestor_ids()[0] if unit.ancestor_ids() else None
    if root_id is None:
        return unit.search_key
    root = Unit.objects.filter(pk=root_id).values_list("search_key", flat=True).first()
    return root or ""


def unit_for_code(*, code: str, on: datetime.date | None) -> Unit:
    """The unit a GSO code means on a day: 03217 is thị trấn Tủa Chùa in 2024 and xã Tủa Chùa
    from 01/07/2025. Callers pass the end of the period the figure is for; None means today."""
    day = on or timezone.localdate()
    units = list(Unit.objects.filter(valid_on(day), code=code[:24])[:2])
    if len(units) != 1:
        raise NotFound(
            f"no unit with code {code} in force on {day}",
            f"Không có đơn vị mã {code} tại thời điểm {day:%d/%m/%Y}",
            field="unit_code",
        )
    return units[0]


def province_of(unit: Unit) -> Unit:
    ids = unit.ancestor_ids()
    return Unit.objects.get(pk=ids[0]) if ids else unit


def count_by_level(*, as_of: datetime.date) -> dict[str, int]:
    counts = dict.fromkeys(Level.values, 0)
    rows = Unit.objects.filter(valid_on(as_of)).values("level").annotate(n=Count("id")).order_by()
    counts.update({row["level"]: row["n"] for row in rows})
    return counts
