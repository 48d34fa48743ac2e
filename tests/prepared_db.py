"""The reference data every test database starts with, loaded once and then restored from a copy.

Loading the administrative units, the catalogue and the rules through their actions reads and checks
every source file and upserts row by row: most of a test run's fixed cost. The rows those actions
write are kept in `var/test-cache/` under a key made of everything that could change them (the
sources, the loaders, the migrations and the installed unit package), and later runs insert the same
rows in bulk. A change to any of those files makes the next run load through the actions again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import pickle
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "dxmonitor"
CACHE_DIR = REPO / "var" / "test-cache"
# What the loaders read and how they write it: a change to any of these reloads.
KEY_SOURCES = ("geo", "catalog", "collection", "common")
FORMAT = 1


def _key() -> str:
    digest = hashlib.sha256(f"{FORMAT}:{connection.vendor}".encode())
    files = [path for name in KEY_SOURCES for path in (PACKAGE / name).rglob("*") if path.is_file()]
    files += [path for path in PACKAGE.glob("*/migrations/*.py")]
    for path in sorted(set(files)):
        if "__pycache__" in path.parts or "tests" in path.parts:
            continue
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    digest.update(importlib.metadata.version("vietnamadminunits").encode())
    return digest.hexdigest()[:20]


def _project_models() -> list[type[Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("dxmonitor.") and m._meta.managed]


def _counts() -> dict[type[Model], int]:
    return {model: model.objects.count() for model in _project_models()}


def _dump(models: list[type[Model]]) -> list[tuple[str, list[str], list[tuple]]]:
    tables = []
    with connection.cursor() as cursor:
        for model in models:
            columns = [field.column for field in model._meta.concrete_fields]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"SELECT {quoted} FROM {table} ORDER BY {connection.ops.quote_name(model._meta.pk.column)}"
            )
            tables.append((model._meta.label, columns, cursor.fetchall()))
    return tables


def _restore(tables: list[tuple[str, list[str], list[tuple]]]) -> None:
    """Insert the rows as the database gave them (the cache is per database engine)."""
    models = []
    # Foreign keys are deferred to the commit on both databases, so the order of tables is free.
    with transaction.atomic(), connection.cursor() as cursor:
        for label, columns, rows in tables:
            model = apps.get_model(label)
            models.append(model)
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def load_reference_data(load: Callable[[], None]) -> str:
    """Run `load` (the loading actions) or restore what it wrote last time; say which."""
    prefix = f"reference-{connection.vendor}-"
    path = CACHE_DIR / f"{prefix}{_key()}.pickle"
    if path.is_file():
        try:
            tables = pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError):
            tables = None
        if tables is not None and not any(_counts().values()):
            _restore(tables)
            return f"restored from {path.relative_to(REPO)}"
    before = _counts()
    load()
    after = _counts()
    written = [model for model in _project_models() if after[model] != before[model]]
    if any(before[model] for model in written):
        return "loaded (the database was not empty, so not kept)"
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(pickle.dumps(_dump(written), protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(path)
    for stale in CACHE_DIR.glob(f"{prefix}*.pickle"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return f"loaded and kept in {path.relative_to(REPO)}"
