"""What the home page (and its JSON twin) says the system holds."""

from dataclasses import dataclass

from django.utils import timezone

from dxmonitor.analytics.answers import value_counts
from dxmonitor.catalog.models import Indicator
from dxmonitor.collection import queries as value_queries
from dxmonitor.collection.models import Document, Value
from dxmonitor.geo.models import LEGACY_LAST_DAY, REORGANISATION_DATE, Level, Succession
from dxmonitor.geo.queries import count_by_level, filter_units


def summary(*, latest: int = 12, viewer=value_queries.SYSTEM) -> dict:
    today = max(timezone.localdate(), REORGANISATION_DATE)
    return {
        "structures": [
            {
                "key": "legacy",
                "as_of": LEGACY_LAST_DAY,
                "counts": count_by_level(as_of=LEGACY_LAST_DAY),
            },
            {"key": "2025", "as_of": today, "counts": count_by_level(as_of=today)},
        ],
        "successions": Succession.objects.count(),
        "indicators": Indicator.objects.filter(is_active=True).count(),
        "values": {**value_counts(), "documents": Document.objects.count()},
        "latest": list(value_queries.latest_real_values(limit=latest, viewer=viewer)),
        "documents": list(value_queries.documents()[:10]),
        "provinces": list(filter_units(level=Level.PROVINCE, as_of=today)),
    }


@dataclass
class Segment:
    text: str
    values: list[Value]
    start: int = 0

    @property
    def inner_anchors(self) -> list[int]:
        """Starts of quotes merged into this stretch, so that links to them still land here."""
        return sorted({v.evidence_start for v in self.values if v.evidence_start != self.start})


def evidence_segments(text: str, values: list[Value]) -> list[Segment]:
    """Cut a document into plain stretches and quoted stretches, each quote with the values it supports."""
    spans: dict[tuple[int, int], list[Value]] = {}
    for value in values:
        start, end = value.evidence_start, value.evidence_end
        if start is not None and end is not None and 0 <= start < end <= len(text):
            spans.setdefault((start, end), []).append(value)
    # Overlapping quotes ("12/12 xã … cộng đồng" and "cộng đồng tại 72/120 …") become one
    # highlighted stretch carrying the values of both.
    merged: list[tuple[int, int, list[Value]]] = []
    for (start, end), supported in sorted(spans.items()):
        if merged and start < merged[-1][1]:
            last_start, last_end, last_values = merged[-1]
            merged[-1] = (last_start, max(last_end, end), last_values + supported)
        else:
            merged.append((start, end, list(supported)))
    segments: list[Segment] = []
    cursor = 0
    for start, end, supported in merged:
        if start > cursor:
            segments.append(Segment(text[cursor:start], [], cursor))
        segments.append(Segment(text[start:end], supported, start))
        for value in supported:
            value.anchor = start  # type: ignore[attr-defined]  # where the page links the value to
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:], [], cursor))
    return segments
