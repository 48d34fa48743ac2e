"""`dxmonitor bench xlsx`: how fast a large template is checked and applied.

The benchmark builds a real template (the code path officers download) for a data set of real
catalogue indicators over every commune of the 2025 structure, filled with plausible figures,
then times the two steps of an upload: the check (nothing written) and the apply (all or
nothing). It runs on a database of its own, a temporary SQLite file unless `--database-url`
names an empty database to use, so the operator's figures are never touched.
"""

import datetime
import math
import random
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import dj_database_url

BENCH_DATASET = "BENCH_XLSX"
STRUCTURE_DAY = datetime.date(2025, 8, 1)


@contextmanager
def own_database(url: str | None, *, say: Callable[[str], None]):
    """Point the default connection at a throwaway database (created, migrated, loaded) for the
    duration, then back to the configured one."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    folder = None
    if not url:
        folder = tempfile.TemporaryDirectory(prefix="dxm-bench-")
        url = f"sqlite:///{Path(folder.name) / 'bench.sqlite3'}"
    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(settings.DATABASES["default"].get("OPTIONS") or {}) or {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    original = connections.settings["default"]
    connections["default"].close()
    connections.settings["default"] = connections.configure_settings({"default": config})["default"]
    del connections["default"]
    try:
        call_command("migrate", interactive=False, verbosity=0)
        from dxmonitor.catalog.actions import load_catalog
        from dxmonitor.collection.rules_file import load_rules
        from dxmonitor.geo.actions import load_units

        started = time.monotonic()
        load_units()
        load_catalog()
        load_rules()
        say(f"bench database ready: units, catalogue and rules loaded ({time.monotonic() - started:.1f} s)")
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = original
        del connections["default"]
        if folder is not None:
            folder.cleanup()


def _figure(indicator, rng: random.Random) -> float:
    if indicator.is_percent:
        return round(rng.uniform(0, 100), 1)
    return float(rng.randint(0, 5000))


def bench_xlsx(*, values: int, say: Callable[[str], None], seed: int = 7) -> dict:
    """Build a template of about `values` figures, then check and apply it; the timings."""
    from django.utils import timezone

    from dxmonitor.accounts.actions import ensure_user
    from dxmonitor.catalog.models import Indicator, Kind
    from dxmonitor.collection.datasets import define_dataset
    from dxmonitor.collection.periods import parse_period
    from dxmonitor.geo.models import Level
    from dxmonitor.geo.queries import filter_units

    from .actions import _run
    from .formats import read_file
    from .template import MAX_ROWS, Scope, build_template

    if not 1 <= values <= MAX_ROWS:
        raise ValueError(f"--values must be between 1 and {MAX_ROWS}")
    communes = list(filter_units(level=Level.COMMUNE, as_of=STRUCTURE_DAY).select_related("parent"))
    # Counts and plain percentages: figures that need no numerator or denominator.
    usable = list(
        Indicator.objects.filter(is_active=True, kind__in=[Kind.COUNT, Kind.SHARE, Kind.RATE])
        .exclude(code__startswith="DTI.")
        .order_by("code")
    )
    per_unit = min(len(usable), math.ceil(values / len(communes)))
    units = communes[: math.ceil(values / per_unit)]
    chosen = usable[:per_unit]
    dataset, _ = define_dataset(
        code=BENCH_DATASET,
        name_vi="Bộ số liệu đo tốc độ nhập Excel",
        name_en="Excel import benchmark",
        period_type="Y",
        level="commune",
        indicators=[(i.code, False) for i in chosen],
        closes_days=3650,
    )
    period = parse_period(str(timezone.localdate().year))
    user, _ = ensure_user(username="bench.xlsx", password="bench-xlsx-only-here", is_admin=True)
    rng = random.Random(seed)
    figures = {(u.pk, i.pk): (_figure(i, rng), None, None, "", "eq") for u in units for i in chosen}
    members = list(dataset.members.select_related("indicator").order_by("position"))
    scope = Scope(dataset, period, units, members, figures, None, user)
    started = time.monotonic()
    data = build_template(scope)
    built = time.monotonic() - started
    say(f"template: {scope.rows} values, {len(data) / 1024 / 1024:.1f} MB, built in {built:.1f} s")

    started = time.monotonic()
    check = _run(parsed=read_file(data), file_name="bench.xlsx", user=user, dry_run=True)
    check_s = time.monotonic() - started
    say(f"check: {check.values} values, {check.problems_total} problems ({check_s:.1f} s)")
    started = time.monotonic()
    apply = _run(parsed=read_file(data), file_name="bench.xlsx", user=user, dry_run=False)
    apply_s = time.monotonic() - started
    say(f"apply: {apply.created} created, {apply.problems_total} problems ({apply_s:.1f} s)")
    started = time.monotonic()
    again = _run(parsed=read_file(data), file_name="bench.xlsx", user=user, dry_run=False)
    again_s = time.monotonic() - started
    changed = again.created + again.updated
    say(f"same file again: {again.unchanged} unchanged, {changed} changed ({again_s:.1f} s)")
    total = check_s + apply_s
    return {
        "bench": "xlsx",
        "values": check.values,
        "file_mb": round(len(data) / 1024 / 1024, 2),
        "build_s": round(built, 2),
        "check_s": round(check_s, 2),
        "apply_s": round(apply_s, 2),
        "again_s": round(again_s, 2),
        "values_per_s": round(check.values / total) if total else None,
        "problems": check.problems_total + apply.problems_total,
        "applied": apply.applied,
    }
