"""Province shapes for the country map: which shapes of the vendored file draw a province.

The file (static/dashboard/geo/provinces-legacy.geojson, Natural Earth's public-domain line work,
see ATTRIBUTION.txt there) holds the 63 provinces in force until 30/06/2025, keyed by their GSO
code. A province formed on 01/07/2025 is drawn as the provinces it was formed from, found
through the succession links: there is no geometry library to dissolve their common borders,
so those stay visible inside it. Communes and villages have no shapes: their maps keep the
proportional symbols.
"""

import json
from functools import lru_cache
from pathlib import Path

from django.templatetags.static import static

from dxmonitor.geo.models import REORGANISATION_DATE, Level, Succession, Unit

SHAPES_FILE = "dashboard/geo/provinces-legacy.geojson"
_PATH = Path(__file__).parent / "static" / SHAPES_FILE


@lru_cache(maxsize=1)
def shape_keys() -> frozenset[str]:
    """The keys (GSO codes of the provinces before 2025) the shapes file holds."""
    with _PATH.open(encoding="utf-8") as handle:
        return frozenset(str(feature["id"]) for feature in json.load(handle)["features"])


def shapes_url() -> str:
    return static(SHAPES_FILE)


def _has_own_shape(unit: Unit) -> bool:
    # Its own code names its shape only if the unit was in force before the reorganisation:
    # codes were reused for other territory on 01/07/2025 (15 was Yên Bái, now Lào Cai).
    return unit.valid_from is None or unit.valid_from < REORGANISATION_DATE


def shapes_of(units: list[Unit]) -> dict[int, list[str]]:
    """For each province, the keys of the shapes that draw it (empty when it has none): its own,
    or those of the provinces it was formed from, across as many reorganisations as recorded."""
    known = shape_keys()
    formed_from: dict[int, list[Unit]] = {}
    if any(u.level == Level.PROVINCE and not _has_own_shape(u) for u in units):
        # Every link between provinces at once: a few dozen rows per reorganisation.
        links = Succession.objects.filter(
            successor__level=Level.PROVINCE, predecessor__level=Level.PROVINCE
        ).select_related("predecessor")
        for link in links:
            formed_from.setdefault(link.successor_id, []).append(link.predecessor)

    def walk(unit: Unit, seen: set[int]) -> set[str]:
        if _has_own_shape(unit):
            return {unit.code} & known
        seen.add(unit.pk)
        found: set[str] = set()
        for before in formed_from.get(unit.pk, []):
            if before.pk not in seen:
                found |= walk(before, seen)
        return found

    return {u.pk: sorted(walk(u, set())) if u.level == Level.PROVINCE else [] for u in units}
