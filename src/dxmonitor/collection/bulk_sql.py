"""The one place where writing many values speaks each database's own dialect.

A chunk of checked values is staged in a temporary table (PostgreSQL takes it through COPY,
SQLite through executemany) and the database does the rest in a few set-based statements:
refuse places held by synthetic values, record the old and new content of changed values in
their history, update them, insert the new ones with their first history row. Both backends
run the same statements but for the spelling of JSON and of "is distinct from"; the same
tests exercise both.

The checks after a load use three helpers from here: `stage_numbers` fills a temporary table of whole
numbers (the ids of the values to check, their parent units) for their statements to join;
`read_whole_results` tells PostgreSQL that a streamed query will be read to its end;
`insert_rows` writes many rows at once (through COPY on PostgreSQL).
"""

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from .models import Value, ValueChange

STAGE = "dxm_stage"
STAGE_COLUMNS = (
    "seq", "unit_id", "indicator_id", "period", "period_type", "period_start", "period_end", "kind", "value",
    "comparator", "numerator", "denominator", "note", "source_row",
)  # fmt: skip
V = Value._meta.db_table
C = ValueChange._meta.db_table
# More rows than this are inserted through the writer's fastest way (COPY on PostgreSQL).
COPY_ABOVE = 1000
KEY = "v.unit_id = s.unit_id AND v.indicator_id = s.indicator_id AND v.period = s.period AND v.kind = s.kind"


@dataclass(frozen=True)
class Provenance:
    """What every row of a chunk shares: when, who, through which channel."""

    now: datetime.datetime
    user_id: int | None
    source_type: str
    source_file: str
    api_client: str
    synthetic: bool = False


@dataclass
class Outcome:
    created_ids: list[int]
    updated_ids: list[int]
    refused_seqs: list[int]


