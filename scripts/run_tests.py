"""`make test`: the whole suite on SQLite, then on PostgreSQL when a server answers.

PostgreSQL: DXM_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) names
the server; each run gets a fresh database that is dropped afterwards. Under CI=true a
suite that cannot run fails the run instead of being skipped.
"""

import os
import subprocess
import sys
import uuid
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


def main(argv: list[str]) -> int:
    results: list[tuple[str, str]] = []
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}

    code = run("SQLite (with the browser suite)", base_env, argv)
    results.append(("SQLite", "passed" if code == 0 else f"FAILED (exit {code})"))

    pg_url = os.environ.get("DXM_TEST_POSTGRES_URL", DEFAULT_PG)
    reason = postgres_reason(pg_url)
    if reason is None:
        parts = urlsplit(pg_url)
        # pytest-django creates "test_<name>" beside it and drops it at the end.
        fresh = urlunsplit(parts._replace(path=f"/dxmonitor_{uuid.uuid4().hex[:10]}"))
        env = {**base_env, "DATABASE_URL": fresh}
        # The browser suite drives its own server on SQLite; here it would only repeat itself.
        pg_code = run(
            f"PostgreSQL ({parts.hostname}:{parts.port or 5432})", env, ["-m", "not browser", *argv]
        )
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
