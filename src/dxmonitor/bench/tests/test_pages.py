"""`dxmonitor bench pages --scale small` end to end: the synthetic country held as the product holds
it (every index, a history row per value), the store built by the worker, every path answered."""

import json
import os
import tempfile

import pytest

from dxmonitor.bench.analytics import SCALES
from dxmonitor.bench.dashboard_data import SERVER, _connect, require_server
from dxmonitor.cli import main
from dxmonitor.common.errors import DomainError


def _databases() -> set[str]:
    with _connect(f"{SERVER}/postgres") as admin:
        return {n for (n,) in admin.execute("SELECT datname FROM pg_database").fetchall()}


def test_small_scale_answers_every_path_and_leaves_nothing(capsys, monkeypatch, tmp_path):
    try:
        require_server()
    except DomainError as exc:
        pytest.skip(str(exc))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the bench's folder, checked below
    before = _databases()
    assert main(["bench", "pages", "--scale", "small"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    assert result["scale"] == "small" and result["values"] == SCALES["small"].values
    assert result["failed"] == [], {n: p["status"] for n, p in result["paths"].items()}
    assert {"home", "portal", "indicator", "api_values", "api_public_values", "audit"} <= set(result["paths"])
    assert all(p["status"] == [200] for p in result["paths"].values())
    assert result["slowest"]["name"] in result["paths"]
    # The worker rebuilt the store, then took in one commune's month without a rebuild.
    assert result["rebuild_s"] > 0 and 0 < result["incremental_s"] < result["rebuild_s"]
    assert result["store_bytes"] > 0 and result["database_bytes"] > 0
    assert not {n for n in _databases() - before if n.startswith(f"dxm_bench_pages_{os.getpid()}_")}
    assert not list(tmp_path.glob("dxm-bench-dashboard-*"))
