"""`make lint`'s type check: mypy (django-stubs, pydantic plugin) against a baseline that may only shrink.

The baseline, `mypy-baseline.txt`, counts the known errors per file and message, without line numbers,
so that moving code does not disturb it. The check fails when a file gains an error the baseline does not
hold; it says so when errors were fixed, and `--update` rewrites the baseline to the current, smaller set.
"""

import collections
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
ERROR = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: (?P<message>.*)$")

Counts = collections.Counter[tuple[str, str]]


def run_mypy() -> tuple[Counts, list[str]]:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        sys.exit(f"mypy could not run (exit {done.returncode}):\n{done.stderr or done.stdout}")
    counts: Counts = collections.Counter()
    lines: list[str] = []
    for line in done.stdout.splitlines():
        match = ERROR.match(line)
        if match:
            counts[(match["path"], match["message"])] += 1
            lines.append(line)
    return counts, lines


def read_baseline() -> Counts:
    counts: Counts = collections.Counter()
    if BASELINE.exists():
        for line in BASELINE.read_text(encoding="utf-8").splitlines():
            if line.strip():
                number, path, message = line.split("\t", 2)
                counts[(path, message)] = int(number)
    return counts


def write_baseline(counts: Counts) -> None:
    rows = [f"{n}\t{path}\t{message}" for (path, message), n in sorted(counts.items())]
    BASELINE.write_text("\n".join(rows) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    current, lines = run_mypy()
    if "--update" in argv:
        write_baseline(current)
        print(f"mypy baseline: {sum(current.values())} known errors written to {BASELINE.name}")
        return 0
    known = read_baseline()
    new = {key: n - known[key] for key, n in current.items() if n > known[key]}
    if new:
        print("mypy: errors the baseline does not hold (fix them; the baseline may only shrink):")
        for line in lines:
            match = ERROR.match(line)
            if match and (match["path"], match["message"]) in new:
                print("  " + line)
        return 1
    fixed = sum(known.values()) - sum(current.values())
    print(f"mypy: {sum(current.values())} known errors, none new", end="")
    print(f"; {fixed} fixed — run `make types-baseline` to shrink the baseline" if fixed > 0 else "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
