"""How figures add up: from villages to communes, districts and provinces; months to quarters and years.

The rules, in one place, as SQL the store runs:

- A unit's own reported figure always wins over one computed for it ("reported"): tỉnh Lai
  Châu's own figure is not added to huyện Than Uyên's.
- Otherwise a figure comes from the unit's children at the same period ("children"): counts
  add up; rates are the ratio of the summed numerators to the summed denominators — a child
  that gave only a percentage is weighted by its own figure of the indicator's context
  denominator (CTX.HOUSEHOLDS for a household share), and a child with no weight is counted as
  unweighted, which makes the figure incomplete rather than silently averaged; indicators
  aggregated as "latest" or "none" are never added across units.
- Otherwise, for a quarter or a year, from the unit's own finer figures ("months", "quarters"):
  flows add up over the period, stocks are read at its end (the whole figure of the latest
  finer period: its value, comparator, numerator and denominator together).
- A bound carries through: a sum of "more than" figures is itself a lower bound.

Every figure keeps its method, how many parts went into it (children, months or quarters) and
how many were expected, so that an answer can say how complete it is.

At national scale a year holds some 46 million village-month facts, so nothing of that size is
copied: a depth's own figures are a view over the year's facts, only what is computed (figures
from children, quarters, years) is materialised, and the complete figures of a depth are a
view over those parts that the depth above reads once.
"""

from collections.abc import Callable

import duckdb

from .store import fact_table

# Key of a figure besides its unit.
KEY = "indicator_id, ptype, year, quarter, month, kind"
COLUMNS = (
    "unit_id, depth, indicator_id, ptype, year, quarter, month, kind, value, comparator, numerator, "
    "denominator, method, parts, expected, unweighted, synthetic"
)
_SAME_KEY = (
    "{a}.indicator_id = {b}.indicator_id AND {a}.ptype = {b}.ptype AND {a}.year = {b}.year "
    "AND {a}.quarter IS NOT DISTINCT FROM {b}.quarter AND {a}.month IS NOT DISTINCT FROM {b}.month "
    "AND {a}.kind = {b}.kind"
)
# Figures are written in this order within a year and depth, so that the row groups of a query's
# period type and indicators are found by their min/max statistics without reading the others.
FIGURE_ORDER = "ptype, indicator_id, unit_id, quarter, month"


def _indicator_filter(alias: str, indicators: str | None) -> str:
    return f"AND {alias}.indicator_id IN (SELECT id FROM {indicators})" if indicators else ""


def _exists(cursor: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchone()[0]
    )


def build_year(
    cursor: duckdb.DuckDBPyConnection,
    *,
    year: int,
    scope: str | None = None,
    indicators: str | None = None,
    say: Callable[[str], None] | None = None,
) -> int:
    """(Re)compute the figures of one year, bottom up; the number of figures written.

    `scope` names a table of unit ids to recompute (the subtrees of changed units and their
    ancestors); None recomputes every unit. `indicators` likewise limits the indicators.
    Village figures are computed on the way and not kept: a village's own figures are its facts.
    """
    facts = fact_table(year)
    has_facts = _exists(cursor, facts)
    depths = [
        d
        for (d,) in cursor.execute(
            "SELECT DISTINCT depth FROM units ORDER BY depth DESC"
            if not scope
            else f"SELECT DISTINCT depth FROM units WHERE id IN (SELECT id FROM {scope}) ORDER BY depth DESC"
        ).fetchall()
    ]
    written = 0
    children: str | None = None
    made: list[tuple[str, str]] = []
    for depth in depths:
        here = f"rollup_here_{depth}"
        cursor.execute(
            f"CREATE OR REPLACE TEMP TABLE {here} AS SELECT id, level <> 'village' AS keep FROM units "
            f"WHERE depth = {depth} {f'AND id IN (SELECT id FROM {scope})' if scope else ''}"
        )
        made.append(("TABLE", here))
        own = _own(cursor, facts=facts if has_facts else None, depth=depth, here=here, indicators=indicators)
        made.append(("TABLE" if indicators else "VIEW", own))
        spatial = None
        if children:
            spatial = _spatial(
                cursor, depth=depth, children=children, scope=scope, indicators=indicators, year=year
            )
            made.append(("TABLE", spatial))
        base = own
        if spatial:
            base = f"rollup_base_{depth}"
            cursor.execute(
                f"CREATE OR REPLACE TEMP VIEW {base} AS SELECT * FROM {own} UNION ALL "
                f"SELECT s.* FROM {spatial} s WHERE NOT EXISTS (SELECT 1 FROM {own} o "
                f"WHERE o.unit_id = s.unit_id AND {_SAME_KEY.format(a='o', b='s')})"
            )
            made.append(("VIEW", base))
        complete = _complete_in_time(cursor, base=base, depth=depth)
        made.extend(("TABLE" if n.startswith("rollup_t") else "VIEW", n) for n in complete[1:])
        keep = cursor.execute(f"SELECT count(*) FROM {here} WHERE keep").fetchone()[0]
        if keep:
            cursor.execute(
                f"DELETE FROM figures WHERE year = {year} AND depth = {depth} "
                f"AND unit_id IN (SELECT id FROM {here} WHERE keep) "
                f"{_indicator_filter('figures', indicators)}"
            )
            written += cursor.execute(
                f"INSERT INTO figures SELECT {COLUMNS} FROM {complete[0]} c "
                f"WHERE c.unit_id IN (SELECT id FROM {here} WHERE keep) ORDER BY {FIGURE_ORDER}"
            ).fetchone()[0]
        children = complete[0]
        if say:
            level = cursor.execute(f"SELECT any_value(level) FROM units WHERE depth = {depth}").fetchone()[0]
            say(f"{year}: {level} figures computed")
    # Views first: they depend on the tables.
    for kind, name in sorted(set(made), key=lambda item: item[0] == "TABLE"):
        cursor.execute(f"DROP {kind} IF EXISTS {name}")
    return written


