"""Accounts hold up: passwords checked by Django's validators on every path, a log-in brake that
also catches wide guessing, the client's address believed only from a trusted proxy, and a
production configuration that Django's deployment check finds nothing to say about."""

import base64
import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache

from dxmonitor.accounts.actions import ensure_user
from dxmonitor.cli import main
from dxmonitor.common.errors import InvalidInput

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-dai-000"


@pytest.fixture(autouse=True)
def _fresh_brake():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("password", "said"),
    [
        ("a", "too short: it needs at least 10 characters"),
        ("password123", "too common"),
        ("48291736450", "only digits"),
        ("nguyenvanan1", "too close to the user's name"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, said):
    with pytest.raises(InvalidInput) as refused:
        ensure_user(username="nguyenvanan", password=password)
    assert any(said in p.message_en for p in refused.value.problems)
    assert all(p.field == "password" and p.message_vi for p in refused.value.problems)
    assert authenticate(username="nguyenvanan", password=password) is None


def test_the_command_line_refuses_a_weak_password(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a\n"))
    assert main(["user", "create", "sokhcn", "--password-stdin"]) == 1
    err = capsys.readouterr()
    assert "too short" in err.out + err.err and "Mật khẩu quá ngắn" in err.out + err.err
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="sokhcn").exists()


def _log_in(client, username: str, password: str, address: str = "10.0.0.1", forwarded: str = ""):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post("/login/", {"username": username, "password": password}, **extra)
    return response.status_code == 302


def test_five_wrong_passwords_for_a_name_from_an_address_stop_it(client):
    ensure_user(username="canbo1", password=PASSWORD)
    for _ in range(5):
        assert not _log_in(client, "canbo1", "sai-mat-khau-x")
    assert not _log_in(client, "canbo1", PASSWORD)
    assert _log_in(client, "canbo1", PASSWORD, address="10.0.0.2")


def test_the_brake_counts_across_web_processes(client):
    """Each web process has its own cache object; the counts live in the database they share."""
    from django.core.cache.backends.db import DatabaseCache

    ensure_user(username="canbo1", password=PASSWORD)
    for _ in range(3):
        assert not _log_in(client, "canbo1", "sai-mat-khau-x")
    another_process = DatabaseCache("dxmonitor_cache", {})
    assert another_process.get("login-failures:10.0.0.1:canbo1") == 3
    assert another_process.get("login-failures-account:canbo1") == 3


def test_one_password_tried_across_many_accounts_is_slowed(client, settings):
    settings.DXM_LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    ensure_user(username="canbo1", password=PASSWORD)
    for n in range(20):
        assert not _log_in(client, f"ten{n}", "Matkhau@2026")
    assert not _log_in(client, "canbo1", PASSWORD), "the address waits, whatever the name"
    assert _log_in(client, "canbo1", PASSWORD, address="10.0.0.9")


def test_one_account_tried_from_many_addresses_is_slowed(client, settings):
    settings.DXM_LOGIN_MAX_FAILURES_PER_ACCOUNT = 20
    ensure_user(username="canbo1", password=PASSWORD)
    for n in range(20):
        assert not _log_in(client, "canbo1", f"doan-sai-{n}", address=f"10.1.{n}.1")
    assert not _log_in(client, "canbo1", PASSWORD, address="10.9.9.9")
    # HTTP Basic counts with the log-in page.
    basic = base64.b64encode(f"canbo1:{PASSWORD}".encode()).decode()
    refused = client.post(
        "/api/v1/dataValueSets", "{}", content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {basic}", REMOTE_ADDR="10.9.9.9",
    )  # fmt: skip
    assert refused.status_code == 401


def test_a_forwarded_address_counts_only_from_a_trusted_proxy(client, settings):
    ensure_user(username="canbo1", password=PASSWORD)
    # Without a trusted proxy anyone could claim someone else's address and lock them out:
    # the header is ignored and the peer counts.
    for _ in range(5):
        _log_in(client, "canbo1", "sai-mat-khau-x", address="203.0.113.7", forwarded="198.51.100.1")
    assert _log_in(client, "canbo1", PASSWORD, address="203.0.113.8", forwarded="203.0.113.7")
    assert not _log_in(client, "canbo1", PASSWORD, address="203.0.113.7", forwarded="198.51.100.1")

    cache.clear()
    settings.DXM_TRUSTED_PROXIES = ["10.10.0.0/24"]
    for _ in range(5):
        _log_in(client, "canbo1", "sai-mat-khau-x", address="10.10.0.5", forwarded="spoofed, 198.51.100.1")
    # The proxy's other clients are not held back; the guesser's address is.
    assert _log_in(client, "canbo1", PASSWORD, address="10.10.0.5", forwarded="198.51.100.2")
    assert not _log_in(client, "canbo1", PASSWORD, address="10.10.0.5", forwarded="198.51.100.1")


def test_the_documented_production_configuration_passes_the_deployment_check(tmp_path):
    """docs/deployment.md's environment: `dxmonitor manage check --deploy` finds nothing."""
    docs = (Path(__file__).resolve().parents[4] / "docs" / "deployment.md").read_text(encoding="utf-8")
    documented = {}
    block = docs.split("<!-- production-environment -->")[1].split("```")[1]
    for line in block.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            name, _, value = line.strip().partition("=")
            documented[name] = value.split("#")[0].strip()
    assert documented["DXM_HTTPS"] == "true" and "DXM_TRUSTED_PROXIES" in documented
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXM_") or k == "DXM_TEST_CLOCK"}
    env.update(documented)
    env.update(DXM_VAR_DIR=str(tmp_path), DXM_SECRET_KEY=secrets.token_urlsafe(50))
    env.pop("DATABASE_URL", None)
    script = Path(sys.executable).with_name("dxmonitor")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "dxmonitor.cli"]
    done = subprocess.run(
        [*command, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