class Writer:
    vendor = ""

    def json(self, pairs: Sequence[tuple[str, str]]) -> str:
        raise NotImplementedError

    def differs(self, left: str, right: str) -> str:
        raise NotImplementedError

    def boolean(self, expression: str) -> str:
        return expression

    def prepare(self, rows: Sequence[tuple]):
        """Turn a chunk's rows into what `stage` sends; runs on the checking thread, so that the
        writing thread only ships it."""
        return rows

    def stage(self, payload) -> None:
        raise NotImplementedError

    def _content(self, alias: str, *, synthetic: str, deleted: str) -> str:
        return self.json([
            ("value", f"{alias}.value"), ("comparator", f"{alias}.comparator"),
            ("numerator", f"{alias}.numerator"), ("denominator", f"{alias}.denominator"),
            ("note", f"{alias}.note"), ("is_synthetic", synthetic), ("is_deleted", deleted),
        ])  # fmt: skip

    def _changed(self) -> str:
        return (
            f"(v.is_deleted OR {self.differs('v.value', 's.value')} OR v.comparator <> s.comparator "
            f"OR {self.differs('v.numerator', 's.numerator')} OR {self.differs('v.denominator', 's.denominator')} "
            f"OR v.note <> s.note)"
        )

    def finish(self, *, inserted: int) -> None:
        """After the last chunk, before the checks read what the load wrote."""

    def lock(self, cursor) -> None:
        """Lock the stored values the chunk matched, before reading their versions.

        Always in id order, so that two writers of overlapping chunks queue behind one another
        instead of each holding a row the other waits for; the statements after it then read
        the version the other writer committed. SQLite needs nothing: its writer is alone.
        """

    def write(self, payload, who: Provenance, *, count: int) -> Outcome:
        """Write staged rows (tuples in STAGE_COLUMNS order); return what became of them.

        The stored value of each key is looked up once (`existing_id`); every later statement
        joins by primary key, and statements with nothing to do are not sent.
        """
        self.stage(payload)
        params = [who.now, who.user_id, who.source_type, who.source_file, who.api_client]
        held = f"{STAGE} s JOIN {V} v ON v.id = s.existing_id"
        refused: list[int] = []
        updated: list[int] = []
        created: list[int] = []
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {STAGE} AS s SET existing_id = v.id FROM {V} v WHERE {KEY}")
            matched = cursor.rowcount
            if matched:
                self.lock(cursor)
                # Real and synthetic figures never share a value: a place held by the other kind
                # is refused.
                kind = self.boolean("TRUE" if who.synthetic else "FALSE")
                cursor.execute(
                    f"SELECT s.seq FROM {held} WHERE v.is_synthetic <> {kind} AND NOT v.is_deleted"
                )
                refused = [row[0] for row in cursor.fetchall()]
                if refused:
                    marks = ", ".join(["%s"] * len(refused))
                    cursor.execute(f"DELETE FROM {STAGE} WHERE seq IN ({marks})", refused)
                false = self.boolean("FALSE")
                old = self._content(
                    "v", synthetic=self.boolean("v.is_synthetic"), deleted=self.boolean("v.is_deleted")
                )
                new = self._content("s", synthetic=kind, deleted=false)
                cursor.execute(
                    f"INSERT INTO {C} (value_id, version, action, before, after, changed_at, changed_by_id, "
                    f"source_type, document_id, source_file, source_row, api_client, reason) "
                    f"SELECT v.id, v.version + 1, CASE WHEN v.is_deleted THEN 'restore' ELSE 'update' END, "
                    f"{old}, {new}, %s, %s, %s, NULL, %s, s.source_row, %s, '' "
                    f"FROM {held} WHERE {self._changed()}",
                    params,
                )
                if cursor.rowcount:
                    cursor.execute(
                        f"UPDATE {V} AS v SET value = s.value, comparator = s.comparator, numerator = s.numerator, "
                        f"denominator = s.denominator, note = s.note, version = v.version + 1, is_deleted = {false}, is_synthetic = {kind}, "
                        f"updated_at = %s, updated_by_id = %s, source_type = %s, document_id = NULL, source_file = %s, "
                        f"source_row = s.source_row, api_client = %s, evidence_quote = '', evidence_start = NULL, "
                        f"evidence_end = NULL FROM {STAGE} s WHERE v.id = s.existing_id AND {self._changed()} RETURNING id",
                        params,
                    )
                    updated = [row[0] for row in cursor.fetchall()]
            if matched < count:
                created = self._insert(cursor, params, synthetic=who.synthetic)
        return Outcome(created_ids=created, updated_ids=updated, refused_seqs=refused)

    def _insert_select(self, returning: str, *, synthetic: bool) -> str:
        false = self.boolean("FALSE")
        kind = self.boolean("TRUE" if synthetic else "FALSE")
        return (
            f"INSERT INTO {V} (unit_id, indicator_id, period, period_type, period_start, period_end, kind, value, "
            f"comparator, numerator, denominator, is_synthetic, source_type, document_id, source_file, "
            f"source_row, api_client, evidence_quote, evidence_start, evidence_end, note, version, is_deleted, "
            f"created_at, created_by_id, updated_at, updated_by_id) "
            f"SELECT s.unit_id, s.indicator_id, s.period, s.period_type, s.period_start, s.period_end, s.kind, "
            f"s.value, s.comparator, s.numerator, s.denominator, {kind}, %s, NULL, %s, s.source_row, %s, '', "
            f"NULL, NULL, s.note, 1, {false}, %s, %s, %s, %s "
            f"FROM {STAGE} s WHERE s.existing_id IS NULL ORDER BY s.seq RETURNING {returning}"
        )

    def _insert_params(self, params: list) -> list:
        now, user_id, source_type, source_file, api_client = params
        return [source_type, source_file, api_client, now, user_id, now, user_id]

    def _insert(self, cursor, params: list, *, synthetic: bool) -> list[int]:
        raise NotImplementedError

    def stage_numbers(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[int]]) -> None:
        raise NotImplementedError

    def read_whole_results(self) -> None:
        """Before a query whose rows are streamed to the end."""

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence], *, tail: str) -> None:
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){tail}", rows)


