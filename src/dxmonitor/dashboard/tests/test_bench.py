"""`dxmonitor bench dashboard --scale small` end to end: the analytics bench's synthetic country in
a PostgreSQL database of the product's schema, served by the product and timed in Chromium."""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from dxmonitor.bench.analytics import SCALES
from dxmonitor.bench.dashboard_data import SERVER, _connect, require_server
from dxmonitor.cli import main
from dxmonitor.common.errors import DomainError
from dxmonitor.dashboard.bench import CHROMIUM


def _needs() -> None:
    try:
        require_server()
    except DomainError as exc:
        pytest.skip(str(exc))
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


def _databases() -> set[str]:
    with _connect(f"{SERVER}/postgres") as admin:
        return {n for (n,) in admin.execute("SELECT datname FROM pg_database").fetchall()}


def _folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("dxm-bench-dashboard-*")}


def test_small_scale_renders_the_bench_country_and_leaves_nothing(capsys, monkeypatch, tmp_path):
    _needs()
    # A temporary folder of its own, so that another run's bench folders are not counted.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    before, folders = _databases(), _folders()

    assert main(["bench", "dashboard", "--scale", "small", "--runs", "1"]) == 0

    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    assert list(result)[:3] == ["bench", "first_render_ms", "scale"]
    assert result["bench"] == "dashboard" and result["scale"] == "small"
    assert result["first_render_ms"] > 0 and result["first_render_p95_ms"] >= result["first_render_ms"]
    assert set(result["pages"]) == {"province", "commune", "country_map"}
    assert all(page["first_render_ms"] > 0 and page["ttfb_ms"] > 0 for page in result["pages"].values())
    # The pages drew the bench's figures: tiles against the catalogue's national targets, every
    # commune of the province (ten at this scale) and every village of the commune with a figure,
    # and the communes ranked by the shipped scheme.
    small = SCALES["small"]
    province, commune = result["pages"]["province"], result["pages"]["commune"]
    assert province["tiles"] > 0 and commune["tiles"] > 0
    assert province["unit_figures"] == small.communes // small.provinces
    assert commune["unit_figures"] == small.villages // small.communes
    assert province["ranked"] == small.communes // small.provinces
    assert result["values"] == small.values == 172_800
    assert result["units"] == small.provinces + small.communes + small.villages
    assert result["figures"] > 0 and result["store_mb"] > 0 and result["database_mb"] > 0
    assert set(result["steps_s"]) == {"schema_s", "units_s", "values_s", "index_s", "refresh_s", "scores_s"}
    assert "dxmonitor analytics refresh --full" in out
    # Only this process's: another test run on the same server may hold its own bench database now.
    assert not {n for n in _databases() - before if n.startswith(f"dxm_bench_dashboard_{os.getpid()}_")}
    assert _folders() <= folders


def test_a_scale_makes_its_own_data_and_refuses_a_var_dir(capsys):
    folder = tempfile.mkdtemp()
    try:
        assert main(["bench", "dashboard", "--scale", "small", "--var-dir", folder]) != 0
    finally:
        shutil.rmtree(folder)
    assert "--scale small makes its own data" in capsys.readouterr().err