def _own(
    cursor: duckdb.DuckDBPyConnection, *, facts: str | None, depth: int, here: str, indicators: str | None
) -> str:
    """The units' own reported figures: a view over the facts, or — when only some indicators
    are recomputed, a few rows — a table of them."""
    name = f"rollup_own_{depth}"
    source = (
        f"SELECT f.unit_id, {depth} AS depth, f.indicator_id, f.ptype, f.year, f.quarter, f.month, f.kind, "
        "f.value, f.comparator, f.numerator, f.denominator, 'reported' AS method, NULL::INTEGER AS parts, "
        "NULL::INTEGER AS expected, 0 AS unweighted, f.synthetic "
        f"FROM {facts} f WHERE f.unit_id IN (SELECT id FROM {here}) {_indicator_filter('f', indicators)}"
        if facts
        else f"SELECT {COLUMNS} FROM figures WHERE false"
    )
    kind = "TABLE" if indicators else "VIEW"
    cursor.execute(f"CREATE OR REPLACE TEMP {kind} {name} AS {source}")
    return name


def _spatial(
    cursor: duckdb.DuckDBPyConnection,
    *,
    depth: int,
    children: str,
    scope: str | None,
    indicators: str | None,
    year: int,
) -> str:
    """Figures of the units at `depth` from their children's figures at the same period."""
    name = f"rollup_spatial_{depth}"
    # Children recomputed just now, and — when only some units are recomputed — the stored
    # figures of their untouched siblings.
    siblings = ""
    if scope:
        siblings = (
            f"UNION ALL SELECT g.* FROM figures g JOIN units cu ON cu.id = g.unit_id "
            f"WHERE g.year = {year} AND g.depth = {depth + 1} AND cu.parent_id IN (SELECT id FROM {scope}) "
            f"AND g.unit_id NOT IN (SELECT unit_id FROM {children}) {_indicator_filter('g', indicators)}"
        )
    parent_scope = f"AND u.parent_id IN (SELECT id FROM {scope})" if scope else ""
    joined = (
        "FROM kids k JOIN units u ON u.id = k.unit_id JOIN indicators i ON i.id = k.indicator_id "
        f"WHERE u.parent_id IS NOT NULL {parent_scope}"
    )
    key = "k.indicator_id, k.ptype, k.year, k.quarter, k.month, k.kind"
    # Each child has one figure per key, so counting rows counts children.
    cursor.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {name} AS
        WITH kids AS (SELECT {COLUMNS} FROM {children} {siblings}),
        ratio_parts AS (
            -- What a child adds to a ratio: its own numerator and denominator, or its
            -- percentage weighted by its figure of the context denominator.
            SELECT u.parent_id AS parent, {key}, k.comparator, k.synthetic, k.numerator AS num,
                   k.denominator AS den
            {joined} AND i.aggregation = 'ratio_of_sums' AND k.denominator IS NOT NULL
            UNION ALL
            SELECT u.parent_id AS parent, {key}, k.comparator, k.synthetic,
                   CASE WHEN w.value IS NOT NULL AND k.value IS NOT NULL THEN k.value * w.value / 100.0 END,
                   CASE WHEN w.value IS NOT NULL AND k.value IS NOT NULL THEN w.value END
            FROM kids k JOIN units u ON u.id = k.unit_id JOIN indicators i ON i.id = k.indicator_id
            LEFT JOIN (
                SELECT * FROM kids WHERE indicator_id IN (SELECT context_id FROM indicators)
            ) w ON w.unit_id = k.unit_id AND w.indicator_id = i.context_id
                 AND w.ptype = k.ptype AND w.year = k.year AND w.quarter IS NOT DISTINCT FROM k.quarter
                 AND w.month IS NOT DISTINCT FROM k.month AND w.kind = k.kind
            WHERE u.parent_id IS NOT NULL {parent_scope} AND i.aggregation = 'ratio_of_sums'
              AND k.denominator IS NULL
        )
        SELECT u.parent_id AS unit_id, {depth} AS depth, {key}, sum(k.value) AS value,
               {_bound("k")} AS comparator, NULL::DOUBLE AS numerator, NULL::DOUBLE AS denominator,
               'children' AS method, count(*)::INTEGER AS parts, NULL::INTEGER AS expected,
               0 AS unweighted, bool_or(k.synthetic) AS synthetic
        {joined} AND i.aggregation = 'sum'
        GROUP BY u.parent_id, {key}
        UNION ALL
        SELECT p.parent, {depth}, p.indicator_id, p.ptype, p.year, p.quarter, p.month, p.kind,
               CASE WHEN sum(p.den) > 0 THEN 100.0 * sum(p.num) / sum(p.den) END,
               {_bound("p", "p.den IS NOT NULL")}, sum(p.num), sum(p.den), 'children',
               count(*) FILTER (WHERE p.den IS NOT NULL)::INTEGER, NULL::INTEGER,
               count(*) FILTER (WHERE p.den IS NULL)::INTEGER, bool_or(p.synthetic)
        FROM ratio_parts p
        GROUP BY p.parent, p.indicator_id, p.ptype, p.year, p.quarter, p.month, p.kind
        """
    )
    _expected_children(cursor, table=name)
    return name


def _bound(alias: str, condition: str = "true") -> str:
    """The comparator of a total: "more than" parts make a lower bound, "less than" an upper one."""
    gt = f"count(*) FILTER (WHERE {condition} AND {alias}.comparator = 'gt')"
    lt = f"count(*) FILTER (WHERE {condition} AND {alias}.comparator = 'lt')"
    other = f"count(*) FILTER (WHERE {condition} AND {alias}.comparator <> 'eq')"
    return (
        f"CASE WHEN {gt} > 0 AND {lt} = 0 THEN 'gt' WHEN {lt} > 0 AND {gt} = 0 THEN 'lt' "
        f"WHEN {other} > 0 THEN 'approx' ELSE 'eq' END"
    )


def _expected_children(cursor: duckdb.DuckDBPyConnection, *, table: str) -> None:
    """How many children each figure could have drawn on: those in force during its period."""
    cursor.execute(
        f"""
        UPDATE {table} AS s SET expected = c.n FROM (
            SELECT s2.unit_id, s2.ptype, s2.year, s2.quarter, s2.month, count(u.id)::INTEGER AS n
            FROM (SELECT DISTINCT unit_id, ptype, year, quarter, month FROM {table}) s2
            JOIN units u ON u.parent_id = s2.unit_id
            WHERE (u.valid_from IS NULL OR u.valid_from <= make_date(s2.year,
                       CASE WHEN s2.month IS NOT NULL THEN s2.month WHEN s2.quarter IS NOT NULL
                           THEN 3 * s2.quarter
                            ELSE 12 END, 1))
              AND (u.valid_to IS NULL OR u.valid_to >= make_date(s2.year,
                       CASE WHEN s2.month IS NOT NULL THEN s2.month WHEN s2.quarter IS NOT NULL
                            THEN 3 * s2.quarter - 2 ELSE 1 END, 1))
            GROUP BY ALL
        ) c
        WHERE c.unit_id = s.unit_id AND c.ptype = s.ptype AND c.year = s.year
          AND c.quarter IS NOT DISTINCT FROM s.quarter AND c.month IS NOT DISTINCT FROM s.month
        """
    )


def _complete_in_time(cursor: duckdb.DuckDBPyConnection, *, base: str, depth: int) -> list[str]:
    """Quarters from months and years from quarters, where a unit has no figure of its own.

    Returns the view of the complete figures first, then every relation made on the way."""
    quarters, with_quarters = f"rollup_tq_{depth}", f"rollup_bq_{depth}"
    years, complete = f"rollup_ty_{depth}", f"rollup_complete_{depth}"
    cursor.execute(
        f"CREATE OR REPLACE TEMP TABLE {quarters} AS "
        + _over_time(
            source=base,
            ptype="Q",
            finer="M",
            order="b.month",
            period="((b.month - 1) // 3 + 1)::INTEGER",
            last="3 * (((b.month - 1) // 3) + 1)",
            method="months",
            count=3,
        )
    )
    cursor.execute(
        f"CREATE OR REPLACE TEMP VIEW {with_quarters} AS "
        f"SELECT * FROM {base} UNION ALL SELECT * FROM {quarters}"
    )
    cursor.execute(
        f"CREATE OR REPLACE TEMP TABLE {years} AS "
        + _over_time(
            source=with_quarters,
            ptype="Y",
            finer="Q",
            order="b.quarter",
            period="NULL::INTEGER",
            last="4",
            method="quarters",
            count=4,
        )
    )
    cursor.execute(
        f"CREATE OR REPLACE TEMP VIEW {complete} AS "
        f"SELECT * FROM {with_quarters} UNION ALL SELECT * FROM {years}"
    )
    return [complete, complete, with_quarters, quarters, years]


def _over_time(
    *, source: str, ptype: str, finer: str, order: str, period: str, last: str, method: str, count: int
) -> str:
    """Figures of a coarser period from a unit's own figures of the finer one: flows add up,
    stocks take the figure of the latest finer period (complete only if it is the last one)."""
    group = f"b.unit_id, b.indicator_id, b.year, {period}, b.kind"
    return f"""
        SELECT c.* FROM (
            SELECT b.unit_id, any_value(b.depth) AS depth, b.indicator_id, '{ptype}' AS ptype, b.year,
                   {period} AS quarter, NULL::INTEGER AS month, b.kind,
                   CASE WHEN any_value(i.aggregation) <> 'ratio_of_sums' THEN sum(b.value)
                        WHEN count(b.denominator) = count(*) AND sum(b.denominator) > 0
                             THEN 100.0 * sum(b.numerator) / sum(b.denominator) END AS value,
                   {_bound("b")} AS comparator, sum(b.numerator) AS numerator,
                   sum(b.denominator) AS denominator, '{method}' AS method, count(*)::INTEGER AS parts,
                   {count} AS expected, 0 AS unweighted, bool_or(b.synthetic) AS synthetic
            FROM {source} b JOIN indicators i ON i.id = b.indicator_id
            WHERE b.ptype = '{finer}' AND i.period_aggregation = 'sum'
            GROUP BY {group}
            UNION ALL
            SELECT unit_id, depth, indicator_id, '{ptype}', year, quarter, NULL::INTEGER, kind,
                   last.value, last.comparator, last.numerator, last.denominator, '{method}', parts, 1, 0,
                   synthetic
            FROM (
                SELECT b.unit_id, any_value(b.depth) AS depth, b.indicator_id, b.year, {period} AS quarter,
                       b.kind,
                       arg_max({{'value': b.value, 'comparator': b.comparator, 'numerator': b.numerator,
                                 'denominator': b.denominator}}, {order}) AS last,
                       (max({order}) = max({last}))::INTEGER AS parts, bool_or(b.synthetic) AS synthetic
                FROM {source} b JOIN indicators i ON i.id = b.indicator_id
                WHERE b.ptype = '{finer}' AND i.period_aggregation <> 'sum'
                GROUP BY {group}
            )
        ) c
        WHERE NOT EXISTS (
            SELECT 1 FROM {source} o WHERE o.unit_id = c.unit_id AND o.indicator_id = c.indicator_id
              AND o.ptype = '{ptype}' AND o.year = c.year AND o.kind = c.kind
              AND o.quarter IS NOT DISTINCT FROM c.quarter
        )
    """