class PostgresWriter(Writer):
    vendor = "postgresql"

    def finish(self, *, inserted: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_hashjoin = on; SET LOCAL enable_mergejoin = on")
            if inserted >= 10_000:
                # The table's statistics lag behind a large load: a period the planner has not
                # seen looks empty, and the checks would then read whole periods instead of
                # probing the indexes.
                cursor.execute(f"ANALYZE {V}")

    def lock(self, cursor) -> None:
        cursor.execute(
            f"SELECT v.id FROM {V} v WHERE v.id IN (SELECT s.existing_id FROM {STAGE} s) ORDER BY v.id FOR UPDATE"
        )

    def json(self, pairs: Sequence[tuple[str, str]]) -> str:
        return "jsonb_build_object(" + ", ".join(f"'{k}', {v}" for k, v in pairs) + ")"

    def differs(self, left: str, right: str) -> str:
        return f"{left} IS DISTINCT FROM {right}"

    def prepare(self, rows: Sequence[tuple]) -> bytes:
        # COPY's text format, built here in one go: the writing thread then sends a single buffer
        # instead of formatting a million rows field by field.
        lines = ["\t".join(_copy_field(v) for v in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""

    def stage(self, payload: bytes) -> None:
        with connection.cursor() as cursor:
            # One round trip for the whole prelude: the writing thread shares the interpreter with
            # the checking thread, and every statement waits for its turn. A chunk of 20,000
            # keys against millions of stored values is best probed key by key through the
            # identity index, but the planner, blind on a fresh temporary table, picks a hash:
            # forbid it for the rest of the transaction (`finish` allows it again).
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (seq integer, unit_id bigint, indicator_id bigint, "
                "period varchar(8), period_type varchar(1), period_start date, period_end date, kind varchar(8), "
                "value double precision, comparator varchar(8), numerator double precision, "
                "denominator double precision, note text, source_row integer, existing_id bigint) ON COMMIT DROP; "
                f"TRUNCATE {STAGE}; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off"
            )
            with cursor.cursor.copy(f"COPY {STAGE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
                copy.write(payload)

    def stage_numbers(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[int]]) -> None:
        listed = ", ".join(columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {table} ({' bigint, '.join(columns)} bigint) ON COMMIT DROP; "
                f"TRUNCATE {table}"
            )
            with cursor.cursor.copy(f"COPY {table} ({listed}) FROM STDIN") as copy:
                copy.write("".join("\t".join(map(str, row)) + "\n" for row in rows).encode())
            # A temporary table has no statistics until analysed: the planner must know whether
            # it holds three rows or a million.
            cursor.execute(f"ANALYZE {table}")

    def read_whole_results(self) -> None:
        # A streamed query is planned for its first tenth of rows by default: an index walk in
        # key order that visits the table page by page at random, five times slower than
        # reading it and sorting when every row is wanted.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1")

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence], *, tail: str) -> None:
        # Through COPY and a temporary table of the target's shape: a statement with a hundred
        # thousand parameters spends longer being parsed than being run.
        staging, listed = f"dxm_rows_{table}", ", ".join(columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS SELECT {listed} FROM {table} "
                f"WITH NO DATA; TRUNCATE {staging}"
            )
            with cursor.cursor.copy(f"COPY {staging} ({listed}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {staging}{tail}")

    def _insert(self, cursor, params: list, *, synthetic: bool) -> list[int]:
        now, user_id, source_type, source_file, api_client = params
        flag = "TRUE" if synthetic else "FALSE"
        new = self.json([
            ("value", "i.value"), ("comparator", "i.comparator"), ("numerator", "i.numerator"),
            ("denominator", "i.denominator"), ("note", "i.note"), ("is_synthetic", flag), ("is_deleted", "FALSE"),
        ])  # fmt: skip
        cursor.execute(
            f"WITH i AS ({self._insert_select('id, value, comparator, numerator, denominator, note, source_row', synthetic=synthetic)}) "
            f"INSERT INTO {C} (value_id, version, action, before, after, changed_at, changed_by_id, source_type, "
            f"document_id, source_file, source_row, api_client, reason) "
            f"SELECT i.id, 1, 'create', NULL, {new}, %s, %s, %s, NULL, %s, i.source_row, %s, '' FROM i "
            f"RETURNING value_id",
            [*self._insert_params(params), now, user_id, source_type, source_file, api_client],
        )
        return [row[0] for row in cursor.fetchall()]


class SqliteWriter(Writer):
    vendor = "sqlite"

    def json(self, pairs: Sequence[tuple[str, str]]) -> str:
        return "json_object(" + ", ".join(f"'{k}', {v}" for k, v in pairs) + ")"

    def differs(self, left: str, right: str) -> str:
        return f"{left} IS NOT {right}"

    def boolean(self, expression: str) -> str:
        if expression in ("TRUE", "FALSE"):
            return "0" if expression == "FALSE" else "1"
        # SQLite keeps booleans as 0 and 1; JSON wants true and false.
        return f"(CASE WHEN {expression} THEN json('true') ELSE json('false') END)"

    def _content(self, alias: str, *, synthetic: str, deleted: str) -> str:
        if synthetic in ("0", "1"):
            synthetic = "json('true')" if synthetic == "1" else "json('false')"
        if deleted == "0":
            deleted = "json('false')"
        return super()._content(alias, synthetic=synthetic, deleted=deleted)

    def stage(self, payload: Sequence[tuple]) -> None:
        rows = payload
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (seq integer, unit_id integer, indicator_id integer, "
                "period text, period_type text, period_start date, period_end date, kind text, value real, "
                "comparator text, numerator real, denominator real, note text, source_row integer, existing_id integer)"
            )
            cursor.execute(f"DELETE FROM {STAGE}")
            marks = ", ".join(["%s"] * len(STAGE_COLUMNS))
            cursor.executemany(f"INSERT INTO {STAGE} ({', '.join(STAGE_COLUMNS)}) VALUES ({marks})", rows)

    def stage_numbers(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[int]]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({' integer, '.join(columns)} integer)")
            cursor.execute(f"DELETE FROM {table}")
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def _insert(self, cursor, params: list, *, synthetic: bool) -> list[int]:
        # SQLite has no INSERT inside WITH: insert, then write the first history rows from
        # the rows it returned.
        now, user_id, source_type, source_file, api_client = params
        cursor.execute(
            self._insert_select(
                "id, value, comparator, numerator, denominator, note, source_row", synthetic=synthetic
            ),
            self._insert_params(params),
        )
        inserted = cursor.fetchall()
        cursor.executemany(
            f"INSERT INTO {C} (value_id, version, action, before, after, changed_at, changed_by_id, source_type, "
            f"document_id, source_file, source_row, api_client, reason) "
            f"VALUES (%s, 1, 'create', NULL, %s, %s, %s, %s, NULL, %s, %s, %s, '')",
            [
                (row[0], json.dumps({"value": row[1], "comparator": row[2], "numerator": row[3],
                                     "denominator": row[4], "note": row[5], "is_synthetic": synthetic,
                                     "is_deleted": False}, ensure_ascii=False),
                 now, user_id, source_type, source_file, row[6], api_client)
                for row in inserted
            ],
        )  # fmt: skip
        return [row[0] for row in inserted]


# Characters COPY's text format escapes inside a field.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


def writer() -> Writer:
    if connection.vendor == "postgresql":
        return PostgresWriter()
    if connection.vendor == "sqlite":
        return SqliteWriter()
    raise NotImplementedError(f"bulk writes are not written for {connection.vendor}")


def moment(when: datetime.datetime):
    """A timestamp as the connection takes it in a raw statement."""
    return connection.ops.adapt_datetimefield_value(when)


def day(when: datetime.date | None):
    return connection.ops.adapt_datefield_value(when)


def stage_numbers(table: str, columns: Sequence[str], rows: Sequence[Sequence[int]]) -> None:
    """A temporary table of whole numbers holding `rows`, emptied first, kept until the end of the
    transaction: for statements to join instead of listing a million ids."""
    writer().stage_numbers(table, columns, rows)


def read_whole_results() -> None:
    writer().read_whole_results()


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence], *, conflict: str = "") -> None:
    """Insert many rows; `conflict` is an ON CONFLICT clause that both databases read alike
    ("(a, b) DO UPDATE SET c = excluded.c")."""
    if not rows:
        return
    tail = f" ON CONFLICT {conflict}" if conflict else ""
    if len(rows) >= COPY_ABOVE:
        writer().insert_rows(table, columns, rows, tail=tail)
        return
    # A few rows: multi-row statements, short enough for each database's limit of parameters.
    width = len(columns)
    per_statement = max(1, min(500, (connection.features.max_query_params or 65535) // width))
    row_marks = "(" + ", ".join(["%s"] * width) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            cursor.execute(
                head + ", ".join([row_marks] * len(batch)) + tail, [v for row in batch for v in row]
            )
