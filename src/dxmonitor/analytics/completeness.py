"""Completeness and timeliness of a data set: reports expected, submitted, and on time.

A report is expected from every commune in force during the period (for a village-level data
set, from every commune with villages); it is on time when it was submitted by the deadline.
Counts roll up: a province's row adds up its communes, a district's its communes; drilling
down lists the children of the unit asked for.
"""

from dataclasses import dataclass

from dxmonitor.collection.models import DataSet
from dxmonitor.collection.periods import Period
from dxmonitor.geo.models import Level, Unit

from .store import store


@dataclass
class Reporting:
    unit_id: int
    name: str
    code: str
    expected: int
    submitted: int
    on_time: int

    @property
    def late(self) -> int:
        return self.submitted - self.on_time

    @property
    def share(self) -> float | None:
        return self.submitted / self.expected if self.expected else None

    def as_dict(self) -> dict:
        return {
            "unit_id": self.unit_id,
            "name": self.name,
            "code": self.code,
            "expected": self.expected,
            "submitted": self.submitted,
            "on_time": self.on_time,
            "late": self.late,
            "share": self.share,
        }


def completeness(
    *, dataset: DataSet, within: Unit | None, period: Period
) -> tuple[Reporting, list[Reporting]]:
    """The total for `within` (None: the whole country) and a row per child of it, or the
    commune's own row when it is a commune."""
    assert period.start and period.end
    if within is not None and within.level == Level.COMMUNE:
        return _commune(dataset=dataset, commune=within, period=period)
    # The country's children are the provinces: their parent is NULL, which `=` never matches.
    children_of = "k.parent_id = $parent" if within is not None else "k.parent_id IS NULL"
    with store() as cursor:
        rows = cursor.execute(
            f"""
            WITH reporters AS (
                SELECT c.id, c.path FROM units c
                WHERE c.level = 'commune' AND starts_with(c.path, $path)
                  AND (c.valid_from IS NULL OR c.valid_from <= $last)
                  AND (c.valid_to IS NULL OR c.valid_to >= $first)
                  AND (NOT $villages OR EXISTS (
                      SELECT 1 FROM units v WHERE v.parent_id = c.id AND v.level = 'village'))
            ),
            sent AS (
                SELECT unit_id, bool_or(NOT is_late) AS on_time FROM reports
                WHERE dataset_id = $dataset AND period = $period AND status NOT IN ('draft', 'returned')
                GROUP BY unit_id
            )
            SELECT k.id, any_value(k.name), any_value(k.code), count(*)::INTEGER,
                   count(s.unit_id)::INTEGER, count(*) FILTER (WHERE s.on_time)::INTEGER
            FROM reporters r
            JOIN units k ON {children_of} AND starts_with(r.path, k.path)
            LEFT JOIN sent s ON s.unit_id = r.id
            GROUP BY k.id ORDER BY any_value(k.code)
            """,
            {
                "path": within.path if within is not None else "",
                "last": period.end,
                "first": period.start,
                "villages": dataset.level == Level.VILLAGE,
                "dataset": dataset.pk,
                "period": period.code,
                **({"parent": within.pk} if within is not None else {}),
            },
        ).fetchall()
    children = [Reporting(*row) for row in rows]
    total = Reporting(
        within.pk if within is not None else 0,
        within.name if within is not None else "",
        within.code if within is not None else "",
        sum(c.expected for c in children),
        sum(c.submitted for c in children),
        sum(c.on_time for c in children),
    )
    return total, children


def _commune(*, dataset: DataSet, commune: Unit, period: Period) -> tuple[Reporting, list[Reporting]]:
    with store() as cursor:
        submitted, on_time = cursor.execute(
            """
            SELECT count(*) > 0, bool_or(NOT is_late) FROM reports
            WHERE dataset_id = ? AND unit_id = ? AND period = ? AND status NOT IN ('draft', 'returned')
            """,
            [dataset.pk, commune.pk, period.code],
        ).fetchone()
    return Reporting(commune.pk, commune.name, commune.code, 1, int(submitted), int(bool(on_time))), []
