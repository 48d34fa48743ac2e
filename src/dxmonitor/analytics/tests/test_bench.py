"""`dxmonitor bench analytics --scale small` end to end, on the PostgreSQL server it needs."""

import json
import os

import pytest

from dxmonitor.bench.analytics import SCALES, connect, default_server
from dxmonitor.cli import main
from dxmonitor.common.errors import DomainError


def _server() -> str:
    try:
        connect(default_server()).close()
    except DomainError as exc:
        pytest.skip(str(exc))
    return default_server()


def test_small_bench_measures_the_store_against_sql_and_leaves_nothing(settings, tmp_path, capsys):
    server = _server()
    settings.ANALYTICS_PATH = str(tmp_path / "product.duckdb")  # never the bench's store
    with connect(server) as admin:
        before = {n for (n,) in admin.execute("SELECT datname FROM pg_database").fetchall()}

    assert main(["bench", "analytics", "--scale", "small"]) == 0

    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    figures = json.loads(lines[-1])
    assert set(figures) >= {
        "bench", "scale", "values", "rebuild_s", "incremental_s", "p50_ms", "p95_ms", "baseline_p95_ms",
        "peak_rss_mb",
    }  # fmt: skip
    assert figures["bench"] == "analytics" and figures["scale"] == "small"
    assert figures["values"] == SCALES["small"].values == 172_800
    assert figures["rebuild_s"] > 0 and figures["incremental_s"] > 0 and figures["peak_rss_mb"] > 0
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] and figures["baseline_p95_ms"] > 0
    assert "the store and SQL GROUP BY agree on all" in out
    assert figures["agreement"].endswith("answers agree") and int(figures["agreement"].split()[0]) > 1000
    # The incremental refresh took in exactly the changed commune-month, nothing more.
    assert "incremental refresh after one commune-month (240 values" in out
    with connect(server) as admin:
        after = {n for (n,) in admin.execute("SELECT datname FROM pg_database").fetchall()}
    # Only this process's: another test run on the same server may hold its own bench database now.
    assert not {n for n in after - before if n.startswith(f"dxm_bench_{os.getpid()}_")}
    assert not tmp_path.joinpath("product.duckdb").exists()
