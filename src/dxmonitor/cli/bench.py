"""Benchmarks: each prints its measures and, last, one line of JSON."""

import argparse
import json

from .common import Adder, Subcommands, say
from .extraction import register_bench


def cmd_bench_import(args: argparse.Namespace) -> int:

    from dxmonitor.bench.imports import bench_import

    figures = bench_import(values=args.values, sample=args.sample, checks=not args.no_checks, say=say)
    say(json.dumps(figures))
    return 0


def cmd_bench_xlsx(args: argparse.Namespace) -> int:

    from dxmonitor.files.bench import bench_xlsx, own_database

    with own_database(args.database_url, say=say):
        result = bench_xlsx(values=args.values, say=say)
    say(json.dumps(result))
    return 0


def register(sub: Subcommands, add: Adder) -> None:
    bench = sub.add_parser("bench", help="benchmarks").add_subparsers(dest="bench_command", required=True)
    register_bench(bench, add)
    bench_xlsx = add("xlsx", cmd_bench_xlsx, "time checking and applying a large Excel template", bench)
    bench_xlsx.add_argument("--values", type=int, default=100_000, help="how many figures (default 100000)")
    bench_xlsx.add_argument(
        "--database-url", help="an empty database to run on (default: a temporary SQLite file)"
    )
    bench_imports = add(
        "import", cmd_bench_import, "time many values through the bulk path against per-value saves", bench
    )
    bench_imports.add_argument("--values", type=int, required=True, help="values through the bulk path")
    bench_imports.add_argument(
        "--sample", type=int, default=2000, help="values through per-value ORM saves (default 2000)"
    )
    bench_imports.add_argument(
        "--no-checks", action="store_true", help="skip the rules and outlier checks (the write path alone)"
    )
