"""`make test`: the whole suite on SQLite and on PostgreSQL when a server answers.

PostgreSQL: DXM_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) names
the server; each run gets a fresh database that is dropped afterwards. Under CI=true a
suite that cannot run fails the run instead of being skipped.

On a machine with two cores or more the two suites run at the same time (the PostgreSQL one's output
is kept in test-artifacts/postgres.log and printed when it ends), which nearly halves the wait;
DXM_TEST_SERIAL=1 runs them one after the other.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_reason(url: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        import psycopg
    except ImportError as exc:
        return f"psycopg is not installed ({exc})"
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        return f"no PostgreSQL at {url} ({str(exc).strip().splitlines()[0]})"
    return None


def run(label: str, env: dict[str, str], extra: list[str]) -> int:
    print(f"\n=== {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *extra], env=env)


def start(label: str, env: dict[str, str], extra: list[str], log: Path) -> subprocess.Popen:
    """Run a suite in the background, its output in a file (two suites' lines would interleave)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"=== {label}: started beside the SQLite suite, output in {log} ===", flush=True)
    with log.open("wb") as out:
        # A cache of its own: the two runs would otherwise rewrite the same last-failed list.
        return subprocess.Popen(
            [sys.executable, "-m", "pytest", "-o", "cache_dir=.pytest_cache/postgres", *extra],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def finish(label: str, process: subprocess.Popen, log: Path) -> int:
    code = process.wait()
    print(f"\n=== {label} ===", flush=True)
    sys.stdout.write(log.read_text(encoding="utf-8", errors="replace"))
    sys.stdout.flush()
    return code


def main(argv: list[str]) -> int:
    results: list[tuple[str, str]] = []
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    serial = os.environ.get("DXM_TEST_SERIAL", "").lower() in {"1", "true", "yes"}

    pg_url = os.environ.get("DXM_TEST_POSTGRES_URL", DEFAULT_PG)
    reason = postgres_reason(pg_url)
    background = None
    if reason is None:
        parts = urlsplit(pg_url)
        # pytest-django creates "test_<name>" beside it and drops it at the end.
        fresh = urlunsplit(parts._replace(path=f"/dxmonitor_{uuid.uuid4().hex[:10]}"))
        pg_env = {**base_env, "DATABASE_URL": fresh}
        pg_label = f"PostgreSQL ({parts.hostname}:{parts.port or 5432})"
        # The browser suite drives its own server on SQLite; here it would only repeat itself.
        pg_args = ["-m", "not browser", *argv]
        pg_log = Path("test-artifacts") / "postgres.log"
        if not serial and (os.cpu_count() or 1) >= 2:
            background = start(pg_label, pg_env, pg_args, pg_log)

    code = run("SQLite (with the browser suite)", base_env, argv)
    results.append(("SQLite", "passed" if code == 0 else f"FAILED (exit {code})"))

    if reason is None:
        if background is not None:
            pg_code = finish(pg_label, background, pg_log)
        else:
            pg_code = run(pg_label, pg_env, pg_args)
        results.append(("PostgreSQL", "passed" if pg_code == 0 else f"FAILED (exit {pg_code})"))
        code = code or pg_code
    else:
        results.append(("PostgreSQL", f"SKIPPED: {reason}"))
        if CI:
            code = code or 1

    print("\n=== summary ===")
    for suite, outcome in results:
        print(f"  {suite:<11} {outcome}")
    if CI and any(o.startswith("SKIPPED") for _, o in results):
        print("  CI=true: a skipped suite fails the run")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
